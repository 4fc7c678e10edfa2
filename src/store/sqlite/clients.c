/* clients — clients in the SQLite backend: insert, get (joined with the service and
 * tenant statuses through the client_v view), versioned update, touch and the filtered,
 * keyset-paginated list. Column orders follow CLIENT_COLS / CLIENT_MUT_COLS of
 * sql.c. */
#include <stdlib.h>
#include <string.h>

#include "store/client_columns.h"
#include "store/sqlite/impl.h"

/* Binds the columns an update writes, in CLIENT_MUT_COLS order (store/client_columns.h). A
 * NULL list binds "[]" (lists are never NULL in a complete object); a NULL jwks stays NULL. */
static void bind_mutable(clv_sqlite_bind *b, const clv_client *c)
{
#define B_TEXT(m) clv_sqlite_bind_text(b, c->m);
#define B_INT(m) clv_sqlite_bind_int(b, c->m);
#define B_LIST(m) clv_sqlite_bind_json(b, c->m, "[]");
#define B_OBJ(m) clv_sqlite_bind_json(b, c->m, NULL);
    CLV_CLIENT_MUT_COLUMNS(B_TEXT, B_INT, B_LIST, B_OBJ)
#undef B_TEXT
#undef B_INT
#undef B_LIST
#undef B_OBJ
}

/* Loads the CLIENT_MUT_COLS part of a row (store/client_columns.h). */
static void load_mutable(clv_sqlite_row *r, clv_client *c)
{
#define L_TEXT(m) c->m = clv_sqlite_col_text(r);
#define L_INT(m) c->m = clv_sqlite_col_int(r); /* an enum, or a bool: 0 is false */
#define L_LIST(m) c->m = clv_sqlite_col_json(r, true);
#define L_OBJ(m) c->m = clv_sqlite_col_json(r, false);
    CLV_CLIENT_MUT_COLUMNS(L_TEXT, L_INT, L_LIST, L_OBJ)
#undef L_TEXT
#undef L_INT
#undef L_LIST
#undef L_OBJ
}

/* A row of CLIENT_COLS into a new client. */
static clv_code client_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_client *c = calloc(1, sizeof *c);
    clv_sqlite_row r;
    clv_code rc;

    if (c == NULL)
        return clv_fail(err, CLV_NOMEM, "client: out of memory");
    clv_sqlite_row_init(&r, st);
    c->id = clv_sqlite_col_text(&r);
    c->client_id = clv_sqlite_col_text(&r);
    c->service_id = clv_sqlite_col_text(&r);
    c->tenant_id = clv_sqlite_col_text(&r);
    c->type = (clv_client_type)clv_sqlite_col_int(&r);
    c->created_at = clv_sqlite_col_int(&r);
    c->version = clv_sqlite_col_int(&r);
    load_mutable(&r, c);
    c->service_status = (clv_status)clv_sqlite_col_int(&r);
    c->service_approval = (clv_approval)clv_sqlite_col_int(&r);
    c->tenant_status = (clv_status)clv_sqlite_col_int(&r);
    c->first_party = clv_sqlite_col_int(&r) != 0;
    rc = clv_sqlite_row_end(&r, "client", err);
    if (rc != CLV_OK) {
        clv_client_free(c);
        return rc;
    }
    *item = c;
    return CLV_OK;
}

static void client_key(const void *item, int64_t *ts, const char **id)
{
    const clv_client *c = item;

    *ts = c->created_at;
    *id = c->id;
}

static void client_free_item(void *p)
{
    clv_client_free(p);
}

static const clv_sqlite_kind client_kind = {client_load, client_key, client_free_item, "client"};

/* Writes first_party, which the insert and update statements leave to this one so that a
 * store writing as a release before migration 5 (the upgrade tests) still can. */
static clv_code first_party_write(clv_sqlite_conn *c, const clv_client *cl, clv_err *err)
{
    sqlite3_stmt *st;
    clv_sqlite_bind b;

    if (clv_sqlite_writes_as(c) < 5)
        return CLV_OK;
    if ((st = clv_sqlite_stmt(c, ST_CLIENT_FIRST_PARTY, err)) == NULL)
        return CLV_STORE;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, cl->id);
    clv_sqlite_bind_int(&b, cl->first_party);
    return clv_sqlite_write(c, &b, "client_first_party", true, err);
}

