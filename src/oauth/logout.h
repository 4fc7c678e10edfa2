/* logout — RP-Initiated Logout 1.0 without HTTP (docs/DESIGN.md I1, R18): which client a logout
 * request is for, whether its id_token_hint is one of our ID tokens, and where it may go
 * afterwards — only to a post_logout_redirect_uri registered for that client. */
#ifndef CLV_OAUTH_LOGOUT_H
#define CLV_OAUTH_LOGOUT_H

#include <stdbool.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

typedef struct {
    const char *id_token_hint, *client_id, *post_logout_redirect_uri, *state;
} clv_logout_params;

/* Every pointer owned (clv_logout_cleanup). */
typedef struct {
    clv_client *client; /* the hint's aud, else client_id; NULL when unknown or inactive */
    bool hint_valid;    /* id_token_hint is an ID token we signed for client (it may have
                         * expired: RP-Initiated Logout §2) */
    char *hint_sub;     /* the hint's sub when hint_valid */
    char *redirect;     /* post_logout_redirect_uri with state, when registered for client */
} clv_logout;

/* Fills *out from p. A hint that does not verify, names another issuer or disagrees with
 * client_id, and a URI that is not registered, are no errors: they only leave hint_valid
 * false or redirect NULL (the caller then asks the user and never redirects). CLV_STORE
 * or CLV_NOMEM on a server failure. Always clv_logout_cleanup(out). */
clv_code clv_logout_check(clv_app *app, const clv_logout_params *p, clv_logout *out, clv_err *err);

void clv_logout_cleanup(clv_logout *lo);

#endif
