/* exec — the PostgreSQL backend's plumbing between C values and statements: parameters
 * sent as text, columns read from text results, and running a statement to one row, a
 * page of rows or a write (see impl.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/impl.h"

/* ---- parameters ---- */

void clv_pg_params_init(clv_pg_params *p)
{
    p->n = 0;
    p->rc = CLV_OK;
}

void clv_pg_params_free(clv_pg_params *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < p->n; i++)
        free(p->own[i]);
    p->n = 0;
}

/* The next parameter's slot, or -1 (rc set) when there is none. */
static int next_slot(clv_pg_params *p)
{
    if (p->n == CLV_PG_PARAMS_MAX) {
        p->rc = CLV_STORE;
        return -1;
    }
    p->own[p->n] = NULL;
    return p->n++;
}

void clv_pg_text(clv_pg_params *p, const char *v)
{
    int i = next_slot(p);

    if (i >= 0)
        p->v[i] = v;
}

void clv_pg_int(clv_pg_params *p, int64_t v)
{
    int i = next_slot(p);

    if (i < 0)
        return;
    snprintf(p->num[i], sizeof p->num[i], "%" PRId64, v);
    p->v[i] = p->num[i];
}

void clv_pg_json(clv_pg_params *p, const json_t *v, const char *if_null)
{
    int i;

    if (v == NULL) {
        clv_pg_text(p, if_null);
        return;
    }
    if ((i = next_slot(p)) < 0)
        return;
    p->own[i] = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    p->v[i] = p->own[i];
    if (p->own[i] == NULL)
        p->rc = CLV_NOMEM;
}

void clv_pg_bytes(clv_pg_params *p, const unsigned char *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int i = next_slot(p);
    char *t;

    if (i < 0)
        return;
    p->own[i] = t = malloc(2 * n + 3);
    p->v[i] = t;
    if (t == NULL) {
        p->rc = CLV_NOMEM;
        return;
    }
    *t++ = '\\';
    *t++ = 'x';
    for (size_t k = 0; k < n; k++) {
        *t++ = hex[b[k] >> 4];
        *t++ = hex[b[k] & 15];
    }
    *t = '\0';
}

void clv_pg_page_params(clv_pg_params *p, const clv_store_page *pg)
{
    clv_pg_int(p, pg->ts);
    clv_pg_text(p, pg->id);
    clv_pg_int(p, (int64_t)pg->limit + 1);
}

/* ---- rows ---- */

void clv_pg_row_init(clv_pg_row *r, const PGresult *res, int row)
{
    r->res = res;
    r->row = row;
    r->n = 0;
    r->rc = CLV_OK;
}

char *clv_pg_col_text(clv_pg_row *r)
{
    int i = r->n++;
    char *copy;

    if (r->rc != CLV_OK || i >= PQnfields(r->res) || PQgetisnull(r->res, r->row, i))
        return NULL;
    copy = strdup(PQgetvalue(r->res, r->row, i));
    if (copy == NULL)
        r->rc = CLV_NOMEM;
    return copy;
}

int64_t clv_pg_col_int(clv_pg_row *r)
{
    int i = r->n++;

    if (r->rc != CLV_OK || i >= PQnfields(r->res) || PQgetisnull(r->res, r->row, i))
        return 0;
    return strtoll(PQgetvalue(r->res, r->row, i), NULL, 10);
}

