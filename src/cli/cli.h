/* cli — the subcommands of the clavis binary. Each takes argc/argv after the subcommand
 * name and returns the process exit code: 0 success, 1 refused or failed, 2 bad usage
 * (SPEC §5.23). */
#ifndef CLV_CLI_CLI_H
#define CLV_CLI_CLI_H

int clv_cmd_serve(int argc, char **argv);
int clv_cmd_init(int argc, char **argv);
int clv_cmd_purge(int argc, char **argv);

#endif
