/* impl — internals shared by the files of the SQLite backend (src/store/sqlite/):
 *   handle.c            the handle, connections, statements, transactions, migrations, meta
 *   group.c             group commit: the writer connection and its committer thread
 *   sql.c               every SQL text: the migrations and the prepared statements
 *   bind.c              binding parameters, loading columns, running statements
 *   tenants_services.c, clients.c, secrets.c, users.c, audit.c, consents.c  the objects
 *   grants.c            codes, refresh tokens, families, sessions, assertion and revoked jtis
 *   registration.c      initial access and registration access tokens
 *   purge.c             retention: what clv_store_purge removes
 *   q_index.c, fold.c   the indexes of the client list's q and their SQL functions
 * Not for use outside src/store.
 *
 * Every SQL text is a literal in sql.c, indexed by clv_sqlite_stmt_id; each
 * connection prepares a statement on first use and keeps it until the connection closes.
 * A statement taken with clv_sqlite_stmt must be given back with clv_sqlite_done (reset and
 * clear bindings) before the function returns, so that no read transaction stays open. */
#ifndef CLV_STORE_SQLITE_IMPL_H
#define CLV_STORE_SQLITE_IMPL_H

#include <sqlite3.h>

#include "store/store_impl.h"

typedef enum {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST_WRITER_TEMP,
    ST_GROUP_SAVEPOINT,
    ST_GROUP_RELEASE,
    ST_GROUP_ROLLBACK_TO,
    ST_VERSION_CREATE,
    ST_VERSION_GET,
    ST_VERSION_PUT,
    ST_META_GET,
    ST_META_PUT,
    ST_META_DELETE,
    ST_SIGNING_KEY_LIST,
    ST_SIGNING_KEY_INSERT,
    ST_SIGNING_KEY_RETIRE,
    ST_SIGNING_KEY_ACTIVATE,
    ST_SIGNING_KEY_PURGE,
    ST_SIGNING_KEY_VERSION,
    ST_TENANT_INSERT,
    ST_TENANT_GET,
    ST_TENANT_UPDATE,
    ST_TENANT_LIST,
    ST_SERVICE_INSERT,
    ST_SERVICE_GET,
    ST_SERVICE_UPDATE,
    ST_SERVICE_EXISTS,
    ST_SERVICE_LIST_TENANT,
    ST_SERVICE_LIST_STATUS,
    ST_SERVICE_LIST_ALL,
    ST_CLIENT_INSERT,
    ST_CLIENT_GET,
    ST_CLIENT_UPDATE,
    ST_CLIENT_EXISTS,
    ST_CLIENT_TOUCH,
    ST_CLIENT_COUNT,
    ST_CLIENT_LIST_SERVICE,
    ST_CLIENT_LIST_TENANT,
    ST_CLIENT_LIST_STATUS,
    ST_CLIENT_LIST_ALL,
    ST_CLIENT_LIST_Q,
    ST_CLIENT_LIST_Q_SHORT,
    ST_CLIENT_Q_SAMPLE,
    ST_CLIENT_Q_LAST,
    ST_CLIENT_Q_ADD,
    ST_CLIENT_Q_ADD_NAME,
    ST_CLIENT_Q_ADD_GRAMS,
    ST_CLIENT_Q_FORGET,
    ST_CLIENT_Q_FORGET_GRAMS,
    ST_CLIENT_Q_UNMAP,
    ST_CLIENT_Q_REMAP,
    ST_CLIENT_Q_REINDEX,
    ST_CLIENT_Q_REINDEX_GRAMS,
    ST_CLIENT_Q_PEND,
    ST_CLIENT_Q_FLUSH,
    ST_CLIENT_Q_FLUSH_GRAMS,
    ST_CLIENT_Q_FLUSH_DONE,
    ST_CLIENT_Q_BEFORE,
    ST_CLIENT_Q_SHIFT_FORGET,
    ST_CLIENT_Q_SHIFT_FORGET_GRAMS,
    ST_CLIENT_Q_SHIFT_PEND,
    ST_CLIENT_Q_SHIFT_OUT,
    ST_CLIENT_Q_SHIFT_IN,
    ST_CLIENT_Q_SHIFT_PEND_OUT,
    ST_CLIENT_Q_SHIFT_PEND_IN,
    ST_SECRET_INSERT,
    ST_SECRET_LIST,
    ST_SECRET_DELETE,
    ST_SECRET_TOUCH,
    ST_USER_INSERT,
    ST_USER_GET,
    ST_USER_FIND,
    ST_USER_UPDATE,
    ST_USER_DELETE,
    ST_USER_LIST_TENANT,
    ST_USER_LIST_ALL,
    ST_AUDIT_INSERT,
    ST_AUDIT_LIST_TARGET,
    ST_AUDIT_LIST_ACTOR,
    ST_AUDIT_LIST_TENANT,
    ST_AUDIT_LIST_ALL,
    ST_JTI_REVOKE,
    ST_JTI_GET,
    ST_PURGE_SELECT,
    ST_PURGE_CLIENTS_DELETE,
    ST_PURGE_SERVICES_DELETE,
    ST_PURGE_JTI,
    ST_PURGE_AUTHCODES,
    ST_PURGE_REFRESH,
    ST_PURGE_FAMILIES,
    ST_PURGE_SESSIONS,
    ST_PURGE_ASSERTION_JTIS,
    ST_PURGE_IATS,
    ST_AUTHCODE_INSERT,
    ST_AUTHCODE_MARK,
    ST_AUTHCODE_GET,
    ST_REFRESH_INSERT,
    ST_REFRESH_MARK,
    ST_REFRESH_GET,
    ST_REFRESH_REVOKE,
    ST_FAMILY_REVOKE,
    ST_FAMILY_GET,
    ST_FAMILY_DROP_CODES,
    ST_FAMILY_DROP_REFRESH,
    ST_CLIENT_DROP_CODES,
    ST_CLIENT_DROP_REFRESH,
    ST_SESSION_INSERT,
    ST_SESSION_GET,
    ST_SESSION_DELETE,
    ST_ASSERTION_JTI_USE,
    ST_IAT_INSERT,
    ST_IAT_USE,
    ST_IAT_GET,
    ST_IAT_LIST,
    ST_REGTOKEN_PUT,
    ST_REGTOKEN_GET,
    ST_HYGIENE_CANDIDATES,
    ST_REGISTERED_COUNT,
    ST_CLIENT_FIRST_PARTY,
    ST_CONSENT_GET,
    ST_CONSENT_PUT,
    ST_CONSENT_LIST,
    ST_CONSENT_DELETE,
    ST_RESOURCE_INSERT,
    ST_RESOURCE_FIND,
    ST_RESOURCE_LIST,
    ST_RESOURCE_DELETE,
    ST_COUNT
} clv_sqlite_stmt_id;

