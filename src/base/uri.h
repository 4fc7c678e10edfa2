/* uri — the one URI parser of Clavis: a strict RFC 3986 §3 splitter (ASCII only, no
 * IPvFuture, no zone ids), the host of a URI, and the RFC 6454 origin of a web URI. What
 * a field accepts beyond "is a URI" (https only, loopback, no fragment…) is the caller's
 * policy: core/client_json_rules.c for client metadata, oauth/cors_policy.c for CORS. */
#ifndef CLV_BASE_URI_H
#define CLV_BASE_URI_H

#include <stdbool.h>
#include <stddef.h>

/* n bytes at p, inside the string that was split (not NUL-terminated). */
typedef struct {
    const char *p;
    size_t n;
} clv_span;

/* The components of an absolute URI (RFC 3986 §3): each span points into the string
 * given to clv_uri_split and lives as long as it. A component that is absent has n == 0;
 * the has_* flags tell an empty component ("https://h:" has no port at all, "x:?" an
 * empty query) from a missing one. scheme, host and port are as written (not
 * lower-cased); host keeps the brackets of an IPv6 literal. */
typedef struct {
    clv_span scheme, userinfo, host, port, path, query, fragment;
    bool has_authority, has_userinfo, has_port, has_query, has_fragment;
} clv_uri_parts;

/* Splits the NUL-terminated s into *u. Returns NULL when s is an absolute URI, else the
 * reason it is not, as a phrase that follows a field's name ("must be an absolute URI
 * (scheme:...)", "has an invalid port", …; a static string). Refused: a character RFC 3986
 * allows nowhere (non-ASCII, whitespace, controls, "<>\^`{|}), a bad %-escape, a host
 * that is neither a reg-name of unreserved characters nor an IPv6 literal, a port that is
 * empty or over 65535, '[' or ']' outside an IPv6 host, '#' in the fragment. On failure
 * *u is partly filled and means nothing. */
const char *clv_uri_split(const char *s, clv_uri_parts *u);

/* Writes the lower-cased host of an absolute URI (brackets kept for IPv6) into host (size
 * n, NUL-terminated). false, host untouched, when uri is NULL or no URI, has no host, or
 * the host does not fit. */
bool clv_uri_host(const char *uri, char *host, size_t n);

/* The origin (RFC 6454 §4, serialised as §6.2) of an http or https URI into out (size n):
 * lower-case scheme and host, and the port (in decimal) only when it is not the scheme's
 * default ("https://a.example", "http://127.0.0.1:8080"). false, out untouched, for any
 * other scheme, a URI clv_uri_split refuses, user information, no host, a host that is
 * not letters, digits, '.' and '-' (nor an IPv6 literal), or an out too short. */
bool clv_uri_origin(const char *uri, char *out, size_t n);

/* true if s equals the lower-case ASCII text lit, ignoring the case of s. */
bool clv_span_eq_ci(clv_span s, const char *lit);

#endif
