/* impl — internals shared by the files of the PostgreSQL backend (src/store/postgres/):
 *   handle.c        the handle, one libpq connection per thread, statements, errors,
 *                   transactions, migrations, meta values, the table of operations
 *   sql.c           every SQL text: the migrations and the prepared statements
 *   exec.c          parameters (as text), reading result rows, running statements
 *   tenants_services.c, clients.c, users_secrets.c, audit_consents.c  the objects
 *   q.c             the client list with q: the sample, the walk or the index
 *   grants.c        codes, refresh tokens, families, sessions, assertion and revoked jtis
 *   registration.c  initial access and registration access tokens, and the purge
 *   listen.c        changes_wait: LISTEN clavis_changes on a connection of its own
 * Not for use outside src/store.
 *
 * Every SQL text is a literal in sql.c, indexed by clv_pg_stmt_id; each connection
 * prepares a statement (PQprepare) on first use and runs it with PQexecPrepared and text
 * parameters until the connection closes. No SQL is built from input. */
#ifndef CLV_STORE_POSTGRES_IMPL_H
#define CLV_STORE_POSTGRES_IMPL_H

#include <libpq-fe.h>

#include "store/store_impl.h"

typedef enum {
    PG_BEGIN,
    PG_BEGIN_SNAPSHOT,
    PG_COMMIT,
    PG_ROLLBACK,
    PG_SAVEPOINT,
    PG_RELEASE,
    PG_ROLLBACK_TO,
    PG_MIGRATE_LOCK,
    PG_VERSION_CREATE,
    PG_VERSION_GET,
    PG_VERSION_PUT,
    PG_META_GET,
    PG_META_PUT,
    PG_META_DELETE,
    PG_SIGNING_KEY_LIST,
    PG_SIGNING_KEY_INSERT,
    PG_SIGNING_KEY_RETIRE,
    PG_SIGNING_KEY_ACTIVATE,
    PG_SIGNING_KEY_PURGE,
    PG_SIGNING_KEY_VERSION,
    PG_TENANT_INSERT,
    PG_TENANT_GET,
    PG_TENANT_UPDATE,
    PG_TENANT_LIST,
    PG_SERVICE_INSERT,
    PG_SERVICE_GET,
    PG_SERVICE_UPDATE,
    PG_SERVICE_EXISTS,
    PG_SERVICE_LIST,
    PG_CLIENT_INSERT,
    PG_CLIENT_GET,
    PG_CLIENT_UPDATE,
    PG_CLIENT_EXISTS,
    PG_CLIENT_TOUCH,
    PG_CLIENT_COUNT,
    PG_CLIENT_LIST,
    PG_CLIENT_LIST_Q,
    PG_CLIENT_LIST_Q_WALK,
    PG_CLIENT_Q_WINDOW,
    PG_CLIENT_LIST_Q_INDEX,
    PG_CLIENT_Q_SAMPLE,
    PG_SECRET_INSERT,
    PG_SECRET_LIST,
    PG_SECRET_DELETE,
    PG_SECRET_TOUCH,
    PG_USER_INSERT,
    PG_USER_GET,
    PG_USER_FIND,
    PG_USER_UPDATE,
    PG_USER_DELETE,
    PG_USER_LIST,
    PG_AUDIT_INSERT,
    PG_AUDIT_LIST,
    PG_JTI_REVOKE,
    PG_JTI_GET,
    PG_PURGE_SELECT,
    PG_PURGE_CLIENTS_DELETE,
    PG_PURGE_SERVICES_DELETE,
    PG_PURGE_JTI,
    PG_PURGE_AUTHCODES,
    PG_PURGE_REFRESH,
    PG_PURGE_FAMILIES,
    PG_PURGE_SESSIONS,
    PG_PURGE_ASSERTION_JTIS,
    PG_PURGE_IATS,
    PG_AUTHCODE_INSERT,
    PG_AUTHCODE_MARK,
    PG_AUTHCODE_GET,
    PG_REFRESH_INSERT,
    PG_REFRESH_MARK,
    PG_REFRESH_GET,
    PG_REFRESH_REVOKE,
    PG_FAMILY_REVOKE,
    PG_FAMILY_GET,
    PG_FAMILY_DROP_CODES,
    PG_FAMILY_DROP_REFRESH,
    PG_CLIENT_DROP_CODES,
    PG_CLIENT_DROP_REFRESH,
    PG_SESSION_INSERT,
    PG_SESSION_GET,
    PG_SESSION_DELETE,
    PG_ASSERTION_JTI_USE,
    PG_IAT_INSERT,
    PG_IAT_USE,
    PG_IAT_LIST,
    PG_REGTOKEN_PUT,
    PG_REGTOKEN_GET,
    PG_CONSENT_GET,
    PG_CONSENT_PUT,
    PG_CONSENT_LIST,
    PG_CONSENT_DELETE,
    PG_RESOURCE_INSERT,
    PG_RESOURCE_FIND,
    PG_RESOURCE_LIST,
    PG_RESOURCE_DELETE,
    PG_PURGE_LOCK,
    PG_HYGIENE_CANDIDATES,
    PG_SERVICE_LOCK,
    PG_REGISTERED_COUNT,
    PG_COUNT
} clv_pg_stmt_id;

