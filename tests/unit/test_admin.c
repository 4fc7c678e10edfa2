/* test_admin — unit tests of src/admin against a real SQLite store: the client lifecycle
 * of docs/DESIGN.md M (create, deactivate, activate, delete, restore, purge), protected clients,
 * If-Match, secrets (shown once, stored hashed, added and removed), the audit trail, and
 * what a tenant admin may see and do (docs/DESIGN.md R15). The principals are built by hand.
 * Each test runs in its own process (CK_FORK) on a fresh database. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin/clients.h"
#include "admin/services.h"
#include "admin/users.h"
#include "base/config.h"
#include "core/app.h"
#include "core/audit.h"
#include "core/console_client.h"
#include "core/ids.h"
#include "core/retention.h"
#include "core/secret.h"
#include "crypto/hash.h"
#include "http/handlers.h"
#include "testutil.h"

/* The arguments of an admin operation, as its route fills them (admin/operation.h). */
#define ARGS(...) (&(clv_admin_args){__VA_ARGS__})
/* Where an operation that answers nothing leaves its *out. */
#define NO_OUT (&(json_t *){NULL})

static char root[64]; /* per test case, made and removed by the parent process */
static char dir[128]; /* per test, inside root */
static clv_config cfg;
static clv_app *app;
static clv_principal admin; /* platform admin, tenant T1 */
static char t1[64], t2[64]; /* two tenants */
static char svc1[64];       /* a service of T1 */

static void case_setup(void)
{
    snprintf(root, sizeof root, "/tmp/clv_admin_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void case_teardown(void)
{
    clv_test_rm_tree(root);
}

/* ---- JSON helpers ---- */

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A time field as Unix seconds; 0 for null, -1 for anything else unparsable. */
static int64_t jtime(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    int64_t t = -1;

    if (json_is_null(v))
        return 0;
    if (!json_is_string(v) || !clv_time_parse(json_string_value(v), &t))
        return -1;
    return t;
}

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);

    ck_assert_msg(j != NULL, "bad test JSON %s: %s", text, je.text);
    return j;
}

/* ---- builders ---- */

static void make_tenant(const char *name, char out[64])
{
    json_t *body = json_pack("{s:s}", "name", name), *t = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_admin_tenant_create(app, ARGS(.p = &admin, .body = body), &t, &err) == CLV_OK,
                  "tenant_create: %s", err.detail);
    snprintf(out, 64, "%s", jstr(t, "id"));
    json_decref(body);
    json_decref(t);
}

static void make_service(const clv_principal *p, const char *tenant, char out[64])
{
    json_t *body = json_pack("{s:s, s:s}", "name", "svc", "tenant_id", tenant), *s = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_admin_service_create(app, ARGS(.p = p, .body = body), &s, &err) == CLV_OK,
                  "service_create: %s", err.detail);
    ck_assert_str_eq(jstr(s, "approval"), "sandbox");
    snprintf(out, 64, "%s", jstr(s, "id"));
    json_decref(body);
    json_decref(s);
}

static void setup(void)
{
    char db[256];
    clv_err err;

    snprintf(dir, sizeof dir, "%s/tXXXXXX", root);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(clv_config_init(&cfg, false, NULL), CLV_OK);
    snprintf(db, sizeof db, "%s/t.db", dir);
    ck_assert(clv_config_set_str(&cfg.db, db));
    ck_assert(clv_config_set_str(&cfg.issuer, "http://127.0.0.1:9"));
    clv_err_init(&err);
    ck_assert_msg(clv_app_open(&cfg, &app, &err) == CLV_OK, "app_open: %s", err.detail);
    memset(&admin, 0, sizeof admin);
    admin.actor_type = "client";
    snprintf(admin.actor_id, sizeof admin.actor_id, "cid_admin");
    admin.platform_admin = true;
    make_tenant("T1", t1);
    make_tenant("T2", t2);
    snprintf(admin.tenant_id, sizeof admin.tenant_id, "%s", t1);
    make_service(&admin, t1, svc1);
}

static void teardown(void)
{
    clv_app_free(app);
    app = NULL;
    clv_config_cleanup(&cfg);
    clv_test_rm_tree(dir);
}

/* Creates a client of type in service; *plain (may be NULL) gets the initial secret's
 * plaintext (caller frees) or NULL. Returns the created client's JSON. */
static json_t *create_client(const clv_principal *p, const char *service, const char *type,
                             char **plain)
{
    json_t *body = json_pack("{s:s, s:s, s:s}", "service_id", service, "name", "app", "type", type);
    json_t *c = NULL;
    clv_err err;

    if (strcmp(type, "m2m") != 0)
        json_object_set_new(body, "redirect_uris", json_pack("[s]", "https://app.example/cb"));
    clv_err_init(&err);
    ck_assert_msg(clv_admin_client_create(app, ARGS(.p = p, .body = body), &c, &err) == CLV_OK,
                  "client_create: %s (%s)", err.detail, err.field);
    json_decref(body);
    if (plain != NULL)
        *plain = jstr(c, "client_secret") != NULL ? strdup(jstr(c, "client_secret")) : NULL;
    return c;
}

/* The "version" of a client's JSON: its ETag. */
static int64_t jversion(const json_t *c)
{
    return json_integer_value(json_object_get(c, "version"));
}

/* The client as the admin API shows it now (NULL if get fails); *version (may be NULL)
 * gets its version. */
static json_t *get_client(const char *client_id, int64_t *version)
{
    json_t *c = NULL;

    if (clv_admin_client_get(app, ARGS(.p = &admin, .id = client_id), &c, NULL) != CLV_OK)
        return NULL;
    if (version != NULL)
        *version = jversion(c);
    return c;
}

/* PATCH /clients/{client_id} with an If-Match header (NULL: none), parsed as src/http
 * parses it; *version (may be NULL) gets the new version on CLV_OK. */
static clv_code patch_if(const clv_principal *p, const char *client_id, const json_t *body,
                         const char *if_match, json_t **out, int64_t *version, clv_err *err)
{
    clv_version_match m = {0};
    clv_code rc;

    if (if_match != NULL)
        ck_assert_int_eq(clv_h_if_match_parse(if_match, &m, NULL), CLV_OK);
    rc = clv_admin_client_patch(
        app, ARGS(.p = p, .id = client_id, .body = body, .if_match = if_match ? &m : NULL), out,
        err);
    if (rc == CLV_OK && version != NULL)
        *version = jversion(*out);
    clv_h_if_match_cleanup(&m);
    return rc;
}

static clv_code act(const clv_principal *p, const char *client_id, clv_client_action a,
                    json_t **out, clv_err *err)
{
    *out = NULL;
    clv_err_init(err);
    return clv_admin_client_action(app, ARGS(.p = p, .id = client_id, .action = a), out, err);
}

