/* handle — the PostgreSQL backend's handle: one libpq connection per calling thread,
 * transactions, migrations, meta values and the table of the backend's operations. The
 * other files of src/store/postgres/ are listed in impl.h.
 *
 * Threads. As in the SQLite backend (src/store/sqlite/handle.c), each thread that calls
 * the store gets its own connection, found again through a pthread key and closed by its
 * destructor when the thread exits; the store keeps every connection on a list (under a
 * mutex) so that clv_store_free closes those of threads still alive. A transaction
 * (clv_store_begin … commit) is the calling thread's connection's.
 *
 * The pool (clv_store_pool_limit, `serve --db-pool N`): at most N connections. A thread
 * holds one only while it needs it — from its first statement until the store operation
 * that leaves no transaction open returns (clv_pg_release, called by store.c after every
 * operation) — and then gives it back to the idle list; a thread that finds all N busy
 * waits (up to POOL_WAIT_S, then CLV_UNAVAILABLE: 503). Without a limit each thread keeps
 * its connection until it exits, as SQLite's do. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/postgres/impl.h"

struct clv_pg_store {
    clv_store base; /* first: a clv_store * is a struct clv_pg_store * */
    char *url;
    pthread_key_t key;
    pthread_mutex_t mu; /* guards conns, idle, open */
    pthread_cond_t freed; /* a connection went back to idle, or was closed */
    clv_pg_conn *conns;
    clv_pg_conn *idle; /* pooled connections no thread holds (through idle_next) */
    int open;          /* connections open (pool_max > 0: at most pool_max) */
    int pool_max;      /* 0: one connection per thread, no limit */
    PGconn *listen; /* changes_wait's own connection (listen.c); NULL until first used */
};

typedef struct clv_pg_store pg_store;

static const struct clv_store_ops pg_ops;

enum { POOL_WAIT_S = 5 };

/* ---- connections ---- */

static void conn_close(clv_pg_conn *c)
{
    PQfinish(c->db);
    clv_pg_q_sample_free(c->q_sample);
    free(c);
}

static void conn_unlink(pg_store *s, clv_pg_conn *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
}

/* pthread key destructor: the thread that owned c is exiting. */
static void conn_release(void *p)
{
    clv_pg_conn *c = p;
    pg_store *s = c->owner;

    pthread_mutex_lock(&s->mu);
    conn_unlink(s, c);
    s->open--;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->mu);
    conn_close(c);
}

/* The server's notices (e.g. "relation already exists, skipping") are not Clavis's. */
static void quiet(void *arg, const char *message)
{
    (void)arg, (void)message;
}

/* Opens the calling thread's connection; `reserved`: pool_take counted it in s->open
 * already (given back here if the connection cannot be made). */
static clv_code conn_open(pg_store *s, bool reserved, clv_pg_conn **out, clv_err *err)
{
    clv_pg_conn *c = calloc(1, sizeof *c);
    clv_code rc = CLV_UNAVAILABLE; /* 503: the database cannot be reached now */

    if (c == NULL)
        return clv_fail(err, CLV_NOMEM, "store: out of memory");
    c->owner = s;
    c->db = PQconnectdb(s->url);
    if (c->db == NULL || PQstatus(c->db) != CONNECTION_OK) {
        /* libpq's message names host and database, never the password */
        clv_fail(err, rc, "store: cannot connect to PostgreSQL: %s",
                 c->db != NULL ? PQerrorMessage(c->db) : "out of memory");
        goto cleanup;
    }
    PQsetNoticeProcessor(c->db, quiet, NULL);
    if (pthread_setspecific(s->key, c) != 0) {
        clv_fail(err, rc, "store: pthread_setspecific failed");
        goto cleanup;
    }
    pthread_mutex_lock(&s->mu);
    s->open += reserved ? 0 : 1;
    reserved = false;
    c->next = s->conns;
    if (s->conns != NULL)
        s->conns->prev = c;
    s->conns = c;
    pthread_mutex_unlock(&s->mu);
    *out = c;
    c = NULL;
    rc = CLV_OK;
cleanup:
    if (c != NULL)
        conn_close(c);
    if (reserved) {
        pthread_mutex_lock(&s->mu);
        s->open--;
        pthread_cond_signal(&s->freed);
        pthread_mutex_unlock(&s->mu);
    }
    return rc;
}