/* The SQL text of each statement (sql.c). */
extern const char *const clv_pg_sql[PG_COUNT];

/* The numbered migrations: clv_pg_migrations[i] brings the schema to version i + 1; each
 * is a NULL-terminated list of parts, run in order in one transaction. */
extern const char *const *const clv_pg_migrations[];
extern const int clv_pg_migration_count;

/* What a connection learnt of the newest clients for q (q.c). */
typedef struct clv_pg_q_sample clv_pg_q_sample;
void clv_pg_q_sample_free(clv_pg_q_sample *s);

/* One thread's connection; owned by the store's list, reached through a pthread key. */
typedef struct clv_pg_conn clv_pg_conn;
struct clv_pg_conn {
    PGconn *db;
    bool prepared[PG_COUNT];
    int atomic; /* depth of clv_pg_atomic_open blocks open on it */
    clv_pg_q_sample *q_sample; /* NULL until a list with q */
    clv_pg_conn *idle_next; /* in the store's idle list (pooled, held by no thread) */
    struct clv_pg_store *owner;
    clv_pg_conn *prev, *next;
};

/* The store's libpq URI, and where changes_wait keeps its own connection (listen.c;
 * closed by clv_pg_free). */
const char *clv_pg_url(clv_store *s);
PGconn **clv_pg_listen_slot(clv_store *s);

/* The calling thread's connection, opened on first use; CLV_STORE if it cannot be. */
clv_code clv_pg_conn_get(clv_store *s, clv_pg_conn **out, clv_err *err);
/* Connects c again (PQreset), forgetting its prepared statements; CLV_UNAVAILABLE when the
 * server cannot be reached. */
clv_code clv_pg_conn_reset(clv_pg_conn *c, clv_err *err);

/* ---- parameters: every value is sent as text ---- */

enum { CLV_PG_PARAMS_MAX = 48, CLV_PG_HASH_LEN = 32 };

/* Parameters $1, $2, … in order. Numbers are written into num; JSON and bytea text is
 * malloc'd into own. The first failure (CLV_NOMEM) sticks in rc. */
typedef struct {
    int n;
    clv_code rc;
    const char *v[CLV_PG_PARAMS_MAX];
    char *own[CLV_PG_PARAMS_MAX];
    char num[CLV_PG_PARAMS_MAX][24];
} clv_pg_params;

void clv_pg_params_init(clv_pg_params *p);
void clv_pg_params_free(clv_pg_params *p);
void clv_pg_text(clv_pg_params *p, const char *v); /* NULL sends NULL */
void clv_pg_int(clv_pg_params *p, int64_t v);
/* Compact JSON text of v; a NULL v sends `if_null` (which may itself be NULL). */
void clv_pg_json(clv_pg_params *p, const json_t *v, const char *if_null);
/* bytea in hex format ("\x…"). */
void clv_pg_bytes(clv_pg_params *p, const unsigned char *b, size_t n);
/* The keyset of a page and its limit + 1 (the extra row says whether a next page exists). */
void clv_pg_page_params(clv_pg_params *p, const clv_store_page *pg);

/* ---- rows: columns 0, 1, 2, … of one row of a result, in order ---- */

typedef struct {
    const PGresult *res;
    int row, n;
    clv_code rc;
} clv_pg_row;

void clv_pg_row_init(clv_pg_row *r, const PGresult *res, int row);
char *clv_pg_col_text(clv_pg_row *r); /* malloc'd copy; NULL for SQL NULL */
int64_t clv_pg_col_int(clv_pg_row *r);
/* Parsed JSON; SQL NULL gives an empty array when `array` is true, else NULL. */
json_t *clv_pg_col_json(clv_pg_row *r, bool array);
/* Exactly n bytes of a bytea; CLV_STORE if the stored value has another size. */
void clv_pg_col_bytes(clv_pg_row *r, unsigned char *out, size_t n);
clv_code clv_pg_row_end(clv_pg_row *r, const char *what, clv_err *err);

