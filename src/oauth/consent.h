/* consent — whether a user must be asked before a client gets a code, and remembering the
 * answer (OpenID Connect Core §3.1.2.4; docs/DESIGN.md D3). A first-party client (made by
 * an administrator) is never asked for; every other client is asked for once per user and
 * again whenever it wants a scope the user has not allowed, or the request says
 * prompt=consent. Nothing here knows HTTP: http/h_authorize.c shows the page. */
#ifndef CLV_OAUTH_CONSENT_H
#define CLV_OAUTH_CONSENT_H

#include <stdbool.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"
#include "oauth/authorize.h"

/* *needed: the user must allow a->scope for a->client before a code is issued. */
clv_code clv_consent_needed(clv_app *app, const clv_authz *a, const clv_user *u, bool *needed,
                            clv_err *err);

/* What the consent form's CSRF token is made for (its purpose): this user, this client and
 * exactly the scope shown, so that a form shown to one user, or for another scope, allows
 * nothing for another (a second sign-in in another tab). Malloc'd; NULL when out of memory. */
char *clv_consent_purpose(const clv_authz *a, const clv_user *u);

/* Remembers that u allowed a->scope for a->client (added to what it allowed before), with
 * an audit event (actor the user, action "consent.grant"), in one transaction. */
clv_code clv_consent_grant(clv_app *app, const clv_authz *a, const clv_user *u, clv_err *err);

#endif
