/* purge — the SQLite backend's side of retention (clv_store_purge, store_ops.h): removing
 * for good the clients and services whose retention has passed, and saying which, and the
 * rows that have expired. Storage only: the audit events of a purge are written by
 * src/core/retention.c. */
#include <stdlib.h>

#include "store/sqlite/impl.h"

/* A row of ST_PURGE_SELECT: 0 (a client) or 1 (a service), its id, its tenant's id. */
static clv_code purged_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_store_purged *p = calloc(1, sizeof *p);
    clv_sqlite_row r;
    clv_code rc;

    if (p == NULL)
        return clv_fail(err, CLV_NOMEM, "purge: out of memory");
    clv_sqlite_row_init(&r, st);
    p->kind = clv_sqlite_col_int(&r) == 1 ? "service" : "client";
    p->id = clv_sqlite_col_text(&r);
    p->tenant_id = clv_sqlite_col_text(&r);
    rc = clv_sqlite_row_end(&r, "purge", err);
    if (rc == CLV_OK && p->id == NULL)
        rc = clv_fail(err, CLV_STORE, "purge: a row without an id");
    if (rc != CLV_OK) {
        clv_store_purged_free(p);
        return rc;
    }
    *item = p;
    return CLV_OK;
}

static const clv_sqlite_kind purged_kind = {purged_load, NULL, clv_store_purged_free, "purge"};

/* Runs statement `id` with ?1 = now: into *removed for the select, else a delete. */
static clv_code purge_step(clv_sqlite_conn *c, clv_sqlite_stmt_id id, int64_t now,
                           clv_list *removed, clv_err *err)
{
    sqlite3_stmt *st = clv_sqlite_stmt(c, id, err);
    clv_sqlite_bind b;

    if (st == NULL)
        return CLV_STORE;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_int(&b, now);
    if (removed != NULL)
        return clv_sqlite_page(c, &b, -1, &purged_kind, removed, err);
    return clv_sqlite_write(c, &b, "purge", false, err);
}

/* The rows that are kept only until they expire: deleted by ?1 = now, without a trace. */
static const clv_sqlite_stmt_id purge_expired[] = {
    ST_PURGE_JTI,      ST_PURGE_AUTHCODES,      ST_PURGE_REFRESH, ST_PURGE_FAMILIES,
    ST_PURGE_SESSIONS, ST_PURGE_ASSERTION_JTIS, ST_PURGE_IATS};

clv_code clv_sqlite_purge(clv_store *s, int64_t now, clv_list *removed, clv_err *err)
{
    clv_list l = {0};
    clv_sqlite_conn *c;
    clv_code rc = clv_sqlite_conn_get(s, &c, err);
    bool own = false;

    if (rc != CLV_OK || (rc = clv_sqlite_atomic_open(c, &own, err)) != CLV_OK)
        return rc;
    /* What goes, first, while it is there; the client select also takes the clients of
     * services being purged (docs/API.md "Services": a service goes with all its clients). */
    rc = purge_step(c, ST_PURGE_SELECT, now, &l, err);
    /* secrets, codes, refresh tokens and registration tokens go by ON DELETE CASCADE with
     * their client, initial access tokens with their service */
    if (rc == CLV_OK)
        rc = purge_step(c, ST_PURGE_CLIENTS_DELETE, now, NULL, err);
    if (rc == CLV_OK)
        rc = purge_step(c, ST_PURGE_SERVICES_DELETE, now, NULL, err);
    for (size_t i = 0; rc == CLV_OK && i < sizeof purge_expired / sizeof purge_expired[0]; i++)
        rc = purge_step(c, purge_expired[i], now, NULL, err);
    rc = clv_sqlite_atomic_close(c, own, rc, err);
    if (rc == CLV_OK) {
        *removed = l;
        return CLV_OK;
    }
    clv_list_cleanup(&l);
    return rc;
}

clv_code clv_sqlite_purge_lock(clv_store *s, bool *got, clv_err *err)
{
    (void)s;
    (void)err;
    *got = true; /* the caller's BEGIN IMMEDIATE holds the database's one write lock */
    return CLV_OK;
}

/* Processes that share one SQLite file have no channel to tell each other of a change:
 * their caches' time limit (src/core/client_cache.h) is the only way they see one. */
clv_code clv_sqlite_changes_wait(clv_store *s, int timeout_ms, clv_store_change_fn fn, void *ctx,
                                 clv_err *err)
{
    (void)s, (void)timeout_ms, (void)fn, (void)ctx;
    return clv_fail(err, CLV_NOT_FOUND, "changes: SQLite has no change notifications");
}
