/* server_options — the options that serve, init and purge share (cmd_server.c). */
#ifndef CLV_CLI_SERVER_OPTIONS_H
#define CLV_CLI_SERVER_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"

typedef struct {
    bool json, help;
    const char *now; /* clavis purge --now TIME: the purge's clock, for tests (argv's) */
} cli_flags;

/* Fills cfg from the defaults, CLAVIS_* variables and argv (server: accept --listen and
 * --issuer). Returns -1 to go on, else the exit code to return (0 after --help, 2 after a
 * usage error, printed). cfg needs clv_config_cleanup either way. */
int clv_cli_setup(int argc, char **argv, clv_config *cfg, cli_flags *fl, const char *help,
                  bool server);

/* The long options of serve (serve true) or of init and purge, for completion: the i-th name
 * (without "--"), NULL past the last; *value (may be NULL) whether it takes a value. */
const char *clv_cli_server_flag(size_t i, bool serve, bool *value);

#endif