/* A connection the server dropped (a restart, a failover, an administrator's
 * pg_terminate_backend) is connected again on the thread's next call; the call that met
 * the drop failed (CLV_UNAVAILABLE) and is not repeated, since a write may have committed before
 * its answer was lost. Its prepared statements went with the old session (and a pipeline
 * it was in: PQreset leaves pipeline mode). */
clv_code clv_pg_conn_reset(clv_pg_conn *c, clv_err *err)
{
    PQreset(c->db);
    if (PQstatus(c->db) != CONNECTION_OK)
        return clv_fail(err, CLV_UNAVAILABLE, "store: cannot connect to PostgreSQL again: %s",
                        PQerrorMessage(c->db));
    memset(c->prepared, 0, sizeof c->prepared);
    return CLV_OK;
}

/* Pooled: an idle connection, or room to open one (*c NULL), waiting while all are busy.
 * CLV_UNAVAILABLE when none came free within POOL_WAIT_S. */
static clv_code pool_take(pg_store *s, clv_pg_conn **c, clv_err *err)
{
    struct timespec until;
    int busy = 0;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += POOL_WAIT_S;
    pthread_mutex_lock(&s->mu);
    while (s->idle == NULL && s->open >= s->pool_max && busy == 0)
        busy = pthread_cond_timedwait(&s->freed, &s->mu, &until);
    *c = s->idle;
    if (*c != NULL)
        s->idle = (*c)->idle_next;
    else if (busy == 0)
        s->open++; /* reserved for the connection this thread opens (conn_open) */
    pthread_mutex_unlock(&s->mu);
    if (*c == NULL && busy != 0)
        return clv_fail(err, CLV_UNAVAILABLE, "store: all %d database connections are busy",
                        s->pool_max);
    return CLV_OK;
}

clv_code clv_pg_conn_get(clv_store *base, clv_pg_conn **out, clv_err *err)
{
    pg_store *s = (pg_store *)base;
    clv_pg_conn *c = pthread_getspecific(s->key);
    clv_code rc;

    if (c == NULL && s->pool_max > 0) {
        if ((rc = pool_take(s, &c, err)) != CLV_OK)
            return rc;
        if (c != NULL && pthread_setspecific(s->key, c) != 0) {
            clv_pg_release(base); /* back to idle */
            return clv_fail(err, CLV_UNAVAILABLE, "store: pthread_setspecific failed");
        }
    }
    if (c == NULL)
        return conn_open(s, s->pool_max > 0, out, err);
    if (PQstatus(c->db) == CONNECTION_BAD && (rc = clv_pg_conn_reset(c, err)) != CLV_OK)
        return rc;
    *out = c;
    return CLV_OK;
}

void clv_pg_release(clv_store *base)
{
    pg_store *s = (pg_store *)base;
    clv_pg_conn *c = s->pool_max > 0 ? pthread_getspecific(s->key) : NULL;
    PGTransactionStatusType ts = c != NULL ? PQtransactionStatus(c->db) : PQTRANS_IDLE;

    if (c == NULL || c->atomic > 0 || (ts != PQTRANS_IDLE && ts != PQTRANS_UNKNOWN))
        return; /* none held, or a transaction is open on it */
    pthread_setspecific(s->key, NULL);
    pthread_mutex_lock(&s->mu);
    c->idle_next = s->idle;
    s->idle = c;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->mu);
}

void clv_pg_pool_limit(clv_store *base, int n)
{
    ((pg_store *)base)->pool_max = n > 0 ? n : 0;
}

/* ---- handle ---- */

const char *clv_pg_url(clv_store *base)
{
    return ((pg_store *)base)->url;
}

PGconn **clv_pg_listen_slot(clv_store *base)
{
    return &((pg_store *)base)->listen;
}

