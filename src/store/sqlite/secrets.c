/* secrets — the SQLite backend's client secrets (their HMAC hashes, never the plaintext):
 * insert, list, delete, touch. Column order follows SECRET_COLS of sql.c. */
#include <stdlib.h>

#include "store/sqlite/impl.h"

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
