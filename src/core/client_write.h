/* client_write — writing clients and secrets, shared by every interface that does
 * (admin API, registration, init): see client_write.c. Each call but clv_write_finish runs
 * inside the caller's transaction (clv_store_begin). */
#ifndef CLV_CORE_CLIENT_WRITE_H
#define CLV_CORE_CLIENT_WRITE_H

#include <jansson.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

/* Commits the caller's transaction when rc is CLV_OK (and then makes every thread's
 * client cache re-read), else rolls it back; returns rc or the commit's failure. */
clv_code clv_write_finish(clv_app *app, clv_code rc, clv_err *err);

/* The same for a transaction that only created client_id (with its secret and audit
 * events): no cache holds what it wrote, so only that client's entries are re-read, not
 * every thread's clients and revocation answers (docs/ARCHITECTURE.md "The token path and
 * its caches"). */
clv_code clv_write_finish_created(clv_app *app, clv_code rc, const char *client_id,
                                  clv_err *err);

/* An RFC 3339 time as JSON, null for 0. New reference. */
json_t *clv_json_time(int64_t t);

/* The audit changes of a created object: {"field": {"from": null, "to": value}} for each
 * non-null field of obj. New reference. */
json_t *clv_json_created(const json_t *obj);

/* Gives a new client its ids, times and the joined fields of its service. */
clv_code clv_client_place(clv_client *c, const clv_service *svc, clv_err *err);

/* Stores c, its audit event and (confidential, m2m) its first secret, whose metadata and
 * plaintext come back in *secret (else NULL). */
clv_code clv_client_insert(clv_app *app, const clv_principal *p, const clv_client *c,
                           int64_t secret_expires_at, json_t **secret, clv_err *err);

/* Writes c over old (same id and version) with its audit event, unless nothing changed;
 * *out is c's JSON, *version (may be NULL) its new version. CLV_PRECONDITION when the
 * stored version moved meanwhile. */
clv_code clv_client_save(clv_app *app, const clv_principal *p, const clv_client *old,
                         clv_client *c, const char *action, json_t **out, int64_t *version,
                         clv_err *err);

/* Makes, stores and audits a new secret for c; *out is its metadata plus "client_secret"
 * (the plaintext, shown this once). */
clv_code clv_secret_issue(clv_app *app, const clv_principal *p, const clv_client *c,
                          const char *description, int64_t expires_at, json_t **out,
                          clv_err *err);

/* The JSON of a secret's metadata (never the hash). New reference. */
json_t *clv_secret_to_json(const clv_secret *s);

#endif
