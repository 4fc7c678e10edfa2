/* json_text — compact JSON text of a jansson value, the same text json_dumps(v,
 * JSON_COMPACT | JSON_ENCODE_ANY) writes, with fewer steps on the paths that answer every
 * request: a string of printable ASCII without '"' or '\' (ids, URLs, tokens, scopes) is
 * copied as it is, and one buffer holds the whole text. Every other string, and every
 * real, is written by jansson itself (json_dumpb), so escaping stays jansson's. */
#ifndef CLV_CORE_JSON_TEXT_H
#define CLV_CORE_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* The text of v, NUL-terminated (the caller frees it), its length in *len unless len is
 * NULL; NULL if out of memory or v is NULL. */
char *clv_json_text(const json_t *v, size_t *len);

#endif
