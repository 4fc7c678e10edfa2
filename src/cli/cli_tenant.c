/* cli_tenant — `clavis tenant …`: tenants through the admin API (docs/API.md "Tenants";
 * creating, listing and changing them is for platform admins, a tenant admin reads its own). */
#include <stdio.h>

#include "cli/admin_commands.h"
#include "cli/commands.h"

static const char *const statuses[] = {"active", "inactive", NULL};

static const clv_cli_opt create_opts[] = {CLV_REQ("name", "name", "NAME", "the tenant's name"),
                                          CLV_OPT_END};
static const clv_cli_opt list_opts[] = {
    CLV_INT("limit", NULL, "N", "at most N per page", 1, 100),
    CLV_BOOL("all", NULL, "follow every page (else the first only)"), CLV_OPT_END};
static const clv_cli_opt update_opts[] = {
    CLV_STR("name", "name", "NAME", "a new name"),
    CLV_CHOICE("status", "status", "STATUS",
               "inactive: every client of the tenant stops working at once", false, statuses),
    CLV_OPT_END};
static const clv_cli_opt no_opts[] = {CLV_OPT_END};

static const clv_cli_col tenant_cols[] = {
    {"ID", "id"}, {"NAME", "name"}, {"STATUS", "status"}, {"CREATED", "created_at"}, {NULL, NULL}};

static clv_cli_path tenant_path(const clv_cli_ctx *ctx)
{
    clv_cli_path p = {0};

    clv_cli_path_add(&p, "/admin/v1/tenants");
    if (ctx->pos[0] != NULL) {
        clv_cli_path_add(&p, "/");
        clv_cli_path_id(&p, ctx->pos[0]);
    }
    return p;
}

static int run_create(clv_cli_ctx *ctx)
{
    clv_cli_path p = tenant_path(ctx);
    json_t *body = json_object();
    int rc = CLV_EXIT_REFUSED;

    if (body != NULL && clv_cli_put_flags(ctx, body) >= 0)
        rc = clv_cli_call_show(ctx, "POST", &p, body, NULL);
    json_decref(body);
    return rc;
}

static int run_list(clv_cli_ctx *ctx)
{
    clv_cli_path p = tenant_path(ctx);

    return clv_cli_run_list(ctx, &p, tenant_cols);
}

static int run_show(clv_cli_ctx *ctx)
{
    clv_cli_path p = tenant_path(ctx);

    return clv_cli_call_show(ctx, "GET", &p, NULL, NULL);
}

static int run_update(clv_cli_ctx *ctx)
{
    clv_cli_path p = tenant_path(ctx);
    json_t *body = json_object();
    int n = body != NULL ? clv_cli_put_flags(ctx, body) : -1, rc = CLV_EXIT_REFUSED;

    if (n == 0)
        rc = clv_cli_usage_error(ctx, "nothing to update: give --name or --status");
    else if (n > 0)
        rc = clv_cli_call_show(ctx, "PATCH", &p, body, NULL);
    json_decref(body);
    return rc;
}

static const clv_cli_cmd tenant_cmds[] = {
    {"create", "", 0, "Create a tenant (platform admins)", NULL, create_opts, run_create, NULL},
    {"list", "", 0, "List tenants, newest first (platform admins)", NULL, list_opts, run_list,
     NULL},
    {"show", "TENANT_ID", 1, "Show a tenant (a tenant admin: its own)", NULL, no_opts, run_show,
     NULL},
    {"update", "TENANT_ID", 1, "Rename a tenant or switch it on or off (platform admins)",
     "The tenant that holds the protected clavis init client cannot be made inactive (409).",
     update_opts, run_update, NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

const clv_cli_group clv_cli_tenant_group = {
    "tenant", "Manages tenants: the organisations that each administer their own services",
    tenant_cmds};
