/* registration — dynamic client registration in the PostgreSQL backend (RFC 7591 / 7592):
 * initial access tokens, used up one registration at a time, and each registered client's
 * registration access token, both stored by the SHA-256 of their value; and the purge
 * (clv_store_purge), storage only: its audit events are src/core/retention.c's. Column
 * order follows IAT_COLS of sql.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/impl.h"

/* ---- initial access tokens ---- */

static clv_code iat_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_iat *v = calloc(1, sizeof *v);
    clv_pg_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "initial access token: out of memory");
    clv_pg_row_init(&r, res, row);
    clv_pg_col_bytes(&r, v->hash, sizeof v->hash);
    v->id = clv_pg_col_text(&r);
    v->service_id = clv_pg_col_text(&r);
    v->tenant_id = clv_pg_col_text(&r);
    v->created_by = clv_pg_col_text(&r);
    v->created_at = clv_pg_col_int(&r);
    v->expires_at = clv_pg_col_int(&r);
    v->uses_left = clv_pg_col_int(&r);
    rc = clv_pg_row_end(&r, "initial access token", err);
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

static const clv_pg_kind iat_kind = {iat_load, NULL, iat_free_item, "initial access token"};

/* CLV_CONFLICT if the hash or the id is taken; CLV_NOT_FOUND if the service does not
 * exist. */
clv_code clv_pg_iat_insert(clv_store *s, const clv_iat *t, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_bytes(&p, t->hash, sizeof t->hash);
    clv_pg_text(&p, t->id);
    clv_pg_text(&p, t->service_id);
    clv_pg_text(&p, t->tenant_id);
    clv_pg_text(&p, t->created_by);
    clv_pg_int(&p, t->created_at);
    clv_pg_int(&p, t->expires_at);
    clv_pg_int(&p, t->uses_left);
    return clv_pg_write(s, PG_IAT_INSERT, &p, "iat_insert", false, err);
}

clv_code clv_pg_iat_list(clv_store *s, const char *tenant_id, const char *service_id, int64_t now,
                         clv_list *out, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, tenant_id);
    clv_pg_text(&p, service_id);
    clv_pg_int(&p, now);
    return clv_pg_page(s, PG_IAT_LIST, &p, -1, &iat_kind, out, err);
}

/* One UPDATE … RETURNING (PG_IAT_USE) takes a use only from a token that is live at now
 * and has one left, and gives the row as this use left it. */
clv_code clv_pg_iat_use(clv_store *s, const unsigned char hash[32], int64_t now, clv_iat **out,
                        clv_err *err)
{
    clv_pg_params p;
    void *item = NULL;
    clv_code rc;

    clv_pg_params_init(&p);
    clv_pg_bytes(&p, hash, CLV_PG_HASH_LEN);
    clv_pg_int(&p, now);
    rc = clv_pg_one(s, PG_IAT_USE, &p, &iat_kind, &item, err);
    if (rc == CLV_NOT_FOUND)
        return clv_fail(err, CLV_NOT_FOUND, "iat_use: no such token, or expired, or used up");
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

/* ---- registration access tokens ---- */

/* CLV_NOT_FOUND if the client does not exist (foreign key). */
clv_code clv_pg_regtoken_put(clv_store *s, const char *client_id, const unsigned char hash[32],
                             clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, client_id);
    clv_pg_bytes(&p, hash, CLV_PG_HASH_LEN);
    return clv_pg_write(s, PG_REGTOKEN_PUT, &p, "regtoken_put", false, err);
}

typedef struct {
    unsigned char hash[CLV_PG_HASH_LEN];
} regtoken;

static clv_code regtoken_load(const PGresult *res, int row, void **item, clv_err *err)
{
    regtoken *t = calloc(1, sizeof *t);
    clv_pg_row r;
    clv_code rc;

    if (t == NULL)
        return clv_fail(err, CLV_NOMEM, "regtoken_get: out of memory");
    clv_pg_row_init(&r, res, row);
    clv_pg_col_bytes(&r, t->hash, sizeof t->hash);
    rc = clv_pg_row_end(&r, "regtoken_get", err);
    if (rc != CLV_OK) {
        free(t);
        return rc;
    }
    *item = t;
    return CLV_OK;
}

static const clv_pg_kind regtoken_kind = {regtoken_load, NULL, free, "regtoken_get"};

clv_code clv_pg_regtoken_get(clv_store *s, const char *client_id, unsigned char hash[32],
                             clv_err *err)
{
    clv_pg_params p;
    void *item = NULL;
    clv_code rc;

    clv_pg_params_init(&p);
    clv_pg_text(&p, client_id);
    rc = clv_pg_one(s, PG_REGTOKEN_GET, &p, &regtoken_kind, &item, err);
    if (rc == CLV_NOT_FOUND)
        return clv_fail(err, CLV_NOT_FOUND, "regtoken_get: the client has no registration token");
    if (rc == CLV_OK)
        memcpy(hash, ((regtoken *)item)->hash, CLV_PG_HASH_LEN);
    free(item);
    return rc;
}

/* ---- purge ---- */

