/* service_write — see service_write.h. */
#include "core/service_write.h"

#include "core/audit.h"
#include "core/client_write.h"

json_t *clv_service_to_json(const clv_service *s)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:o, s:o, s:o, s:o, s:I}", "id", s->id,
                     "tenant_id", s->tenant_id, "name", s->name, "description", s->description,
                     "status", clv_status_name(s->status), "approval",
                     clv_approval_name(s->approval), "created_at", clv_json_time(s->created_at),
                     "updated_at", clv_json_time(s->updated_at), "deleted_at",
                     clv_json_time(s->deleted_at), "purge_at", clv_json_time(s->purge_at),
                     "version", (json_int_t)s->version);
}

/* The audit changes of the new service j: its fields named in audited (NULL: all) as
 * created. New reference. */
static json_t *created(const json_t *j, const char *const *audited)
{
    json_t *some;
    json_t *changes;

    if (audited == NULL)
        return clv_json_created(j);
    if ((some = json_object()) == NULL)
        return NULL;
    for (const char *const *f = audited; *f != NULL; f++)
        if (json_object_get(j, *f) != NULL)
            json_object_set(some, *f, json_object_get(j, *f));
    changes = clv_json_created(some);
    json_decref(some);
    return changes;
}

clv_code clv_service_create(clv_app *app, const clv_principal *p, clv_service *s,
                            char id[CLV_ID_LEN], const char *const *audited, json_t **out,
                            clv_err *err)
{
    json_t *j, *changes;
    clv_code rc;

    if (!clv_id_new("svc", id))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    s->id = id;
    s->status = CLV_STATUS_ACTIVE;
    s->created_at = s->updated_at = clv_now();
    s->deleted_at = s->purge_at = 0;
    s->version = 1;
    if ((rc = clv_store_service_insert(app->store, s, err)) != CLV_OK)
        return rc;
    if ((j = clv_service_to_json(s)) == NULL || (changes = created(j, audited)) == NULL) {
        json_decref(j);
        return clv_fail(err, CLV_NOMEM, "out of memory");
    }
    rc = clv_audit_write(app, p, s->tenant_id, "service.create", "service", s->id, changes, err);
    if (rc == CLV_OK && out != NULL)
        *out = json_incref(j);
    json_decref(j);
    return rc;
}