/* The SQL text of each statement (sql.c). */
extern const char *const clv_sqlite_sql[ST_COUNT];

/* The numbered migrations: clv_sqlite_migrations[i] brings the schema to version i + 1. */
extern const char *const clv_sqlite_migrations[];
extern const int clv_sqlite_migration_count;
/* The number of the migration from which the names of a batch's new clients wait in
 * clients_q_pending until it commits (sql.c, q_index.c). */
int clv_sqlite_migration_q_pending(void);

/* One thread's connection; owned by the store's list, reached through a pthread key. */
typedef struct clv_sqlite_conn clv_sqlite_conn;
typedef struct clv_sqlite_q_sample clv_sqlite_q_sample; /* q_index.c */
struct clv_sqlite_conn {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];    /* prepared on first use, NULL until then */
    clv_sqlite_q_sample *q_sample; /* the common trigrams of q, learnt on first use */
    struct clv_sqlite_store *owner;
    clv_sqlite_conn *prev, *next;
    /* A thread's own connection reads; while the thread has a transaction or a write open,
     * tx is the writer connection (group.c) and clv_sqlite_conn_get answers that. */
    clv_sqlite_conn *tx;
    /* The writer of group.c: the clients it creates are indexed for q when their batch
     * commits (q_index.c); q_pending: some may wait in clients_q_pending. */
    bool batched, q_pending;
};

/* The calling thread's connection, opened (and added to the store's list) on first use.
 * CLV_STORE if it cannot be opened. */
clv_code clv_sqlite_conn_get(clv_store *s, clv_sqlite_conn **out, clv_err *err);

/* A connection of the store's database that no thread owns (the writer of group.c), and
 * its closing. */
clv_code clv_sqlite_conn_new(clv_store *s, clv_sqlite_conn **out, clv_err *err);
void clv_sqlite_conn_free(clv_sqlite_conn *c);

