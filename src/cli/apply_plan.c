/* apply_plan — the export/apply file and the plan between a tenant and a file (see
 * apply_plan.h, docs/DESIGN.md D12). */
#include "cli/apply_plan.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/model.h"
#include "core/client_json.h"

enum {
    PATH_CAP = CLV_ERR_FIELD_MAX,
    VALUE_SHOWN = 120,
    NAME_MAX_CHARS = 200,
    DESC_MAX_CHARS = 2000
};

static const char *const service_keys[] = {"name", "description", "status", "clients", NULL};
static const char *const secret_keys[] = {"client_secret", "secret", "secrets", NULL};
static const char *const file_statuses[] = {"active", "inactive", NULL};

static bool in(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static const char *name_of(const json_t *o)
{
    return json_string_value(json_object_get(o, "name"));
}

/* Fails at path + suffix (suffix "" or ".key"). */
static clv_code fail_at(clv_err *err, clv_code code, const char *path, const char *suffix,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static clv_code fail_at(clv_err *err, clv_code code, const char *path, const char *suffix,
                        const char *fmt, ...)
{
    char field[PATH_CAP], msg[CLV_ERR_DETAIL_MAX];
    va_list ap;

    snprintf(field, sizeof field, "%s%s", path, suffix);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return clv_fail_field(err, code, field, "%s", msg);
}

/* ---- the file's shape ---- */

/* A key a client of the file may hold: a writable field but service_id (the service it
 * is listed under), and status. */
static bool client_key(const char *key)
{
    const char *f;

    if (strcmp(key, "status") == 0)
        return true;
    for (size_t i = 0; (f = clv_client_field(i, NULL)) != NULL; i++)
        if (strcmp(f, key) == 0)
            return strcmp(f, "service_id") != 0;
    return false;
}

static const char *why_not(const char *key, bool client)
{
    if (client && in(secret_keys, key))
        return "secrets are never in the file: apply creates a new client's secret and prints "
               "it once";
    if (client && strcmp(key, "service_id") == 0)
        return "a client belongs to the service it is listed under";
    return "unknown or read-only field";
}

static clv_code check_keys(const json_t *o, const char *path, bool client, clv_err *err)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)o, key, v) {
        if (client ? client_key(key) : in(service_keys, key))
            continue;
        char suffix[PATH_CAP];
        snprintf(suffix, sizeof suffix, ".%s", key);
        return fail_at(err, CLV_INVALID, path, suffix, "%s", why_not(key, client));
    }
    return CLV_OK;
}

/* Characters (not bytes) of UTF-8 text; *ctl whether it holds a control character. */
static size_t chars(const char *s, bool *ctl)
{
    size_t n = 0;

    *ctl = false;
    for (; *s != '\0'; s++) {
        n += ((unsigned char)*s & 0xC0) != 0x80;
        *ctl = *ctl || (unsigned char)*s < 0x20 || *s == 0x7f;
    }
    return n;
}

/* name (required, a non-empty string) and status (active or inactive). */
static clv_code check_common(const json_t *o, const char *path, clv_err *err)
{
    const json_t *status = json_object_get(o, "status");
    const char *name = name_of(o);
    bool ctl;

    if (!json_is_object(o))
        return fail_at(err, CLV_INVALID, path, "", "must be an object");
    if (json_object_get(o, "name") == NULL)
        return fail_at(err, CLV_INVALID, path, ".name", "is required");
    if (name == NULL || name[0] == '\0')
        return fail_at(err, CLV_INVALID, path, ".name", "must be a non-empty string");
    if (chars(name, &ctl) > NAME_MAX_CHARS || ctl) /* docs/DESIGN.md R20 */
        return fail_at(err, CLV_INVALID, path, ".name",
                       "must be 1 to 200 characters without control characters");
    if (status != NULL &&
        (!json_is_string(status) || !in(file_statuses, json_string_value(status))))
        return fail_at(err, CLV_INVALID, path, ".status", "must be active or inactive");
    return CLV_OK;
}

/* Names unique in arr (objects checked by check_common); path names the array. */
static clv_code check_unique(const json_t *arr, const char *path, clv_err *err)
{
    size_t i, j;
    json_t *a, *b;

    json_array_foreach(arr, i, a) {
        json_array_foreach(arr, j, b) {
            if (j >= i)
                break;
            if (strcmp(name_of(a), name_of(b)) == 0) {
                char at[PATH_CAP];
                snprintf(at, sizeof at, "%s[%zu]", path, i);
                return fail_at(err, CLV_INVALID, at, ".name",
                               "'%.100s' is also the name of %s[%zu]: names must be unique",
                               name_of(a), path, j);
            }
        }
    }
    return CLV_OK;
}

