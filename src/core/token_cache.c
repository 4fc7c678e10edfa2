/* token_cache — a per-thread, direct-mapped cache of verified access tokens (see
 * token_cache.h). */
#include "core/token_cache.h"

#include <stdlib.h>
#include <string.h>

#include "base/perthread.h"
#include "core/client_cache.h"
#include "crypto/hash.h"

enum { SLOTS = 512, TOKEN_MAX = 4096 };

typedef struct {
    char *token; /* NULL: empty */
    size_t len;
    json_t *claims;
    char *typ;
    const clv_app *app;
    int64_t checked_ms; /* when a revocation lookup last said "not revoked"; 0: never */
    uint64_t generation;
} slot;

typedef struct {
    slot slots[SLOTS];
} cache;


static void slot_clear(slot *s)
{
    free(s->token);
    free(s->typ);
    json_decref(s->claims);
    memset(s, 0, sizeof *s);
}

static void cache_free(void *p)
{
    cache *c = p;

    for (int i = 0; c != NULL && i < SLOTS; i++)
        slot_clear(&c->slots[i]);
    free(c);
}

static clv_perthread caches = CLV_PERTHREAD_INIT(cache_free, sizeof(cache));

static cache *thread_cache(void)
{
    return clv_perthread_get(&caches);
}

/* Tokens are compared in constant time (clv_ct_equal): an attacker who can aim at a slot
 * must not learn, from how long a comparison takes, how much of a cached token it
 * guessed. */

/* FNV-1a over the signature (the token's last part), which differs for every token. */
static slot *slot_for(cache *c, const char *token, size_t len)
{
    const char *sig = strrchr(token, '.');
    uint64_t h = 1469598103934665603ULL;

    for (const char *p = sig != NULL ? sig : token; p < token + len; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return &c->slots[h % SLOTS];
}

bool clv_token_cache_get(const clv_app *app, const char *token, json_t **claims,
                         const char **typ, bool *revocation_fresh)
{
    size_t len = strlen(token);
    cache *c = len <= TOKEN_MAX ? thread_cache() : NULL;
    slot *s = c != NULL ? slot_for(c, token, len) : NULL;

    if (s == NULL || s->token == NULL || s->app != app || s->len != len ||
        !clv_ct_equal(s->token, token, len) || (*claims = json_copy(s->claims)) == NULL)
        return false;
    *typ = s->typ;
    *revocation_fresh = s->checked_ms != 0 && s->generation == clv_cache_generation() &&
                        clv_now_us() / 1000 - s->checked_ms < CLV_CACHE_TTL_MS;
    return true;
}

void clv_token_cache_put(const clv_app *app, const char *token, json_t *claims, const char *typ,
                         uint64_t generation)
{
    size_t len = strlen(token);
    cache *c = len <= TOKEN_MAX ? thread_cache() : NULL;
    slot *s = c != NULL ? slot_for(c, token, len) : NULL;

    if (s == NULL)
        return;
    if (s->token == NULL || s->len != len || !clv_ct_equal(s->token, token, len)) {
        slot_clear(s);
        if ((s->token = malloc(len + 1)) == NULL)
            return;
        memcpy(s->token, token, len + 1);
        s->len = len;
        s->claims = json_incref(claims);
        s->typ = typ != NULL ? strdup(typ) : NULL;
        s->app = app;
    }
    s->generation = generation; /* read before the lookup: a bump during it wins */
    s->checked_ms = clv_now_us() / 1000;
}

void clv_token_cache_clear(void)
{
    clv_perthread_clear(&caches);
}
