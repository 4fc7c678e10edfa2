/* test_apply — the export/apply file and the plan (src/cli/apply_plan.h, docs/DESIGN.md D12):
 * the file's shape with JSON paths in errors, export then plan is empty, creates, changes,
 * status, prune (never a protected client), duplicates and type changes refused, and the
 * diff as printed. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cli/apply_plan.h"
#include "testutil.h"

/* A tenant as the admin API shows it: the init service with its protected client, and a
 * shop with a confidential web client and an inactive m2m worker. */
static const char state_text[] =
    "[{\"id\":\"svc_1\",\"name\":\"Default\",\"description\":null,\"status\":\"active\","
    "  \"approval\":\"live\",\"version\":1,\"clients\":["
    "   {\"client_id\":\"init\",\"name\":\"clavis-admin\",\"type\":\"m2m\",\"status\":\"active\","
    "    \"protected\":true,\"scopes\":[\"admin\"],\"roles\":[\"platform_admin\"],\"version\":1,"
    "    \"grant_types\":[\"client_credentials\"],\"created_at\":\"2026-01-01T00:00:00Z\"}]},"
    " {\"id\":\"svc_2\",\"name\":\"Shop\",\"description\":\"Online shop\",\"status\":\"active\","
    "  \"clients\":["
    "   {\"client_id\":\"web1\",\"name\":\"web\",\"type\":\"confidential\",\"status\":\"active\","
    "    \"protected\":false,\"version\":3,\"redirect_uris\":[\"https://shop.example/cb\"],"
    "    \"scopes\":[\"openid\"],\"access_token_lifetime\":3600,\"description\":null,"
    "    \"jwks\":null,\"require_pkce\":true,\"effective_status\":\"active\"},"
    "   {\"client_id\":\"wrk1\",\"name\":\"worker\",\"type\":\"m2m\",\"status\":\"inactive\","
    "    \"protected\":false,\"version\":1,\"scopes\":[\"jobs\"],\"require_pkce\":false,"
    "    \"audience\":[]}]}]";

static json_t *plan_of(const json_t *state, const char *file, bool prune, clv_code want,
                       clv_err *err)
{
    json_t *doc = clv_test_json(file), *plan = NULL;

    clv_err_init(err);
    ck_assert_int_eq(clv_apply_check(doc, err), CLV_OK);
    ck_assert_int_eq(clv_apply_plan(state, doc, prune, &plan, err), want);
    json_decref(doc);
    return plan;
}

static const json_t *op_at(const json_t *plan, size_t i, const char *op, const char *name)
{
    const json_t *a = json_array_get(plan, i);

    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(json_string_value(json_object_get(a, "op")), op);
    if (name != NULL)
        ck_assert_str_eq(json_string_value(json_object_get(a, "name")), name);
    return a;
}

/* What clv_apply_print writes, as a string (caller frees). */
static char *printed(const json_t *plan)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(f);
    clv_apply_print(f, plan);
    fclose(f);
    return buf;
}

START_TEST(export_then_plan_is_empty)
{
    json_t *state = clv_test_json(state_text), *doc = clv_apply_export(state), *plan = NULL;
    json_t *web;
    clv_err err;
    char *text;

    ck_assert_ptr_nonnull(doc);
    clv_err_init(&err);
    ck_assert_int_eq(clv_apply_check(doc, &err), CLV_OK);
    /* sorted by name; read-only fields left out; status kept */
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(doc, "services"), 0), "name")),
                     "Default");
    web = json_array_get(
        json_object_get(json_array_get(json_object_get(doc, "services"), 1), "clients"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(web, "name")), "web");
    ck_assert_ptr_null(json_object_get(web, "client_id"));
    ck_assert_ptr_null(json_object_get(web, "version"));
    ck_assert_ptr_null(json_object_get(web, "effective_status"));
    ck_assert_ptr_null(json_object_get(web, "service_id"));
    ck_assert_ptr_nonnull(json_object_get(web, "redirect_uris"));
    ck_assert_str_eq(
        json_string_value(json_object_get(
            json_array_get(
                json_object_get(json_array_get(json_object_get(doc, "services"), 1), "clients"), 1),
            "status")),
        "inactive");
    /* the protected client is the server's own: not in the file, kept by --prune */
    ck_assert_uint_eq(json_array_size(json_object_get(
                          json_array_get(json_object_get(doc, "services"), 0), "clients")),
                      0);
    ck_assert_int_eq(clv_apply_plan(state, doc, false, &plan, &err), CLV_OK);
    ck_assert_uint_eq(json_array_size(plan), 0);
    json_decref(plan);
    ck_assert_int_eq(clv_apply_plan(state, doc, true, &plan, &err), CLV_OK);
    ck_assert_uint_eq(clv_apply_count(plan, NULL, NULL, NULL), 0);
    op_at(plan, 0, "keep", "clavis-admin");
    text = printed(plan);
    ck_assert_ptr_nonnull(strstr(text, "No changes"));
    free(text);
    json_decref(plan);
    json_decref(doc);
    json_decref(state);
}
END_TEST

