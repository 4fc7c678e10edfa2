/* err — result codes and failure records (see err.h). */
#include "core/err.h"

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
    err->field[0] = '\0';
    err->detail[0] = '\0';
}

__attribute__((format(printf, 4, 0))) static void record(clv_err *err, clv_code code, const char *field, const char *fmt, va_list ap)
{
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field != NULL ? field : "");
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
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
