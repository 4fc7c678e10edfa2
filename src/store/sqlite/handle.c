/* handle — the SQLite backend's handle: one connection per calling thread, the statement
 * cache, errors, transactions, migrations, meta values and the table of the backend's
 * operations. The other files of src/store/sqlite/ are listed in impl.h.
 *
 * Threads. Each thread that calls the store gets its own connection, opened with
 * SQLITE_OPEN_NOMUTEX (the connection is never shared, so SQLite's own mutex would be
 * pure cost) and found again through a pthread key. Its destructor closes the connection
 * when the thread exits; the store also keeps every connection on a list (under a mutex),
 * so that clv_store_free can close those of threads still alive. WAL lets readers run
 * while one writer writes; the busy timeout makes writers of other processes queue
 * instead of failing.
 *
 * Writes. A thread's connection only reads: every transaction (begin … commit) and every
 * operation that writes runs on the one writer connection of group.c, which commits the
 * requests of many threads with one fsync (docs/DESIGN.md D17). While a thread's
 * transaction is open its connection's tx points at the writer, so that everything the
 * thread asks, reads too, sees its own writes. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/sqlite/impl.h"

enum { BUSY_TIMEOUT_MS = 5000 };

struct clv_sqlite_store {
    clv_store base; /* first: a clv_store * is a struct clv_sqlite_store * */
    char *path;
    pthread_key_t key;
    pthread_mutex_t mu; /* guards conns */
    clv_sqlite_conn *conns;
    int writes_as; /* 0, or the migration whose release this store writes as (migrate_to) */
    clv_sqlite_group *group;
};

typedef struct clv_sqlite_store sqlite_store;

static const struct clv_store_ops sqlite_ops;
static pthread_once_t op_writes_once = PTHREAD_ONCE_INIT;
static void op_writes_init(void);

/* ---- connections ---- */

static void conn_close(clv_sqlite_conn *c)
{
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(c->st[i]);
    clv_sqlite_q_sample_free(c->q_sample);
    sqlite3_close_v2(c->db);
    free(c);
}

static void conn_unlink(sqlite_store *s, clv_sqlite_conn *c)
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
    clv_sqlite_conn *c = p;
    sqlite_store *s = c->owner;

    pthread_mutex_lock(&s->mu);
    conn_unlink(s, c);
    pthread_mutex_unlock(&s->mu);
    conn_close(c);
}

/* The settings every connection needs; busy_timeout first, since switching to WAL takes
 * a lock another connection may hold. */
static const char conn_pragmas[] = "PRAGMA journal_mode = WAL;"
                                   "PRAGMA synchronous = FULL;"
                                   "PRAGMA foreign_keys = ON;";

/* Applies conn_pragmas. Switching a new database to WAL needs an exclusive lock, and
 * SQLite answers SQLITE_BUSY there without calling the busy handler when another process
 * is setting up the same file, so retry for as long as the busy timeout would wait. */
static int conn_setup(sqlite3 *db)
{
    const struct timespec pause = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
    int rc = SQLITE_BUSY;

    for (int waited = 0; waited <= BUSY_TIMEOUT_MS; waited += 10) {
        rc = sqlite3_exec(db, conn_pragmas, NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            break;
        nanosleep(&pause, NULL);
    }
    return rc;
}

/* A connection set up with conn_pragmas and the SQL functions, owned by nobody yet. */
static clv_code conn_new(sqlite_store *s, clv_sqlite_conn **out, clv_err *err)
{
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    clv_sqlite_conn *c = calloc(1, sizeof *c);

    if (c == NULL)
        return clv_fail(err, CLV_NOMEM, "store: out of memory");
    c->owner = s;
    if (sqlite3_open_v2(s->path, &c->db, flags, NULL) != SQLITE_OK) {
        clv_fail(err, CLV_STORE, "store: cannot open %s: %s", s->path,
                 c->db != NULL ? sqlite3_errmsg(c->db) : "out of memory");
        conn_close(c);
        return CLV_STORE;
    }
    sqlite3_extended_result_codes(c->db, 1);
    if (sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS) != SQLITE_OK ||
        conn_setup(c->db) != SQLITE_OK || clv_sqlite_register_fold(c->db) != SQLITE_OK) {
        clv_fail(err, CLV_STORE, "store: cannot set up %s: %s", s->path, sqlite3_errmsg(c->db));
        conn_close(c);
        return CLV_STORE;
    }
    *out = c;
    return CLV_OK;
}

