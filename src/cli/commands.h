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
int clv_cmd_key(int argc, char **argv);
int clv_cmd_login(int argc, char **argv);
int clv_cmd_logout(int argc, char **argv);

/* Lets the global options of the admin commands (--url, --client-id and --client-secret
 * with their values, --json; docs/CLI.md) come before the command's name: moves the ones
 * found there to after the command's arguments (before a "--"), so that
 * `clavis --json client list` runs as `clavis client list --json`. argv[0] is the
 * program's name. Returns -1 to go on, else 2 after a one-line message (a value missing,
 * an unknown option) and a hint. */
int clv_cli_hoist_globals(int argc, char **argv);

#endif
