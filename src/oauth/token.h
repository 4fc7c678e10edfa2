/* token — the token endpoint's grants: RFC 6749 §4.4 client_credentials here, and the
 * authorization_code and refresh_token grants of the end-user flows (oauth/grants.c). */
#ifndef CLV_OAUTH_TOKEN_H
#define CLV_OAUTH_TOKEN_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "core/app.h"
#include "oauth/client_auth.h"

typedef struct {
    const char *grant_type;
    const char *scope; /* NULL: every allowed scope (SPEC §5.2) */
    clv_client_creds creds;
    /* authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5) and refresh_token (§6) */
    const char *code, *redirect_uri, *code_verifier, *refresh_token;
} clv_token_req;

/* The RFC 6749 §5.1 answer to a token request (token_type is always Bearer). Every string
 * is malloc'd; NULL (or an empty scope) is left out of the answer. */
typedef struct {
    char *access_token;
    int64_t expires_in;
    char *scope;
    char *id_token;      /* OIDC Core §3.1.3.3, when openid was granted */
    char *refresh_token; /* when the client may have one (SPEC §5.16) */
} clv_token_reply;

/* Frees (and wipes the tokens of) r's strings. */
void clv_token_reply_cleanup(clv_token_reply *r);

/* Runs one token request; on CLV_OK *out holds the answer (the caller cleans it up). */
clv_code clv_token_issue(clv_app *app, const clv_token_req *req, clv_token_reply *out,
                         clv_err *err);

#endif
