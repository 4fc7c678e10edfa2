/* retention — the purge and its audit trail (see retention.h). */
#include "core/retention.h"

#include "core/ids.h"

/* Writes the "purge" event of one client or service the store removed. */
static clv_code purge_event(clv_app *app, const clv_store_purged *r, int64_t now, clv_err *err)
{
    char id[CLV_ID_LEN];
    clv_audit a = {.id = id,
                   .at = now,
                   .actor_type = "system",
                   .actor_id = "purge",
                   .tenant_id = r->tenant_id,
                   .action = "purge",
                   .target_type = (char *)r->kind,
                   .target_id = r->id};
    clv_code rc;

    if (!clv_id_new("ev", id))
        return clv_fail(err, CLV_CRYPTO, "purge: CSPRNG failed");
    if ((a.changes = json_object()) == NULL)
        return clv_fail(err, CLV_NOMEM, "purge: out of memory");
    rc = clv_store_audit_insert(app->store, &a, err);
    json_decref(a.changes);
    return rc;
}

clv_code clv_retention_purge(clv_app *app, int64_t now, int *purged, clv_err *err)
{
    clv_list removed = {0};
    clv_code rc = clv_store_begin(app->store, err);

    if (rc != CLV_OK)
        return rc;
    /* the rows and their events land together, or neither does */
    rc = clv_store_purge(app->store, now, &removed, err);
    for (size_t i = 0; rc == CLV_OK && i < removed.count; i++)
        rc = purge_event(app, removed.items[i], now, err);
    if (rc == CLV_OK)
        rc = clv_store_commit(app->store, err);
    if (rc == CLV_OK)
        *purged = (int)removed.count;
    else
        clv_store_rollback(app->store);
    clv_list_cleanup(&removed);
    return rc;
}