/* ---- audit bookkeeping: which events a step added ---- */

typedef struct {
    char ids[128][CLV_ID_LEN];
    size_t n;
} seen_events;

static void all_events(clv_list *l)
{
    clv_audit_filter f = {.limit = 100};

    ck_assert_int_eq(clv_store_audit_list(app->store, &f, l, NULL), CLV_OK);
    ck_assert_ptr_null(l->next_cursor);
}

static bool was_seen(const seen_events *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], id) == 0)
            return true;
    return false;
}

static void snapshot(seen_events *s)
{
    clv_list l = {0};

    s->n = 0;
    all_events(&l);
    for (size_t i = 0; i < l.count; i++)
        snprintf(s->ids[s->n++], CLV_ID_LEN, "%s", ((clv_audit *)l.items[i])->id);
    clv_list_cleanup(&l);
}

/* Asserts that exactly `n` new events exist since the snapshot, with the given actions
 * (in any order, each once), and records them. Returns the last one's changes (new ref)
 * for the caller to inspect, or NULL when n is 0. */
static json_t *expect_new(seen_events *s, size_t n, const char *const *actions,
                          const char *target_id)
{
    clv_list l = {0};
    size_t found = 0;
    bool used[8] = {false};
    json_t *changes = NULL;

    all_events(&l);
    for (size_t i = 0; i < l.count; i++) {
        clv_audit *a = l.items[i];
        size_t k;
        if (was_seen(s, a->id))
            continue;
        found++;
        for (k = 0; k < n && (used[k] || strcmp(actions[k], a->action) != 0); k++)
            ;
        ck_assert_msg(k < n, "unexpected audit event '%s' on %s", a->action, a->target_id);
        used[k] = true;
        ck_assert_str_eq(a->actor_type, "client");
        ck_assert_str_eq(a->actor_id, "cid_admin");
        if (target_id != NULL && strcmp(a->target_type, "client") == 0)
            ck_assert_str_eq(a->target_id, target_id);
        json_decref(changes);
        changes = json_incref(a->changes);
        snprintf(s->ids[s->n++], CLV_ID_LEN, "%s", a->id);
    }
    clv_list_cleanup(&l);
    ck_assert_uint_eq(found, n);
    return changes;
}

static void expect_one(seen_events *s, const char *action, const char *target_id)
{
    const char *actions[] = {action};

    json_decref(expect_new(s, 1, actions, target_id));
}

static void expect_none(seen_events *s)
{
    json_decref(expect_new(s, 0, NULL, NULL));
}

/* ---- lifecycle ---- */

START_TEST(lifecycle)
{
    json_t *c = create_client(&admin, svc1, "m2m", NULL), *out = NULL, *ch;
    const char *cid = jstr(c, "client_id");
    seen_events ev;
    int64_t del_at;
    clv_err err;

    snapshot(&ev);
    ck_assert_str_eq(jstr(c, "status"), "active");
    ck_assert_str_eq(jstr(c, "effective_status"), "active");
    ck_assert_int_eq(json_integer_value(json_object_get(c, "version")), 1);
    ck_assert_int_eq(jtime(c, "deleted_at"), 0);

    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DEACTIVATE, &out, &err), CLV_OK);
    ck_assert_str_eq(jstr(out, "status"), "inactive");
    ck_assert_str_eq(jstr(out, "effective_status"), "inactive");
    ck_assert_int_eq(json_integer_value(json_object_get(out, "version")), 2);
    json_decref(out);
    ch = expect_new(&ev, 1, (const char *const[]){"client.deactivate"}, cid);
    ck_assert_str_eq(jstr(json_object_get(ch, "status"), "from"), "active");
    ck_assert_str_eq(jstr(json_object_get(ch, "status"), "to"), "inactive");
    json_decref(ch);

    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_ACTIVATE, &out, &err), CLV_OK);
    ck_assert_str_eq(jstr(out, "status"), "active");
    json_decref(out);
    expect_one(&ev, "client.activate", cid);

    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DELETE, &out, &err), CLV_OK);
    ck_assert_str_eq(jstr(out, "status"), "deleted");
    del_at = jtime(out, "deleted_at");
    ck_assert_int_gt(del_at, 0);
    ck_assert_int_le(del_at, clv_now());
    ck_assert_int_ge(del_at, clv_now() - 5);
    ck_assert_int_eq(jtime(out, "purge_at"), del_at + cfg.retention);
    ck_assert_int_eq(cfg.retention, 14 * 86400);
    json_decref(out);
    expect_one(&ev, "client.delete", cid);

    /* a deleted client can only be restored */
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_ACTIVATE, &out, &err), CLV_CONFLICT);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DEACTIVATE, &out, &err), CLV_CONFLICT);
    ck_assert_ptr_null(out);
    expect_none(&ev);
    out = get_client(cid, NULL);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(jstr(out, "status"), "deleted");
    json_decref(out);

    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_RESTORE, &out, &err), CLV_OK);
    ck_assert_str_eq(jstr(out, "status"), "active");
    ck_assert_int_eq(jtime(out, "deleted_at"), 0); /* docs/DESIGN.md R7 */
    ck_assert_int_eq(jtime(out, "purge_at"), 0);
    json_decref(out);
    expect_one(&ev, "client.restore", cid);
    out = get_client(cid, NULL); /* and so it is stored */
    ck_assert_str_eq(jstr(out, "status"), "active");
    ck_assert(json_is_null(json_object_get(out, "deleted_at")));
    ck_assert(json_is_null(json_object_get(out, "purge_at")));
    json_decref(out);

    /* restore of a client that is not deleted */
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_RESTORE, &out, &err), CLV_CONFLICT);
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DEACTIVATE, &out, &err), CLV_OK);
    json_decref(out);
    expect_one(&ev, "client.deactivate", cid);
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_RESTORE, &out, &err), CLV_CONFLICT);
    expect_none(&ev);
    /* inactive → deleted is allowed too, and restore brings it back active */
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DELETE, &out, &err), CLV_OK);
    json_decref(out);
    expect_one(&ev, "client.delete", cid);
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_RESTORE, &out, &err), CLV_OK);
    ck_assert_str_eq(jstr(out, "status"), "active");
    json_decref(out);
    expect_one(&ev, "client.restore", cid);
    json_decref(c);
}
END_TEST

START_TEST(delete_twice_keeps_first_times)
{
    json_t *c = create_client(&admin, svc1, "m2m", NULL), *a = NULL, *b = NULL;
    const char *cid = jstr(c, "client_id");
    seen_events ev;
    clv_err err;

    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DELETE, &a, &err), CLV_OK);
    snapshot(&ev);
    sleep(1);
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DELETE, &b, &err), CLV_OK);
    ck_assert_str_eq(jstr(b, "status"), "deleted");
    ck_assert_int_eq(jtime(b, "deleted_at"), jtime(a, "deleted_at"));
    ck_assert_int_eq(jtime(b, "purge_at"), jtime(a, "purge_at"));
    expect_none(&ev); /* nothing changed, nothing audited */
    json_decref(a);
    json_decref(b);
    json_decref(c);
}
END_TEST

