/* audit — writing and presenting audit events (see audit.h). */
#include "core/audit.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "core/ids.h"

/* Every lifecycle event is also a log line (docs/OPERATIONS.md "Logs"): who, what, which
 * object — never the changes, whose values an operator reads in the audit API. Written
 * with the event, inside the change's transaction. */
static bool log_events;

void clv_audit_log_events(bool on)
{
    log_events = on;
}

static void log_event(const clv_audit *a)
{
    const char *const kv[][2] = {
        {"event_id", a->id},           {"action", a->action},
        {"actor_type", a->actor_type}, {"actor_id", a->actor_id},
        {"tenant_id", a->tenant_id},   {"target_type", a->target_type},
        {"target_id", a->target_id},
    };

    clv_log_kv("info", "audit", kv, sizeof kv / sizeof kv[0]);
}

clv_code clv_audit_write(clv_app *app, const clv_principal *p, const char *tenant_id,
                         const char *action, const char *target_type, const char *target_id,
                         json_t *changes, clv_err *err)
{
    char id[CLV_ID_LEN];
    clv_audit a = {0};
    clv_code rc;

    if (changes == NULL)
        changes = json_object();
    if (changes == NULL || !clv_id_new("ev", id)) {
        json_decref(changes);
        return clv_fail(err, CLV_INTERNAL, "could not make an audit event");
    }
    a.id = id;
    a.at = clv_now();
    a.actor_type = (char *)(p != NULL ? p->actor_type : "system");
    a.actor_id = (char *)(p != NULL ? p->actor_id : "clavis");
    a.tenant_id = (char *)tenant_id;
    a.action = (char *)action;
    a.target_type = (char *)target_type;
    a.target_id = (char *)target_id;
    a.changes = changes;
    rc = clv_store_audit_insert(app->store, &a, err);
    json_decref(changes);
    if (rc == CLV_OK && log_events)
        log_event(&a);
    return rc;
}

json_t *clv_audit_to_json(const clv_audit *a)
{
    char at[21];

    clv_time_format(a->at, at);
    return json_pack("{s:s, s:s, s:{s:s, s:s}, s:s?, s:s, s:{s:s, s:s}, s:O}", "id", a->id, "at",
                     at, "actor", "type", a->actor_type, "id", a->actor_id, "tenant_id",
                     a->tenant_id, "action", a->action, "target", "type", a->target_type, "id",
                     a->target_id, "changes", a->changes);
}
