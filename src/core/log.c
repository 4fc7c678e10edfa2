/* log — one JSON object a line on stderr (see log.h). jansson escapes every string, so
 * nothing a client sends can forge a log line. */
#include "core/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/model.h"

static void emit(json_t *line)
{
    char *text;

    if (line == NULL)
        return;
    text = json_dumps(line, JSON_COMPACT);
    if (text != NULL) {
        fprintf(stderr, "%s\n", text); /* one fprintf: lines of threads do not interleave */
        free(text);
    }
    json_decref(line);
}

void clv_log(const char *level, const char *fmt, ...)
{
    char msg[512], at[21];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    clv_time_format(clv_now(), at);
    emit(json_pack("{s:s, s:s, s:s}", "at", at, "level", level, "msg", msg));
}

void clv_log_request(const char *method, const char *path, int status, int64_t micros)
{
    char at[21];

    clv_time_format(clv_now(), at);
    emit(json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I}", "at", at, "level", "info", "msg",
                   "request", "method", method, "path", path, "status", status, "us",
                   (json_int_t)micros));
}