clv_code clv_sqlite_conn_new(clv_store *s, clv_sqlite_conn **out, clv_err *err)
{
    return conn_new((sqlite_store *)s, out, err);
}

void clv_sqlite_conn_free(clv_sqlite_conn *c)
{
    conn_close(c);
}

/* The calling thread's own connection, opened and put on the store's list. */
static clv_code conn_open(sqlite_store *s, clv_sqlite_conn **out, clv_err *err)
{
    clv_sqlite_conn *c;
    clv_code rc = conn_new(s, &c, err);

    if (rc != CLV_OK)
        return rc;
    if (pthread_setspecific(s->key, c) != 0) {
        conn_close(c);
        return clv_fail(err, CLV_STORE, "store: pthread_setspecific failed");
    }
    pthread_mutex_lock(&s->mu);
    c->next = s->conns;
    if (s->conns != NULL)
        s->conns->prev = c;
    s->conns = c;
    pthread_mutex_unlock(&s->mu);
    *out = c;
    return CLV_OK;
}

/* The calling thread's own connection (not the writer it may be using). */
static clv_code own_conn(clv_store *base, clv_sqlite_conn **out, clv_err *err)
{
    sqlite_store *s = (sqlite_store *)base;
    clv_sqlite_conn *c = pthread_getspecific(s->key);

    if (c != NULL) {
        *out = c;
        return CLV_OK;
    }
    return conn_open(s, out, err);
}

clv_code clv_sqlite_conn_get(clv_store *base, clv_sqlite_conn **out, clv_err *err)
{
    clv_sqlite_conn *c = NULL;
    clv_code rc = own_conn(base, &c, err);

    if (rc == CLV_OK)
        *out = c->tx != NULL ? c->tx : c;
    return rc;
}

clv_sqlite_group *clv_sqlite_store_group(clv_store *s)
{
    return ((sqlite_store *)s)->group;
}

/* ---- handle ---- */

void clv_sqlite_free(clv_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    clv_sqlite_conn *c, *next;

    /* Deleting the key first means no destructor can run for it any more; the
     * connections of threads still alive are closed here, from the list. */
    pthread_key_delete(s->key);
    clv_sqlite_group_free(s->group);
    for (c = s->conns; c != NULL; c = next) {
        next = c->next;
        conn_close(c);
    }
    pthread_mutex_destroy(&s->mu);
    free(s->path);
    free(s);
}

clv_code clv_store_sqlite_open(const char *path, clv_store **out, clv_err *err)
{
    sqlite_store *s = calloc(1, sizeof *s);
    clv_sqlite_conn *c = NULL;
    clv_code rc;

    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        return clv_fail(err, CLV_NOMEM, "store: out of memory");
    }
    s->base.ops = &sqlite_ops;
    pthread_once(&op_writes_once, op_writes_init);
    if (pthread_key_create(&s->key, conn_release) != 0) {
        free(s->path);
        free(s);
        return clv_fail(err, CLV_STORE, "store: pthread_key_create failed");
    }
    pthread_mutex_init(&s->mu, NULL);
    if ((s->group = clv_sqlite_group_new(&s->base)) == NULL) {
        clv_sqlite_free(&s->base);
        return clv_fail(err, CLV_NOMEM, "store: out of memory");
    }
    /* Open this thread's connection now, so that a bad path fails here. */
    rc = conn_open(s, &c, err);
    if (rc != CLV_OK) {
        clv_sqlite_free(&s->base);
        return rc;
    }
    *out = &s->base;
    return CLV_OK;
}

/* ---- statements and errors ---- */

sqlite3_stmt *clv_sqlite_stmt(clv_sqlite_conn *c, clv_sqlite_stmt_id id, clv_err *err)
{
    if (c->st[id] != NULL)
        return c->st[id];
    if (sqlite3_prepare_v3(c->db, clv_sqlite_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->st[id],
                           NULL) != SQLITE_OK) {
        clv_fail(err, CLV_STORE, "store: cannot prepare statement %d: %s", (int)id,
                 sqlite3_errmsg(c->db));
        c->st[id] = NULL;
    }
    return c->st[id];
}

void clv_sqlite_done(sqlite3_stmt *st)
{
    if (st == NULL)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

clv_code clv_sqlite_fail(clv_sqlite_conn *c, const char *what, clv_err *err)
{
    int x = sqlite3_extended_errcode(c->db);

    switch (x) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return clv_fail(err, CLV_CONFLICT, "%s: already exists", what);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return clv_fail(err, CLV_NOT_FOUND, "%s: the object it refers to does not exist", what);
    case SQLITE_NOMEM:
        return clv_fail(err, CLV_NOMEM, "%s: out of memory", what);
    default:
        return clv_fail(err, CLV_STORE, "%s: %s", what, sqlite3_errmsg(c->db));
    }
}

