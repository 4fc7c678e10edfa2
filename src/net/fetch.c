/* fetch — the server's bounded GET, on the one HTTP client (see fetch.h). */
#include "net/fetch.h"

#include <ctype.h>
#include <netinet/in.h>
#include <openssl/x509.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/http_client.h"

/* ---- the address classifier ---- */

typedef struct {
    uint32_t net;
    int bits;
    clv_addr_class kind;
} v4_range; /* also the first 32 bits of an IPv6 prefix */

/* RFC 6890 and the IANA IPv4 special-purpose address registry; the first match wins. */
static const v4_range v4_ranges[] = {
    {0x00000000, 8, CLV_ADDR_UNSPECIFIED}, /* 0.0.0.0/8 "this network" */
    {0x0A000000, 8, CLV_ADDR_PRIVATE},     /* 10/8, RFC 1918 */
    {0x64400000, 10, CLV_ADDR_RESERVED},   /* 100.64/10, shared address space (CGNAT) */
    {0x7F000000, 8, CLV_ADDR_LOOPBACK},    /* 127/8 */
    {0xA9FE0000, 16, CLV_ADDR_LINK_LOCAL}, /* 169.254/16 */
    {0xAC100000, 12, CLV_ADDR_PRIVATE},    /* 172.16/12, RFC 1918 */
    {0xC0000000, 24, CLV_ADDR_RESERVED},   /* 192.0.0/24, IETF protocol assignments */
    {0xC0000200, 24, CLV_ADDR_RESERVED},   /* 192.0.2/24, TEST-NET-1 */
    {0xC0586300, 24, CLV_ADDR_RESERVED},   /* 192.88.99/24, 6to4 relay anycast */
    {0xC0A80000, 16, CLV_ADDR_PRIVATE},    /* 192.168/16, RFC 1918 */
    {0xC6120000, 15, CLV_ADDR_RESERVED},   /* 198.18/15, benchmarking */
    {0xC6336400, 24, CLV_ADDR_RESERVED},   /* 198.51.100/24, TEST-NET-2 */
    {0xCB007100, 24, CLV_ADDR_RESERVED},   /* 203.0.113/24, TEST-NET-3 */
    {0xE0000000, 4, CLV_ADDR_MULTICAST},   /* 224/4 */
    {0xF0000000, 4, CLV_ADDR_RESERVED},    /* 240/4 and 255.255.255.255 */
};

static clv_addr_class classify_v4(uint32_t a)
{
    for (size_t i = 0; i < sizeof v4_ranges / sizeof v4_ranges[0]; i++) {
        uint32_t mask = 0xFFFFFFFFu << (32 - v4_ranges[i].bits);
        if ((a & mask) == v4_ranges[i].net)
            return v4_ranges[i].kind;
    }
    return CLV_ADDR_PUBLIC;
}

static uint32_t v4_at(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static bool zeros(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

/* IPv6 forms that carry an IPv4 address: true and *v4 set. */
static bool embedded_v4(const unsigned char *b, uint32_t *v4)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    static const unsigned char nat64[12] = {0, 0x64, 0xFF, 0x9B}; /* 64:ff9b::/96 */

    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0) { /* RFC 4291, RFC 6052 */
        *v4 = v4_at(b + 12);
        return true;
    }
    if (b[0] == 0x20 && b[1] == 0x02) { /* 2002::/16, 6to4 (RFC 3056) */
        *v4 = v4_at(b + 2);
        return true;
    }
    return false;
}

/* The IANA IPv6 special-purpose address registry, as far as it matters here: prefixes of
 * at most 32 bits (the first four bytes, as a number). */
static const v4_range v6_ranges[] = {
    {0xFF000000, 8, CLV_ADDR_MULTICAST},   /* ff00::/8 */
    {0xFE800000, 10, CLV_ADDR_LINK_LOCAL}, /* fe80::/10 */
    {0xFC000000, 7, CLV_ADDR_PRIVATE},     /* fc00::/7, unique local */
    {0xFEC00000, 10, CLV_ADDR_PRIVATE},    /* fec0::/10, site-local (deprecated) */
    {0x20010DB8, 32, CLV_ADDR_RESERVED},   /* 2001:db8::/32, documentation */
    {0x20010000, 23, CLV_ADDR_RESERVED},   /* 2001::/23, IETF protocol assignments */
    {0x3FFF0000, 20, CLV_ADDR_RESERVED},   /* 3fff::/20, documentation */
};

