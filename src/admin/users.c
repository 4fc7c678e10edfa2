/* users — admin API users and the audit trail (see users.h). */
#include "admin/users.h"

#include <stdlib.h>
#include <string.h>

#include "admin/operation.h"
#include "base/strlist.h"
#include "core/audit.h"
#include "core/client_json.h"
#include "core/ids.h"
#include "crypto/hash.h"
#include "crypto/password.h"

enum { PASSWORD_MIN = 8, PASSWORD_MAX = 256, ROLES_MAX = 50 };

static json_t *user_json(const void *item)
{
    const clv_user *u = item;

    return json_pack("{s:s, s:s, s:s, s:s?, s:O, s:s, s:o, s:o}", "id", u->id, "tenant_id",
                     u->tenant_id, "username", u->username, "email", u->email, "roles",
                     u->roles, "status", clv_status_name(u->status), "created_at",
                     clv_json_time(u->created_at), "updated_at", clv_json_time(u->updated_at));
}

/* roles: an array of distinct role names; platform_admin only from a platform admin. */
static clv_code check_roles(const clv_principal *p, const json_t *roles, clv_err *err)
{
    size_t i, k;
    json_t *v;

    if (!json_is_array(roles) || json_array_size(roles) > ROLES_MAX)
        return clv_fail_field(err, CLV_INVALID, "roles", "must be an array of at most 50 roles");
    json_array_foreach(roles, i, v) {
        const char *r = json_string_value(v);
        if (r == NULL || r[0] == '\0' || strlen(r) > 128)
            return clv_fail_field(err, CLV_INVALID, "roles",
                                  "each role must be a string of 1 to 128 characters");
        for (k = 0; k < i; k++)
            if (json_equal(v, json_array_get(roles, k)))
                return clv_fail_field(err, CLV_INVALID, "roles", "role '%s' appears twice", r);
        if (strcmp(r, "platform_admin") == 0 && !p->platform_admin)
            return clv_fail(err, CLV_FORBIDDEN, "only a platform admin may grant platform_admin");
    }
    return CLV_OK;
}

static const char *const user_keys[] = {"tenant_id", "username", "password", "email",
                                        "roles", "status", NULL};

/* The fields of a user body as read (borrowed from the body). */
typedef struct {
    const char *username, *password, *email, *status;
    bool has_user, has_pw, has_email, has_status;
    const json_t *roles; /* NULL when absent */
    clv_status st;       /* the status to set */
} user_fields;

/* Reads the fields of body (create: tenant_id may be there too). */
static clv_code read_user(const json_t *body, bool create, user_fields *f, clv_err *err)
{
    clv_code rc;

    f->roles = json_object_get(body, "roles");
    if ((rc = clv_admin_only_keys(body, user_keys + (create ? 0 : 1), err)) != CLV_OK ||
        (rc = clv_admin_str_field(body, "username", 200, false, &f->has_user, &f->username,
                                  err)) ||
        (rc = clv_admin_str_field(body, "password", PASSWORD_MAX, false, &f->has_pw,
                                  &f->password, err)) ||
        (rc = clv_admin_str_field(body, "email", 320, true, &f->has_email, &f->email, err)) ||
        (rc = clv_admin_str_field(body, "status", 16, false, &f->has_status, &f->status, err)))
        return rc;
    return CLV_OK;
}

/* The rules of the fields read (create: username and password required). */
static clv_code check_user(const clv_principal *p, bool create, user_fields *f, clv_err *err)
{
    if (create && (!f->has_user || !f->has_pw))
        return clv_fail_field(err, CLV_INVALID, f->has_user ? "password" : "username",
                              "is required");
    if (f->has_pw && strlen(f->password) < PASSWORD_MIN)
        return clv_fail_field(err, CLV_INVALID, "password", "must have 8 characters or more");
    if (f->has_status && (!clv_status_parse(f->status, &f->st) || f->st == CLV_STATUS_DELETED))
        return clv_fail_field(err, CLV_INVALID, "status", "must be active or inactive");
    if (f->has_email && f->email != NULL && strchr(f->email, '@') == NULL)
        return clv_fail_field(err, CLV_INVALID, "email", "must be an email address");
    if (f->roles != NULL)
        return check_roles(p, f->roles, err);
    return CLV_OK;
}

