/* err — result codes and failure records (see err.h). */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int status;
    const char *oauth;
} codes[] = {
#define CLV_X_ROW(name, status, oauth) {#name, status, oauth},
    CLV_CODES(CLV_X_ROW)
#undef CLV_X_ROW
};

void clv_err_init(clv_err *err)
{
    if (err == NULL)
        return;
    err->code = CLV_OK;
    err->retry_after = 0;
    err->field[0] = '\0';
    err->detail[0] = '\0';
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if it is not one (RFC 3629). */
static size_t utf8_seq(const unsigned char *p)
{
    size_t len = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3
               : (p[0] & 0xF8) == 0xF0 ? 4 : 0;

    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* Details and field names quote what a client sent, cut to fit: make them valid UTF-8
 * again (a cut sequence or a stray byte becomes '?'), so that the JSON error that carries
 * them can always be written. */
static void make_utf8(char *s)
{
    unsigned char *p = (unsigned char *)s;

    while (*p != '\0') {
        size_t len = utf8_seq(p), tail = 1;
        if (len > 0) {
            p += len;
            continue;
        }
        while ((p[tail] & 0xC0) == 0x80)
            tail++;
        if (p[tail] == '\0' && *p >= 0xC0) { /* a character cut by the buffer: drop it */
            *p = '\0';
            return;
        }
        *p++ = '?';
    }
}

__attribute__((format(printf, 4, 0))) static void record(clv_err *err, clv_code code,
                                                         const char *field, const char *fmt,
                                                         va_list ap)
{
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field != NULL ? field : "");
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    make_utf8(err->field);
    make_utf8(err->detail);
}

clv_code clv_fail(clv_err *err, clv_code code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    va_start(ap, fmt);
    record(err, code, NULL, fmt, ap);
    va_end(ap);
    return code;
}

clv_code clv_fail_field(clv_err *err, clv_code code, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    va_start(ap, fmt);
    record(err, code, field, fmt, ap);
    va_end(ap);
    return code;
}

const char *clv_err_text(const clv_err *err, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    if (err->field[0] != '\0')
        snprintf(buf, cap, "%s: %s", err->field, err->detail);
    else
        snprintf(buf, cap, "%s", err->detail);
    return buf;
}

int clv_code_status(clv_code code)
{
    if ((unsigned)code >= CLV_CODE_COUNT)
        return 500;
    return codes[code].status;
}

const char *clv_code_oauth(clv_code code)
{
    if ((unsigned)code >= CLV_CODE_COUNT)
        return "server_error";
    return codes[code].oauth;
}

const char *clv_code_name(clv_code code)
{
    if ((unsigned)code >= CLV_CODE_COUNT)
        return "CLV_UNKNOWN";
    return codes[code].name;
}
