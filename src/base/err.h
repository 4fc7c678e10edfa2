/* err — the one result-code space of Clavis and the detail record that goes with it.
 *
 * Every fallible function returns a clv_code and, on failure, records a human-readable
 * detail in a caller-supplied clv_err (which may be NULL when the caller does not care).
 * One X-macro table gives each code its HTTP status and its RFC 6749 / RFC 7591 error
 * name; only src/http turns them into responses. */
#ifndef CLV_BASE_ERR_H
#define CLV_BASE_ERR_H

#include <stddef.h>

/*    name                    HTTP  OAuth error name          */
#define CLV_CODES(X)                                            \
    X(CLV_OK,                 200, "ok")                        \
    X(CLV_INVALID,            400, "invalid_request")           \
    X(CLV_UNSUPPORTED_MEDIA,  415, "invalid_request")           \
    X(CLV_TOO_LARGE,          413, "invalid_request")           \
    X(CLV_UNAUTHENTICATED,    401, "invalid_token")             \
    X(CLV_FORBIDDEN,          403, "insufficient_scope")        \
    X(CLV_NOT_FOUND,          404, "not_found")                 \
    X(CLV_METHOD,             405, "invalid_request")           \
    X(CLV_CONFLICT,           409, "conflict")                  \
    X(CLV_PRECONDITION,       412, "precondition_failed")       \
    X(CLV_INVALID_CLIENT,     401, "invalid_client")            \
    X(CLV_INVALID_GRANT,      400, "invalid_grant")             \
    X(CLV_UNAUTHORIZED_CLIENT, 400, "unauthorized_client")      \
    X(CLV_UNSUPPORTED_GRANT,  400, "unsupported_grant_type")    \
    X(CLV_INVALID_SCOPE,      400, "invalid_scope")             \
    X(CLV_INVALID_TARGET,     400, "invalid_target")            \
    X(CLV_UNSUPPORTED_RESPONSE_TYPE, 400, "unsupported_response_type") \
    X(CLV_ACCESS_DENIED,      403, "access_denied")             \
    X(CLV_LOGIN_REQUIRED,     400, "login_required")            \
    X(CLV_CONSENT_REQUIRED,   400, "consent_required")          \
    X(CLV_THROTTLED,          429, "temporarily_unavailable")   \
    X(CLV_UNAVAILABLE,        503, "temporarily_unavailable")   \
    X(CLV_NOMEM,              500, "server_error")              \
    X(CLV_STORE,              500, "server_error")              \
    X(CLV_CRYPTO,             500, "server_error")              \
    X(CLV_INTERNAL,           500, "server_error")

typedef enum {
#define CLV_X_ENUM(name, status, oauth) name,
    CLV_CODES(CLV_X_ENUM)
#undef CLV_X_ENUM
        CLV_CODE_COUNT
} clv_code;

enum { CLV_ERR_DETAIL_MAX = 256, CLV_ERR_FIELD_MAX = 64 };
/* Room for the text clv_err_text writes: field, ": ", detail and the NUL. */
enum { CLV_ERR_TEXT_MAX = CLV_ERR_FIELD_MAX + 2 + CLV_ERR_DETAIL_MAX };

/* A failure record, in the caller's storage. `field` names the offending input field
 * (e.g. "redirect_uris[1]") when the failure is about one, else it is empty. `detail` is
 * the message alone ("must be at most 200 characters"): it never repeats the field, which
 * clv_err_text puts in front of it. retry_after is the seconds a CLV_THROTTLED caller
 * should wait (RFC 6585 §4 Retry-After), else 0. */
typedef struct {
    clv_code code;
    int retry_after;
    char field[CLV_ERR_FIELD_MAX];
    char detail[CLV_ERR_DETAIL_MAX];
} clv_err;

/* Resets *err to CLV_OK with empty field and detail. NULL is a no-op. */
void clv_err_init(clv_err *err);

/* Records code and a printf-style detail in err (NULL: ignored); returns code so that
 * callers can write `return clv_fail(err, CLV_INVALID, "...")`. */
clv_code clv_fail(clv_err *err, clv_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As clv_fail, and names the offending field. */
clv_code clv_fail_field(clv_err *err, clv_code code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The one text that tells a caller what failed (docs/API.md, "Admin errors"):
 * "<field>: <detail>" when err names a field, else the detail alone. It is the `detail` of
 * an admin problem+json, the `error_description` of a registration error (RFC 7591
 * §3.2.2), and what the CLI prints. Writes into buf (cap bytes, CLV_ERR_TEXT_MAX holds
 * any; always NUL-terminated, valid UTF-8 when cap suffices) and returns buf. */
const char *clv_err_text(const clv_err *err, char *buf, size_t cap);

/* The HTTP status of a code (500 for an unknown one). */
int clv_code_status(clv_code code);

/* The RFC 6749 / RFC 7591 error name of a code ("server_error" for an unknown one). */
const char *clv_code_oauth(clv_code code);

/* The enum's own name, for logs ("CLV_STORE"). */
const char *clv_code_name(clv_code code);

#endif
