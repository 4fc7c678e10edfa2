/* secret — generation, keyed hashing and checking of client secrets (see secret.h). */
#include "core/secret.h"

#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "crypto/hash.h"
#include "crypto/rand.h"

enum { SECRET_BYTES = 32, SECRET_TEXT = sizeof CLV_SECRET_PREFIX - 1 + 44 };

bool clv_secret_hash(const clv_app *app, const char *presented, unsigned char out[32])
{
    return clv_hmac_sha256(app->hmac_key, sizeof app->hmac_key, presented, strlen(presented),
                           out);
}

clv_code clv_secret_generate(const clv_app *app, const char *client_id, const char *description,
                             int64_t expires_at, clv_secret **out, char **plaintext,
                             clv_err *err)
{
    char id[CLV_ID_LEN];
    char *text = calloc(1, SECRET_TEXT + 1);
    clv_secret *s = calloc(1, sizeof *s);
    clv_code rc = CLV_NOMEM;

    if (text == NULL || s == NULL)
        goto cleanup;
    memcpy(text, CLV_SECRET_PREFIX, sizeof CLV_SECRET_PREFIX - 1);
    if (!clv_rand_token(SECRET_BYTES, text + sizeof CLV_SECRET_PREFIX - 1) ||
        !clv_id_new("sec", id) || !clv_secret_hash(app, text, s->hash)) {
        rc = CLV_CRYPTO;
        goto cleanup;
    }
    s->secret_id = strdup(id);
    s->client_id = strdup(client_id);
    s->description = description != NULL ? strdup(description) : NULL;
    if (s->secret_id == NULL || s->client_id == NULL ||
        (description != NULL && s->description == NULL))
        goto cleanup;
    s->created_at = clv_now();
    s->expires_at = expires_at;
    *out = s;
    *plaintext = text;
    return CLV_OK;
cleanup:
    clv_secret_free(s);
    clv_free_secret(text);
    return clv_fail(err, rc, "could not make a secret");
}

clv_secret_match clv_secret_check(const unsigned char hash[32], const clv_list *secrets,
                                  int64_t now, const clv_secret **which)
{
    clv_secret_match result = CLV_SECRET_NO_MATCH;

    /* Compare with every secret, whatever the outcome, so the time taken does not say
     * which one matched. */
    for (size_t i = 0; i < secrets->count; i++) {
        const clv_secret *s = secrets->items[i];
        if (clv_ct_equal(hash, s->hash, 32) && result != CLV_SECRET_OK) {
            bool live = s->expires_at == 0 || s->expires_at > now;
            result = live ? CLV_SECRET_OK : CLV_SECRET_EXPIRED;
            if (which != NULL)
                *which = s;
        }
    }
    return result;
}
