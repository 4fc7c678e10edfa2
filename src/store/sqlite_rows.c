/* sqlite_rows — the model's objects other than clients (sqlite_client.c): tenants,
 * services, secrets, users and audit events. Column orders follow the *_COLS lists of
 * sqlite_sql.c. */
#include <stdlib.h>

#include "store/sqlite_impl.h"

/* ---- tenants ---- */

static clv_code tenant_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_tenant *t = calloc(1, sizeof *t);
    clv_sqlite_row r;
    clv_code rc;

    if (t == NULL)
        return clv_fail(err, CLV_NOMEM, "tenant: out of memory");
    clv_sqlite_row_init(&r, st);
    t->id = clv_sqlite_col_text(&r);
    t->name = clv_sqlite_col_text(&r);
    t->status = (clv_status)clv_sqlite_col_int(&r);
    t->created_at = clv_sqlite_col_int(&r);
    rc = clv_sqlite_row_end(&r, "tenant", err);
    if (rc != CLV_OK) {
        clv_tenant_free(t);
        return rc;
    }
    *item = t;
    return CLV_OK;
}

static void tenant_key(const void *item, int64_t *ts, const char **id)
{
    const clv_tenant *t = item;

    *ts = t->created_at;
    *id = t->id;
}

static void tenant_free_item(void *p)
{
    clv_tenant_free(p);
}

static const clv_sqlite_kind tenant_kind = {tenant_load, tenant_key, tenant_free_item, "tenant"};

clv_code clv_sqlite_tenant_insert(clv_store *s, const clv_tenant *t, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_TENANT_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, t->id);
    clv_sqlite_bind_text(&b, t->name);
    clv_sqlite_bind_int(&b, t->status);
    clv_sqlite_bind_int(&b, t->created_at);
    return clv_sqlite_write(c, &b, "tenant_insert", false, err);
}

