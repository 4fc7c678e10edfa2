/* clients — admin API client management (see clients.h). */
#include "admin/clients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/operation.h"
#include "base/strlist.h"
#include "core/audit.h"
#include "core/client_json.h"
#include "core/ids.h"
#include "core/scope.h"
#include "core/secret.h"
#include "core/sector.h"
#include "crypto/hash.h"

/* Fetches a client the principal may see; a foreign one is CLV_NOT_FOUND like a missing
 * one, so that ids of other tenants cannot be probed. */
clv_code clv_admin_client_visible(clv_app *app, const clv_principal *p, const char *client_id,
                                  clv_client **out, clv_err *err)
{
    clv_client *c = NULL;
    clv_code rc = clv_store_client_get(app->store, client_id, &c, err);

    if (rc == CLV_OK && !clv_principal_sees(p, c->tenant_id)) {
        clv_client_free(c);
        rc = CLV_NOT_FOUND;
    }
    if (rc == CLV_NOT_FOUND)
        return clv_fail(err, CLV_NOT_FOUND, "no client '%.64s'", client_id);
    if (rc == CLV_OK)
        *out = c;
    return rc;
}

static clv_code check_roles(const clv_principal *p, const clv_client *c, clv_err *err)
{
    const char *field = clv_client_platform_power(c);

    if (p == NULL || p->platform_admin || field == NULL)
        return CLV_OK;
    if (strcmp(field, "roles") == 0)
        return clv_fail_field(err, CLV_FORBIDDEN, "roles",
                              "only a platform admin may grant platform_admin");
    return clv_fail_field(err, CLV_FORBIDDEN, "scopes",
                          "only a platform admin may give the admin scope to a first-party "
                          "client that users sign in to");
}

clv_code clv_admin_client_writable(clv_app *app, const clv_principal *p, const char *client_id,
                                   clv_client **out, clv_err *err)
{
    clv_code rc = clv_admin_client_visible(app, p, client_id, out, err);

    /* A tenant admin may read a client of platform power in its tenant (the init client) but
     * not change it, its secrets or its tokens: else it could take its powers. */
    if (rc == CLV_OK && p != NULL && !p->platform_admin && clv_client_platform_power(*out) != NULL) {
        clv_client_free(*out);
        *out = NULL;
        rc = clv_fail(err, CLV_FORBIDDEN, "only a platform admin may change this client");
    }
    return rc;
}

/* Checks the service named by the body (visible, not deleted) and places c in it. */
static clv_code place_client(clv_app *app, const clv_principal *p, clv_client *c, clv_err *err)
{
    clv_service *svc = NULL;
    clv_code rc = clv_store_service_get(app->store, c->service_id, &svc, err);

    if (rc == CLV_OK && (!clv_principal_sees(p, svc->tenant_id) ||
                         svc->status == CLV_STATUS_DELETED))
        rc = CLV_NOT_FOUND;
    if (rc == CLV_NOT_FOUND) /* a foreign service is a missing one (docs/API.md) */
        rc = clv_fail_field(err, CLV_NOT_FOUND, "service_id", "no service '%.64s'",
                            c->service_id);
    if (rc == CLV_OK)
        rc = clv_client_place(c, svc, err);
    clv_service_free(svc);
    return rc;
}

clv_code clv_admin_client_create(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err)
{
    const clv_principal *p = args->p;
    const json_t *body = args->body;
    clv_client *c = NULL;
    json_t *j = NULL, *secret = NULL;
    clv_code rc;

    if ((rc = clv_client_from_json(body, app->cfg, &c, err)) != CLV_OK ||
        (rc = check_roles(p, c, err)) != CLV_OK ||
        (rc = clv_sector_verify(c, err)) != CLV_OK) /* docs/DESIGN.md R6, before the transaction */
        goto cleanup;
    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        goto cleanup;
    if ((rc = place_client(app, p, c, err)) == CLV_OK)
        rc = clv_client_insert(app, p, c, clv_now() + app->cfg->secret_lifetime, &secret,
                                     err);
    if ((rc = clv_write_finish_created(app, rc, c->client_id, err)) != CLV_OK)
        goto cleanup;
    if ((j = clv_client_to_json(c)) == NULL) {
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
        goto cleanup;
    }
    if (secret != NULL) { /* the plaintext, shown this once */
        json_object_set(j, "client_secret", json_object_get(secret, "client_secret"));
        json_object_del(secret, "client_secret");
        json_object_set(j, "secret", secret);
    }
    *out = json_incref(j);
cleanup:
    json_decref(secret);
    json_decref(j);
    clv_client_free(c);
    return rc;
}

static json_t *client_item(const void *item)
{
    return clv_client_to_json(item);
}

/* A time filter of the list (RFC 3339): *on and *at set when present; CLV_INVALID naming
 * the parameter when it is not a time. */
