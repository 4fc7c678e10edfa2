/* store_impl — the private contract between store.c and its backends (SQLite now,
 * PostgreSQL later). Not for use outside src/store.
 *
 * store.c checks arguments, decodes list cursors and dispatches every clv_store_* call
 * through the backend's table of function pointers; a backend embeds `struct clv_store`
 * as the first member of its own handle and fills `ops`. Each op has the contract of the
 * public function of the same name in store.h, except that list ops receive the cursor
 * already decoded (clv_store_page) and build next_cursor with clv_store_cursor_encode. */
#ifndef CLV_STORE_STORE_IMPL_H
#define CLV_STORE_STORE_IMPL_H

#include <stdint.h>

#include "store/store.h"

/* The keyset of a list page (SPEC §5.8): rows strictly before (ts, id) in the order
 * "newest first, ties by id descending". The first page has ts = INT64_MAX, id = "". */
typedef struct {
    int64_t ts;
    const char *id; /* borrowed */
    int limit;      /* 1..CLV_STORE_LIMIT_MAX */
} clv_store_page;

enum { CLV_STORE_LIMIT_MAX = 100 };

struct clv_store_ops {
    const char *name; /* "sqlite", "postgres": for log lines */
    void (*free)(clv_store *s);
    clv_code (*migrate)(clv_store *s, clv_err *err);
    clv_code (*begin)(clv_store *s, clv_err *err);
    clv_code (*commit)(clv_store *s, clv_err *err);
    void (*rollback)(clv_store *s);

    clv_code (*meta_get)(clv_store *s, const char *name, char **value, clv_err *err);
    clv_code (*meta_put)(clv_store *s, const char *name, const char *value, clv_err *err);

    clv_code (*tenant_insert)(clv_store *s, const clv_tenant *t, clv_err *err);
    clv_code (*tenant_get)(clv_store *s, const char *id, clv_tenant **out, clv_err *err);
    clv_code (*tenant_update)(clv_store *s, const clv_tenant *t, clv_err *err);
    clv_code (*tenant_list)(clv_store *s, const clv_store_page *pg, clv_list *out, clv_err *err);

    clv_code (*service_insert)(clv_store *s, const clv_service *svc, clv_err *err);
    clv_code (*service_get)(clv_store *s, const char *id, clv_service **out, clv_err *err);
    clv_code (*service_update)(clv_store *s, const clv_service *svc, clv_err *err);
    clv_code (*service_list)(clv_store *s, const clv_service_filter *f, const clv_store_page *pg,
                             clv_list *out, clv_err *err);

    clv_code (*client_insert)(clv_store *s, const clv_client *c, clv_err *err);
    clv_code (*client_get)(clv_store *s, const char *client_id, clv_client **out, clv_err *err);
    clv_code (*client_update)(clv_store *s, const clv_client *c, clv_err *err);
    clv_code (*client_touch)(clv_store *s, const char *client_id, int64_t at, clv_err *err);
    clv_code (*client_list)(clv_store *s, const clv_client_filter *f, const clv_store_page *pg,
                            clv_list *out, clv_err *err);

    clv_code (*secret_insert)(clv_store *s, const clv_secret *sec, clv_err *err);
    clv_code (*secret_list)(clv_store *s, const char *client_id, clv_list *out, clv_err *err);
    clv_code (*secret_delete)(clv_store *s, const char *client_id, const char *secret_id,
                              clv_err *err);
    clv_code (*secret_touch)(clv_store *s, const char *secret_id, int64_t at, clv_err *err);

    clv_code (*user_insert)(clv_store *s, const clv_user *u, clv_err *err);
    clv_code (*user_get)(clv_store *s, const char *id, clv_user **out, clv_err *err);
    clv_code (*user_find)(clv_store *s, const char *tenant_id, const char *username, clv_user **out,
                          clv_err *err);
    clv_code (*user_update)(clv_store *s, const clv_user *u, clv_err *err);
    clv_code (*user_delete)(clv_store *s, const char *id, clv_err *err);
    clv_code (*user_list)(clv_store *s, const clv_user_filter *f, const clv_store_page *pg,
                          clv_list *out, clv_err *err);

    clv_code (*audit_insert)(clv_store *s, const clv_audit *a, clv_err *err);
    clv_code (*audit_list)(clv_store *s, const clv_audit_filter *f, const clv_store_page *pg,
                           clv_list *out, clv_err *err);

    clv_code (*jti_revoke)(clv_store *s, const char *jti, int64_t exp, clv_err *err);
    clv_code (*jti_is_revoked)(clv_store *s, const char *jti, bool *revoked, clv_err *err);

    clv_code (*code_insert)(clv_store *s, const clv_authcode *a, clv_err *err);
    clv_code (*code_consume)(clv_store *s, const unsigned char hash[32], clv_authcode **out,
                             clv_err *err);
    clv_code (*refresh_insert)(clv_store *s, const clv_refresh *r, clv_err *err);
    clv_code (*refresh_consume)(clv_store *s, const unsigned char hash[32], clv_refresh **out,
                                clv_err *err);
    clv_code (*family_revoke)(clv_store *s, const char *family_id, int64_t exp, clv_err *err);
    clv_code (*family_is_revoked)(clv_store *s, const char *family_id, bool *revoked, clv_err *err);
    clv_code (*client_grants_revoke)(clv_store *s, const char *client_id, int *count, clv_err *err);
    clv_code (*refresh_revoke)(clv_store *s, const unsigned char hash[32], const char *client_id,
                               bool *found, clv_err *err);
    clv_code (*session_insert)(clv_store *s, const clv_session *ss, clv_err *err);
    clv_code (*session_get)(clv_store *s, const unsigned char hash[32], clv_session **out,
                            clv_err *err);
    clv_code (*session_delete)(clv_store *s, const unsigned char hash[32], clv_err *err);
    clv_code (*assertion_jti_use)(clv_store *s, const char *jti, const char *client_id, int64_t exp,
                                  clv_err *err);

    clv_code (*iat_insert)(clv_store *s, const clv_iat *t, clv_err *err);
    clv_code (*iat_use)(clv_store *s, const unsigned char hash[32], int64_t now, clv_iat **out,
                        clv_err *err);
    clv_code (*regtoken_put)(clv_store *s, const char *client_id, const unsigned char hash[32],
                             clv_err *err);
    clv_code (*regtoken_get)(clv_store *s, const char *client_id, unsigned char hash[32],
                             clv_err *err);

    clv_code (*consent_get)(clv_store *s, const char *user_id, const char *client_id,
                            clv_consent **out, clv_err *err);
    clv_code (*consent_put)(clv_store *s, const clv_consent *c, clv_err *err);
    clv_code (*consent_list)(clv_store *s, const char *user_id, const clv_store_page *pg,
                             clv_list *out, clv_err *err);
    clv_code (*consent_delete)(clv_store *s, const char *user_id, const char *client_id,
                               clv_err *err);

    clv_code (*purge)(clv_store *s, int64_t now, int *purged, clv_err *err);
};

struct clv_store {
    const struct clv_store_ops *ops;
};

/* The opaque cursor of the page that follows the row (ts, id): base64url of "ts:id".
 * Returns a malloc'd string (caller frees), NULL on allocation failure. */
char *clv_store_cursor_encode(int64_t ts, const char *id);

/* Backends. Same contract as clv_store_open; `path` is the SQLite file path. */
clv_code clv_store_sqlite_open(const char *path, clv_store **out, clv_err *err);

#endif
