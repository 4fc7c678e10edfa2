/* cli_user — `clavis user …`: users (end users and administrators) through the admin API
 * (docs/DESIGN.md M "User", docs/API.md). */
#include <stdio.h>
#include <string.h>

#include "cli/admin_commands.h"
#include "cli/commands.h"
#include "crypto/hash.h"

static const char *const statuses[] = {"active", "inactive", NULL};

static const clv_cli_opt create_opts[] = {
    CLV_REQ("username", "username", "NAME", "the name to sign in with"),
    CLV_REQ("password", NULL, "PASSWORD", "8 characters or more; - reads it from stdin"),
    CLV_STR("email", "email", "ADDRESS", "an email address"),
    CLV_LIST("role", "roles", "ROLE", "a role (tenant_admin, platform_admin, or your own)"),
    CLV_STR("tenant-id", "tenant_id", "ID", "its tenant (platform admins; default your own)"),
    CLV_OPT_END};
static const clv_cli_opt update_opts[] = {
    CLV_STR("email", "email", "ADDRESS", "a new email address"),
    CLV_STR("password", NULL, "PASSWORD", "a new password; - reads it from stdin"),
    CLV_LIST("role", "roles", "ROLE", "a role (the list given replaces the old one)"),
    CLV_CHOICE("status", "status", "STATUS", "switch the user on or off", false, statuses),
    CLV_OPT_END};
static const clv_cli_opt list_opts[] = {
    CLV_STR("tenant-id", NULL, "ID", "only users of this tenant"),
    CLV_INT("limit", NULL, "N", "at most N per page", 1, 100),
    CLV_BOOL("all", NULL, "follow every page (else the first only)"), CLV_OPT_END};
static const clv_cli_opt no_opts[] = {CLV_OPT_END};

static const clv_cli_col user_cols[] = {
    {"ID", "id"},         {"USERNAME", "username"},  {"EMAIL", "email"}, {"ROLES", "roles"},
    {"STATUS", "status"}, {"CREATED", "created_at"}, {NULL, NULL}};

static clv_cli_path user_path(const clv_cli_ctx *ctx)
{
    clv_cli_path p = {0};

    clv_cli_path_add(&p, "/admin/v1/users");
    if (ctx->pos[0] != NULL) {
        clv_cli_path_add(&p, "/");
        clv_cli_path_id(&p, ctx->pos[0]);
    }
    return p;
}

/* Puts --password into body; "-" reads it from stdin (so it stays out of `ps`). */
static int put_password(clv_cli_ctx *ctx, json_t *body)
{
    const char *pw = clv_cli_str(ctx, "password");
    char line[512];
    int rc = -1;

    if (pw == NULL)
        return -1;
    if (strcmp(pw, "-") == 0) {
        if (!clv_cli_read_line("Password: ", true, line, sizeof line))
            return clv_cli_usage_error(ctx, "--password -: no password on stdin");
        pw = line;
    }
    if (json_object_set_new(body, "password", json_string(pw)) != 0)
        rc = clv_cli_usage_error(ctx, "--password must be valid UTF-8");
    clv_wipe(line, sizeof line);
    return rc;
}

static int run_create(clv_cli_ctx *ctx)
{
    clv_cli_path p = user_path(ctx);
    json_t *body = json_object();
    int rc = CLV_EXIT_REFUSED;

    if (body != NULL && clv_cli_put_flags(ctx, body) >= 0 && (rc = put_password(ctx, body)) < 0)
        rc = clv_cli_call_show(ctx, "POST", &p, body, NULL);
    json_decref(body);
    return rc;
}

static int run_list(clv_cli_ctx *ctx)
{
    clv_cli_path p = user_path(ctx);

    clv_cli_path_query(&p, "tenant_id", clv_cli_str(ctx, "tenant-id"));
    return clv_cli_run_list(ctx, &p, user_cols);
}