void clv_pg_free(clv_store *base)
{
    pg_store *s = (pg_store *)base;
    clv_pg_conn *c, *next;

    pthread_key_delete(s->key);
    for (c = s->conns; c != NULL; c = next) {
        next = c->next;
        conn_close(c);
    }
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->freed);
    PQfinish(s->listen);
    free(s->url);
    free(s);
}

clv_code clv_store_postgres_open(const char *url, clv_store **out, clv_err *err)
{
    pg_store *s = calloc(1, sizeof *s);
    clv_pg_conn *c;
    clv_code rc;

    if (s == NULL || (s->url = strdup(url)) == NULL) {
        free(s);
        return clv_fail(err, CLV_NOMEM, "store: out of memory");
    }
    s->base.ops = &pg_ops;
    if (pthread_key_create(&s->key, conn_release) != 0) {
        free(s->url);
        free(s);
        return clv_fail(err, CLV_STORE, "store: pthread_key_create failed");
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->freed, NULL);
    /* Connect this thread now, so that a bad URL or an unreachable server fails here. */
    rc = conn_open(s, false, &c, err);
    if (rc != CLV_OK) {
        clv_pg_free(&s->base);
        return rc;
    }
    *out = &s->base;
    return CLV_OK;
}

/* ---- transactions ---- */

static clv_code run(clv_pg_conn *c, clv_pg_stmt_id id, clv_err *err)
{
    PGresult *res = NULL;
    clv_code rc = clv_pg_exec(c, id, NULL, clv_pg_sql[id], &res, err);

    PQclear(res);
    return rc;
}

/* PostgreSQL only warns about BEGIN inside a transaction and COMMIT outside one, and
 * answers COMMIT of a failed transaction by rolling it back: both are failures here, as in
 * SQLite. */
clv_code clv_pg_begin(clv_store *s, clv_err *err)
{
    clv_pg_conn *c;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc != CLV_OK)
        return rc;
    if (PQtransactionStatus(c->db) != PQTRANS_IDLE)
        return clv_fail(err, CLV_STORE, "begin: a transaction is open already");
    return run(c, PG_BEGIN, err);
}

clv_code clv_pg_commit(clv_store *s, clv_err *err)
{
    clv_pg_conn *c;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc != CLV_OK)
        return rc;
    switch (PQtransactionStatus(c->db)) {
    case PQTRANS_INTRANS:
        return run(c, PG_COMMIT, err);
    case PQTRANS_INERROR:
        run(c, PG_ROLLBACK, NULL);
        return clv_fail(err, CLV_STORE, "commit: the transaction failed and was rolled back");
    default:
        return clv_fail(err, CLV_STORE, "commit: no transaction is open");
    }
}

void clv_pg_rollback(clv_store *s)
{
    clv_pg_conn *c;

    /* Harmless with no transaction open (after a failed begin or commit). */
    if (clv_pg_conn_get(s, &c, NULL) == CLV_OK && PQtransactionStatus(c->db) != PQTRANS_IDLE)
        run(c, PG_ROLLBACK, NULL);
}

clv_code clv_pg_atomic_open(clv_pg_conn *c, bool *own, clv_err *err)
{
    clv_code rc;

    *own = PQtransactionStatus(c->db) == PQTRANS_IDLE;
    rc = run(c, *own ? PG_BEGIN : PG_SAVEPOINT, err);
    if (rc == CLV_OK)
        c->atomic++;
    return rc;
}

clv_code clv_pg_atomic_close(clv_pg_conn *c, bool own, clv_code rc, clv_err *err)
{
    c->atomic--;
    if (rc == CLV_OK) {
        rc = run(c, own ? PG_COMMIT : PG_RELEASE, err);
        if (rc == CLV_OK)
            return CLV_OK;
    }
    if (own) {
        if (PQtransactionStatus(c->db) != PQTRANS_IDLE)
            run(c, PG_ROLLBACK, NULL);
    } else {
        run(c, PG_ROLLBACK_TO, NULL);
        run(c, PG_RELEASE, NULL);
    }
    return rc;
}