static clv_code time_query(const clv_admin_args *args, const char *name, bool *on, int64_t *at,
                           clv_err *err)
{
    const char *v = clv_admin_query(args, name);

    if (v == NULL)
        return CLV_OK;
    if (!clv_time_parse(v, at))
        return clv_fail_field(err, CLV_INVALID, name,
                              "must be an RFC 3339 time such as 2026-01-31T00:00:00Z");
    *on = true;
    return CLV_OK;
}

/* The list's filters from the query (docs/API.md "List clients"). */
static clv_code client_filter(const clv_admin_args *args, clv_client_filter *f, clv_err *err)
{
    const char *type = clv_admin_query(args, "type");
    clv_client_type t;
    int eff = -1;
    clv_code rc;

    if ((rc = clv_admin_status_query(args, "status", &f->status, err)) != CLV_OK ||
        (rc = clv_admin_status_query(args, "effective_status", &eff, err)) != CLV_OK ||
        (rc = time_query(args, "unused_since", &f->by_unused, &f->unused_since, err)) != CLV_OK ||
        (rc = time_query(args, "secret_expires_before", &f->by_secret_expiry,
                         &f->secret_expires_before, err)) != CLV_OK)
        return rc;
    f->by_effective = eff >= 0;
    f->effective_status = eff >= 0 ? (clv_status)eff : CLV_STATUS_ACTIVE;
    if (type != NULL && !clv_client_type_parse(type, &t))
        return clv_fail_field(err, CLV_INVALID, "type", "must be public, confidential or m2m");
    f->type = type != NULL ? (int)t : -1;
    f->service_id = clv_admin_query(args, "service_id");
    f->tenant_id = clv_admin_tenant_filter(args);
    f->q = clv_admin_query(args, "q");
    /* docs/API.md "List clients": no name (200 characters, docs/DESIGN.md R20) nor client_id
     * is longer, so a longer q matches nothing; refused before the store reads anything (the
     * PostgreSQL index's keys of q cost time growing with the square of its length). */
    if (f->q != NULL && clv_admin_chars(f->q) > CLV_CLIENT_ID_MAX)
        return clv_fail_field(err, CLV_INVALID, "q",
                              "must have at most %d characters: no name or client_id is longer",
                              (int)CLV_CLIENT_ID_MAX);
    return CLV_OK;
}

