/* client_cache — a per-thread, direct-mapped cache of clients and their secrets (see
 * client_cache.h). Per thread, so that a lookup takes no lock; direct-mapped, so that its
 * size is fixed (CACHE_SLOTS entries a thread) and an eviction is one free. */
#include "core/client_cache.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/perthread.h"

enum { CACHE_SLOTS = 1024, RESOURCE_SLOTS = 256 };

typedef struct {
    clv_client *client; /* NULL: empty slot */
    clv_list secrets;
    const clv_app *app; /* entries of another app (tests open several) never match */
    int64_t loaded_ms;
    uint64_t generation;
    uint64_t client_generation; /* of its client's bucket (clv_cache_bump_client) */
} slot;

/* A resource (RFC 8707) that a token request named, found in its client's service. Like a
 * client: used for at most CLV_CACHE_TTL_MS and not after a bump; only found ones are
 * kept (a name that is not registered is read again, and refused, each time). */
typedef struct {
    clv_resource *r; /* NULL: empty slot */
    const clv_app *app;
    int64_t loaded_ms;
    uint64_t generation;
} resource_slot;

typedef struct {
    slot slots[CACHE_SLOTS];
    resource_slot resources[RESOURCE_SLOTS];
} cache;

static atomic_uint_fast64_t generation = 1;
/* One counter per slot index, shared by every thread: a change to one client (told by
 * another node) re-reads the clients that map to its slot, not every client. */
static atomic_uint_fast64_t client_generation[CACHE_SLOTS];

static void slot_clear(slot *s)
{
    clv_client_free(s->client);
    clv_list_cleanup(&s->secrets);
    memset(s, 0, sizeof *s);
}

static void cache_free(void *p)
{
    cache *c = p;

    for (int i = 0; c != NULL && i < CACHE_SLOTS; i++)
        slot_clear(&c->slots[i]);
    for (int i = 0; c != NULL && i < RESOURCE_SLOTS; i++)
        clv_resource_free(c->resources[i].r);
    free(c);
}

static clv_perthread caches = CLV_PERTHREAD_INIT(cache_free, sizeof(cache));

static cache *thread_cache(void)
{
    return clv_perthread_get(&caches);
}

/* FNV-1a of s and its terminating NUL, continuing from h: the ids are random, any
 * spread-out hash will do. */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h * 1099511628211ULL;
}

static size_t slot_of(const char *id)
{
    return (size_t)(fnv(1469598103934665603ULL, id) % CACHE_SLOTS);
}

void clv_cache_bump(void)
{
    atomic_fetch_add(&generation, 1);
}

void clv_cache_bump_client(const char *client_id)
{
    atomic_fetch_add(&client_generation[slot_of(client_id)], 1);
}

uint64_t clv_cache_generation(void)
{
    return atomic_load(&generation);
}

void clv_cache_clear(void)
{
    clv_perthread_clear(&caches);
}

/* Whether s, the slot of index i (slot_of(client_id), hashed once by the caller), holds
 * a fresh entry of client_id. */
static bool fresh(const slot *s, size_t i, const clv_app *app, const char *client_id,
                  int64_t now_ms)
{
    return s->client != NULL && s->app == app && s->generation == atomic_load(&generation) &&
           s->client_generation == atomic_load(&client_generation[i]) &&
           now_ms - s->loaded_ms < CLV_CACHE_TTL_MS && strcmp(s->client->client_id, client_id) == 0;
}

/* Reads the client and its secrets from the store into s, the slot of index i. */
static clv_code load(clv_app *app, const char *client_id, slot *s, size_t i, int64_t now_ms,
                     clv_err *err)
{
    uint64_t gen = atomic_load(&generation); /* before the read: a change during it wins */
    uint64_t cgen = atomic_load(&client_generation[i]);
    clv_client *c = NULL;
    clv_list secrets = {0};
    clv_code rc = clv_store_client_get(app->store, client_id, &c, err);

    if (rc == CLV_OK)
        rc = clv_store_secret_list(app->store, client_id, &secrets, err);
    if (rc != CLV_OK) {
        clv_client_free(c);
        return rc;
    }
    slot_clear(s);
    s->client = c;
    s->secrets = secrets;
    s->app = app;
    s->loaded_ms = now_ms;
    s->generation = gen;
    s->client_generation = cgen;
    return CLV_OK;
}

clv_code clv_cache_client_get(clv_app *app, const char *client_id, clv_client **out,
                              const clv_list **secrets, clv_err *err)
{
    cache *c = thread_cache();
    int64_t now_ms = clv_now_us() / 1000;
    size_t i = slot_of(client_id); /* once: the slot and its client generation */
    slot *s;
    clv_code rc;

    if (c == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    s = &c->slots[i];
    if (!fresh(s, i, app, client_id, now_ms) &&
        (rc = load(app, client_id, s, i, now_ms, err)) != CLV_OK)
        return rc;
    s->client->shares++;
    *out = s->client;
    if (secrets != NULL)
        *secrets = &s->secrets;
    return CLV_OK;
}

void clv_cache_note_used(const char *client_id, const char *secret_id, int64_t at)
{
    cache *c = thread_cache();
    slot *s = c != NULL ? &c->slots[slot_of(client_id)] : NULL;

    if (s == NULL || s->client == NULL || strcmp(s->client->client_id, client_id) != 0)
        return;
    if (secret_id == NULL)
        s->client->last_used_at = at;
    for (size_t i = 0; secret_id != NULL && i < s->secrets.count; i++) {
        clv_secret *sec = s->secrets.items[i];
        if (strcmp(sec->secret_id, secret_id) == 0)
            sec->last_used_at = at;
    }
}

static bool resource_fresh(const resource_slot *s, const clv_app *app, const char *service_id,
                           const char *identifier, int64_t now_ms)
{
    return s->r != NULL && s->app == app && s->generation == atomic_load(&generation) &&
           now_ms - s->loaded_ms < CLV_CACHE_TTL_MS && strcmp(s->r->identifier, identifier) == 0 &&
           strcmp(s->r->service_id, service_id) == 0;
}

clv_code clv_cache_resource_get(clv_app *app, const char *service_id, const char *identifier,
                                const clv_resource **out, clv_err *err)
{
    cache *c = thread_cache();
    int64_t now_ms = clv_now_us() / 1000;
    resource_slot *s;
    clv_resource *r = NULL;
    uint64_t gen;
    clv_code rc;

    *out = NULL;
    if (c == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    s = &c->resources[fnv(fnv(1469598103934665603ULL, service_id), identifier) % RESOURCE_SLOTS];
    if (!resource_fresh(s, app, service_id, identifier, now_ms)) {
        gen = atomic_load(&generation); /* before the read: a change during it wins */
        if ((rc = clv_store_resource_find(app->store, service_id, identifier, &r, err)) != CLV_OK)
            return rc;
        clv_resource_free(s->r);
        *s = (resource_slot){r, app, now_ms, gen};
    }
    *out = s->r;
    return CLV_OK;
}
