/* strlist — words in lists (see strlist.h). */
#include "base/strlist.h"

#include <stdlib.h>
#include <string.h>

bool clv_words_has(const char *list, const char *w, size_t n)
{
    for (const char *p = list; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, " ");
        if (len == n && memcmp(p, w, n) == 0)
            return true;
        p += len + (p[len] == ' ');
    }
    return false;
}

bool clv_scope_word(const char *list, const char *w)
{
    return clv_words_has(list, w, strlen(w));
}

bool clv_words_subset(const char *sub, const char *list)
{
    for (const char *p = sub; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, " ");
        if (len > 0 && !clv_words_has(list, p, len))
            return false;
        p += len + (p[len] == ' ');
    }
    return true;
}

bool clv_strarr_has(const json_t *arr, const char *s)
{
    return clv_strarr_hasn(arr, s, strlen(s));
}

bool clv_strarr_hasn(const json_t *arr, const char *s, size_t n)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v) {
        if (json_is_string(v) && json_string_length(v) == n &&
            memcmp(json_string_value(v), s, n) == 0)
            return true;
    }
    return false;
}

char *clv_words_without(const char *list, const char *w)
{
    size_t n = strlen(w), o = 0;
    char *out = malloc(strlen(list) + 1);

    if (out == NULL)
        return NULL;
    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, " ");
        if (len > 0 && !(len == n && memcmp(p, w, n) == 0)) {
            if (o > 0)
                out[o++] = ' ';
            memcpy(out + o, p, len);
            o += len;
        }
        p += len + (p[len] == ' ');
    }
    out[o] = '\0';
    return out;
}
