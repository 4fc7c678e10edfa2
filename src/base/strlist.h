/* strlist — the two shapes a list of words takes in Clavis: a space-separated string
 * (scope, RFC 6749 §3.3) and a JSON array of strings (scopes, roles). One home for "does
 * this list hold that word". */
#ifndef CLV_BASE_STRLIST_H
#define CLV_BASE_STRLIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* true if the space-separated list holds the word w[0..n). NULL list: false. */
bool clv_words_has(const char *list, const char *w, size_t n);

/* As clv_words_has, for a NUL-terminated word. */
bool clv_scope_word(const char *list, const char *w);

/* true if every word of sub is in list (an empty sub is in every list). */
bool clv_words_subset(const char *sub, const char *list);

/* A copy of the space-separated list without the word w (malloc'd; NULL when out of
 * memory). */
char *clv_words_without(const char *list, const char *w);

/* true if the JSON array holds the string s (NUL-free, compared whole). */
bool clv_strarr_has(const json_t *arr, const char *s);

/* As clv_strarr_has, for the n bytes at s (a word inside a longer string). */
bool clv_strarr_hasn(const json_t *arr, const char *s, size_t n);

#endif