static clv_code check_client(const json_t *c, const char *path, clv_err *err)
{
    clv_code rc = check_common(c, path, err);

    if (rc == CLV_OK)
        rc = check_keys(c, path, true, err);
    if (rc == CLV_OK && json_object_get(c, "type") == NULL)
        rc = fail_at(err, CLV_INVALID, path, ".type", "is required (public, confidential or m2m)");
    return rc;
}

static clv_code check_service(const json_t *s, const char *path, clv_err *err)
{
    const json_t *clients = json_object_get(s, "clients"), *c;
    const json_t *desc = json_object_get(s, "description");
    char at[PATH_CAP];
    clv_code rc = check_common(s, path, err);
    size_t i;
    bool ctl;

    if (rc == CLV_OK)
        rc = check_keys(s, path, false, err);
    if (rc == CLV_OK && desc != NULL && !json_is_null(desc) &&
        (!json_is_string(desc) || json_string_length(desc) == 0 ||
         chars(json_string_value(desc), &ctl) > DESC_MAX_CHARS)) /* docs/DESIGN.md R20 */
        rc = fail_at(err, CLV_INVALID, path, ".description",
                     "must be a string of 1 to 2000 characters, or null");
    if (rc == CLV_OK && clients != NULL && !json_is_array(clients))
        rc = fail_at(err, CLV_INVALID, path, ".clients", "must be an array");
    json_array_foreach(clients, i, c) {
        if (rc != CLV_OK)
            break;
        snprintf(at, sizeof at, "%s.clients[%zu]", path, i);
        rc = check_client(c, at, err);
    }
    if (rc == CLV_OK && clients != NULL) {
        snprintf(at, sizeof at, "%s.clients", path);
        rc = check_unique(clients, at, err);
    }
    return rc;
}

clv_code clv_apply_check(const json_t *doc, clv_err *err)
{
    const json_t *version = json_object_get(doc, "version"), *services, *s;
    const char *key;
    json_t *v;
    char at[PATH_CAP];
    size_t i;
    clv_code rc = CLV_OK;

    if (!json_is_object(doc))
        return fail_at(err, CLV_INVALID, "", "", "the file must hold a JSON object");
    json_object_foreach((json_t *)doc, key, v) {
        if (strcmp(key, "version") != 0 && strcmp(key, "services") != 0)
            return fail_at(err, CLV_INVALID, key, "", "unknown field");
    }
    if (!json_is_integer(version) || json_integer_value(version) != CLV_APPLY_VERSION)
        return fail_at(err, CLV_INVALID, "version", "", "must be %d", CLV_APPLY_VERSION);
    services = json_object_get(doc, "services");
    if (!json_is_array(services))
        return fail_at(err, CLV_INVALID, "services", "", "is required: an array");
    json_array_foreach(services, i, s) {
        snprintf(at, sizeof at, "services[%zu]", i);
        if ((rc = check_service(s, at, err)) != CLV_OK)
            return rc;
    }
    return check_unique(services, "services", err);
}

/* ---- export ---- */

static int by_name(const void *a, const void *b)
{
    const char *x = name_of(*(json_t *const *)a), *y = name_of(*(json_t *const *)b);

    return strcmp(x ? x : "", y ? y : "");
}

/* A new array of arr's items sorted by name; NULL when out of memory. */
static json_t *sorted(const json_t *arr)
{
    size_t n = json_array_size(arr), i;
    json_t **items = calloc(n + 1, sizeof *items), *out = json_array();

    if (items == NULL || out == NULL) {
        free(items);
        json_decref(out);
        return NULL;
    }
    for (i = 0; i < n; i++)
        items[i] = json_array_get(arr, i);
    qsort(items, n, sizeof *items, by_name);
    for (i = 0; i < n; i++)
        json_array_append(out, items[i]);
    free(items);
    return out;
}

static void copy_key(json_t *to, const json_t *from, const char *key)
{
    json_t *v = json_object_get(from, key);

    if (v != NULL)
        json_object_set(to, key, v);
}

