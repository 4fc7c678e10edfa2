/* client_auth — client authentication at the protocol endpoints (see client_auth.h). */
#include "oauth/client_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "core/client_cache.h"
#include "core/metrics.h"
#include "core/secret.h"
#include "core/throttle.h"
#include "crypto/hash.h"
#include "oauth/assertion.h"
#include "oauth/cimd.h"

/* Updates last_used_at at most once a minute, so that a busy client does not turn every
 * token request into a database write. A failure here is not the caller's problem. */
enum { TOUCH_EVERY = 60 };

/* Why an authentication failed: the "cause" of its log line (docs/OPERATIONS.md "Logs"),
 * the names of docs/DESIGN.md R29's metrics where they exist. */
#define C_UNKNOWN "unknown_client"
#define C_WRONG "wrong_secret"
#define C_EXPIRED "expired_secret"
#define C_NO_SECRET "no_secret"
#define C_METHOD "wrong_method"
#define C_ASSERTION "bad_assertion"
#define C_INACTIVE_CLIENT "inactive_client"
#define C_INACTIVE_SERVICE "inactive_service"
#define C_THROTTLED "throttled"

static clv_code check_secret(clv_app *app, const clv_client *c, const clv_list *secrets,
                             const char *presented, int64_t now, const char **cause, clv_err *err)
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
    *cause = m == CLV_SECRET_EXPIRED ? C_EXPIRED : C_WRONG;
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

/* The credential of c, as its registered method says (*cause on failure). */
static clv_code check_credential(clv_app *app, const clv_client *c, const clv_list *secrets,
                                 const clv_client_creds *creds, const char **cause, clv_err *err)
{
    if (!method_fits(c->auth_method, creds->method)) {
        *cause = C_METHOD; /* same words as an unknown client: it must not tell it exists */
        return clv_fail(err, CLV_INVALID_CLIENT, "client authentication failed");
    }
    if (c->auth_method == CLV_AUTH_PRIVATE_KEY_JWT) {
        *cause = C_ASSERTION;
        return clv_assertion_verify(app, c, creds->client_assertion, creds->addr, err);
    }
    if (c->auth_method == CLV_AUTH_NONE)
        return CLV_OK;
    if (creds->client_secret == NULL) {
        *cause = C_NO_SECRET;
        return clv_fail(err, CLV_INVALID_CLIENT, "client authentication failed");
    }
    return check_secret(app, c, secrets, creds->client_secret, clv_now(), cause, err);
}

/* The checks themselves; *cause names a failure's reason. */
static clv_code authenticate(clv_app *app, const clv_client_creds *creds, clv_client **out,
                             const char **cause, clv_err *err)
{
    clv_client *c = NULL;
    const clv_list *secrets = NULL;
    int64_t now = clv_now();
    clv_code rc;

    /* From the per-thread cache: no database read on the token path (client_cache.h). */
    rc = clv_cimd_sync(app, creds->client_id, false, creds->addr, err); /* a metadata document client */
    if (rc == CLV_OK)
        rc = clv_cache_client_get(app, creds->client_id, &c, &secrets, err);
    if (rc == CLV_INVALID_CLIENT)
        *cause = C_UNKNOWN;
    if (rc == CLV_NOT_FOUND) {  /* STYLE: an unknown client_id looks exactly like a bad secret */
        unsigned char sink[32]; /* and costs the same HMAC, so its timing says little */
        if (creds->client_secret != NULL)
            clv_secret_hash(app, creds->client_secret, sink);
        *cause = C_UNKNOWN;
        return clv_fail(err, CLV_INVALID_CLIENT, "client authentication failed");
    }
    if (rc != CLV_OK)
        return rc;
    rc = check_credential(app, c, secrets, creds, cause, err);
    if (rc == CLV_OK && clv_client_effective_status(c) != CLV_STATUS_ACTIVE) {
        *cause = c->status != CLV_STATUS_ACTIVE ? C_INACTIVE_CLIENT : C_INACTIVE_SERVICE;
        rc = clv_fail(err, CLV_INVALID_CLIENT, "the client is not active");
    }
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

/* The cause of a failure as /metrics counts it (docs/DESIGN.md R29): every wrong credential
 * (a wrong or missing secret, a wrong method, a bad assertion) is wrong_secret. */
static clv_fail_cause metric_cause(const char *cause)
{
    static const struct {
        const char *log;
        clv_fail_cause metric;
    } map[] = {{C_UNKNOWN, CLV_FAIL_UNKNOWN_CLIENT},
               {C_EXPIRED, CLV_FAIL_EXPIRED_SECRET},
               {C_INACTIVE_CLIENT, CLV_FAIL_INACTIVE_CLIENT},
               {C_INACTIVE_SERVICE, CLV_FAIL_INACTIVE_SERVICE},
               {C_THROTTLED, CLV_FAIL_THROTTLED}};

    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(cause, map[i].log) == 0)
            return map[i].metric;
    return CLV_FAIL_WRONG_SECRET;
}

