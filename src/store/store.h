/* store — persistence of the model behind one interface (SQLite now, PostgreSQL later).
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
 * says how); CLV_NOMEM. Out-parameters are set only on CLV_OK, and the caller owns them. */
#ifndef CLV_STORE_STORE_H
#define CLV_STORE_STORE_H

#include "core/err.h"
#include "core/model.h"

typedef struct clv_store clv_store;

/* Opens a store: `url` is an SQLite file path (created if missing), or later
 * "postgres://…". Sets journal_mode=WAL, synchronous=FULL, foreign_keys=ON and a busy
 * timeout on each connection. Does not migrate. */
clv_code clv_store_open(const char *url, clv_store **out, clv_err *err);

/* Closes every connection. NULL is a no-op. */
void clv_store_free(clv_store *s);

/* Applies the numbered migrations not yet applied (a schema_version table records them),
 * each in its own transaction. Idempotent. */
clv_code clv_store_migrate(clv_store *s, clv_err *err);

/* Transactions on the calling thread's connection (SQLite: BEGIN IMMEDIATE).
 * rollback after a failed begin/commit is harmless. */
clv_code clv_store_begin(clv_store *s, clv_err *err);
clv_code clv_store_commit(clv_store *s, clv_err *err);
void clv_store_rollback(clv_store *s);

/* Small named values: server key material ("key:rs256" → PEM, "key:hmac" → base64…) and
 * bootstrap facts ("init_client_id"). put fails with CLV_CONFLICT if the name exists. */
clv_code clv_store_meta_get(clv_store *s, const char *name, char **value, clv_err *err);
clv_code clv_store_meta_put(clv_store *s, const char *name, const char *value, clv_err *err);

/* ---- tenants ---- */
clv_code clv_store_tenant_insert(clv_store *s, const clv_tenant *t, clv_err *err);
clv_code clv_store_tenant_get(clv_store *s, const char *id, clv_tenant **out, clv_err *err);
/* Writes name and status of t->id. */
clv_code clv_store_tenant_update(clv_store *s, const clv_tenant *t, clv_err *err);
/* items are clv_tenant *. */
clv_code clv_store_tenant_list(clv_store *s, const char *cursor, int limit, clv_list *out,
                               clv_err *err);

/* ---- services ---- */
typedef struct {
    const char *tenant_id; /* NULL = every tenant */
    int status;            /* -1 = every status but deleted; else a clv_status */
    const char *cursor;    /* NULL = first page */
    int limit;             /* 1..100 */
} clv_service_filter;

/* Inserts with version 1. CLV_NOT_FOUND if the tenant does not exist. */
clv_code clv_store_service_insert(clv_store *s, const clv_service *svc, clv_err *err);
/* Fills tenant_status from the tenant row. */
clv_code clv_store_service_get(clv_store *s, const char *id, clv_service **out, clv_err *err);
/* Writes name, description, status, approval, updated_at, deleted_at, purge_at of svc->id
 * where the stored version equals svc->version, and bumps the version (CLV_PRECONDITION
 * when it differs, CLV_NOT_FOUND when there is no such row). */
clv_code clv_store_service_update(clv_store *s, const clv_service *svc, clv_err *err);
/* items are clv_service *. */
clv_code clv_store_service_list(clv_store *s, const clv_service_filter *f, clv_list *out,
                                clv_err *err);

/* ---- clients ---- */
typedef struct {
    const char *tenant_id;  /* NULL = every tenant */
    const char *service_id; /* NULL = every service */
    int status;             /* -1 = every status but deleted; else a clv_status */
    int type;               /* -1 = every type; else a clv_client_type */
    const char *q;          /* NULL, or case-insensitive literal substring of name, or
                             * exact client_id (SPEC §5.9: %, _ and * are literal) */
    /* With by_effective, only clients whose effective status (the weakest of the client's,
     * its service's and its tenant's; docs/API.md) is effective_status. Asking for the
     * effective status deleted lists deleted clients too, even with status -1. */
    bool by_effective;
    clv_status effective_status;
    const char *cursor;
    int limit; /* 1..100 */
} clv_client_filter;

/* Inserts with version 1. CLV_CONFLICT if client_id is taken; CLV_NOT_FOUND if the service
 * does not exist. */
clv_code clv_store_client_insert(clv_store *s, const clv_client *c, clv_err *err);
/* By public client_id; fills tenant_id, service_status, service_approval, tenant_status
 * from the joined rows (a deleted service reports CLV_STATUS_DELETED). */
clv_code clv_store_client_get(clv_store *s, const char *client_id, clv_client **out, clv_err *err);
/* Writes every mutable column of c (all but id, client_id, service_id, type, created_at)
 * where the stored version equals c->version, and bumps the version; c->updated_at is
 * written as given. CLV_PRECONDITION / CLV_NOT_FOUND as for services. */
