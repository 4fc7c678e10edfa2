/* store — persistence of the model behind one interface (SQLite, PostgreSQL).
 *
 * A clv_store is thread-safe: each calling thread gets its own database connection
 * (opened lazily, with its prepared statements cached), so the HTTP worker threads never
 * share one. Transactions (clv_store_begin/commit/rollback) apply to the calling thread's
 * connection; every other call made by that thread in between belongs to the transaction.
 * Calls outside a transaction are atomic on their own.
 *
 * All SQL is literal text with bound parameters; nothing is ever built from input.
 * Result codes: CLV_OK; CLV_NOT_FOUND (no such row, the caller decides what it means);
 * CLV_CONFLICT (a unique key taken); CLV_PRECONDITION (version mismatch on update);
 * CLV_INVALID (a bad cursor, field "cursor"); CLV_STORE (the database failed; detail
 * says how); CLV_NOMEM. Out-parameters are set only on CLV_OK, and the caller owns them.
 *
 * Most operations are declared once, with their contract, in the list of store_ops.h:
 * clv_store_<name> for each X(name, …) there. This header declares the others: opening and
 * closing, rollback, the lists (they take a cursor) and clv_store_iat_insert. */
#ifndef CLV_STORE_STORE_H
#define CLV_STORE_STORE_H

#include "base/err.h"
#include "base/model.h"
#include "store/store_ops.h"

typedef struct clv_store clv_store;

/* Opens a store: `url` is an SQLite file path (created if missing; each connection gets
 * journal_mode=WAL, synchronous=FULL, foreign_keys=ON and a busy timeout), or a libpq URI
 * "postgres://…" / "postgresql://…" (src/store/postgres/; connects at once, so that an
 * unreachable server fails here with CLV_STORE). Does not migrate. */
clv_code clv_store_open(const char *url, clv_store **out, clv_err *err);

/* PostgreSQL: at most n connections (n > 0; `serve --db-pool`), held by a thread from its
 * first statement until the operation that leaves no transaction open returns, waited for
 * when all are busy (5 s, then CLV_UNAVAILABLE). Call before other threads use the store.
 * SQLite: no effect (one connection per thread). */
void clv_store_pool_limit(clv_store *s, int n);

/* Closes every connection. NULL is a no-op. */
void clv_store_free(clv_store *s);

/* Transactions: clv_store_begin and clv_store_commit are in store_ops.h. rollback after a
 * failed begin/commit is harmless. */
void clv_store_rollback(clv_store *s);

/* ---- lists (docs/API.md "Pagination": newest first, by an opaque cursor) ---- */
/* Each takes limit 1..100 (CLV_INVALID, field "limit", otherwise) and cursor NULL for the
 * first page or a next_cursor given back unchanged (CLV_INVALID, field "cursor",
 * otherwise). */

/* items are clv_tenant *. */
clv_code clv_store_tenant_list(clv_store *s, const char *cursor, int limit, clv_list *out,
                               clv_err *err);

typedef struct {
    const char *tenant_id; /* NULL = every tenant */
    int status;            /* -1 = every status but deleted; else a clv_status */
    const char *cursor;    /* NULL = first page */
    int limit;             /* 1..100 */
} clv_service_filter;

/* items are clv_service *. */
clv_code clv_store_service_list(clv_store *s, const clv_service_filter *f, clv_list *out,
                                clv_err *err);

typedef struct {
    const char *tenant_id;  /* NULL = every tenant */
    const char *service_id; /* NULL = every service */
    int status;             /* -1 = every status but deleted; else a clv_status */
    int type;               /* -1 = every type; else a clv_client_type */
    const char *q;          /* NULL, or case-insensitive literal substring of name, or
                             * exact client_id (docs/DESIGN.md R9: %, _ and * are literal) */
    /* With by_effective, only clients whose effective status (the weakest of the client's,
     * its service's and its tenant's; docs/API.md) is effective_status. Asking for the
     * effective status deleted lists deleted clients too, even with status -1. */
    bool by_effective;
    clv_status effective_status;
    /* The hygiene filters (docs/API.md "List clients"): with by_unused, only clients whose
     * last use (last_used_at, or created_at if never used) is before unused_since; with
     * by_secret_expiry, only clients with a secret whose expiry (not "never") is before
     * secret_expires_before. */
    bool by_unused, by_secret_expiry;
    int64_t unused_since, secret_expires_before;
    const char *cursor;
    int limit; /* 1..100 */
} clv_client_filter;

/* items are clv_client * (joined fields filled). With q of 3 characters or more whose name
 * matches are few, the SQLite backend takes candidates from a trigram index of names
 * (migration 3) and checks each exactly; shorter q, or one matching many names, scans in
 * list order as without q (sqlite/clients.c). The result is the same either way. */
clv_code clv_store_client_list(clv_store *s, const clv_client_filter *f, clv_list *out,
                               clv_err *err);

typedef struct {
    const char *tenant_id; /* NULL = every tenant */
    const char *cursor;
    int limit;
} clv_user_filter;

/* items are clv_user *. */
clv_code clv_store_user_list(clv_store *s, const clv_user_filter *f, clv_list *out, clv_err *err);

typedef struct {
    const char *tenant_id; /* NULL = every tenant */
    const char *target_id; /* NULL = any; else exact target.id */
    const char *actor_id;  /* NULL = any; else exact actor.id */
    int64_t since;         /* 0 = any; else at >= since */
    const char *cursor;
    int limit;
} clv_audit_filter;

/* items are clv_audit *. */
clv_code clv_store_audit_list(clv_store *s, const clv_audit_filter *f, clv_list *out, clv_err *err);

/* A user's consents, newest first (items are clv_consent *). */
clv_code clv_store_consent_list(clv_store *s, const char *user_id, const char *cursor, int limit,
                                clv_list *out, clv_err *err);

/* ---- dynamic registration (RFC 7591 / 7592) ---- */
/* CLV_INVALID (field "uses_left") if uses_left < -1; CLV_CONFLICT if the hash or the id is
 * taken; CLV_NOT_FOUND if the service does not exist. t->expires_at is required: a token
 * is live while now < expires_at (0 is not "never"). */
clv_code clv_store_iat_insert(clv_store *s, const clv_iat *t, clv_err *err);

/* ---- retention ---- */
/* One client or service that clv_store_purge removed. */
typedef struct {
    const char *kind; /* "client" or "service" (static text) */
    char *id;         /* a client's client_id, a service's id */
    char *tenant_id;  /* its tenant */
} clv_store_purged;

/* Frees p and its strings; NULL is a no-op. (The free_item of clv_store_purge's list.) */
void clv_store_purged_free(void *p);

/* ---- changes made by other processes (clv_store_changes_wait) ---- */
/* Called once for each change: kind "client" (id: a client_id; its row or one of its
 * secrets changed), "service", "tenant", "jti", "family", "consent" (id: a client_id),
 * "meta" (id: the name), or "*" (id "": anything may have changed, e.g. while nobody was
 * listening). Strings are borrowed for the call. */
typedef void (*clv_store_change_fn)(void *ctx, const char *kind, const char *id);

/* ---- every other operation: the list of store_ops.h ---- */
#define CLV_STORE_DECLARE(name, params, args) clv_code clv_store_##name params;
CLV_STORE_OPS(CLV_STORE_DECLARE)
#undef CLV_STORE_DECLARE

#endif
