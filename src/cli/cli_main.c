/* cli_main — the command table of clavis and the dispatch on it (commands.h). The table is
 * the one list of commands: dispatch, `clavis help` and `clavis completion` read it, and
 * docs/CLI.md is checked against what they print (tests/e2e/cli_docs.test.mjs). A new
 * command or group is one line here. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static const char *const shells[] = {"bash", "zsh", "fish", NULL};

const clv_cli_top clv_cli_commands[] = {
    {"serve", "run the server (clavis serve --help)", NULL, NULL, clv_cmd_serve, 2, NULL},
    {"init", "create the database, keys and the first administrator", NULL, NULL, clv_cmd_init, 1,
     NULL},
    {"purge", "remove deleted clients and services whose retention has passed", NULL, NULL,
     clv_cmd_purge, 1, NULL},
    {"completion", "print a completion script: clavis completion bash|zsh|fish", NULL, NULL,
     clv_cmd_completion, 0, shells},
    /* the admin API's clients, from here on */
    {"login", "check an admin client's credentials and keep them in a profile", NULL,
     &clv_cli_login_cmds[0], clv_cmd_login, 0, NULL},
    {"logout", "remove the profile and the cached admin token", NULL, &clv_cli_login_cmds[1],
     clv_cmd_logout, 0, NULL},
    {"tenant", "create, list, show, update tenants and their client hygiene", &clv_cli_tenant_group,
     NULL, NULL, 0, NULL},
    {"service",
     "create, list, show, update, approve, (de)activate, delete, restore services;\n"
     "            service resource add|list|remove (the APIs of a service)",
     &clv_cli_service_group, NULL, NULL, 0, NULL},
    {"client",
     "create, list, show, update, (de)activate, delete, restore clients;\n"
     "            client secret add|list|remove; client token (a test token);\n"
     "            client revoke-tokens",
     &clv_cli_client_group, NULL, NULL, 0, NULL},
    {"user", "create, list, show, update, delete users; user grant list|revoke (consents)",
     &clv_cli_user_group, NULL, NULL, 0, NULL},
    {"initial-access-token", "create and list tokens for dynamic client registration",
     &clv_cli_iat_group, NULL, NULL, 0, NULL},
    {"audit", "list the audit trail with its field changes", &clv_cli_audit_group, NULL, NULL, 0,
     NULL},
    {"server", "policy: what the running server accepts (metadata documents, …)",
     &clv_cli_server_group, NULL, NULL, 0, NULL},
    {"key", "rotate, list the server's signing keys", &clv_cli_key_group, NULL, NULL, 0, NULL},
    {"export", "print the tenant's services and clients as a file", NULL, &clv_cli_apply_cmds[0],
     clv_cmd_export, 0, NULL},
    {"apply", "make the services and clients match a file: apply -f FILE [--dry-run] [--prune]",
     NULL, &clv_cli_apply_cmds[1], clv_cmd_apply, 0, NULL},
    {NULL, NULL, NULL, NULL, NULL, 0, NULL}};

static void usage(FILE *f)
{
    bool admin = false;

    fputs("Usage: clavis COMMAND [OPTIONS]\n"
          "Clavis is an OAuth 2.0 / OpenID Connect authorization server centred on client\n"
          "management.\n\nCommands:\n",
          f);
    for (const clv_cli_top *t = clv_cli_commands; t->name != NULL; t++) {
        if (!admin && (t->group != NULL || t->cmd != NULL)) {
            fputs("  help      show this help (also --help)\n"
                  "  --version print the version\n\n"
                  "Commands that talk to a running server's admin API:\n",
                  f);
            admin = true;
        }
        if (strlen(t->name) > 9)
            fprintf(f, "  %s\n            %s\n", t->name, t->summary);
        else
            fprintf(f, "  %-9s %s\n", t->name, t->summary);
    }
    fputs("\nGlobal options of the admin commands, before or after the command: --url URL,\n"
          "--client-id ID, --client-secret SECRET, --json.\n\n"
          "Every command takes --help. Exit codes: 0 success, 1 refused or failed, 2 bad usage.\n",
          f);
}

static bool is_help(const char *a)
{
    return strcmp(a, "help") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int clv_cli_main(int argc, char **argv, const char *version)
{
    int rc = clv_cli_hoist_globals(argc, argv); /* before argv[1] is read */
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (rc >= 0)
        return rc;
    if (cmd != NULL && strcmp(cmd, "--version") == 0) {
        printf("clavis %s\n", version);
        return 0;
    }
    if (cmd == NULL || is_help(cmd)) {
        usage(cmd == NULL ? stderr : stdout);
        return cmd == NULL ? 2 : 0;
    }
    for (const clv_cli_top *t = clv_cli_commands; t->name != NULL; t++) {
        if (strcmp(cmd, t->name) != 0)
            continue;
        if (t->run != NULL)
            return t->run(argc - 1, argv + 1);
        return clv_cli_group_run(t->group, argc - 1, argv + 1);
    }
    fprintf(stderr, "clavis: unknown command '%s'\nTry 'clavis --help'.\n", cmd);
    return 2;
}
