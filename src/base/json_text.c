/* json_text — compact JSON text of a jansson value (see json_text.h). */
#include "base/json_text.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef clv_json_obj text; /* the same buffer; members counts an object's members */

static bool reserve(text *t, size_t more)
{
    size_t cap = t->cap;
    char *b;

    if (t->failed)
        return false;
    if (t->n + more + 1 <= cap)
        return true;
    while (cap < t->n + more + 1)
        cap *= 2;
    if ((b = realloc(t->b, cap)) == NULL) {
        t->failed = true;
        return false;
    }
    t->b = b;
    t->cap = cap;
    return true;
}

static void put(text *t, const char *s, size_t n)
{
    if (reserve(t, n)) {
        memcpy(t->b + t->n, s, n);
        t->n += n;
    }
}

/* true when JSON writes s exactly as it is between its quotes. */
static bool plain(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E || s[i] == '"' || s[i] == '\\')
            return false;
    return true;
}

/* v written by jansson (a string that needs escaping, a real). */
static void put_jansson(text *t, const json_t *v)
{
    size_t need = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);

    if (need == 0 || !reserve(t, need)) {
        t->failed = true;
        return;
    }
    t->n += json_dumpb(v, t->b + t->n, need, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void put_string(text *t, const char *s, size_t n, const json_t *v)
{
    json_t *own = NULL;

    if (plain(s, n)) {
        if (reserve(t, n + 2)) {
            t->b[t->n++] = '"';
            memcpy(t->b + t->n, s, n);
            t->n += n;
            t->b[t->n++] = '"';
        }
        return;
    }
    if (v == NULL && (v = own = json_stringn(s, n)) == NULL) { /* an object key */
        t->failed = true;
        return;
    }
    put_jansson(t, v);
    json_decref(own);
}

static void put_value(text *t, const json_t *v)
{
    char num[32];
    const char *key;
    json_t *m;
    size_t i;
    int len;

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        put(t, "{", 1);
        i = 0;
        json_object_foreach((json_t *)v, key, m) {
            if (i++ > 0)
                put(t, ",", 1);
            put_string(t, key, strlen(key), NULL);
            put(t, ":", 1);
            put_value(t, m);
        }
        put(t, "}", 1);
        break;
    case JSON_ARRAY:
        put(t, "[", 1);
        json_array_foreach(v, i, m) {
            if (i > 0)
                put(t, ",", 1);
            put_value(t, m);
        }
        put(t, "]", 1);
        break;
    case JSON_STRING:
        put_string(t, json_string_value(v), json_string_length(v), v);
        break;
    case JSON_INTEGER:
        len = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        put(t, num, (size_t)len);
        break;
    case JSON_REAL:
        put_jansson(t, v);
        break;
    case JSON_TRUE:
        put(t, "true", 4);
        break;
    case JSON_FALSE:
        put(t, "false", 5);
        break;
    case JSON_NULL:
        put(t, "null", 4);
        break;
    }
}

static void start(text *t)
{
    *t = (text){.cap = 512};
    t->failed = (t->b = malloc(t->cap)) == NULL;
}

static char *finish(text *t, size_t *len)
{
    if (t->failed) {
        free(t->b);
        return NULL;
    }
    t->b[t->n] = '\0';
    if (len != NULL)
        *len = t->n;
    return t->b;
}

char *clv_json_text(const json_t *v, size_t *len)
{
    text t;

    if (v == NULL)
        return NULL;
    start(&t);
    put_value(&t, v);
    return finish(&t, len);
}

void clv_json_obj_begin(clv_json_obj *o)
{
    start(o);
    put(o, "{", 1);
}

/* "key": after a comma unless it is the first member. */
static void put_key(clv_json_obj *o, const char *key)
{
    if (o->members++ > 0)
        put(o, ",", 1);
    put_string(o, key, strlen(key), NULL);
    put(o, ":", 1);
}

void clv_json_obj_str(clv_json_obj *o, const char *key, const char *val)
{
    put_key(o, key);
    put_string(o, val, strlen(val), NULL); /* not UTF-8: a failure, as jansson's */
}

void clv_json_obj_int(clv_json_obj *o, const char *key, json_int_t val)
{
    char num[32];
    int len = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, val);

    put_key(o, key);
    put(o, num, (size_t)len);
}

void clv_json_obj_value(clv_json_obj *o, const char *key, const json_t *val)
{
    put_key(o, key);
    if (val == NULL)
        o->failed = true;
    else
        put_value(o, val);
}

char *clv_json_obj_end(clv_json_obj *o, size_t *len)
{
    put(o, "}", 1);
    return finish(o, len);
}

const char *clv_json_error_words(const json_error_t *e)
{
    switch (json_error_code(e)) {
    case json_error_out_of_memory:
        return "out of memory";
    case json_error_cannot_open_file:
        return "the file cannot be read";
    case json_error_stack_overflow:
        return "arrays and objects are nested too deeply";
    case json_error_invalid_utf8:
        return "the text is not valid UTF-8";
    case json_error_premature_end_of_input:
        return "the text ends before the JSON value does";
    case json_error_end_of_input_expected:
        return "there is more text after the JSON value";
    case json_error_null_character:
        return "a string holds the NUL character (\\u0000), which is not allowed";
    case json_error_null_byte_in_key:
        return "an object key holds the NUL character, which is not allowed";
    case json_error_duplicate_key:
        return "an object has the same key twice";
    case json_error_numeric_overflow:
        return "a number is too large";
    default:
        return "this is not valid JSON syntax";
    }
}