json_t *clv_pg_col_json(clv_pg_row *r, bool array)
{
    int i = r->n++;
    json_t *j;

    if (r->rc != CLV_OK || i >= PQnfields(r->res))
        return NULL;
    if (PQgetisnull(r->res, r->row, i)) {
        j = array ? json_array() : NULL;
        if (array && j == NULL)
            r->rc = CLV_NOMEM;
        return j;
    }
    j = json_loads(PQgetvalue(r->res, r->row, i), JSON_DECODE_ANY, NULL);
    if (j == NULL)
        r->rc = CLV_STORE;
    return j;
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* bytea comes back in the hex output format ("\x…", bytea_output's default). */
void clv_pg_col_bytes(clv_pg_row *r, unsigned char *out, size_t n)
{
    int i = r->n++;
    const char *v;

    if (r->rc != CLV_OK)
        return;
    if (i >= PQnfields(r->res) || PQgetisnull(r->res, r->row, i)) {
        r->rc = CLV_STORE;
        return;
    }
    v = PQgetvalue(r->res, r->row, i);
    if (strncmp(v, "\\x", 2) != 0 || strlen(v) != 2 + 2 * n) {
        r->rc = CLV_STORE;
        return;
    }
    for (size_t k = 0; k < n; k++) {
        int hi = hex_digit(v[2 + 2 * k]), lo = hex_digit(v[3 + 2 * k]);
        if (hi < 0 || lo < 0) {
            r->rc = CLV_STORE;
            return;
        }
        out[k] = (unsigned char)(hi << 4 | lo);
    }
}

clv_code clv_pg_row_end(clv_pg_row *r, const char *what, clv_err *err)
{
    if (r->rc == CLV_NOMEM)
        return clv_fail(err, CLV_NOMEM, "%s: out of memory", what);
    if (r->rc != CLV_OK)
        return clv_fail(err, r->rc, "%s: a stored value is malformed", what);
    if (r->n != PQnfields(r->res))
        return clv_fail(err, CLV_STORE, "%s: read %d columns of %d", what, r->n,
                        PQnfields(r->res));
    return CLV_OK;
}

/* ---- running ---- */

/* true if a failure is the connection's, not the statement's: the connection is gone, or
 * the SQLSTATE is of class 08 (connection exception) or 57P01-57P03 (the server is shutting
 * down or starting) — CLV_UNAVAILABLE, a 503 (docs/OPERATIONS.md "PostgreSQL"). */
static bool lost(clv_pg_conn *c, const PGresult *res)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    return PQstatus(c->db) == CONNECTION_BAD ||
           (state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0));
}

/* Maps a failed result to a code by its SQLSTATE (Appendix A of the PostgreSQL manual). */
static clv_code fail(clv_pg_conn *c, const PGresult *res, const char *what, clv_err *err)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    if (state != NULL && strcmp(state, "23505") == 0) /* unique_violation */
        return clv_fail(err, CLV_CONFLICT, "%s: already exists", what);
    if (state != NULL && strcmp(state, "23503") == 0) /* foreign_key_violation */
        return clv_fail(err, CLV_NOT_FOUND, "%s: the object it refers to does not exist", what);
    return clv_fail(err, lost(c, res) ? CLV_UNAVAILABLE : CLV_STORE, "%s: %s", what,
                    PQerrorMessage(c->db));
}

/* Prepares statement id on c unless it is (named "s<id>"). */
static clv_code prepare(clv_pg_conn *c, clv_pg_stmt_id id, char name[16], clv_err *err)
{
    PGresult *res;
    clv_code rc = CLV_OK;

    snprintf(name, 16, "s%d", (int)id);
    if (c->prepared[id])
        return CLV_OK;
    res = PQprepare(c->db, name, clv_pg_sql[id], 0, NULL);
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = clv_fail(err, lost(c, res) ? CLV_UNAVAILABLE : CLV_STORE,
                      "store: cannot prepare statement %d: %s", (int)id, PQerrorMessage(c->db));
    else
        c->prepared[id] = true;
    PQclear(res);
    return rc;
}

clv_code clv_pg_exec(clv_pg_conn *c, clv_pg_stmt_id id, clv_pg_params *p, const char *what,
                     PGresult **res, clv_err *err)
{
    char name[16];
    PGresult *r = NULL;
    clv_code rc = p != NULL ? p->rc : CLV_OK;
    ExecStatusType st;

    if (rc != CLV_OK)
        rc = clv_fail(err, rc, "%s: cannot send its parameters", what);
    if (rc == CLV_OK)
        rc = prepare(c, id, name, err);
    if (rc == CLV_OK) {
        r = PQexecPrepared(c->db, name, p != NULL ? p->n : 0, p != NULL ? p->v : NULL, NULL,
                           NULL, 0);
        st = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            rc = fail(c, r, what, err);
            PQclear(r);
            r = NULL;
        }
    }
    clv_pg_params_free(p);
    if (rc == CLV_OK)
        *res = r;
    return rc;
}

/* The next result of a pipeline into *keep (NULL: cleared), and the NULL that ends each
 * query's results in pipeline mode; its status (PGRES_FATAL_ERROR when there is none). */
static ExecStatusType pipeline_take(PGconn *db, PGresult **keep)
{
    PGresult *r = PQgetResult(db), *x;
    ExecStatusType st = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;

    if (r != NULL && st != PGRES_PIPELINE_SYNC)
        while ((x = PQgetResult(db)) != NULL)
            PQclear(x);
    if (keep != NULL)
        *keep = r;
    else
        PQclear(r);
    return st;
}

/* Enters pipeline mode and sends the prepared statements names[0..2] — only the middle one
 * with parameters p — and a sync; 0 when the connection failed. */
