/* secrets — the admin API's secret rotation: list metadata, add (plaintext once), remove
 * (declared in clients.h; docs/DESIGN.md M "Secret", docs/API.md). */
#include <stdlib.h>
#include <string.h>

#include "admin/clients.h"
#include "admin/operation.h"
#include "core/audit.h"
#include "core/secret.h"
#include "crypto/hash.h"

static json_t *secret_item(const void *item)
{
    return clv_secret_to_json(item);
}

clv_code clv_admin_secret_list(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err)
{
    clv_client *c = NULL;
    clv_list l = {0};
    clv_code rc = clv_admin_client_visible(app, args->p, args->id, &c, err);

    if (rc == CLV_OK)
        rc = clv_store_secret_list(app->store, args->id, &l, err);
    if (rc == CLV_OK && (*out = clv_admin_page(&l, secret_item)) != NULL)
        json_object_del(*out, "next_cursor"); /* never paginated: a client has a few */
    else if (rc == CLV_OK)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    clv_client_free(c);
    return rc;
}

static const char *const secret_keys[] = {"description", "expires_at", NULL};

static clv_code read_expiry(const clv_app *app, const json_t *body, int64_t *expires_at,
                            clv_err *err)
{
    json_t *v = json_object_get(body, "expires_at");
    int64_t t;

    *expires_at = clv_now() + app->cfg->secret_lifetime; /* docs/DESIGN.md M: one year by default */
    if (v == NULL)
        return CLV_OK;
    if (json_is_null(v)) {
        *expires_at = 0; /* never expires */
        return CLV_OK;
    }
    if (!json_is_string(v) || !clv_time_parse(json_string_value(v), &t))
        return clv_fail_field(err, CLV_INVALID, "expires_at",
                              "must be an RFC 3339 time, or null for never");
    if (t <= clv_now())
        return clv_fail_field(err, CLV_INVALID, "expires_at", "must be in the future");
    *expires_at = t;
    return CLV_OK;
}

clv_code clv_admin_secret_add(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err)
{
    const clv_principal *p = args->p;
    const char *client_id = args->id;
    const json_t *body = args->body;
    clv_client *c = NULL;
    const char *description = NULL;
    int64_t expires_at;
    clv_code rc;

    *out = NULL;
    if ((rc = clv_admin_only_keys(body, secret_keys, err)) != CLV_OK ||
        (rc = clv_admin_str_field(body, "description", 2000, true, NULL, &description, err)) !=
            CLV_OK ||
        (rc = read_expiry(app, body, &expires_at, err)) != CLV_OK)
        return rc;
    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = clv_admin_client_writable(app, p, client_id, &c, err)) != CLV_OK)
        goto cleanup;
    if (c->type == CLV_TYPE_PUBLIC) {
        rc = clv_fail(err, CLV_CONFLICT, "public clients never have secrets");
        goto cleanup;
    }
    if (c->status == CLV_STATUS_DELETED) {
        rc = clv_fail(err, CLV_CONFLICT, "the client is deleted; restore it first");
        goto cleanup;
    }
    rc = clv_secret_issue(app, p, c, description, expires_at, out, err);
cleanup:
    rc = clv_write_finish(app, rc, err);
    if (rc != CLV_OK && *out != NULL) {
        json_decref(*out);
        *out = NULL;
    }
    clv_client_free(c);
    return rc;
}

clv_code clv_admin_secret_remove(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err)
{
    const clv_principal *p = args->p;
    const char *client_id = args->id, *secret_id = args->id2;
    clv_client *c = NULL;
    clv_code rc;

    *out = NULL;

    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = clv_admin_client_writable(app, p, client_id, &c, err)) != CLV_OK)
        goto cleanup;
    rc = clv_store_secret_delete(app->store, client_id, secret_id, err);
    if (rc == CLV_NOT_FOUND)
        rc = clv_fail(err, CLV_NOT_FOUND, "no secret '%.64s' on this client", secret_id);
    if (rc == CLV_OK)
        rc = clv_audit_write(app, p, c->tenant_id, "secret.remove", "secret", secret_id,
                             json_pack("{s:{s:s,s:n}}", "client_id", "from", c->client_id,
                                       "to"),
                             err);
cleanup:
    rc = clv_write_finish(app, rc, err);
    clv_client_free(c);
    return rc;
}
