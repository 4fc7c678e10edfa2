/* http_client — libcurl under the admin command line (see http_client.h). */
#include "cli/http_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/hash.h"

struct clv_http {
    CURL *curl;
};

typedef struct {
    clv_http_resp *resp;
    size_t cap;
    bool too_big;
} sink;

clv_http *clv_http_new(void)
{
    clv_http *h;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return NULL;
    if ((h = calloc(1, sizeof *h)) == NULL || (h->curl = curl_easy_init()) == NULL) {
        free(h);
        curl_global_cleanup();
        return NULL;
    }
    return h;
}

void clv_http_free(clv_http *h)
{
    if (h == NULL)
        return;
    curl_easy_cleanup(h->curl);
    free(h);
    curl_global_cleanup();
}

void clv_http_resp_cleanup(clv_http_resp *r)
{
    if (r->body != NULL) /* a response may hold a secret or a token */
        clv_wipe(r->body, r->body_len);
    free(r->body);
    free(r->content_type);
    free(r->etag);
    memset(r, 0, sizeof *r);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    sink *s = arg;
    clv_http_resp *r = s->resp;
    size_t len = size * n, want = r->body_len + len + 1;
    char *grown;

    if (want > CLV_HTTP_MAX_BODY) {
        s->too_big = true;
        return 0; /* aborts the transfer */
    }
    if (want > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < want)
            cap *= 2;
        if ((grown = malloc(cap)) == NULL)
            return 0;
        if (r->body != NULL) {
            memcpy(grown, r->body, r->body_len);
            clv_wipe(r->body, r->body_len); /* no copy of a secret is left behind */
        }
        free(r->body);
        r->body = grown;
        s->cap = cap;
    }
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return len;
}

/* Copies the value of a header line "Name: value\r\n" into *dst when the name matches. */
static void take_header(const char *line, size_t len, const char *name, char **dst)
{
    size_t nl = strlen(name);
    char *v;

    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    line += nl + 1;
    len -= nl + 1;
    while (len > 0 && (*line == ' ' || *line == '\t'))
        line++, len--;
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
        len--;
    if ((v = strndup(line, len)) == NULL)
        return;
    free(*dst);
    *dst = v;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    sink *s = arg;
    size_t len = size * n;

    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) { /* a new status line: start over */
        free(s->resp->content_type);
        free(s->resp->etag);
        s->resp->content_type = s->resp->etag = NULL;
    }
    take_header(data, len, "Content-Type", &s->resp->content_type);
    take_header(data, len, "ETag", &s->resp->etag);
    return len;
}

static struct curl_slist *header_list(const char *const *headers)
{
    struct curl_slist *list = NULL, *next;

    /* No "Expect: 100-continue" round trip: bodies are small. */
    if ((list = curl_slist_append(NULL, "Expect:")) == NULL)
        return NULL;
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        if ((next = curl_slist_append(list, headers[i])) == NULL) {
            curl_slist_free_all(list);
            return NULL;
        }
        list = next;
    }
    return list;
}

static void set_options(CURL *c, const char *method, const char *url, struct curl_slist *hdrs,
                        const char *body, sink *s, char *curl_err)
{
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* never resend credentials elsewhere */
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "clavis-cli");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else if (strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    }
}

bool clv_http_send(clv_http *h, const char *method, const char *url, const char *const *headers,
                   const char *body, clv_http_resp *out, char *errbuf, size_t errcap)
{
    char curl_err[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = header_list(headers);
    sink s = {out, 0, false};
    CURLcode cc;
    bool ok = false;

    memset(out, 0, sizeof *out);
    if (hdrs == NULL) {
        snprintf(errbuf, errcap, "out of memory");
        return false;
    }
    set_options(h->curl, method, url, hdrs, body, &s, curl_err);
    cc = curl_easy_perform(h->curl);
    if (s.too_big)
        snprintf(errbuf, errcap, "the response is larger than %d bytes", CLV_HTTP_MAX_BODY);
    else if (cc != CURLE_OK)
        snprintf(errbuf, errcap, "%s", curl_err[0] ? curl_err : curl_easy_strerror(cc));
    else
        ok = curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &out->status) == CURLE_OK;
    if (ok && out->body == NULL && (out->body = calloc(1, 1)) == NULL)
        ok = false;
    curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdrs);
    if (!ok)
        clv_http_resp_cleanup(out);
    return ok;
}