/* Applies the fields of body to u (create: username and password required). */
static clv_code apply_user(const clv_principal *p, const json_t *body, bool create, clv_user *u,
                           clv_err *err)
{
    user_fields f = {.st = u->status};
    clv_code rc;

    if ((rc = read_user(body, create, &f, err)) != CLV_OK ||
        (rc = check_user(p, create, &f, err)) != CLV_OK)
        return rc;
    if (f.has_pw) {
        char *hash = NULL;
        if ((rc = clv_password_hash(f.password, &hash, err)) != CLV_OK)
            return rc;
        free(u->password_hash);
        u->password_hash = hash;
    }
    if (f.has_user && clv_config_set_str(&u->username, f.username) == false)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if (f.has_email && clv_config_set_str(&u->email, f.email) == false)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if (f.roles != NULL) {
        json_decref(u->roles);
        u->roles = json_deep_copy(f.roles);
    }
    u->status = f.st;
    return CLV_OK;
}

clv_code clv_admin_user_create(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err)
{
    const clv_principal *p = args->p;
    const json_t *body = args->body;
    char id[CLV_ID_LEN];
    const char *tenant = p->tenant_id;
    clv_user *u = calloc(1, sizeof *u);
    json_t *j = NULL;
    clv_code rc;

    if (u == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    u->roles = json_array();
    if ((rc = clv_admin_str_field(body, "tenant_id", 64, false, NULL, &tenant, err)) != CLV_OK ||
        (rc = apply_user(p, body, true, u, err)) != CLV_OK)
        goto cleanup;
    if (!clv_principal_sees(p, tenant)) {
        rc = clv_fail_field(err, CLV_NOT_FOUND, "tenant_id", "no tenant '%.64s'", tenant);
        goto cleanup;
    }
    if (!clv_id_new("usr", id) || (u->id = strdup(id)) == NULL ||
        (u->tenant_id = strdup(tenant)) == NULL) {
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
        goto cleanup;
    }
    u->created_at = u->updated_at = clv_now();
    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        goto cleanup;
    rc = clv_store_user_insert(app->store, u, err);
    if (rc == CLV_CONFLICT)
        rc = clv_fail_field(err, CLV_CONFLICT, "username", "is taken in this tenant");
    else if (rc == CLV_NOT_FOUND)
        rc = clv_fail_field(err, CLV_NOT_FOUND, "tenant_id", "no tenant '%.64s'", tenant);
    if (rc == CLV_OK && (j = user_json(u)) != NULL)
        rc = clv_audit_write(app, p, u->tenant_id, "user.create", "user", u->id,
                             clv_json_created(j), err);
    rc = clv_write_finish(app, rc, err);
    if (rc == CLV_OK)
        *out = json_incref(j);
cleanup:
    json_decref(j);
    clv_user_free(u);
    return rc;
}

clv_code clv_admin_user_list(clv_app *app, const clv_admin_args *args, json_t **out,
                             clv_err *err)
{
    clv_user_filter f = {.cursor = args->cursor, .limit = args->limit};
    clv_list l = {0};
    clv_code rc;

    f.tenant_id = clv_admin_tenant_filter(args);
    if ((rc = clv_store_user_list(app->store, &f, &l, err)) != CLV_OK)
        return rc;
    if ((*out = clv_admin_page(&l, user_json)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}

/* A tenant admin may see a platform admin of its tenant but not change or remove it:
 * else it could take over the account (docs/API.md: 403 for what the role may not change). */
static clv_code may_change(const clv_principal *p, const clv_user *u, clv_err *err)
{
    if (!p->platform_admin && clv_strarr_has(u->roles, "platform_admin"))
        return clv_fail(err, CLV_FORBIDDEN, "only a platform admin may change this user");
    return CLV_OK;
}

static clv_code visible_user(clv_app *app, const clv_principal *p, const char *id,
                             clv_user **out, clv_err *err)
{
    clv_user *u = NULL;
    clv_code rc = clv_store_user_get(app->store, id, &u, err);

    if (rc == CLV_OK && !clv_principal_sees(p, u->tenant_id)) {
        clv_user_free(u);
        rc = CLV_NOT_FOUND;
    }
    if (rc == CLV_NOT_FOUND)
        return clv_fail(err, CLV_NOT_FOUND, "no user '%.64s'", id);
    if (rc == CLV_OK)
        *out = u;
    return rc;
}

clv_code clv_admin_user_get(clv_app *app, const clv_admin_args *args, json_t **out,
                            clv_err *err)
{
    clv_user *u = NULL;
    clv_code rc = visible_user(app, args->p, args->id, &u, err);

    if (rc == CLV_OK && (*out = user_json(u)) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    clv_user_free(u);
    return rc;
}

clv_code clv_admin_user_patch(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err)
{
    const clv_principal *p = args->p;
    const char *id = args->id;
    const json_t *body = args->body;
    clv_user *u = NULL;
    json_t *before = NULL, *after = NULL;
    clv_code rc;

    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = visible_user(app, p, id, &u, err)) != CLV_OK ||
        (rc = may_change(p, u, err)) != CLV_OK)
        goto cleanup;
    before = user_json(u);
    if ((rc = apply_user(p, body, false, u, err)) != CLV_OK)
        goto cleanup;
    after = user_json(u);
    if (json_equal(before, after) && json_object_get(body, "password") == NULL)
        goto cleanup; /* nothing changes: no write, no event */
    json_decref(after);
    u->updated_at = clv_now();
    rc = clv_store_user_update(app->store, u, err);
    if (rc == CLV_CONFLICT)
        rc = clv_fail_field(err, CLV_CONFLICT, "username", "is taken in this tenant");
    if (rc != CLV_OK)
        goto cleanup;
    after = user_json(u);
    /* A password change shows as a changed field, never with its value. */
    json_t *changes = clv_json_diff(before, after, (const char *const[]){"updated_at", NULL});
    if (json_object_get(body, "password") != NULL)
        json_object_set_new(changes, "password", json_pack("{s:s, s:s}", "from", "***", "to", "***"));
    rc = clv_audit_write(app, p, u->tenant_id, "user.update", "user", u->id, changes, err);
cleanup:
    rc = clv_write_finish(app, rc, err);
    if (rc == CLV_OK)
        *out = json_incref(after);
    json_decref(before);
    json_decref(after);
    clv_user_free(u);
    return rc;
}

clv_code clv_admin_user_delete(clv_app *app, const clv_admin_args *args, json_t **out,
                               clv_err *err)
{
    const clv_principal *p = args->p;
    const char *id = args->id;
    clv_user *u = NULL;
    clv_code rc;

    *out = NULL;

    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = visible_user(app, p, id, &u, err)) == CLV_OK &&
        (rc = may_change(p, u, err)) == CLV_OK &&
        (rc = clv_store_user_delete(app->store, id, err)) == CLV_OK)
        rc = clv_audit_write(app, p, u->tenant_id, "user.delete", "user", id, NULL, err);
    rc = clv_write_finish(app, rc, err);
    clv_user_free(u);
    return rc;
}

static json_t *audit_item(const void *item)
{
    return clv_audit_to_json(item);
}

clv_code clv_admin_audit_list(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err)
{
    clv_audit_filter f = {.cursor = args->cursor, .limit = args->limit};
    const char *since = clv_admin_query(args, "since");
    clv_list l = {0};
    clv_code rc;

    if (since != NULL && !clv_time_parse(since, &f.since))
        return clv_fail_field(err, CLV_INVALID, "since", "must be an RFC 3339 time");
    f.target_id = clv_admin_query(args, "target");
    f.actor_id = clv_admin_query(args, "actor");
    f.tenant_id = clv_admin_tenant_filter(args);
    if ((rc = clv_store_audit_list(app->store, &f, &l, err)) != CLV_OK)
        return rc;
    if ((*out = clv_admin_page(&l, audit_item)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}
