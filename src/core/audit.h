/* audit — recording who changed what (docs/DESIGN.md M "Audit event", R10). */
#ifndef CLV_CORE_AUDIT_H
#define CLV_CORE_AUDIT_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

/* Writes one event by p (NULL = system) on the calling thread's connection, so it belongs
 * to the caller's transaction. changes is stolen (NULL = {}). tenant_id may be NULL. */
clv_code clv_audit_write(clv_app *app, const clv_principal *p, const char *tenant_id,
                         const char *action, const char *target_type, const char *target_id,
                         json_t *changes, clv_err *err);

/* Whether each event written is also logged (one "audit" line: action, actor, tenant,
 * target; never the changes). Off by default; serve turns it on at start-up. */
void clv_audit_log_events(bool on);

/* The JSON of an event as docs/DESIGN.md R10 gives it. New reference. */
json_t *clv_audit_to_json(const clv_audit *a);

#endif
