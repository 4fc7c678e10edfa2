/* session — the browser side of the end-user flows, without HTTP: signing a user in with
 * a password (docs/DESIGN.md R22), the signed-in session a cookie names, and the CSRF tokens of the
 * sign-in and logout forms. Cookie values and CSRF tokens are opaque strings here; the
 * HTTP layer decides how they travel (FLOWS.md). */
#ifndef CLV_OAUTH_SESSION_H
#define CLV_OAUTH_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

enum {
    CLV_SESSION_LIFETIME = 8 * 3600, /* seconds a sign-in lasts */
    CLV_COOKIE_LEN = 48,             /* a cookie value: 32 random bytes, base64url, NUL */
    CLV_CSRF_LEN = 96,               /* a CSRF token: "<exp>.<base64url HMAC>", NUL */
    CLV_CSRF_LIFETIME = 3600         /* seconds a form stays submittable */
};

/* Signs in username with password as a user of tenant_id only (docs/DESIGN.md R22): the user must
 * exist there, be active and match the argon2id hash. Every miss — unknown user, user of
 * another tenant, inactive user, wrong password — is the same CLV_ACCESS_DENIED, and takes
 * the same time (an unknown user is checked against a dummy hash). On CLV_OK *out is the
 * user (owned). CLV_STORE if the store failed.
 *
 * Guessing is throttled (core/throttle.h) per (tenant_id/username, addr) and per addr
 * (addr: the browser's source address as text; NULL: not throttled): while either must
 * wait, CLV_THROTTLED with err->retry_after, before any password is checked; likewise
 * when no argon2id turn came in time (crypto/password.h). Every miss counts and is
 * logged as one line with username, tenant, cause and address, never the password. */
clv_code clv_signin(clv_app *app, const char *tenant_id, const char *username, const char *password,
                    const char *addr, clv_user **out, clv_err *err);

/* Starts a session for u, signed in at auth_time; cookie receives its value. Only the
 * SHA-256 of the value is stored. */
clv_code clv_session_start(clv_app *app, const clv_user *u, int64_t auth_time,
                           char cookie[CLV_COOKIE_LEN], clv_err *err);

/* The session a cookie value names, if it is unexpired and its user still exists, is
 * active and belongs to tenant_id (NULL: any tenant). On CLV_OK *user (owned) and
 * *auth_time are set. CLV_NOT_FOUND when there is no usable session. */
clv_code clv_session_find(clv_app *app, const char *cookie, const char *tenant_id, clv_user **user,
                          int64_t *auth_time, clv_err *err);

/* Ends the session a cookie value names (no session is not an error). */
clv_code clv_session_end(clv_app *app, const char *cookie, clv_err *err);

/* A fresh random value for a cookie (a session's or a CSRF binding). */
bool clv_cookie_value_new(char out[CLV_COOKIE_LEN]);

/* true if s looks like a value clv_cookie_value_new made (43 base64url characters). */
bool clv_cookie_value_valid(const char *s);

/* A CSRF token for a form of purpose ("authorize", "logout") bound to binding (a cookie
 * value the browser holds): "<exp>.<base64url HMAC-SHA-256(hmac_key, "csrf|" purpose "|"
 * binding "|" exp)>", valid until exp. */
bool clv_csrf_make(const clv_app *app, const char *purpose, const char *binding, int64_t exp,
                   char out[CLV_CSRF_LEN]);

/* true if token is what clv_csrf_make gives for purpose and binding, compared in constant
 * time, and has not expired at now. NULL token or binding: false. */
bool clv_csrf_check(const clv_app *app, const char *purpose, const char *binding, const char *token,
                    int64_t now);

#endif
