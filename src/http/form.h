/* form — application/x-www-form-urlencoded bodies (RFC 6749 §4.1.3 and friends) and the
 * HTTP Basic credentials of RFC 6749 §2.3.1. Strict: a repeated parameter, bad percent
 * escape or invalid UTF-8 is refused (RFC 6749 §3.1: parameters must not repeat). */
#ifndef CLV_HTTP_FORM_H
#define CLV_HTTP_FORM_H

#include <stddef.h>

#include "base/err.h"

enum { CLV_FORM_MAX = 32 };

typedef struct {
    char *names[CLV_FORM_MAX];
    char *values[CLV_FORM_MAX];
    int count;
} clv_form;

/* Parses body[0..len) into form (caller's storage; clv_form_cleanup after, on any
 * code). CLV_INVALID naming the parameter on any fault. */
clv_code clv_form_parse(const char *body, size_t len, clv_form *form, clv_err *err);

/* The decoded value of name, borrowed; NULL if absent. */
const char *clv_form_get(const clv_form *form, const char *name);

/* Frees (and wipes: values may be secrets) everything; the struct is zeroed. */
void clv_form_cleanup(clv_form *form);

/* Decodes "Basic base64(urlencode(id) ":" urlencode(secret))" into *id and *secret
 * (malloc'd; wipe the secret with clv_free_secret). CLV_INVALID_CLIENT if malformed. */
clv_code clv_basic_parse(const char *header, char **id, char **secret, clv_err *err);

/* Percent-decodes s[0..n) ('+' is a space) into a new string; NULL if malformed or not
 * valid UTF-8 or containing NUL. */
char *clv_form_decode(const char *s, size_t n);

#endif