static int pipeline_send(PGconn *db, char names[3][16], const clv_pg_params *p)
{
    int ok = PQenterPipelineMode(db);

    for (int i = 0; i < 3 && ok; i++)
        ok = PQsendQueryPrepared(db, names[i], i == 1 ? p->n : 0, i == 1 ? p->v : NULL, NULL,
                                 NULL, 0);
    return ok && PQpipelineSync(db);
}

/* Sends names[0..2] in one pipeline (pipeline_send) and reads their results: the middle
 * one's into *res when all three succeeded. A pipeline that cannot be left (the
 * connection failed in it) is connected again (clv_pg_conn_reset), and the call fails as
 * a lost connection does. */
static clv_code pipeline3(clv_pg_conn *c, char names[3][16], const clv_pg_params *p,
                          const char *what, PGresult **res, clv_err *err)
{
    PGresult *r[3] = {NULL, NULL, NULL};
    ExecStatusType st[3] = {PGRES_FATAL_ERROR, PGRES_FATAL_ERROR, PGRES_FATAL_ERROR};
    int ok = pipeline_send(c->db, names, p);
    clv_code rc = CLV_OK;

    for (int i = 0; i < 3 && ok; i++)
        st[i] = pipeline_take(c->db, &r[i]);
    ok = ok && pipeline_take(c->db, NULL) == PGRES_PIPELINE_SYNC;
    for (int i = 0; i < 3 && rc == CLV_OK; i++)
        if (st[i] != PGRES_COMMAND_OK && st[i] != PGRES_TUPLES_OK)
            rc = fail(c, r[i], what, err);
    if (PQexitPipelineMode(c->db) != 1 || (!ok && rc == CLV_OK)) {
        clv_pg_conn_reset(c, NULL);
        rc = clv_fail(err, CLV_UNAVAILABLE, "%s: the connection failed in a pipeline", what);
    }
    for (int i = 0; i < 3; i++)
        if (i != 1 || rc != CLV_OK)
            PQclear(r[i]);
    if (rc == CLV_OK)
        *res = r[1];
    return rc;
}

/* A write in the caller's open transaction runs under a savepoint of its own, so that its
 * failure (a conflict the caller answers) leaves the transaction usable, as a failed
 * statement does in SQLite. SAVEPOINT, the statement and RELEASE go to the server in one
 * pipeline: one round trip instead of three (docs/DESIGN.md D19); only a failure costs
 * more (ROLLBACK TO, RELEASE). */
static clv_code write_in_savepoint(clv_pg_conn *c, clv_pg_stmt_id id, clv_pg_params *p,
                                   const char *what, PGresult **res, clv_err *err)
{
    char names[3][16];
    clv_code rc = p != NULL ? p->rc : CLV_OK;
    clv_pg_params none;

    if (p == NULL) {
        clv_pg_params_init(&none);
        p = &none;
    }
    if (rc != CLV_OK)
        rc = clv_fail(err, rc, "%s: cannot send its parameters", what);
    if (rc == CLV_OK && (rc = prepare(c, PG_SAVEPOINT, names[0], err)) == CLV_OK &&
        (rc = prepare(c, id, names[1], err)) == CLV_OK &&
        (rc = prepare(c, PG_RELEASE, names[2], err)) == CLV_OK)
        rc = pipeline3(c, names, p, what, res, err);
    clv_pg_params_free(p);
    if (rc != CLV_OK && rc != CLV_UNAVAILABLE &&
        PQtransactionStatus(c->db) == PQTRANS_INERROR) {
        PGresult *x = NULL;
        if (clv_pg_exec(c, PG_ROLLBACK_TO, NULL, "rollback", &x, NULL) == CLV_OK) {
            PQclear(x);
            if (clv_pg_exec(c, PG_RELEASE, NULL, "release", &x, NULL) == CLV_OK)
                PQclear(x);
        }
    }
    return rc;
}