/* ---- migrations ---- */

/* Runs the parts of migration n (1-based). PQexec: each part is several statements of
 * literal SQL without parameters, run once. */
static clv_code apply(clv_pg_conn *c, int n, clv_err *err)
{
    for (const char *const *part = clv_pg_migrations[n - 1]; *part != NULL; part++) {
        PGresult *res = PQexec(c->db, *part);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;

        PQclear(res);
        if (!ok)
            return clv_fail(err, CLV_STORE, "migration %d: %s", n, PQerrorMessage(c->db));
    }
    return CLV_OK;
}

/* Applies migration n (1-based) unless schema_version has it, in one transaction that
 * holds the migration lock, so that nodes started together apply it once. */
static clv_code migrate_one(clv_pg_conn *c, int n, clv_err *err)
{
    clv_pg_params p;
    PGresult *res = NULL;
    int64_t have = 0;
    clv_code rc = run(c, PG_BEGIN, err);

    if (rc == CLV_OK)
        rc = run(c, PG_MIGRATE_LOCK, err);
    if (rc == CLV_OK)
        rc = run(c, PG_VERSION_CREATE, err);
    if (rc == CLV_OK && (rc = clv_pg_exec(c, PG_VERSION_GET, NULL, "migrate", &res, err)) == CLV_OK)
        have = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    if (rc == CLV_OK && have < n) {
        rc = apply(c, n, err);
        clv_pg_params_init(&p);
        clv_pg_int(&p, n);
        clv_pg_int(&p, clv_now());
        if (rc == CLV_OK)
            rc = clv_pg_write_n(c, PG_VERSION_PUT, &p, "migrate", NULL, err);
        else
            clv_pg_params_free(&p);
    }
    if (rc == CLV_OK)
        rc = run(c, PG_COMMIT, err);
    if (rc != CLV_OK && PQtransactionStatus(c->db) != PQTRANS_IDLE)
        run(c, PG_ROLLBACK, NULL);
    return rc;
}

clv_code clv_pg_migrate(clv_store *s, clv_err *err)
{
    clv_pg_conn *c;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    for (int n = 1; rc == CLV_OK && n <= clv_pg_migration_count; n++)
        rc = migrate_one(c, n, err);
    return rc;
}

/* ---- meta ---- */

static clv_code meta_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_pg_row r;
    char *v;
    clv_code rc;

    clv_pg_row_init(&r, res, row);
    v = clv_pg_col_text(&r);
    rc = clv_pg_row_end(&r, "meta_get", err);
    if (rc != CLV_OK) {
        free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static const clv_pg_kind meta_kind = {meta_load, NULL, free, "meta_get"};

clv_code clv_pg_meta_get(clv_store *s, const char *name, char **value, clv_err *err)
{
    clv_pg_params p;
    void *item = NULL;
    clv_code rc;

    clv_pg_params_init(&p);
    clv_pg_text(&p, name);
    rc = clv_pg_one(s, PG_META_GET, &p, &meta_kind, &item, err);
    if (rc == CLV_NOT_FOUND)
        return clv_fail(err, CLV_NOT_FOUND, "meta_get: no value named %s", name);
    if (rc == CLV_OK)
        *value = item;
    return rc;
}

clv_code clv_pg_meta_put(clv_store *s, const char *name, const char *value, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, name);
    clv_pg_text(&p, value);
    return clv_pg_write(s, PG_META_PUT, &p, "meta_put", false, err);
}

/* ---- the table: clv_pg_<name> for every operation (impl.h) ---- */

#define OP(name, params, args) .name = clv_pg_##name,
#define OWN_OP(ret, name, params) .name = clv_pg_##name,
/* clang-format off */
static const struct clv_store_ops pg_ops = {
    .name = "postgres",
    CLV_STORE_OPS(OP)
    CLV_STORE_OWN_OPS(OWN_OP)
};
/* clang-format on */
#undef OP
#undef OWN_OP
