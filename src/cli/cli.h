/* cli — the subcommands of the clavis binary. Each takes argc/argv after the subcommand
 * name and returns the process exit code: 0 success, 1 refused or failed, 2 bad usage
 * (SPEC §5.23). */
#ifndef CLV_CLI_CLI_H
#define CLV_CLI_CLI_H

int clv_cmd_serve(int argc, char **argv);
int clv_cmd_init(int argc, char **argv);
int clv_cmd_purge(int argc, char **argv);

/* The admin commands: clients of a running server's admin API (admin_cli.h). */
int clv_cmd_service(int argc, char **argv);
int clv_cmd_client(int argc, char **argv);
int clv_cmd_user(int argc, char **argv);
int clv_cmd_login(int argc, char **argv);
int clv_cmd_logout(int argc, char **argv);

#endif
