/* store — the public clv_store_* functions (see store.h): argument checks, the list
 * cursor format, and dispatch to the backend chosen by URL through its table of function
 * pointers (store_impl.h). Nothing here knows SQL. */
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
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

clv_code clv_store_migrate(clv_store *s, clv_err *err)
{
    return s->ops->migrate(s, err);
}

clv_code clv_store_begin(clv_store *s, clv_err *err)
{
    return s->ops->begin(s, err);
}

clv_code clv_store_commit(clv_store *s, clv_err *err)
{
    return s->ops->commit(s, err);
}

void clv_store_rollback(clv_store *s)
{
    s->ops->rollback(s);
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

/* ---- meta ---- */

clv_code clv_store_meta_get(clv_store *s, const char *name, char **value, clv_err *err)
{
    return s->ops->meta_get(s, name, value, err);
}

clv_code clv_store_meta_put(clv_store *s, const char *name, const char *value, clv_err *err)
{
    return s->ops->meta_put(s, name, value, err);
}

/* ---- tenants ---- */

clv_code clv_store_tenant_insert(clv_store *s, const clv_tenant *t, clv_err *err)
{
    return s->ops->tenant_insert(s, t, err);
}

clv_code clv_store_tenant_get(clv_store *s, const char *id, clv_tenant **out, clv_err *err)
{
    return s->ops->tenant_get(s, id, out, err);
}

clv_code clv_store_tenant_update(clv_store *s, const clv_tenant *t, clv_err *err)
{
    return s->ops->tenant_update(s, t, err);
}

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

/* ---- services ---- */

clv_code clv_store_service_insert(clv_store *s, const clv_service *svc, clv_err *err)
{
    return s->ops->service_insert(s, svc, err);
}

clv_code clv_store_service_get(clv_store *s, const char *id, clv_service **out, clv_err *err)
{
    return s->ops->service_get(s, id, out, err);
}

clv_code clv_store_service_update(clv_store *s, const clv_service *svc, clv_err *err)
{
    return s->ops->service_update(s, svc, err);
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

/* ---- clients ---- */

clv_code clv_store_client_insert(clv_store *s, const clv_client *c, clv_err *err)
{
    return s->ops->client_insert(s, c, err);
}

clv_code clv_store_client_get(clv_store *s, const char *client_id, clv_client **out, clv_err *err)
{
    return s->ops->client_get(s, client_id, out, err);
}

clv_code clv_store_client_update(clv_store *s, const clv_client *c, clv_err *err)
{
    return s->ops->client_update(s, c, err);
}

clv_code clv_store_client_touch(clv_store *s, const char *client_id, int64_t at, clv_err *err)
{
    return s->ops->client_touch(s, client_id, at, err);
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

/* ---- secrets ---- */

clv_code clv_store_secret_insert(clv_store *s, const clv_secret *sec, clv_err *err)
{
    return s->ops->secret_insert(s, sec, err);
}

clv_code clv_store_secret_list(clv_store *s, const char *client_id, clv_list *out, clv_err *err)
{
    return s->ops->secret_list(s, client_id, out, err);
}

clv_code clv_store_secret_delete(clv_store *s, const char *client_id, const char *secret_id,
                                 clv_err *err)
{
    return s->ops->secret_delete(s, client_id, secret_id, err);
}

clv_code clv_store_secret_touch(clv_store *s, const char *secret_id, int64_t at, clv_err *err)
{
    return s->ops->secret_touch(s, secret_id, at, err);
}

/* ---- users ---- */

clv_code clv_store_user_insert(clv_store *s, const clv_user *u, clv_err *err)
{
    return s->ops->user_insert(s, u, err);
}

clv_code clv_store_user_get(clv_store *s, const char *id, clv_user **out, clv_err *err)
{
    return s->ops->user_get(s, id, out, err);
}

clv_code clv_store_user_find(clv_store *s, const char *tenant_id, const char *username,
                             clv_user **out, clv_err *err)
{
    return s->ops->user_find(s, tenant_id, username, out, err);
}

clv_code clv_store_user_update(clv_store *s, const clv_user *u, clv_err *err)
{
    return s->ops->user_update(s, u, err);
}

clv_code clv_store_user_delete(clv_store *s, const char *id, clv_err *err)
{
    return s->ops->user_delete(s, id, err);
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

/* ---- audit ---- */

clv_code clv_store_audit_insert(clv_store *s, const clv_audit *a, clv_err *err)
{
    return s->ops->audit_insert(s, a, err);
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

/* ---- revoked access tokens ---- */

clv_code clv_store_jti_revoke(clv_store *s, const char *jti, int64_t exp, clv_err *err)
{
    return s->ops->jti_revoke(s, jti, exp, err);
}

clv_code clv_store_jti_is_revoked(clv_store *s, const char *jti, bool *revoked, clv_err *err)
{
    return s->ops->jti_is_revoked(s, jti, revoked, err);
}

/* ---- authorization codes, refresh tokens, sessions ---- */

clv_code clv_store_code_insert(clv_store *s, const clv_authcode *c, clv_err *err)
{
    return s->ops->code_insert(s, c, err);
}

clv_code clv_store_code_consume(clv_store *s, const unsigned char hash[32], clv_authcode **out,
                                clv_err *err)
{
    return s->ops->code_consume(s, hash, out, err);
}

clv_code clv_store_refresh_insert(clv_store *s, const clv_refresh *r, clv_err *err)
{
    return s->ops->refresh_insert(s, r, err);
}

clv_code clv_store_refresh_consume(clv_store *s, const unsigned char hash[32], clv_refresh **out,
                                   clv_err *err)
{
    return s->ops->refresh_consume(s, hash, out, err);
}

clv_code clv_store_family_revoke(clv_store *s, const char *family_id, int64_t exp, clv_err *err)
{
    return s->ops->family_revoke(s, family_id, exp, err);
}

clv_code clv_store_family_is_revoked(clv_store *s, const char *family_id, bool *revoked,
                                     clv_err *err)
{
    return s->ops->family_is_revoked(s, family_id, revoked, err);
}

clv_code clv_store_client_grants_revoke(clv_store *s, const char *client_id, int *count,
                                        clv_err *err)
{
    return s->ops->client_grants_revoke(s, client_id, count, err);
}

clv_code clv_store_refresh_revoke(clv_store *s, const unsigned char hash[32], const char *client_id,
                                  bool *found, clv_err *err)
{
    return s->ops->refresh_revoke(s, hash, client_id, found, err);
}

clv_code clv_store_session_insert(clv_store *s, const clv_session *ss, clv_err *err)
{
    return s->ops->session_insert(s, ss, err);
}

clv_code clv_store_session_get(clv_store *s, const unsigned char hash[32], clv_session **out,
                               clv_err *err)
{
    return s->ops->session_get(s, hash, out, err);
}

clv_code clv_store_session_delete(clv_store *s, const unsigned char hash[32], clv_err *err)
{
    return s->ops->session_delete(s, hash, err);
}

clv_code clv_store_assertion_jti_use(clv_store *s, const char *jti, const char *client_id,
                                     int64_t exp, clv_err *err)
{
    return s->ops->assertion_jti_use(s, jti, client_id, exp, err);
}

/* ---- dynamic registration ---- */

clv_code clv_store_iat_insert(clv_store *s, const clv_iat *t, clv_err *err)
{
    if (t->uses_left < -1)
        return clv_fail_field(err, CLV_INVALID, "uses_left", "must be -1 or more");
    return s->ops->iat_insert(s, t, err);
}

clv_code clv_store_iat_use(clv_store *s, const unsigned char hash[32], int64_t now, clv_iat **out,
                           clv_err *err)
{
    return s->ops->iat_use(s, hash, now, out, err);
}

clv_code clv_store_regtoken_put(clv_store *s, const char *client_id, const unsigned char hash[32],
                                clv_err *err)
{
    return s->ops->regtoken_put(s, client_id, hash, err);
}

clv_code clv_store_regtoken_get(clv_store *s, const char *client_id, unsigned char hash[32],
                                clv_err *err)
{
    return s->ops->regtoken_get(s, client_id, hash, err);
}

/* ---- consent ---- */

clv_code clv_store_consent_get(clv_store *s, const char *user_id, const char *client_id,
                               clv_consent **out, clv_err *err)
{
    return s->ops->consent_get(s, user_id, client_id, out, err);
}

clv_code clv_store_consent_put(clv_store *s, const clv_consent *c, clv_err *err)
{
    return s->ops->consent_put(s, c, err);
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

clv_code clv_store_consent_delete(clv_store *s, const char *user_id, const char *client_id,
                                  clv_err *err)
{
    return s->ops->consent_delete(s, user_id, client_id, err);
}

/* ---- retention ---- */

clv_code clv_store_purge(clv_store *s, int64_t now, int *purged, clv_err *err)
{
    return s->ops->purge(s, now, purged, err);
}
