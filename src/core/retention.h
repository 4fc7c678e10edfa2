/* retention — the purge and its audit trail, and client hygiene (docs/API.md, "Lifecycle"
 * of a client and "Audit"; docs/OPERATIONS.md "Hygiene"): removing for good what was
 * deleted long enough ago, and the rows that have expired, with one audit event per client
 * or service removed; and, before that, deactivating (or deleting) the clients that the
 * hygiene settings of their tenant say have gone unused too long. The timer of
 * `clavis serve` and `clavis purge` call it; the store only selects and removes rows
 * (clv_store_purge, clv_store_hygiene_candidates). */
#ifndef CLV_CORE_RETENTION_H
#define CLV_CORE_RETENTION_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "core/app.h"

/* Clients one run of the hygiene looks at, at most (the next run goes on). */
enum { CLV_HYGIENE_BATCH = 1000 };

/* What one run did. */
typedef struct {
    int purged;      /* clients and services removed for good */
    int deactivated; /* clients the hygiene deactivated */
    int deleted;     /* registered clients the hygiene deleted (then purged by retention) */
    bool skipped;    /* another node holds the run (PostgreSQL): nothing was done */
} clv_retention_report;

/* What the hygiene does with one client (docs/OPERATIONS.md "Hygiene"). Its last use is
 * max(last_used_at, created_at); D is t's deactivate_unused_after_days, L its
 * registered_client_lifetime_days (0: off); registered: c has a registration token (it came
 * through /register). Protected and deleted clients are always kept. A registered client,
 * with L set, that is inactive with neither use nor change (updated_at) for L days is
 * deleted (and purged after the retention); an active one unused for L days is
 * deactivated. Any active client unused for D days is deactivated. */
typedef enum { CLV_HYGIENE_KEEP, CLV_HYGIENE_DEACTIVATE, CLV_HYGIENE_DELETE } clv_hygiene_step;

clv_hygiene_step clv_hygiene_decide(const clv_client *c, const clv_tenant *t, bool registered,
                                    int64_t now);

/* One run at now, in one transaction: on PostgreSQL first the lock of clv_store_purge_lock
 * (when another node holds it, r->skipped and nothing else); then the hygiene on at most
 * CLV_HYGIENE_BATCH candidates, each change written as the admin API writes it
 * ("client.deactivate" or "client.delete", changes status from → to) by the actor
 * {"type":"system","id":"hygiene"}; then clv_store_purge(now) with a "purge" event for each
 * client and service it removed: actor {"type":"system","id":"purge"}, at now, target the
 * client (by client_id) or service, its tenant, no changes. Opens its own transaction: not
 * to be called inside one. On any failure nothing is changed and nothing written; the code
 * is the store's (CLV_STORE, CLV_NOMEM) or CLV_CRYPTO if no event id could be made. */
clv_code clv_retention_run(clv_app *app, int64_t now, clv_retention_report *r, clv_err *err);

/* clv_retention_run, telling only how many clients and services were purged (*purged, set
 * on CLV_OK). */
clv_code clv_retention_purge(clv_app *app, int64_t now, int *purged, clv_err *err);

#endif
