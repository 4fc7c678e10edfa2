/* consents — users' remembered consents in the SQLite backend (docs/DESIGN.md D3).
 * One row per (user, client), removed with either by ON DELETE CASCADE. Column order
 * follows CONSENT_COLS of sql.c. */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/impl.h"

static clv_code consent_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_consent *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "consent: out of memory");
    clv_sqlite_row_init(&r, st);
    v->user_id = clv_sqlite_col_text(&r);
    v->client_id = clv_sqlite_col_text(&r);
    v->tenant_id = clv_sqlite_col_text(&r);
    v->scope = clv_sqlite_col_text(&r);
    v->created_at = clv_sqlite_col_int(&r);
    v->updated_at = clv_sqlite_col_int(&r);
    rc = clv_sqlite_row_end(&r, "consent", err);
    if (rc != CLV_OK) {
        clv_consent_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void consent_key(const void *item, int64_t *ts, const char **id)
{
    const clv_consent *c = item;

    *ts = c->created_at;
    *id = c->client_id;
}

static void consent_free_item(void *p)
{
    clv_consent_free(p);
}

static const clv_sqlite_kind consent_kind = {consent_load, consent_key, consent_free_item,
                                             "consent"};

clv_code clv_sqlite_consent_get(clv_store *s, const char *user_id, const char *client_id,
                                clv_consent **out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    void *item = NULL;

    if (!clv_sqlite_prepare(s, ST_CONSENT_GET, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, user_id);
    clv_sqlite_bind_text(&b, client_id);
    rc = clv_sqlite_one(c, &b, &consent_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_sqlite_consent_put(clv_store *s, const clv_consent *v, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_CONSENT_PUT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, v->user_id);
    clv_sqlite_bind_text(&b, v->client_id);
    clv_sqlite_bind_text(&b, v->tenant_id);
    clv_sqlite_bind_text(&b, v->scope);
    clv_sqlite_bind_int(&b, v->created_at);
    clv_sqlite_bind_int(&b, v->updated_at);
    return clv_sqlite_write(c, &b, "consent_put", false, err);
}

clv_code clv_sqlite_consent_list(clv_store *s, const char *user_id, const clv_store_page *pg,
                                 clv_list *out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_CONSENT_LIST, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, user_id);
    clv_sqlite_bind_page(&b, pg);
    return clv_sqlite_page(c, &b, pg->limit, &consent_kind, out, err);
}

clv_code clv_sqlite_consent_delete(clv_store *s, const char *user_id, const char *client_id,
                                   clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_CONSENT_DELETE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, user_id);
    clv_sqlite_bind_text(&b, client_id);
    return clv_sqlite_write(c, &b, "consent_delete", true, err);
}