clv_code clv_sqlite_tenant_get(clv_store *s, const char *id, clv_tenant **out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    void *item = NULL;

    if (!clv_sqlite_prepare(s, ST_TENANT_GET, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, id);
    rc = clv_sqlite_one(c, &b, &tenant_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_sqlite_tenant_update(clv_store *s, const clv_tenant *t, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_TENANT_UPDATE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, t->name);
    clv_sqlite_bind_int(&b, t->status);
    clv_sqlite_bind_text(&b, t->id);
    return clv_sqlite_write(c, &b, "tenant_update", true, err);
}

clv_code clv_sqlite_tenant_list(clv_store *s, const clv_store_page *pg, clv_list *out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_TENANT_LIST, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_page(&b, pg);
    return clv_sqlite_page(c, &b, pg->limit, &tenant_kind, out, err);
}

/* ---- services ---- */

static clv_code service_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_service *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "service: out of memory");
    clv_sqlite_row_init(&r, st);
    v->id = clv_sqlite_col_text(&r);
    v->tenant_id = clv_sqlite_col_text(&r);
    v->name = clv_sqlite_col_text(&r);
    v->description = clv_sqlite_col_text(&r);
    v->status = (clv_status)clv_sqlite_col_int(&r);
    v->approval = (clv_approval)clv_sqlite_col_int(&r);
    v->created_at = clv_sqlite_col_int(&r);
    v->updated_at = clv_sqlite_col_int(&r);
    v->deleted_at = clv_sqlite_col_int(&r);
    v->purge_at = clv_sqlite_col_int(&r);
    v->version = clv_sqlite_col_int(&r);
    v->tenant_status = (clv_status)clv_sqlite_col_int(&r);
    rc = clv_sqlite_row_end(&r, "service", err);
    if (rc != CLV_OK) {
        clv_service_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void service_key(const void *item, int64_t *ts, const char **id)
{
    const clv_service *v = item;

    *ts = v->created_at;
    *id = v->id;
}

static void service_free_item(void *p)
{
    clv_service_free(p);
}

static const clv_sqlite_kind service_kind = {service_load, service_key, service_free_item,
                                             "service"};

clv_code clv_sqlite_service_insert(clv_store *s, const clv_service *svc, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_SERVICE_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, svc->id);
    clv_sqlite_bind_text(&b, svc->tenant_id);
    clv_sqlite_bind_text(&b, svc->name);
    clv_sqlite_bind_text(&b, svc->description);
    clv_sqlite_bind_int(&b, svc->status);
    clv_sqlite_bind_int(&b, svc->approval);
    clv_sqlite_bind_int(&b, svc->created_at);
    clv_sqlite_bind_int(&b, svc->updated_at);
    clv_sqlite_bind_int(&b, svc->deleted_at);
    clv_sqlite_bind_int(&b, svc->purge_at);
    return clv_sqlite_write(c, &b, "service_insert", false, err);
}

clv_code clv_sqlite_service_get(clv_store *s, const char *id, clv_service **out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    void *item = NULL;

    if (!clv_sqlite_prepare(s, ST_SERVICE_GET, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, id);
    rc = clv_sqlite_one(c, &b, &service_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_sqlite_service_update(clv_store *s, const clv_service *svc, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    int changes = 0;

    if (!clv_sqlite_prepare(s, ST_SERVICE_UPDATE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, svc->name);
    clv_sqlite_bind_text(&b, svc->description);
    clv_sqlite_bind_int(&b, svc->status);
    clv_sqlite_bind_int(&b, svc->approval);
    clv_sqlite_bind_int(&b, svc->updated_at);
    clv_sqlite_bind_int(&b, svc->deleted_at);
    clv_sqlite_bind_int(&b, svc->purge_at);
    clv_sqlite_bind_text(&b, svc->id);
    clv_sqlite_bind_int(&b, svc->version);
    rc = clv_sqlite_bind_end(&b, c, "service_update", err);
    if (rc != CLV_OK) {
        clv_sqlite_done(st);
        return rc;
    }
    rc = clv_sqlite_exec(c, st, "service_update", &changes, err);
    if (rc == CLV_OK && changes == 0)
        rc = clv_sqlite_version_miss(c, ST_SERVICE_EXISTS, svc->id, "service_update", err);
    return rc;
}

clv_code clv_sqlite_service_list(clv_store *s, const clv_service_filter *f,
                                 const clv_store_page *pg, clv_list *out, clv_err *err)
{
    clv_sqlite_stmt_id id = ST_SERVICE_LIST_ALL;
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    /* lead with the most selective filter, so that its index is used (sqlite_sql.c) */
    if (f->tenant_id != NULL)
        id = ST_SERVICE_LIST_TENANT;
    else if (f->status >= 0)
        id = ST_SERVICE_LIST_STATUS;
    if (!clv_sqlite_prepare(s, id, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, f->tenant_id);
    clv_sqlite_bind_int(&b, f->status);
    clv_sqlite_bind_page(&b, pg);
    return clv_sqlite_page(c, &b, pg->limit, &service_kind, out, err);
}

/* ---- secrets ---- */

static clv_code secret_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_secret *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "secret: out of memory");
    clv_sqlite_row_init(&r, st);
    v->secret_id = clv_sqlite_col_text(&r);
    v->client_id = clv_sqlite_col_text(&r);
    v->description = clv_sqlite_col_text(&r);
    clv_sqlite_col_blob(&r, v->hash, (int)sizeof v->hash);
    v->created_at = clv_sqlite_col_int(&r);
    v->expires_at = clv_sqlite_col_int(&r);
    v->last_used_at = clv_sqlite_col_int(&r);
    rc = clv_sqlite_row_end(&r, "secret", err);
    if (rc != CLV_OK) {
        clv_secret_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void secret_free_item(void *p)
{
    clv_secret_free(p);
}

static const clv_sqlite_kind secret_kind = {secret_load, NULL, secret_free_item, "secret"};

clv_code clv_sqlite_secret_insert(clv_store *s, const clv_secret *sec, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_SECRET_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, sec->secret_id);
    clv_sqlite_bind_text(&b, sec->client_id);
    clv_sqlite_bind_text(&b, sec->description);
    clv_sqlite_bind_blob(&b, sec->hash, (int)sizeof sec->hash);
    clv_sqlite_bind_int(&b, sec->created_at);
    clv_sqlite_bind_int(&b, sec->expires_at);
    clv_sqlite_bind_int(&b, sec->last_used_at);
    return clv_sqlite_write(c, &b, "secret_insert", false, err);
}

clv_code clv_sqlite_secret_list(clv_store *s, const char *client_id, clv_list *out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_SECRET_LIST, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, client_id);
    return clv_sqlite_page(c, &b, -1, &secret_kind, out, err);
}

clv_code clv_sqlite_secret_delete(clv_store *s, const char *client_id, const char *secret_id,
                                  clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_SECRET_DELETE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, client_id);
    clv_sqlite_bind_text(&b, secret_id);
    return clv_sqlite_write(c, &b, "secret_delete", true, err);
}

clv_code clv_sqlite_secret_touch(clv_store *s, const char *secret_id, int64_t at, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_SECRET_TOUCH, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_int(&b, at);
    clv_sqlite_bind_text(&b, secret_id);
    return clv_sqlite_write(c, &b, "secret_touch", true, err);
}

/* ---- users ---- */

static clv_code user_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_user *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "user: out of memory");
    clv_sqlite_row_init(&r, st);
    v->id = clv_sqlite_col_text(&r);
    v->tenant_id = clv_sqlite_col_text(&r);
    v->username = clv_sqlite_col_text(&r);
    v->email = clv_sqlite_col_text(&r);
    v->password_hash = clv_sqlite_col_text(&r);
    v->roles = clv_sqlite_col_json(&r, true);
    v->status = (clv_status)clv_sqlite_col_int(&r);
    v->created_at = clv_sqlite_col_int(&r);
    v->updated_at = clv_sqlite_col_int(&r);
    rc = clv_sqlite_row_end(&r, "user", err);
    if (rc != CLV_OK) {
        clv_user_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void user_key(const void *item, int64_t *ts, const char **id)
{
    const clv_user *v = item;

    *ts = v->created_at;
    *id = v->id;
}

static void user_free_item(void *p)
{
    clv_user_free(p);
}

static const clv_sqlite_kind user_kind = {user_load, user_key, user_free_item, "user"};

clv_code clv_sqlite_user_insert(clv_store *s, const clv_user *u, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_USER_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, u->id);
    clv_sqlite_bind_text(&b, u->tenant_id);
    clv_sqlite_bind_text(&b, u->username);
    clv_sqlite_bind_text(&b, u->email);
    clv_sqlite_bind_text(&b, u->password_hash);
    clv_sqlite_bind_json(&b, u->roles, "[]");
    clv_sqlite_bind_int(&b, u->status);
    clv_sqlite_bind_int(&b, u->created_at);
    clv_sqlite_bind_int(&b, u->updated_at);
    return clv_sqlite_write(c, &b, "user_insert", false, err);
}

/* Runs a user select with parameters one and, unless NULL, two. */
static clv_code user_fetch(clv_store *s, clv_sqlite_stmt_id id, const char *one, const char *two,
                           clv_user **out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    void *item = NULL;

    if (!clv_sqlite_prepare(s, id, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, one);
    if (two != NULL)
        clv_sqlite_bind_text(&b, two);
    rc = clv_sqlite_one(c, &b, &user_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_sqlite_user_get(clv_store *s, const char *id, clv_user **out, clv_err *err)
{
    return user_fetch(s, ST_USER_GET, id, NULL, out, err);
}

clv_code clv_sqlite_user_find(clv_store *s, const char *tenant_id, const char *username,
                              clv_user **out, clv_err *err)
{
    return user_fetch(s, ST_USER_FIND, tenant_id, username, out, err);
}

clv_code clv_sqlite_user_update(clv_store *s, const clv_user *u, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_USER_UPDATE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, u->username);
    clv_sqlite_bind_text(&b, u->email);
    clv_sqlite_bind_text(&b, u->password_hash);
    clv_sqlite_bind_json(&b, u->roles, "[]");
    clv_sqlite_bind_int(&b, u->status);
    clv_sqlite_bind_int(&b, u->updated_at);
    clv_sqlite_bind_text(&b, u->id);
    return clv_sqlite_write(c, &b, "user_update", true, err);
}

clv_code clv_sqlite_user_delete(clv_store *s, const char *id, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_USER_DELETE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, id);
    return clv_sqlite_write(c, &b, "user_delete", true, err);
}

clv_code clv_sqlite_user_list(clv_store *s, const clv_user_filter *f, const clv_store_page *pg,
                              clv_list *out, clv_err *err)
{
    clv_sqlite_stmt_id id = f->tenant_id != NULL ? ST_USER_LIST_TENANT : ST_USER_LIST_ALL;
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, id, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, f->tenant_id);
    clv_sqlite_bind_page(&b, pg);
    return clv_sqlite_page(c, &b, pg->limit, &user_kind, out, err);
}

/* ---- audit ---- */

static clv_code audit_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_audit *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "audit: out of memory");
    clv_sqlite_row_init(&r, st);
    v->id = clv_sqlite_col_text(&r);
    v->at = clv_sqlite_col_int(&r);
    v->actor_type = clv_sqlite_col_text(&r);
    v->actor_id = clv_sqlite_col_text(&r);
    v->tenant_id = clv_sqlite_col_text(&r);
    v->action = clv_sqlite_col_text(&r);
    v->target_type = clv_sqlite_col_text(&r);
    v->target_id = clv_sqlite_col_text(&r);
    v->changes = clv_sqlite_col_json(&r, false);
    rc = clv_sqlite_row_end(&r, "audit", err);
    if (rc != CLV_OK) {
        clv_audit_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void audit_key(const void *item, int64_t *ts, const char **id)
{
    const clv_audit *v = item;

    *ts = v->at;
    *id = v->id;
}

static void audit_free_item(void *p)
{
    clv_audit_free(p);
}

static const clv_sqlite_kind audit_kind = {audit_load, audit_key, audit_free_item, "audit"};

clv_code clv_sqlite_audit_insert(clv_store *s, const clv_audit *a, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_AUDIT_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, a->id);
    clv_sqlite_bind_int(&b, a->at);
    clv_sqlite_bind_text(&b, a->actor_type);
    clv_sqlite_bind_text(&b, a->actor_id);
    clv_sqlite_bind_text(&b, a->tenant_id);
    clv_sqlite_bind_text(&b, a->action);
    clv_sqlite_bind_text(&b, a->target_type);
    clv_sqlite_bind_text(&b, a->target_id);
    clv_sqlite_bind_json(&b, a->changes, "{}");
    return clv_sqlite_write(c, &b, "audit_insert", false, err);
}

clv_code clv_sqlite_audit_list(clv_store *s, const clv_audit_filter *f, const clv_store_page *pg,
                               clv_list *out, clv_err *err)
{
    clv_sqlite_stmt_id id = ST_AUDIT_LIST_ALL;
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (f->target_id != NULL)
        id = ST_AUDIT_LIST_TARGET;
    else if (f->actor_id != NULL)
        id = ST_AUDIT_LIST_ACTOR;
    else if (f->tenant_id != NULL)
        id = ST_AUDIT_LIST_TENANT;
    if (!clv_sqlite_prepare(s, id, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, f->tenant_id);
    clv_sqlite_bind_text(&b, f->target_id);
    clv_sqlite_bind_text(&b, f->actor_id);
    clv_sqlite_bind_int(&b, f->since);
    clv_sqlite_bind_page(&b, pg);
    return clv_sqlite_page(c, &b, pg->limit, &audit_kind, out, err);
}
