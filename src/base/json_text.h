/* json_text — compact JSON text of a jansson value, the same text json_dumps(v,
 * JSON_COMPACT | JSON_ENCODE_ANY) writes, with fewer steps on the paths that answer every
 * request: a string of printable ASCII without '"' or '\' (ids, URLs, tokens, scopes) is
 * copied as it is, and one buffer holds the whole text. Every other string, and every
 * real, is written by jansson itself (json_dumpb), so escaping stays jansson's. */
#ifndef CLV_BASE_JSON_TEXT_H
#define CLV_BASE_JSON_TEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The text of v, NUL-terminated (the caller frees it), its length in *len unless len is
 * NULL; NULL if out of memory or v is NULL. */
char *clv_json_text(const json_t *v, size_t *len);

/* An object written member by member, for text made on every request (token claims)
 * without building a jansson object first. Members are written in call order; the caller
 * sees to it that no key repeats. A failure (out of memory) sticks: end returns NULL. */
typedef struct {
    char *b;
    size_t n, cap;
    bool failed;
    int members;
} clv_json_obj;

void clv_json_obj_begin(clv_json_obj *o);
void clv_json_obj_str(clv_json_obj *o, const char *key, const char *val);
void clv_json_obj_int(clv_json_obj *o, const char *key, json_int_t val);
void clv_json_obj_value(clv_json_obj *o, const char *key, const json_t *val);
/* The text (the caller frees it) and its length; NULL after a failure. */
char *clv_json_obj_end(clv_json_obj *o, size_t *len);

/* Why jansson could not read a text, in plain words for the one who sent it: jansson's own
 * messages name its flags ("... without JSON_ALLOW_NUL") and quote the input. A static
 * string; e is what json_load* filled. */
const char *clv_json_error_words(const json_error_t *e);

#endif
