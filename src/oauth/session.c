/* session — sign-in, sessions and CSRF tokens (see session.h). */
#include "oauth/session.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/log.h"
#include "core/throttle.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/rand.h"

enum { COOKIE_CHARS = 43, USERNAME_MAX = 200, PASSWORD_MAX = 256 };
enum { WHO_MAX = 64 + 1 + USERNAME_MAX + 1 }; /* "tenant_id/username" */

/* ---- sign-in ---- */

static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char *dummy_hash; /* an argon2id hash of a random password, made once */

/* Spends the time of one argon2id verification, so that an unknown username cannot be told
 * from a wrong password by the answer's delay; and waits for a turn like any other check
 * (crypto/password.h), so that it answers CLV_THROTTLED exactly when a known user would.
 * The hash is made on first use, again if that failed. */
static clv_code verify_dummy(const char *password, clv_err *err)
{
    char pw[COOKIE_CHARS + 1];
    const char *hash;
    clv_code rc = CLV_OK;

    pthread_mutex_lock(&dummy_lock);
    if (dummy_hash == NULL)
        rc = clv_rand_token(32, pw) ? clv_password_hash(pw, &dummy_hash, err)
                                    : clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    hash = dummy_hash; /* set once, never changed after */
    pthread_mutex_unlock(&dummy_lock);
    clv_wipe(pw, sizeof pw);
    if (rc != CLV_OK)
        return rc;
    rc = clv_password_check(hash, password, err);
    return rc == CLV_OK ? CLV_ACCESS_DENIED : rc;
}

/* The checks of clv_signin; *cause names a miss (the log's cause). */
static clv_code check_user(clv_app *app, const char *tenant_id, const char *username,
                           const char *password, clv_user **out, const char **cause, clv_err *err)
{
    clv_user *u = NULL;
    clv_code rc;

    *cause = "unknown_user";
    rc = clv_store_user_find(app->store, tenant_id, username, &u, err);
    if (rc == CLV_NOT_FOUND)
        return verify_dummy(password, err);
    if (rc != CLV_OK)
        return rc;
    *cause = "wrong_password";
    rc = clv_password_check(u->password_hash, password, err);
    if (rc == CLV_OK && (u->tenant_id == NULL || strcmp(u->tenant_id, tenant_id) != 0)) {
        *cause = "other_tenant";
        rc = CLV_ACCESS_DENIED;
    } else if (rc == CLV_OK && u->status != CLV_STATUS_ACTIVE) {
        *cause = "inactive_user";
        rc = CLV_ACCESS_DENIED;
    }
    if (rc != CLV_OK) {
        clv_user_free(u);
        return rc;
    }
    *out = u;
    return CLV_OK;
}

/* One line a failed or refused sign-in (never the password). */
static void log_signin(const char *tenant_id, const char *username, const char *addr,
                       const char *cause, unsigned failures)
{
    char n[16];
    const char *const kv[][2] = {
        {"username", username},
        {"tenant_id", tenant_id},
        {"cause", cause},
        {"addr", addr},
        {"failures", failures > 0 ? n : NULL},
    };

    snprintf(n, sizeof n, "%u", failures);
    clv_log_kv("warn", "sign-in failed", kv, sizeof kv / sizeof kv[0]);
}

clv_code clv_signin(clv_app *app, const char *tenant_id, const char *username, const char *password,
                    const char *addr, clv_user **out, clv_err *err)
{
    char who[WHO_MAX];
    const char *cause = "malformed";
    unsigned failures;
    clv_code rc;

    snprintf(who, sizeof who, "%s/%s", tenant_id, username != NULL ? username : "");
    rc = clv_throttle_check(app->throttle, CLV_GUESS_USER, who, addr, err);
    if (rc != CLV_OK) {
        log_signin(tenant_id, username, addr, "throttled", 0);
        return rc;
    }
    if (username == NULL || password == NULL || username[0] == '\0' ||
        strlen(username) > USERNAME_MAX || strlen(password) > PASSWORD_MAX)
        rc = CLV_ACCESS_DENIED;
    else
        rc = check_user(app, tenant_id, username, password, out, &cause, err);
    if (rc == CLV_OK) {
        clv_throttle_passed(app->throttle, CLV_GUESS_USER, who, addr);
    } else if (rc == CLV_ACCESS_DENIED) {
        /* every miss counts alike: counting some would tell which usernames exist */
        failures = clv_throttle_failed(app->throttle, CLV_GUESS_USER, who, addr);
        log_signin(tenant_id, username, addr, cause, failures);
        rc = clv_fail(err, CLV_ACCESS_DENIED, "wrong username or password");
    } else if (rc == CLV_THROTTLED) {
        log_signin(tenant_id, username, addr, "busy", 0);
    }
    return rc;
}

