/* doc_cache — fetched JSON documents, kept by their cache headers (see doc_cache.h). */
#include "core/doc_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/model.h"
#include "net/fetch.h"

typedef struct {
    char *url;
    json_t *doc; /* NULL: the last fetch failed, for the reason in why */
    char why[CLV_ERR_DETAIL_MAX];
    int64_t fresh_until;
    int64_t fetched_at;
} entry;

struct clv_doc_cache {
    clv_doc_cache_rules r;
    pthread_mutex_t mu;
    entry *e;
    size_t n;
};

clv_doc_cache *clv_doc_cache_new(const clv_doc_cache_rules *rules)
{
    clv_doc_cache *c = calloc(1, sizeof *c);

    if (c == NULL || (c->e = calloc(rules->max_entries, sizeof *c->e)) == NULL) {
        free(c);
        return NULL;
    }
    c->r = *rules;
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

static void entry_clear(entry *e)
{
    free(e->url);
    json_decref(e->doc);
    memset(e, 0, sizeof *e);
}

void clv_doc_cache_free(clv_doc_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++)
        entry_clear(&c->e[i]);
    free(c->e);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int64_t clv_doc_cache_ttl(const clv_doc_cache_rules *r, int64_t max_age)
{
    int64_t ttl = max_age < 0 ? r->default_ttl : max_age;

    return ttl < r->min_ttl ? r->min_ttl : ttl > r->max_ttl ? r->max_ttl : ttl;
}

static entry *find(clv_doc_cache *c, const char *url)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].url, url) == 0)
            return &c->e[i];
    return NULL;
}

/* The slot for url: its own, a free one, or the stalest (emptied). NULL: out of memory. */
static entry *slot(clv_doc_cache *c, const char *url)
{
    entry *e = find(c, url);
    char *dup;

    if (e != NULL)
        return e;
    if ((dup = strdup(url)) == NULL)
        return NULL;
    if (c->n < c->r.max_entries) {
        e = &c->e[c->n++];
    } else {
        e = &c->e[0];
        for (size_t i = 1; i < c->n; i++)
            if (c->e[i].fresh_until < e->fresh_until)
                e = &c->e[i];
        entry_clear(e);
    }
    e->url = dup;
    return e;
}

/* Answers from e when it may: true with *rc set. */
static bool from_cache(const clv_doc_cache *c, const entry *e, bool force, int64_t now,
                       json_t **doc, clv_code *rc, clv_err *err)
{
    bool recent = now - e->fetched_at < c->r.refetch_min;

    if (e->doc == NULL && recent) {
        *rc = clv_fail(err, CLV_INVALID, "%s", e->why);
        return true;
    }
    if (e->doc != NULL && (force ? recent : now < e->fresh_until)) {
        *doc = json_incref(e->doc);
        *rc = CLV_OK;
        return true;
    }
    return false;
}

/* Fetches url and parses it; CLV_OK with *doc, else CLV_INVALID (why in err). */
static clv_code fetch_json(const clv_doc_cache *c, const char *url, json_t **doc,
                           int64_t *max_age, clv_err *err)
{
    const clv_fetch_limits lim = {c->r.max_body, c->r.timeout};
    clv_fetch_doc d;
    clv_code rc = clv_fetch(url, &lim, &d, err);

    *doc = NULL;
    *max_age = -1;
    if (rc != CLV_OK)
        return rc == CLV_NOMEM ? rc : CLV_INVALID;
    *doc = json_loadb(d.body, d.len, JSON_REJECT_DUPLICATES, NULL);
    *max_age = d.max_age;
    clv_fetch_doc_cleanup(&d);
    if (*doc == NULL)
        return clv_fail(err, CLV_INVALID, "the document is not JSON");
    return CLV_OK;
}

/* Keeps what a fetch gave (doc, or the failure in err) under url. */
static void keep(clv_doc_cache *c, const char *url, json_t *doc, int64_t max_age,
                 const clv_err *err, int64_t now)
{
    entry *e;

    pthread_mutex_lock(&c->mu);
    if ((e = slot(c, url)) != NULL) {
        json_decref(e->doc);
        e->doc = json_incref(doc);
        e->fetched_at = now;
        e->fresh_until = now + (doc != NULL ? clv_doc_cache_ttl(&c->r, max_age) : 0);
        snprintf(e->why, sizeof e->why, "%s", doc == NULL && err != NULL ? err->detail : "");
    }
    pthread_mutex_unlock(&c->mu);
}

clv_code clv_doc_cache_get(clv_doc_cache *c, const char *url, bool force, json_t **doc,
                           bool *fetched, clv_err *err)
{
    int64_t now = clv_now(), max_age;
    clv_err ferr;
    clv_code rc;
    entry *e;
    bool hit;

    *doc = NULL;
    if (fetched != NULL)
        *fetched = false;
    pthread_mutex_lock(&c->mu);
    e = find(c, url);
    hit = e != NULL && from_cache(c, e, force, now, doc, &rc, err);
    pthread_mutex_unlock(&c->mu);
    if (hit)
        return rc;
    clv_err_init(&ferr);
    rc = fetch_json(c, url, doc, &max_age, &ferr);
    if (fetched != NULL)
        *fetched = true;
    if (rc == CLV_NOMEM)
        return clv_fail(err, rc, "%s", ferr.detail);
    keep(c, url, *doc, max_age, &ferr, now);
    return rc == CLV_OK ? CLV_OK : clv_fail(err, rc, "%s", ferr.detail);
}

void clv_doc_cache_forget(clv_doc_cache *c, const char *url)
{
    entry *e;

    pthread_mutex_lock(&c->mu);
    if ((e = find(c, url)) != NULL) {
        entry_clear(e);
        *e = c->e[--c->n]; /* the last one moves into the hole */
        memset(&c->e[c->n], 0, sizeof c->e[c->n]);
    }
    pthread_mutex_unlock(&c->mu);
}

void clv_doc_cache_fail(clv_doc_cache *c, const char *url, const char *why)
{
    entry *e;

    pthread_mutex_lock(&c->mu);
    if ((e = find(c, url)) != NULL) {
        json_decref(e->doc);
        e->doc = NULL;
        e->fresh_until = 0;
        snprintf(e->why, sizeof e->why, "%s", why);
    }
    pthread_mutex_unlock(&c->mu);
}