START_TEST(restore_after_retention)
{
    json_t *c = create_client(&admin, svc1, "m2m", NULL), *out = NULL;
    const char *cid = jstr(c, "client_id");
    seen_events ev;
    clv_err err;

    cfg.retention = 0; /* app->cfg borrows cfg */
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DELETE, &out, &err), CLV_OK);
    ck_assert_int_eq(jtime(out, "purge_at"), jtime(out, "deleted_at"));
    json_decref(out);
    snapshot(&ev);
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_RESTORE, &out, &err), CLV_CONFLICT);
    ck_assert_ptr_null(out);
    expect_none(&ev);
    out = get_client(cid, NULL);
    ck_assert_str_eq(jstr(out, "status"), "deleted");
    json_decref(out);
    json_decref(c);
}
END_TEST

static void set_protected(const char *client_id)
{
    clv_client *c = NULL;

    ck_assert_int_eq(clv_store_client_get(app->store, client_id, &c, NULL), CLV_OK);
    c->protected_ = true;
    ck_assert_int_eq(clv_store_client_update(app->store, c, NULL), CLV_OK);
    clv_client_free(c);
}

START_TEST(protected_client)
{
    json_t *c = create_client(&admin, svc1, "m2m", NULL), *out = NULL;
    json_t *patch = parse("{\"name\": \"renamed\", \"description\": \"still editable\"}");
    const char *cid = jstr(c, "client_id");
    seen_events ev;
    clv_err err;

    set_protected(cid);
    snapshot(&ev);
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DEACTIVATE, &out, &err), CLV_CONFLICT);
    ck_assert_int_eq(err.code, CLV_CONFLICT);
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DELETE, &out, &err), CLV_CONFLICT);
    expect_none(&ev);
    out = get_client(cid, NULL);
    ck_assert_str_eq(jstr(out, "status"), "active");
    ck_assert(json_is_true(json_object_get(out, "protected")));
    json_decref(out);

    clv_err_init(&err);
    ck_assert_msg(patch_if(&admin, cid, patch, NULL, &out, NULL, &err) == CLV_OK, "patch: %s",
                  err.detail);
    ck_assert_str_eq(jstr(out, "name"), "renamed");
    ck_assert_str_eq(jstr(out, "description"), "still editable");
    ck_assert(json_is_true(json_object_get(out, "protected")));
    json_decref(out);
    expect_one(&ev, "client.update", cid);
    /* activate of an active protected client is harmless */
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_ACTIVATE, &out, &err), CLV_OK);
    json_decref(out);
    expect_none(&ev);
    json_decref(patch);
    json_decref(c);
}
END_TEST

START_TEST(patch_if_match)
{
    json_t *c = create_client(&admin, svc1, "m2m", NULL), *out = NULL, *now = NULL;
    json_t *p1 = parse("{\"name\": \"one\"}"), *p2 = parse("{\"name\": \"two\"}");
    const char *cid = jstr(c, "client_id");
    int64_t version = 0;
    seen_events ev;
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(patch_if(&admin, cid, p1, "\"1\"", &out, &version, &err), CLV_OK);
    ck_assert_int_eq(version, 2);
    ck_assert_str_eq(jstr(out, "name"), "one");
    json_decref(out);
    out = NULL;
    snapshot(&ev);

    /* the version the caller saw is gone */
    ck_assert_int_eq(patch_if(&admin, cid, p2, "\"1\"", &out, &version, &err), CLV_PRECONDITION);
    ck_assert_int_eq(err.code, CLV_PRECONDITION);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(patch_if(&admin, cid, p2, "W/\"2\"", &out, NULL, &err),
                     CLV_PRECONDITION); /* weak tags never match If-Match (RFC 9110 §13.1.1) */
    ck_assert_int_eq(patch_if(&admin, cid, p2, "\"3\"", &out, NULL, &err), CLV_PRECONDITION);
    expect_none(&ev);
    now = get_client(cid, &version);
    ck_assert_str_eq(jstr(now, "name"), "one");
    ck_assert_int_eq(version, 2);
    json_decref(now);

    /* the current tag, bare or in a list, and "*" all match */
    ck_assert_int_eq(patch_if(&admin, cid, p2, "\"7\", \"2\"", &out, &version, &err), CLV_OK);
    ck_assert_int_eq(version, 3);
    ck_assert_str_eq(jstr(out, "name"), "two");
    json_decref(out);
    expect_one(&ev, "client.update", cid);
    ck_assert_int_eq(patch_if(&admin, cid, p1, "3", &out, &version, &err), CLV_OK);
    json_decref(out);
    ck_assert_int_eq(patch_if(&admin, cid, p2, "*", &out, &version, &err), CLV_OK);
    ck_assert_int_eq(version, 5);
    json_decref(out);
    json_decref(p1);
    json_decref(p2);
    json_decref(c);
}
END_TEST

START_TEST(patch_refuses_read_only_and_secrets)
{
    json_t *c = create_client(&admin, svc1, "m2m", NULL), *out = NULL, *now;
    const char *cid = jstr(c, "client_id");
    static const char *const bodies[][2] = {
        {"{\"status\": \"inactive\"}", "status"},
        {"{\"client_id\": \"mine\"}", "client_id"},
        {"{\"client_secret\": \"clv_x\"}", "client_secret"},
        {"{\"name\": \"ok\", \"type\": \"public\"}", "type"},
    };
    seen_events ev;
    clv_err err;

    snapshot(&ev);
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        json_t *p = parse(bodies[i][0]);
        clv_err_init(&err);
        ck_assert_int_eq(patch_if(&admin, cid, p, NULL, &out, NULL, &err), CLV_INVALID);
        ck_assert_str_eq(err.field, bodies[i][1]);
        json_decref(p);
    }
    expect_none(&ev);
    now = get_client(cid, NULL);
    ck_assert_str_eq(jstr(now, "name"), "app");
    ck_assert_str_eq(jstr(now, "status"), "active");
    ck_assert_int_eq(json_integer_value(json_object_get(now, "version")), 1);
    json_decref(now);
    json_decref(c);
}
END_TEST

