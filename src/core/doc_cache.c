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
    json_t *doc;                  /* the last good document (as checked), or NULL */
    char why[CLV_ERR_DETAIL_MAX]; /* why the last fetch failed; "" when it brought doc */
    int64_t fresh_until;          /* doc answers without a fetch until then */
    int64_t stale_until;          /* … and, while its refetches fail, until then */
    int64_t tried_at;             /* the last fetch, whatever came of it */
    bool fetching;                /* a refetch of doc is under way: the others get doc */
} entry;

struct clv_doc_cache {
    clv_doc_cache_rules r;
    pthread_mutex_t mu;
    entry *e;
    size_t n;
};

/* What a fetch came to (see doc_cache.h). */
typedef enum {
    GOT,     /* a document, checked */
    FAILED,  /* the fetch failed, or the body is not JSON: the URL's failure */
    REFUSED, /* the check refused the document: the URL's failure, the old one dropped */
    BUSY     /* no fetch happened, or the server failed: nothing to remember */
} outcome;

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

/* A good document e still holds at now. */
static bool good(const entry *e, int64_t now)
{
    return e != NULL && e->doc != NULL && now < e->stale_until;
}

/* Answers from e when it may: true with *rc set (and *doc on CLV_OK). A good document
 * answers while fresh; a forced refetch, or one after a failed refetch, waits refetch_min
 * (docs/DESIGN.md D15: the last good document serves meanwhile). */
static bool from_cache(const clv_doc_cache *c, const entry *e, bool force, int64_t now,
                       json_t **doc, clv_code *rc, clv_err *err)
{
    bool recent = e != NULL && now - e->tried_at < c->r.refetch_min;

    if (good(e, now) && ((!force && now < e->fresh_until) ||
                         (recent && (force || e->why[0] != '\0')))) {
        *doc = json_incref(e->doc);
        *rc = CLV_OK;
        return true;
    }
    if (!good(e, now) && recent && e->why[0] != '\0') {
        *rc = clv_fail(err, CLV_INVALID, "%s", e->why);
        return true;
    }
    return false;
}

/* Under the mutex: answers from e when it may (true); else, for a good document, marks
 * its refetch under way — one at a time, so that a crowd of requests for a stale document
 * holds one fetch slot, not one each: while it runs the others get the document. *had:
 * e holds a good document. */
static bool look(const clv_doc_cache *c, entry *e, bool force, int64_t now, json_t **doc,
                 clv_code *rc, clv_err *err, bool *had)
{
    *had = good(e, now);
    if (from_cache(c, e, force, now, doc, rc, err))
        return true;
    if (*had && e->fetching) {
        *doc = json_incref(e->doc);
        *rc = CLV_OK;
        return true;
    }
    if (*had)
        e->fetching = true;
    return false;
}

/* Fetches url, parses it and runs the caller's check: *doc what to keep on GOT, else the
 * reason in err (and *rc the code to answer with). */
static outcome fetch_doc(const clv_doc_cache *c, const char *url, const clv_doc_ask *ask,
                         json_t **doc, int64_t *max_age, clv_code *rc, clv_err *err)
{
    const clv_fetch_limits lim = {c->r.max_body, c->r.timeout};
    clv_fetch_doc d;
    json_t *parsed, *kept = NULL;

    *doc = NULL;
    *max_age = -1;
    if ((*rc = clv_fetch(url, &lim, &d, err)) != CLV_OK)
        return *rc == CLV_INVALID ? FAILED : BUSY;
    parsed = json_loadb(d.body, d.len, JSON_REJECT_DUPLICATES, NULL);
    *max_age = d.max_age;
    clv_fetch_doc_cleanup(&d);
    if (parsed == NULL) {
        *rc = clv_fail(err, CLV_INVALID, "the document is not JSON");
        return FAILED;
    }
    if (ask->check == NULL) {
        *doc = parsed;
        return GOT;
    }
    *rc = ask->check(ask->check_ctx, url, parsed, &kept, err);
    json_decref(parsed);
    if (*rc == CLV_OK) {
        *doc = kept;
        return GOT;
    }
    json_decref(kept);
    return *rc == CLV_NOMEM || *rc == CLV_STORE || *rc == CLV_UNAVAILABLE ? BUSY : REFUSED;
}

/* Records a fetch's failure (why) in e, keeping a good document if o allows. */
static void record_failure(entry *e, outcome o, const char *why, int64_t now)
{
    if (o == REFUSED || !good(e, now)) {
        json_decref(e->doc);
        e->doc = NULL;
    }
    e->tried_at = now;
    snprintf(e->why, sizeof e->why, "%s", why[0] != '\0' ? why : "the fetch failed");
}

/* Keeps what a fetch of url that ended at now came to (o; doc on GOT, the reason in why) and
 * gives *out the document to answer with: doc, or on FAILED and BUSY the good one kept. */