clv_code clv_sqlite_client_insert(clv_store *s, const clv_client *cl, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    int changes = 0;
    bool own;

    if (!clv_sqlite_prepare(s, ST_CLIENT_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, cl->id);
    clv_sqlite_bind_text(&b, cl->client_id);
    clv_sqlite_bind_text(&b, cl->service_id);
    clv_sqlite_bind_int(&b, cl->type);
    clv_sqlite_bind_int(&b, cl->created_at);
    bind_mutable(&b, cl);
    if ((rc = clv_sqlite_bind_end(&b, c, "client_insert", err)) != CLV_OK ||
        (rc = clv_sqlite_atomic_open(c, &own, err)) != CLV_OK) {
        clv_sqlite_done(st);
        return rc;
    }
    rc = clv_sqlite_exec(c, st, "client_insert", &changes, err);
    if (rc == CLV_OK && changes == 0) /* INSERT … SELECT found no service */
        rc = clv_fail(err, CLV_NOT_FOUND, "client_insert: no service %s", cl->service_id);
    if (rc == CLV_OK)
        rc = clv_sqlite_q_place(c, cl, err);
    if (rc == CLV_OK && !cl->first_party) /* the column's default is 1 */
        rc = first_party_write(c, cl, err);
    return clv_sqlite_atomic_close(c, own, rc, err);
}

clv_code clv_sqlite_client_get(clv_store *s, const char *client_id, clv_client **out, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    void *item = NULL;

    if (!clv_sqlite_prepare(s, ST_CLIENT_GET, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, client_id);
    rc = clv_sqlite_one(c, &b, &client_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_sqlite_client_update(clv_store *s, const clv_client *cl, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    int changes = 0;
    bool own;

    if (!clv_sqlite_prepare(s, ST_CLIENT_UPDATE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    bind_mutable(&b, cl);
    clv_sqlite_bind_text(&b, cl->id);
    clv_sqlite_bind_int(&b, cl->version);
    if ((rc = clv_sqlite_bind_end(&b, c, "client_update", err)) != CLV_OK ||
        (rc = clv_sqlite_atomic_open(c, &own, err)) != CLV_OK) {
        clv_sqlite_done(st);
        return rc;
    }
    rc = clv_sqlite_exec(c, st, "client_update", &changes, err);
    if (rc == CLV_OK && changes == 0)
        rc = clv_sqlite_version_miss(c, ST_CLIENT_EXISTS, cl->id, "client_update", err);
    if (rc == CLV_OK)
        rc = first_party_write(c, cl, err);
    return clv_sqlite_atomic_close(c, own, rc, err);
}

clv_code clv_sqlite_client_touch(clv_store *s, const char *client_id, int64_t at, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_CLIENT_TOUCH, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_int(&b, at);
    clv_sqlite_bind_text(&b, client_id);
    return clv_sqlite_write(c, &b, "client_touch", true, err);
}

/* ?12 and ?13 of the list statements (sql.c CLIENT_HYGIENE_MATCH): NULL when not asked. */
static void bind_hygiene(clv_sqlite_bind *b, const clv_client_filter *f)
{
    if (f->by_unused)
        clv_sqlite_bind_int(b, f->unused_since);
    else
        clv_sqlite_bind_text(b, NULL);
    if (f->by_secret_expiry)
        clv_sqlite_bind_int(b, f->secret_expires_before);
    else
        clv_sqlite_bind_text(b, NULL);
}

clv_code clv_sqlite_client_list(clv_store *s, const clv_client_filter *f, const clv_store_page *pg,
                                clv_list *out, clv_err *err)
{
    clv_sqlite_stmt_id id = ST_CLIENT_LIST_ALL;
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc = clv_sqlite_conn_get(s, &c, err);
    char *match = NULL;

    /* With q, read its index newest first (q_index.c); else lead with the most selective
     * filter, so that the planner walks its index (sql.c); the other filters are
     * checked on the rows it visits. */
    if (rc == CLV_OK)
        rc = clv_sqlite_q_match(c, f, &id, &match, err);
    if (rc != CLV_OK)
        return rc;
    if (match == NULL) {
        if (f->service_id != NULL)
            id = ST_CLIENT_LIST_SERVICE;
        else if (f->tenant_id != NULL)
            id = ST_CLIENT_LIST_TENANT;
        else if (f->status >= 0)
            id = ST_CLIENT_LIST_STATUS;
    }
    if (!clv_sqlite_prepare(s, id, &c, &st, &rc, err)) {
        free(match);
        return rc;
    }
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, f->service_id);
    clv_sqlite_bind_text(&b, f->tenant_id);
    clv_sqlite_bind_int(&b, f->status);
    clv_sqlite_bind_int(&b, f->type);
    clv_sqlite_bind_text(&b, f->q);
    clv_sqlite_bind_page(&b, pg);
    clv_sqlite_bind_int(&b, f->by_effective ? (int64_t)f->effective_status : -1);
    /* ?10, the first key past the cursor's second, and ?11 (only the index variants read
     * them; the others are given NULL) */
    if (match != NULL)
        clv_sqlite_bind_int(&b, pg->ts < 0 ? 0
                                : pg->ts >= INT64_MAX / CLV_SQLITE_Q_SECOND - 1
                                    ? INT64_MAX
                                    : (pg->ts + 1) * CLV_SQLITE_Q_SECOND);
    else
        clv_sqlite_bind_text(&b, NULL);
    clv_sqlite_bind_text(&b, match); /* static: freed below, after the statement ran */
    bind_hygiene(&b, f);
    rc = clv_sqlite_page(c, &b, pg->limit, &client_kind, out, err);
    free(match);
    return rc;
}

clv_code clv_sqlite_client_count(clv_store *s, int64_t counts[3], clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_row r;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_CLIENT_COUNT, &c, &st, &rc, err))
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        clv_sqlite_row_init(&r, st);
        for (int i = 0; i < 3; i++)
            counts[i] = clv_sqlite_col_int(&r);
        rc = clv_sqlite_row_end(&r, "client_count", err);
    } else {
        rc = clv_sqlite_fail(c, "client_count", err);
    }
    clv_sqlite_done(st);
    return rc;
}

clv_code clv_sqlite_hygiene_candidates(clv_store *s, int64_t now, int limit, clv_list *out,
                                       clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_HYGIENE_CANDIDATES, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_int(&b, now);
    clv_sqlite_bind_int(&b, limit);
    return clv_sqlite_page(c, &b, -1, &client_kind, out, err);
}
