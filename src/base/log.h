/* log — structured logs: one JSON object a line on stderr. Never pass a secret, token or
 * password to these functions. */
#ifndef CLV_BASE_LOG_H
#define CLV_BASE_LOG_H

#include <stddef.h>
#include <stdint.h>

/* {"at":…, "level":…, "msg":…} */
void clv_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* {"at":…, "level":…, "msg":…} and one member kv[i][0]: kv[i][1] for each pair whose value
 * is not NULL. Values are cut to 256 bytes (at a character boundary); a value that is not
 * UTF-8 is logged as "?". */
void clv_log_kv(const char *level, const char *msg, const char *const kv[][2], size_t n);

/* {"at":…, "level":"info", "msg":"request", "method":…, "path":…, "status":…, "us":…};
 * path is logged without its query string. */
void clv_log_request(const char *method, const char *path, int status, int64_t micros);

#endif