/* Loads row `row` of res into a new object (*item). */
typedef clv_code (*clv_pg_load_fn)(const PGresult *res, int row, void **item, clv_err *err);
typedef void (*clv_pg_key_fn)(const void *item, int64_t *ts, const char **id);

typedef struct {
    clv_pg_load_fn load;
    clv_pg_key_fn key; /* NULL: not paginated */
    void (*free_item)(void *);
    const char *what;
} clv_pg_kind;

/* ---- running statements. Each frees p (NULL: no parameters), in every case. ---- */

/* Runs statement id; *res (caller PQclears) on CLV_OK. Errors: CLV_CONFLICT for a unique
 * violation, CLV_NOT_FOUND for a foreign key violation, else CLV_STORE. */
clv_code clv_pg_exec(clv_pg_conn *c, clv_pg_stmt_id id, clv_pg_params *p, const char *what,
                     PGresult **res, clv_err *err);
/* A write; *changes (unless NULL) gets the rows it changed. Inside the caller's
 * transaction the statement runs in a savepoint, so that its failure leaves that
 * transaction usable (as a failed statement does in SQLite); inside an atomic block
 * (clv_pg_atomic_open) it needs none, as a failure undoes the whole block. */
clv_code clv_pg_write_n(clv_pg_conn *c, clv_pg_stmt_id id, clv_pg_params *p, const char *what,
                        int *changes, clv_err *err);
/* clv_pg_write_n on the calling thread's connection; CLV_NOT_FOUND if it changed no row
 * and must_change is set. */
clv_code clv_pg_write(clv_store *s, clv_pg_stmt_id id, clv_pg_params *p, const char *what,
                      bool must_change, clv_err *err);
/* At most one row, loaded into *item; CLV_NOT_FOUND if none. */
clv_code clv_pg_one_on(clv_pg_conn *c, clv_pg_stmt_id id, clv_pg_params *p,
                       const clv_pg_kind *kind, void **item, clv_err *err);
clv_code clv_pg_one(clv_store *s, clv_pg_stmt_id id, clv_pg_params *p, const clv_pg_kind *kind,
                    void **item, clv_err *err);
/* *found = whether the statement returned a row. */
clv_code clv_pg_exists(clv_store *s, clv_pg_stmt_id id, clv_pg_params *p, const char *what,
                       bool *found, clv_err *err);
/* At most `limit` rows (limit < 0: every row) into *out, with next_cursor from the last
 * item when one more row follows. */
clv_code clv_pg_page_on(clv_pg_conn *c, clv_pg_stmt_id id, clv_pg_params *p, int limit,
                        const clv_pg_kind *kind, clv_list *out, clv_err *err);
clv_code clv_pg_page(clv_store *s, clv_pg_stmt_id id, clv_pg_params *p, int limit,
                     const clv_pg_kind *kind, clv_list *out, clv_err *err);

/* Work that must be atomic: its own transaction when none is open, else a savepoint in
 * the caller's (*own says which); close commits (releases) when rc is CLV_OK, else rolls
 * back (to the savepoint), and returns rc or the failure of the commit. */
clv_code clv_pg_atomic_open(clv_pg_conn *c, bool *own, clv_err *err);
clv_code clv_pg_atomic_close(clv_pg_conn *c, bool own, clv_code rc, clv_err *err);

/* After an UPDATE … WHERE id = $ AND version = $ changed nothing: CLV_PRECONDITION if a
 * row with that id exists (statement `exists`), else CLV_NOT_FOUND. */
clv_code clv_pg_version_miss(clv_store *s, clv_pg_stmt_id exists, const char *id,
                             const char *what, clv_err *err);

/* The client list's parameters $1 to $11 (sql.c PG_CLIENT_LIST), for f and pg. */
void clv_pg_client_list_params(clv_pg_params *p, const clv_client_filter *f,
                               const clv_store_page *pg);
/* A page of clients with a non-empty q (q.c), loaded as `kind`. */
clv_code clv_pg_q_list(clv_store *s, const clv_client_filter *f, const clv_store_page *pg,
                       const clv_pg_kind *kind, clv_list *out, clv_err *err);

/* The backend's side of every store operation: clv_pg_<name> for each operation of
 * CLV_STORE_OPS (store_ops.h) and CLV_STORE_OWN_OPS (store_impl.h). */
#define CLV_PG_DECLARE(name, params, args) clv_code clv_pg_##name params;
#define CLV_PG_DECLARE_OWN(ret, name, params) ret clv_pg_##name params;
CLV_STORE_OPS(CLV_PG_DECLARE)
CLV_STORE_OWN_OPS(CLV_PG_DECLARE_OWN)
#undef CLV_PG_DECLARE
#undef CLV_PG_DECLARE_OWN

#endif
