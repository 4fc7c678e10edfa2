/* signing_keys — the SQLite backend's signing keys (sealed; docs/DESIGN.md "Signing keys
 * and the KEK") and the removal of a meta value. Column order follows the statements in
 * sql.c: kid, alg, active, created_at, retire_at, sealed. */
#include <stdlib.h>

#include "store/sqlite/impl.h"

static clv_code key_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_signing_key *k = calloc(1, sizeof *k);
    clv_sqlite_row r;
    clv_code rc;

    if (k == NULL)
        return clv_fail(err, CLV_NOMEM, "signing_key: out of memory");
    clv_sqlite_row_init(&r, st);
    k->kid = clv_sqlite_col_text(&r);
    k->alg = (clv_alg)clv_sqlite_col_int(&r);
    k->active = clv_sqlite_col_int(&r) != 0;
    k->created_at = clv_sqlite_col_int(&r);
    k->retire_at = clv_sqlite_col_int(&r);
    k->sealed = clv_sqlite_col_text(&r);
    rc = clv_sqlite_row_end(&r, "signing_key", err);
    if (rc == CLV_OK && (k->kid == NULL || k->sealed == NULL))
        rc = clv_fail(err, CLV_NOMEM, "signing_key: out of memory");
    if (rc != CLV_OK) {
        clv_signing_key_free(k);
        return rc;
    }
    *item = k;
    return CLV_OK;
}

static void key_free_item(void *p)
{
    clv_signing_key_free(p);
}

static const clv_sqlite_kind key_kind = {key_load, NULL, key_free_item, "signing_key"};

clv_code clv_sqlite_signing_key_list(clv_store *s, clv_list *out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_SIGNING_KEY_LIST, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    return clv_sqlite_page(c, &b, -1, &key_kind, out, err);
}

clv_code clv_sqlite_signing_key_insert(clv_store *s, const clv_signing_key *k, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_SIGNING_KEY_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, k->kid);
    clv_sqlite_bind_int(&b, (int64_t)k->alg);
    clv_sqlite_bind_int(&b, k->active ? 1 : 0);
    clv_sqlite_bind_int(&b, k->created_at);
    clv_sqlite_bind_int(&b, k->retire_at);
    clv_sqlite_bind_text(&b, k->sealed);
    return clv_sqlite_write(c, &b, "signing_key_insert", false, err);
}

/* A statement that binds a kid and a time and changes one row (CLV_NOT_FOUND: none). */
static clv_code write_kid_at(clv_store *s, clv_sqlite_stmt_id id, const char *kid, int64_t at,
                             const char *what, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, id, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, kid);
    clv_sqlite_bind_int(&b, at);
    return clv_sqlite_write(c, &b, what, true, err);
}

clv_code clv_sqlite_signing_key_retire(clv_store *s, const char *kid, int64_t retire_at,
                                       clv_err *err)
{
    return write_kid_at(s, ST_SIGNING_KEY_RETIRE, kid, retire_at, "signing_key_retire", err);
}

clv_code clv_sqlite_signing_key_activate(clv_store *s, const char *kid, int64_t at, clv_err *err)
{
    return write_kid_at(s, ST_SIGNING_KEY_ACTIVATE, kid, at, "signing_key_activate", err);
}

/* A statement that binds one integer or one text and changes any number of rows. */
static clv_code write_one(clv_store *s, clv_sqlite_stmt_id id, const char *text, int64_t num,
                          const char *what, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, id, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    if (text != NULL)
        clv_sqlite_bind_text(&b, text);
    else
        clv_sqlite_bind_int(&b, num);
    return clv_sqlite_write(c, &b, what, false, err);
}

clv_code clv_sqlite_signing_key_purge(clv_store *s, int64_t now, clv_err *err)
{
    return write_one(s, ST_SIGNING_KEY_PURGE, NULL, now, "signing_key_purge", err);
}

clv_code clv_sqlite_meta_delete(clv_store *s, const char *name, clv_err *err)
{
    return write_one(s, ST_META_DELETE, name, 0, "meta_delete", err);
}

clv_code clv_sqlite_signing_key_version(clv_store *s, int64_t *version, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_SIGNING_KEY_VERSION, &c, &st, &rc, err))
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *version = sqlite3_column_int64(st, 0);
        rc = CLV_OK;
    } else {
        rc = clv_sqlite_fail(c, "signing_key_version", err);
    }
    clv_sqlite_done(st);
    return rc;
}
