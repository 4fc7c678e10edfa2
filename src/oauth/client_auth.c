/* client_auth — client authentication at the protocol endpoints (see client_auth.h). */
#include "oauth/client_auth.h"

#include <stdlib.h>
#include <string.h>

#include "core/client_cache.h"
#include "core/secret.h"
#include "crypto/hash.h"
#include "oauth/assertion.h"

/* Updates last_used_at at most once a minute, so that a busy client does not turn every
 * token request into a database write. A failure here is not the caller's problem. */
enum { TOUCH_EVERY = 60 };

static clv_code check_secret(clv_app *app, const clv_client *c, const clv_list *secrets,
                             const char *presented, int64_t now, clv_err *err)
{
    unsigned char hash[32];
    const clv_secret *which = NULL;
    clv_secret_match m;

    if (!clv_secret_hash(app, presented, hash))
        return clv_fail(err, CLV_CRYPTO, "HMAC failed");
    m = clv_secret_check(hash, secrets, now, &which);
    clv_wipe(hash, sizeof hash);
    if (m == CLV_SECRET_OK && which->last_used_at + TOUCH_EVERY <= now &&
        clv_store_secret_touch(app->store, which->secret_id, now, NULL) == CLV_OK)
        clv_cache_note_used(c->client_id, which->secret_id, now);
    if (m == CLV_SECRET_EXPIRED)
        return clv_fail(err, CLV_INVALID_CLIENT, "client authentication failed (expired secret)");
    if (m != CLV_SECRET_OK)
        return clv_fail(err, CLV_INVALID_CLIENT, "client authentication failed");
    return CLV_OK;
}

/* docs/DESIGN.md D9: a secret client may send its secret by Basic or by post alike (RFC 6749
 * §2.3.1 sends the same credential both ways); every other method must be the one
 * registered. */
static bool method_fits(clv_auth_method registered, clv_auth_method used)
{
    bool secret_r = registered == CLV_AUTH_SECRET_BASIC || registered == CLV_AUTH_SECRET_POST;
    bool secret_u = used == CLV_AUTH_SECRET_BASIC || used == CLV_AUTH_SECRET_POST;

    return registered == used || (secret_r && secret_u);
}

clv_code clv_client_authenticate(clv_app *app, const clv_client_creds *creds, clv_client **out,
                                 clv_err *err)
{
    clv_client *c = NULL;
    const clv_list *secrets = NULL;
    int64_t now = clv_now();
    clv_code rc;

    if (creds->client_id == NULL || creds->client_id[0] == '\0')
        return clv_fail(err, CLV_INVALID_CLIENT, "client authentication failed");
    /* From the per-thread cache: no database read on the token path (client_cache.h). */
    rc = clv_cache_client_get(app, creds->client_id, &c, &secrets, err);
    if (rc == CLV_NOT_FOUND) { /* STYLE: an unknown client_id looks exactly like a bad secret */
        unsigned char sink[32]; /* and costs the same HMAC, so its timing says little */
        if (creds->client_secret != NULL)
            clv_secret_hash(app, creds->client_secret, sink);
        return clv_fail(err, CLV_INVALID_CLIENT, "client authentication failed");
    }
    if (rc != CLV_OK)
        return rc;
    if (!method_fits(c->auth_method, creds->method)) {
        /* Same words as an unknown client: the answer must not tell that it exists. */
        rc = clv_fail(err, CLV_INVALID_CLIENT, "client authentication failed");
    } else if (c->auth_method == CLV_AUTH_PRIVATE_KEY_JWT) {
        rc = clv_assertion_verify(app, c, creds->client_assertion, err);
    } else if (c->auth_method != CLV_AUTH_NONE) {
        rc = creds->client_secret != NULL
                 ? check_secret(app, c, secrets, creds->client_secret, now, err)
                 : clv_fail(err, CLV_INVALID_CLIENT, "client authentication failed");
    }
    if (rc == CLV_OK && clv_client_effective_status(c) != CLV_STATUS_ACTIVE)
        rc = clv_fail(err, CLV_INVALID_CLIENT, "the client is not active");
    if (rc != CLV_OK) {
        clv_client_free(c);
        return rc;
    }
    if (creds->for_token && c->last_used_at + TOUCH_EVERY <= now &&
        clv_store_client_touch(app->store, c->client_id, now, NULL) == CLV_OK)
        clv_cache_note_used(c->client_id, NULL, now);
    *out = c;
    return CLV_OK;
}
