/* form — urlencoded form and Basic credentials parsing (see form.h). */
#include "http/form.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/b64.h"
#include "crypto/hash.h"
#include "http/http.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *clv_form_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t o = 0;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (!clv_utf8_valid(out, o)) {
        clv_wipe(out, o);
        free(out);
        return NULL;
    }
    return out;
}

const char *clv_form_get(const clv_form *form, const char *name)
{
    for (int i = 0; i < form->count; i++)
        if (strcmp(form->names[i], name) == 0)
            return form->values[i];
    return NULL;
}

void clv_form_cleanup(clv_form *form)
{
    for (int i = 0; i < form->count; i++) {
        free(form->names[i]);
        clv_free_secret(form->values[i]);
    }
    memset(form, 0, sizeof *form);
}

clv_code clv_form_parse(const char *body, size_t len, clv_form *form, clv_err *err)
{
    size_t i = 0;

    memset(form, 0, sizeof *form);
    while (i < len) {
        size_t end = i, eq;
        char *name, *value;
        while (end < len && body[end] != '&')
            end++;
        if (end == i) { /* empty pair ("a=1&&b=2"): tolerated */
            i++;
            continue;
        }
        for (eq = i; eq < end && body[eq] != '='; eq++)
            ;
        name = clv_form_decode(body + i, eq - i);
        value = clv_form_decode(body + (eq < end ? eq + 1 : end), eq < end ? end - eq - 1 : 0);
        if (name == NULL || value == NULL || name[0] == '\0') {
            free(name);
            clv_free_secret(value);
            return clv_fail(err, CLV_INVALID, "the form body is malformed");
        }
        if (clv_form_get(form, name) != NULL || form->count == CLV_FORM_MAX) {
            clv_code rc = clv_fail_field(err, CLV_INVALID, name,
                                         form->count == CLV_FORM_MAX
                                             ? "too many parameters"
                                             : "parameter '%.40s' is repeated",
                                         name);
            free(name);
            clv_free_secret(value);
            return rc;
        }
        form->names[form->count] = name;
        form->values[form->count++] = value;
        i = end + 1;
    }
    return CLV_OK;
}

clv_code clv_basic_parse(const char *header, char **id, char **secret, clv_err *err)
{
    unsigned char *raw = NULL;
    size_t rawlen = 0;
    char *colon, *i = NULL, *s = NULL;

    if (header == NULL || strncasecmp(header, "Basic ", 6) != 0)
        return clv_fail(err, CLV_INVALID_CLIENT, "malformed Basic credentials");
    header += 6;
    while (*header == ' ')
        header++;
    if (strlen(header) > 4096 || !clv_b64_decode(header, strlen(header), &raw, &rawlen))
        return clv_fail(err, CLV_INVALID_CLIENT, "malformed Basic credentials");
    colon = memchr(raw, ':', rawlen);
    if (colon != NULL) {
        /* RFC 6749 §2.3.1: both halves are form-urlencoded before base64. */
        i = clv_form_decode((char *)raw, (size_t)(colon - (char *)raw));
        s = clv_form_decode(colon + 1, rawlen - (size_t)(colon + 1 - (char *)raw));
    }
    clv_wipe(raw, rawlen);
    free(raw);
    if (i == NULL || s == NULL || i[0] == '\0') {
        free(i);
        clv_free_secret(s);
        return clv_fail(err, CLV_INVALID_CLIENT, "malformed Basic credentials");
    }
    *id = i;
    *secret = s;
    return CLV_OK;
}
