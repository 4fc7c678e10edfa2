/* test_net — the outgoing HTTP of Clavis against a small HTTP server on a loopback port in
 * this process: the server's bounded GET (net/fetch.h: sector_identifier_uri documents),
 * the cache of fetched documents on top of it (core/doc_cache.h: jwks_uri, metadata
 * documents) and the command line's requests (its limits on top of the same client). What
 * is pinned: no redirect is followed, the size caps, the timeout, the schemes, what a
 * failure says; that a fetch that could not happen (no slot free, the address throttled)
 * is never kept as the URL's failure and a good document outlives failed refetches
 * (docs/DESIGN.md D15). */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_http.h"
#include "core/doc_cache.h"
#include "core/throttle.h"
#include "net/fetch.h"
#include "testutil.h"

/* ---- a one-answer HTTP server ---- */

enum { REQ_MAX = 64 * 1024 };

typedef struct {
    int fd, port;
    pthread_t thread;
    volatile bool stop;
    const char *head;  /* the status line and headers, up to and with the empty line */
    size_t fill;       /* then this many 'a's as the body */
    bool hang;         /* read the request and never answer */
    char req[REQ_MAX]; /* the last request, head and body */
    size_t req_len;
    int requests;
} server;

static server srv;

/* strstr ignoring ASCII case (strcasestr is a GNU extension) */
static const char *find_ci(const char *hay, const char *needle)
{
    for (size_t n = strlen(needle); *hay != '\0'; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

static bool wait_readable(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};

    return poll(&p, 1, ms) == 1;
}

/* Reads one request (head, and a body of Content-Length bytes) into srv.req. */
static void read_request(int c)
{
    size_t want = 0;
    char *end = NULL;
    ssize_t n;

    srv.req_len = 0;
    while (srv.req_len < REQ_MAX - 1 && !srv.stop) {
        if (!wait_readable(c, 50))
            continue;
        if ((n = recv(c, srv.req + srv.req_len, REQ_MAX - 1 - srv.req_len, 0)) <= 0)
            break;
        srv.req_len += (size_t)n;
        srv.req[srv.req_len] = '\0';
        if (end == NULL && (end = strstr(srv.req, "\r\n\r\n")) != NULL) {
            const char *cl = find_ci(srv.req, "\r\nContent-Length:");
            want = (size_t)(end + 4 - srv.req) + (cl != NULL ? strtoul(cl + 17, NULL, 10) : 0);
        }
        if (end != NULL && srv.req_len >= want)
            break;
    }
}

static void send_all(int c, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(c, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return; /* the client gave up: that is what some tests want */
        p += w;
        n -= (size_t)w;
    }
}

static void answer(int c)
{
    char chunk[16384];

    send_all(c, srv.head, strlen(srv.head));
    memset(chunk, 'a', sizeof chunk);
    for (size_t left = srv.fill; left > 0;) {
        size_t n = left < sizeof chunk ? left : sizeof chunk;
        send_all(c, chunk, n);
        left -= n;
    }
}

static void *serve(void *arg)
{
    (void)arg;
    while (!srv.stop) {
        int c;
        if (!wait_readable(srv.fd, 50) || (c = accept(srv.fd, NULL, NULL)) < 0)
            continue;
        read_request(c);
        srv.requests++;
        while (srv.hang && !srv.stop)
            usleep(10000);
        if (!srv.hang)
            answer(c);
        close(c);
    }
    return NULL;
}

static void server_start(const char *head, size_t fill)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;

    srv.head = head;
    srv.fill = fill;
    srv.fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(srv.fd, 0);
    ck_assert_int_eq(bind(srv.fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(srv.fd, 8), 0);
    ck_assert_int_eq(getsockname(srv.fd, (struct sockaddr *)&a, &len), 0);
    srv.port = ntohs(a.sin_port);
    ck_assert_int_eq(pthread_create(&srv.thread, NULL, serve, NULL), 0);
}

static void server_stop(void)
{
    srv.stop = true;
    pthread_join(srv.thread, NULL);
    close(srv.fd);
}

/* http://127.0.0.1:<port><path> into buf */
static const char *url(char *buf, size_t n, const char *path)
{
    snprintf(buf, n, "http://127.0.0.1:%d%s", srv.port, path);
    return buf;
}

/* A port nothing listens on: one the kernel gave us, closed again. */
static int closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* ---- the server's GET (sector_identifier_uri) ---- */

static clv_code fetch(const char *path, char **body, size_t *len, clv_err *err)
{
    char u[128];

    clv_err_init(err);
    *body = NULL;
    return clv_fetch_get(url(u, sizeof u, path), body, len, err);
}

START_TEST(fetch_ok)
{
    char *body = NULL;
    size_t len = 0;
    clv_err err;

    server_start("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n"
                 "Connection: close\r\n\r\n[\"https:\"]",
                 0);
    ck_assert_int_eq(fetch("/doc.json", &body, &len, &err), CLV_OK);
    ck_assert_uint_eq(len, 10);
    ck_assert_str_eq(body, "[\"https:\"]");
    ck_assert_msg(strncmp(srv.req, "GET /doc.json HTTP/1.1\r\n", 24) == 0, "%s", srv.req);
    ck_assert_ptr_nonnull(strstr(srv.req, "\r\nUser-Agent: clavis\r\n"));
    free(body);
    server_stop();
}
END_TEST

START_TEST(fetch_status_not_200)
{
    char *body = NULL;
    size_t len = 0;
    clv_err err;

    server_start("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 0);
    ck_assert_int_eq(fetch("/missing", &body, &len, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "the server answered HTTP 404, not 200");
    ck_assert_ptr_null(body);
    server_stop();
}
END_TEST

/* A redirect is an answer like any other that is not 200: never followed (SSRF). */
START_TEST(fetch_no_redirect)
{
    char *body = NULL, head[256] = "";
    size_t len = 0;
    clv_err err;

    server_start(head, 0); /* answered once a request comes, when head is written */
    snprintf(head, sizeof head,
             "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:%d/other\r\n"
             "Content-Length: 0\r\nConnection: close\r\n\r\n",
             srv.port);
    ck_assert_int_eq(fetch("/doc.json", &body, &len, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "the server answered HTTP 302, not 200");
    ck_assert_int_eq(srv.requests, 1);
    server_stop();
}
END_TEST

START_TEST(fetch_size_cap)
{
    char *body = NULL;
    size_t len = 0;
    clv_err err;

    /* exactly the cap, no length announced: taken */
    server_start("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", CLV_FETCH_MAX);
    ck_assert_int_eq(fetch("/", &body, &len, &err), CLV_OK);
    ck_assert_uint_eq(len, CLV_FETCH_MAX);
    ck_assert_uint_eq(strlen(body), CLV_FETCH_MAX);
    free(body);
    body = NULL;
    /* one byte more: refused while it arrives */
    srv.fill = CLV_FETCH_MAX + 1;
    ck_assert_int_eq(fetch("/", &body, &len, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "the document is larger than 65536 bytes");
    ck_assert_ptr_null(body);
    server_stop();
}
END_TEST

/* A Content-Length over the cap is refused before the body is read (CURLOPT_MAXFILESIZE). */
START_TEST(fetch_size_announced)
{
    char *body = NULL;
    size_t len = 0;
    clv_err err;

    server_start("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n", 0);
    ck_assert_int_eq(fetch("/", &body, &len, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "Maximum file size exceeded");
    ck_assert_ptr_null(body);
    server_stop();
}
END_TEST

/* What a registering client learns of a failure is its kind, never the address. */
START_TEST(fetch_unreachable_says_little)
{
    char *body = NULL, u[128];
    size_t len = 0;
    clv_err err;

    clv_err_init(&err);
    snprintf(u, sizeof u, "http://127.0.0.1:%d/doc.json", closed_port());
    ck_assert_int_eq(clv_fetch_get(u, &body, &len, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "Couldn't connect to server");
    ck_assert_ptr_null(body);
}
END_TEST

START_TEST(fetch_other_schemes)
{
    char *body = NULL;
    size_t len = 0;
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_fetch_get("file:///etc/hostname", &body, &len, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "must be an https URL");
    clv_err_init(&err);
    ck_assert_int_eq(clv_fetch_get("ftp://127.0.0.1/x", &body, &len, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "must be an https URL");
    ck_assert_ptr_null(body);
}
END_TEST

START_TEST(fetch_timeout)
{
    char *body = NULL;
    size_t len = 0;
    clv_err err;
    time_t t0 = time(NULL);

    server_start("", 0);
    srv.hang = true;
    ck_assert_int_eq(fetch("/slow", &body, &len, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "Timeout was reached");
    ck_assert_int_ge(time(NULL) - t0, CLV_FETCH_TIMEOUT - 1);
    ck_assert_int_le(time(NULL) - t0, CLV_FETCH_TIMEOUT + 2);
    server_stop();
}
END_TEST

/* ---- what the server never fetches from (docs/SECURITY.md "Outgoing fetches") ---- */

static void allow_loopback(void)
{
    const clv_fetch_policy p = {.allow_loopback = true};

    ck_assert_int_eq(clv_fetch_configure(&p, NULL), CLV_OK);
}

static void default_policy(void)
{
    ck_assert_int_eq(clv_fetch_configure(NULL, NULL), CLV_OK);
}

static clv_addr_class classify(const char *text)
{
    struct sockaddr_in a4 = {.sin_family = AF_INET};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};

    if (inet_pton(AF_INET, text, &a4.sin_addr) == 1)
        return clv_addr_classify((struct sockaddr *)&a4, sizeof a4);
    ck_assert_msg(inet_pton(AF_INET6, text, &a6.sin6_addr) == 1, "%s", text);
    return clv_addr_classify((struct sockaddr *)&a6, sizeof a6);
}

/* Every class, at its edges, and every IPv6 form that carries an IPv4 address. */
START_TEST(addr_classes)
{
    static const struct {
        const char *addr;
        clv_addr_class want;
    } cases[] = {
        {"93.184.216.34", CLV_ADDR_PUBLIC},       {"8.8.8.8", CLV_ADDR_PUBLIC},
        {"9.255.255.255", CLV_ADDR_PUBLIC},       {"11.0.0.0", CLV_ADDR_PUBLIC},
        {"172.15.255.255", CLV_ADDR_PUBLIC},      {"172.32.0.0", CLV_ADDR_PUBLIC},
        {"100.63.255.255", CLV_ADDR_PUBLIC},      {"100.128.0.0", CLV_ADDR_PUBLIC},
        {"223.255.255.255", CLV_ADDR_PUBLIC},     {"2606:2800:220:1::1", CLV_ADDR_PUBLIC},
        {"2001:4860:4860::8888", CLV_ADDR_PUBLIC}, {"127.0.0.1", CLV_ADDR_LOOPBACK},
        {"127.255.255.254", CLV_ADDR_LOOPBACK},   {"::1", CLV_ADDR_LOOPBACK},
        {"::ffff:127.0.0.1", CLV_ADDR_LOOPBACK},  {"64:ff9b::7f00:1", CLV_ADDR_LOOPBACK},
        {"2002:7f00:1::", CLV_ADDR_LOOPBACK},     {"10.0.0.1", CLV_ADDR_PRIVATE},
        {"10.255.255.255", CLV_ADDR_PRIVATE},     {"172.16.0.1", CLV_ADDR_PRIVATE},
        {"172.31.255.255", CLV_ADDR_PRIVATE},     {"192.168.1.1", CLV_ADDR_PRIVATE},
        {"fc00::1", CLV_ADDR_PRIVATE},            {"fdff:ffff::1", CLV_ADDR_PRIVATE},
        {"fec0::1", CLV_ADDR_PRIVATE},            {"::ffff:10.1.2.3", CLV_ADDR_PRIVATE},
        {"::ffff:192.168.0.1", CLV_ADDR_PRIVATE}, {"169.254.169.254", CLV_ADDR_LINK_LOCAL},
        {"fe80::1", CLV_ADDR_LINK_LOCAL},         {"febf::1", CLV_ADDR_LINK_LOCAL},
        {"::ffff:169.254.169.254", CLV_ADDR_LINK_LOCAL},
        {"224.0.0.1", CLV_ADDR_MULTICAST},        {"239.255.255.250", CLV_ADDR_MULTICAST},
        {"ff02::1", CLV_ADDR_MULTICAST},          {"0.0.0.0", CLV_ADDR_UNSPECIFIED},
        {"0.1.2.3", CLV_ADDR_UNSPECIFIED},        {"::", CLV_ADDR_UNSPECIFIED},
        {"::ffff:0.0.0.0", CLV_ADDR_UNSPECIFIED}, {"100.64.0.1", CLV_ADDR_RESERVED},
        {"100.127.255.255", CLV_ADDR_RESERVED},   {"192.0.0.8", CLV_ADDR_RESERVED},
        {"192.0.2.1", CLV_ADDR_RESERVED},         {"198.18.0.1", CLV_ADDR_RESERVED},
        {"198.51.100.1", CLV_ADDR_RESERVED},      {"203.0.113.9", CLV_ADDR_RESERVED},
        {"240.0.0.1", CLV_ADDR_RESERVED},         {"255.255.255.255", CLV_ADDR_RESERVED},
        {"2001:db8::1", CLV_ADDR_RESERVED},       {"100::1", CLV_ADDR_RESERVED},
        {"2001::1", CLV_ADDR_RESERVED},           {"::10.0.0.1", CLV_ADDR_RESERVED},
        {"3fff::1", CLV_ADDR_RESERVED},           {"4000::1", CLV_ADDR_RESERVED},
    };
    struct sockaddr_un_like {
        sa_family_t family;
        char rest[32];
    } other = {AF_UNIX, ""};

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(classify(cases[i].addr) == cases[i].want, "%s is %s, not %s", cases[i].addr,
                      clv_addr_class_name(classify(cases[i].addr)),
                      clv_addr_class_name(cases[i].want));
    ck_assert_int_eq(clv_addr_classify((struct sockaddr *)&other, sizeof other), CLV_ADDR_RESERVED);
    ck_assert_int_eq(clv_addr_classify(NULL, 0), CLV_ADDR_RESERVED);
    ck_assert_str_eq(clv_addr_class_name(CLV_ADDR_LINK_LOCAL), "link-local");
}
END_TEST

/* Without --fetch-allow-loopback: http is refused before anything is sent, and an https
 * URL whose host is (or resolves to) a refused address never gets a connection. */
START_TEST(fetch_refused_addresses)
{
    static const struct {
        const char *url, *want;
    } cases[] = {
        {"https://127.0.0.1", "loopback"},      {"https://localhost", "loopback"},
        {"https://[::ffff:127.0.0.1]", "loopback"}, {"https://10.0.0.1", "private"},
        {"https://169.254.169.254", "link-local"}, {"https://0.0.0.0", "unspecified"},
        {"https://[fe80::1]", "link-local"},     {"https://100.64.0.1", "reserved"},
        {"http://127.0.0.1", NULL},
    };
    char u[128];

    server_start("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]", 0);
    default_policy();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body = NULL;
        size_t len = 0;
        clv_err err;
        char want[128] = "must be an https URL";
        clv_err_init(&err);
        snprintf(u, sizeof u, "%s:%d/", cases[i].url, srv.port);
        if (cases[i].want != NULL)
            snprintf(want, sizeof want, "the host's address is %s, which is never fetched from",
                     cases[i].want);
        ck_assert_int_eq(clv_fetch_get(u, &body, &len, &err), CLV_INVALID);
        ck_assert_msg(strcmp(err.detail, want) == 0, "%s: %s", u, err.detail);
        ck_assert_ptr_null(body);
    }
    ck_assert_int_eq(srv.requests, 0);
    allow_loopback();
    server_stop();
}
END_TEST

/* --fetch-allow-loopback admits loopback (http too), nothing else: http to a public
 * address is still refused at the socket, before any byte is sent. */
START_TEST(fetch_loopback_allowed_only)
{
    char *body = NULL;
    size_t len = 0;
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_fetch_get("http://93.184.216.34:9/x", &body, &len, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "http is only for loopback addresses; use https");
    clv_err_init(&err);
    ck_assert_int_eq(clv_fetch_get("https://10.1.1.1:9/x", &body, &len, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "the host's address is private, which is never fetched from");
}
END_TEST

START_TEST(fetch_ca_file_checked)
{
    const clv_fetch_policy p = {.ca_file = "/nonexistent/ca.pem"};
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_fetch_configure(&p, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "--fetch-ca-file: cannot read /nonexistent/ca.pem as PEM "
                                 "certificates");
    ck_assert(clv_fetch_allows_loopback()); /* a failed configure changes nothing */
}
END_TEST

START_TEST(cache_control_max_age)
{
    ck_assert_int_eq(clv_fetch_max_age(NULL), -1);
    ck_assert_int_eq(clv_fetch_max_age(""), -1);
    ck_assert_int_eq(clv_fetch_max_age("public"), -1);
    ck_assert_int_eq(clv_fetch_max_age("max-age=600"), 600);
    ck_assert_int_eq(clv_fetch_max_age("public, Max-Age=3600 , must-revalidate"), 3600);
    ck_assert_int_eq(clv_fetch_max_age("max-age=600, no-store"), 0);
    ck_assert_int_eq(clv_fetch_max_age("no-cache"), 0);
    ck_assert_int_eq(clv_fetch_max_age("max-age=-5"), -1);
    ck_assert_int_eq(clv_fetch_max_age("max-age="), -1);
    ck_assert_int_eq(clv_fetch_max_age("max-age=12x"), -1);
    ck_assert_int_eq(clv_fetch_max_age("max-agex=5"), -1);
    ck_assert_int_eq(clv_fetch_max_age("s-maxage=5"), -1);
    ck_assert_int_eq(clv_fetch_max_age("max-age=99999999999999999999"), 2147483647);
}
END_TEST

/* ---- the command line's requests ---- */

START_TEST(cli_post)
{
    const char *hdrs[] = {"Authorization: Bearer t0k", "Content-Type: application/json", NULL};
    clv_net_client *h = clv_net_client_new();
    clv_net_resp r = {0};
    char u[128], errbuf[256] = "";

    ck_assert_ptr_nonnull(h);
    server_start("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nETag:  \"v2\" \r\n"
                 "Content-Length: 11\r\nConnection: close\r\n\r\n{\"id\":\"x\"}\n",
                 0);
    ck_assert(clv_cli_http_send(h, "POST", url(u, sizeof u, "/admin/v1/x"), hdrs, "{\"a\":1}", &r,
                                errbuf, sizeof errbuf));
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(r.body, "{\"id\":\"x\"}\n");
    ck_assert_uint_eq(r.body_len, 11);
    ck_assert_str_eq(r.content_type, "application/json");
    ck_assert_str_eq(r.etag, "\"v2\"");
    ck_assert_msg(strncmp(srv.req, "POST /admin/v1/x HTTP/1.1\r\n", 27) == 0, "%s", srv.req);
    ck_assert_ptr_nonnull(strstr(srv.req, "\r\nAuthorization: Bearer t0k\r\n"));
    ck_assert_ptr_nonnull(strstr(srv.req, "\r\nUser-Agent: clavis-cli\r\n"));
    ck_assert_ptr_nonnull(strstr(srv.req, "\r\nContent-Length: 7\r\n"));
    ck_assert_ptr_null(find_ci(srv.req, "Expect:"));
    ck_assert_str_eq(strstr(srv.req, "\r\n\r\n") + 4, "{\"a\":1}");
    clv_net_resp_cleanup(&r);
    ck_assert_ptr_null(r.body);
    server_stop();
    clv_net_client_free(h);
}
END_TEST

/* No body: "" for the caller; a PUT or POST without one still says Content-Length: 0. */
START_TEST(cli_empty)
{
    clv_net_client *h = clv_net_client_new();
    clv_net_resp r = {0};
    char u[128], errbuf[256] = "";

    server_start("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", 0);
    ck_assert(clv_cli_http_send(h, "DELETE", url(u, sizeof u, "/x"), NULL, NULL, &r, errbuf,
                                sizeof errbuf));
    ck_assert_int_eq(r.status, 204);
    ck_assert_str_eq(r.body, "");
    ck_assert_ptr_null(r.content_type);
    ck_assert_ptr_null(r.etag);
    ck_assert_msg(strncmp(srv.req, "DELETE /x HTTP/1.1\r\n", 20) == 0, "%s", srv.req);
    ck_assert_ptr_null(find_ci(srv.req, "Content-Length"));
    clv_net_resp_cleanup(&r);
    ck_assert(
        clv_cli_http_send(h, "PUT", url(u, sizeof u, "/y"), NULL, NULL, &r, errbuf, sizeof errbuf));
    ck_assert_msg(strncmp(srv.req, "PUT /y HTTP/1.1\r\n", 17) == 0, "%s", srv.req);
    ck_assert_ptr_nonnull(strstr(srv.req, "\r\nContent-Length: 0\r\n"));
    clv_net_resp_cleanup(&r);
    server_stop();
    clv_net_client_free(h);
}
END_TEST

/* Credentials are never resent elsewhere: a redirect comes back as it is. */
START_TEST(cli_no_redirect)
{
    clv_net_client *h = clv_net_client_new();
    clv_net_resp r = {0};
    char u[128], errbuf[256] = "";

    server_start("HTTP/1.1 307 Temporary Redirect\r\nLocation: /elsewhere\r\n"
                 "Content-Length: 0\r\nConnection: close\r\n\r\n",
                 0);
    ck_assert(
        clv_cli_http_send(h, "GET", url(u, sizeof u, "/x"), NULL, NULL, &r, errbuf, sizeof errbuf));
    ck_assert_int_eq(r.status, 307);
    ck_assert_int_eq(srv.requests, 1);
    clv_net_resp_cleanup(&r);
    server_stop();
    clv_net_client_free(h);
}
END_TEST

/* An interim 100 answer's headers are forgotten: the final answer's count. */
START_TEST(cli_interim_answer)
{
    clv_net_client *h = clv_net_client_new();
    clv_net_resp r = {0};
    char u[128], errbuf[256] = "";

    server_start("HTTP/1.1 100 Continue\r\nETag: \"interim\"\r\n\r\n"
                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                 0);
    ck_assert(
        clv_cli_http_send(h, "GET", url(u, sizeof u, "/x"), NULL, NULL, &r, errbuf, sizeof errbuf));
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(r.etag);
    ck_assert_str_eq(r.body, "ok");
    clv_net_resp_cleanup(&r);
    server_stop();
    clv_net_client_free(h);
}
END_TEST

START_TEST(cli_size_cap)
{
    clv_net_client *h = clv_net_client_new();
    clv_net_resp r = {0};
    char u[128], errbuf[256] = "";

    /* exactly the cap: taken */
    server_start("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", CLV_CLI_HTTP_MAX_BODY);
    ck_assert_msg(clv_cli_http_send(h, "GET", url(u, sizeof u, "/big"), NULL, NULL, &r, errbuf,
                                    sizeof errbuf),
                  "%s", errbuf);
    ck_assert_uint_eq(r.body_len, CLV_CLI_HTTP_MAX_BODY);
    clv_net_resp_cleanup(&r);
    /* one byte more: refused while it arrives */
    srv.fill = CLV_CLI_HTTP_MAX_BODY + 1;
    ck_assert(!clv_cli_http_send(h, "GET", url(u, sizeof u, "/big"), NULL, NULL, &r, errbuf,
                                 sizeof errbuf));
    ck_assert_str_eq(errbuf, "the response is larger than 16777216 bytes");
    ck_assert_ptr_null(r.body);
    ck_assert_int_eq(r.status, 0);
    /* announced larger: refused before the body */
    srv.head = "HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\nConnection: close\r\n\r\n";
    srv.fill = 0;
    errbuf[0] = '\0';
    ck_assert(!clv_cli_http_send(h, "GET", url(u, sizeof u, "/big"), NULL, NULL, &r, errbuf,
                                 sizeof errbuf));
    ck_assert_str_ne(errbuf, "");
    ck_assert_ptr_null(r.body);
    server_stop();
    clv_net_client_free(h);
}
END_TEST

/* The command line's user is told where it could not connect (curl's own words). */
START_TEST(cli_unreachable_says_where)
{
    clv_net_client *h = clv_net_client_new();
    clv_net_resp r = {0};
    char u[128], errbuf[256] = "", want[64];
    int port = closed_port();

    snprintf(u, sizeof u, "http://127.0.0.1:%d/x", port);
    ck_assert(!clv_cli_http_send(h, "GET", u, NULL, NULL, &r, errbuf, sizeof errbuf));
    snprintf(want, sizeof want, "Failed to connect to 127.0.0.1 port %d", port);
    ck_assert_msg(strncmp(errbuf, want, strlen(want)) == 0, "%s", errbuf);
    ck_assert_ptr_null(r.body);
    clv_net_client_free(h);
}
END_TEST

/* ---- the document cache (docs/DESIGN.md D15) ---- */

#define DOC_V1                                                                                  \
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n"                \
    "Connection: close\r\n\r\n{\"v\":1}"
#define ANSWER_500 "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
#define NOT_JSON                                                                                \
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n<html"

/* Stale at once and fetched again on every use (no refetch_min), so that each get shows
 * what a refetch does; a good document serves an hour past its freshness. */
static const clv_doc_cache_rules every_time = {.max_body = 4096,
                                               .timeout = 2,
                                               .min_ttl = 0,
                                               .max_ttl = 0,
                                               .default_ttl = 0,
                                               .refetch_min = 0,
                                               .max_stale = 3600,
                                               .max_entries = 16};

static clv_code get_doc(clv_doc_cache *c, const char *path, const clv_doc_ask *ask, int *v,
                        bool *fetched, clv_err *err)
{
    char u[128];
    json_t *doc = NULL;
    clv_code rc;

    clv_err_init(err);
    rc = clv_doc_cache_get(c, url(u, sizeof u, path), ask, &doc, fetched, err);
    *v = (int)json_integer_value(json_object_get(doc, "v"));
    ck_assert_int_eq(doc != NULL, rc == CLV_OK);
    json_decref(doc);
    return rc;
}

static clv_code refuse_all(void *ctx, const char *url_, const json_t *doc, json_t **kept,
                           clv_err *err)
{
    (void)ctx, (void)url_, (void)doc;
    *kept = NULL;
    return clv_fail_field(err, CLV_INVALID, "redirect_uris", "refused by the caller");
}

/* A failed refetch (an error status, a body that is not JSON) keeps the last good
 * document; a document the caller refuses drops it; past max_stale it is gone. */
START_TEST(doc_last_good_kept)
{
    clv_doc_cache *c = clv_doc_cache_new(&every_time), *strict;
    clv_doc_cache_rules none_stale = every_time;
    const clv_doc_ask refuse = {.check = refuse_all};
    bool fetched = false;
    clv_err err;
    int v = 0;

    none_stale.max_stale = 0;
    strict = clv_doc_cache_new(&none_stale);
    server_start(DOC_V1, 0);
    ck_assert_int_eq(get_doc(c, "/d", NULL, &v, &fetched, &err), CLV_OK);
    ck_assert(fetched);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(get_doc(strict, "/d", NULL, &v, &fetched, &err), CLV_OK);
    srv.head = ANSWER_500;
    ck_assert_int_eq(get_doc(c, "/d", NULL, &v, &fetched, &err), CLV_OK);
    ck_assert(!fetched);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(get_doc(strict, "/d", NULL, &v, &fetched, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "the server answered HTTP 500, not 200");
    srv.head = NOT_JSON;
    ck_assert_int_eq(get_doc(c, "/d", NULL, &v, &fetched, &err), CLV_OK);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(srv.requests, 5); /* every get fetched */
    srv.head = DOC_V1;
    ck_assert_int_eq(get_doc(c, "/d", &refuse, &v, &fetched, &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "redirect_uris: refused by the caller");
    srv.head = ANSWER_500; /* nothing good is left to fall back on */
    ck_assert_int_eq(get_doc(c, "/d", NULL, &v, &fetched, &err), CLV_INVALID);
    server_stop();
    clv_doc_cache_free(c);
    clv_doc_cache_free(strict);
}
END_TEST

static void *get_in_thread(void *arg)
{
    clv_doc_cache *c = arg;
    char u[128];
    json_t *doc = NULL;

    clv_doc_cache_get(c, url(u, sizeof u, "/d"), NULL, &doc, NULL, NULL);
    json_decref(doc);
    return NULL;
}

/* One refetch of a stale document at a time: while it hangs, another request gets the
 * kept document at once (no second fetch, no slot, no wait). */
START_TEST(doc_one_refetch_at_a_time)
{
    clv_doc_cache *c = clv_doc_cache_new(&every_time);
    struct timespec t0, t1;
    bool fetched = true;
    pthread_t slow;
    clv_err err;
    int v = 0;

    server_start(DOC_V1, 0);
    ck_assert_int_eq(get_doc(c, "/d", NULL, &v, &fetched, &err), CLV_OK);
    srv.hang = true;
    ck_assert_int_eq(pthread_create(&slow, NULL, get_in_thread, c), 0);
    while (srv.requests < 2) /* the refetch has reached the server, and hangs there */
        usleep(10000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(get_doc(c, "/d", NULL, &v, &fetched, &err), CLV_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert(!fetched);
    ck_assert_int_eq(v, 1);
    ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 1);
    srv.hang = false;
    pthread_join(slow, NULL);
    ck_assert_int_eq(srv.requests, 2);
    ck_assert_int_eq(get_doc(c, "/d", NULL, &v, &fetched, &err), CLV_OK); /* refetched again */
    ck_assert(fetched);
    server_stop();
    clv_doc_cache_free(c);
}
END_TEST

/* A listening socket that never accepts: a fetch to it connects, sends and waits for an
 * answer until its time limit — a slow document server. */
static int black_hole(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 64), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

typedef struct {
    pthread_t t;
    clv_doc_cache *cache; /* NULL: a bare clv_fetch */
    clv_doc_ask ask;
    char url[96];
    clv_code rc;
} hanger;

static void *hang(void *arg)
{
    hanger *h = arg;
    const clv_fetch_limits lim = {4096, 2};
    clv_fetch_doc d;
    json_t *doc = NULL;

    if (h->cache == NULL) {
        h->rc = clv_fetch(h->url, &lim, &d, NULL);
        clv_fetch_doc_cleanup(&d);
    } else {
        h->rc = clv_doc_cache_get(h->cache, h->url, &h->ask, &doc, NULL, NULL);
        json_decref(doc);
    }
    return NULL;
}

/* Starts n fetches to the black hole at port (through cache with ask when cache is set). */
static void hang_start(hanger *h, int n, int port, clv_doc_cache *cache, const clv_doc_ask *ask)
{
    for (int i = 0; i < n; i++) {
        h[i].cache = cache;
        h[i].ask = ask != NULL ? *ask : (clv_doc_ask){0};
        snprintf(h[i].url, sizeof h[i].url, "http://127.0.0.1:%d/slow/%d", port, i);
        ck_assert_int_eq(pthread_create(&h[i].t, NULL, hang, &h[i]), 0);
    }
}

static void hang_join(hanger *h, int n)
{
    for (int i = 0; i < n; i++) {
        pthread_join(h[i].t, NULL);
        ck_assert_int_eq(h[i].rc, CLV_INVALID); /* timed out */
    }
}

/* Every slot held by slow fetches: a first fetch is CLV_UNAVAILABLE and not kept (the next
 * get fetches), a kept document serves meanwhile. */
START_TEST(doc_no_slot_not_kept)
{
    clv_doc_cache *c = clv_doc_cache_new(&every_time);
    hanger h[CLV_FETCH_CONCURRENT];
    bool fetched = true;
    int port, hole = black_hole(&port), v = 0;
    clv_err err;

    server_start(DOC_V1, 0);
    ck_assert_int_eq(get_doc(c, "/kept", NULL, &v, &fetched, &err), CLV_OK);
    hang_start(h, CLV_FETCH_CONCURRENT, port, NULL, NULL);
    usleep(500 * 1000); /* every slot taken (a fetch takes its slot before connecting) */
    ck_assert_int_eq(get_doc(c, "/new", NULL, &v, &fetched, &err), CLV_UNAVAILABLE);
    ck_assert_str_eq(err.detail, clv_fetch_busy);
    ck_assert_int_eq(err.retry_after, CLV_FETCH_TIMEOUT);
    ck_assert_int_eq(get_doc(c, "/kept", NULL, &v, &fetched, &err), CLV_OK);
    ck_assert(!fetched);
    ck_assert_int_eq(v, 1);
    hang_join(h, CLV_FETCH_CONCURRENT);
    ck_assert_int_eq(get_doc(c, "/new", NULL, &v, &fetched, &err), CLV_OK); /* not kept */
    ck_assert(fetched);
    server_stop();
    close(hole);
    clv_doc_cache_free(c);
}
END_TEST

/* Fetches count against the asking address: quick ones are given back; after four slow
 * ones the address waits, for a first fetch and for a refetch (answered with the kept
 * document), another address does not. */
START_TEST(doc_first_fetch_throttled)
{
    clv_throttle *t = clv_throttle_new(0);
    clv_doc_cache *c = clv_doc_cache_new(&every_time);
    const clv_doc_ask a = {.addr = "192.0.2.7", .throttle = t},
                      b = {.addr = "198.51.100.9", .throttle = t};
    hanger h[4];
    bool fetched;
    int port, hole = black_hole(&port), v;
    char path[32];
    clv_err err;

    server_start(DOC_V1, 0);
    for (int i = 0; i < 10; i++) { /* quick: given back, never throttled */
        snprintf(path, sizeof path, "/quick/%d", i);
        ck_assert_int_eq(get_doc(c, path, &a, &v, &fetched, &err), CLV_OK);
    }
    hang_start(h, 4, port, c, &a);
    hang_join(h, 4);
    ck_assert_int_eq(get_doc(c, "/new", &a, &v, &fetched, &err), CLV_THROTTLED);
    ck_assert_int_ge(err.retry_after, 1);
    ck_assert_int_eq(get_doc(c, "/new", &b, &v, &fetched, &err), CLV_OK);
    /* a refetch holds a slot as long: it waits too, and the kept document answers */
    ck_assert_int_eq(get_doc(c, "/quick/1", &a, &v, &fetched, &err), CLV_OK);
    ck_assert(!fetched);
    ck_assert_int_eq(get_doc(c, "/quick/1", &b, &v, &fetched, &err), CLV_OK);
    ck_assert(fetched); /* another address refetches it */
    ck_assert_int_eq(get_doc(c, "/other", &a, &v, &fetched, &err), CLV_THROTTLED); /* not kept */
    server_stop();
    close(hole);
    clv_doc_cache_free(c);
    clv_throttle_free(t);
}
END_TEST

/* First fetches count again under a rule of their own that nothing gives back (docs/DESIGN.md
 * D15): quick ones from one address pass 20 times, then wait; a refetch of a kept document
 * does not count, another address is not affected. */
START_TEST(doc_many_first_fetches_throttled)
{
    clv_doc_cache_rules roomy = every_time;
    clv_throttle *t = clv_throttle_new(0);
    clv_doc_cache *c;
    const clv_doc_ask a = {.addr = "2001:db8:1:2::7", .throttle = t},
                      a2 = {.addr = "2001:db8:1:2::99", .throttle = t}, /* the same /64 */
        b = {.addr = "198.51.100.9", .throttle = t};
    bool fetched;
    int v;
    char path[32];
    clv_err err;

    roomy.max_entries = 64; /* nothing evicted: /kept stays kept */
    c = clv_doc_cache_new(&roomy);
    server_start(DOC_V1, 0);
    ck_assert_int_eq(get_doc(c, "/kept", &a, &v, &fetched, &err), CLV_OK);
    for (unsigned i = 1; i < clv_throttle_first_fetch_rule.burst; i++) {
        snprintf(path, sizeof path, "/first/%u", i);
        ck_assert_int_eq(get_doc(c, path, i % 2 ? &a : &a2, &v, &fetched, &err), CLV_OK);
    }
    ck_assert_int_eq(get_doc(c, "/first/more", &a2, &v, &fetched, &err), CLV_THROTTLED);
    ck_assert_int_ge(err.retry_after, 1);
    ck_assert_int_eq(get_doc(c, "/kept", &a, &v, &fetched, &err), CLV_OK);
    ck_assert(fetched); /* a refetch of a kept document: only the slot rule */
    ck_assert_int_eq(get_doc(c, "/first/more", &b, &v, &fetched, &err), CLV_OK);
    ck_assert_int_eq(get_doc(c, "/first/again", &a, &v, &fetched, &err), CLV_THROTTLED);
    server_stop();
    clv_doc_cache_free(c);
    clv_throttle_free(t);
}
END_TEST

static Suite *net_suite(void)
{
    Suite *s = suite_create("net");
    TCase *fetch_tc = tcase_create("fetch");
    TCase *cli = tcase_create("cli");

    tcase_set_timeout(fetch_tc, 30);
    tcase_add_checked_fixture(fetch_tc, allow_loopback, NULL); /* the server is on 127.0.0.1 */
    tcase_add_test(fetch_tc, addr_classes);
    tcase_add_test(fetch_tc, fetch_refused_addresses);
    tcase_add_test(fetch_tc, fetch_loopback_allowed_only);
    tcase_add_test(fetch_tc, fetch_ca_file_checked);
    tcase_add_test(fetch_tc, cache_control_max_age);
    tcase_set_timeout(cli, 30);
    tcase_add_test(fetch_tc, fetch_ok);
    tcase_add_test(fetch_tc, fetch_status_not_200);
    tcase_add_test(fetch_tc, fetch_no_redirect);
    tcase_add_test(fetch_tc, fetch_size_cap);
    tcase_add_test(fetch_tc, fetch_size_announced);
    tcase_add_test(fetch_tc, fetch_unreachable_says_little);
    tcase_add_test(fetch_tc, fetch_other_schemes);
    tcase_add_test(fetch_tc, fetch_timeout);
    tcase_add_test(fetch_tc, doc_last_good_kept);
    tcase_add_test(fetch_tc, doc_one_refetch_at_a_time);
    tcase_add_test(fetch_tc, doc_no_slot_not_kept);
    tcase_add_test(fetch_tc, doc_first_fetch_throttled);
    tcase_add_test(fetch_tc, doc_many_first_fetches_throttled);
    tcase_add_test(cli, cli_post);
    tcase_add_test(cli, cli_empty);
    tcase_add_test(cli, cli_no_redirect);
    tcase_add_test(cli, cli_interim_answer);
    tcase_add_test(cli, cli_size_cap);
    tcase_add_test(cli, cli_unreachable_says_where);
    suite_add_tcase(s, fetch_tc);
    suite_add_tcase(s, cli);
    return s;
}

int main(void)
{
    return clv_test_run(net_suite());
}