clv_code clv_sqlite_exec(clv_sqlite_conn *c, sqlite3_stmt *st, const char *what, int *changes,
                         clv_err *err)
{
    clv_code rc = CLV_OK;

    if (sqlite3_step(st) != SQLITE_DONE)
        rc = clv_sqlite_fail(c, what, err);
    else if (changes != NULL)
        *changes = sqlite3_changes(c->db);
    clv_sqlite_done(st);
    return rc;
}

clv_code clv_sqlite_run(clv_sqlite_conn *c, clv_sqlite_stmt_id id, clv_err *err)
{
    sqlite3_stmt *st = clv_sqlite_stmt(c, id, err);

    if (st == NULL)
        return CLV_STORE;
    return clv_sqlite_exec(c, st, clv_sqlite_sql[id], NULL, err);
}

clv_code clv_sqlite_version_miss(clv_sqlite_conn *c, clv_sqlite_stmt_id exists, const char *id,
                                 const char *what, clv_err *err)
{
    sqlite3_stmt *st = clv_sqlite_stmt(c, exists, err);
    clv_code rc;
    int step;

    if (st == NULL)
        return CLV_STORE;
    if (sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) != SQLITE_OK)
        step = SQLITE_ERROR;
    else
        step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        rc = clv_fail(err, CLV_PRECONDITION, "%s: version mismatch", what);
    else if (step == SQLITE_DONE)
        rc = clv_fail(err, CLV_NOT_FOUND, "%s: no such object", what);
    else
        rc = clv_sqlite_fail(c, what, err);
    clv_sqlite_done(st);
    return rc;
}

/* ---- transactions ---- */

clv_code clv_sqlite_begin(clv_store *s, clv_err *err)
{
    clv_sqlite_conn *c = NULL, *w;
    clv_code rc = own_conn(s, &c, err);

    if (rc != CLV_OK)
        return rc;
    if (c->tx != NULL)
        return clv_fail(err, CLV_STORE, "store: begin: a transaction is already open");
    if ((rc = clv_sqlite_group_enter(((sqlite_store *)s)->group, &w, err)) == CLV_OK)
        c->tx = w;
    return rc;
}

/* Ends the thread's transaction: kept (once durable) when rc is CLV_OK, else undone. */
static clv_code tx_end(clv_store *s, clv_code rc, clv_err *err)
{
    clv_sqlite_conn *c = NULL;

    if (own_conn(s, &c, NULL) != CLV_OK || c->tx == NULL)
        return rc == CLV_OK ? clv_fail(err, CLV_STORE, "store: commit: no transaction is open")
                            : rc;
    c->tx = NULL;
    return clv_sqlite_group_leave(((sqlite_store *)s)->group, rc, err);
}

clv_code clv_sqlite_commit(clv_store *s, clv_err *err)
{
    return tx_end(s, CLV_OK, err);
}

/* SQLite: one connection per thread that calls the store, always (a file has no connection
 * limit to respect). */
void clv_sqlite_pool_limit(clv_store *s, int n)
{
    (void)s, (void)n;
}

void clv_sqlite_release(clv_store *s)
{
    (void)s;
}

void clv_sqlite_rollback(clv_store *s)
{
    /* Harmless with no transaction open (after a failed begin or a failed commit). */
    tx_end(s, CLV_STORE, NULL);
}

/* An operation that writes, outside the thread's transaction: its own request of the
 * group (docs/DESIGN.md D17); inside one, it simply joins it (*own false). */
clv_code clv_sqlite_write_open(clv_store *s, bool *own, clv_err *err)
{
    clv_sqlite_conn *c = NULL;
    clv_code rc = own_conn(s, &c, err);

    *own = false;
    if (rc != CLV_OK || c->tx != NULL)
        return rc;
    if ((rc = clv_sqlite_begin(s, err)) == CLV_OK)
        *own = true;
    return rc;
}

clv_code clv_sqlite_write_close(clv_store *s, bool own, clv_code rc, clv_err *err)
{
    return own ? tx_end(s, rc, err) : rc;
}

/* Work that must be atomic: its own write transaction, or a savepoint inside the
 * caller's transaction. */