clv_code clv_store_client_update(clv_store *s, const clv_client *c, clv_err *err);
/* Sets last_used_at without touching version or updated_at (not an admin change). */
clv_code clv_store_client_touch(clv_store *s, const char *client_id, int64_t at, clv_err *err);
/* items are clv_client * (joined fields filled). With q of 3 characters or more whose name
 * matches are few, the SQLite backend takes candidates from a trigram index of names
 * (migration 3) and checks each exactly; shorter q, or one matching many names, scans in
 * list order as without q (sqlite/clients.c). The result is the same either way. */
clv_code clv_store_client_list(clv_store *s, const clv_client_filter *f, clv_list *out,
                               clv_err *err);

/* ---- secrets ---- */
/* CLV_NOT_FOUND if the client does not exist. */
clv_code clv_store_secret_insert(clv_store *s, const clv_secret *sec, clv_err *err);
/* Every secret of a client, newest first; items are clv_secret *; never paginated
 * (next_cursor stays NULL). */
clv_code clv_store_secret_list(clv_store *s, const char *client_id, clv_list *out, clv_err *err);
/* CLV_NOT_FOUND when the client has no such secret. */
clv_code clv_store_secret_delete(clv_store *s, const char *client_id, const char *secret_id,
                                 clv_err *err);
clv_code clv_store_secret_touch(clv_store *s, const char *secret_id, int64_t at, clv_err *err);

/* ---- users ---- */
typedef struct {
    const char *tenant_id; /* NULL = every tenant */
    const char *cursor;
    int limit;
} clv_user_filter;

/* CLV_CONFLICT if (tenant_id, username) is taken. */
clv_code clv_store_user_insert(clv_store *s, const clv_user *u, clv_err *err);
clv_code clv_store_user_get(clv_store *s, const char *id, clv_user **out, clv_err *err);
clv_code clv_store_user_find(clv_store *s, const char *tenant_id, const char *username,
                             clv_user **out, clv_err *err);
/* Writes username, email, password_hash, roles, status, updated_at of u->id. */
clv_code clv_store_user_update(clv_store *s, const clv_user *u, clv_err *err);
clv_code clv_store_user_delete(clv_store *s, const char *id, clv_err *err);
/* items are clv_user *. */
clv_code clv_store_user_list(clv_store *s, const clv_user_filter *f, clv_list *out, clv_err *err);

/* ---- audit ---- */
typedef struct {
    const char *tenant_id; /* NULL = every tenant */
    const char *target_id; /* NULL = any; else exact target.id */
    const char *actor_id;  /* NULL = any; else exact actor.id */
    int64_t since;         /* 0 = any; else at >= since */
    const char *cursor;
    int limit;
} clv_audit_filter;

clv_code clv_store_audit_insert(clv_store *s, const clv_audit *a, clv_err *err);
/* items are clv_audit *. */
clv_code clv_store_audit_list(clv_store *s, const clv_audit_filter *f, clv_list *out, clv_err *err);

/* ---- revoked access tokens (RFC 7009) ---- */
/* Records jti as revoked until exp (a repeat is not an error). */
clv_code clv_store_jti_revoke(clv_store *s, const char *jti, int64_t exp, clv_err *err);
/* *revoked = true if jti is recorded. */
clv_code clv_store_jti_is_revoked(clv_store *s, const char *jti, bool *revoked, clv_err *err);

/* ---- authorization codes, refresh tokens, sessions (end-user flows) ---- */
/* Inserted unused (c->used is ignored). CLV_CONFLICT if the hash is taken; CLV_NOT_FOUND
 * if the client does not exist. Likewise refresh_insert. */
clv_code clv_store_code_insert(clv_store *s, const clv_authcode *c, clv_err *err);
/* Marks the code with this hash used, atomically, and returns it. A code already used
 * comes back too, with CLV_CONFLICT (the caller revokes its family: a replay);
 * CLV_NOT_FOUND when there is no such code or its family is revoked. Of two concurrent
 * calls with one hash, exactly one gets CLV_OK. Expiry is the caller's check. */
clv_code clv_store_code_consume(clv_store *s, const unsigned char hash[32], clv_authcode **out,
                                clv_err *err);
clv_code clv_store_refresh_insert(clv_store *s, const clv_refresh *r, clv_err *err);
/* As code_consume, for refresh tokens (a reused one is CLV_CONFLICT with the row). A
 * token of a revoked family is CLV_NOT_FOUND. */
clv_code clv_store_refresh_consume(clv_store *s, const unsigned char hash[32], clv_refresh **out,
                                   clv_err *err);