START_TEST(patch_deleted)
{
    json_t *c = create_client(&admin, svc1, "m2m", NULL), *out = NULL;
    json_t *p = parse("{\"name\": \"zombie\"}");
    const char *cid = jstr(c, "client_id");
    seen_events ev;
    clv_err err;

    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DELETE, &out, &err), CLV_OK);
    json_decref(out);
    out = NULL;
    snapshot(&ev);
    clv_err_init(&err);
    ck_assert_int_eq(patch_if(&admin, cid, p, NULL, &out, NULL, &err), CLV_CONFLICT);
    ck_assert_ptr_null(out);
    expect_none(&ev);
    out = get_client(cid, NULL);
    ck_assert_str_eq(jstr(out, "name"), "app");
    json_decref(out);
    json_decref(p);
    json_decref(c);
}
END_TEST

START_TEST(purge_after_retention)
{
    char *plain = NULL;
    json_t *c = create_client(&admin, svc1, "confidential", &plain), *out = NULL;
    const char *cid = jstr(c, "client_id");
    clv_audit_filter f = {.target_id = cid, .limit = 100};
    clv_list l = {0};
    clv_client *gone = NULL;
    bool saw_create = false, saw_delete = false, saw_purge = false;
    int n = -1;
    clv_code rc;
    clv_err err;

    ck_assert_int_eq(clv_store_secret_list(app->store, cid, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 1);
    clv_list_cleanup(&l);
    cfg.retention = 0;
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DELETE, &out, &err), CLV_OK);
    json_decref(out);
    /* before purge_at nothing goes */
    ck_assert_int_eq(clv_retention_purge(app, clv_now() - 10, &n, NULL), CLV_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(clv_retention_purge(app, clv_now() + 1, &n, NULL), CLV_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(clv_store_client_get(app->store, cid, &gone, NULL), CLV_NOT_FOUND);
    clv_err_init(&err);
    ck_assert_int_eq(clv_admin_client_get(app, ARGS(.p = &admin, .id = cid), &out, &err),
                     CLV_NOT_FOUND);
    rc = clv_store_secret_list(app->store, cid, &l, NULL);
    ck_assert_msg(rc == CLV_OK || rc == CLV_NOT_FOUND, "secret_list: %s", clv_code_name(rc));
    if (rc == CLV_OK)
        ck_assert_uint_eq(l.count, 0);
    clv_list_cleanup(&l);
    /* the audit trail outlives the client */
    ck_assert_int_eq(clv_store_audit_list(app->store, &f, &l, NULL), CLV_OK);
    for (size_t i = 0; i < l.count; i++) {
        const clv_audit *a = l.items[i];
        saw_create |= strcmp(a->action, "client.create") == 0;
        saw_delete |= strcmp(a->action, "client.delete") == 0;
        saw_purge |= strcmp(a->action, "purge") == 0;
    }
    ck_assert_uint_eq(l.count, 3);
    ck_assert(saw_create && saw_delete && saw_purge);
    clv_list_cleanup(&l);
    clv_free_secret(plain);
    json_decref(c);
}
END_TEST

/* ---- secrets ---- */

/* Asserts that no audit event's JSON contains needle. */
static void assert_audit_lacks(const char *needle)
{
    clv_list l = {0};

    all_events(&l);
    ck_assert_uint_gt(l.count, 0);
    for (size_t i = 0; i < l.count; i++) {
        json_t *j = clv_audit_to_json(l.items[i]);
        char *text = json_dumps(j, JSON_COMPACT);
        ck_assert_ptr_nonnull(text);
        ck_assert_msg(strstr(text, needle) == NULL, "audit event leaks a secret: %s", text);
        free(text);
        json_decref(j);
    }
    clv_list_cleanup(&l);
}

START_TEST(create_confidential_secret_once)
{
    char *plain = NULL, *text;
    seen_events ev;
    json_t *c, *sec, *again, *list = NULL;
    clv_list l = {0};
    unsigned char h[32];
    clv_err err;

    snapshot(&ev);
    c = create_client(&admin, svc1, "confidential", &plain);
    ck_assert_ptr_nonnull(plain);
    ck_assert_int_eq(strncmp(plain, "clv_", 4), 0);
    ck_assert_uint_eq(strlen(plain), 47);
    sec = json_object_get(c, "secret");
    ck_assert(json_is_object(sec));
    ck_assert_ptr_null(json_object_get(sec, "client_secret"));
    ck_assert_ptr_nonnull(jstr(sec, "secret_id"));
    ck_assert_int_gt(jtime(sec, "expires_at"), clv_now() + cfg.secret_lifetime - 10);
    ck_assert_int_le(jtime(sec, "expires_at"), clv_now() + cfg.secret_lifetime);
    json_decref(expect_new(&ev, 2, (const char *const[]){"client.create", "secret.add"},
                           jstr(c, "client_id")));

    /* the store holds the hash only */
    ck_assert_int_eq(clv_store_secret_list(app->store, jstr(c, "client_id"), &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 1);
    ck_assert_str_eq(((clv_secret *)l.items[0])->secret_id, jstr(sec, "secret_id"));
    ck_assert(clv_secret_hash(app, plain, h));
    ck_assert(memcmp(((clv_secret *)l.items[0])->hash, h, 32) == 0);
    clv_list_cleanup(&l);

    /* never shown again */
    again = get_client(jstr(c, "client_id"), NULL);
    ck_assert_ptr_null(json_object_get(again, "client_secret"));
    ck_assert_ptr_null(json_object_get(again, "secret"));
    text = json_dumps(again, JSON_COMPACT);
    ck_assert_ptr_null(strstr(text, plain + 4));
    free(text);
    json_decref(again);
    clv_err_init(&err);
    ck_assert_int_eq(
        clv_admin_secret_list(app, ARGS(.p = &admin, .id = jstr(c, "client_id")), &list, &err),
        CLV_OK);
    ck_assert_uint_eq(json_array_size(json_object_get(list, "items")), 1);
    text = json_dumps(list, JSON_COMPACT);
    ck_assert_ptr_null(strstr(text, plain + 4));
    ck_assert_ptr_null(strstr(text, "client_secret"));
    ck_assert_ptr_null(strstr(text, "hash"));
    free(text);
    json_decref(list);
    assert_audit_lacks(plain + 4);

    /* public clients get no secret at all */
    json_decref(c);
    c = create_client(&admin, svc1, "public", NULL);
    ck_assert_ptr_null(json_object_get(c, "client_secret"));
    ck_assert_ptr_null(json_object_get(c, "secret"));
    expect_one(&ev, "client.create", jstr(c, "client_id"));
    clv_free_secret(plain);
    json_decref(c);
}
END_TEST

START_TEST(secret_add_remove)
{
    char *plain0 = NULL, *plain1 = NULL;
    json_t *c = create_client(&admin, svc1, "m2m", &plain0), *pub;
    const char *cid = jstr(c, "client_id");
    json_t *body = parse("{\"description\": \"rotation\", \"expires_at\": null}"), *s1 = NULL;
    json_t *past = parse("{\"expires_at\": \"2001-01-01T00:00:00Z\"}");
    json_t *garbage = parse("{\"expires_at\": \"tomorrow\"}");
    json_t *unknown = parse("{\"value\": \"clv_chosen\"}");
    json_t *empty = json_object(), *out = NULL;
    seen_events ev;
    clv_list l = {0};
    unsigned char h[32];
    clv_err err;

    snapshot(&ev);
    clv_err_init(&err);
    ck_assert_int_eq(
        clv_admin_secret_add(app, ARGS(.p = &admin, .id = cid, .body = body), &s1, &err), CLV_OK);
    plain1 = strdup(jstr(s1, "client_secret"));
    ck_assert_int_eq(strncmp(plain1, "clv_", 4), 0);
    ck_assert_str_ne(plain1, plain0);
    ck_assert_str_eq(jstr(s1, "description"), "rotation");
    ck_assert(json_is_null(json_object_get(s1, "expires_at")));
    expect_one(&ev, "secret.add", NULL);
    ck_assert_int_eq(clv_store_secret_list(app->store, cid, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 2);
    ck_assert(clv_secret_hash(app, plain1, h));
    ck_assert_int_eq(clv_secret_check(h, &l, clv_now(), NULL), CLV_SECRET_OK);
    clv_list_cleanup(&l);

    /* bad bodies store nothing */
    ck_assert_int_eq(
        clv_admin_secret_add(app, ARGS(.p = &admin, .id = cid, .body = past), &out, &err),
        CLV_INVALID);
    ck_assert_str_eq(err.field, "expires_at");
    ck_assert_ptr_null(out);
    clv_err_init(&err);
    ck_assert_int_eq(
        clv_admin_secret_add(app, ARGS(.p = &admin, .id = cid, .body = garbage), &out, &err),
        CLV_INVALID);
    ck_assert_str_eq(err.field, "expires_at");
    clv_err_init(&err);
    ck_assert_int_eq(
        clv_admin_secret_add(app, ARGS(.p = &admin, .id = cid, .body = unknown), &out, &err),
        CLV_INVALID);
    ck_assert_str_eq(err.field, "value");
    expect_none(&ev);

    /* removal */
    clv_err_init(&err);
    ck_assert_int_eq(
        clv_admin_secret_remove(app, ARGS(.p = &admin, .id = cid, .id2 = "sec_nosuchsecret"),
                                NO_OUT, &err),
        CLV_NOT_FOUND);
    expect_none(&ev);
    ck_assert_int_eq(
        clv_admin_secret_remove(app, ARGS(.p = &admin, .id = cid, .id2 = jstr(s1, "secret_id")),
                                NO_OUT, &err),
        CLV_OK);
    expect_one(&ev, "secret.remove", NULL);
    ck_assert_int_eq(
        clv_admin_secret_remove(app, ARGS(.p = &admin, .id = cid, .id2 = jstr(s1, "secret_id")),
                                NO_OUT, &err),
        CLV_NOT_FOUND);
    ck_assert_int_eq(clv_store_secret_list(app->store, cid, &l, NULL), CLV_OK);
    ck_assert_uint_eq(l.count, 1);
    ck_assert_int_eq(clv_secret_check(h, &l, clv_now(), NULL), CLV_SECRET_NO_MATCH);
    clv_list_cleanup(&l);
    /* a secret of another client is not this client's */
    {
        char *plain2 = NULL;
        json_t *other = create_client(&admin, svc1, "m2m", &plain2);
        const char *other_sec = jstr(json_object_get(other, "secret"), "secret_id");
        ck_assert_int_eq(clv_admin_secret_remove(
                             app, ARGS(.p = &admin, .id = cid, .id2 = other_sec), NO_OUT, &err),
                         CLV_NOT_FOUND);
        ck_assert_int_eq(clv_store_secret_list(app->store, jstr(other, "client_id"), &l, NULL),
                         CLV_OK);
        ck_assert_uint_eq(l.count, 1);
        clv_list_cleanup(&l);
        clv_free_secret(plain2);
        json_decref(other);
    }

    /* public clients never have secrets */
    pub = create_client(&admin, svc1, "public", NULL);
    snapshot(&ev);
    clv_err_init(&err);
    ck_assert_int_eq(
        clv_admin_secret_add(app, ARGS(.p = &admin, .id = jstr(pub, "client_id"), .body = empty),
                             &out, &err),
        CLV_CONFLICT);
    ck_assert_ptr_null(out);
    expect_none(&ev);
    ck_assert_int_eq(clv_admin_secret_add(
                         app, ARGS(.p = &admin, .id = "no-such-client", .body = empty), &out, &err),
                     CLV_NOT_FOUND);

    /* deleted clients get none either */
    ck_assert_int_eq(act(&admin, cid, CLV_CLIENT_DELETE, &out, &err), CLV_OK);
    json_decref(out);
    out = NULL;
    ck_assert_int_eq(
        clv_admin_secret_add(app, ARGS(.p = &admin, .id = cid, .body = empty), &out, &err),
        CLV_CONFLICT);
    ck_assert_ptr_null(out);

    assert_audit_lacks(plain0 + 4);
    assert_audit_lacks(plain1 + 4);
    clv_free_secret(plain0);
    clv_free_secret(plain1);
    json_decref(s1);
    json_decref(pub);
    json_decref(body);
    json_decref(past);
    json_decref(garbage);
    json_decref(unknown);
    json_decref(empty);
    json_decref(c);
}
END_TEST

/* ---- tenant admins and platform-only actions ---- */

START_TEST(tenant_admin_boundaries)
{
    clv_principal ta = {.actor_type = "client", .tenant_admin = true};
    json_t *c = create_client(&admin, svc1, "m2m", NULL), *out = NULL, *body, *mine;
    json_t *p = parse("{\"name\": \"hijacked\"}"), *tbody = parse("{\"name\": \"T3\"}");
    const char *cid = jstr(c, "client_id");
    char svc2[64];
    seen_events ev;
    clv_err err;

    snprintf(ta.actor_id, sizeof ta.actor_id, "cid_admin");
    snprintf(ta.tenant_id, sizeof ta.tenant_id, "%s", t2);
    snapshot(&ev);

    /* another tenant's client does not exist for it */
    clv_err_init(&err);
    ck_assert_int_eq(clv_admin_client_get(app, ARGS(.p = &ta, .id = cid), &out, &err),
                     CLV_NOT_FOUND);
    ck_assert_int_eq(act(&ta, cid, CLV_CLIENT_DEACTIVATE, &out, &err), CLV_NOT_FOUND);
    ck_assert_int_eq(act(&ta, cid, CLV_CLIENT_DELETE, &out, &err), CLV_NOT_FOUND);
    ck_assert_int_eq(patch_if(&ta, cid, p, NULL, &out, NULL, &err), CLV_NOT_FOUND);
    ck_assert_int_eq(clv_admin_secret_list(app, ARGS(.p = &ta, .id = cid), &out, &err),
                     CLV_NOT_FOUND);
    body = json_object();
    ck_assert_int_eq(clv_admin_secret_add(app, ARGS(.p = &ta, .id = cid, .body = body), &out, &err),
                     CLV_NOT_FOUND);
    json_decref(body);
    ck_assert_int_eq(
        clv_admin_secret_remove(app, ARGS(.p = &ta, .id = cid, .id2 = "sec_x"), NO_OUT, &err),
        CLV_NOT_FOUND);
    /* nor may it put a client into another tenant's service */
    body = json_pack("{s:s, s:s, s:s}", "service_id", svc1, "name", "x", "type", "m2m");
    ck_assert_int_eq(clv_admin_client_create(app, ARGS(.p = &ta, .body = body), &out, &err),
                     CLV_NOT_FOUND);
    ck_assert_str_eq(err.field, "service_id");
    json_decref(body);
    /* and its list leaves the other tenant out: its tenant's console client only
     * (docs/DESIGN.md D13) */
    ck_assert_int_eq(clv_admin_client_list(app, ARGS(.p = &ta, .limit = 100), &out, &err), CLV_OK);
    ck_assert_uint_eq(json_array_size(json_object_get(out, "items")), 1);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(out, "items"), 0), "tenant_id"),
                     ta.tenant_id);
    json_decref(out);
    expect_none(&ev);
    out = get_client(cid, NULL);
    ck_assert_str_eq(jstr(out, "name"), "app");
    ck_assert_str_eq(jstr(out, "status"), "active");
    json_decref(out);

    /* platform-only actions are forbidden (docs/DESIGN.md R15), on its own tenant's service too */
    make_service(&ta, t2, svc2);
    snapshot(&ev);
    clv_err_init(&err);
    out = NULL;
    ck_assert_int_eq(
        clv_admin_service_action(app, ARGS(.p = &ta, .id = svc2, .action = CLV_SERVICE_APPROVE),
                                 &out, &err),
        CLV_FORBIDDEN);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(
        clv_admin_service_action(app, ARGS(.p = &ta, .id = svc1, .action = CLV_SERVICE_APPROVE),
                                 &out, &err),
        CLV_NOT_FOUND); /* a foreign one is not even there */
    ck_assert_int_eq(clv_admin_tenant_create(app, ARGS(.p = &ta, .body = tbody), &out, &err),
                     CLV_FORBIDDEN);
    ck_assert_ptr_null(out);
    expect_none(&ev);
    ck_assert_int_eq(clv_admin_service_get(app, ARGS(.p = &ta, .id = svc2), &out, &err), CLV_OK);
    ck_assert_str_eq(jstr(out, "approval"), "sandbox");
    json_decref(out);

    /* its own tenant works */
    mine = create_client(&ta, svc2, "m2m", NULL);
    ck_assert_str_eq(jstr(mine, "tenant_id"), t2);
    ck_assert_int_eq(act(&ta, jstr(mine, "client_id"), CLV_CLIENT_DEACTIVATE, &out, &err), CLV_OK);
    json_decref(out);
    ck_assert_int_eq(clv_admin_client_list(app, ARGS(.p = &ta, .limit = 100), &out, &err), CLV_OK);
    ck_assert_uint_eq(json_array_size(json_object_get(out, "items")), 2); /* and the console */
    json_decref(out);
    json_decref(mine);
    json_decref(tbody);
    json_decref(p);
    json_decref(c);
}
END_TEST

