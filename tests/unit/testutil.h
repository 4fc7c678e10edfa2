/* testutil — what the unit suites share: temporary directories and a real clv_app on a
 * fresh database in one. Linked into every tests/unit/test_*.c executable. */
#ifndef CLV_TESTS_TESTUTIL_H
#define CLV_TESTS_TESTUTIL_H

#include <stddef.h>

#include "core/app.h"
#include "core/config.h"

/* Makes /tmp/clv_<name>_XXXXXX (or <parent>/tXXXXXX when parent is not NULL) into buf;
 * fails the test if it cannot. */
void clv_test_mkdtemp(char *buf, size_t n, const char *parent, const char *name);

/* Removes a directory tree of our own temporary files, children first. */
void clv_test_rm_tree(const char *path);

/* A config (CLAVIS_* ignored) on the SQLite file dir/db_name with issuer. */
void clv_test_config(clv_config *c, const char *dir, const char *db_name, const char *issuer);

/* Opens an app on c, failing the test with the detail if it cannot. */
clv_app *clv_test_app_open(const clv_config *c);

#endif
