/* cookie — reading the Cookie header and writing Set-Cookie (RFC 6265) (see browser.h). Under
 * an https issuer every cookie is a __Host- cookie (RFC 6265bis §4.1.3.2): Secure, Path=/
 * and no Domain, so that neither a sibling host nor a plain-http page can set or shadow
 * it; under an http (loopback) issuer browsers would drop such a cookie, so the names stay
 * bare. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/browser.h"

enum { NAME_MAX = 64 };

bool clv_issuer_https(const clv_app *app)
{
    return strncasecmp(app->cfg->issuer, "https://", 8) == 0;
}

/* The name a cookie has on the wire for this issuer. */
static void wire_name(const clv_app *app, const char *name, char out[NAME_MAX])
{
    snprintf(out, NAME_MAX, "%s%s", clv_issuer_https(app) ? "__Host-" : "", name);
}

bool clv_req_cookie(const clv_req *r, const char *base, char *out, size_t n)
{
    const char *h = clv_req_header(r, "Cookie");
    char name[NAME_MAX];
    size_t nlen;

    wire_name(clv_req_app(r), base, name);
    nlen = strlen(name);

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

bool clv_resp_cookie(clv_resp *resp, const clv_app *app, const char *base, const char *value,
                     const char *path, const char *same_site, int64_t max_age)
{
    char buf[512], name[NAME_MAX];
    bool secure = clv_issuer_https(app);
    int n;

    wire_name(app, base, name);
    n = snprintf(buf, sizeof buf, "%s=%s; Path=%s; Max-Age=%" PRId64 "; HttpOnly; SameSite=%s%s",
                 name, value, secure ? "/" : path, max_age, same_site, secure ? "; Secure" : "");

    if (n < 0 || (size_t)n >= sizeof buf)
        return false;
    return clv_resp_header(resp, "Set-Cookie", buf);
}
