/* store — the public clv_store_* functions (see store.h, store_ops.h): argument checks, the
 * list cursor format, and dispatch to the backend chosen by URL through its table of
 * function pointers (store_impl.h). Nothing here knows SQL. */
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "store/store_impl.h"

/* A cursor is ours, so anything longer than "19 digits:an id" is not one. */
enum { CURSOR_MAX = 256, CURSOR_ID_MAX = 128 };

clv_code clv_store_open(const char *url, clv_store **out, clv_err *err)
{
    if (url == NULL || *url == '\0')
        return clv_fail(err, CLV_INVALID, "store: empty database URL");
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        return clv_fail(err, CLV_INVALID, "PostgreSQL backend not built yet");
    return clv_store_sqlite_open(url, out, err);
}

void clv_store_free(clv_store *s)
{
    if (s == NULL)
        return;
    s->ops->free(s);
}

void clv_store_rollback(clv_store *s)
{
    s->ops->rollback(s);
}

/* Every operation of store_ops.h: the backend's function, called through its table. */
#define DISPATCH(name, params, args)                                                               \
    clv_code clv_store_##name params                                                               \
    {                                                                                              \
        return s->ops->name args;                                                                  \
    }
CLV_STORE_OPS(DISPATCH)
#undef DISPATCH

void clv_store_purged_free(void *p)
{
    clv_store_purged *r = p;

    if (r == NULL)
        return;
    free(r->id);
    free(r->tenant_id);
    free(r);
}

/* ---- cursors: base64url("<ts>:<id>"), opaque to callers (SPEC §5.8) ---- */

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

/* Fills pg from cursor and limit; *buf holds the decoded cursor that pg->id points into
 * (caller frees). */
static clv_code page_init(const char *cursor, int limit, clv_store_page *pg, char **buf,
                          clv_err *err)
{
    unsigned char *plain = NULL;
    size_t len = 0;

    *buf = NULL;
    if (limit < 1 || limit > CLV_STORE_LIMIT_MAX)
        return clv_fail_field(err, CLV_INVALID, "limit", "must be an integer from 1 to %d",
                              CLV_STORE_LIMIT_MAX);
    pg->limit = limit;
    pg->ts = INT64_MAX;
    pg->id = "";
    if (cursor == NULL)
        return CLV_OK;
    if (strlen(cursor) > CURSOR_MAX || !clv_b64url_decode(cursor, strlen(cursor), &plain, &len))
        return clv_fail_field(err, CLV_INVALID, "cursor",
                              "is malformed: pass next_cursor back unchanged");
    if (!parse_cursor((const char *)plain, len, pg)) {
        free(plain);
        return clv_fail_field(err, CLV_INVALID, "cursor",
                              "is malformed: pass next_cursor back unchanged");
    }
    *buf = (char *)plain;
    return CLV_OK;
}

/* ---- lists: the cursor decoded, the filters checked ---- */

clv_code clv_store_tenant_list(clv_store *s, const char *cursor, int limit, clv_list *out,
                               clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = page_init(cursor, limit, &pg, &buf, err);

    if (rc == CLV_OK)
        rc = s->ops->tenant_list(s, &pg, out, err);
    free(buf);
    return rc;
}

clv_code clv_store_service_list(clv_store *s, const clv_service_filter *f, clv_list *out,
                                clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = page_init(f->cursor, f->limit, &pg, &buf, err);

    if (rc == CLV_OK && (f->status < -1 || f->status > CLV_STATUS_DELETED))
        rc = clv_fail_field(err, CLV_INVALID, "status", "is not a known status");
    if (rc == CLV_OK)
        rc = s->ops->service_list(s, f, &pg, out, err);
    free(buf);
    return rc;
}

clv_code clv_store_client_list(clv_store *s, const clv_client_filter *f, clv_list *out,
                               clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = page_init(f->cursor, f->limit, &pg, &buf, err);

    if (rc == CLV_OK && (f->status < -1 || f->status > CLV_STATUS_DELETED))
        rc = clv_fail_field(err, CLV_INVALID, "status", "is not a known status");
    if (rc == CLV_OK && f->by_effective &&
        (f->effective_status < CLV_STATUS_ACTIVE || f->effective_status > CLV_STATUS_DELETED))
        rc = clv_fail_field(err, CLV_INVALID, "effective_status", "is not a known status");
    if (rc == CLV_OK && (f->type < -1 || f->type > CLV_TYPE_M2M))
        rc = clv_fail_field(err, CLV_INVALID, "type", "is not a known client type");
    if (rc == CLV_OK)
        rc = s->ops->client_list(s, f, &pg, out, err);
    free(buf);
    return rc;
}

clv_code clv_store_user_list(clv_store *s, const clv_user_filter *f, clv_list *out, clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = page_init(f->cursor, f->limit, &pg, &buf, err);

    if (rc == CLV_OK)
        rc = s->ops->user_list(s, f, &pg, out, err);
    free(buf);
    return rc;
}

clv_code clv_store_audit_list(clv_store *s, const clv_audit_filter *f, clv_list *out, clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = page_init(f->cursor, f->limit, &pg, &buf, err);

    if (rc == CLV_OK)
        rc = s->ops->audit_list(s, f, &pg, out, err);
    free(buf);
    return rc;
}

/* ---- the other operations that check an argument ---- */

clv_code clv_store_iat_insert(clv_store *s, const clv_iat *t, clv_err *err)
{
    if (t->uses_left < -1)
        return clv_fail_field(err, CLV_INVALID, "uses_left", "must be -1 or more");
    return s->ops->iat_insert(s, t, err);
}

clv_code clv_store_consent_list(clv_store *s, const char *user_id, const char *cursor, int limit,
                                clv_list *out, clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = page_init(cursor, limit, &pg, &buf, err);

    if (rc == CLV_OK)
        rc = s->ops->consent_list(s, user_id, &pg, out, err);
    free(buf);
    return rc;
}
