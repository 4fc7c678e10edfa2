/* token — the token endpoint (RFC 6749 §3.2): a request's grant_type is looked up in the
 * grant table (core/grant_types.h), the client is authenticated and checked against the
 * row, and the grant's handler (oauth/grants.c) answers; and the scope rules every grant
 * shares (docs/DESIGN.md R2). */
#ifndef CLV_OAUTH_TOKEN_H
#define CLV_OAUTH_TOKEN_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "core/app.h"
#include "oauth/client_auth.h"

/* A token request: the client's credentials and the form's parameters, which the grants
 * read by name (clv_token_param: grant_type, scope, and each grant's own — code,
 * redirect_uri, code_verifier (RFC 6749 §4.1.3, RFC 7636 §4.5), refresh_token (§6)), so
 * that a new grant's parameters need no new field here. */
typedef struct {
    clv_client_creds creds;
    /* The decoded value of the parameter name in params, borrowed; NULL when absent. */
    const char *(*param)(const void *params, const char *name);
    const void *params;
} clv_token_req;

/* The parameter name of req (NULL when absent, or when req has no parameters). */
const char *clv_token_param(const clv_token_req *req, const char *name);

/* The RFC 6749 §5.1 answer to a token request (token_type is always Bearer). Every string
 * is malloc'd; NULL (or an empty scope) is left out of the answer. */
typedef struct {
    char *access_token;
    int64_t expires_in;
    char *scope;
    char *id_token;      /* OIDC Core §3.1.3.3, when openid was granted */
    char *refresh_token; /* when the client may have one (docs/DESIGN.md R16) */
} clv_token_reply;

/* Frees (and wipes the tokens of) r's strings. */
void clv_token_reply_cleanup(clv_token_reply *r);

/* Runs one token request; on CLV_OK *out holds the answer (the caller cleans it up).
 * CLV_INVALID without grant_type, CLV_UNSUPPORTED_GRANT for a name not in the table,
 * CLV_INVALID_CLIENT when authentication fails, CLV_UNAUTHORIZED_CLIENT for a client the
 * row does not admit; else the grant's own codes. */
clv_code clv_token_issue(clv_app *app, const clv_token_req *req, clv_token_reply *out,
                         clv_err *err);

#endif