clv_code clv_admin_client_list(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err)
{
    clv_client_filter f = {.cursor = args->cursor, .limit = args->limit};
    clv_list l = {0};
    clv_code rc;

    if ((rc = client_filter(args, &f, err)) != CLV_OK ||
        (rc = clv_store_client_list(app->store, &f, &l, err)) != CLV_OK)
        return rc;
    if ((*out = clv_admin_page(&l, client_item)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}

clv_code clv_admin_client_get(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err)
{
    clv_client *c = NULL;
    clv_code rc = clv_admin_client_visible(app, args->p, args->id, &c, err);

    if (rc != CLV_OK)
        return rc;
    if ((*out = clv_client_to_json(c)) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    clv_client_free(c);
    return rc;
}

/* docs/DESIGN.md R6: a changed sector_identifier_uri (or changed redirect URIs under one) is
 * fetched before the transaction, since that may take seconds; *checked is the client as
 * it was checked (NULL when nothing needed checking or the patch is refused anyway). */
static clv_code sector_precheck(clv_app *app, const clv_principal *p, const char *client_id,
                                const json_t *patch, clv_client **checked, clv_err *err)
{
    clv_client *old = NULL, *c = NULL;
    clv_code rc = CLV_OK;

    *checked = NULL;
    if (clv_admin_client_writable(app, p, client_id, &old, NULL) == CLV_OK &&
        clv_client_patch(old, patch, app->cfg, &c, NULL) == CLV_OK && clv_sector_changed(old, c))
        rc = clv_sector_verify(c, err);
    if (rc == CLV_OK && c != NULL && clv_sector_changed(old, c))
        *checked = c;
    else
        clv_client_free(c);
    clv_client_free(old);
    return rc;
}

/* In the transaction: what is stored must be what sector_precheck fetched for. */
static clv_code sector_same(const clv_client *old, const clv_client *c, const clv_client *checked,
                            clv_err *err)
{
    if (!clv_sector_changed(old, c))
        return CLV_OK;
    if (checked == NULL || strcmp(checked->sector_identifier_uri, c->sector_identifier_uri) != 0 ||
        !json_equal(checked->redirect_uris, c->redirect_uris))
        return clv_fail(err, CLV_CONFLICT, "the client was changed meanwhile; try again");
    return CLV_OK;
}

clv_code clv_admin_client_patch(clv_app *app, const clv_admin_args *args, json_t **out,
                                clv_err *err)
{
    const clv_principal *p = args->p;
    const char *client_id = args->id;
    const json_t *patch = args->body;
    clv_client *old = NULL, *c = NULL, *checked = NULL;
    clv_code rc;

    if ((rc = sector_precheck(app, p, client_id, patch, &checked, err)) != CLV_OK)
        return rc;
    if ((rc = clv_store_begin(app->store, err)) != CLV_OK) {
        clv_client_free(checked);
        return rc;
    }
    if ((rc = clv_admin_client_writable(app, p, client_id, &old, err)) != CLV_OK)
        goto cleanup;
    if (!clv_version_matches(args->if_match, old->version)) { /* RFC 9110 §13.1.1 */
        rc = clv_fail(err, CLV_PRECONDITION, "If-Match does not match the current version");
        goto cleanup;
    }
    if (old->status == CLV_STATUS_DELETED) {
        rc = clv_fail(err, CLV_CONFLICT, "the client is deleted; restore it first");
        goto cleanup;
    }
    if ((rc = clv_client_patch(old, patch, app->cfg, &c, err)) == CLV_OK &&
        (rc = check_roles(p, c, err)) == CLV_OK &&
        (rc = sector_same(old, c, checked, err)) == CLV_OK)
        rc = clv_client_save(app, p, old, c, "client.update", out, NULL, err);
cleanup:
    rc = clv_write_finish(app, rc, err);
    clv_client_free(old);
    clv_client_free(c);
    clv_client_free(checked);
    return rc;
}

/* The lifecycle of docs/DESIGN.md M: what each action may start from, and where it leads. */
static clv_code transition(const clv_app *app, clv_client *c, clv_client_action action,
                           const char **name, clv_err *err)
{
    int64_t now = clv_now();

    switch (action) {
    case CLV_CLIENT_ACTIVATE:
    case CLV_CLIENT_DEACTIVATE:
        *name = action == CLV_CLIENT_ACTIVATE ? "client.activate" : "client.deactivate";
        if (c->status == CLV_STATUS_DELETED)
            return clv_fail(err, CLV_CONFLICT, "the client is deleted; restore it first");
        if (action == CLV_CLIENT_DEACTIVATE && c->protected_)
            return clv_fail(err, CLV_CONFLICT, "a protected client cannot be deactivated");
        c->status = action == CLV_CLIENT_ACTIVATE ? CLV_STATUS_ACTIVE : CLV_STATUS_INACTIVE;
        return CLV_OK;
    case CLV_CLIENT_DELETE:
        *name = "client.delete";
        if (c->protected_)
            return clv_fail(err, CLV_CONFLICT, "a protected client cannot be deleted");
        if (c->status != CLV_STATUS_DELETED) {
            c->status = CLV_STATUS_DELETED;
            c->deleted_at = now;
            c->purge_at = now + app->cfg->retention;
        }
        return CLV_OK;
    case CLV_CLIENT_RESTORE:
        *name = "client.restore";
        if (c->status != CLV_STATUS_DELETED)
            return clv_fail(err, CLV_CONFLICT, "only a deleted client can be restored");
        if (c->purge_at <= now)
            return clv_fail(err, CLV_CONFLICT, "the retention period has passed");
        c->status = CLV_STATUS_ACTIVE;
        c->deleted_at = c->purge_at = 0; /* docs/DESIGN.md R7 */
        return CLV_OK;
    }
    return clv_fail(err, CLV_INTERNAL, "unknown action");
}

clv_code clv_admin_client_action(clv_app *app, const clv_admin_args *args, json_t **out,
                                 clv_err *err)
{
    clv_client *old = NULL, *c = NULL;
    const char *name = NULL;
    clv_code rc;

    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = clv_admin_client_writable(app, args->p, args->id, &old, err)) != CLV_OK)
        goto cleanup;
    if ((c = clv_client_dup(old)) == NULL) {
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = transition(app, c, (clv_client_action)args->action, &name, err)) != CLV_OK)
        goto cleanup;
    rc = clv_client_save(app, args->p, old, c, name, out, NULL, err);
cleanup:
    rc = clv_write_finish(app, rc, err);
    clv_client_free(old);
    clv_client_free(c);
    return rc;
}

clv_code clv_admin_client_revoke_tokens(clv_app *app, const clv_admin_args *args, json_t **out,
                                        clv_err *err)
{
    const clv_principal *p = args->p;
    const char *client_id = args->id;
    clv_client *old = NULL, *c = NULL;
    json_t *ignored = NULL;
    int revoked = 0;
    clv_code rc;

    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = clv_admin_client_writable(app, p, client_id, &old, err)) != CLV_OK)
        goto cleanup;
    if ((c = clv_client_dup(old)) == NULL) {
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
        goto cleanup;
    }
    /* Access tokens issued up to this millisecond introspect inactive from now on. */
    c->tokens_revoked_at = clv_now_us() / 1000;
    rc = clv_client_save(app, p, old, c, "client.revoke_tokens", &ignored, NULL, err);
    /* And every unused refresh token and code of the client goes (docs/API.md). */
    if (rc == CLV_OK)
        rc = clv_store_client_grants_revoke(app->store, c->client_id, &revoked, err);
    if (rc == CLV_OK && (*out = json_pack("{s:i}", "revoked", revoked)) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
cleanup:
    rc = clv_write_finish(app, rc, err);
    json_decref(ignored);
    clv_client_free(old);
    clv_client_free(c);
    return rc;
}
