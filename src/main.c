/* main — the clavis binary: the command table and its dispatch are in cli/cli_main.c. */
#include "cli/commands.h"

#ifndef CLAVIS_VERSION
#define CLAVIS_VERSION "unknown" /* CMakeLists.txt passes the project's VERSION */
#endif

int main(int argc, char **argv)
{
    return clv_cli_main(argc, argv, CLAVIS_VERSION);
}