clv_code clv_pg_write_n(clv_pg_conn *c, clv_pg_stmt_id id, clv_pg_params *p, const char *what,
                        int *changes, clv_err *err)
{
    bool in_tx = c->atomic == 0 && PQtransactionStatus(c->db) == PQTRANS_INTRANS;
    PGresult *res = NULL;
    clv_code rc = in_tx ? write_in_savepoint(c, id, p, what, &res, err)
                        : clv_pg_exec(c, id, p, what, &res, err);

    if (rc == CLV_OK && changes != NULL)
        *changes = (int)strtol(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return rc;
}

clv_code clv_pg_write(clv_store *s, clv_pg_stmt_id id, clv_pg_params *p, const char *what,
                      bool must_change, clv_err *err)
{
    clv_pg_conn *c;
    clv_code rc = clv_pg_conn_get(s, &c, err);
    int changes = 0;

    if (rc != CLV_OK) {
        clv_pg_params_free(p);
        return rc;
    }
    rc = clv_pg_write_n(c, id, p, what, &changes, err);
    if (rc == CLV_OK && must_change && changes == 0)
        rc = clv_fail(err, CLV_NOT_FOUND, "%s: no such object", what);
    return rc;
}

clv_code clv_pg_one_on(clv_pg_conn *c, clv_pg_stmt_id id, clv_pg_params *p,
                       const clv_pg_kind *kind, void **item, clv_err *err)
{
    PGresult *res = NULL;
    clv_code rc = clv_pg_exec(c, id, p, kind->what, &res, err);

    if (rc == CLV_OK && PQntuples(res) == 0)
        rc = clv_fail(err, CLV_NOT_FOUND, "%s: no such object", kind->what);
    else if (rc == CLV_OK)
        rc = kind->load(res, 0, item, err);
    PQclear(res);
    return rc;
}

clv_code clv_pg_one(clv_store *s, clv_pg_stmt_id id, clv_pg_params *p, const clv_pg_kind *kind,
                    void **item, clv_err *err)
{
    clv_pg_conn *c;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc != CLV_OK) {
        clv_pg_params_free(p);
        return rc;
    }
    return clv_pg_one_on(c, id, p, kind, item, err);
}

clv_code clv_pg_exists(clv_store *s, clv_pg_stmt_id id, clv_pg_params *p, const char *what,
                       bool *found, clv_err *err)
{
    clv_pg_conn *c;
    PGresult *res = NULL;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc != CLV_OK) {
        clv_pg_params_free(p);
        return rc;
    }
    rc = clv_pg_exec(c, id, p, what, &res, err);
    if (rc == CLV_OK)
        *found = PQntuples(res) > 0;
    PQclear(res);
    return rc;
}

/* Loads rows of res into l: at most `limit` items (limit < 0: every row), and next_cursor
 * from the last item when one more row follows. */
static clv_code collect(const PGresult *res, int limit, const clv_pg_kind *kind, clv_list *l,
                        clv_err *err)
{
    int rows = PQntuples(res), take = limit >= 0 && rows > limit ? limit : rows;
    void *item;
    clv_code rc;

    if (take > 0 && (l->items = calloc((size_t)take, sizeof *l->items)) == NULL)
        return clv_fail(err, CLV_NOMEM, "%s: out of memory", kind->what);
    for (int i = 0; i < take; i++) {
        if ((rc = kind->load(res, i, &item, err)) != CLV_OK)
            return rc;
        l->items[l->count++] = item;
    }
    if (take < rows && take > 0) {
        int64_t ts;
        const char *id;
        kind->key(l->items[take - 1], &ts, &id);
        if ((l->next_cursor = clv_store_cursor_encode(ts, id)) == NULL)
            return clv_fail(err, CLV_NOMEM, "%s: out of memory", kind->what);
    }
    return CLV_OK;
}

clv_code clv_pg_page_on(clv_pg_conn *c, clv_pg_stmt_id id, clv_pg_params *p, int limit,
                        const clv_pg_kind *kind, clv_list *out, clv_err *err)
{
    clv_list l = {.free_item = kind->free_item};
    PGresult *res = NULL;
    clv_code rc = clv_pg_exec(c, id, p, kind->what, &res, err);

    if (rc == CLV_OK)
        rc = collect(res, limit, kind, &l, err);
    PQclear(res);
    if (rc != CLV_OK) {
        clv_list_cleanup(&l);
        return rc;
    }
    *out = l;
    return CLV_OK;
}

clv_code clv_pg_page(clv_store *s, clv_pg_stmt_id id, clv_pg_params *p, int limit,
                     const clv_pg_kind *kind, clv_list *out, clv_err *err)
{
    clv_pg_conn *c;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc != CLV_OK) {
        clv_pg_params_free(p);
        return rc;
    }
    return clv_pg_page_on(c, id, p, limit, kind, out, err);
}

clv_code clv_pg_version_miss(clv_store *s, clv_pg_stmt_id exists, const char *id,
                             const char *what, clv_err *err)
{
    clv_pg_params p;
    bool found = false;
    clv_code rc;

    clv_pg_params_init(&p);
    clv_pg_text(&p, id);
    rc = clv_pg_exists(s, exists, &p, what, &found, err);
    if (rc != CLV_OK)
        return rc;
    if (found)
        return clv_fail(err, CLV_PRECONDITION, "%s: version mismatch", what);
    return clv_fail(err, CLV_NOT_FOUND, "%s: no such object", what);
}