static clv_addr_class classify_v6(const unsigned char *b)
{
    uint32_t v4, head = v4_at(b);

    if (embedded_v4(b, &v4))
        return classify_v4(v4);
    if (zeros(b, 15) && b[15] <= 1)
        return b[15] == 1 ? CLV_ADDR_LOOPBACK : CLV_ADDR_UNSPECIFIED;
    for (size_t i = 0; i < sizeof v6_ranges / sizeof v6_ranges[0]; i++) {
        uint32_t mask = 0xFFFFFFFFu << (32 - v6_ranges[i].bits);
        if ((head & mask) == v6_ranges[i].net)
            return v6_ranges[i].kind;
    }
    /* only global unicast, 2000::/3, is public: ::/96, 100::/64 and the rest are not */
    return (b[0] & 0xE0) == 0x20 ? CLV_ADDR_PUBLIC : CLV_ADDR_RESERVED;
}

clv_addr_class clv_addr_classify(const struct sockaddr *sa, socklen_t len)
{
    if (sa != NULL && sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in))
        return classify_v4(ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr));
    if (sa != NULL && sa->sa_family == AF_INET6 &&
        len >= (socklen_t)sizeof(struct sockaddr_in6))
        return classify_v6(((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr);
    return CLV_ADDR_RESERVED;
}

const char *clv_addr_class_name(clv_addr_class c)
{
    static const char *const names[] = {"public",    "loopback",    "private", "link-local",
                                        "multicast", "unspecified", "reserved"};

    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "reserved";
}

/* ---- the policy ---- */

const char clv_fetch_busy[] = "too many documents are being fetched; try again";

static bool allow_loopback;
static char *ca_file;
static atomic_int in_flight;
static int at_once = CLV_FETCH_CONCURRENT;

clv_code clv_fetch_configure(const clv_fetch_policy *p, clv_err *err)
{
    char *dup = NULL;

    if (p != NULL && p->ca_file != NULL) {
        X509_STORE *st = X509_STORE_new();
        bool ok = st != NULL && X509_STORE_load_file(st, p->ca_file) == 1;
        X509_STORE_free(st);
        if (!ok)
            return clv_fail(err, CLV_INVALID, "--fetch-ca-file: cannot read %s as PEM certificates",
                            p->ca_file);
        if ((dup = strdup(p->ca_file)) == NULL)
            return clv_fail(err, CLV_NOMEM, "out of memory");
    }
    free(ca_file);
    ca_file = dup;
    allow_loopback = p != NULL && p->allow_loopback;
    at_once = p != NULL && p->at_once > 0 && p->at_once < CLV_FETCH_CONCURRENT
                  ? p->at_once
                  : CLV_FETCH_CONCURRENT;
    return CLV_OK;
}

bool clv_fetch_allows_loopback(void)
{
    return allow_loopback;
}

int clv_fetch_at_once(void)
{
    return at_once;
}

/* ---- the GET ---- */

typedef struct {
    bool http;            /* the URL is http: only loopback may answer it */
    bool refused;         /* a connection was refused; kind says why */
    clv_addr_class kind;
} peer_check;

static bool allow_peer(void *ctx, const struct sockaddr *sa, socklen_t len)
{
    peer_check *pc = ctx;
    clv_addr_class k = clv_addr_classify(sa, len);
    bool ok = k == CLV_ADDR_LOOPBACK ? allow_loopback : k == CLV_ADDR_PUBLIC && !pc->http;

    if (!ok) {
        pc->refused = true;
        pc->kind = k;
    }
    return ok;
}

static clv_code answer(clv_code rc, clv_net_resp *r, const peer_check *pc,
                       const clv_fetch_limits *lim, clv_fetch_doc *out, clv_err *err)
{
    if (rc != CLV_OK && pc->refused && pc->http && pc->kind == CLV_ADDR_PUBLIC)
        return clv_fail(err, CLV_INVALID, "http is only for loopback addresses; use https");
    if (rc != CLV_OK && pc->refused)
        return clv_fail(err, CLV_INVALID, "the host's address is %s, which is never fetched from",
                        clv_addr_class_name(pc->kind));
    if (rc == CLV_INVALID && r->too_big)
        return clv_fail(err, CLV_INVALID, "the document is larger than %zu bytes", lim->max_body);
    if (rc != CLV_OK)
        return rc;
    if (r->status != 200)
        return clv_fail(err, CLV_INVALID, "the server answered HTTP %ld, not 200", r->status);
    out->body = r->body; /* the caller's now: clv_net_resp_cleanup would wipe it */
    out->len = r->body_len;
    out->max_age = clv_fetch_max_age(r->cache_control);
    r->body = NULL;
    r->body_len = 0;
    return CLV_OK;
}

clv_code clv_fetch(const char *url, const clv_fetch_limits *lim, clv_fetch_doc *out,
                   clv_err *err)
{
    peer_check pc = {.http = strncasecmp(url, "http://", 7) == 0};
    const clv_net_req req = {.method = "GET",
                             .url = url,
                             .max_body = lim->max_body,
                             .connect_timeout = lim->timeout,
                             .timeout = lim->timeout,
                             .user_agent = "clavis",
                             .name_peer = false, /* the caller sees only the kind */
                             .protocols = allow_loopback ? "http,https" : "https",
                             .ca_file = ca_file,
                             .no_proxy = true,
                             .allow_peer = allow_peer,
                             .allow_ctx = &pc};
    clv_net_client *h;
    clv_net_resp r = {0};
    clv_code rc;

    memset(out, 0, sizeof *out);
    if (strncasecmp(url, "https://", 8) != 0 && !(pc.http && allow_loopback))
        return clv_fail(err, CLV_INVALID, "must be an https URL");
    if (atomic_fetch_add(&in_flight, 1) >= at_once) {
        atomic_fetch_sub(&in_flight, 1);
        /* docs/DESIGN.md D15: busy, not the URL's fault — callers never keep it as the
         * URL's failure */
        clv_fail(err, CLV_UNAVAILABLE, "%s", clv_fetch_busy);
        if (err != NULL)
            err->retry_after = CLV_FETCH_TIMEOUT; /* a fetch's longest: slots free by then */
        return CLV_UNAVAILABLE;
    }
    if ((h = clv_net_client_new()) == NULL) {
        rc = clv_fail(err, CLV_NOMEM, "cannot start an HTTP request");
    } else {
        rc = clv_net_send(h, &req, &r, err);
        clv_net_client_free(h);
        rc = answer(rc, &r, &pc, lim, out, err);
    }
    atomic_fetch_sub(&in_flight, 1);
    clv_net_resp_cleanup(&r);
    return rc;
}

void clv_fetch_doc_cleanup(clv_fetch_doc *d)
{
    free(d->body);
    memset(d, 0, sizeof *d);
}

clv_code clv_fetch_get(const char *url, char **body, size_t *len, clv_err *err)
{
    const clv_fetch_limits lim = {CLV_FETCH_MAX, CLV_FETCH_TIMEOUT};
    clv_fetch_doc d;
    clv_code rc = clv_fetch(url, &lim, &d, err);

    *body = d.body;
    *len = d.len;
    return rc;
}

/* ---- Cache-Control ---- */

/* true if the directive at p (length n) is name, alone or followed by '='. */
static bool directive_is(const char *p, size_t n, const char *name)
{
    size_t k = strlen(name);

    return n >= k && strncasecmp(p, name, k) == 0 && (n == k || p[k] == '=');
}

static int64_t max_age_value(const char *p, size_t n)
{
    int64_t v = 0;
    size_t i = 8; /* past "max-age=" */

    if (i >= n)
        return -1;
    for (; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return -1;
        if (v < INT32_MAX) /* RFC 9111 §1.2.2: larger is 2^31 */
            v = v * 10 + (p[i] - '0');
    }
    return v > INT32_MAX ? INT32_MAX : v;
}

int64_t clv_fetch_max_age(const char *cc)
{
    int64_t age = -1;

    for (const char *p = cc; p != NULL && *p != '\0';) {
        size_t n;
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        n = strcspn(p, ",");
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (directive_is(p, n, "no-store") || directive_is(p, n, "no-cache"))
            return 0;
        if (directive_is(p, n, "max-age") && n > 7 && p[7] == '=')
            age = max_age_value(p, n);
        p += strcspn(p, ",");
    }
    return age;
}
