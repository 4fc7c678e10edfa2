/* log — one JSON object (or one text line) a line on stderr (see log.h). jansson escapes
 * every string, in text lines too, so nothing a client sends can forge a log line. */
#include "base/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_text.h"
#include "base/model.h"

enum { VALUE_MAX = 256, RID_MAX = 128, CLIENT_MAX = 128 };

static bool as_text;

/* The request this thread serves: its id, and what its line says. */
static _Thread_local struct {
    char rid[RID_MAX + 1];
    char client[CLIENT_MAX + 1];
    const char *cause;
} cur;

void clv_log_set_text(bool text)
{
    as_text = text;
}

/* A text line's value: bare when it is a plain word, else JSON-quoted (escaped). */
static void text_value(FILE *f, json_t *v)
{
    const char *s = json_string_value(v);
    char *q;

    if (s != NULL && s[0] != '\0' &&
        s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789-_.:/@+,[]")] == '\0') {
        fputs(s, f);
        return;
    }
    q = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    fputs(q != NULL ? q : "?", f);
    free(q);
}

/* "AT LEVEL MSG key=value …" in one buffer, written by one fputs. */
static char *text_line(json_t *line)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *key;
    json_t *v;

    if (f == NULL)
        return NULL;
    fprintf(f, "%s %s %s", json_string_value(json_object_get(line, "at")),
            json_string_value(json_object_get(line, "level")),
            json_string_value(json_object_get(line, "msg")));
    json_object_foreach(line, key, v) {
        if (strcmp(key, "at") == 0 || strcmp(key, "level") == 0 || strcmp(key, "msg") == 0)
            continue;
        fprintf(f, " %s=", key);
        text_value(f, v);
    }
    fclose(f);
    return buf;
}

static void emit(json_t *line)
{
    char *text;

    if (line == NULL)
        return;
    if (cur.rid[0] != '\0' && json_object_get(line, "request_id") == NULL)
        json_object_set_new(line, "request_id", json_string(cur.rid));
    text = as_text ? text_line(line) : json_dumps(line, JSON_COMPACT);
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

/* s (NULL: "") into buf of cap bytes, cut to fit; cheaper than snprintf, per request. */
static void copy_cut(char *buf, size_t cap, const char *s)
{
    size_t n = s != NULL ? strnlen(s, cap - 1) : 0;

    memcpy(buf, s != NULL ? s : "", n);
    buf[n] = '\0';
}

void clv_log_begin(const char *request_id)
{
    copy_cut(cur.rid, sizeof cur.rid, request_id);
    cur.client[0] = '\0';
    cur.cause = NULL;
}

void clv_log_note_client(const char *client_id)
{
    copy_cut(cur.client, sizeof cur.client, client_id);
}

void clv_log_note_cause(const char *cause)
{
    cur.cause = cause;
}

void clv_log_end(void)
{
    cur.rid[0] = '\0';
    cur.client[0] = '\0';
    cur.cause = NULL;
}

/* A member of a request line: copied when it is short printable ASCII (the usual case),
 * else through log_value (cut to VALUE_MAX bytes, "?" when not UTF-8). */
static void request_member(clv_json_obj *o, const char *key, const char *value)
{
    size_t n = 0;
    json_t *j;

    while (value[n] >= 0x20 && value[n] < 0x7f && n <= VALUE_MAX)
        n++;
    if (value[n] == '\0' && n <= VALUE_MAX) {
        clv_json_obj_str(o, key, value);
        return;
    }
    j = log_value(value);
    clv_json_obj_value(o, key, j);
    json_decref(j);
}

/* The JSON request line, written member by member (no jansson object: it is made for
 * every request); NULL when out of memory. */
static char *request_json(const char *at, const char *method, const char *path, int status,
                          int64_t micros, size_t *len)
{
    clv_json_obj o;

    clv_json_obj_begin(&o);
    clv_json_obj_str(&o, "at", at);
    clv_json_obj_str(&o, "level", "info");
    clv_json_obj_str(&o, "msg", "request");
    request_member(&o, "request_id", cur.rid);
    request_member(&o, "method", method);
    request_member(&o, "path", path);
    clv_json_obj_int(&o, "status", status);
    clv_json_obj_int(&o, "us", (json_int_t)micros);
    if (cur.client[0] != '\0')
        request_member(&o, "client_id", cur.client);
    if (cur.cause != NULL)
        clv_json_obj_str(&o, "cause", cur.cause);
    return clv_json_obj_end(&o, len);
}

void clv_log_request(const char *method, const char *path, int status, int64_t micros)
{
    char at[21], *text;
    size_t len;
    json_t *line;

    clv_time_format(clv_now(), at);
    if (!as_text) {
        if ((text = request_json(at, method, path, status, micros, &len)) != NULL) {
            text[len] = '\n'; /* over the NUL: one fwrite, one line */
            fwrite(text, 1, len + 1, stderr);
            free(text);
        }
        clv_log_end();
        return;
    }
    line = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:I}", "at", at, "level", "info", "msg",
                     "request", "request_id", cur.rid, "method", method, "path", log_value(path),
                     "status", status, "us", (json_int_t)micros);
    if (line != NULL && cur.client[0] != '\0')
        json_object_set_new(line, "client_id", log_value(cur.client));
    if (line != NULL && cur.cause != NULL)
        json_object_set_new(line, "cause", json_string(cur.cause));
    emit(line);
    clv_log_end();
}
