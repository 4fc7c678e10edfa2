/* libFuzzer target: an export/apply file (src/cli/apply_plan.h) through its checks and the
 * plan against a fixed tenant, printed. Invariants: a file the checks accept either plans or
 * is refused with a JSON path; every action names its op, kind and service; and the
 * tenant's own export always passes the checks and plans nothing. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/apply_plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char state_text[] =
    "[{\"id\":\"svc_1\",\"name\":\"Default\",\"description\":null,\"status\":\"active\","
    "\"clients\":[{\"client_id\":\"init\",\"name\":\"clavis-admin\",\"type\":\"m2m\","
    "\"status\":\"active\",\"protected\":true,\"scopes\":[\"admin\"],\"version\":1}]},"
    "{\"id\":\"svc_2\",\"name\":\"Shop\",\"description\":\"Online shop\",\"status\":\"inactive\","
    "\"clients\":[{\"client_id\":\"web1\",\"name\":\"web\",\"type\":\"confidential\","
    "\"status\":\"active\",\"version\":3,\"redirect_uris\":[\"https://shop.example/cb\"],"
    "\"scopes\":[\"openid\"]},{\"client_id\":\"spa1\",\"name\":\"spa\",\"type\":\"public\","
    "\"status\":\"inactive\",\"version\":1,\"redirect_uris\":[\"http://127.0.0.1:3000/cb\"]}]}]";

static void plan_checked(const json_t *state, const json_t *doc, bool prune)
{
    json_t *plan = NULL, *a;
    FILE *devnull = fopen("/dev/null", "w");
    clv_err err;
    size_t i;

    clv_err_init(&err);
    if (clv_apply_plan(state, doc, prune, &plan, &err) != CLV_OK) {
        if (plan != NULL || err.detail[0] == '\0')
            abort(); /* a refusal says why, and plans nothing */
    }
    json_array_foreach(plan, i, a) {
        if (json_string_value(json_object_get(a, "op")) == NULL ||
            json_string_value(json_object_get(a, "kind")) == NULL ||
            json_string_value(json_object_get(a, "service")) == NULL)
            abort();
    }
    if (devnull != NULL) {
        clv_apply_print(devnull, plan);
        fclose(devnull);
    }
    json_decref(plan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *state, *own;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL), *plan;
    clv_err err;

    if (state == NULL) { /* once: the tenant's own export plans nothing */
        state = json_loads(state_text, 0, NULL);
        own = clv_apply_export(state);
        clv_err_init(&err);
        if (own == NULL || clv_apply_check(own, &err) != CLV_OK ||
            clv_apply_plan(state, own, true, &plan, &err) != CLV_OK ||
            clv_apply_count(plan, NULL, NULL, NULL) != 0)
            abort();
        json_decref(plan);
    }
    clv_err_init(&err);
    if (doc != NULL && clv_apply_check(doc, &err) == CLV_OK) {
        plan_checked(state, doc, false);
        plan_checked(state, doc, true);
    } else if (doc != NULL && err.detail[0] == '\0') {
        abort(); /* a refused file is named */
    }
    json_decref(doc);
    return 0;
}
