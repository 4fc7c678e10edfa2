/* authorize — the authorization endpoint's logic (RFC 6749 §4.1, RFC 7636, OpenID Connect
 * Core §3.1.2, docs/DESIGN.md I1 and R17): checking an authorization request, issuing the code,
 * building the redirect back to the client, and the small pure pieces the unit tests reach
 * (PKCE S256, exact redirect URI matching, the bound code hash). Nothing here knows HTTP:
 * http/h_authorize.c passes the parameters in and renders what comes back. */
#ifndef CLV_OAUTH_AUTHORIZE_H
#define CLV_OAUTH_AUTHORIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

/* The parameters of one authorization request, borrowed from the caller; NULL = absent. */
typedef struct {
    const char *client_id, *redirect_uri, *response_type, *scope, *state, *nonce;
    const char *code_challenge, *code_challenge_method, *prompt, *max_age, *response_mode;
    const char *request, *request_uri;
    const char *resource; /* RFC 8707 */
    const char *repeated; /* the name of a parameter the request gave twice, or NULL */
    const char *addr;     /* the caller's source address (a metadata document's first fetch
                           * is throttled per address, core/doc_cache.h); NULL: none */
} clv_authz_params;

/* The names above that a sign-in or consent form carries as hidden inputs, NULL-terminated
 * (max_age is left out: submitting the form is a fresh sign-in; prompt stays, so that
 * prompt=consent still asks after the sign-in). */
extern const char *const clv_authz_form_params[];

/* A checked authorization request. Every pointer is owned (clv_authz_cleanup). */
typedef struct {
    clv_client *client;
    char *redirect_uri;  /* the verified redirect URI; NULL until it is verified */
    bool redirect_given; /* the request named it (else the client's only one is used) */
    char *scope;         /* resolved (docs/DESIGN.md R2) */
    bool scope_given;    /* the request named a scope (else every allowed one) */
    char *state, *nonce, *code_challenge; /* NULL when absent */
    char *resource; /* the registered resource the request named (RFC 8707), or NULL */
    bool prompt_none, prompt_login, prompt_consent;
    int64_t max_age; /* -1: none */
} clv_authz;

/* Checks a request (RFC 6749 §4.1.1, §4.1.2.1; RFC 7636 §4.3; OIDC Core §3.1.2.1). In
 * order: the client (known, effectively active, not m2m), the redirect URI (exact match,
 * or the client's only one when none is given); then the rest, the resource last (RFC
 * 8707: one of the service's, CLV_INVALID_TARGET otherwise; it narrows the scope). On CLV_OK *a is the checked
 * request. On failure err holds the code whose clv_code_oauth() name is the RFC 6749 error;
 * if a->redirect_uri is set the error may go back there (with a->state), otherwise it must
 * be shown on a page and never redirected (docs/DESIGN.md R19). Always clv_authz_cleanup(a). */
clv_code clv_authz_check(clv_app *app, const clv_authz_params *p, clv_authz *a, clv_err *err);

void clv_authz_cleanup(clv_authz *a);

/* Fits the scope to the user who signed in: admin (docs/DESIGN.md D2) reaches a user's
 * admin rights only through a first-party client, and only for a user with role
 * tenant_admin or platform_admin; otherwise it is dropped from an implicit scope and
 * refused (CLV_ACCESS_DENIED) when the request asked for it. */
clv_code clv_authz_user_scope(clv_authz *a, const clv_user *u, clv_err *err);

/* Issues a single-use code (32 random bytes, base64url) for user_id that expires after
 * CLV_CODE_LIFETIME seconds, under a new family; code receives the value to send
 * (CLV_TOKEN_LEN bytes). Only its bound hash (clv_authcode_hash) is stored. */
enum { CLV_CODE_LIFETIME = 60, CLV_TOKEN_LEN = 48 };
clv_code clv_authz_issue_code(clv_app *app, const clv_authz *a, const clv_user *u,
                              int64_t auth_time, char code[CLV_TOKEN_LEN], clv_err *err);

/* The URL to send the browser to: redirect_uri, then '?' (or '&' when it already has a
 * query), then name=value pairs of kv[0..n) form-urlencoded; pairs whose value is NULL are
 * left out. Malloc'd; NULL on allocation failure. */
char *clv_authz_redirect_url(const char *redirect_uri, const char *const kv[][2], size_t n);

/* The registered redirect URI that given matches by simple string comparison (RFC 6749
 * §3.1.2.3, RFC 9700 §2.1: no normalisation, no wildcards), except that a loopback IP
 * literal (http://127.0.0.1, http://[::1]) matches with any port (RFC 8252 §7.3); when given
 * is NULL, the client's only redirect URI if it has exactly one. Borrowed from c; NULL
 * when none. */
const char *clv_redirect_uri_match(const clv_client *c, const char *given);

/* RFC 7636 §4.1: 43 to 128 characters of [A-Za-z0-9-._~]. Also the form of a challenge. */
bool clv_pkce_verifier_valid(const char *v);

/* RFC 7636 §4.2: BASE64URL(SHA256(ASCII(verifier))) into out (44 bytes with NUL). */
bool clv_pkce_s256(const char *verifier, char out[44]);

/* RFC 7636 §4.6: true if verifier is well formed and its S256 transform equals challenge,
 * compared in constant time. plain is never accepted. */
bool clv_pkce_check(const char *verifier, const char *challenge);

/* The key a code is stored under: SHA-256 over the code and what it is bound to — the
 * client, the redirect URI and the PKCE challenge ("" when none) — so that presenting it
 * with anything else finds nothing and leaves it untouched (FLOWS.md). */
bool clv_authcode_hash(const char *client_id, const char *redirect_uri, const char *challenge,
                   const char *code, unsigned char out[32]);

/* The key a refresh token is stored under: SHA-256 over the token and its client. */
bool clv_refresh_hash(const char *client_id, const char *token, unsigned char out[32]);

#endif