static json_t *export_client(const json_t *c)
{
    json_t *o = json_object();
    const char *f;
    const char *status = json_string_value(json_object_get(c, "status"));

    if (o == NULL)
        return NULL;
    copy_key(o, c, "name");
    copy_key(o, c, "type");
    json_object_set_new(
        o, "status",
        json_string(status && strcmp(status, "inactive") == 0 ? "inactive" : "active"));
    for (size_t i = 0; (f = clv_client_field(i, NULL)) != NULL; i++)
        if (client_key(f) && strcmp(f, "name") != 0 && strcmp(f, "type") != 0)
            copy_key(o, c, f);
    return o;
}

static json_t *export_service(const json_t *s)
{
    json_t *o = json_object(), *clients = json_array(),
           *list = sorted(json_object_get(s, "clients"));
    const char *status = json_string_value(json_object_get(s, "status"));
    size_t i;
    json_t *c;

    if (o == NULL || clients == NULL || list == NULL) {
        json_decref(o);
        json_decref(clients);
        json_decref(list);
        return NULL;
    }
    copy_key(o, s, "name");
    json_object_set_new(o, "description", json_deep_copy(json_object_get(s, "description")));
    if (json_object_get(o, "description") == NULL)
        json_object_set_new(o, "description", json_null());
    json_object_set_new(
        o, "status",
        json_string(status && strcmp(status, "inactive") == 0 ? "inactive" : "active"));
    json_array_foreach(list, i, c) {
        /* A protected client is the server's own (the clavis init client, the console): its
         * redirect URIs name this server, so it stays out of a file meant for any server. */
        if (!json_is_true(json_object_get(c, "protected")))
            json_array_append_new(clients, export_client(c));
    }
    json_object_set_new(o, "clients", clients);
    json_decref(list);
    return o;
}

json_t *clv_apply_export(const json_t *state)
{
    json_t *list = sorted(state), *services = json_array(), *s;
    size_t i;

    if (list == NULL || services == NULL) {
        json_decref(list);
        json_decref(services);
        return NULL;
    }
    json_array_foreach(list, i, s) {
        json_array_append_new(services, export_service(s));
    }
    json_decref(list);
    return json_pack("{s:i, s:o}", "version", CLV_APPLY_VERSION, "services", services);
}

/* ---- the plan ---- */

typedef struct {
    const json_t *state;
    json_t *plan;
    clv_config cfg; /* lifetimes unbounded: the server checks them against its own bounds */
    clv_err *err;
} planner;

/* The object of arr named name (NULL if none); *count how many are. */
static const json_t *find(const json_t *arr, const char *name, size_t *count)
{
    const json_t *found = NULL;
    size_t i;
    json_t *o;

    *count = 0;
    json_array_foreach(arr, i, o) {
        const char *n = name_of(o);
        if (n != NULL && strcmp(n, name) == 0) {
            found = found ? found : o;
            (*count)++;
        }
    }
    return found;
}

static json_t *action(planner *P, const char *op, const char *kind, const char *service,
                      const char *name)
{
    json_t *a = json_pack("{s:s, s:s, s:s}", "op", op, "kind", kind, "service", service);

    if (a != NULL && name != NULL)
        json_object_set_new(a, "name", json_string(name));
    if (a != NULL)
        json_array_append_new(P->plan, a);
    return a;
}

static bool wants_inactive(const json_t *want)
{
    const char *s = json_string_value(json_object_get(want, "status"));

    return s != NULL && strcmp(s, "inactive") == 0;
}

static const char *status_of(const json_t *o)
{
    const char *s = json_string_value(json_object_get(o, "status"));

    return s ? s : "active";
}

/* A status change of an existing object (cur) or of one the plan creates (cur NULL). */
static void plan_status(planner *P, const char *kind, const char *service, const char *name,
                        const json_t *cur, const json_t *want)
{
    const char *to = json_string_value(json_object_get(want, "status")), *from = status_of(cur);
    json_t *a, *id;

    if (to == NULL || strcmp(from, to) == 0) /* status_of(NULL): a new object is active */
        return;
    a = action(P, strcmp(to, "active") == 0 ? "activate" : "deactivate", kind, service, name);
    if (a == NULL)
        return;
    id = cur ? json_object_get(cur, strcmp(kind, "client") == 0 ? "client_id" : "id") : NULL;
    json_object_set(a, "id", id ? id : json_null());
    json_object_set_new(a, "from", json_string(cur ? from : "active"));
    json_object_set_new(a, "new", json_boolean(cur == NULL));
}

/* The fields of want (but skip) whose value differs from cur's: into body (as want has them)
 * and changes. norm (may be NULL) holds the values the server will store for them (a client
 * as the server reads it: an m2m client's require_pkce is false whatever it is given), which
 * are compared, so that a plan converges. */
