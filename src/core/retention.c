/* retention — the purge and its audit trail, and client hygiene (see retention.h). */
#include "core/retention.h"

#include <stdio.h>
#include <string.h>

#include "core/client_write.h"
#include "core/ids.h"
#include "core/scope.h"

enum { DAY = 86400 };

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

/* ---- hygiene ---- */

clv_hygiene_step clv_hygiene_decide(const clv_client *c, const clv_tenant *t, bool registered,
                                    int64_t now)
{
    int64_t last = c->last_used_at > c->created_at ? c->last_used_at : c->created_at;
    int64_t d = t->deactivate_unused_after_days, l = t->registered_client_lifetime_days;

    /* docs/DESIGN.md R5; and a tenant's setting never switches off a client of platform
     * power, which its tenant admin may not change either (D10) */
    if (c->protected_ || c->status == CLV_STATUS_DELETED || clv_client_platform_power(c) != NULL)
        return CLV_HYGIENE_KEEP;
    if (registered && l > 0) {
        int64_t changed = c->updated_at > last ? c->updated_at : last;
        if (c->status == CLV_STATUS_INACTIVE && changed <= now - l * DAY)
            return CLV_HYGIENE_DELETE;
        if (c->status == CLV_STATUS_ACTIVE && last <= now - l * DAY)
            return CLV_HYGIENE_DEACTIVATE;
    }
    if (d > 0 && c->status == CLV_STATUS_ACTIVE && last <= now - d * DAY)
        return CLV_HYGIENE_DEACTIVATE;
    return CLV_HYGIENE_KEEP;
}

/* The decision for one candidate, with its tenant and whether it was registered. */
static clv_code hygiene_step(clv_app *app, const clv_client *old, int64_t now,
                             clv_hygiene_step *step, clv_err *err)
{
    unsigned char hash[32];
    clv_tenant *t = NULL;
    bool registered;
    clv_code rc = clv_store_regtoken_get(app->store, old->client_id, hash, err);

    if (rc != CLV_OK && rc != CLV_NOT_FOUND)
        return rc;
    registered = rc == CLV_OK;
    if ((rc = clv_store_tenant_get(app->store, old->tenant_id, &t, err)) == CLV_OK)
        *step = clv_hygiene_decide(old, t, registered, now);
    clv_tenant_free(t);
    return rc;
}

/* Deactivates or deletes one candidate as its tenant's settings say, audited as the
 * system's "hygiene". */
static clv_code hygiene_one(clv_app *app, const clv_client *old, int64_t now,
                            clv_retention_report *r, clv_err *err)
{
    clv_principal p = {.actor_type = "system", .actor_id = "hygiene"};
    clv_hygiene_step step = CLV_HYGIENE_KEEP;
    clv_client *c = NULL;
    json_t *ignored = NULL;
    clv_code rc = hygiene_step(app, old, now, &step, err);

    if (rc != CLV_OK || step == CLV_HYGIENE_KEEP)
        return rc;
    if ((c = clv_client_dup(old)) == NULL)
        return clv_fail(err, CLV_NOMEM, "hygiene: out of memory");
    snprintf(p.tenant_id, sizeof p.tenant_id, "%s", old->tenant_id);
    if (step == CLV_HYGIENE_DELETE) { /* the admin API's soft delete (docs/DESIGN.md M) */
        c->status = CLV_STATUS_DELETED;
        c->deleted_at = now;
        c->purge_at = now + app->cfg->retention;
    } else {
        c->status = CLV_STATUS_INACTIVE;
    }
    rc = clv_client_save(app, &p, old, c,
                         step == CLV_HYGIENE_DELETE ? "client.delete" : "client.deactivate",
                         &ignored, NULL, err);
    json_decref(ignored);
    clv_client_free(c);
    if (rc == CLV_OK)
        *(step == CLV_HYGIENE_DELETE ? &r->deleted : &r->deactivated) += 1;
    if (rc == CLV_PRECONDITION) /* changed meanwhile (another node): the next run decides */
        rc = CLV_OK;
    return rc;
}

static clv_code hygiene(clv_app *app, int64_t now, clv_retention_report *r, clv_err *err)
{
    clv_list l = {0};
    clv_code rc = clv_store_hygiene_candidates(app->store, now, CLV_HYGIENE_BATCH, &l, err);

    for (size_t i = 0; rc == CLV_OK && i < l.count; i++)
        rc = hygiene_one(app, l.items[i], now, r, err);
    clv_list_cleanup(&l);
    return rc;
}

/* ---- one run ---- */

clv_code clv_retention_run(clv_app *app, int64_t now, clv_retention_report *r, clv_err *err)
{
    clv_list removed = {0};
    bool got = false;
    clv_code rc = clv_store_begin(app->store, err);

    memset(r, 0, sizeof *r);
    if (rc != CLV_OK)
        return rc;
    /* one node at a time; the rows, the changes and their events land together, or none */
    rc = clv_store_purge_lock(app->store, &got, err);
    if (rc == CLV_OK && !got) {
        r->skipped = true;
        clv_store_rollback(app->store);
        return CLV_OK;
    }
    if (rc == CLV_OK)
        rc = hygiene(app, now, r, err);
    if (rc == CLV_OK)
        rc = clv_store_purge(app->store, now, &removed, err);
    for (size_t i = 0; rc == CLV_OK && i < removed.count; i++)
        rc = purge_event(app, removed.items[i], now, err);
    rc = clv_write_finish(app, rc, err); /* commits, and every thread re-reads its clients */
    if (rc == CLV_OK)
        r->purged = (int)removed.count;
    else
        memset(r, 0, sizeof *r);
    clv_list_cleanup(&removed);
    return rc;
}

clv_code clv_retention_purge(clv_app *app, int64_t now, int *purged, clv_err *err)
{
    clv_retention_report r;
    clv_code rc = clv_retention_run(app, now, &r, err);

    if (rc == CLV_OK)
        *purged = r.purged;
    return rc;
}