START_TEST(creates_changes_and_status)
{
    json_t *state = clv_test_json(state_text), *plan;
    const json_t *a;
    size_t create, change, del;
    clv_err err;
    char *text;

    plan =
        plan_of(state,
                "{\"version\":1,\"services\":[{\"name\":\"Shop\",\"description\":\"Shop\","
                "\"clients\":[{\"name\":\"web\",\"type\":\"confidential\","
                "\"access_token_lifetime\":900},"
                "{\"name\":\"worker\",\"type\":\"m2m\",\"status\":\"active\"},"
                "{\"name\":\"api\",\"type\":\"m2m\",\"scopes\":[\"x\"],\"status\":\"inactive\"}]},"
                "{\"name\":\"Billing\",\"status\":\"inactive\"}]}",
                false, CLV_OK, &err);
    a = op_at(plan, 0, "update", NULL);
    ck_assert_str_eq(json_string_value(json_object_get(a, "kind")), "service");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(a, "body"), "description")),
                     "Shop");
    a = op_at(plan, 1, "update", "web");
    ck_assert_str_eq(json_string_value(json_object_get(a, "id")), "web1");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "version")), 3);
    ck_assert_int_eq(json_object_size(json_object_get(a, "body")), 1); /* only what differs */
    ck_assert_int_eq(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(a, "changes"), "access_token_lifetime"), "from")),
        3600);
    op_at(plan, 2, "activate", "worker");
    a = op_at(plan, 3, "create", "api");
    ck_assert_ptr_null(json_object_get(json_object_get(a, "body"), "status"));
    a = op_at(plan, 4, "deactivate", "api");
    ck_assert(json_is_true(json_object_get(a, "new")));
    op_at(plan, 5, "create", NULL);
    op_at(plan, 6, "deactivate", NULL);
    ck_assert_uint_eq(json_array_size(plan), 7);
    ck_assert_uint_eq(clv_apply_count(plan, &create, &change, &del), 5);
    ck_assert_uint_eq(create, 2);
    ck_assert_uint_eq(change, 3); /* Shop's description, web, worker (a new object's status
                                   * is part of its creation) */
    ck_assert_uint_eq(del, 0);
    text = printed(plan);
    ck_assert_ptr_nonnull(
        strstr(text, "~ service Shop\n    ~ description: \"Online shop\" → \"Shop\"\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "~ client Shop/web\n    ~ access_token_lifetime: 3600 → 900\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "+ client Shop/api (m2m)\n    ~ status: \"active\" → \"inactive\"\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "~ client Shop/worker\n    ~ status: \"inactive\" → \"active\"\n"));
    ck_assert_ptr_nonnull(strstr(text, "+ service Billing\n"));
    ck_assert_ptr_nonnull(strstr(text, "Plan: 2 to create, 3 to change, 0 to delete.\n"));
    free(text);
    json_decref(plan);
    json_decref(state);
}
END_TEST

