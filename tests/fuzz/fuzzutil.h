/* fuzzutil — what the libFuzzer targets that need a server share: one real clv_app on a
 * fresh SQLite database in a temporary directory (under /dev/shm when there is one, so no
 * write waits for a disk), with a tenant and a live service, made once per process and
 * removed at exit. Everything here aborts on failure: a fuzzer that cannot set up must
 * not report a clean run. The targets that need HTTP requests (libmicrohttpd parses them) run
 * the real server on a loopback port of that app. Linked into every tests/fuzz/fuzz_*.c
 * executable. */
#ifndef CLV_TESTS_FUZZUTIL_H
#define CLV_TESTS_FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "base/model.h"
#include "core/app.h"

/* The issuer of the fuzz app. */
#define CLV_FUZZ_ISSUER "https://fuzz.example"

/* The app (borrowed; lives until exit). Its cfg->listen is a free loopback port. */
clv_app *clv_fuzz_app(void);

/* The live service every fuzz client belongs to (borrowed). */
const char *clv_fuzz_service_id(void);

/* Creates a client in that service from client JSON text (core/client_json.h, without
 * service_id) under the fixed client_id given, so that seed inputs can name it. The
 * client is owned by the caller (clv_client_free). */
clv_client *clv_fuzz_client(const char *client_id, const char *json);

/* Gives the client a secret whose plaintext is known (seed inputs can present it). */
void clv_fuzz_secret(const char *client_id, const char *plaintext);

/* Starts the real HTTP server (src/http/server.c) of the app on its port, as serve does;
 * once, until exit. */
void clv_fuzz_server(void);

/* Sends req[0..len) (whole HTTP/1.1 requests) to the server over a kept-alive connection,
 * started on first use, and reads the answer: its status, or 0 when the server closed
 * the connection without one (twice: a closed connection is retried once afresh). Aborts
 * when no answer comes within 10 s. */
int clv_fuzz_http(const char *req, size_t len);

/* data[0..size) as a malloc'd NUL-terminated string (an embedded NUL ends it early). */
char *clv_fuzz_cstr(const uint8_t *data, size_t size);

#endif
