/* store — the public clv_store_* functions (see store.h, store_ops.h): argument checks and
 * dispatch to the backend chosen by URL through its table of function pointers
 * (store_impl.h); the list cursor is in cursor.c. Nothing here knows SQL. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

clv_code clv_store_open(const char *url, clv_store **out, clv_err *err)
{
    if (url == NULL || *url == '\0')
        return clv_fail(err, CLV_INVALID, "store: empty database URL");
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        return clv_store_postgres_open(url, out, err);
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
    s->ops->release(s);
}

void clv_store_pool_limit(clv_store *s, int n)
{
    s->ops->pool_limit(s, n);
}

/* Every operation of store_ops.h: the backend's function, called through its table; then
 * the backend may take back a pooled connection (store_impl.h, release). */
#define DISPATCH(name, params, args)                                                               \
    clv_code clv_store_##name params                                                               \
    {                                                                                              \
        clv_code rc_ = s->ops->name args;                                                          \
        s->ops->release(s);                                                                        \
        return rc_;                                                                                \
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

/* ---- lists: the cursor decoded, the filters checked ---- */

clv_code clv_store_tenant_list(clv_store *s, const char *cursor, int limit, clv_list *out,
                               clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = clv_store_page_init(cursor, limit, &pg, &buf, err);

    if (rc == CLV_OK)
        rc = s->ops->tenant_list(s, &pg, out, err);
    s->ops->release(s);
    free(buf);
    return rc;
}

clv_code clv_store_service_list(clv_store *s, const clv_service_filter *f, clv_list *out,
                                clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = clv_store_page_init(f->cursor, f->limit, &pg, &buf, err);

    if (rc == CLV_OK && (f->status < -1 || f->status > CLV_STATUS_DELETED))
        rc = clv_fail_field(err, CLV_INVALID, "status", "is not a known status");
    if (rc == CLV_OK)
        rc = s->ops->service_list(s, f, &pg, out, err);
    s->ops->release(s);
    free(buf);
    return rc;
}

clv_code clv_store_client_list(clv_store *s, const clv_client_filter *f, clv_list *out,
                               clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = clv_store_page_init(f->cursor, f->limit, &pg, &buf, err);

    if (rc == CLV_OK && (f->status < -1 || f->status > CLV_STATUS_DELETED))
        rc = clv_fail_field(err, CLV_INVALID, "status", "is not a known status");
    if (rc == CLV_OK && f->by_effective &&
        (f->effective_status < CLV_STATUS_ACTIVE || f->effective_status > CLV_STATUS_DELETED))
        rc = clv_fail_field(err, CLV_INVALID, "effective_status", "is not a known status");
    if (rc == CLV_OK && (f->type < -1 || f->type > CLV_TYPE_M2M))
        rc = clv_fail_field(err, CLV_INVALID, "type", "is not a known client type");
    if (rc == CLV_OK)
        rc = s->ops->client_list(s, f, &pg, out, err);
    s->ops->release(s);
    free(buf);
    return rc;
}

clv_code clv_store_user_list(clv_store *s, const clv_user_filter *f, clv_list *out, clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = clv_store_page_init(f->cursor, f->limit, &pg, &buf, err);

    if (rc == CLV_OK)
        rc = s->ops->user_list(s, f, &pg, out, err);
    s->ops->release(s);
    free(buf);
    return rc;
}

clv_code clv_store_audit_list(clv_store *s, const clv_audit_filter *f, clv_list *out, clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = clv_store_page_init(f->cursor, f->limit, &pg, &buf, err);

    if (rc == CLV_OK)
        rc = s->ops->audit_list(s, f, &pg, out, err);
    s->ops->release(s);
    free(buf);
    return rc;
}

/* ---- the other operations that check an argument ---- */

clv_code clv_store_iat_insert(clv_store *s, const clv_iat *t, clv_err *err)
{
    clv_code rc;

    if (t->uses_left < -1)
        return clv_fail_field(err, CLV_INVALID, "uses_left", "must be -1 or more");
    rc = s->ops->iat_insert(s, t, err);
    s->ops->release(s);
    return rc;
}

clv_code clv_store_consent_list(clv_store *s, const char *user_id, const char *cursor, int limit,
                                clv_list *out, clv_err *err)
{
    clv_store_page pg;
    char *buf = NULL;
    clv_code rc = clv_store_page_init(cursor, limit, &pg, &buf, err);

    if (rc == CLV_OK)
        rc = s->ops->consent_list(s, user_id, &pg, out, err);
    s->ops->release(s);
    free(buf);
    return rc;
}