/* ---- sessions ---- */

bool clv_cookie_value_new(char out[CLV_COOKIE_LEN])
{
    return clv_rand_token(32, out);
}

bool clv_cookie_value_valid(const char *s)
{
    if (s == NULL || strlen(s) != COOKIE_CHARS)
        return false;
    for (const char *p = s; *p != '\0'; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

static bool cookie_hash(const char *cookie, unsigned char out[32])
{
    return clv_sha256(cookie, strlen(cookie), out);
}

clv_code clv_session_start(clv_app *app, const clv_user *u, int64_t auth_time,
                           char cookie[CLV_COOKIE_LEN], clv_err *err)
{
    clv_session s = {0};
    clv_code rc;

    if (!clv_cookie_value_new(cookie) || !cookie_hash(cookie, s.hash))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG or SHA-256 failed");
    s.user_id = u->id;
    s.tenant_id = u->tenant_id;
    s.auth_time = auth_time;
    s.expires_at = clv_now() + CLV_SESSION_LIFETIME;
    rc = clv_store_session_insert(app->store, &s, err);
    if (rc != CLV_OK)
        clv_wipe(cookie, CLV_COOKIE_LEN);
    return rc;
}

clv_code clv_session_find(clv_app *app, const char *cookie, const char *tenant_id, clv_user **user,
                          int64_t *auth_time, clv_err *err)
{
    unsigned char hash[32];
    clv_session *s = NULL;
    clv_user *u = NULL;
    clv_code rc;

    if (!clv_cookie_value_valid(cookie))
        return CLV_NOT_FOUND;
    if (!cookie_hash(cookie, hash))
        return clv_fail(err, CLV_CRYPTO, "SHA-256 failed");
    if ((rc = clv_store_session_get(app->store, hash, &s, err)) != CLV_OK)
        return rc;
    rc = CLV_NOT_FOUND;
    if (s->expires_at <= clv_now() || (tenant_id != NULL && strcmp(s->tenant_id, tenant_id) != 0))
        goto cleanup;
    rc = clv_store_user_get(app->store, s->user_id, &u, err);
    if (rc == CLV_OK && (u->status != CLV_STATUS_ACTIVE || u->tenant_id == NULL ||
                         strcmp(u->tenant_id, s->tenant_id) != 0))
        rc = CLV_NOT_FOUND;
    if (rc == CLV_OK) {
        *user = u;
        *auth_time = s->auth_time;
        u = NULL;
    }
cleanup:
    clv_user_free(u);
    clv_session_free(s);
    return rc;
}

clv_code clv_session_end(clv_app *app, const char *cookie, clv_err *err)
{
    unsigned char hash[32];
    clv_code rc;

    if (!clv_cookie_value_valid(cookie))
        return CLV_OK;
    if (!cookie_hash(cookie, hash))
        return clv_fail(err, CLV_CRYPTO, "SHA-256 failed");
    rc = clv_store_session_delete(app->store, hash, err);
    return rc == CLV_NOT_FOUND ? CLV_OK : rc;
}

/* ---- CSRF ---- */

static bool csrf_mac(const clv_app *app, const char *purpose, const char *binding, int64_t exp,
                     char out[44])
{
    char msg[256];
    unsigned char mac[32];
    int n = snprintf(msg, sizeof msg, "csrf|%s|%s|%" PRId64, purpose, binding, exp);

    if (n < 0 || (size_t)n >= sizeof msg ||
        !clv_hmac_sha256(app->hmac_key, sizeof app->hmac_key, msg, (size_t)n, mac))
        return false;
    clv_b64url_encode(mac, sizeof mac, out);
    return true;
}

bool clv_csrf_make(const clv_app *app, const char *purpose, const char *binding, int64_t exp,
                   char out[CLV_CSRF_LEN])
{
    char mac[44];

    if (!csrf_mac(app, purpose, binding, exp, mac))
        return false;
    snprintf(out, CLV_CSRF_LEN, "%" PRId64 ".%s", exp, mac);
    return true;
}

bool clv_csrf_check(const clv_app *app, const char *purpose, const char *binding, const char *token,
                    int64_t now)
{
    char mac[44];
    char *end = NULL;
    long long exp;

    if (token == NULL || binding == NULL || token[0] < '0' || token[0] > '9' ||
        strlen(token) >= CLV_CSRF_LEN)
        return false;
    exp = strtoll(token, &end, 10);
    if (*end != '.' || exp <= now || strlen(end + 1) != 43 ||
        !csrf_mac(app, purpose, binding, (int64_t)exp, mac))
        return false;
    return clv_ct_equal(mac, end + 1, 43);
}