clv_code clv_sqlite_atomic_open(clv_sqlite_conn *c, bool *own, clv_err *err)
{
    *own = sqlite3_get_autocommit(c->db) != 0;
    return clv_sqlite_run(c, *own ? ST_BEGIN : ST_SAVEPOINT, err);
}

clv_code clv_sqlite_atomic_close(clv_sqlite_conn *c, bool own, clv_code rc, clv_err *err)
{
    if (rc == CLV_OK) {
        rc = clv_sqlite_run(c, own ? ST_COMMIT : ST_RELEASE, err);
        if (rc == CLV_OK)
            return CLV_OK;
    }
    if (own) {
        if (!sqlite3_get_autocommit(c->db))
            clv_sqlite_run(c, ST_ROLLBACK, NULL);
    } else {
        clv_sqlite_run(c, ST_ROLLBACK_TO, NULL);
        clv_sqlite_run(c, ST_RELEASE, NULL);
    }
    return rc;
}

/* ---- migrations ---- */

/* The highest migration applied, 0 for a new database. */
static clv_code version_get(clv_sqlite_conn *c, int64_t *have, clv_err *err)
{
    sqlite3_stmt *st = clv_sqlite_stmt(c, ST_VERSION_GET, err);
    clv_code rc = CLV_OK;

    if (st == NULL)
        return CLV_STORE;
    if (sqlite3_step(st) == SQLITE_ROW)
        *have = sqlite3_column_int64(st, 0);
    else
        rc = clv_sqlite_fail(c, "migrate", err);
    clv_sqlite_done(st);
    return rc;
}

/* Applies migration n (1-based) and records it. */
static clv_code apply(clv_sqlite_conn *c, int n, clv_err *err)
{
    sqlite3_stmt *st;
    clv_sqlite_bind b;

    /* sqlite3_exec: a migration is several statements of literal SQL, run once */
    if (sqlite3_exec(c->db, clv_sqlite_migrations[n - 1], NULL, NULL, NULL) != SQLITE_OK)
        return clv_fail(err, CLV_STORE, "migration %d: %s", n, sqlite3_errmsg(c->db));
    if ((st = clv_sqlite_stmt(c, ST_VERSION_PUT, err)) == NULL)
        return CLV_STORE;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_int(&b, n);
    clv_sqlite_bind_int(&b, clv_now());
    return clv_sqlite_write(c, &b, "migrate", false, err);
}

/* Applies migration n unless schema_version says it is in, in one transaction taken
 * IMMEDIATE, so that two processes migrating at once apply it once. */
static clv_code migrate_one(clv_sqlite_conn *c, int n, clv_err *err)
{
    clv_code rc = clv_sqlite_run(c, ST_BEGIN, err);
    int64_t have = 0;

    if (rc != CLV_OK)
        return rc;
    rc = clv_sqlite_run(c, ST_VERSION_CREATE, err);
    if (rc == CLV_OK)
        rc = version_get(c, &have, err);
    if (rc == CLV_OK && have < n)
        rc = apply(c, n, err);
    if (rc == CLV_OK)
        rc = clv_sqlite_run(c, ST_COMMIT, err);
    if (rc != CLV_OK && !sqlite3_get_autocommit(c->db))
        clv_sqlite_run(c, ST_ROLLBACK, NULL);
    return rc;
}

clv_code clv_sqlite_migrate_to(clv_store *s, int version, clv_err *err)
{
    clv_sqlite_conn *c;
    clv_code rc = clv_sqlite_conn_get(s, &c, err);

    for (int n = 1; rc == CLV_OK && n <= version && n <= clv_sqlite_migration_count; n++)
        rc = migrate_one(c, n, err);
    if (rc == CLV_OK)
        ((sqlite_store *)s)->writes_as = version < clv_sqlite_migration_count ? version : 0;
    return rc;
}

int clv_sqlite_writes_as(const clv_sqlite_conn *c)
{
    return c->owner->writes_as != 0 ? c->owner->writes_as : clv_sqlite_migration_count;
}

clv_code clv_sqlite_migrate(clv_store *s, clv_err *err)
{
    return clv_sqlite_migrate_to(s, clv_sqlite_migration_count, err);
}

clv_code clv_sqlite_schema_version(clv_store *s, int64_t *version, clv_err *err)
{
    clv_sqlite_conn *c;
    clv_code rc = clv_sqlite_conn_get(s, &c, err);
    int64_t have = 0;

    if (rc == CLV_OK)
        rc = version_get(c, &have, err);
    if (rc == CLV_OK)
        *version = have;
    return rc;
}

/* ---- meta ---- */

