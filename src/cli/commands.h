/* commands — the subcommands of the clavis binary. Each takes argc/argv after the subcommand
 * name and returns the process exit code: 0 success, 1 refused or failed, 2 bad usage
 * (docs/DESIGN.md R23). */
#ifndef CLV_CLI_COMMANDS_H
#define CLV_CLI_COMMANDS_H

int clv_cmd_serve(int argc, char **argv);
int clv_cmd_init(int argc, char **argv);
int clv_cmd_purge(int argc, char **argv);

/* The admin commands: clients of a running server's admin API (admin_commands.h). */
int clv_cmd_service(int argc, char **argv);
int clv_cmd_client(int argc, char **argv);
int clv_cmd_user(int argc, char **argv);
int clv_cmd_tenant(int argc, char **argv);
int clv_cmd_login(int argc, char **argv);
int clv_cmd_logout(int argc, char **argv);
int clv_cmd_export(int argc, char **argv);
int clv_cmd_apply(int argc, char **argv);

/* ---- the command table (cli_main.c): one list drives dispatch, `clavis help` and
 * `clavis completion` ---- */

#include "cli/admin_commands.h"

typedef struct {
    const char *name;
    const char *summary;        /* its line in `clavis help` */
    const clv_cli_group *group; /* a group of admin commands (service, client, …), or NULL */
    const clv_cli_cmd *cmd;     /* an admin command without subcommands (login, apply), or NULL */
    int (*run)(int argc, char **argv); /* else (or to wrap cmd): argv[0] is the name */
    int server;                        /* serve 2, init and purge 1: their options (cmd_server.c) */
    const char *const *words;          /* the words its one argument takes (completion), or NULL */
} clv_cli_top;

/* Every command of clavis, ending with an entry whose name is NULL. */
extern const clv_cli_top clv_cli_commands[];

/* The whole command line: argv as main gets it; version for --version. Returns the exit
 * code. */
int clv_cli_main(int argc, char **argv, const char *version);

/* `clavis completion bash|zsh|fish`: a completion script made from clv_cli_commands. */
int clv_cmd_completion(int argc, char **argv);

/* The groups and commands the table names (cli_*.c). */
extern const clv_cli_group clv_cli_service_group, clv_cli_client_group, clv_cli_user_group,
    clv_cli_tenant_group, clv_cli_audit_group, clv_cli_iat_group, clv_cli_server_group,
    clv_cli_key_group;
extern const clv_cli_cmd clv_cli_login_cmds[], clv_cli_apply_cmds[];

/* Lets the global options of the admin commands (--url, --client-id and --client-secret
 * with their values, --json; docs/CLI.md) come before the command's name: moves the ones
 * found there to after the command's arguments (before a "--"), so that
 * `clavis --json client list` runs as `clavis client list --json`. argv[0] is the
 * program's name. Returns -1 to go on, else 2 after a one-line message (a value missing,
 * an unknown option) and a hint. */
int clv_cli_hoist_globals(int argc, char **argv);

#endif