static int run_show(clv_cli_ctx *ctx)
{
    clv_cli_path p = user_path(ctx);

    return clv_cli_call_show(ctx, "GET", &p, NULL, NULL);
}

static int run_update(clv_cli_ctx *ctx)
{
    clv_cli_path p = user_path(ctx);
    json_t *body = json_object();
    int n = body != NULL ? clv_cli_put_flags(ctx, body) : -1, rc = CLV_EXIT_REFUSED;

    if (n == 0 && !clv_cli_has(ctx, "password"))
        rc = clv_cli_usage_error(ctx, "nothing to update: give a field to change");
    else if (n >= 0 && (rc = put_password(ctx, body)) < 0)
        rc = clv_cli_call_show(ctx, "PATCH", &p, body, NULL);
    json_decref(body);
    return rc;
}

static int run_delete(clv_cli_ctx *ctx)
{
    clv_cli_path p = user_path(ctx);
    char done[300];

    snprintf(done, sizeof done, "Deleted user %.200s.", ctx->pos[0]);
    return clv_cli_call_show(ctx, "DELETE", &p, NULL, done);
}

/* ---- consents (docs/DESIGN.md D3) ---- */

static const clv_cli_opt grant_list_opts[] = {
    CLV_INT("limit", NULL, "N", "at most N per page", 1, 100),
    CLV_BOOL("all", NULL, "follow every page (else the first only)"), CLV_OPT_END};

static const clv_cli_col grant_cols[] = {{"CLIENT_ID", "client_id"},
                                         {"SCOPE", "scope"},
                                         {"CREATED", "created_at"},
                                         {"UPDATED", "updated_at"},
                                         {NULL, NULL}};

static int run_grant_list(clv_cli_ctx *ctx)
{
    clv_cli_path p = user_path(ctx);

    clv_cli_path_add(&p, "/grants");
    return clv_cli_run_list(ctx, &p, grant_cols);
}

static int run_grant_revoke(clv_cli_ctx *ctx)
{
    clv_cli_path p = user_path(ctx);
    char done[600];

    clv_cli_path_add(&p, "/grants/");
    clv_cli_path_id(&p, ctx->pos[1]);
    snprintf(done, sizeof done,
             "Revoked the consent of user %.200s to client %.200s: its next authorization asks "
             "again.",
             ctx->pos[0], ctx->pos[1]);
    return clv_cli_call_show(ctx, "DELETE", &p, NULL, done);
}

static const clv_cli_cmd grant_cmds[] = {
    {"list", "USER_ID", 1, "List what the user consented to, client by client", NULL,
     grant_list_opts, run_grant_list, NULL},
    {"revoke", "USER_ID CLIENT_ID", 2, "Forget the user's consent to a client",
     "The next authorization of that client asks the user again (prompt=none answers\n"
     "consent_required). Tokens already issued are not revoked: see clavis client revoke-tokens.",
     no_opts, run_grant_revoke, NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

static const clv_cli_group grant_group = {
    "user grant", "Lists and revokes a user's consents (to clients that are not first-party)",
    grant_cmds};

static const clv_cli_cmd user_cmds[] = {
    {"create", "", 0, "Create a user", NULL, create_opts, run_create, NULL},
    {"list", "", 0, "List users, newest first", NULL, list_opts, run_list, NULL},
    {"show", "USER_ID", 1, "Show a user", NULL, no_opts, run_show, NULL},
    {"update", "USER_ID", 1, "Change a user's email, password, roles or status", NULL, update_opts,
     run_update, NULL},
    {"delete", "USER_ID", 1, "Delete a user", NULL, no_opts, run_delete, NULL},
    {"grant", "", 0, "List and revoke a user's consents", NULL, no_opts, NULL, &grant_group},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

const clv_cli_group clv_cli_user_group = {
    "user", "Manages users: the people who sign in, and the administrators of a tenant", user_cmds};

int clv_cmd_user(int argc, char **argv)
{
    return clv_cli_group_run(&clv_cli_user_group, argc, argv);
}
