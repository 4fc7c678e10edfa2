/* cursor — the list cursor (docs/API.md "Pagination"): base64url (RFC 4648 §5, without
 * padding) of "<ts>:<id>", the keyset of the last row of a page; opaque to callers. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "store/store_impl.h"

/* A cursor is ours, so anything longer than "19 digits:an id" is not one. */
enum { CURSOR_MAX = 256, CURSOR_ID_MAX = 128 };

#define MALFORMED "is malformed: pass next_cursor back unchanged"

char *clv_store_cursor_encode(int64_t ts, const char *id)
{
    char plain[32 + CURSOR_ID_MAX];
    char *out;
    int n;

    n = snprintf(plain, sizeof plain, "%" PRId64 ":%s", ts, id);
    if (n < 0 || (size_t)n >= sizeof plain)
        return NULL; /* ids are ours and short; this does not happen */
    out = malloc(clv_b64url_encoded_size((size_t)n));
    if (out != NULL)
        clv_b64url_encode(plain, (size_t)n, out);
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
    unsigned char *plain = NULL;

    *buf = NULL;
    if (limit < 1 || limit > CLV_STORE_LIMIT_MAX)
        return clv_fail_field(err, CLV_INVALID, "limit", "must be an integer from 1 to %d",
                              CLV_STORE_LIMIT_MAX);
    pg->limit = limit;
    pg->ts = INT64_MAX;
    pg->id = "";
    if (cursor == NULL)
        return CLV_OK;
    if (n > CURSOR_MAX || !clv_b64url_decode(cursor, n, &plain, &len))
        return clv_fail_field(err, CLV_INVALID, "cursor", MALFORMED);
    if (!parse_cursor((const char *)plain, len, pg)) {
        free(plain);
        return clv_fail_field(err, CLV_INVALID, "cursor", MALFORMED);
    }
    *buf = (char *)plain;
    return CLV_OK;
}
