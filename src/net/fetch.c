/* fetch — bounded GETs with libcurl (see fetch.h). */
#include "net/fetch.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t len;
    bool too_big;
} sink;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool init_ok;

/* curl_global_init is not safe to race: once per process. */
static void init(void)
{
    init_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static size_t on_data(char *data, size_t size, size_t n, void *userp)
{
    sink *s = userp;
    size_t add = size * n;

    if (s->len + add > CLV_FETCH_MAX) {
        s->too_big = true;
        return 0; /* aborts the transfer */
    }
    memcpy(s->buf + s->len, data, add);
    s->len += add;
    s->buf[s->len] = '\0';
    return add;
}

static bool configure(CURL *h, const char *url, sink *s)
{
    return curl_easy_setopt(h, CURLOPT_URL, url) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)CLV_FETCH_TIMEOUT) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)CLV_FETCH_TIMEOUT) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_MAXFILESIZE, (long)CLV_FETCH_MAX) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_USERAGENT, "clavis") == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) == CURLE_OK &&
           curl_easy_setopt(h, CURLOPT_WRITEDATA, s) == CURLE_OK;
}

clv_code clv_fetch_get(const char *url, char **body, size_t *len, clv_err *err)
{
    sink s = {0};
    CURL *h = NULL;
    CURLcode cc;
    long status = 0;
    clv_code rc;

    pthread_once(&init_once, init);
    if (!init_ok || (s.buf = malloc(CLV_FETCH_MAX + 1)) == NULL || (h = curl_easy_init()) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "cannot start an HTTP request");
    else if (!configure(h, url, &s))
        rc = clv_fail(err, CLV_INTERNAL, "cannot configure an HTTP request");
    else if ((cc = curl_easy_perform(h)) != CURLE_OK)
        rc = clv_fail(err, CLV_INVALID, "%s",
                      s.too_big ? "the document is larger than 64 KiB" : curl_easy_strerror(cc));
    else if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200)
        rc = clv_fail(err, CLV_INVALID, "the server answered HTTP %ld, not 200", status);
    else
        rc = CLV_OK;
    curl_easy_cleanup(h);
    if (rc != CLV_OK) {
        free(s.buf);
        return rc;
    }
    s.buf[s.len] = '\0';
    *body = s.buf;
    *len = s.len;
    return CLV_OK;
}
