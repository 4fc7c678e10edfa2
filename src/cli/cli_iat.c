/* cli_iat — `clavis initial-access-token create`: a token with which an application registers
 * a client into one service (RFC 7591 §3, docs/API.md), shown once. */
#include <stdio.h>

#include "cli/admin_commands.h"
#include "cli/commands.h"
#include "crypto/hash.h"

static const clv_cli_opt create_opts[] = {
    CLV_REQ("service-id", "service_id", "ID", "the service the registered clients join"),
    CLV_INT("expires-in", "expires_in", "SECONDS", "how long it works (default one day)", 1,
            30 * 86400),
    CLV_INT("uses", "uses", "N", "how many registrations it allows (default 1)", 1, 1000000),
    CLV_BOOL("unlimited", NULL, "any number of registrations until it expires (not with --uses)"),
    CLV_OPT_END};

static const clv_cli_opt list_opts[] = {
    CLV_STR("service-id", NULL, "ID", "only tokens of this service"),
    CLV_STR("tenant-id", NULL, "ID", "only tokens of this tenant (platform admins)"), CLV_OPT_END};

static const clv_cli_col iat_cols[] = {{"ID", "id"},
                                       {"SERVICE", "service_id"},
                                       {"USES_LEFT", "uses"},
                                       {"EXPIRES", "expires_at"},
                                       {"CREATED", "created_at"},
                                       {"CREATED_BY", "created_by"},
                                       {NULL, NULL}};

static int run_list(clv_cli_ctx *ctx)
{
    clv_cli_path p = {0};
    json_t *out = NULL, *t;
    size_t i;
    int rc;

    clv_cli_path_add(&p, "/admin/v1/initial-access-tokens");
    clv_cli_path_query(&p, "service_id", clv_cli_str(ctx, "service-id"));
    clv_cli_path_query(&p, "tenant_id", clv_cli_str(ctx, "tenant-id"));
    rc = clv_cli_list(ctx, &p, false, &out);
    if (rc == CLV_EXIT_OK && ctx->json) {
        clv_cli_print_json(ctx, out);
    } else if (rc == CLV_EXIT_OK) {
        json_array_foreach(json_object_get(out, "items"), i, t) {
            if (json_is_null(json_object_get(t, "uses"))) /* docs/API.md: null = any number */
                json_object_set_new(t, "uses", json_string("unlimited"));
        }
        clv_cli_table(json_object_get(out, "items"), iat_cols);
    }
    json_decref(out);
    return rc;
}

static int run_create(clv_cli_ctx *ctx)
{
    clv_cli_path p = {0};
    json_t *body = json_object(), *out = NULL;
    char buf[600];
    int rc = CLV_EXIT_REFUSED;

    clv_cli_path_add(&p, "/admin/v1/initial-access-tokens");
    if (clv_cli_has(ctx, "unlimited") && clv_cli_has(ctx, "uses"))
        rc = clv_cli_usage_error(ctx, "--unlimited and --uses exclude each other");
    else if (body != NULL && clv_cli_put_flags(ctx, body) >= 0 &&
             (!clv_cli_has(ctx, "unlimited") ||
              json_object_set_new(body, "uses", json_null()) == 0)) /* docs/API.md: null = any */
        rc = clv_cli_api(ctx, "POST", &p, body, NULL, &out);
    if (rc == CLV_EXIT_OK) {
        fputs("clavis: Store this token now: it will not be shown again.\n", stderr);
        if (ctx->json) {
            clv_cli_print_json(ctx, out);
        } else {
            json_t *tok = json_incref(json_object_get(out, "token"));
            json_object_del(out, "token");
            clv_cli_show(out, NULL);
            clv_cli_value(tok, buf, sizeof buf);
            printf("token:      %s\n", buf);
            clv_wipe(buf, sizeof buf);
            json_decref(tok);
        }
    }
    json_decref(body);
    json_decref(out);
    return rc;
}

static const clv_cli_cmd iat_cmds[] = {
    {"create", "", 0, "Make a token that registers clients into a service (shown once)",
     "An application presents it as a Bearer token at POST /register (RFC 7591). It stops\n"
     "working when it expires, when its uses are spent, or when its service is deleted.",
     create_opts, run_create, NULL},
    {"list", "", 0, "List the tokens still usable (never the tokens themselves)",
     "Newest first: each token's id, service, uses left (unlimited: any number until it\n"
     "expires), expiry, and who made it. Expired and used-up tokens are not listed.",
     list_opts, run_list, NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

const clv_cli_group clv_cli_iat_group = {
    "initial-access-token", "Makes initial access tokens for dynamic client registration",
    iat_cmds};
