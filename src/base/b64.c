/* b64 — base64url (RFC 4648 §5, unpadded as RFC 7515 §2 requires) and standard base64
 * (RFC 4648 §4, padded, as in an HTTP Basic header, RFC 7617 §2).
 *
 * Written by hand rather than with EVP_EncodeBlock/EVP_DecodeBlock: those speak only the
 * standard alphabet, silently skip whitespace and leave the caller to work out padding,
 * while every caller here wants a strict decoder that refuses anything outside its
 * alphabet. This is encoding, not cryptography; it needs no constant-time treatment
 * beyond what table lookups give (the inputs are tokens and headers, which an attacker
 * already knows). */
#include "base/b64.h"

#include <stdint.h>
#include <stdlib.h>

static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

enum { BAD = 0xff };

/* The value of c in the alphabet (url: '-' '_', standard: '+' '/'), or BAD. '=' is BAD
 * in both: the standard decoder strips padding before it looks up a character. */
static unsigned sextet(unsigned char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return BAD;
}

size_t clv_b64url_encoded_size(size_t n)
{
    /* 4 characters per 3 bytes; a trailing 1 or 2 bytes take 2 or 3 characters. */
    return n / 3 * 4 + (n % 3 != 0 ? n % 3 + 1 : 0) + 1;
}

size_t clv_b64url_encode(const void *in, size_t n, char *out)
{
    const unsigned char *p = in;
    size_t o = 0;
    size_t i = 0;

    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = url_alphabet[v >> 18];
        out[o++] = url_alphabet[(v >> 12) & 63];
        out[o++] = url_alphabet[(v >> 6) & 63];
        out[o++] = url_alphabet[v & 63];
    }
    if (n - i == 1) {
        out[o++] = url_alphabet[p[i] >> 2];
        out[o++] = url_alphabet[(p[i] & 3) << 4];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 8 | p[i + 1];
        out[o++] = url_alphabet[v >> 10];
        out[o++] = url_alphabet[(v >> 4) & 63];
        out[o++] = url_alphabet[(v << 2) & 63];
    }
    out[o] = '\0';
    return o;
}

/* Decodes n characters of in that carry no padding (n % 4 != 1, checked by the callers)
 * into a new buffer. Bits left over in a final partial group are ignored: RFC 4648 §3.5
 * lets a decoder refuse non-zero ones, and nothing here depends on canonical input. */
static bool decode(const char *in, size_t n, bool url, unsigned char **out, size_t *outlen)
{
    size_t len = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
    unsigned char *buf = malloc(len + 1);
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;

    if (buf == NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned v = sextet((unsigned char)in[i], url);
        if (v == BAD) {
            free(buf);
            return false;
        }
        acc = (acc << 6 | v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (unsigned char)(acc >> bits);
        }
    }
    buf[o] = '\0';
    *out = buf;
    *outlen = o;
    return true;
}

bool clv_b64url_decode(const char *in, size_t n, unsigned char **out, size_t *outlen)
{
    /* A lone character in the last group encodes only 6 bits: no whole byte, so no
     * encoder can have produced it (RFC 4648 §4). */
    if (in == NULL || n % 4 == 1)
        return false;
    return decode(in, n, true, out, outlen);
}

bool clv_b64_decode(const char *in, size_t n, unsigned char **out, size_t *outlen)
{
    size_t pad = 0;

    /* Padded base64 always comes in whole 4-character groups, with at most two '=' and
     * only at the very end (RFC 4648 §4); '=' anywhere else is refused by decode(). */
    if (in == NULL || n % 4 != 0)
        return false;
    while (pad < 2 && pad < n && in[n - 1 - pad] == '=')
        pad++;
    return decode(in, n - pad, false, out, outlen);
}