static void differences(const json_t *cur, const json_t *want, const json_t *norm,
                        const char *const *skip, json_t *body, json_t *changes)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)want, key, v) {
        json_t *was = json_object_get(cur, key), *to = json_object_get(norm, key);
        to = to ? to : v;
        if (in(skip, key) || (was != NULL && json_equal(was, to)))
            continue;
        json_object_set(body, key, v);
        json_object_set_new(changes, key,
                            json_pack("{s:O, s:O}", "from", was ? was : json_null(), "to", to));
    }
}

static clv_code plan_service_fields(planner *P, const json_t *cur, const json_t *want)
{
    static const char *const skip[] = {"name", "status", "clients", NULL};
    json_t *body = json_object(), *changes = json_object(), *a;

    if (body == NULL || changes == NULL)
        goto nomem;
    differences(cur, want, NULL, skip, body, changes);
    if (json_object_size(body) > 0) {
        if ((a = action(P, "update", "service", name_of(want), NULL)) == NULL)
            goto nomem;
        json_object_set(a, "id", json_object_get(cur, "id"));
        json_object_set(a, "body", body);
        json_object_set(a, "changes", changes);
    }
    json_decref(body);
    json_decref(changes);
    return CLV_OK;
nomem:
    json_decref(body);
    json_decref(changes);
    return clv_fail(P->err, CLV_NOMEM, "out of memory");
}

/* Checks the client that the plan makes (want over cur) as the server's create would; on
 * CLV_OK *norm is that client's JSON (what the server will store). */
static clv_code validate_client(planner *P, const json_t *cur, const json_t *want, const char *path,
                                json_t **norm)
{
    json_t *merged = json_object();
    const char *f, *key;
    json_t *v;
    clv_client *c = NULL;
    char suffix[CLV_ERR_FIELD_MAX + 1];
    clv_err e;
    clv_code rc;

    for (size_t i = 0; cur != NULL && (f = clv_client_field(i, NULL)) != NULL; i++)
        copy_key(merged, cur, f);
    json_object_foreach((json_t *)want, key, v) {
        json_object_set(merged, key, v);
    }
    json_object_del(merged, "status");
    json_object_set_new(merged, "service_id", json_string("svc_apply"));
    clv_err_init(&e);
    rc = merged ? clv_client_from_json(merged, &P->cfg, &c, &e) : CLV_NOMEM;
    if (rc == CLV_OK && (*norm = clv_client_to_json(c)) == NULL)
        rc = CLV_NOMEM;
    clv_client_free(c);
    json_decref(merged);
    if (rc == CLV_OK)
        return CLV_OK;
    snprintf(suffix, sizeof suffix, "%s%s", e.field[0] ? "." : "", e.field);
    return fail_at(P->err, rc, path, suffix, "%s", e.detail);
}

static clv_code plan_client_update(planner *P, const char *service, const json_t *cur,
                                   const json_t *want, const json_t *norm)
{
    static const char *const skip[] = {"name", "type", "status", NULL};
    json_t *body = json_object(), *changes = json_object(), *a = NULL;

    if (body == NULL || changes == NULL) {
        json_decref(body);
        json_decref(changes);
        return clv_fail(P->err, CLV_NOMEM, "out of memory");
    }
    differences(cur, want, norm, skip, body, changes);
    if (json_object_size(body) > 0 &&
        (a = action(P, "update", "client", service, name_of(want))) != NULL) {
        json_object_set(a, "id", json_object_get(cur, "client_id"));
        json_object_set(a, "version", json_object_get(cur, "version"));
        json_object_set(a, "body", body);
        json_object_set(a, "changes", changes);
    }
    json_decref(body);
    json_decref(changes);
    return CLV_OK;
}

