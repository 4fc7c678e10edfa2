/* session — sign-in, sessions and CSRF tokens (see session.h). */
#include "oauth/session.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/rand.h"

enum { COOKIE_CHARS = 43, USERNAME_MAX = 200, PASSWORD_MAX = 256 };

/* ---- sign-in ---- */

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char *dummy_hash; /* an argon2id hash of a random password, made once */

static void make_dummy(void)
{
    char pw[COOKIE_CHARS + 1];

    if (clv_rand_token(32, pw))
        clv_password_hash(pw, &dummy_hash, NULL);
    clv_wipe(pw, sizeof pw);
}

/* Spends the time of one argon2id verification, so that an unknown username cannot be told
 * from a wrong password by the answer's delay. */
static void verify_dummy(const char *password)
{
    pthread_once(&dummy_once, make_dummy);
    if (dummy_hash != NULL)
        (void)clv_password_verify(dummy_hash, password);
}

clv_code clv_signin(clv_app *app, const char *tenant_id, const char *username, const char *password,
                    clv_user **out, clv_err *err)
{
    clv_user *u = NULL;
    clv_code rc;
    bool ok;

    if (username == NULL || password == NULL || username[0] == '\0' ||
        strlen(username) > USERNAME_MAX || strlen(password) > PASSWORD_MAX)
        return clv_fail(err, CLV_ACCESS_DENIED, "wrong username or password");
    rc = clv_store_user_find(app->store, tenant_id, username, &u, err);
    if (rc == CLV_NOT_FOUND) {
        verify_dummy(password);
        return clv_fail(err, CLV_ACCESS_DENIED, "wrong username or password");
    }
    if (rc != CLV_OK)
        return rc;
    ok = clv_password_verify(u->password_hash, password) && u->status == CLV_STATUS_ACTIVE &&
         u->tenant_id != NULL && strcmp(u->tenant_id, tenant_id) == 0;
    if (!ok) {
        clv_user_free(u);
        return clv_fail(err, CLV_ACCESS_DENIED, "wrong username or password");
    }
    *out = u;
    return CLV_OK;
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
