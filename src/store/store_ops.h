/* store_ops — the store's operations, each declared once, with its contract.
 *
 * CLV_STORE_OPS(X) calls X(name, params, args) for every operation whose public function
 * clv_store_<name> only hands the call to the backend: params is its parameter list (the
 * first is always `clv_store *s`), args the same names as a call passes them; every one
 * returns a clv_code (the codes and the out-parameter rules of store.h). The list is turned
 * into
 *   - the public prototypes (store.h),
 *   - the functions that call the backend through its table (store.c),
 *   - the members of that table (struct clv_store_ops, store_impl.h),
 *   - each backend's prototypes and table (SQLite: sqlite/impl.h, sqlite/handle.c).
 * The operations whose public function does more (checks an argument, decodes a list
 * cursor) are declared by hand in store.h and their backend side in CLV_STORE_OWN_OPS
 * (store_impl.h).
 *
 * Adding an operation: a line here, and in each backend its SQL (src/store/sqlite/sql.c
 * with the statement's ST_ id in sqlite/impl.h; src/store/postgres/sql.c with its PG_ id
 * in postgres/impl.h) and its body (clv_sqlite_<name>, clv_pg_<name>). Nothing else:
 * prototypes, dispatch and the backends' tables follow from the line. */
#ifndef CLV_STORE_STORE_OPS_H
#define CLV_STORE_STORE_OPS_H

