/* main — the clavis binary: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "Usage: clavis COMMAND [OPTIONS]\n"
    "Clavis is an OAuth 2.0 / OpenID Connect authorization server centred on client\n"
    "management.\n\n"
    "Commands:\n"
    "  serve     run the server (clavis serve --help)\n"
    "  init      create the database, keys and the first administrator\n"
    "  purge     remove deleted clients and services whose retention has passed\n"
    "  help      show this help\n\n"
    "Every command takes --help.\n";

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (cmd == NULL || strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "-h") == 0) {
        fputs(usage, cmd == NULL ? stderr : stdout);
        return cmd == NULL ? 2 : 0;
    }
    if (strcmp(cmd, "serve") == 0)
        return clv_cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "init") == 0)
        return clv_cmd_init(argc - 1, argv + 1);
    if (strcmp(cmd, "purge") == 0)
        return clv_cmd_purge(argc - 1, argv + 1);
    fprintf(stderr, "clavis: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