START_TEST(prune_never_takes_protected)
{
    json_t *state = clv_test_json(state_text), *plan;
    clv_err err;
    char *text;
    size_t del;

    /* the file names nothing: Shop goes (with its clients); Default holds the protected
     * client, which stays, and so does its service */
    plan = plan_of(state, "{\"version\":1,\"services\":[]}", true, CLV_OK, &err);
    op_at(plan, 0, "keep", "clavis-admin");
    op_at(plan, 1, "delete", NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(plan, 1), "clients")), 2);
    ck_assert_uint_eq(json_array_size(plan), 2);
    clv_apply_count(plan, NULL, NULL, &del);
    ck_assert_uint_eq(del, 1);
    text = printed(plan);
    ck_assert_ptr_nonnull(strstr(text, "- service Shop (and its 2 clients)\n"));
    ck_assert_ptr_nonnull(strstr(text, "client Default/clavis-admin is protected: never pruned"));
    free(text);
    json_decref(plan);

    /* a client the file leaves out of a service it names */
    plan = plan_of(state,
                   "{\"version\":1,\"services\":[{\"name\":\"Shop\",\"clients\":[{\"name\":"
                   "\"web\",\"type\":\"confidential\"}]}]}",
                   true, CLV_OK, &err);
    ck_assert_str_eq(json_string_value(json_object_get(op_at(plan, 1, "delete", "worker"), "id")),
                     "wrk1");
    json_decref(plan);
    /* without --prune nothing is deleted */
    plan = plan_of(state, "{\"version\":1,\"services\":[]}", false, CLV_OK, &err);
    ck_assert_uint_eq(json_array_size(plan), 0);
    json_decref(plan);
    json_decref(state);
}
END_TEST

START_TEST(refusals_name_the_path)
{
    json_t *state = clv_test_json(state_text), *plan;
    clv_err err;

    /* a value the server would refuse, checked before anything is sent */
    plan = plan_of(state,
                   "{\"version\":1,\"services\":[{\"name\":\"Shop\",\"clients\":[{\"name\":\"x\","
                   "\"type\":\"public\",\"redirect_uris\":[\"https://a.example/cb\","
                   "\"http://evil.example/cb\"]}]}]}",
                   false, CLV_INVALID, &err);
    ck_assert_ptr_null(plan);
    ck_assert_str_eq(err.field, "services[0].clients[0].redirect_uris[1]");
    /* an update checked over the client as it is: removing the last redirect URI */
    plan_of(state,
            "{\"version\":1,\"services\":[{\"name\":\"Shop\",\"clients\":[{\"name\":\"web\","
            "\"type\":\"confidential\",\"redirect_uris\":[]}]}]}",
            false, CLV_INVALID, &err);
    ck_assert_str_eq(err.field, "services[0].clients[0].redirect_uris");
    /* a type never changes */
    plan_of(state,
            "{\"version\":1,\"services\":[{\"name\":\"Shop\",\"clients\":[{\"name\":\"web\","
            "\"type\":\"public\"}]}]}",
            false, CLV_INVALID, &err);
    ck_assert_str_eq(err.field, "services[0].clients[0].type");
    /* a protected client is never deactivated */
    plan_of(state,
            "{\"version\":1,\"services\":[{\"name\":\"Default\",\"clients\":[{\"name\":"
            "\"clavis-admin\",\"type\":\"m2m\",\"status\":\"inactive\"}]}]}",
            false, CLV_INVALID, &err);
    ck_assert_str_eq(err.field, "services[0].clients[0].status");
    json_decref(state);
}
END_TEST

START_TEST(duplicates_on_the_server)
{
    json_t *state = clv_test_json(
        "[{\"id\":\"s1\",\"name\":\"A\",\"clients\":[{\"client_id\":\"c1\",\"name\":\"x\","
        "\"type\":\"m2m\"},{\"client_id\":\"c2\",\"name\":\"x\",\"type\":\"m2m\"}]},"
        " {\"id\":\"s2\",\"name\":\"B\",\"clients\":[]},{\"id\":\"s3\",\"name\":\"B\"}]");
    clv_err err;

    plan_of(state, "{\"version\":1,\"services\":[{\"name\":\"B\"}]}", false, CLV_CONFLICT, &err);
    ck_assert_str_eq(err.field, "services[0].name");
    ck_assert_ptr_nonnull(strstr(err.detail, "2 services"));
    plan_of(state,
            "{\"version\":1,\"services\":[{\"name\":\"A\",\"clients\":[{\"name\":\"x\","
            "\"type\":\"m2m\"}]}]}",
            false, CLV_CONFLICT, &err);
    ck_assert_str_eq(err.field, "services[0].clients[0].name");
    json_decref(state);
}
END_TEST

static void check_refused(const char *file, const char *field)
{
    json_t *doc = clv_test_json(file);
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_apply_check(doc, &err), CLV_INVALID);
    ck_assert_msg(strcmp(err.field, field) == 0, "%s: field '%s' (%s), wanted '%s'", file,
                  err.field, err.detail, field);
    json_decref(doc);
}

