/* initial_access_tokens — initial access tokens for dynamic registration (see
 * initial_access_tokens.h). */
#include "admin/initial_access_tokens.h"

#include <stdlib.h>
#include <string.h>

#include "admin/operation.h"
#include "core/audit.h"
#include "core/ids.h"
#include "core/secret.h"
#include "crypto/hash.h"
#include "crypto/rand.h"

enum { TOKEN_BYTES = 32, TOKEN_TEXT = sizeof CLV_IAT_PREFIX - 1 + 44 };

static const char *const iat_keys[] = {"service_id", "expires_in", "uses", NULL};

/* What the body asks for, checked. */
typedef struct {
    const char *service_id;
    int64_t expires_in;
    int64_t uses; /* -1 = unlimited */
} iat_req;

static clv_code int_field(const json_t *body, const char *name, int64_t min, int64_t max,
                          int64_t *out, clv_err *err)
{
    json_t *v = json_object_get(body, name);

    if (v == NULL)
        return CLV_OK;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return clv_fail_field(err, CLV_INVALID, name, "must be an integer from %lld to %lld",
                              (long long)min, (long long)max);
    *out = (int64_t)json_integer_value(v);
    return CLV_OK;
}

static clv_code read_req(const json_t *body, iat_req *req, clv_err *err)
{
    clv_code rc;

    req->service_id = NULL;
    req->expires_in = CLV_IAT_LIFETIME_DEFAULT;
    req->uses = 1; /* single-use unless asked otherwise */
    if ((rc = clv_admin_only_keys(body, iat_keys, err)) != CLV_OK ||
        (rc = clv_admin_str_field(body, "service_id", 64, false, NULL, &req->service_id, err)) !=
            CLV_OK ||
        (rc = int_field(body, "expires_in", CLV_IAT_LIFETIME_MIN, CLV_IAT_LIFETIME_MAX,
                        &req->expires_in, err)) != CLV_OK)
        return rc;
    if (req->service_id == NULL)
        return clv_fail_field(err, CLV_INVALID, "service_id", "is required");
    if (json_is_null(json_object_get(body, "uses"))) {
        req->uses = -1; /* null: any number of registrations until it expires */
        return CLV_OK;
    }
    if (json_object_get(body, "uses") != NULL && !json_is_integer(json_object_get(body, "uses")))
        return clv_fail_field(err, CLV_INVALID, "uses",
                              "must be an integer from 1 to %d, or null for unlimited",
                              CLV_IAT_USES_MAX);
    return int_field(body, "uses", 1, CLV_IAT_USES_MAX, &req->uses, err);
}

/* The service must be one the principal sees, and not deleted (as for client create). */
static clv_code service_check(clv_app *app, const clv_principal *p, const char *service_id,
                              char **tenant_id, clv_err *err)
{
    clv_service *svc = NULL;
    clv_code rc = clv_store_service_get(app->store, service_id, &svc, err);

    if (rc == CLV_OK &&
        (!clv_principal_sees(p, svc->tenant_id) || svc->status == CLV_STATUS_DELETED))
        rc = CLV_NOT_FOUND;
    if (rc == CLV_NOT_FOUND) /* a foreign service is a missing one (docs/API.md) */
        rc = clv_fail_field(err, CLV_NOT_FOUND, "service_id", "no service '%.64s'", service_id);
    if (rc == CLV_OK && (*tenant_id = strdup(svc->tenant_id)) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    clv_service_free(svc);
    return rc;
}

/* Fills t (ids, hash, times) and writes the plaintext into text (TOKEN_TEXT + 1 bytes). */
static clv_code iat_make(const clv_app *app, const clv_principal *p, const iat_req *req, clv_iat *t,
                         char *text, clv_err *err)
{
    char id[CLV_ID_LEN];

    memcpy(text, CLV_IAT_PREFIX, sizeof CLV_IAT_PREFIX - 1);
    if (!clv_rand_token(TOKEN_BYTES, text + sizeof CLV_IAT_PREFIX - 1) || !clv_id_new("iat", id) ||
        !clv_secret_hash(app, text, t->hash))
        return clv_fail(err, CLV_CRYPTO, "could not make an initial access token");
    t->id = strdup(id);
    t->service_id = strdup(req->service_id);
    t->created_by = strdup(p->actor_id);
    if (t->id == NULL || t->service_id == NULL || t->created_by == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    t->created_at = clv_now();
    t->expires_at = t->created_at + req->expires_in;
    t->uses_left = req->uses;
    return CLV_OK;
}

static json_t *uses_json(int64_t uses)
{
    return uses < 0 ? json_null() : json_integer(uses);
}

/* The audit event: what was made, never the token itself. */
static clv_code iat_audit(clv_app *app, const clv_principal *p, const clv_iat *t, clv_err *err)
{
    json_t *changes =
        json_pack("{s:{s:n, s:{s:s, s:o, s:o}}}", "initial_access_token", "from", "to", "id", t->id,
                  "expires_at", clv_json_time(t->expires_at), "uses", uses_json(t->uses_left));

    if (changes == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return clv_audit_write(app, p, t->tenant_id, "initial_access_token.create", "service",
                           t->service_id, changes, err);
}

clv_code clv_admin_iat_create(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err)
{
    const clv_principal *p = args->p;
    const json_t *body = args->body;
    clv_iat t = {0};
    iat_req req;
    char *text = NULL;
    clv_code rc;

    if ((rc = read_req(body, &req, err)) != CLV_OK)
        return rc;
    if ((text = calloc(1, TOKEN_TEXT + 1)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        goto cleanup;
    if ((rc = service_check(app, p, req.service_id, &t.tenant_id, err)) == CLV_OK &&
        (rc = iat_make(app, p, &req, &t, text, err)) == CLV_OK &&
        (rc = clv_store_iat_insert(app->store, &t, err)) == CLV_OK)
        rc = iat_audit(app, p, &t, err);
    if ((rc = clv_write_finish(app, rc, err)) != CLV_OK)
        goto cleanup;
    *out = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", t.id, "token", text, "service_id",
                     t.service_id, "expires_at", clv_json_time(t.expires_at), "uses",
                     uses_json(t.uses_left), "created_at", clv_json_time(t.created_at));
    if (*out == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
cleanup:
    clv_wipe(t.hash, sizeof t.hash);
    free(t.id);
    free(t.service_id);
    free(t.tenant_id);
    free(t.created_by);
    clv_free_secret(text);
    return rc;
}

/* One token of the list: what create answered, less the token, plus who made it. */
static json_t *iat_item(const void *item)
{
    const clv_iat *t = item;

    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:s}", "id", t->id, "service_id", t->service_id,
                     "expires_at", clv_json_time(t->expires_at), "uses", uses_json(t->uses_left),
                     "created_at", clv_json_time(t->created_at), "created_by", t->created_by);
}

clv_code clv_admin_iat_list(clv_app *app, const clv_admin_args *args, json_t **out, clv_err *err)
{
    const char *service_id = clv_admin_query(args, "service_id");
    clv_list l = {0};
    clv_code rc;

    rc = clv_store_iat_list(app->store, clv_admin_tenant_filter(args), service_id, clv_now(), &l,
                            err);
    if (rc == CLV_OK && (*out = clv_admin_page(&l, iat_item)) != NULL)
        json_object_del(*out, "next_cursor"); /* never paginated: tokens are short-lived */
    else if (rc == CLV_OK)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    return rc;
}
