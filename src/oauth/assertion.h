/* assertion — private_key_jwt client authentication (RFC 7523 §2.2 and §3, OIDC Core §9):
 * a JWT the client signs with a key whose public half it registered in its jwks or
 * publishes at its jwks_uri. */
#ifndef CLV_OAUTH_ASSERTION_H
#define CLV_OAUTH_ASSERTION_H

#include <stddef.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

#define CLV_ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

enum {
    CLV_ASSERTION_MAX = 8192,  /* bytes of a compact assertion */
    CLV_ASSERTION_AHEAD = 300, /* exp at most this many seconds ahead */
    CLV_ASSERTION_SKEW = 30    /* clock skew allowed on exp, nbf and iat */
};

/* The client an assertion claims to come from (its sub, else iss), read without checking
 * anything, only to know which client's keys to check it with. false if there is none
 * or it does not fit in out (size n). */
bool clv_assertion_client(const char *assertion, char *out, size_t n);

/* Checks assertion for client c: a compact JWS signed with an asymmetric algorithm (RS*,
 * PS*, ES*, EdDSA; never none or HS*) by a key of c->jwks or of the JWK Set at
 * c->jwks_uri (the one its kid names, else any; a kid the cached set lacks fetches it
 * again, at most once every 10 s);
 * iss = sub = client_id; aud contains the token endpoint's URL or the issuer; exp in the
 * future and at most CLV_ASSERTION_AHEAD seconds ahead; nbf and iat not in the future;
 * a jti never seen before for this client (recorded until exp). CLV_INVALID_CLIENT on any
 * failure (a jwks_uri that cannot be fetched too), with the reason in err; CLV_STORE if
 * the store failed; CLV_UNAVAILABLE when the jwks_uri must be fetched and no fetch slot is
 * free, CLV_THROTTLED (retry_after set) when addr (the caller's address, NULL: none) has
 * made too many first fetches (core/doc_cache.h, docs/DESIGN.md D15). Blocks for up to
 * 5 s when a jwks_uri must be fetched. */
clv_code clv_assertion_verify(clv_app *app, const clv_client *c, const char *assertion,
                              const char *addr, clv_err *err);

#endif
