/* cli_secret — `clavis client secret add|list|remove`: secret rotation through the admin
 * API (docs/DESIGN.md M "Secret", docs/API.md). A new secret's plaintext is printed once, with a warning. */
#include <stdio.h>
#include <string.h>

#include "cli/admin_commands.h"
#include "crypto/hash.h"

static const clv_cli_opt add_opts[] = {
    CLV_STR("description", "description", "TEXT", "what the secret is for"),
    CLV_STR("expires-at", NULL, "TIME",
            "when it stops working: an RFC 3339 UTC time, or never (sent as the API's "
            "expires_at: null); default in one year"),
    CLV_OPT_END};
static const clv_cli_opt no_opts[] = {CLV_OPT_END};

static const clv_cli_col secret_cols[] = {
    {"SECRET_ID", "secret_id"}, {"DESCRIPTION", "description"}, {"CREATED", "created_at"},
    {"EXPIRES", "expires_at"},  {"LAST_USED", "last_used_at"},  {NULL, NULL}};

static int run_add(clv_cli_ctx *ctx)
{
    clv_cli_path p = clv_cli_client_path(ctx->pos[0], "secrets");
    const char *exp = clv_cli_str(ctx, "expires-at");
    json_t *body = json_object(), *out = NULL;
    char buf[600];
    int rc = CLV_EXIT_REFUSED;

    if (body == NULL || clv_cli_put_flags(ctx, body) < 0)
        goto cleanup;
    if (exp != NULL) /* docs/API.md: null = never expires */
        json_object_set_new(body, "expires_at",
                            strcmp(exp, "never") == 0 ? json_null() : json_string(exp));
    if ((rc = clv_cli_api(ctx, "POST", &p, body, NULL, &out)) != CLV_EXIT_OK)
        goto cleanup;
    clv_cli_secret_warning();
    if (ctx->json) {
        clv_cli_print_json(ctx, out);
        goto cleanup;
    }
    clv_cli_value(json_object_get(out, "secret_id"), buf, sizeof buf);
    printf("secret_id:     %s\n", buf);
    clv_cli_value(json_object_get(out, "expires_at"), buf, sizeof buf);
    printf("expires_at:    %s\n", strcmp(buf, "-") == 0 ? "never" : buf);
    clv_cli_value(json_object_get(out, "client_secret"), buf, sizeof buf);
    printf("client_secret: %s\n", buf);
    clv_wipe(buf, sizeof buf);
cleanup:
    json_decref(body);
    json_decref(out);
    return rc;
}

static int run_list(clv_cli_ctx *ctx)
{
    clv_cli_path p = clv_cli_client_path(ctx->pos[0], "secrets");
    json_t *out = NULL;
    int rc = clv_cli_list(ctx, &p, false, &out);

    size_t i;
    json_t *sec;

    if (rc == CLV_EXIT_OK && ctx->json) {
        clv_cli_print_json(ctx, out);
    } else if (rc == CLV_EXIT_OK) {
        json_array_foreach(json_object_get(out, "items"), i, sec) {
            if (json_is_null(json_object_get(sec, "expires_at"))) /* the API's null */
                json_object_set_new(sec, "expires_at", json_string("never"));
        }
        clv_cli_table(json_object_get(out, "items"), secret_cols);
    }
    json_decref(out);
    return rc;
}

static int run_remove(clv_cli_ctx *ctx)
{
    clv_cli_path p = clv_cli_client_path(ctx->pos[0], "secrets/");
    json_t *out = NULL;
    int rc;

    clv_cli_path_id(&p, ctx->pos[1]);
    rc = clv_cli_api(ctx, "DELETE", &p, NULL, NULL, &out);
    if (rc == CLV_EXIT_OK && !ctx->json)
        printf("Removed secret %.200s of client %.200s.\n", ctx->pos[1], ctx->pos[0]);
    else if (rc == CLV_EXIT_OK)
        clv_cli_print_json(ctx, out);
    json_decref(out);
    return rc;
}

static const clv_cli_cmd secret_cmds[] = {
    {"add", "CLIENT_ID", 1, "Add a secret (shown once) to a confidential or m2m client",
     "Rotation: add a new secret, move the application to it, then remove the old one.", add_opts,
     run_add, NULL},
    {"list", "CLIENT_ID", 1, "List a client's secrets (metadata only)", NULL, no_opts, run_list,
     NULL},
    {"remove", "CLIENT_ID SECRET_ID", 2, "Remove a secret: it stops working at once", NULL, no_opts,
     run_remove, NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

const clv_cli_group clv_cli_secret_group = {
    "client secret", "Manages a client's secrets: add (shown once), list, remove", secret_cmds};
