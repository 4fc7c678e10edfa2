/* libFuzzer target: HTTP Basic client credentials (clv_basic_parse, src/http/form.c;
 * RFC 6749 §2.3.1, RFC 7617).
 *
 * The first byte picks the mode. Even: the rest is an Authorization header value as a
 * client sends it; a parse that succeeds gives a non-empty id and a secret, both UTF-8
 * without NUL. Odd: the rest is an id and a secret separated by the first NUL byte, which
 * the target writes as RFC 6749 §2.3.1 says (each form-urlencoded, joined by ':', base64);
 * the parse must give them back exactly when the id is not empty, both are UTF-8 and the
 * base64 is at most 4096 characters, and refuse them otherwise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "crypto/hash.h"
#include "fuzzutil.h"
#include "http/form.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Percent-encodes every byte but the RFC 3986 unreserved ones into out; returns the end. */
static char *urlencode(const char *s, size_t n, char *out)
{
    static const char hex[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            *out++ = (char)c;
        } else {
            *out++ = '%';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        }
    }
    return out;
}

/* "Basic " and the standard, padded base64 (RFC 4648 §4) of plain[0..n): the base64url
 * alphabet mapped back, and '=' to a whole group. malloc'd. */
static char *basic_header(const char *plain, size_t n)
{
    char *h = malloc(6 + clv_b64url_encoded_size(n) + 3);
    size_t len;

    if (h == NULL)
        abort();
    memcpy(h, "Basic ", 6);
    len = clv_b64url_encode(plain, n, h + 6);
    for (size_t i = 6; i < 6 + len; i++)
        h[i] = h[i] == '-' ? '+' : h[i] == '_' ? '/' : h[i];
    while (len % 4 != 0)
        h[6 + len++] = '=';
    h[6 + len] = '\0';
    return h;
}

static void round_trip(const char *in, size_t size)
{
    size_t idlen = strnlen(in, size);
    const char *sec = idlen < size ? in + idlen + 1 : "";
    size_t seclen = idlen < size ? size - idlen - 1 : 0;
    char *plain = malloc(3 * size + 2), *end, *header, *id = NULL, *secret = NULL;
    bool valid = idlen > 0 && clv_utf8_valid(in, idlen) && clv_utf8_valid(sec, seclen);

    if (plain == NULL)
        abort();
    end = urlencode(in, idlen, plain);
    *end++ = ':';
    end = urlencode(sec, seclen, end);
    header = basic_header(plain, (size_t)(end - plain));
    valid = valid && strlen(header) - 6 <= 4096; /* the parser's cap on the base64 */
    if ((clv_basic_parse(header, &id, &secret, NULL) == CLV_OK) != valid)
        abort();
    if (valid && (strlen(id) != idlen || memcmp(id, in, idlen) != 0 || strlen(secret) != seclen ||
                  memcmp(secret, sec, seclen) != 0))
        abort();
    free(id);
    clv_free_secret(secret);
    free(header);
    free(plain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text, *id = NULL, *secret = NULL;

    if (size == 0 || size > 4096)
        return 0;
    if ((data[0] & 1) != 0) {
        round_trip((const char *)data + 1, size - 1);
        return 0;
    }
    text = clv_fuzz_cstr(data + 1, size - 1);
    if (clv_basic_parse(text, &id, &secret, NULL) == CLV_OK &&
        (id == NULL || secret == NULL || id[0] == '\0' || !clv_utf8_valid(id, strlen(id)) ||
         !clv_utf8_valid(secret, strlen(secret))))
        abort();
    free(id);
    clv_free_secret(secret);
    free(text);
    return 0;
}