/* docs/DESIGN.md D10: a tenant admin may change its own tenant's hygiene settings, not its
 * name or status, and no other tenant at all; a platform admin any. */
START_TEST(tenant_hygiene_patch)
{
    clv_principal ta = {.actor_type = "client", .tenant_admin = true};
    json_t *hyg = parse("{\"deactivate_unused_after_days\": 30}");
    json_t *named = parse("{\"name\": \"mine\", \"registered_client_lifetime_days\": 7}");
    json_t *off = parse("{\"deactivate_unused_after_days\": null}");
    json_t *bad = parse("{\"registered_client_lifetime_days\": 0}");
    json_t *out = NULL;
    clv_err err;

    snprintf(ta.actor_id, sizeof ta.actor_id, "cid_ta");
    snprintf(ta.tenant_id, sizeof ta.tenant_id, "%s", t2);
    clv_err_init(&err);
    ck_assert_int_eq(clv_admin_tenant_patch(app, ARGS(.p = &ta, .id = t2, .body = hyg), &out, &err),
                     CLV_OK);
    ck_assert_int_eq(json_integer_value(json_object_get(out, "deactivate_unused_after_days")), 30);
    ck_assert(json_is_null(json_object_get(out, "registered_client_lifetime_days")));
    json_decref(out);
    out = NULL;
    ck_assert_int_eq(
        clv_admin_tenant_patch(app, ARGS(.p = &ta, .id = t2, .body = named), &out, &err),
        CLV_FORBIDDEN);
    ck_assert_int_eq(clv_admin_tenant_patch(app, ARGS(.p = &ta, .id = t1, .body = hyg), &out, &err),
                     CLV_NOT_FOUND);
    ck_assert_int_eq(clv_admin_tenant_patch(app, ARGS(.p = &ta, .id = t2, .body = bad), &out, &err),
                     CLV_INVALID);
    ck_assert_str_eq(err.field, "registered_client_lifetime_days");
    ck_assert_ptr_null(out);
    ck_assert_int_eq(
        clv_admin_tenant_patch(app, ARGS(.p = &admin, .id = t2, .body = named), &out, &err),
        CLV_OK);
    ck_assert_str_eq(jstr(out, "name"), "mine");
    json_decref(out);
    ck_assert_int_eq(
        clv_admin_tenant_patch(app, ARGS(.p = &admin, .id = t2, .body = off), &out, &err), CLV_OK);
    ck_assert(json_is_null(json_object_get(out, "deactivate_unused_after_days")));
    ck_assert_int_eq(json_integer_value(json_object_get(out, "registered_client_lifetime_days")), 7);
    json_decref(out);
    json_decref(hyg);
    json_decref(named);
    json_decref(off);
    json_decref(bad);
}
END_TEST

