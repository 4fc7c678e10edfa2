/* testutil — what the unit suites share: temporary directories and a real clv_app on a
 * fresh database in one. Linked into every tests/unit/test_*.c executable. */
#ifndef CLV_TESTS_TESTUTIL_H
#define CLV_TESTS_TESTUTIL_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"
#include "core/app.h"
#include "store/store.h"

/* Makes /tmp/clv_<name>_XXXXXX (or <parent>/tXXXXXX when parent is not NULL) into buf;
 * fails the test if it cannot. */
void clv_test_mkdtemp(char *buf, size_t n, const char *parent, const char *name);

/* Removes a directory tree of our own temporary files, children first. */
void clv_test_rm_tree(const char *path);

/* A config (CLAVIS_* ignored) on the SQLite file dir/db_name with issuer. */
void clv_test_config(clv_config *c, const char *dir, const char *db_name, const char *issuer);

/* Opens an app on c, failing the test with the detail if it cannot. */
clv_app *clv_test_app_open(const clv_config *c);

/* The bounds of docs/DESIGN.md M by hand (RS256; access tokens 60..3600 s, default 3600; refresh
 * tokens 30 days default, 90 days max), without the strings clv_config_init allocates. */
void clv_test_bounds_config(clv_config *c);

/* Runs the suite, each test in its own process (CK_FORK); frees it. Returns the exit status
 * for main: EXIT_SUCCESS when every test passed. */
int clv_test_run(Suite *s);

/* Parses test JSON text (duplicates refused), failing the test if it is not JSON. */
json_t *clv_test_json(const char *text);

/* clv_store_purge(s, now) with only the number of rows it removed (into *n on CLV_OK); the
 * list of them is freed. */
clv_code clv_test_store_purge(clv_store *s, int64_t now, int *n);

/* ---- the store suites (test_store*.c): one suite every backend passes ----
 * The backend comes from CLAVIS_TEST_STORE_URL: unset, empty or "sqlite", SQLite (a new
 * file in each test's directory); else the backend whose URL scheme it starts with, from
 * the table in testutil.c, which makes a fresh store per test from that URL and removes
 * it after (see the top of test_store.c). */

/* The name of the backend under test ("sqlite", …). Exits the program with a message when
 * CLAVIS_TEST_STORE_URL names no backend of the table. */
const char *clv_test_store_backend(void);

/* true if the backend under test is `name`: the suites add the cases only one backend
 * passes (SQLite's upgrades from old releases, its q index) when it is. */
bool clv_test_store_on(const char *name);

/* PostgreSQL: ends every other session on the database of url (as a server restart
 * would), waiting until they are gone. */
void clv_test_store_pg_drop_sessions(const char *url);
/* How many other sessions are connected to url's database. */
int clv_test_store_pg_sessions(const char *url);
/* Runs sql (one or more statements, on a connection of its own) and returns the first
 * column of every row of every result, a line each (caller frees). */
char *clv_test_store_pg_query(const char *url, const char *sql);

/* The store suites' fixture, added to tc: per test case a temporary root directory (made
 * and removed by the parent process, so a failed test leaves nothing behind), per test a
 * directory inside it (into dir, CLV_TEST_DIR_MAX bytes) and a fresh, empty store of the
 * backend under test (its URL into url, CLV_TEST_URL_MAX bytes: for SQLite the path
 * dir/test.db; *store), migrated unless `migrated` is false; freed and removed after the
 * test. One suite per test program uses it. */
enum { CLV_TEST_DIR_MAX = 128, CLV_TEST_URL_MAX = 256 };

/* The ids of the clients f lists from store, walking every page, joined by spaces into ids
 * (cap bytes; the test fails when they do not fit). */
void clv_test_store_list_ids(clv_store *store, clv_client_filter f, char *ids, size_t cap);
void clv_test_store_fixture(TCase *tc, clv_store **store, char *dir, char *url, bool migrated);

#endif
