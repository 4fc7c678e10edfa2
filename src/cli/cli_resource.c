/* cli_resource — `clavis service resource add|list|remove`: the APIs of a service that
 * tokens can be for (RFC 8707 resource indicators; docs/DESIGN.md R38, docs/API.md). */
#include <stdio.h>

#include "cli/admin_commands.h"

static const clv_cli_opt add_opts[] = {
    CLV_REQ("identifier", "identifier", "URI",
            "the API's URI, as clients send it in `resource` (https, no fragment); it "
            "becomes the aud of their tokens"),
    CLV_STR("name", "name", "NAME", "a name for people"),
    CLV_LIST("scope", "scopes", "SCOPE",
             "a scope that belongs to this API; tokens for it carry only these "
             "and OpenID Connect's"),
    CLV_OPT_END};
static const clv_cli_opt no_opts[] = {CLV_OPT_END};

static const clv_cli_col resource_cols[] = {{"ID", "id"},
                                            {"IDENTIFIER", "identifier"},
                                            {"NAME", "name"},
                                            {"SCOPES", "scopes"},
                                            {"CREATED", "created_at"},
                                            {NULL, NULL}};

/* /admin/v1/services/{service_id}/resources[/{id}] */
static clv_cli_path resource_path(const char *service_id, const char *id)
{
    clv_cli_path p = {0};

    clv_cli_path_add(&p, "/admin/v1/services/");
    clv_cli_path_id(&p, service_id);
    clv_cli_path_add(&p, "/resources");
    if (id != NULL) {
        clv_cli_path_add(&p, "/");
        clv_cli_path_id(&p, id);
    }
    return p;
}

static int run_add(clv_cli_ctx *ctx)
{
    clv_cli_path p = resource_path(ctx->pos[0], NULL);
    json_t *body = json_object();
    int rc = CLV_EXIT_REFUSED;

    if (body != NULL && clv_cli_put_flags(ctx, body) >= 0)
        rc = clv_cli_call_show(ctx, "POST", &p, body, NULL);
    json_decref(body);
    return rc;
}

static int run_list(clv_cli_ctx *ctx)
{
    clv_cli_path p = resource_path(ctx->pos[0], NULL);
    json_t *out = NULL;
    int rc = clv_cli_list(ctx, &p, false, &out);

    if (rc == CLV_EXIT_OK && ctx->json)
        clv_cli_print_json(ctx, out);
    else if (rc == CLV_EXIT_OK)
        clv_cli_table(json_object_get(out, "items"), resource_cols);
    json_decref(out);
    return rc;
}

static int run_remove(clv_cli_ctx *ctx)
{
    clv_cli_path p = resource_path(ctx->pos[0], ctx->pos[1]);
    json_t *out = NULL;
    int rc = clv_cli_api(ctx, "DELETE", &p, NULL, NULL, &out);

    if (rc == CLV_EXIT_OK && !ctx->json)
        printf("Removed resource %.200s of service %.200s.\n", ctx->pos[1], ctx->pos[0]);
    else if (rc == CLV_EXIT_OK)
        clv_cli_print_json(ctx, out);
    json_decref(out);
    return rc;
}

static const clv_cli_cmd resource_cmds[] = {
    {"add", "SERVICE_ID", 1, "Register an API (resource indicator) of a service",
     "Clients of the service may then ask for tokens for it with `resource` (RFC 8707); "
     "such a token's aud is the identifier.",
     add_opts, run_add, NULL},
    {"list", "SERVICE_ID", 1, "List the APIs of a service", NULL, no_opts, run_list, NULL},
    {"remove", "SERVICE_ID RESOURCE_ID", 2,
     "Remove an API: tokens for it can no longer be had or refreshed", NULL, no_opts, run_remove,
     NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

const clv_cli_group clv_cli_resource_group = {
    "service resource", "Manages the APIs (RFC 8707 resources) of a service", resource_cmds};
