/* purge — the SQLite backend's retention: removing for good the clients and services whose
 * retention has passed and the rows that have expired (see clv_store_purge in store.h). */
#include "core/ids.h"
#include "store/sqlite/impl.h"

/* ---- retention ---- */

/* Writes a "purge" audit event for each row (target id, tenant id) of the bound select
 * `st`, counting them into *n. */
static clv_code purge_audit(clv_store *s, clv_sqlite_conn *c, sqlite3_stmt *st,
                            const char *target_type, int64_t now, int *n, clv_err *err)
{
    char id[CLV_ID_LEN];
    clv_audit a = {.id = id,
                   .at = now,
                   .actor_type = "system",
                   .actor_id = "purge",
                   .action = "purge",
                   .target_type = (char *)target_type};
    clv_code rc = CLV_OK;
    int step;

    a.changes = json_object();
    if (a.changes == NULL)
        return clv_fail(err, CLV_NOMEM, "purge: out of memory");
    while (rc == CLV_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        a.target_id = (char *)sqlite3_column_text(st, 0);
        a.tenant_id = (char *)sqlite3_column_text(st, 1);
        if (a.target_id == NULL)
            rc = clv_sqlite_fail(c, "purge", err);
        else if (!clv_id_new("ev", id))
            rc = clv_fail(err, CLV_CRYPTO, "purge: CSPRNG failed");
        else
            rc = clv_sqlite_audit_insert(s, &a, err);
        if (rc == CLV_OK)
            (*n)++;
    }
    if (rc == CLV_OK && step != SQLITE_DONE)
        rc = clv_sqlite_fail(c, "purge", err);
    clv_sqlite_done(st);
    json_decref(a.changes);
    return rc;
}

/* Runs statement `id` with ?1 = now; for a select, audits its rows as target_type. */
static clv_code purge_step(clv_store *s, clv_sqlite_conn *c, clv_sqlite_stmt_id id,
                           const char *target_type, int64_t now, int *n, clv_err *err)
{
    sqlite3_stmt *st = clv_sqlite_stmt(c, id, err);

    if (st == NULL)
        return CLV_STORE;
    if (sqlite3_bind_int64(st, 1, now) != SQLITE_OK) {
        clv_sqlite_done(st);
        return clv_sqlite_fail(c, "purge", err);
    }
    if (target_type != NULL)
        return purge_audit(s, c, st, target_type, now, n, err);
    return clv_sqlite_exec(c, st, "purge", NULL, err);
}

/* The rows that are kept only until they expire: deleted by ?1 = now, without audit. */
static const clv_sqlite_stmt_id purge_expired[] = {
    ST_PURGE_JTI,      ST_PURGE_AUTHCODES,      ST_PURGE_REFRESH, ST_PURGE_FAMILIES,
    ST_PURGE_SESSIONS, ST_PURGE_ASSERTION_JTIS, ST_PURGE_IATS};

clv_code clv_sqlite_purge(clv_store *s, int64_t now, int *purged, clv_err *err)
{
    clv_sqlite_conn *c;
    clv_code rc = clv_sqlite_conn_get(s, &c, err);
    bool own = false;
    int n = 0;

    if (rc != CLV_OK || (rc = clv_sqlite_atomic_open(c, &own, err)) != CLV_OK)
        return rc;
    /* The audit rows first, while the rows they tell about are still there; the client
     * select also takes the clients of services being purged (SPEC §5.14). */
    rc = purge_step(s, c, ST_PURGE_CLIENTS_SELECT, "client", now, &n, err);
    if (rc == CLV_OK)
        rc = purge_step(s, c, ST_PURGE_SERVICES_SELECT, "service", now, &n, err);
    /* secrets, codes, refresh tokens and registration tokens go by ON DELETE CASCADE with
     * their client, initial access tokens with their service */
    if (rc == CLV_OK)
        rc = purge_step(s, c, ST_PURGE_CLIENTS_DELETE, NULL, now, NULL, err);
    if (rc == CLV_OK)
        rc = purge_step(s, c, ST_PURGE_SERVICES_DELETE, NULL, now, NULL, err);
    for (size_t i = 0; rc == CLV_OK && i < sizeof purge_expired / sizeof purge_expired[0]; i++)
        rc = purge_step(s, c, purge_expired[i], NULL, now, NULL, err);
    rc = clv_sqlite_atomic_close(c, own, rc, err);
    if (rc == CLV_OK)
        *purged = n;
    return rc;
}