clv_code clv_sqlite_meta_get(clv_store *s, const char *name, char **value, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_row r;
    clv_code rc;
    char *v = NULL;
    int step;

    if (!clv_sqlite_prepare(s, ST_META_GET, &c, &st, &rc, err))
        return rc;
    step = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK ? sqlite3_step(st)
                                                                          : SQLITE_ERROR;
    if (step == SQLITE_ROW) {
        clv_sqlite_row_init(&r, st);
        v = clv_sqlite_col_text(&r);
        rc = clv_sqlite_row_end(&r, "meta_get", err);
    } else if (step == SQLITE_DONE) {
        rc = clv_fail(err, CLV_NOT_FOUND, "meta_get: no value named %s", name);
    } else {
        rc = clv_sqlite_fail(c, "meta_get", err);
    }
    clv_sqlite_done(st);
    if (rc == CLV_OK)
        *value = v;
    else
        free(v);
    return rc;
}

clv_code clv_sqlite_meta_put(clv_store *s, const char *name, const char *value, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_META_PUT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, name);
    clv_sqlite_bind_text(&b, value);
    return clv_sqlite_write(c, &b, "meta_put", false, err);
}

/* ---- the table: clv_sqlite_<name> for every operation (impl.h) ---- */

/* The operations that write: each runs as a request of the group (clv_sqlite_write_open)
 * unless the thread's transaction is open; iat_insert, not in this table's X-list, groups
 * itself (registration.c). Reads run on the thread's own connection. */
static const char *const write_ops[] = {
    "meta_put",        "tenant_insert",        "tenant_update",  "service_insert",
    "service_update",  "client_insert",        "client_update",  "client_touch",
    "secret_insert",   "secret_delete",        "secret_touch",   "user_insert",
    "user_update",     "user_delete",          "audit_insert",   "jti_revoke",
    "authcode_insert", "authcode_consume",     "refresh_insert", "refresh_consume",
    "family_revoke",   "client_grants_revoke", "refresh_revoke", "session_insert",
    "session_delete",  "assertion_jti_use",    "iat_use",        "regtoken_put",
    "consent_put",     "consent_delete",       "purge",          "resource_insert",
    "resource_delete", "iat_insert", "meta_delete", "signing_key_insert", "signing_key_retire",
    "signing_key_activate", "signing_key_purge"};

#define OP_INDEX(name, params, args) OPI_##name,
#define OWN_OP_INDEX(ret, name, params) OPI_##name,
enum { CLV_STORE_OPS(OP_INDEX) CLV_STORE_OWN_OPS(OWN_OP_INDEX) OPI_COUNT };
#undef OP_INDEX
#undef OWN_OP_INDEX

#define OP_NAME(name, params, args) #name,
#define OWN_OP_NAME(ret, name, params) #name,
static const char *const op_names[OPI_COUNT] = {CLV_STORE_OPS(OP_NAME)
                                                    CLV_STORE_OWN_OPS(OWN_OP_NAME)};
#undef OP_NAME
#undef OWN_OP_NAME

static bool op_writes[OPI_COUNT];

/* Fills op_writes from write_ops; a name that is no operation is a bug of this file. */
static void op_writes_init(void)
{
    for (size_t i = 0; i < sizeof write_ops / sizeof write_ops[0]; i++) {
        int k = 0;
        while (k < OPI_COUNT && strcmp(op_names[k], write_ops[i]) != 0)
            k++;
        if (k == OPI_COUNT)
            abort();
        op_writes[k] = true;
    }
}

#define WRAP(name, params, args)                                                                   \
    static clv_code grouped_##name params                                                          \
    {                                                                                              \
        bool own;                                                                                  \
        clv_code rc;                                                                               \
        if (!op_writes[OPI_##name])                                                                \
            return clv_sqlite_##name args;                                                         \
        if ((rc = clv_sqlite_write_open(s, &own, err)) != CLV_OK)                                  \
            return rc;                                                                             \
        return clv_sqlite_write_close(s, own, clv_sqlite_##name args, err);                        \
    }
CLV_STORE_OPS(WRAP)
#undef WRAP

#define OP(name, params, args) .name = grouped_##name,
#define OWN_OP(ret, name, params) .name = clv_sqlite_##name,
/* clang-format off */
static const struct clv_store_ops sqlite_ops = {
    .name = "sqlite",
    CLV_STORE_OPS(OP)
    CLV_STORE_OWN_OPS(OWN_OP)
};
/* clang-format on */
#undef OP
#undef OWN_OP