static void keep(clv_doc_cache *c, const char *url, outcome o, json_t *doc, int64_t max_age,
                 const char *why, int64_t now, json_t **out)
{
    entry *e;

    *out = NULL;
    pthread_mutex_lock(&c->mu);
    e = o == BUSY ? find(c, url) : slot(c, url);
    if (e != NULL)
        e->fetching = false;
    if (e != NULL && o == GOT) {
        json_decref(e->doc);
        e->doc = json_incref(doc);
        e->tried_at = now;
        e->fresh_until = now + clv_doc_cache_ttl(&c->r, max_age);
        e->stale_until = e->fresh_until + c->r.max_stale;
        e->why[0] = '\0';
    } else if (e != NULL && o != BUSY) {
        record_failure(e, o, why, now);
    }
    if (o == GOT)
        *out = json_incref(doc);
    else if (o != REFUSED && good(e, now))
        *out = json_incref(e->doc);
    pthread_mutex_unlock(&c->mu);
}

/* A first fetch that ends within this is given back to its address (it held a slot only
 * briefly): only slow or hanging fetches wear an address's allowance down. */
enum { QUICK_US = 1000 * 1000 };

/* Whether ask's address may fetch now (had: a good copy of the URL is kept). Every fetch,
 * a refetch of a kept document too (it holds a slot as long), counts against the address
 * under slots ('f', refunded by the caller when quick); a first fetch also under
 * clv_throttle_first_fetch_rule ('n'), never refunded: quick refunds bound the slots one
 * address holds, not how much it makes the server fetch and keep — naming ever new URLs
 * on a fast host of its own would be unbounded (docs/DESIGN.md D15). */
static clv_code admit(const clv_doc_ask *ask, bool had, const clv_throttle_rule *slots,
                      clv_err *err)
{
    clv_code rc = clv_throttle_attempt(ask->throttle, slots, 'f', ask->addr, err);

    if (rc != CLV_OK || had)
        return rc;
    rc = clv_throttle_attempt(ask->throttle, &clv_throttle_first_fetch_rule, 'n', ask->addr, err);
    if (rc != CLV_OK) /* no fetch: no slot held */
        clv_throttle_refund(ask->throttle, slots, 'f', ask->addr);
    return rc;
}

/* Fetches url for ask (had: a good copy is kept) once admit() lets it (core/throttle.h
 * clv_throttle_fetch_rule, its burst half the fetch slots, so that one address never holds
 * more than half of them): CLV_THROTTLED in *rc (BUSY) when the address must wait — a
 * refetch then serves the kept document. */
static outcome fetch_for(const clv_doc_cache *c, const char *url, const clv_doc_ask *ask,
                         bool had, json_t **doc, int64_t *max_age, clv_code *rc, clv_err *err)
{
    clv_throttle_rule rule = clv_throttle_fetch_rule;
    int64_t t0 = clv_now_us();
    outcome o;

    *doc = NULL;
    rule.burst = clv_fetch_at_once() / 2 > 0 ? (unsigned)clv_fetch_at_once() / 2 : 1;
    if (rule.burst > clv_throttle_fetch_rule.burst)
        rule.burst = clv_throttle_fetch_rule.burst;
    if ((*rc = admit(ask, had, &rule, err)) != CLV_OK)
        return BUSY;
    o = fetch_doc(c, url, ask, doc, max_age, rc, err);
    if (clv_now_us() - t0 < QUICK_US)
        clv_throttle_refund(ask->throttle, &rule, 'f', ask->addr);
    return o;
}

clv_code clv_doc_cache_get(clv_doc_cache *c, const char *url, const clv_doc_ask *ask,
                           json_t **doc, bool *fetched, clv_err *err)
{
    static const clv_doc_ask none = {0};
    int64_t now = clv_now(), max_age = -1;
    json_t *got = NULL;
    char why[CLV_ERR_TEXT_MAX];
    clv_err ferr;
    clv_code rc = CLV_OK;
    outcome o;
    bool hit, had;

    if (ask == NULL)
        ask = &none;
    *doc = NULL;
    if (fetched != NULL)
        *fetched = false;
    pthread_mutex_lock(&c->mu);
    hit = look(c, find(c, url), ask->force, now, doc, &rc, err, &had);
    pthread_mutex_unlock(&c->mu);
    if (hit)
        return rc;
    clv_err_init(&ferr);
    o = fetch_for(c, url, ask, had, &got, &max_age, &rc, &ferr);
    /* kept as of the fetch's end: a slow failure cannot be retried the sooner for it */
    keep(c, url, o, got, max_age, clv_err_text(&ferr, why, sizeof why), clv_now(), doc);
    json_decref(got);
    if (fetched != NULL)
        *fetched = o == GOT;
    if (*doc != NULL)
        return CLV_OK;
    clv_fail(err, rc != CLV_OK ? rc : CLV_NOMEM, "%s", why);
    if (err != NULL)
        err->retry_after = ferr.retry_after; /* busy or throttled: when to come back */
    return rc != CLV_OK ? rc : CLV_NOMEM;
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
        e->fresh_until = e->stale_until = 0;
        snprintf(e->why, sizeof e->why, "%s", why[0] != '\0' ? why : "refused");
    }
    pthread_mutex_unlock(&c->mu);
}
