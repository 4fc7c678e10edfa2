/* cli_key — `clavis key rotate|publish|list`: the server's signing keys over the admin API
 * (docs/CLI.md "clavis key", docs/API.md "Signing keys"); platform admins only. */
#include <stdio.h>

#include "cli/admin_commands.h"
#include "cli/commands.h"

static const char *const algs[] = {"RS256", "ES256", "EdDSA", NULL};

static const clv_cli_opt rotate_opts[] = {
    CLV_CHOICE("alg", "alg", "ALG", "rotate only this alg's key (default: every alg)", false, algs),
    CLV_OPT_END};

static const clv_cli_opt publish_opts[] = {
    CLV_CHOICE("alg", "alg", "ALG", "publish only this alg's next key (default: every alg)", false,
               algs),
    CLV_OPT_END};

static const clv_cli_opt no_opts[] = {CLV_OPT_END};

static const clv_cli_col key_cols[] = {{"KID", "kid"},
                                       {"ALG", "alg"},
                                       {"STATE", "state"},
                                       {"CREATED", "created_at"},
                                       {"RETIRE_AT", "retire_at"},
                                       {NULL, NULL}};

static clv_cli_path keys_path(const char *action)
{
    clv_cli_path p = {.len = 0};

    clv_cli_path_add(&p, "/admin/v1/keys");
    if (action != NULL)
        clv_cli_path_add(&p, action);
    return p;
}

/* POST /admin/v1/keys/ACTION with the flags; prints the keys made. */
static int post_keys(clv_cli_ctx *ctx, const char *action)
{
    clv_cli_path p = keys_path(action);
    json_t *body = json_object(), *out = NULL;
    int rc = CLV_EXIT_REFUSED;

    if (body != NULL && clv_cli_put_flags(ctx, body) >= 0)
        rc = clv_cli_api(ctx, "POST", &p, body, NULL, &out);
    if (rc == CLV_EXIT_OK && ctx->json)
        clv_cli_print_json(ctx, out);
    else if (rc == CLV_EXIT_OK)
        clv_cli_table(json_object_get(out, "items"), key_cols);
    json_decref(out);
    json_decref(body);
    return rc;
}

static int run_rotate(clv_cli_ctx *ctx)
{
    return post_keys(ctx, "/rotate");
}

static int run_publish(clv_cli_ctx *ctx)
{
    return post_keys(ctx, "/publish");
}

static int run_list(clv_cli_ctx *ctx)
{
    clv_cli_path p = keys_path(NULL);
    json_t *out = NULL;
    int rc = clv_cli_api(ctx, "GET", &p, NULL, NULL, &out);

    if (rc == CLV_EXIT_OK && ctx->json)
        clv_cli_print_json(ctx, out);
    else if (rc == CLV_EXIT_OK)
        clv_cli_table(json_object_get(out, "items"), key_cols);
    json_decref(out);
    return rc;
}

static const clv_cli_cmd key_cmds[] = {
    {"rotate", "", 0, "Make new signing keys active; the old ones are retired",
     "An alg's published next key becomes active, else a new key. The retired keys stay in "
     "/jwks until every token they signed has expired (their retire_at). Every node of the "
     "server signs with the new keys within a second.",
     rotate_opts, run_rotate, NULL},
    {"publish", "", 0, "Publish next signing keys in /jwks before they sign",
     "Each alg without a next key gets one: in /jwks at once, signing nothing until `clavis "
     "key rotate` makes it active. Wait the JWKS max-age (5 minutes) between the two, and "
     "relying parties that cache /jwks know the new key before it signs.",
     publish_opts, run_publish, NULL},
    {"list", "", 0, "List the signing keys, newest first (never key material)", NULL, no_opts,
     run_list, NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

const clv_cli_group clv_cli_key_group = {
    "key", "Manages the server's signing keys (platform admins)", key_cmds};
