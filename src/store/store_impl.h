/* store_impl — the private contract between store.c and its backends (SQLite,
 * PostgreSQL). Not for use outside src/store.
 *
 * store.c checks arguments, decodes list cursors and dispatches every clv_store_* call
 * through the backend's table of function pointers; a backend embeds `struct clv_store`
 * as the first member of its own handle and fills `ops`. Each op has the contract of the
 * public function of the same name (store_ops.h, store.h), except as CLV_STORE_OWN_OPS
 * says. A backend with the prefix clv_<b> declares its functions clv_<b>_<name> and fills
 * its table from the two lists (see src/store/sqlite/impl.h and handle.c). */
#ifndef CLV_STORE_STORE_IMPL_H
#define CLV_STORE_STORE_IMPL_H

#include <stdint.h>

#include "store/store.h"

/* The keyset of a list page (docs/DESIGN.md R8): rows strictly before (ts, id) in the order
 * "newest first, ties by id descending". The first page has ts = INT64_MAX, id = "". */
typedef struct {
    int64_t ts;
    const char *id; /* borrowed */
    int limit;      /* 1..CLV_STORE_LIMIT_MAX */
} clv_store_page;

enum { CLV_STORE_LIMIT_MAX = 100 };

/* The operations whose public function store.c writes by hand (store.h): X(ret, name,
 * params) with the signature the backend implements. free gets a non-NULL s; the lists get
 * the cursor already decoded (clv_store_page) and build next_cursor with
 * clv_store_cursor_encode; iat_insert gets a t whose uses_left was checked. Every other
 * operation is in CLV_STORE_OPS (store_ops.h), with the public function's signature. */
/* clang-format off */
#define CLV_STORE_OWN_OPS(X)                                                                     \
    X(void, free, (clv_store *s))                                                                \
    X(void, rollback, (clv_store *s))                                                            \
    X(void, pool_limit, (clv_store *s, int n))                                                   \
    /* After every operation: a pooled connection that holds no transaction goes back. */      \
    X(void, release, (clv_store *s))                                                             \
    X(clv_code, tenant_list,                                                                     \
      (clv_store *s, const clv_store_page *pg, clv_list *out, clv_err *err))                     \
    X(clv_code, service_list,                                                                    \
      (clv_store *s, const clv_service_filter *f, const clv_store_page *pg, clv_list *out,       \
       clv_err *err))                                                                            \
    X(clv_code, client_list,                                                                     \
      (clv_store *s, const clv_client_filter *f, const clv_store_page *pg, clv_list *out,        \
       clv_err *err))                                                                            \
    X(clv_code, user_list,                                                                       \
      (clv_store *s, const clv_user_filter *f, const clv_store_page *pg, clv_list *out,          \
       clv_err *err))                                                                            \
    X(clv_code, audit_list,                                                                      \
      (clv_store *s, const clv_audit_filter *f, const clv_store_page *pg, clv_list *out,         \
       clv_err *err))                                                                            \
    X(clv_code, consent_list,                                                                    \
      (clv_store *s, const char *user_id, const clv_store_page *pg, clv_list *out,               \
       clv_err *err))                                                                            \
    X(clv_code, iat_insert, (clv_store *s, const clv_iat *t, clv_err *err))
/* clang-format on */

/* A backend's table: one function pointer per operation of both lists. */
#define CLV_STORE_OP_MEMBER(name, params, args) clv_code(*name) params;
#define CLV_STORE_OWN_OP_MEMBER(ret, name, params) ret(*name) params;
struct clv_store_ops {
    const char *name; /* "sqlite", "postgres": for log lines */
    CLV_STORE_OPS(CLV_STORE_OP_MEMBER)
    CLV_STORE_OWN_OPS(CLV_STORE_OWN_OP_MEMBER)
};
#undef CLV_STORE_OP_MEMBER
#undef CLV_STORE_OWN_OP_MEMBER

struct clv_store {
    const struct clv_store_ops *ops;
};

/* The opaque cursor of the page that follows the row (ts, id): base64url of "ts:id"
 * (cursor.c). Returns a malloc'd string (caller frees), NULL on allocation failure. */
char *clv_store_cursor_encode(int64_t ts, const char *id);

/* Fills pg from a list's cursor (NULL: the first page) and limit; *buf holds the decoded
 * cursor that pg->id points into (caller frees; NULL without a cursor). CLV_INVALID with
 * field "limit" or "cursor", or CLV_NOMEM. */
clv_code clv_store_page_init(const char *cursor, int limit, clv_store_page *pg, char **buf,
                             clv_err *err);

/* Backends. Same contract as clv_store_open; `path` is the SQLite file path. */
clv_code clv_store_sqlite_open(const char *path, clv_store **out, clv_err *err);
/* `url` is a libpq connection URI (postgres:// or postgresql://; src/store/postgres/). */
clv_code clv_store_postgres_open(const char *url, clv_store **out, clv_err *err);

#endif
