/* cli_service — `clavis service …`: services through the admin API (docs/DESIGN.md I3,
 * docs/API.md). */
#include <stdio.h>
#include <string.h>

#include "cli/admin_commands.h"
#include "cli/commands.h"

static const char *const statuses[] = {"active", "inactive", "deleted", NULL};

static const clv_cli_opt create_opts[] = {
    CLV_REQ("name", "name", "NAME", "the service's name"),
    CLV_STR("description", "description", "TEXT", "what it is for"),
    CLV_STR("tenant-id", "tenant_id", "ID", "its tenant (platform admins; default your own)"),
    CLV_OPT_END};
static const clv_cli_opt list_opts[] = {
    CLV_CHOICE("status", "status", "STATUS", "only services in this status", false, statuses),
    CLV_STR("tenant-id", "tenant_id", "ID", "only services of this tenant"),
    CLV_INT("limit", "limit", "N", "at most N per page", 1, 100),
    CLV_BOOL("all", NULL, "follow every page (else the first only)"), CLV_OPT_END};
static const clv_cli_opt update_opts[] = {
    CLV_STR("name", "name", "NAME", "a new name"),
    CLV_STR("description", "description", "TEXT", "a new description"), CLV_OPT_END};
static const clv_cli_opt no_opts[] = {CLV_OPT_END};

static const clv_cli_col service_cols[] = {{"ID", "id"},
                                           {"NAME", "name"},
                                           {"STATUS", "status"},
                                           {"APPROVAL", "approval"},
                                           {"TENANT", "tenant_id"},
                                           {"CREATED", "created_at"},
                                           {NULL, NULL}};

static clv_cli_path service_path(const clv_cli_ctx *ctx, const char *action)
{
    clv_cli_path p = {0};

    clv_cli_path_add(&p, "/admin/v1/services");
    if (ctx->pos[0] != NULL) {
        clv_cli_path_add(&p, "/");
        clv_cli_path_id(&p, ctx->pos[0]);
    }
    if (action != NULL) {
        clv_cli_path_add(&p, "/");
        clv_cli_path_add(&p, action);
    }
    return p;
}

static int run_create(clv_cli_ctx *ctx)
{
    clv_cli_path p = service_path(ctx, NULL);
    json_t *body = json_object();
    int rc = CLV_EXIT_REFUSED;

    if (body != NULL && clv_cli_put_flags(ctx, body) >= 0)
        rc = clv_cli_call_show(ctx, "POST", &p, body, NULL);
    json_decref(body);
    return rc;
}

static int run_list(clv_cli_ctx *ctx)
{
    clv_cli_path p = service_path(ctx, NULL);

    clv_cli_path_query(&p, "status", clv_cli_str(ctx, "status"));
    clv_cli_path_query(&p, "tenant_id", clv_cli_str(ctx, "tenant-id"));
    return clv_cli_run_list(ctx, &p, service_cols);
}

static int run_show(clv_cli_ctx *ctx)
{
    clv_cli_path p = service_path(ctx, NULL);

    return clv_cli_call_show(ctx, "GET", &p, NULL, NULL);
}

static int run_update(clv_cli_ctx *ctx)
{
    clv_cli_path p = service_path(ctx, NULL);
    json_t *body = json_object();
    int n = body != NULL ? clv_cli_put_flags(ctx, body) : -1, rc = CLV_EXIT_REFUSED;

    if (n == 0)
        rc = clv_cli_usage_error(ctx, "nothing to update: give --name or --description");
    else if (n > 0)
        rc = clv_cli_call_show(ctx, "PATCH", &p, body, NULL);
    json_decref(body);
    return rc;
}

/* approve, activate, deactivate, restore: POST …/{id}/ACTION; delete: DELETE …/{id}. */
static int run_action(clv_cli_ctx *ctx)
{
    const char *name = ctx->cmd->name;
    bool del = strcmp(name, "delete") == 0;
    clv_cli_path p = service_path(ctx, del ? NULL : name);
    json_t *out = NULL;
    char done[300];
    int rc = clv_cli_api(ctx, del ? "DELETE" : "POST", &p, NULL, NULL, &out);

    if (rc == CLV_EXIT_OK && ctx->json) {
        clv_cli_print_json(ctx, out);
    } else if (rc == CLV_EXIT_OK && del) {
        snprintf(done, sizeof done, "%.200s", ctx->pos[0]);
        printf("Deleted service %s; 'clavis service restore %s' brings it back until it is "
               "purged.\n",
               done, done);
    } else if (rc == CLV_EXIT_OK) {
        clv_cli_value(json_object_get(out, "id"), done, sizeof done);
        printf("Service %s: ", done);
        clv_cli_value(json_object_get(out, "status"), done, sizeof done);
        printf("status %s, ", done);
        clv_cli_value(json_object_get(out, "approval"), done, sizeof done);
        printf("approval %s.\n", done);
    }
    json_decref(out);
    return rc;
}

static const clv_cli_cmd service_cmds[] = {
    {"create", "", 0, "Create a service", NULL, create_opts, run_create, NULL},
    {"list", "", 0, "List services, newest first", NULL, list_opts, run_list, NULL},
    {"show", "SERVICE_ID", 1, "Show a service", NULL, no_opts, run_show, NULL},
    {"update", "SERVICE_ID", 1, "Change a service's name or description", NULL, update_opts,
     run_update, NULL},
    {"approve", "SERVICE_ID", 1, "Approve a service for production (platform admins)",
     "Sets approval to live; its clients' environment becomes live. No credential changes.",
     no_opts, run_action, NULL},
    {"activate", "SERVICE_ID", 1, "Activate a service and so its clients", NULL, no_opts,
     run_action, NULL},
    {"deactivate", "SERVICE_ID", 1, "Deactivate a service: its clients stop working at once", NULL,
     no_opts, run_action, NULL},
    {"delete", "SERVICE_ID", 1, "Delete a service (restorable until it is purged)", NULL, no_opts,
     run_action, NULL},
    {"restore", "SERVICE_ID", 1, "Restore a deleted service", NULL, no_opts, run_action, NULL},
    {"resource", "", 0, "Add, list and remove the APIs (RFC 8707 resources) of a service", NULL,
     no_opts, NULL, &clv_cli_resource_group},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

const clv_cli_group clv_cli_service_group = {
    "service", "Manages services: the integrations whose clients share a status and approval",
    service_cmds};

int clv_cmd_service(int argc, char **argv)
{
    return clv_cli_group_run(&clv_cli_service_group, argc, argv);
}
