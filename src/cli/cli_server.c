/* cli_server — `clavis server policy`: the running server's policy, as the admin API shows
 * it (GET /admin/v1/settings, docs/API.md "Settings"): client ID metadata documents, open
 * registration, the server's own fetches. */
#include <stdio.h>

#include "cli/admin_commands.h"
#include "cli/commands.h"

static const clv_cli_opt no_opts[] = {CLV_OPT_END};

/* "section.key: value" lines, for people. */
static void show_sections(const json_t *settings)
{
    const char *section, *key;
    json_t *obj, *v;
    char buf[1024];

    json_object_foreach((json_t *)settings, section, obj) {
        json_object_foreach(obj, key, v) {
            clv_cli_value(v, buf, sizeof buf);
            printf("%s.%s: %s\n", section, key, buf);
        }
    }
}

static int run_policy(clv_cli_ctx *ctx)
{
    clv_cli_path p = {0};
    json_t *out = NULL;
    int rc;

    clv_cli_path_add(&p, "/admin/v1/settings");
    if ((rc = clv_cli_api(ctx, "GET", &p, NULL, NULL, &out)) != CLV_EXIT_OK)
        return rc;
    if (ctx->json)
        clv_cli_print_json(ctx, out);
    else
        show_sections(out);
    json_decref(out);
    return CLV_EXIT_OK;
}

static const clv_cli_cmd server_cmds[] = {
    {"policy", "", 0, "Show the server's policy",
     "What the server was started with: client ID metadata documents (on or off, their "
     "service, the hosts admitted), open registration, and the rules of its own fetches.",
     no_opts, run_policy, NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

const clv_cli_group clv_cli_server_group = {
    "server", "Shows the running server's policy (its serve flags), through the admin API",
    server_cmds};
