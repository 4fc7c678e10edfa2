/* uri — splitting URIs (RFC 3986 §3), their host and their origin (RFC 6454); see uri.h. */
#include "base/uri.h"

#include <stdio.h>
#include <string.h>

static bool is_alpha(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}
static bool is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}
static int to_lower(int ch)
{
    return (ch >= 'A' && ch <= 'Z') ? ch + ('a' - 'A') : ch;
}

static bool is_hex(int ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* RFC 3986 §2.3 */
static bool is_unreserved(int ch)
{
    return is_alpha(ch) || is_digit(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool is_scheme_char(int ch)
{
    return is_alpha(ch) || is_digit(ch) || ch == '+' || ch == '-' || ch == '.';
}

static bool span_has_any(clv_span s, const char *set)
{
    for (size_t i = 0; i < s.n; i++)
        if (strchr(set, s.p[i]) != NULL)
            return true;
    return false;
}

bool clv_span_eq_ci(clv_span s, const char *lit)
{
    size_t n = strlen(lit);

    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (to_lower((unsigned char)s.p[i]) != lit[i])
            return false;
    return true;
}

/* ---- the steps of clv_uri_split ---- */

/* Every character must be one RFC 3986 allows somewhere in a URI; '%' must start a
 * percent-encoded octet. Whitespace, controls, quotes and backslashes are refused here,
 * which also shuts out the "\@" and "%0a" tricks of open-redirect payloads. */
static const char *chars_check(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p >= 0x80)
            return "must be ASCII (percent-encode other characters)";
        if (*p <= 0x20 || *p == 0x7F)
            return "must not contain whitespace or control characters";
        if (strchr("\"<>\\^`{|}", *p) != NULL)
            return "contains a character not allowed in a URI";
        if (*p == '%' && !(is_hex(p[1]) && is_hex(p[2])))
            return "contains an invalid percent-encoding";
    }
    return NULL;
}

/* scheme ":" (RFC 3986 §3.1); *rest is what follows the colon. */
static const char *split_scheme(const char *s, clv_uri_parts *u, const char **rest)
{
    const char *p = s;

    if (!is_alpha((unsigned char)*p))
        return "must be an absolute URI (scheme:...)";
    while (is_scheme_char((unsigned char)*p))
        p++;
    if (*p != ':')
        return "must be an absolute URI (scheme:...)";
    u->scheme = (clv_span){s, (size_t)(p - s)};
    *rest = p + 1;
    return NULL;
}

static const char *host_check(clv_span h)
{
    if (h.n > 0 && h.p[0] == '[') {
        /* IP-literal: IPv6 only; IPvFuture and zone ids are refused */
        clv_span in = {h.p + 1, h.n - 2};
        if (h.n < 4 || !span_has_any(in, ":"))
            return "has an invalid IPv6 host";
        for (size_t i = 0; i < in.n; i++)
            if (!is_hex((unsigned char)in.p[i]) && in.p[i] != ':' && in.p[i] != '.')
                return "has an invalid IPv6 host";
        return NULL;
    }
    for (size_t i = 0; i < h.n; i++) {
        if (h.p[i] == '*')
            return "must not contain a wildcard (*) in its host: matching is exact";
        if (!is_unreserved((unsigned char)h.p[i]))
            return "has an invalid character in its host";
    }
    return NULL;
}

static bool port_value(clv_span port, unsigned long *v)
{
    *v = 0;
    if (port.n == 0 || port.n > 5)
        return false;
    for (size_t i = 0; i < port.n; i++) {
        if (!is_digit((unsigned char)port.p[i]))
            return false;
        *v = *v * 10 + (unsigned long)(port.p[i] - '0');
    }
    return *v <= 65535;
}

/* authority = [ userinfo "@" ] host [ ":" port ] (RFC 3986 §3.2), a..a+n */
static const char *split_authority(const char *a, size_t n, clv_uri_parts *u)
{
    const char *end = a + n, *at = memchr(a, '@', n), *rest;
    const char *why;
    unsigned long port;

    u->has_authority = true;
    if (at != NULL) {
        if (memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL)
            return "has an invalid authority (several '@')";
        u->has_userinfo = true;
        u->userinfo = (clv_span){a, (size_t)(at - a)};
        a = at + 1;
    }
    if (a < end && *a == '[') {
        const char *close = memchr(a, ']', (size_t)(end - a));
        if (close == NULL)
            return "has an unterminated IPv6 host";
        rest = close + 1;
    } else {
        rest = a + strcspn(a, ":/?#");
    }
    u->host = (clv_span){a, (size_t)(rest - a)};
    if (rest < end && *rest != ':')
        return "has an invalid authority";
    if (rest < end) {
        u->has_port = true;
        u->port = (clv_span){rest + 1, (size_t)(end - rest - 1)};
    }
    why = host_check(u->host);
    if (why == NULL && u->has_port && !port_value(u->port, &port))
        why = "has an invalid port";
    return why;
}

/* "//" authority, when the hier-part starts with it (RFC 3986 §3.2); *rest follows it. */
static const char *split_hier(const char *p, clv_uri_parts *u, const char **rest)
{
    size_t n;

    *rest = p;
    if (p[0] != '/' || p[1] != '/')
        return NULL;
    n = strcspn(p + 2, "/?#");
    *rest = p + 2 + n;
    return split_authority(p + 2, n, u);
}

/* path [ "?" query ] [ "#" fragment ] (RFC 3986 §3.3-3.5) */
static void split_tail(const char *p, clv_uri_parts *u)
{
    size_t n = strcspn(p, "?#");

    u->path = (clv_span){p, n};
    p += n;
    if (*p == '?') {
        n = strcspn(++p, "#");
        u->has_query = true;
        u->query = (clv_span){p, n};
        p += n;
    }
    if (*p == '#') {
        u->has_fragment = true;
        u->fragment = (clv_span){p + 1, strlen(p + 1)};
    }
}

/* '[' and ']' belong to an IP-literal host only; a second '#' to nothing (RFC 3986 §3.5). */
static const char *gen_delims_check(const clv_uri_parts *u)
{
    if (span_has_any(u->userinfo, "[]") || span_has_any(u->path, "[]") ||
        span_has_any(u->query, "[]") || span_has_any(u->fragment, "[]#"))
        return "contains a character not allowed in a URI";
    return NULL;
}

const char *clv_uri_split(const char *s, clv_uri_parts *u)
{
    const char *p, *why;

    memset(u, 0, sizeof *u);
    if ((why = chars_check(s)) != NULL || (why = split_scheme(s, u, &p)) != NULL ||
        (why = split_hier(p, u, &p)) != NULL)
        return why;
    split_tail(p, u);
    return gen_delims_check(u);
}

/* ---- host and origin ---- */

bool clv_uri_host(const char *uri, char *host, size_t n)
{
    clv_uri_parts u;

    if (uri == NULL || host == NULL || clv_uri_split(uri, &u) != NULL || u.host.n == 0 ||
        u.host.n >= n)
        return false;
    for (size_t i = 0; i < u.host.n; i++)
        host[i] = (char)to_lower((unsigned char)u.host.p[i]);
    host[u.host.n] = '\0';
    return true;
}

/* A host an origin may name: an IPv6 literal (checked by the splitter), or letters,
 * digits, '.' and '-' — the host-char of a CSP source (CSP3 §2.3.1), where the origin
 * also goes (http/pages.c). '_', '~' and escapes, which RFC 3986 allows, are left out. */
static bool origin_host_ok(clv_span h)
{
    if (h.n > 0 && h.p[0] == '[')
        return true;
    for (size_t i = 0; i < h.n; i++)
        if (!is_alpha((unsigned char)h.p[i]) && !is_digit((unsigned char)h.p[i]) && h.p[i] != '.' &&
            h.p[i] != '-')
            return false;
    return h.n > 0;
}

/* RFC 6454 §4 steps 6-7, §6.2: ":port" in decimal, or "" for none or the default one */
static void origin_port(const clv_uri_parts *u, bool https, char out[8])
{
    unsigned long v;

    out[0] = '\0';
    if (u->has_port && port_value(u->port, &v) && v != (https ? 443UL : 80UL))
        snprintf(out, 8, ":%lu", v);
}

bool clv_uri_origin(const char *uri, char *out, size_t n)
{
    clv_uri_parts u;
    char port[8];
    bool https;
    size_t sn, pn;

    if (uri == NULL || out == NULL || clv_uri_split(uri, &u) != NULL || u.has_userinfo ||
        !origin_host_ok(u.host))
        return false;
    https = clv_span_eq_ci(u.scheme, "https");
    if (!https && !clv_span_eq_ci(u.scheme, "http"))
        return false;
    origin_port(&u, https, port);
    sn = strlen(https ? "https://" : "http://");
    pn = strlen(port);
    if (sn + u.host.n + pn >= n)
        return false;
    memcpy(out, https ? "https://" : "http://", sn);
    for (size_t i = 0; i < u.host.n; i++)
        out[sn + i] = (char)to_lower((unsigned char)u.host.p[i]);
    memcpy(out + sn + u.host.n, port, pn + 1);
    return true;
}