static clv_code plan_client(planner *P, const char *service, const json_t *cur_clients,
                            const json_t *want, const char *path)
{
    size_t n;
    const json_t *cur = find(cur_clients, name_of(want), &n);
    const char *type = json_string_value(json_object_get(want, "type"));
    const char *was = json_string_value(json_object_get(cur, "type"));
    clv_code rc;
    json_t *a, *norm = NULL;

    if (n > 1)
        return fail_at(P->err, CLV_CONFLICT, path, ".name",
                       "%zu clients of service '%.100s' on the server are named '%.100s': "
                       "rename all but one first",
                       n, service, name_of(want));
    if (cur != NULL && type != NULL && was != NULL && strcmp(type, was) != 0)
        return fail_at(P->err, CLV_INVALID, path, ".type",
                       "is %s on the server, and a client's type never changes (delete it and "
                       "create it anew under another name)",
                       was);
    if (cur != NULL && json_is_true(json_object_get(cur, "protected")) && wants_inactive(want))
        return fail_at(P->err, CLV_INVALID, path, ".status",
                       "a protected client cannot be deactivated");
    if ((rc = validate_client(P, cur, want, path, &norm)) != CLV_OK)
        return rc;
    if (cur != NULL) {
        rc = plan_client_update(P, service, cur, want, norm);
    } else if ((a = action(P, "create", "client", service, name_of(want))) != NULL) {
        json_object_set_new(a, "body", json_deep_copy(want));
        json_object_del(json_object_get(a, "body"), "status");
    } else {
        rc = clv_fail(P->err, CLV_NOMEM, "out of memory");
    }
    json_decref(norm);
    if (rc == CLV_OK)
        plan_status(P, "client", service, name_of(want), cur, want);
    return rc;
}

static clv_code plan_service(planner *P, const json_t *want, const char *path)
{
    size_t n, i;
    const char *name = name_of(want);
    const json_t *cur = find(P->state, name, &n), *c;
    const json_t *clients = cur ? json_object_get(cur, "clients") : NULL;
    char at[PATH_CAP];
    json_t *a;
    clv_code rc = CLV_OK;

    if (n > 1)
        return fail_at(P->err, CLV_CONFLICT, path, ".name",
                       "%zu services on the server are named '%.100s': rename all but one first", n,
                       name);
    if (cur == NULL) {
        if ((a = action(P, "create", "service", name, NULL)) == NULL)
            return clv_fail(P->err, CLV_NOMEM, "out of memory");
        json_object_set_new(a, "body", json_pack("{s:s}", "name", name));
        copy_key(json_object_get(a, "body"), want, "description");
    } else if ((rc = plan_service_fields(P, cur, want)) != CLV_OK) {
        return rc;
    }
    plan_status(P, "service", name, NULL, cur, want);
    json_array_foreach(json_object_get(want, "clients"), i, c) {
        snprintf(at, sizeof at, "%s.clients[%zu]", path, i);
        if ((rc = plan_client(P, name, clients, c, at)) != CLV_OK)
            return rc;
    }
    return CLV_OK;
}

static bool holds_protected(const json_t *service)
{
    size_t i;
    json_t *c;

    json_array_foreach(json_object_get(service, "clients"), i, c) {
        if (json_is_true(json_object_get(c, "protected")))
            return true;
    }
    return false;
}

/* Deletes the clients of cur that want_clients does not name; keeps the protected ones. */
static void prune_clients(planner *P, const json_t *cur, const json_t *want_clients)
{
    size_t i, n;
    json_t *c, *a;

    json_array_foreach(json_object_get(cur, "clients"), i, c) {
        if (find(want_clients, name_of(c), &n) != NULL)
            continue;
        bool keep = json_is_true(json_object_get(c, "protected"));
        a = action(P, keep ? "keep" : "delete", "client", name_of(cur), name_of(c));
        if (a != NULL && keep)
            json_object_set_new(a, "reason", json_string("protected"));
        else if (a != NULL)
            json_object_set(a, "id", json_object_get(c, "client_id"));
    }
}

static void plan_prune(planner *P, const json_t *want_services)
{
    size_t i, n;
    json_t *s, *a;
    const json_t *want;

    json_array_foreach(P->state, i, s) {
        if ((want = find(want_services, name_of(s), &n)) != NULL || holds_protected(s)) {
            prune_clients(P, s, json_object_get(want, "clients"));
            continue;
        }
        if ((a = action(P, "delete", "service", name_of(s), NULL)) == NULL)
            continue;
        json_object_set(a, "id", json_object_get(s, "id"));
        json_object_set_new(
            a, "clients", json_integer((json_int_t)json_array_size(json_object_get(s, "clients"))));
    }
}

clv_code clv_apply_plan(const json_t *state, const json_t *doc, bool prune, json_t **plan,
                        clv_err *err)
{
    planner P = {.state = state, .plan = json_array(), .err = err};
    const json_t *services = json_object_get(doc, "services"), *s;
    char at[PATH_CAP];
    clv_code rc;
    size_t i;

    *plan = NULL;
    if (P.plan == NULL || (rc = clv_config_init(&P.cfg, false, err)) != CLV_OK) {
        json_decref(P.plan);
        return clv_fail(err, CLV_NOMEM, "out of memory");
    }
    P.cfg.at_lifetime_min = 0;
    P.cfg.at_lifetime_max = INT32_MAX;
    P.cfg.rt_lifetime_max = INT32_MAX;
    json_array_foreach(services, i, s) {
        snprintf(at, sizeof at, "services[%zu]", i);
        if ((rc = plan_service(&P, s, at)) != CLV_OK)
            break;
    }
    if (rc == CLV_OK && prune)
        plan_prune(&P, services);
    clv_config_cleanup(&P.cfg);
    if (rc != CLV_OK) {
        json_decref(P.plan);
        return rc;
    }
    *plan = P.plan;
    return CLV_OK;
}

