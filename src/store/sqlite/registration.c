/* registration — dynamic client registration in the SQLite backend (RFC 7591 / 7592):
 * initial access tokens, which a tenant admin makes for one service and which are used up
 * one registration at a time, and the registration access token of each registered
 * client. Both are stored by the SHA-256 of their value. Column order follows IAT_COLS of
 * sql.c. */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/impl.h"

/* ---- initial access tokens ---- */

static clv_code iat_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_iat *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "initial access token: out of memory");
    clv_sqlite_row_init(&r, st);
    clv_sqlite_col_blob(&r, v->hash, (int)sizeof v->hash);
    v->id = clv_sqlite_col_text(&r);
    v->service_id = clv_sqlite_col_text(&r);
    v->tenant_id = clv_sqlite_col_text(&r);
    v->created_by = clv_sqlite_col_text(&r);
    v->created_at = clv_sqlite_col_int(&r);
    v->expires_at = clv_sqlite_col_int(&r);
    v->uses_left = clv_sqlite_col_int(&r);
    rc = clv_sqlite_row_end(&r, "initial access token", err);
    if (rc != CLV_OK) {
        clv_iat_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void iat_free_item(void *p)
{
    clv_iat_free(p);
}

static const clv_sqlite_kind iat_kind = {iat_load, NULL, iat_free_item, "initial access token"};

/* CLV_CONFLICT if the hash or the id is taken; CLV_NOT_FOUND if the service does not
 * exist. */
clv_code clv_sqlite_iat_insert(clv_store *s, const clv_iat *t, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_IAT_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_blob(&b, t->hash, (int)sizeof t->hash);
    clv_sqlite_bind_text(&b, t->id);
    clv_sqlite_bind_text(&b, t->service_id);
    clv_sqlite_bind_text(&b, t->tenant_id);
    clv_sqlite_bind_text(&b, t->created_by);
    clv_sqlite_bind_int(&b, t->created_at);
    clv_sqlite_bind_int(&b, t->expires_at);
    clv_sqlite_bind_int(&b, t->uses_left);
    return clv_sqlite_write(c, &b, "iat_insert", false, err);
}

clv_code clv_sqlite_iat_list(clv_store *s, const char *tenant_id, const char *service_id,
                             int64_t now, clv_list *out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_IAT_LIST, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, tenant_id);
    clv_sqlite_bind_text(&b, service_id);
    clv_sqlite_bind_int(&b, now);
    return clv_sqlite_page(c, &b, -1, &iat_kind, out, err);
}

/* The one UPDATE of ST_IAT_USE takes a use only from a token that is live at now and has
 * one left, so two registrations can never share the last use; the row is read back in
 * the same transaction, with uses_left as this use left it. */
clv_code clv_sqlite_iat_use(clv_store *s, const unsigned char hash[32], int64_t now, clv_iat **out,
                            clv_err *err)
{
    clv_sqlite_conn *c;
    clv_code rc = clv_sqlite_conn_get(s, &c, err);
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    bool own = false;
    int changes = 0;
    void *item = NULL;

    if (rc != CLV_OK || (rc = clv_sqlite_atomic_open(c, &own, err)) != CLV_OK)
        return rc;
    if ((st = clv_sqlite_stmt(c, ST_IAT_USE, err)) == NULL) {
        rc = CLV_STORE;
    } else {
        clv_sqlite_bind_init(&b, st);
        clv_sqlite_bind_blob(&b, hash, CLV_SQLITE_HASH_LEN);
        clv_sqlite_bind_int(&b, now);
        rc = clv_sqlite_write_n(c, &b, "iat_use", &changes, err);
    }
    if (rc == CLV_OK && changes == 0)
        rc = clv_fail(err, CLV_NOT_FOUND, "iat_use: no such token, or expired, or used up");
    if (rc == CLV_OK)
        rc = clv_sqlite_hash_one(c, ST_IAT_GET, hash, &iat_kind, &item, err);
    rc = clv_sqlite_atomic_close(c, own, rc, err);
    if (rc != CLV_OK) {
        clv_iat_free(item); /* NULL unless the commit failed after the read */
        return rc;
    }
    *out = item;
    return CLV_OK;
}

/* ---- registration access tokens ---- */

/* CLV_NOT_FOUND if the client does not exist (foreign key). */
clv_code clv_sqlite_regtoken_put(clv_store *s, const char *client_id, const unsigned char hash[32],
                                 clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_REGTOKEN_PUT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, client_id);
    clv_sqlite_bind_blob(&b, hash, CLV_SQLITE_HASH_LEN);
    return clv_sqlite_write(c, &b, "regtoken_put", false, err);
}

clv_code clv_sqlite_regtoken_get(clv_store *s, const char *client_id, unsigned char hash[32],
                                 clv_err *err)
{
    unsigned char got[CLV_SQLITE_HASH_LEN];
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_row r;
    clv_code rc;
    int step;

    if (!clv_sqlite_prepare(s, ST_REGTOKEN_GET, &c, &st, &rc, err))
        return rc;
    step = sqlite3_bind_text(st, 1, client_id, -1, SQLITE_STATIC) == SQLITE_OK ? sqlite3_step(st)
                                                                               : SQLITE_ERROR;
    if (step == SQLITE_ROW) {
        clv_sqlite_row_init(&r, st);
        clv_sqlite_col_blob(&r, got, (int)sizeof got);
        rc = clv_sqlite_row_end(&r, "regtoken_get", err);
    } else if (step == SQLITE_DONE) {
        rc = clv_fail(err, CLV_NOT_FOUND, "regtoken_get: the client has no registration token");
    } else {
        rc = clv_sqlite_fail(c, "regtoken_get", err);
    }
    clv_sqlite_done(st);
    if (rc == CLV_OK)
        memcpy(hash, got, sizeof got);
    return rc;
}

clv_code clv_sqlite_registered_count(clv_store *s, const char *service_id, int64_t *count,
                                     clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_REGISTERED_COUNT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, service_id);
    if ((rc = clv_sqlite_bind_end(&b, c, "registered_count", err)) != CLV_OK) {
        clv_sqlite_done(st);
        return rc;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    else
        rc = clv_sqlite_fail(c, "registered_count", err);
    clv_sqlite_done(st);
    return rc;
}
