/* req — helpers that read a request's body, query and source address (see http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/json_text.h"
#include "crypto/rand.h"
#include "http/http.h"

bool clv_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        unsigned c = p[i];
        size_t len;
        unsigned min;
        unsigned cp;
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; cp = c & 0x07; }
        else return false;
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        /* overlong forms, surrogates and values past U+10FFFF are not UTF-8 (RFC 3629) */
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* true if the Content-Type's media type (before any ';') equals want, ignoring case. */
static bool media_type_is(const char *ctype, const char *want)
{
    size_t n = strlen(want);

    if (ctype == NULL || strncasecmp(ctype, want, n) != 0)
        return false;
    return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ';
}

clv_code clv_req_json_body(const clv_req *r, bool allow_empty, json_t **out, clv_err *err)
{
    size_t len;
    const char *body = clv_req_body(r, &len);
    json_error_t jerr;
    json_t *j;

    if (len == 0 && allow_empty) {
        if ((*out = json_object()) == NULL)
            return clv_fail(err, CLV_NOMEM, "out of memory");
        return CLV_OK;
    }
    if (!media_type_is(clv_req_header(r, "Content-Type"), "application/json"))
        return clv_fail(err, CLV_UNSUPPORTED_MEDIA, "the body must be application/json");
    if (len > CLV_BODY_MAX)
        return clv_fail(err, CLV_TOO_LARGE, "the request body is larger than 64 KiB");
    j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL)
        return clv_fail(err, CLV_INVALID, "invalid JSON at line %d column %d: %s", jerr.line,
                        jerr.column, clv_json_error_words(&jerr));
    if (!json_is_object(j)) {
        json_decref(j);
        return clv_fail(err, CLV_INVALID, "the body must be a JSON object");
    }
    *out = j;
    return CLV_OK;
}

clv_code clv_req_query_int(const clv_req *r, const char *name, int min, int max, int def,
                           int *out, clv_err *err)
{
    const char *v = clv_req_query(r, name);
    char *end = NULL;
    long n;

    if (v == NULL) {
        *out = def;
        return CLV_OK;
    }
    errno = 0;
    n = strtol(v, &end, 10);
    if ((v[0] < '0' || v[0] > '9') || *end != '\0' || errno != 0 || n < min || n > max)
        return clv_fail_field(err, CLV_INVALID, name, "must be an integer from %d to %d", min, max);
    *out = (int)n;
    return CLV_OK;
}

/* The canonical text of the IP address in s[0..n) (blanks around it ignored) into out;
 * false if it is not one. */
static bool canon_addr(const char *s, size_t n, char out[CLV_ADDR_MAX])
{
    char one[CLV_ADDR_MAX];
    unsigned char a[16];
    int fam;

    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof one)
        return false;
    memcpy(one, s, n);
    one[n] = '\0';
    fam = strchr(one, ':') != NULL ? AF_INET6 : AF_INET;
    return inet_pton(fam, one, a) == 1 && inet_ntop(fam, a, out, CLV_ADDR_MAX) != NULL;
}

void clv_forwarded_addr(const clv_config *cfg, const char *peer, const char *xff,
                        char out[CLV_ADDR_MAX])
{
    char hop[CLV_ADDR_MAX];
    size_t end;

    snprintf(out, CLV_ADDR_MAX, "%s", peer);
    if (xff == NULL || !clv_config_is_proxy(cfg, peer))
        return;
    /* right to left: each proxy appends the address it was called from */
    for (end = strlen(xff); end > 0;) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        if (!canon_addr(xff + start, end - start, hop)) {
            snprintf(out, CLV_ADDR_MAX, "%s", peer);
            return;
        }
        snprintf(out, CLV_ADDR_MAX, "%s", hop);
        if (!clv_config_is_proxy(cfg, hop))
            return;
        end = start > 0 ? start - 1 : 0;
    }
}

/* A new request id: a random prefix per thread (64 bits, drawn once) and a counter. */
static void new_request_id(char out[CLV_REQUEST_ID_MAX + 1])
{
    static _Thread_local uint64_t prefix;
    static _Thread_local uint32_t next;

    static const char hex[] = "0123456789abcdef";
    uint32_t n = next++;

    if (prefix == 0 && (!clv_rand_public(&prefix, sizeof prefix) || prefix == 0))
        prefix = (uint64_t)clv_now_us() | 1;
    for (int i = 0; i < 16; i++)
        out[i] = hex[(prefix >> (60 - 4 * i)) & 15];
    for (int i = 0; i < 8; i++)
        out[16 + i] = hex[(n >> (28 - 4 * i)) & 15];
    out[24] = '\0';
}

void clv_request_id(const char *given, char out[CLV_REQUEST_ID_MAX + 1])
{
    static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                             "-_.:+/=";
    size_t n = given != NULL ? strspn(given, ok) : 0;

    if (n == 0 || n > CLV_REQUEST_ID_MAX || given[n] != '\0') {
        new_request_id(out);
        return;
    }
    memcpy(out, given, n + 1);
}