/* Group commit (group.c, docs/DESIGN.md D17). enter: the calling thread takes the writer
 * connection (*w), inside the open batch's transaction, in a savepoint of its own. leave:
 * rc is the outcome of the thread's statements; on CLV_OK the savepoint is released and the
 * call returns once the batch is committed (durable), with CLV_OK or the commit's failure;
 * otherwise the savepoint is rolled back and rc returned at once. */
typedef struct clv_sqlite_group clv_sqlite_group;
clv_sqlite_group *clv_sqlite_group_new(clv_store *s);
void clv_sqlite_group_free(clv_sqlite_group *g);
clv_code clv_sqlite_group_enter(clv_sqlite_group *g, clv_sqlite_conn **w, clv_err *err);
clv_code clv_sqlite_group_leave(clv_sqlite_group *g, clv_code rc, clv_err *err);
/* A write outside the thread's transaction as a request of the group (*own true), or inside
 * it (*own false: close returns rc unchanged). close ends the request with rc as leave. */
clv_code clv_sqlite_write_open(clv_store *s, bool *own, clv_err *err);
clv_code clv_sqlite_write_close(clv_store *s, bool own, clv_code rc, clv_err *err);
/* Batches committed and requests they held, since the store was opened. */
void clv_sqlite_group_stats(clv_sqlite_group *g, long long *batches, long long *requests);
/* The store's group (for the tests). */
clv_sqlite_group *clv_sqlite_store_group(clv_store *s);

/* The prepared statement `id` of connection c (prepared now if need be); NULL with err set
 * (CLV_STORE) if it cannot be prepared. */
sqlite3_stmt *clv_sqlite_stmt(clv_sqlite_conn *c, clv_sqlite_stmt_id id, clv_err *err);

/* Resets st and clears its bindings. NULL is a no-op. */
void clv_sqlite_done(sqlite3_stmt *st);

/* Maps the connection's last error to a code and records it: CLV_CONFLICT for a unique or
 * primary key violation, CLV_NOT_FOUND for a foreign key violation, CLV_NOMEM, else
 * CLV_STORE with sqlite3_errmsg. `what` names the operation. */
clv_code clv_sqlite_fail(clv_sqlite_conn *c, const char *what, clv_err *err);

/* Runs a statement that binds nothing and returns no row (BEGIN, COMMIT, …). */
clv_code clv_sqlite_run(clv_sqlite_conn *c, clv_sqlite_stmt_id id, clv_err *err);

/* Work that must be atomic: atomic_open starts a write transaction (BEGIN IMMEDIATE) when
 * none is open, else a savepoint inside the caller's; *own says which. atomic_close
 * commits (or releases) when rc is CLV_OK, else rolls back (to the savepoint), and
 * returns rc, or the failure of the commit. */
clv_code clv_sqlite_atomic_open(clv_sqlite_conn *c, bool *own, clv_err *err);
clv_code clv_sqlite_atomic_close(clv_sqlite_conn *c, bool own, clv_code rc, clv_err *err);

/* Applies the migrations up to `version` only (clv_store_migrate applies them all), and
 * makes the store write as the release whose last migration that was (see
 * clv_sqlite_writes_as); for the tests that upgrade a database made by an older release. */
clv_code clv_sqlite_migrate_to(clv_store *s, int version, clv_err *err);
/* The last migration of the release c's store writes as: the newest, unless
 * clv_sqlite_migrate_to stopped short of it. */
int clv_sqlite_writes_as(const clv_sqlite_conn *c);
/* The highest migration applied; CLV_STORE on a database never migrated. */
clv_code clv_sqlite_schema_version(clv_store *s, int64_t *version, clv_err *err);

/* Binds parameters 1, 2, 3, … in order; the first failure sticks in rc and makes the rest
 * no-ops. Strings are bound SQLITE_STATIC: they must outlive the step. */
typedef struct {
    sqlite3_stmt *st;
    int n;  /* parameters bound so far */
    int rc; /* SQLITE_OK, or the first failure */
} clv_sqlite_bind;

void clv_sqlite_bind_init(clv_sqlite_bind *b, sqlite3_stmt *st);
void clv_sqlite_bind_text(clv_sqlite_bind *b, const char *v); /* NULL binds NULL */
void clv_sqlite_bind_int(clv_sqlite_bind *b, int64_t v);
/* Compact JSON text of v; a NULL v binds `if_null` (which may itself be NULL). */
void clv_sqlite_bind_json(clv_sqlite_bind *b, const json_t *v, const char *if_null);
void clv_sqlite_bind_blob(clv_sqlite_bind *b, const void *p, int n);
/* CLV_OK if every bind succeeded and every parameter of the statement was bound. */
clv_code clv_sqlite_bind_end(clv_sqlite_bind *b, clv_sqlite_conn *c, const char *what,
                             clv_err *err);
