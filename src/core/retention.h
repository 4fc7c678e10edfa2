/* retention — the purge: removing for good what was deleted long enough ago, and the rows
 * that have expired, with one audit event per client or service removed (docs/API.md,
 * "Lifecycle" of a client and "Audit"). The timer of `clavis serve` and `clavis purge`
 * call it; the store only removes rows (clv_store_purge). */
#ifndef CLV_CORE_RETENTION_H
#define CLV_CORE_RETENTION_H

#include <stdint.h>

#include "base/err.h"
#include "core/app.h"

/* Runs clv_store_purge(now) and writes, in the same transaction, a "purge" event for each
 * client and service it removed: actor {"type":"system","id":"purge"}, at now, target the
 * client (by client_id) or service, its tenant, no changes. *purged (set on CLV_OK) counts
 * the clients and services. Opens its own transaction: not to be called inside one. On
 * any failure nothing is removed and nothing written; the code is the store's (CLV_STORE,
 * CLV_NOMEM) or CLV_CRYPTO if no event id could be made. */
clv_code clv_retention_purge(clv_app *app, int64_t now, int *purged, clv_err *err);

#endif