/* Revokes a family: its refresh tokens and codes stop working (the unused ones are
 * removed; consuming any of the family is CLV_NOT_FOUND, also for one inserted later), and
 * it is recorded as revoked until exp (a repeat keeps the later exp) so that access tokens
 * carrying it introspect inactive. */
clv_code clv_store_family_revoke(clv_store *s, const char *family_id, int64_t exp, clv_err *err);
clv_code clv_store_family_is_revoked(clv_store *s, const char *family_id, bool *revoked,
                                     clv_err *err);
/* Removes every unused refresh token and code of a client; *count says how many. */
clv_code clv_store_client_grants_revoke(clv_store *s, const char *client_id, int *count,
                                        clv_err *err);
/* Revokes (removes) a refresh token by hash (RFC 7009); *found says whether it existed for
 * client_id (a token of another client is left alone and reported not found). Its family
 * is not revoked: that is the caller's call (clv_store_family_revoke). */
clv_code clv_store_refresh_revoke(clv_store *s, const unsigned char hash[32], const char *client_id,
                                  bool *found, clv_err *err);

/* Sessions by the hash of their cookie. insert: CLV_NOT_FOUND if the user does not exist
 * (a deleted user's sessions go with it); get returns expired ones too (expiry is the
 * caller's check); get and delete: CLV_NOT_FOUND when there is no such session. */
clv_code clv_store_session_insert(clv_store *s, const clv_session *ss, clv_err *err);
clv_code clv_store_session_get(clv_store *s, const unsigned char hash[32], clv_session **out,
                               clv_err *err);
clv_code clv_store_session_delete(clv_store *s, const unsigned char hash[32], clv_err *err);

/* Records a client assertion's jti (RFC 7523 §3 item 7) until exp; CLV_CONFLICT if it was
 * seen before (a replay). */
clv_code clv_store_assertion_jti_use(clv_store *s, const char *jti, const char *client_id,
                                     int64_t exp, clv_err *err);

/* ---- dynamic registration (RFC 7591 / 7592) ---- */
/* CLV_INVALID (field "uses_left") if uses_left < -1; CLV_CONFLICT if the hash or the id is
 * taken; CLV_NOT_FOUND if the service does not exist. t->expires_at is required: a token
 * is live while now < expires_at (0 is not "never"). */
clv_code clv_store_iat_insert(clv_store *s, const clv_iat *t, clv_err *err);
/* Uses an initial access token: if it exists, has not expired at now and has uses left,
 * decrements uses_left (unless -1) atomically and returns it (uses_left as this use left
 * it); else CLV_NOT_FOUND. */
clv_code clv_store_iat_use(clv_store *s, const unsigned char hash[32], int64_t now, clv_iat **out,
                           clv_err *err);
/* Sets (insert or replace) the hash of a client's registration access token; CLV_NOT_FOUND
 * if the client does not exist. It goes with the client when the client is purged. */
clv_code clv_store_regtoken_put(clv_store *s, const char *client_id, const unsigned char hash[32],
                                clv_err *err);
/* The hash of a client's registration access token; CLV_NOT_FOUND if it has none. */
clv_code clv_store_regtoken_get(clv_store *s, const char *client_id, unsigned char hash[32],
                                clv_err *err);

/* ---- consent (docs/DESIGN.md D3) ---- */
/* A user's consent to a client; CLV_NOT_FOUND if there is none. */
clv_code clv_store_consent_get(clv_store *s, const char *user_id, const char *client_id,
                               clv_consent **out, clv_err *err);
/* Inserts or replaces (user_id, client_id); created_at is kept on a replace.
 * CLV_NOT_FOUND if the user or the client does not exist. Both cascade it away. */
clv_code clv_store_consent_put(clv_store *s, const clv_consent *c, clv_err *err);
/* A user's consents, newest first (items are clv_consent *). */
clv_code clv_store_consent_list(clv_store *s, const char *user_id, const char *cursor, int limit,
                                clv_list *out, clv_err *err);
/* CLV_NOT_FOUND if there was none. */
clv_code clv_store_consent_delete(clv_store *s, const char *user_id, const char *client_id,
                                  clv_err *err);

/* ---- retention ---- */
/* Removes for good, in one transaction, the clients whose status is deleted and
 * purge_at <= now (with their secrets, codes, refresh tokens and registration token), the
 * services likewise (with all their clients and initial access tokens), and the rows that
 * have expired (expires_at or exp <= now): revoked jtis, codes, refresh tokens, sessions,
 * assertion jtis, revoked families and initial access tokens. Writes one audit event per
 * purged client or service (actor system, action "purge"). *purged counts clients and
 * services. */
clv_code clv_store_purge(clv_store *s, int64_t now, int *purged, clv_err *err);

#endif