/* clang-format off */
#define CLV_STORE_OPS(X)                                                                           \
    /* Applies the numbered migrations not yet applied (a schema_version table records             \
     * them), each in its own transaction. Idempotent. */                                          \
    X(migrate, (clv_store *s, clv_err *err), (s, err))                                             \
    /* Transactions on the calling thread's connection (SQLite: BEGIN IMMEDIATE); see              \
     * clv_store_rollback in store.h. */                                                           \
    X(begin, (clv_store *s, clv_err *err), (s, err))                                               \
    X(commit, (clv_store *s, clv_err *err), (s, err))                                              \
                                                                                                   \
    /* Small named values: server key material ("key:rs256" → PEM, "key:hmac" → base64…)           \
     * and bootstrap facts ("init_client_id"). put fails with CLV_CONFLICT if the name             \
     * exists. */                                                                                  \
    X(meta_get, (clv_store *s, const char *name, char **value, clv_err *err),                      \
      (s, name, value, err))                                                                       \
    X(meta_put, (clv_store *s, const char *name, const char *value, clv_err *err),                 \
      (s, name, value, err))                                                                       \
    /* Removes a named value (a key moved out of meta); CLV_OK whether it existed or not. */       \
    X(meta_delete, (clv_store *s, const char *name, clv_err *err), (s, name, err))                 \
                                                                                                   \
    /* ---- signing keys (docs/DESIGN.md "Signing keys and the KEK") ---- */                      \
    /* Every stored key, newest first: items are clv_signing_key. */                               \
    X(signing_key_list, (clv_store *s, clv_list *out, clv_err *err), (s, out, err))                \
    /* CLV_CONFLICT if the kid exists, or k is active and its alg has an active key. */            \
    X(signing_key_insert, (clv_store *s, const clv_signing_key *k, clv_err *err), (s, k, err))     \
    /* Retires the active key kid (retire_at set); CLV_NOT_FOUND if kid is not active. */          \
    X(signing_key_retire, (clv_store *s, const char *kid, int64_t retire_at, clv_err *err),        \
      (s, kid, retire_at, err))                                                                    \
    /* Makes the published next key kid (not active, retire_at CLV_KEY_NEXT) active, its        \
     * created_at = at (when it began to sign); CLV_NOT_FOUND if kid is not a next key. */         \
    X(signing_key_activate, (clv_store *s, const char *kid, int64_t at, clv_err *err),             \
      (s, kid, at, err))                                                                           \
    /* Deletes the retired keys whose retire_at <= now (a next key's is in the year 9999). */   \
    X(signing_key_purge, (clv_store *s, int64_t now, clv_err *err), (s, now, err))                 \
    /* A number that changes whenever a key is inserted, retired or purged (one cheap query,      \
     * polled by every node: core/signing_keys.c). */                                              \
    X(signing_key_version, (clv_store *s, int64_t *version, clv_err *err), (s, version, err))      \
                                                                                                   \
    /* ---- tenants (list: store.h) ---- */                                                        \
    X(tenant_insert, (clv_store *s, const clv_tenant *t, clv_err *err), (s, t, err))               \
    X(tenant_get, (clv_store *s, const char *id, clv_tenant **out, clv_err *err),                  \
      (s, id, out, err))                                                                           \
    /* Writes name and status of t->id. */                                                         \
    X(tenant_update, (clv_store *s, const clv_tenant *t, clv_err *err), (s, t, err))               \
                                                                                                   \
    /* ---- services (list: store.h) ---- */                                                       \
    /* Inserts with version 1. CLV_NOT_FOUND if the tenant does not exist. */                      \
    X(service_insert, (clv_store *s, const clv_service *svc, clv_err *err), (s, svc, err))         \
    /* Fills tenant_status from the tenant row. */                                                 \
    X(service_get, (clv_store *s, const char *id, clv_service **out, clv_err *err),                \
      (s, id, out, err))                                                                           \
    /* Writes name, description, status, approval, updated_at, deleted_at, purge_at of             \
     * svc->id where the stored version equals svc->version, and bumps the version                 \
     * (CLV_PRECONDITION when it differs, CLV_NOT_FOUND when there is no such row). */             \
    X(service_update, (clv_store *s, const clv_service *svc, clv_err *err), (s, svc, err))         \
                                                                                                   \
    /* ---- clients (list: store.h) ---- */                                                        \
    /* Inserts with version 1. CLV_CONFLICT if client_id is taken; CLV_NOT_FOUND if the            \
     * service does not exist. */                                                                  \
    X(client_insert, (clv_store *s, const clv_client *c, clv_err *err), (s, c, err))               \
    /* By public client_id; fills tenant_id, service_status, service_approval,                     \
     * tenant_status from the joined rows (a deleted service reports CLV_STATUS_DELETED). */       \
    X(client_get, (clv_store *s, const char *client_id, clv_client **out, clv_err *err),           \
      (s, client_id, out, err))                                                                    \
    /* Writes every mutable column of c (all but id, client_id, service_id, type,                  \
     * created_at) where the stored version equals c->version, and bumps the version;              \
     * c->updated_at is written as given. CLV_PRECONDITION / CLV_NOT_FOUND as for                  \
     * services. */                                                                                \
    X(client_update, (clv_store *s, const clv_client *c, clv_err *err), (s, c, err))               \
    /* Sets last_used_at without touching version or updated_at (not an admin change). */          \
    X(client_touch, (clv_store *s, const char *client_id, int64_t at, clv_err *err),               \
      (s, client_id, at, err))                                                                     \
    /* counts[st] = how many clients have status st (active, inactive, deleted: their own,    \
     * not the effective status), for /metrics. */                                                \
    X(client_count, (clv_store *s, int64_t counts[3], clv_err *err), (s, counts, err))           \
                                                                                                   \
    /* ---- secrets ---- */                                                                        \
    /* CLV_NOT_FOUND if the client does not exist. */                                              \
    X(secret_insert, (clv_store *s, const clv_secret *sec, clv_err *err), (s, sec, err))           \
    /* Every secret of a client, newest first; items are clv_secret *; never paginated             \
     * (next_cursor stays NULL). */                                                                \
    X(secret_list, (clv_store *s, const char *client_id, clv_list *out, clv_err *err),             \
      (s, client_id, out, err))                                                                    \
    /* CLV_NOT_FOUND when the client has no such secret. */                                        \
    X(secret_delete,                                                                               \
      (clv_store *s, const char *client_id, const char *secret_id, clv_err *err),                  \
      (s, client_id, secret_id, err))                                                              \
    X(secret_touch, (clv_store *s, const char *secret_id, int64_t at, clv_err *err),               \
      (s, secret_id, at, err))                                                                     \
                                                                                                   \
    /* ---- users (list: store.h) ---- */                                                          \
    /* CLV_CONFLICT if (tenant_id, username) is taken. */                                          \
    X(user_insert, (clv_store *s, const clv_user *u, clv_err *err), (s, u, err))                   \
    X(user_get, (clv_store *s, const char *id, clv_user **out, clv_err *err),                      \
      (s, id, out, err))                                                                           \
    X(user_find,                                                                                   \
      (clv_store *s, const char *tenant_id, const char *username, clv_user **out,                  \
       clv_err *err),                                                                              \
      (s, tenant_id, username, out, err))                                                          \
    /* Writes username, email, password_hash, roles, status, updated_at of u->id. */               \
    X(user_update, (clv_store *s, const clv_user *u, clv_err *err), (s, u, err))                   \
    X(user_delete, (clv_store *s, const char *id, clv_err *err), (s, id, err))                     \
                                                                                                   \
    /* ---- audit (list: store.h) ---- */                                                          \
    X(audit_insert, (clv_store *s, const clv_audit *a, clv_err *err), (s, a, err))                 \
                                                                                                   \
    /* ---- revoked access tokens (RFC 7009) ---- */                                               \
    /* Records jti as revoked until exp (a repeat is not an error). */                             \
    X(jti_revoke, (clv_store *s, const char *jti, int64_t exp, clv_err *err),                      \
      (s, jti, exp, err))                                                                          \
    /* *revoked = true if jti is recorded. */                                                      \
    X(jti_is_revoked, (clv_store *s, const char *jti, bool *revoked, clv_err *err),                \
      (s, jti, revoked, err))                                                                      \
                                                                                                   \
    /* ---- authorization codes, refresh tokens, sessions (end-user flows) ---- */                 \
    /* Inserted unused (c->used is ignored). CLV_CONFLICT if the hash is taken;                    \
     * CLV_NOT_FOUND if the client does not exist. Likewise refresh_insert. */                     \
    X(authcode_insert, (clv_store *s, const clv_authcode *c, clv_err *err), (s, c, err))               \
    /* Marks the code with this hash used, atomically, and returns it. A code already used         \
     * comes back too, with CLV_CONFLICT (the caller revokes its family: a replay);                \
     * CLV_NOT_FOUND when there is no such code or its family is revoked. Of two concurrent        \
     * calls with one hash, exactly one gets CLV_OK. Expiry is the caller's check. */              \
    X(authcode_consume,                                                                                \
      (clv_store *s, const unsigned char hash[32], clv_authcode **out, clv_err *err),              \
      (s, hash, out, err))                                                                         \
    X(refresh_insert, (clv_store *s, const clv_refresh *r, clv_err *err), (s, r, err))             \
    /* As authcode_consume, for refresh tokens (a reused one is CLV_CONFLICT with the row). A          \
     * token of a revoked family is CLV_NOT_FOUND. */                                              \
    X(refresh_consume,                                                                             \
      (clv_store *s, const unsigned char hash[32], clv_refresh **out, clv_err *err),               \
      (s, hash, out, err))                                                                         \
    /* Revokes a family: its refresh tokens and codes stop working (the unused ones are            \
     * removed; consuming any of the family is CLV_NOT_FOUND, also for one inserted later),        \
     * and it is recorded as revoked until exp (a repeat keeps the later exp) so that access       \
     * tokens carrying it introspect inactive. */                                                  \
    X(family_revoke, (clv_store *s, const char *family_id, int64_t exp, clv_err *err),             \
      (s, family_id, exp, err))                                                                    \
    X(family_is_revoked, (clv_store *s, const char *family_id, bool *revoked, clv_err *err),       \
      (s, family_id, revoked, err))                                                                \
    /* Removes every unused refresh token and code of a client; *count says how many. */           \
    X(client_grants_revoke, (clv_store *s, const char *client_id, int *count, clv_err *err),       \
      (s, client_id, count, err))                                                                  \
    /* Revokes (removes) a refresh token by hash (RFC 7009); *found says whether it existed        \
     * for client_id (a token of another client is left alone and reported not found). Its         \
     * family is not revoked: that is the caller's call (clv_store_family_revoke). */              \
    X(refresh_revoke,                                                                              \
      (clv_store *s, const unsigned char hash[32], const char *client_id, bool *found,             \
       clv_err *err),                                                                              \
      (s, hash, client_id, found, err))                                                            \
    /* Sessions by the hash of their cookie. insert: CLV_NOT_FOUND if the user does not            \
     * exist (a deleted user's sessions go with it); get returns expired ones too (expiry is       \
     * the caller's check); get and delete: CLV_NOT_FOUND when there is no such session. */        \
    X(session_insert, (clv_store *s, const clv_session *ss, clv_err *err), (s, ss, err))           \
    X(session_get,                                                                                 \
      (clv_store *s, const unsigned char hash[32], clv_session **out, clv_err *err),               \
      (s, hash, out, err))                                                                         \
    X(session_delete, (clv_store *s, const unsigned char hash[32], clv_err *err),                  \
      (s, hash, err))                                                                              \
    /* Records a client assertion's jti (RFC 7523 §3 item 7) until exp; CLV_CONFLICT if it         \
     * was seen before (a replay). */                                                              \
    X(assertion_jti_use,                                                                           \
      (clv_store *s, const char *jti, const char *client_id, int64_t exp, clv_err *err),           \
      (s, jti, client_id, exp, err))                                                               \
                                                                                                   \
    /* ---- dynamic registration (RFC 7591 / 7592; iat_insert: store.h) ---- */                    \
    /* Uses an initial access token: if it exists, has not expired at now and has uses left,       \
     * decrements uses_left (unless -1) atomically and returns it (uses_left as this use           \
     * left it); else CLV_NOT_FOUND. */                                                            \
    X(iat_use,                                                                                     \
      (clv_store *s, const unsigned char hash[32], int64_t now, clv_iat **out, clv_err *err),      \
      (s, hash, now, out, err))                                                                    \
    /* The initial access tokens still usable at now (not expired, uses left), of one tenant      \
     * and one service, either or both NULL for all; newest first (created_at, then id,           \
     * descending); items are clv_iat *; never paginated (next_cursor stays NULL): the 1000       \
     * newest at most. */                                                                         \
    X(iat_list,                                                                                    \
      (clv_store *s, const char *tenant_id, const char *service_id, int64_t now, clv_list *out,    \
       clv_err *err),                                                                              \
      (s, tenant_id, service_id, now, out, err))                                                   \
    /* Sets (insert or replace) the hash of a client's registration access token;                  \
     * CLV_NOT_FOUND if the client does not exist. It goes with the client when the client         \
     * is purged. */                                                                               \
    X(regtoken_put,                                                                                \
      (clv_store *s, const char *client_id, const unsigned char hash[32], clv_err *err),           \
      (s, client_id, hash, err))                                                                   \
    /* The hash of a client's registration access token; CLV_NOT_FOUND if it has none. */          \
    X(regtoken_get,                                                                                \
      (clv_store *s, const char *client_id, unsigned char hash[32], clv_err *err),                 \
      (s, client_id, hash, err))                                                                   \
                                                                                                   \
    /* ---- consent (docs/DESIGN.md D3; list: store.h) ---- */                                     \
    /* A user's consent to a client; CLV_NOT_FOUND if there is none. */                            \
    X(consent_get,                                                                                 \
      (clv_store *s, const char *user_id, const char *client_id, clv_consent **out,                \
       clv_err *err),                                                                              \
      (s, user_id, client_id, out, err))                                                           \
    /* Inserts or replaces (user_id, client_id); created_at is kept on a replace.                  \
     * CLV_NOT_FOUND if the user or the client does not exist. Both cascade it away. */            \
    X(consent_put, (clv_store *s, const clv_consent *c, clv_err *err), (s, c, err))                \
    /* CLV_NOT_FOUND if there was none. */                                                         \
    X(consent_delete,                                                                              \
      (clv_store *s, const char *user_id, const char *client_id, clv_err *err),                    \
      (s, user_id, client_id, err))                                                                \
                                                                                                   \
    /* ---- resources of a service (RFC 8707; docs/DESIGN.md R38) ---- */                    \
    /* CLV_CONFLICT if any service has a resource with this identifier; CLV_NOT_FOUND if  \
     * the service does not exist. They go with the service when it is purged. */          \
    X(resource_insert, (clv_store *s, const clv_resource *r, clv_err *err), (s, r, err))  \
    /* By service and identifier (exact); CLV_NOT_FOUND if there is none. */               \
    X(resource_find,                                                                       \
      (clv_store *s, const char *service_id, const char *identifier, clv_resource **out,  \
       clv_err *err),                                                                      \
      (s, service_id, identifier, out, err))                                               \
    /* Every resource of a service, newest first (items clv_resource *; never paginated: a \
     * service has at most CLV_RESOURCES_MAX). */                                          \
    X(resource_list, (clv_store *s, const char *service_id, clv_list *out, clv_err *err),  \
      (s, service_id, out, err))                                                           \
    /* CLV_NOT_FOUND when the service has no such resource. */                             \
    X(resource_delete, (clv_store *s, const char *service_id, const char *id, clv_err *err), \
      (s, service_id, id, err))                                                            \
                                                                                                   \
    /* ---- retention (docs/API.md, the lifecycle of a client) ---- */                             \
    /* Removes for good, in one transaction (or a savepoint of the caller's), the clients          \
     * whose status is deleted and purge_at <= now (with their secrets, codes, refresh             \
     * tokens and registration token), the services likewise (with all their clients and           \
     * initial access tokens), and the rows that have expired (expires_at or exp <= now):          \
     * revoked jtis, codes, refresh tokens, sessions, assertion jtis, revoked families and         \
     * initial access tokens. *removed gets one clv_store_purged item per client or service        \
     * removed, the clients first; writing their audit events is the caller's business             \
     * (clv_retention_purge, src/core/retention.c). */                                             \
    X(purge, (clv_store *s, int64_t now, clv_list *removed, clv_err *err),                         \
      (s, now, removed, err))                                                                      \
    /* Inside the caller's transaction: *got = true if this node may run the purge and the         \
     * hygiene now, false if another node holds them (PostgreSQL: a transaction-scoped             \
     * advisory lock, released by the commit; SQLite: always true, as BEGIN IMMEDIATE              \
     * already serializes writers). */                                                             \
    X(purge_lock, (clv_store *s, bool *got, clv_err *err), (s, got, err))                          \
                                                                                                   \
    /* ---- client hygiene (docs/OPERATIONS.md "Hygiene") ---- */                                  \
    /* The clients the hygiene may act on at now, at most limit, longest unused first (items       \
     * clv_client *, joined fields filled). Last use is max(last_used_at, created_at). Never       \
     * protected or deleted ones; those of a tenant with deactivate_unused_after_days D > 0        \
     * that are active and unused since now - D days; and those with a registration token, of      \
     * a tenant with registered_client_lifetime_days L > 0, that are active and unused since       \
     * now - L days, or inactive with neither use nor change (updated_at) since then. The          \
     * caller decides on each (src/core/retention.c). */                                           \
    X(hygiene_candidates,                                                                          \
      (clv_store *s, int64_t now, int limit, clv_list *out, clv_err *err),                         \
      (s, now, limit, out, err))                                                                   \
    /* How many clients with a registration token the service has that are not deleted, for        \
     * the cap of open registration. Inside the registration's transaction; PostgreSQL first       \
     * takes a transaction-scoped advisory lock of the service, so that two registrations          \
     * into it count one after the other (SQLite's writers are serialized already). */             \
    X(registered_count, (clv_store *s, const char *service_id, int64_t *count, clv_err *err),      \
      (s, service_id, count, err))                                                                 \
                                                                                                   \
    /* ---- changes committed by other processes (src/core/changes.c) ---- */                      \
    /* Waits up to timeout_ms for changes that any process (any node) committed and calls          \
     * fn for each (store.h). CLV_OK after a delivery or the timeout; CLV_UNAVAILABLE when         \
     * it cannot listen now (the next call tries again, and then reports "*"); CLV_NOT_FOUND       \
     * when the backend has no way to be told (SQLite: the caches' time limit is the only          \
     * way). Called by one thread at a time. PostgreSQL: LISTEN on its own connection. */          \
    X(changes_wait,                                                                                \
      (clv_store *s, int timeout_ms, clv_store_change_fn fn, void *ctx, clv_err *err),             \
      (s, timeout_ms, fn, ctx, err))
/* clang-format on */

#endif
