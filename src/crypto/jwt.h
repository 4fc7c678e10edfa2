/* jwt — the server's own signing keys and the JWTs it signs and verifies with them.
 *
 * Keys are loaded once into EVP_PKEYs (RS256: RSA-2048, ES256: P-256, EdDSA: Ed25519),
 * with the protected header of each ("{"alg","kid","typ"}") pre-encoded so that signing
 * a token costs one JSON dump, two base64url encodings and one signature. kid is the
 * RFC 7638 thumbprint of the public key. A keyset is immutable after loading and safe to
 * use from many threads at once. JOSE objects that *clients* send are parsed with
 * libjose elsewhere; this module handles only tokens Clavis itself issued. */
#ifndef CLV_CRYPTO_JWT_H
#define CLV_CRYPTO_JWT_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "base/model.h"

typedef struct clv_keyset clv_keyset;

/* The most keys a keyset holds: one active key per alg and the retired ones still
 * published (docs/DESIGN.md "Signing keys and the KEK"). */
enum { CLV_KEYSET_MAX = 32, CLV_KID_MAX = 44 };

/* Generates a new private key for alg and returns it as PKCS#8 PEM (caller frees with
 * clv_free_secret). CLV_CRYPTO on failure. */
clv_code clv_key_generate_pem(clv_alg alg, char **pem, clv_err *err);

/* An empty keyset. CLV_NOMEM on failure. */
clv_code clv_keyset_new(clv_keyset **out, clv_err *err);
void clv_keyset_free(clv_keyset *ks);

/* Adds the private key in pem as the signing key for alg (one per alg; a second add for
 * the same alg replaces it). CLV_CRYPTO if the PEM does not hold a key of that alg. */
clv_code clv_keyset_add(clv_keyset *ks, clv_alg alg, const char *pem, clv_err *err);

/* Adds the private key in pem as a retired key of alg: it signs nothing, but verifies what
 * it signed and is published in the JWKS. CLV_CRYPTO as clv_keyset_add; CLV_INVALID when
 * the keyset is full (CLV_KEYSET_MAX). */
clv_code clv_keyset_add_retired(clv_keyset *ks, clv_alg alg, const char *pem, clv_err *err);

/* The kid (RFC 7638 thumbprint) of the key that signs for alg; NULL when there is none.
 * Borrowed, valid as long as the keyset. */
const char *clv_keyset_kid(const clv_keyset *ks, clv_alg alg);

/* The kid a private key in pem would have (its RFC 7638 thumbprint) into kid. CLV_CRYPTO
 * if pem does not hold a key of alg. */
clv_code clv_key_kid(clv_alg alg, const char *pem, char kid[CLV_KID_MAX], clv_err *err);

/* true if the keyset has a key for alg. */
bool clv_keyset_has(const clv_keyset *ks, clv_alg alg);

/* The public JWKS ({"keys":[…]} with kty, kid, use "sig", alg and the public parameters)
 * as compact JSON text, built once at add time; borrowed, valid until the keyset is
 * freed or changed. */
const char *clv_keyset_jwks(const clv_keyset *ks);

/* Signs payload (plen bytes: the claims, a JSON object's text) with the key for alg; typ
 * is the header's typ ("at+jwt" for RFC 9068 access tokens, "JWT" for ID tokens). *out is
 * malloc'd. CLV_INVALID if there is no key for alg or the payload is not an object's
 * text; CLV_CRYPTO on a signing failure. */
clv_code clv_jwt_sign(const clv_keyset *ks, clv_alg alg, const char *typ, const char *payload,
                      size_t plen, char **out, clv_err *err);

/* Verifies a compact JWS that this keyset signed: the header's alg and kid must name a
 * key of the set, the signature must match. Checks nothing in the claims (the caller
 * checks exp, iss, …). On CLV_OK *claims is a new reference to the payload object and
 * *typ (if not NULL) is set to a malloc'd copy of the header's typ (or NULL).
 * CLV_UNAUTHENTICATED for anything malformed, unknown or not matching. */
clv_code clv_jwt_verify(const clv_keyset *ks, const char *token, json_t **claims, char **typ,
                        clv_err *err);

/* Verifies an Ed25519 signature (RFC 8032 §5.1.7, PureEdDSA: JWS alg EdDSA, RFC 8037
 * §3.1) of msg under a raw public key: pub CLV_ED25519_PUB bytes, sig CLV_ED25519_SIG
 * bytes. For keys of other parties (a client's jwks), which libjose cannot check. */
enum { CLV_ED25519_PUB = 32, CLV_ED25519_SIG = 64 };
bool clv_ed25519_verify(const unsigned char *pub, const unsigned char *msg, size_t len,
                        const unsigned char *sig);

/* How many signing or verifying contexts the calling thread has set up for a key (RS256
 * and ES256; Ed25519 sets one up for every use and is not counted). A thread keeps one per
 * key, for a few keys of each alg, so signing and verifying with keys it has used before
 * — the active and a retired key, alternating during a rotation — sets none up. */
unsigned long clv_jwt_thread_setups(void);

/* Frees the calling thread's signing and verifying contexts (threads that exit free
 * theirs by themselves); for the main thread before it exits. */
void clv_jwt_thread_cleanup(void);

#endif
