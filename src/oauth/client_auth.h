/* client_auth — authenticating a client at the token, introspection and revocation
 * endpoints (RFC 6749 §2.3): client_secret_basic, client_secret_post, none, and
 * private_key_jwt (RFC 7523, oauth/assertion.c). */
#ifndef CLV_OAUTH_CLIENT_AUTH_H
#define CLV_OAUTH_CLIENT_AUTH_H

#include <stdbool.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

typedef struct {
    const char *client_id;
    const char *client_secret;    /* NULL for none */
    clv_auth_method method;       /* how the credentials came: basic, post, none or
                                   * private_key_jwt */
    const char *client_assertion; /* private_key_jwt (RFC 7523 §2.2), else NULL */
    bool for_token;               /* at the token endpoint: a success marks the client used
                                   * (last_used_at: "no token issued", docs/DESIGN.md M hygiene) */
    const char *addr;             /* the caller's source address (text), for throttling;
                                   * NULL: an internal caller, never throttled */
} clv_client_creds;

/* Authenticates: the client must exist, use the method it registered, present a secret
 * that matches one of its unexpired secrets, and be effectively active. An unknown
 * client_id fails exactly like a wrong secret. On CLV_OK *out is the client (owned).
 * CLV_INVALID_CLIENT on any authentication failure; CLV_STORE if the store failed.
 *
 * Guessing is throttled (core/throttle.h) per (client_id, addr) and per addr: while either
 * must wait, CLV_THROTTLED (err->retry_after set) before anything is checked. A wrong or
 * missing secret, an unknown client, a wrong method or a bad assertion counts as a failure;
 * an expired secret or an inactive client does not (nothing was guessed). Every failure is
 * logged as one line with client_id, cause, address and failures so far, never the
 * secret. */
clv_code clv_client_authenticate(clv_app *app, const clv_client_creds *creds, clv_client **out,
                                 clv_err *err);

#endif
