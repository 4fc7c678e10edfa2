/* b64 — base64 and base64url (RFC 4648) encoding and decoding. */
#ifndef CLV_BASE_B64_H
#define CLV_BASE_B64_H

#include <stdbool.h>
#include <stddef.h>

/* Size of the buffer clv_b64url_encode needs for n input bytes, NUL included. */
size_t clv_b64url_encoded_size(size_t n);

/* base64url without padding (RFC 7515 §2) of in[0..n) into out, NUL-terminated;
 * returns the length written (not counting NUL). out holds clv_b64url_encoded_size(n). */
size_t clv_b64url_encode(const void *in, size_t n, char *out);

/* Decodes base64url without padding (padding and any character outside the alphabet
 * are refused). *out is malloc'd (caller frees), NUL-terminated for convenience;
 * *outlen its length. false on bad input or allocation failure (*out untouched). */
bool clv_b64url_decode(const char *in, size_t n, unsigned char **out, size_t *outlen);

/* Decodes standard base64 with padding (RFC 4648 §4), as in an HTTP Basic header.
 * Same contract as clv_b64url_decode. */
bool clv_b64_decode(const char *in, size_t n, unsigned char **out, size_t *outlen);

#endif