/* Binds the keyset of a page and its limit + 1 (the extra row says whether a next page
 * exists). */
void clv_sqlite_bind_page(clv_sqlite_bind *b, const clv_store_page *pg);

/* Reads columns 0, 1, 2, … of the current row in order; the first failure sticks in rc
 * (CLV_NOMEM, or CLV_STORE for stored JSON that does not parse). */
typedef struct {
    sqlite3_stmt *st;
    int n;
    clv_code rc;
} clv_sqlite_row;

void clv_sqlite_row_init(clv_sqlite_row *r, sqlite3_stmt *st);
char *clv_sqlite_col_text(clv_sqlite_row *r); /* malloc'd copy; NULL for SQL NULL */
int64_t clv_sqlite_col_int(clv_sqlite_row *r);
/* Parsed JSON; SQL NULL gives an empty array when `array` is true, else NULL. */
json_t *clv_sqlite_col_json(clv_sqlite_row *r, bool array);
/* Copies exactly n bytes; CLV_STORE if the stored blob has another size. */
void clv_sqlite_col_blob(clv_sqlite_row *r, void *out, int n);
/* r->rc, or CLV_STORE if the statement has columns that were not read. */
clv_code clv_sqlite_row_end(clv_sqlite_row *r, const char *what, clv_err *err);

/* Loads the current row of st into a new object (*item) and returns CLV_OK, or a code. */
typedef clv_code (*clv_sqlite_load_fn)(sqlite3_stmt *st, void **item, clv_err *err);
/* The keyset of an object: the time it is ordered by and its id. */
typedef void (*clv_sqlite_key_fn)(const void *item, int64_t *ts, const char **id);

typedef struct {
    clv_sqlite_load_fn load;
    clv_sqlite_key_fn key; /* NULL: not paginated */
    void (*free_item)(void *);
    const char *what;
} clv_sqlite_kind;

/* The calling thread's connection and its statement `id`: true, or false with *rc set
 * (and err recorded) if either cannot be had. */
bool clv_sqlite_prepare(clv_store *s, clv_sqlite_stmt_id id, clv_sqlite_conn **c, sqlite3_stmt **st,
                        clv_code *rc, clv_err *err);

/* The three ways to run a statement once its parameters are bound through b. Each ends the
 * binding (clv_sqlite_bind_end), runs the statement and gives it back (clv_sqlite_done)
 * in every case; out-parameters are set only on CLV_OK.
 *   clv_sqlite_write: a write; CLV_NOT_FOUND if it changed no row and must_change is set.
 *   clv_sqlite_one:   at most one row, loaded into *item; CLV_NOT_FOUND if none.
 *   clv_sqlite_page:  at most `limit` rows (limit < 0: every row) into *out, with
 *                     next_cursor from the last item when one more row follows. */
clv_code clv_sqlite_write(clv_sqlite_conn *c, clv_sqlite_bind *b, const char *what,
                          bool must_change, clv_err *err);
clv_code clv_sqlite_one(clv_sqlite_conn *c, clv_sqlite_bind *b, const clv_sqlite_kind *kind,
                        void **item, clv_err *err);
clv_code clv_sqlite_page(clv_sqlite_conn *c, clv_sqlite_bind *b, int limit,
                         const clv_sqlite_kind *kind, clv_list *out, clv_err *err);

/* As clv_sqlite_write, and *changes (unless NULL) gets the number of rows changed. */
clv_code clv_sqlite_write_n(clv_sqlite_conn *c, clv_sqlite_bind *b, const char *what, int *changes,
                            clv_err *err);

/* Tokens and sessions are stored by the SHA-256 of their value: a 32-byte blob key. */
enum { CLV_SQLITE_HASH_LEN = 32 };

/* The keys of clients_fts_map (migration 4) are created_at * CLV_SQLITE_Q_SECOND + the
 * client's rank by id within its second: key order is the list order. */
#define CLV_SQLITE_Q_SECOND_SQL "1048576"
enum { CLV_SQLITE_Q_SECOND = 1048576 };

/* Statement `id` of c with the one parameter `hash`: clv_sqlite_write_n and clv_sqlite_one
 * for statements keyed by a token hash. */
