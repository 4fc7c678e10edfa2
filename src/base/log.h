/* log — structured logs on stderr: one JSON object a line (the default), or one line of
 * "TIME LEVEL MESSAGE key=value…" (--log-format text). Never pass a secret, token or
 * password to these functions. */
#ifndef CLV_BASE_LOG_H
#define CLV_BASE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Switches every later line to text (true) or JSON (false, the default); set once at
 * start-up, before threads. */
void clv_log_set_text(bool text);

/* {"at":…, "level":…, "msg":…} (with "request_id" inside a request, see clv_log_begin) */
void clv_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* {"at":…, "level":…, "msg":…} and one member kv[i][0]: kv[i][1] for each pair whose value
 * is not NULL. Values are cut to 256 bytes (at a character boundary); a value that is not
 * UTF-8 is logged as "?". */
void clv_log_kv(const char *level, const char *msg, const char *const kv[][2], size_t n);

/* ---- the request this thread serves (one at a time) ---- */

/* Starts a request: every line until clv_log_end carries request_id (copied). */
void clv_log_begin(const char *request_id);
/* What the request's line says beyond method, path and status: the client it named
 * (copied, cut to 128 bytes) and why its authentication failed (a static string). The
 * last note wins. */
void clv_log_note_client(const char *client_id);
void clv_log_note_cause(const char *cause);
/* {"at":…, "level":"info", "msg":"request", "request_id":…, "method":…, "path":…,
 * "status":…, "us":…, "client_id"?, "cause"?}; path must be given without its query
 * string. Ends the request (clv_log_end). */
void clv_log_request(const char *method, const char *path, int status, int64_t micros);
/* Ends the request without a line. */
void clv_log_end(void);

#endif
