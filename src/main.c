/* main — the clavis binary: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

#ifndef CLAVIS_VERSION
#define CLAVIS_VERSION "unknown" /* CMakeLists.txt passes the project's VERSION */
#endif

static const char usage[] =
    "Usage: clavis COMMAND [OPTIONS]\n"
    "Clavis is an OAuth 2.0 / OpenID Connect authorization server centred on client\n"
    "management.\n\n"
    "Commands:\n"
    "  serve     run the server (clavis serve --help)\n"
    "  init      create the database, keys and the first administrator\n"
    "  purge     remove deleted clients and services whose retention has passed\n"
    "  help      show this help (also --help)\n"
    "  --version print the version\n\n"
    "Commands that talk to a running server's admin API:\n"
    "  login     check an admin client's credentials and keep them in a profile\n"
    "  logout    remove the profile and the cached admin token\n"
    "  service   create, list, show, update, approve, (de)activate, delete, restore services\n"
    "  client    create, list, show, update, (de)activate, delete, restore clients;\n"
    "            client secret add|list|remove; client token (a test token)\n"
    "  user      create, list, show, update, delete users\n"
    "  tenant    show a tenant, update its name and client hygiene\n"
    "  key       rotate, list the server's signing keys\n\n"
    "Global options of the admin commands, before or after the command: --url URL,\n"
    "--client-id ID, --client-secret SECRET, --json.\n\n"
    "Every command takes --help. Exit codes: 0 success, 1 refused or failed, 2 bad usage.\n";

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"serve", clv_cmd_serve},     {"init", clv_cmd_init},   {"purge", clv_cmd_purge},
    {"service", clv_cmd_service}, {"client", clv_cmd_client}, {"user", clv_cmd_user},
    {"login", clv_cmd_login},     {"logout", clv_cmd_logout}, {"tenant", clv_cmd_tenant},
    {"key", clv_cmd_key},
};

int main(int argc, char **argv)
{
    int rc = clv_cli_hoist_globals(argc, argv); /* before argv[1] is read */
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (rc >= 0)
        return rc;
    if (cmd != NULL && strcmp(cmd, "--version") == 0) {
        puts("clavis " CLAVIS_VERSION);
        return 0;
    }
    if (cmd == NULL || strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "-h") == 0) {
        fputs(usage, cmd == NULL ? stderr : stdout);
        return cmd == NULL ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "clavis: unknown command '%s'\nTry 'clavis --help'.\n", cmd);
    return 2;
}