/* A tenant admin must not mint a platform admin: a client with role platform_admin and
 * scope admin gets admin tokens for every tenant (h_admin.c takes the principal's roles
 * from the client). users.c refuses the same grant with CLV_FORBIDDEN; docs/API.md: "an
 * object of the right tenant that the caller's role may not change is 403". */
START_TEST(tenant_admin_cannot_grant_platform_admin)
{
    clv_principal ta = {.actor_type = "client", .tenant_admin = true};
    json_t *body, *out = NULL, *mine, *p;
    char svc2[64];
    seen_events ev;
    clv_code rc;
    clv_err err;

    snprintf(ta.actor_id, sizeof ta.actor_id, "cid_admin");
    snprintf(ta.tenant_id, sizeof ta.tenant_id, "%s", t2);
    make_service(&ta, t2, svc2);
    mine = create_client(&ta, svc2, "m2m", NULL);
    snapshot(&ev);

    body = json_pack("{s:s, s:s, s:s, s:[s], s:[s]}", "service_id", svc2, "name", "escalate",
                     "type", "m2m", "roles", "platform_admin", "scopes", "admin");
    clv_err_init(&err);
    rc = clv_admin_client_create(app, ARGS(.p = &ta, .body = body), &out, &err);
    json_decref(out);
    out = NULL;
    ck_assert_msg(rc == CLV_FORBIDDEN, "tenant admin created a platform_admin client: %s",
                  clv_code_name(rc));
    json_decref(body);

    p = parse("{\"roles\": [\"platform_admin\"], \"scopes\": [\"admin\"]}");
    clv_err_init(&err);
    rc = patch_if(&ta, jstr(mine, "client_id"), p, NULL, &out, NULL, &err);
    json_decref(out);
    out = NULL;
    ck_assert_msg(rc == CLV_FORBIDDEN, "tenant admin gave its client platform_admin: %s",
                  clv_code_name(rc));
    json_decref(p);
    expect_none(&ev);
    ck_assert_int_eq(clv_admin_client_list(app, ARGS(.p = &ta, .limit = 100), &out, &err), CLV_OK);
    ck_assert_uint_eq(json_array_size(json_object_get(out, "items")), 2); /* and the console */
    ck_assert_uint_eq(
        json_array_size(json_object_get(json_array_get(json_object_get(out, "items"), 0), "roles")),
        0);
    json_decref(out);

    /* tenant_admin itself is the tenant admin's to give, and a platform admin may give
     * platform_admin */
    p = parse("{\"roles\": [\"tenant_admin\"], \"scopes\": [\"admin\"]}");
    clv_err_init(&err);
    ck_assert_msg(patch_if(&ta, jstr(mine, "client_id"), p, NULL, &out, NULL, &err) == CLV_OK,
                  "patch: %s", err.detail);
    json_decref(out);
    json_decref(p);
    p = parse("{\"roles\": [\"platform_admin\"]}");
    ck_assert_int_eq(patch_if(&admin, jstr(mine, "client_id"), p, NULL, &out, NULL, &err), CLV_OK);
    json_decref(out);
    json_decref(p);
    json_decref(mine);
}
END_TEST