/* A row of PG_PURGE_SELECT: 0 (a client) or 1 (a service), its id, its tenant's id. */
static clv_code purged_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_store_purged *p = calloc(1, sizeof *p);
    clv_pg_row r;
    clv_code rc;

    if (p == NULL)
        return clv_fail(err, CLV_NOMEM, "purge: out of memory");
    clv_pg_row_init(&r, res, row);
    p->kind = clv_pg_col_int(&r) == 1 ? "service" : "client";
    p->id = clv_pg_col_text(&r);
    p->tenant_id = clv_pg_col_text(&r);
    rc = clv_pg_row_end(&r, "purge", err);
    if (rc == CLV_OK && p->id == NULL)
        rc = clv_fail(err, CLV_STORE, "purge: a row without an id");
    if (rc != CLV_OK) {
        clv_store_purged_free(p);
        return rc;
    }
    *item = p;
    return CLV_OK;
}

static const clv_pg_kind purged_kind = {purged_load, NULL, clv_store_purged_free, "purge"};

/* The deletes of a purge, in order, each with $1 = now: the clients (their secrets, codes,
 * refresh tokens and registration tokens go by ON DELETE CASCADE), the services (with
 * their initial access tokens), then the rows kept only until they expire. */
static const clv_pg_stmt_id purge_deletes[] = {
    PG_PURGE_CLIENTS_DELETE, PG_PURGE_SERVICES_DELETE, PG_PURGE_JTI,
    PG_PURGE_AUTHCODES,      PG_PURGE_REFRESH,         PG_PURGE_FAMILIES,
    PG_PURGE_SESSIONS,       PG_PURGE_ASSERTION_JTIS,  PG_PURGE_IATS};

/* CLV_OK when this transaction holds the purge lock, CLV_NOT_FOUND when another does. */
static clv_code purge_locked(clv_pg_conn *c, clv_err *err)
{
    PGresult *res = NULL;
    clv_code rc = clv_pg_exec(c, PG_PURGE_LOCK, NULL, "purge", &res, err);

    /* one row: t when this transaction holds it (again: the lock is the session's) */
    if (rc == CLV_OK && (PQntuples(res) != 1 || PQgetvalue(res, 0, 0)[0] != 't'))
        rc = CLV_NOT_FOUND;
    PQclear(res);
    return rc;
}

clv_code clv_pg_purge(clv_store *s, int64_t now, clv_list *removed, clv_err *err)
{
    clv_list l = {0};
    clv_pg_conn *c;
    clv_pg_params p;
    bool own = false;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc != CLV_OK || (rc = clv_pg_atomic_open(c, &own, err)) != CLV_OK)
        return rc;
    if ((rc = purge_locked(c, err)) == CLV_NOT_FOUND) /* another node is purging */
        return clv_pg_atomic_close(c, own, CLV_OK, err);
    /* What goes, first, while it is there (docs/API.md "Services": a service goes with all
     * its clients). */
    if (rc == CLV_OK) {
        clv_pg_params_init(&p);
        clv_pg_int(&p, now);
        rc = clv_pg_page_on(c, PG_PURGE_SELECT, &p, -1, &purged_kind, &l, err);
    }
    for (size_t i = 0; rc == CLV_OK && i < sizeof purge_deletes / sizeof purge_deletes[0]; i++) {
        clv_pg_params_init(&p);
        clv_pg_int(&p, now);
        rc = clv_pg_write_n(c, purge_deletes[i], &p, "purge", NULL, err);
    }
    rc = clv_pg_atomic_close(c, own, rc, err);
    if (rc == CLV_OK) {
        *removed = l;
        return CLV_OK;
    }
    clv_list_cleanup(&l);
    return rc;
}

/* Runs a statement that returns one row of one column; its text is copied into buf. */
static clv_code one_value(clv_store *s, clv_pg_stmt_id id, const char *arg, const char *what,
                          char *buf, size_t n, clv_err *err)
{
    clv_pg_conn *c;
    clv_pg_params p;
    PGresult *res = NULL;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc != CLV_OK)
        return rc;
    clv_pg_params_init(&p);
    if (arg != NULL)
        clv_pg_text(&p, arg);
    if ((rc = clv_pg_exec(c, id, &p, what, &res, err)) != CLV_OK)
        return rc;
    if (PQntuples(res) != 1 || PQnfields(res) != 1)
        rc = clv_fail(err, CLV_STORE, "%s: no answer", what);
    else
        snprintf(buf, n, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

clv_code clv_pg_purge_lock(clv_store *s, bool *got, clv_err *err)
{
    char v[8];
    clv_code rc = one_value(s, PG_PURGE_LOCK, NULL, "purge_lock", v, sizeof v, err);

    if (rc == CLV_OK)
        *got = v[0] == 't';
    return rc;
}

clv_code clv_pg_registered_count(clv_store *s, const char *service_id, int64_t *count,
                                 clv_err *err)
{
    char v[32];
    clv_code rc = one_value(s, PG_SERVICE_LOCK, service_id, "registered_count", v, sizeof v, err);

    if (rc == CLV_OK)
        rc = one_value(s, PG_REGISTERED_COUNT, service_id, "registered_count", v, sizeof v, err);
    if (rc == CLV_OK)
        *count = strtoll(v, NULL, 10);
    return rc;
}
