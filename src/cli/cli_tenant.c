/* cli_tenant — `clavis tenant …`: tenants through the admin API (docs/API.md "Tenants";
 * creating, listing, renaming and switching them is for platform admins, a tenant admin reads
 * its own and sets its client hygiene, docs/OPERATIONS.md "Hygiene"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "cli/admin_commands.h"
#include "cli/cli_http.h"
#include "cli/commands.h"
#include "crypto/hash.h"

/* The hygiene settings: a number of days, or "off" (null: the setting is off). */
static const char *const hygiene_flags[][2] = {
    {"deactivate-unused-after-days", "deactivate_unused_after_days"},
    {"registered-client-lifetime-days", "registered_client_lifetime_days"}};

static const char *const statuses[] = {"active", "inactive", NULL};

static const clv_cli_opt create_opts[] = {CLV_REQ("name", "name", "NAME", "the tenant's name"),
                                          CLV_OPT_END};
static const clv_cli_opt list_opts[] = {
    CLV_INT("limit", NULL, "N", "at most N per page", 1, 100),
    CLV_BOOL("all", NULL, "follow every page (else the first only)"), CLV_OPT_END};
static const clv_cli_opt update_opts[] = {
    CLV_STR("name", "name", "NAME", "a new name (platform admins)"),
    CLV_CHOICE("status", "status", "STATUS",
               "inactive: every client of the tenant stops working at once (platform admins)",
               false, statuses),
    CLV_STR("deactivate-unused-after-days", NULL, "DAYS|off",
            "deactivate clients with no token for DAYS days (off: never)"),
    CLV_STR("registered-client-lifetime-days", NULL, "DAYS|off",
            "deactivate registered clients unused for DAYS days, delete them DAYS days later"),
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

/* The server's issuer, from its discovery document (OpenID Connect Discovery 1.0 §4) under
 * the URL the command talks to; that URL when the document cannot be read. New string. */
static char *issuer_of(clv_cli_ctx *ctx)
{
    const char *hdrs[] = {"Accept: application/json", NULL};
    char url[4200], errbuf[256];
    clv_net_resp r = {0};
    json_t *doc = NULL;
    const char *issuer = NULL;
    char *out;

    snprintf(url, sizeof url, "%s/.well-known/openid-configuration", ctx->url);
    if (clv_cli_http_send(ctx->http, "GET", url, hdrs, NULL, &r, errbuf, sizeof errbuf) &&
        r.status == 200 && (doc = json_loads(r.body, 0, NULL)) != NULL)
        issuer = json_string_value(json_object_get(doc, "issuer"));
    out = strdup(issuer != NULL ? issuer : ctx->url);
    json_decref(doc);
    clv_net_resp_cleanup(&r);
    return out;
}

/* Adds the new tenant's console link to t, ISSUER/console/?tenant=ID, where its admins
 * sign in (docs/DESIGN.md D13). */
static void add_console_link(clv_cli_ctx *ctx, json_t *t)
{
    const char *id = json_string_value(json_object_get(t, "id"));
    char *issuer = issuer_of(ctx), link[4400];

    if (id != NULL && issuer != NULL &&
        snprintf(link, sizeof link, "%s/console/?tenant=%s", issuer, id) < (int)sizeof link)
        json_object_set_new(t, "console_link", json_string(link));
    free(issuer);
}

static int run_create(clv_cli_ctx *ctx)
{
    clv_cli_path p = tenant_path(ctx);
    json_t *body = json_object(), *t = NULL;
    int rc = CLV_EXIT_REFUSED;

    if (body != NULL && clv_cli_put_flags(ctx, body) >= 0)
        rc = clv_cli_api(ctx, "POST", &p, body, NULL, &t);
    if (rc == CLV_EXIT_OK && t != NULL) {
        add_console_link(ctx, t);
        clv_free_secret(ctx->raw); /* the answer printed is t, with its link */
        ctx->raw = NULL;
        if (ctx->json)
            clv_cli_print_json(ctx, t);
        else
            clv_cli_show(t, NULL);
    }
    json_decref(t);
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

/* Puts the hygiene flags given into body; -1 to go on, else an exit code. */
static int put_hygiene(clv_cli_ctx *ctx, json_t *body, int *n)
{
    for (size_t i = 0; i < sizeof hygiene_flags / sizeof hygiene_flags[0]; i++) {
        const char *v = clv_cli_str(ctx, hygiene_flags[i][0]);
        int64_t days = 0;
        if (v == NULL)
            continue;
        if (strcmp(v, "off") != 0 && !clv_config_parse_count(v, INT32_MAX, &days))
            return clv_cli_usage_error(ctx, "--%s must be a number of days or off",
                                       hygiene_flags[i][0]);
        if (json_object_set_new(body, hygiene_flags[i][1],
                                days > 0 ? json_integer(days) : json_null()) != 0)
            return CLV_EXIT_REFUSED;
        (*n)++;
    }
    return -1;
}

static int run_update(clv_cli_ctx *ctx)
{
    clv_cli_path p = tenant_path(ctx);
    json_t *body = json_object();
    int n = body != NULL ? clv_cli_put_flags(ctx, body) : -1, rc = CLV_EXIT_REFUSED;

    if (n >= 0 && (rc = put_hygiene(ctx, body, &n)) < 0) {
        if (n == 0)
            rc = clv_cli_usage_error(ctx, "nothing to update: give a setting to change");
        else
            rc = clv_cli_call_show(ctx, "PATCH", &p, body, NULL);
    }
    json_decref(body);
    return rc;
}

static const clv_cli_cmd tenant_cmds[] = {
    {"create", "", 0, "Create a tenant (platform admins)",
     "Prints the new tenant and its console link, console_link: ISSUER/console/?tenant=ID\n"
     "(the issuer from the server's discovery document). Its admins sign in to the web\n"
     "console there; hand it to them with their first tenant_admin user.",
     create_opts, run_create, NULL},
    {"list", "", 0, "List tenants, newest first (platform admins)", NULL, list_opts, run_list,
     NULL},
    {"show", "TENANT_ID", 1, "Show a tenant and its settings (a tenant admin: its own)", NULL,
     no_opts, run_show, NULL},
    {"update", "TENANT_ID", 1, "Change a tenant's name, status or client hygiene",
     "A tenant admin may change its own tenant's hygiene; the name and status only a platform\n"
     "admin. The tenant that holds the protected clavis init client cannot be made inactive\n"
     "(409). The hygiene runs with the purge (clavis serve's timer, or clavis purge).",
     update_opts, run_update, NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

const clv_cli_group clv_cli_tenant_group = {
    "tenant", "Manages tenants: the organisations that each administer their own services",
    tenant_cmds};

int clv_cmd_tenant(int argc, char **argv)
{
    return clv_cli_group_run(&clv_cli_tenant_group, argc, argv);
}
