/* users — the SQLite backend's end users: insert, get by id, find by (tenant, username),
 * update, delete and the keyset-paginated list. Column order follows USER_COLS of sql.c. */
#include <stdlib.h>

#include "store/sqlite/impl.h"

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