clv_code clv_sqlite_hash_write(clv_sqlite_conn *c, clv_sqlite_stmt_id id,
                               const unsigned char hash[32], const char *what, int *changes,
                               clv_err *err);
clv_code clv_sqlite_hash_one(clv_sqlite_conn *c, clv_sqlite_stmt_id id,
                             const unsigned char hash[32], const clv_sqlite_kind *kind, void **item,
                             clv_err *err);

/* Steps a bound statement that writes; *changes gets the number of rows it changed.
 * Gives st back; errors mapped by clv_sqlite_fail. */
clv_code clv_sqlite_exec(clv_sqlite_conn *c, sqlite3_stmt *st, const char *what, int *changes,
                         clv_err *err);

/* After an UPDATE … WHERE id = ? AND version = ? changed nothing: CLV_PRECONDITION if a row
 * with that id exists (statement `exists` binds the id), else CLV_NOT_FOUND. */
clv_code clv_sqlite_version_miss(clv_sqlite_conn *c, clv_sqlite_stmt_id exists, const char *id,
                                 const char *what, clv_err *err);

/* The backend's side of every store operation: clv_sqlite_<name> for each operation of
 * CLV_STORE_OPS (store_ops.h) and CLV_STORE_OWN_OPS (store_impl.h), with the contract
 * given there; handle.c puts them in the table. */
#define CLV_SQLITE_DECLARE(name, params, args) clv_code clv_sqlite_##name params;
#define CLV_SQLITE_DECLARE_OWN(ret, name, params) ret clv_sqlite_##name params;
CLV_STORE_OPS(CLV_SQLITE_DECLARE)
CLV_STORE_OWN_OPS(CLV_SQLITE_DECLARE_OWN)
#undef CLV_SQLITE_DECLARE
#undef CLV_SQLITE_DECLARE_OWN

/* Registers clv_fold(text), a Unicode lower(), and clv_grams(text), the words of
 * clients_grams (fold.c), on a connection. */
int clv_sqlite_register_fold(sqlite3 *db);
/* The words clv_grams(text) gives, into out (cap bytes; stops short rather than overflow);
 * returns their length. */
size_t clv_sqlite_grams(const char *text, char *out, size_t cap);
/* The one word of clients_grams that q of 1 or 2 characters must match; false for other
 * lengths. */
bool clv_sqlite_gram_query(const char *q, char out[32]);
/* The tag of one filter value (kind 's' service, 't' tenant, 'a' status) as clv_q_tags
 * writes it, into out (CLV_SQLITE_Q_TAG_MAX bytes); and the tags of a client, space
 * separated (3 * CLV_SQLITE_Q_TAG_MAX bytes). Return the length. */
enum { CLV_SQLITE_Q_TAG_MAX = 12 };
size_t clv_sqlite_q_tag(char kind, const char *value, bool words, char *out);
/* The 36-bit hash a tag is made of. */
uint64_t clv_sqlite_q_tag_hash(char kind, const char *value);
size_t clv_sqlite_q_tags(const char *service_id, const char *tenant_id, int status, bool words,
                         char *out);
/* The folded code point of the character at in[i] (n bytes in all); *len gets its length.
 * A malformed byte stands for itself. */
unsigned clv_sqlite_fold_char(const unsigned char *in, size_t n, size_t i, size_t *len);

/* q's indexes (q_index.c). clv_sqlite_q_place keys a new client (already in clients) in
 * clients_fts_map and indexes its name and tags. clv_sqlite_q_match: for a list with q
 * (f->q), the statement to run (*id) and what it asks the index, q and the tags of the
 * filters (*match, for ?10; the caller frees it); *match stays NULL without q, or for an
 * empty one. */
clv_code clv_sqlite_q_place(clv_sqlite_conn *c, const clv_client *cl, clv_err *err);
/* Indexes the names that wait in clients_q_pending (see clv_sqlite_q_place), in the open
 * transaction: before the batch's COMMIT (group.c), and before the writer reads or renumbers
 * the index. Leaves c->q_pending as it is: only the end of the transaction clears it. */
clv_code clv_sqlite_q_flush(clv_sqlite_conn *c, clv_err *err);
clv_code clv_sqlite_q_match(clv_sqlite_conn *c, const clv_client_filter *f, clv_sqlite_stmt_id *id,
                            char **match, clv_err *err);
void clv_sqlite_q_sample_free(clv_sqlite_q_sample *s);

#endif
