/* libFuzzer target for the redirect-URI check and the URI splitter behind it
 * (src/core/client_json_rules.c, src/base/uri.c). Beyond "no crash, no sanitizer report",
 * it checks the promises of docs/DESIGN.md M on every accepted input: at most 2000 characters, no
 * fragment, no whitespace or control character, no wildcard or user information in the
 * host part, and https only with a host. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/uri.h"
#include "core/client_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void accepted_invariants(const char *s)
{
    char host[2048];
    const char *authority = strstr(s, "://");

    if (strlen(s) > 2000 || strchr(s, '#') != NULL)
        abort();
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p <= 0x20 || *p >= 0x7F || *p == '\\')
            abort();
    if (authority != NULL && clv_uri_host(s, host, sizeof host) &&
        (strchr(host, '*') != NULL || strchr(host, '@') != NULL))
        abort();
    if (strncmp(s, "https:", 6) == 0 && !clv_uri_host(s, host, sizeof host))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    char host[64];
    clv_err err;

    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0'; /* the check takes a C string; an embedded NUL just ends it early */
    clv_err_init(&err);
    if (clv_redirect_uri_check(s, "redirect_uris[0]", &err) == CLV_OK)
        accepted_invariants(s);
    else if (err.code != CLV_INVALID || err.detail[0] == '\0')
        abort();
    (void)clv_uri_host(s, host, sizeof host); /* small buffer: must refuse, never overflow */
    free(s);
    return 0;
}