/* Snapshot of a client's secrets as "id:hexhash;…" (store order). */
static char *secrets_fingerprint(const char *client_id)
{
    clv_list l = {0};
    char *buf = calloc(1, 4096);
    size_t o = 0;

    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(clv_store_secret_list(app->store, client_id, &l, NULL), CLV_OK);
    for (size_t i = 0; i < l.count; i++) {
        const clv_secret *s = l.items[i];
        o += (size_t)snprintf(buf + o, 4096 - o, "%s:", s->secret_id);
        for (int k = 0; k < 32; k++)
            o += (size_t)snprintf(buf + o, 4096 - o, "%02x", s->hash[k]);
        o += (size_t)snprintf(buf + o, 4096 - o, "/%lld;", (long long)s->expires_at);
    }
    clv_list_cleanup(&l);
    return buf;
}

START_TEST(service_approval_keeps_secrets)
{
    char *plain = NULL, *before, *after;
    json_t *c = create_client(&admin, svc1, "confidential", &plain), *out = NULL, *s2 = NULL;
    json_t *empty = json_object();
    const char *cid = jstr(c, "client_id");
    unsigned char h[32];
    clv_list l = {0};
    seen_events ev;
    clv_err err;

    ck_assert_str_eq(jstr(c, "environment"), "sandbox");
    ck_assert_int_eq(
        clv_admin_secret_add(app, ARGS(.p = &admin, .id = cid, .body = empty), &s2, NULL), CLV_OK);
    before = secrets_fingerprint(cid);
    snapshot(&ev);
    clv_err_init(&err);
    ck_assert_msg(
        clv_admin_service_action(app, ARGS(.p = &admin, .id = svc1, .action = CLV_SERVICE_APPROVE),
                                 &out, &err) == CLV_OK,
        "approve: %s", err.detail);
    ck_assert_str_eq(jstr(out, "approval"), "live");
    json_decref(out);
    {
        const char *actions[] = {"service.approve"};
        json_decref(expect_new(&ev, 1, actions, NULL));
    }
    after = secrets_fingerprint(cid);
    ck_assert_str_eq(after, before);
    out = get_client(cid, NULL);
    ck_assert_str_eq(jstr(out, "environment"), "live");
    json_decref(out);
    /* and the old secret still authenticates */
    ck_assert_int_eq(clv_store_secret_list(app->store, cid, &l, NULL), CLV_OK);
    ck_assert(clv_secret_hash(app, plain, h));
    ck_assert_int_eq(clv_secret_check(h, &l, clv_now(), NULL), CLV_SECRET_OK);
    clv_list_cleanup(&l);
    free(before);
    free(after);
    clv_free_secret(plain);
    json_decref(s2);
    json_decref(empty);
    json_decref(c);
}
END_TEST

START_TEST(service_status_reaches_clients)
{
    json_t *c = create_client(&admin, svc1, "m2m", NULL), *out = NULL;
    const char *cid = jstr(c, "client_id");
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(
        clv_admin_service_action(
            app, ARGS(.p = &admin, .id = svc1, .action = CLV_SERVICE_DEACTIVATE), &out, &err),
        CLV_OK);
    json_decref(out);
    out = get_client(cid, NULL);
    ck_assert_str_eq(jstr(out, "status"), "active");
    ck_assert_str_eq(jstr(out, "effective_status"), "inactive");
    json_decref(out);
    ck_assert_int_eq(
        clv_admin_service_action(app, ARGS(.p = &admin, .id = svc1, .action = CLV_SERVICE_ACTIVATE),
                                 &out, &err),
        CLV_OK);
    json_decref(out);
    out = get_client(cid, NULL);
    ck_assert_str_eq(jstr(out, "effective_status"), "active");
    json_decref(out);
    json_decref(c);
}
END_TEST

/* The lists read their filters from the query parameters their route hands them
 * (admin/operation.h): a bad value is CLV_INVALID naming the parameter, and a tenant admin's
 * tenant_id is always its own. */
static clv_code list(clv_admin_fn fn, const clv_principal *p, const char *name,
                     const char *value, json_t **out, clv_err *err)
{
    clv_admin_args a = {.p = p, .limit = 100, .query = {{name, value}}};

    *out = NULL;
    clv_err_init(err);
    return fn(app, &a, out, err);
}

