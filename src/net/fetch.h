/* fetch — the server's own outgoing HTTP: one GET of a small document a client's metadata
 * points to (sector_identifier_uri, docs/DESIGN.md R6; jwks_uri; a client ID metadata
 * document, docs/AGENTS.md), through the one HTTP client (net/http_client.h). Bounded in
 * every way a hostile URL could abuse (docs/SECURITY.md "Outgoing fetches"): https only;
 * every address connected to is checked after name resolution, at the socket libcurl
 * opens, so a name that resolves to a public address once and to an internal one the next
 * time (DNS rebinding) gains nothing; loopback, private, link-local, multicast and other
 * special-purpose addresses refused; no proxy from the environment; no redirects; a size
 * and a time limit. A failure's text says what kind it was, never which address was
 * tried. */
#ifndef CLV_NET_FETCH_H
#define CLV_NET_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/err.h"

enum { CLV_FETCH_MAX = 64 * 1024, CLV_FETCH_TIMEOUT = 5, CLV_FETCH_CONCURRENT = 8 };

/* The kinds of address (RFC 6890 and the IANA special-purpose registries); only
 * CLV_ADDR_PUBLIC is ever fetched from, and CLV_ADDR_LOOPBACK under
 * clv_fetch_policy.allow_loopback. */
typedef enum {
    CLV_ADDR_PUBLIC,
    CLV_ADDR_LOOPBACK,    /* 127.0.0.0/8, ::1 */
    CLV_ADDR_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 */
    CLV_ADDR_LINK_LOCAL,  /* 169.254/16, fe80::/10 */
    CLV_ADDR_MULTICAST,   /* 224/4, ff00::/8 */
    CLV_ADDR_UNSPECIFIED, /* 0.0.0.0/8 (this network), :: */
    CLV_ADDR_RESERVED     /* 100.64/10 (CGNAT), 192.0.0/24, documentation and benchmark
                           * ranges, 240/4, broadcast, 2001:db8::/32, 100::/64, 2001::/23,
                           * deprecated IPv4-compatible ::/96; an address of another family */
} clv_addr_class;

/* The kind of a socket address (AF_INET or AF_INET6; anything else is RESERVED). An IPv6
 * address that carries an IPv4 one — IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4
 * 2002::/16 — is the kind of the IPv4 address it carries. Pure: no lookups. */
clv_addr_class clv_addr_classify(const struct sockaddr *sa, socklen_t len);

/* "public", "loopback", "private", "link-local", "multicast", "unspecified", "reserved". */
const char *clv_addr_class_name(clv_addr_class c);

/* The process-wide fetch policy, set once by `clavis serve` before its threads start
 * (--fetch-allow-loopback, --fetch-ca-file; docs/OPERATIONS.md). Default: nothing
 * extra. */
typedef struct {
    bool allow_loopback; /* loopback addresses, and http:// to them (tests, development) */
    const char *ca_file; /* PEM CAs trusted on top of the system's; NULL: none */
    int at_once;         /* fetches under way at most, 1 to CLV_FETCH_CONCURRENT; 0: that */
} clv_fetch_policy;

/* Copies p (NULL: back to the default). CLV_INVALID if the CA file cannot be read as
 * PEM certificates; CLV_NOMEM. */
clv_code clv_fetch_configure(const clv_fetch_policy *p, clv_err *err);

/* true when the policy admits loopback (for callers' own URL checks, e.g. http jwks_uri). */
bool clv_fetch_allows_loopback(void);

/* How many fetches may be under way at once (the policy's at_once). */
int clv_fetch_at_once(void);

/* What one GET may take. */
typedef struct {
    size_t max_body; /* bytes; more is a failure */
    long timeout;    /* seconds for the whole exchange, connecting included */
} clv_fetch_limits;

/* A fetched document: body (malloc'd, NUL-terminated, len bytes) and the seconds the
 * answer said it may be cached (clv_fetch_max_age of its Cache-Control; -1 when it said
 * nothing). Release with clv_fetch_doc_cleanup. */
typedef struct {
    char *body;
    size_t len;
    int64_t max_age;
} clv_fetch_doc;

/* GETs url within lim and, on a 200 answer, fills *out. When the policy's at_once fetches
 * are already under way: CLV_UNAVAILABLE (clv_fetch_busy) at once — the server is busy, which says nothing
 * about url (docs/DESIGN.md D15: never kept as the URL's failure). Any other outcome — a
 * URL that is not https (http only to loopback when allowed), a refused address,
 * unreachable, a timeout, another status, a redirect, a body over the limit — is
 * CLV_INVALID with the reason in err (field left for the caller to name). */
clv_code clv_fetch(const char *url, const clv_fetch_limits *lim, clv_fetch_doc *out,
                   clv_err *err);

/* The detail of that CLV_UNAVAILABLE (err->retry_after CLV_FETCH_TIMEOUT): a text callers
 * pass on, and that http may show (it says nothing about any URL). */
extern const char clv_fetch_busy[];
void clv_fetch_doc_cleanup(clv_fetch_doc *d);

/* clv_fetch with CLV_FETCH_MAX bytes and CLV_FETCH_TIMEOUT seconds; *body is the caller's
 * (free). */
clv_code clv_fetch_get(const char *url, char **body, size_t *len, clv_err *err);

/* The freshness lifetime a Cache-Control value gives (RFC 9111 §5.2.2): 0 for no-store or
 * no-cache, else max-age's seconds, else -1 (none given, or NULL). A malformed max-age
 * counts as none. */
int64_t clv_fetch_max_age(const char *cache_control);

#endif
