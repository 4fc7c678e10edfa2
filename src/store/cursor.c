/* cursor — the list cursor (docs/API.md "Pagination"): base64url (RFC 4648 §5, without
 * padding) of "<ts>:<id>", the keyset of the last row of a page; opaque to callers. The
 * store has its own few lines of base64url: crypto sits beside it, not below. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

/* A cursor is ours, so anything longer than "19 digits:an id" is not one. */
enum { CURSOR_MAX = 256, CURSOR_ID_MAX = 128 };

#define MALFORMED "is malformed: pass next_cursor back unchanged"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url of in[0..n) into out (4 characters per 3 bytes, rounded up, and a NUL). */
static void b64url_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i += 3) {
        size_t left = n - i;
        uint32_t v = (uint32_t)in[i] << 16 | (left > 1 ? (uint32_t)in[i + 1] << 8 : 0) |
                     (left > 2 ? in[i + 2] : 0);
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        if (left > 1)
            out[o++] = alphabet[(v >> 6) & 63];
        if (left > 2)
            out[o++] = alphabet[v & 63];
    }
    out[o] = '\0';
}

/* The value of a base64url character, -1 for any other (padding included). */
static int sextet(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '-' || ch == '_')
        return ch == '-' ? 62 : 63;
    return -1;
}

/* Decodes in[0..n) into out (n / 4 * 3 + 3 bytes), NUL-terminated; *len gets its length.
 * false on a character outside the alphabet, or a lone character in the last group, which
 * no encoder writes (RFC 4648 §4). Bits left over in a last partial group are ignored. */
static bool b64url_decode(const char *in, size_t n, char *out, size_t *len)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;

    if (n % 4 == 1)
        return false;
    for (size_t i = 0; i < n; i++) {
        int v = sextet((unsigned char)in[i]);
        if (v < 0)
            return false;
        acc = (acc << 6 | (uint32_t)v) & 0x3FFF; /* at most 13 bits are pending */
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(unsigned char)(acc >> bits);
        }
    }
    out[o] = '\0';
    *len = o;
    return true;
}

char *clv_store_cursor_encode(int64_t ts, const char *id)
{
    char plain[32 + CURSOR_ID_MAX];
    char *out;
    int n;

    n = snprintf(plain, sizeof plain, "%" PRId64 ":%s", ts, id);
    if (n < 0 || (size_t)n >= sizeof plain)
        return NULL; /* ids are ours and short; this does not happen */
    out = malloc(((size_t)n + 2) / 3 * 4 + 1);
    if (out != NULL)
        b64url_encode((const unsigned char *)plain, (size_t)n, out);
    return out;
}

/* Parses "<ts>:<id>" (decoded, NUL-terminated, len bytes) into pg; false if malformed. */
static bool parse_cursor(const char *plain, size_t len, clv_store_page *pg)
{
    const char *colon = memchr(plain, ':', len);
    char *end = NULL;
    long long ts;

    if (colon == NULL || colon == plain || strlen(plain) != len)
        return false; /* no separator, no number, or an embedded NUL */
    if (plain[0] < '0' || plain[0] > '9')
        return false; /* strtoll would accept spaces and signs */
    errno = 0;
    ts = strtoll(plain, &end, 10);
    if (errno != 0 || end != colon || colon[1] == '\0' || strlen(colon + 1) > CURSOR_ID_MAX)
        return false;
    pg->ts = (int64_t)ts;
    pg->id = colon + 1;
    return true;
}

clv_code clv_store_page_init(const char *cursor, int limit, clv_store_page *pg, char **buf,
                             clv_err *err)
{
    size_t n = cursor != NULL ? strlen(cursor) : 0, len = 0;
    char *plain = NULL;

    *buf = NULL;
    if (limit < 1 || limit > CLV_STORE_LIMIT_MAX)
        return clv_fail_field(err, CLV_INVALID, "limit", "must be an integer from 1 to %d",
                              CLV_STORE_LIMIT_MAX);
    pg->limit = limit;
    pg->ts = INT64_MAX;
    pg->id = "";
    if (cursor == NULL)
        return CLV_OK;
    if (n > CURSOR_MAX)
        return clv_fail_field(err, CLV_INVALID, "cursor", MALFORMED);
    if ((plain = malloc(n / 4 * 3 + 3)) == NULL)
        return clv_fail(err, CLV_NOMEM, "cursor: out of memory");
    if (!b64url_decode(cursor, n, plain, &len) || !parse_cursor(plain, len, pg)) {
        free(plain);
        return clv_fail_field(err, CLV_INVALID, "cursor", MALFORMED);
    }
    *buf = plain;
    return CLV_OK;
}