/* ---- counting and printing ---- */

size_t clv_apply_count(const json_t *plan, size_t *create, size_t *change, size_t *del)
{
    size_t i, n[3] = {0, 0, 0};
    json_t *a;

    json_array_foreach(plan, i, a) {
        const char *op = json_string_value(json_object_get(a, "op"));
        if (strcmp(op, "create") == 0)
            n[0]++;
        else if (strcmp(op, "delete") == 0)
            n[2]++;
        else if (strcmp(op, "keep") != 0 && !json_is_true(json_object_get(a, "new")))
            n[1]++;
    }
    if (create != NULL)
        *create = n[0];
    if (change != NULL)
        *change = n[1];
    if (del != NULL)
        *del = n[2];
    return n[0] + n[1] + n[2];
}

/* Writes s with control characters as '?'. */
static void put_clean(FILE *f, const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static void print_value(FILE *f, const json_t *v)
{
    char *s = json_dumps(v ? v : json_null(), JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    size_t n = s ? strlen(s) : 0;

    if (n > VALUE_SHOWN) {
        n = VALUE_SHOWN;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) /* not inside a character */
            n--;
        fprintf(f, "%.*s…", (int)n, s);
    } else {
        fputs(s ? s : "?", f);
    }
    free(s);
}

static void print_label(FILE *f, const char *sign, const json_t *a)
{
    const char *kind = json_string_value(json_object_get(a, "kind"));

    fprintf(f, "%s %s ", sign, kind);
    put_clean(f, json_string_value(json_object_get(a, "service")));
    if (strcmp(kind, "client") == 0) {
        fputc('/', f);
        put_clean(f, json_string_value(json_object_get(a, "name")));
    }
}

static void print_changes(FILE *f, const json_t *changes)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)changes, key, v) {
        fprintf(f, "    ~ %s: ", key);
        print_value(f, json_object_get(v, "from"));
        fputs(" → ", f);
        print_value(f, json_object_get(v, "to"));
        fputc('\n', f);
    }
}

static void print_action(FILE *f, const json_t *a)
{
    const char *op = json_string_value(json_object_get(a, "op"));
    const json_t *body = json_object_get(a, "body");
    bool status = strcmp(op, "activate") == 0 || strcmp(op, "deactivate") == 0;

    if (strcmp(op, "create") == 0) {
        print_label(f, "+", a);
        if (json_object_get(body, "type") != NULL)
            fprintf(f, " (%s)", json_string_value(json_object_get(body, "type")));
    } else if (strcmp(op, "update") == 0 || (status && !json_is_true(json_object_get(a, "new")))) {
        print_label(f, "~", a);
    } else if (strcmp(op, "delete") == 0) {
        print_label(f, "-", a);
        if (json_object_get(a, "clients") != NULL)
            fprintf(f, " (and its %" JSON_INTEGER_FORMAT " clients)",
                    json_integer_value(json_object_get(a, "clients")));
    } else if (strcmp(op, "keep") == 0) {
        print_label(f, " ", a);
        fputs(" is protected: never pruned", f);
    }
    if (!status || !json_is_true(json_object_get(a, "new")))
        fputc('\n', f);
    if (strcmp(op, "update") == 0)
        print_changes(f, json_object_get(a, "changes"));
    if (status)
        fprintf(f, "    ~ status: \"%s\" → \"%s\"\n", json_string_value(json_object_get(a, "from")),
                strcmp(op, "activate") == 0 ? "active" : "inactive");
}

void clv_apply_print(FILE *f, const json_t *plan)
{
    size_t i, create, change, del;
    json_t *a;

    json_array_foreach(plan, i, a) {
        print_action(f, a);
    }
    if (clv_apply_count(plan, &create, &change, &del) == 0)
        fputs("No changes: the server matches the file.\n", f);
    else
        fprintf(f, "Plan: %zu to create, %zu to change, %zu to delete.\n", create, change, del);
}
