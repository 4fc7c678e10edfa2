/* cookie — reading the Cookie header and writing Set-Cookie (RFC 6265) (see web.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/web.h"

bool clv_req_cookie(const clv_req *r, const char *name, char *out, size_t n)
{
    const char *h = clv_req_header(r, "Cookie");
    size_t nlen = strlen(name);

    /* RFC 6265 §5.4: "name=value" pairs separated by "; "; the first match wins. */
    for (const char *p = h; p != NULL && *p != '\0';) {
        size_t len;
        while (*p == ' ' || *p == ';')
            p++;
        len = strcspn(p, ";");
        if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            size_t vlen = len - nlen - 1;
            while (vlen > 0 && p[nlen + vlen] == ' ')
                vlen--;
            if (vlen == 0 || vlen >= n)
                return false;
            memcpy(out, p + nlen + 1, vlen);
            out[vlen] = '\0';
            return true;
        }
        p += len;
    }
    return false;
}

bool clv_resp_cookie(clv_resp *resp, const clv_app *app, const char *name, const char *value,
                     const char *path, const char *same_site, int64_t max_age)
{
    char buf[512];
    bool secure = strncasecmp(app->cfg->issuer, "https://", 8) == 0;
    int n =
        snprintf(buf, sizeof buf, "%s=%s; Path=%s; Max-Age=%" PRId64 "; HttpOnly; SameSite=%s%s",
                 name, value, path, max_age, same_site, secure ? "; Secure" : "");

    if (n < 0 || (size_t)n >= sizeof buf)
        return false;
    return clv_resp_header(resp, "Set-Cookie", buf);
}
