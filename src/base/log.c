/* log — one JSON object a line on stderr (see log.h). jansson escapes every string, so
 * nothing a client sends can forge a log line. */
#include "base/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/model.h"

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

enum { VALUE_MAX = 256 };

/* value as a JSON string, cut to VALUE_MAX bytes without splitting a UTF-8 sequence. */
static json_t *log_value(const char *value)
{
    size_t n = strlen(value);
    json_t *j;

    if (n > VALUE_MAX) {
        n = VALUE_MAX;
        while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
            n--; /* value[n] continues a sequence: cut before it starts */
    }
    j = json_stringn(value, n);
    return j != NULL ? j : json_string("?");
}

void clv_log_kv(const char *level, const char *msg, const char *const kv[][2], size_t n)
{
    char at[21];
    json_t *line;

    clv_time_format(clv_now(), at);
    line = json_pack("{s:s, s:s, s:s}", "at", at, "level", level, "msg", msg);
    for (size_t i = 0; line != NULL && i < n; i++)
        if (kv[i][1] != NULL)
            json_object_set_new(line, kv[i][0], log_value(kv[i][1]));
    emit(line);
}

void clv_log_request(const char *method, const char *path, int status, int64_t micros)
{
    char at[21];

    clv_time_format(clv_now(), at);
    emit(json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I}", "at", at, "level", "info", "msg",
                   "request", "method", method, "path", path, "status", status, "us",
                   (json_int_t)micros));
}