static void list_fails(clv_admin_fn fn, const char *name, const char *value)
{
    json_t *out = NULL;
    clv_err err;

    ck_assert_int_eq(list(fn, &admin, name, value, &out, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, name);
    ck_assert_ptr_null(out);
}

static size_t list_count(clv_admin_fn fn, const clv_principal *p, const char *name,
                         const char *value)
{
    json_t *out = NULL;
    clv_err err;
    size_t n;

    ck_assert_msg(list(fn, p, name, value, &out, &err) == CLV_OK, "list: %s", err.detail);
    n = json_array_size(json_object_get(out, "items"));
    json_decref(out);
    return n;
}

/* docs/DESIGN.md D13: a new tenant holds its own console client — protected, first-party,
 * for the issuer — in a service that can be neither deactivated nor deleted; only a
 * platform admin may change the client. */
START_TEST(tenant_console)
{
    char id[CLV_CONSOLE_CLIENT_ID_MAX], holder[64];
    clv_principal ta = {.actor_type = "client", .tenant_admin = true};
    json_t *c, *out = NULL, *patch = parse("{\"redirect_uris\": [\"https://evil.example/cb\"]}");
    clv_err err;

    snprintf(ta.actor_id, sizeof ta.actor_id, "cid_ta");
    snprintf(ta.tenant_id, sizeof ta.tenant_id, "%s", t2);
    clv_console_client_id(t2, id);
    ck_assert(strncmp(id, "clavis-console-", 15) == 0 && strcmp(id + 15, t2) == 0); /* its name */
    c = get_client(id, NULL);
    ck_assert_str_eq(jstr(c, "tenant_id"), t2);
    ck_assert_str_eq(jstr(c, "type"), "public");
    ck_assert(json_is_true(json_object_get(c, "protected")));
    ck_assert(json_is_true(json_object_get(c, "first_party")));
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(c, "redirect_uris"), 0)),
                     "http://127.0.0.1:9/console/callback");
    snprintf(holder, sizeof holder, "%s", jstr(c, "service_id"));
    ck_assert(clv_console_holds(app, t2, holder));
    ck_assert(!clv_console_holds(app, t1, holder));
    ck_assert(!clv_console_holds(app, t1, svc1));
    for (int a = 0; a < 2; a++) {
        clv_service_action act = a == 0 ? CLV_SERVICE_DEACTIVATE : CLV_SERVICE_DELETE;
        clv_err_init(&err);
        ck_assert_int_eq(clv_admin_service_action(app, ARGS(.p = &admin, .id = holder, .action = act),
                                                  NO_OUT, &err),
                         CLV_CONFLICT);
    }
    clv_err_init(&err);
    ck_assert_int_eq(patch_if(&ta, id, patch, NULL, &out, NULL, &err), CLV_FORBIDDEN);
    ck_assert_ptr_null(out);
    json_decref(patch);
    json_decref(c);
}
END_TEST

START_TEST(list_query_filters)
{
    clv_principal ta = {.actor_type = "client", .tenant_admin = true};
    json_t *c = create_client(&admin, svc1, "m2m", NULL);

    snprintf(ta.actor_id, sizeof ta.actor_id, "cid_admin");
    snprintf(ta.tenant_id, sizeof ta.tenant_id, "%s", t2);
    list_fails(clv_admin_client_list, "status", "gone");
    list_fails(clv_admin_client_list, "effective_status", "");
    list_fails(clv_admin_client_list, "type", "robot");
    list_fails(clv_admin_service_list, "status", "Active");
    list_fails(clv_admin_audit_list, "since", "yesterday");
    ck_assert_uint_eq(list_count(clv_admin_client_list, &admin, "type", "m2m"), 1);
    /* the consoles of the two tenants (docs/DESIGN.md D13) */
    ck_assert_uint_eq(list_count(clv_admin_client_list, &admin, "type", "public"), 2);
    ck_assert_uint_eq(list_count(clv_admin_client_list, &admin, "effective_status", "active"),
                      3);
    ck_assert_uint_eq(list_count(clv_admin_client_list, &admin, "q", "app"), 1);
    ck_assert_uint_eq(list_count(clv_admin_service_list, &admin, "tenant_id", t1), 2);
    ck_assert_uint_eq(list_count(clv_admin_audit_list, &admin, "target", jstr(c, "client_id")),
                      1);
    /* a tenant admin asking for another tenant still sees its own, which holds only its
     * console (docs/DESIGN.md D13) */
    ck_assert_uint_eq(list_count(clv_admin_client_list, &ta, "tenant_id", t1), 1);
    ck_assert_uint_eq(list_count(clv_admin_service_list, &ta, "tenant_id", t1), 1);
    ck_assert_uint_eq(list_count(clv_admin_user_list, &ta, "tenant_id", t1), 0);
    ck_assert_uint_eq(list_count(clv_admin_audit_list, &ta, "tenant_id", t1),
                      list_count(clv_admin_audit_list, &ta, NULL, NULL)); /* T2's creation */
    ck_assert_uint_lt(list_count(clv_admin_audit_list, &ta, "tenant_id", t1),
                      list_count(clv_admin_audit_list, &admin, "tenant_id", t1));
    json_decref(c);
}
END_TEST

static Suite *admin_suite(void)
{
    Suite *s = suite_create("admin");
    TCase *life = tcase_create("lifecycle");
    TCase *secrets = tcase_create("secrets");
    TCase *access = tcase_create("access");
    TCase *all[] = {life, secrets, access};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        tcase_add_unchecked_fixture(all[i], case_setup, case_teardown);
        tcase_add_checked_fixture(all[i], setup, teardown);
        tcase_set_timeout(all[i], 60);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_test(life, lifecycle);
    tcase_add_test(life, delete_twice_keeps_first_times);
    tcase_add_test(life, restore_after_retention);
    tcase_add_test(life, protected_client);
    tcase_add_test(life, patch_if_match);
    tcase_add_test(life, patch_refuses_read_only_and_secrets);
    tcase_add_test(life, patch_deleted);
    tcase_add_test(life, purge_after_retention);
    tcase_add_test(secrets, create_confidential_secret_once);
    tcase_add_test(secrets, secret_add_remove);
    tcase_add_test(access, tenant_admin_boundaries);
    tcase_add_test(access, tenant_hygiene_patch);
    tcase_add_test(access, tenant_admin_cannot_grant_platform_admin);
    tcase_add_test(access, service_approval_keeps_secrets);
    tcase_add_test(access, service_status_reaches_clients);
    tcase_add_test(access, list_query_filters);
    tcase_add_test(access, tenant_console);
    return s;
}

int main(void)
{
    return clv_test_run(admin_suite());
}
