/* rand — random bytes from OpenSSL's CSPRNG (seeded from the OS) and the identifiers and
 * tokens built on them. */
#include "crypto/rand.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto/b64.h"

enum { ID_PREFIX_MAX = 8, ID_BYTES = 16, ID_CHARS = 26 };

bool clv_rand_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;

    /* RAND_bytes takes an int; larger requests go in pieces. */
    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;
        if (RAND_bytes(p, chunk) != 1) {
            /* Never hand back a half-filled buffer that could pass for random. */
            OPENSSL_cleanse(buf, (size_t)(p - (unsigned char *)buf));
            return false;
        }
        p += chunk;
        n -= (size_t)chunk;
    }
    return true;
}

/* 128 bits as 26 characters of the RFC 4648 §6 base32 alphabet, lowercased (ids appear
 * in URLs and are read by people: no case to get wrong, no '-' or '_' to trip over). The
 * last character carries the final 3 bits. */
static void base32_128(const unsigned char in[ID_BYTES], char out[ID_CHARS])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned acc = 0, bits = 0;
    size_t o = 0;

    for (size_t i = 0; i < ID_BYTES; i++) {
        acc = (acc << 8 | in[i]) & 0xfff;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = alphabet[(acc >> bits) & 31];
        }
    }
    out[o] = alphabet[(acc << (5 - bits)) & 31]; /* bits == 3 here: 128 = 25*5 + 3 */
}

bool clv_rand_id(const char *prefix, char out[CLV_ID_MAX])
{
    unsigned char raw[ID_BYTES];
    size_t plen = prefix != NULL ? strnlen(prefix, ID_PREFIX_MAX + 1) : 0;

    if (plen > ID_PREFIX_MAX || !clv_rand_bytes(raw, sizeof raw))
        return false;
    if (plen > 0)
        memcpy(out, prefix, plen);
    out[plen] = '_';
    base32_128(raw, out + plen + 1);
    out[plen + 1 + ID_CHARS] = '\0';
    return true;
}

bool clv_rand_token(size_t nbytes, char *out)
{
    /* Drawn and encoded in pieces of a multiple of 3 bytes, so that the pieces'
     * encodings join into one unpadded base64url string without a heap buffer. */
    unsigned char raw[48];
    size_t o = 0;
    bool ok = true;

    out[0] = '\0';
    while (nbytes > 0) {
        size_t chunk = nbytes < sizeof raw ? nbytes : sizeof raw;
        if (!clv_rand_bytes(raw, chunk)) {
            /* No partial token: a short one would still look usable. */
            OPENSSL_cleanse(out, o);
            out[0] = '\0';
            ok = false;
            break;
        }
        o += clv_b64url_encode(raw, chunk, out + o);
        nbytes -= chunk;
    }
    OPENSSL_cleanse(raw, sizeof raw); /* the bytes are the token's secret */
    return ok;
}