/* The client_id a throttled try is counted under per client (docs/OPERATIONS.md
 * "Metrics"): only a client that exists, else NULL ("other") — or a throttled address
 * could push real clients out of the bounded per-client series by inventing client_ids.
 * Kept cheap under a flood: no look at all unless the pair itself must wait (invented ids
 * are throttled by their address alone), then this thread's client cache (a store read by
 * id only on a miss), and the last unknown id remembered per thread for a second. */
static const char *throttled_as(clv_app *app, const clv_client_creds *creds)
{
    static _Thread_local char unknown[CLV_METRICS_ID_MAX + 1];
    static _Thread_local int64_t unknown_at;
    const char *id = creds->client_id;
    int64_t now = clv_now();
    clv_client *c = NULL;
    bool known;

    if (!clv_metrics_per_client() || strlen(id) > CLV_METRICS_ID_MAX ||
        !clv_throttle_pair_waits(app->throttle, CLV_GUESS_CLIENT, id, creds->addr) ||
        (now - unknown_at < 1 && strcmp(unknown, id) == 0))
        return NULL;
    known = clv_cache_client_get(app, id, &c, NULL, NULL) == CLV_OK;
    clv_client_free(c);
    if (!known) {
        snprintf(unknown, sizeof unknown, "%s", id);
        unknown_at = now;
    }
    return known ? id : NULL;
}

/* One line a failure (docs/DESIGN.md I5: never the secret), counted for /metrics (under
 * counted_as, see clv_metrics_auth_failure) and noted for the request's line. */
static void log_failure(const clv_client_creds *creds, const char *cause, unsigned failures,
                        const char *counted_as)
{
    char n[16];
    const char *const kv[][2] = {
        {"client_id", creds->client_id},
        {"cause", cause},
        {"addr", creds->addr},
        {"failures", failures > 0 ? n : NULL},
    };

    snprintf(n, sizeof n, "%u", failures);
    clv_log_kv("warn", "client authentication failed", kv, sizeof kv / sizeof kv[0]);
    clv_log_note_cause(cause);
    clv_metrics_auth_failure(metric_cause(cause), counted_as);
}

clv_code clv_client_authenticate(clv_app *app, const clv_client_creds *creds, clv_client **out,
                                 clv_err *err)
{
    const char *cause = C_WRONG;
    unsigned failures = 0;
    clv_code rc;

    if (creds->client_id == NULL || creds->client_id[0] == '\0')
        return clv_fail(err, CLV_INVALID_CLIENT, "client authentication failed");
    clv_log_note_client(creds->client_id);
    rc = clv_throttle_check(app->throttle, CLV_GUESS_CLIENT, creds->client_id, creds->addr, err);
    if (rc != CLV_OK) {
        log_failure(creds, C_THROTTLED, 0, throttled_as(app, creds));
        return rc;
    }
    rc = authenticate(app, creds, out, &cause, err);
    if (rc == CLV_OK) {
        clv_throttle_passed(app->throttle, CLV_GUESS_CLIENT, creds->client_id, creds->addr);
    } else if (rc == CLV_INVALID_CLIENT) {
        if (strcmp(cause, C_EXPIRED) != 0 && strcmp(cause, C_INACTIVE_CLIENT) != 0 &&
            strcmp(cause, C_INACTIVE_SERVICE) != 0)
            failures =
                clv_throttle_failed(app->throttle, CLV_GUESS_CLIENT, creds->client_id, creds->addr);
        log_failure(creds, cause, failures, creds->client_id);
    }
    return rc;
}