START_TEST(file_shape)
{
    check_refused("[]", "");
    check_refused("{\"services\":[]}", "version");
    check_refused("{\"version\":2,\"services\":[]}", "version");
    check_refused("{\"version\":1}", "services");
    check_refused("{\"version\":1,\"services\":[],\"x\":1}", "x");
    check_refused("{\"version\":1,\"services\":[{}]}", "services[0].name");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"\"}]}", "services[0].name");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"a\\nb\"}]}", "services[0].name");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"A\",\"description\":\"\"}]}",
                  "services[0].description");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"A\",\"description\":7}]}",
                  "services[0].description");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"A\",\"status\":\"deleted\"}]}",
                  "services[0].status");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"A\",\"approval\":\"live\"}]}",
                  "services[0].approval");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"A\"},{\"name\":\"A\"}]}",
                  "services[1].name");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"A\",\"clients\":{}}]}",
                  "services[0].clients");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"A\",\"clients\":[{\"name\":\"c\"}]}]}",
                  "services[0].clients[0].type");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"A\",\"clients\":[{\"name\":\"c\","
                  "\"type\":\"m2m\",\"client_secret\":\"s\"}]}]}",
                  "services[0].clients[0].client_secret");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"A\",\"clients\":[{\"name\":\"c\","
                  "\"type\":\"m2m\",\"client_id\":\"s\"}]}]}",
                  "services[0].clients[0].client_id");
    check_refused("{\"version\":1,\"services\":[{\"name\":\"A\",\"clients\":[{\"name\":\"c\","
                  "\"type\":\"m2m\"},{\"name\":\"c\",\"type\":\"m2m\"}]}]}",
                  "services[0].clients[1].name");
}
END_TEST

/* A value the server would store otherwise is compared as stored: the plan converges. */
START_TEST(compares_what_the_server_stores)
{
    json_t *state = clv_test_json(state_text), *plan;
    clv_err err;

    /* an m2m client never requires PKCE: true in the file is false on the server */
    plan = plan_of(state,
                   "{\"version\":1,\"services\":[{\"name\":\"Shop\",\"clients\":[{\"name\":"
                   "\"worker\",\"type\":\"m2m\",\"require_pkce\":true,\"audience\":null}]}]}",
                   false, CLV_OK, &err);
    ck_assert_uint_eq(json_array_size(plan), 0); /* null audience is [] too */
    json_decref(plan);
    plan = plan_of(state,
                   "{\"version\":1,\"services\":[{\"name\":\"Shop\",\"clients\":[{\"name\":"
                   "\"worker\",\"type\":\"m2m\",\"require_pkce\":true,\"audience\":null,"
                   "\"access_token_lifetime\":900}]}]}",
                   false, CLV_OK, &err);
    ck_assert_uint_eq(json_array_size(plan), 1);
    ck_assert_uint_eq(json_object_size(json_object_get(json_array_get(plan, 0), "changes")), 1);
    json_decref(plan);
    json_decref(state);
}
END_TEST

START_TEST(long_values_are_cut)
{
    json_t *state = clv_test_json(state_text), *plan;
    char file[2000], *text;
    clv_err err;

    snprintf(file, sizeof file,
             "{\"version\":1,\"services\":[{\"name\":\"Shop\",\"description\":\"%0300d\"}]}", 7);
    plan = plan_of(state, file, false, CLV_OK, &err);
    text = printed(plan);
    ck_assert_ptr_nonnull(strstr(text, "…\n"));
    ck_assert_ptr_null(strstr(text, "0007"));
    free(text);
    json_decref(plan);
    json_decref(state);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("apply");
    TCase *tc = tcase_create("apply");

    tcase_add_test(tc, export_then_plan_is_empty);
    tcase_add_test(tc, creates_changes_and_status);
    tcase_add_test(tc, prune_never_takes_protected);
    tcase_add_test(tc, refusals_name_the_path);
    tcase_add_test(tc, duplicates_on_the_server);
    tcase_add_test(tc, file_shape);
    tcase_add_test(tc, long_values_are_cut);
    tcase_add_test(tc, compares_what_the_server_stores);
    suite_add_tcase(s, tc);
    return clv_test_run(s);
}
