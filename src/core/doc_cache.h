/* doc_cache — JSON documents the server fetches when a request needs them (a client's
 * jwks_uri, a client ID metadata document: docs/SECURITY.md "Outgoing fetches"), kept for
 * as long as their Cache-Control allows within the cache's bounds, so that requests cost a
 * fetch only when a document is stale. A failed fetch is remembered too (for refetch_min
 * seconds), and a forced refetch is taken at most once per refetch_min, so no stream of
 * requests can make the server fetch once per request. A document that was good is kept
 * through failed refetches for max_stale seconds past its freshness (docs/DESIGN.md D15),
 * and a fetch that did not happen — no fetch slot free, the asking address throttled —
 * is never remembered as the URL's failure. A good document is refetched by one request at
 * a time; the others get it meanwhile. Shared by every thread (one mutex; fetches and
 * checks run outside it). */
#ifndef CLV_CORE_DOC_CACHE_H
#define CLV_CORE_DOC_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "core/throttle.h"

typedef struct {
    size_t max_body;     /* bytes of a document */
    long timeout;        /* seconds for one fetch */
    int64_t min_ttl;     /* seconds a document is kept at least (also after no-store) */
    int64_t max_ttl;     /* … at most */
    int64_t default_ttl; /* … when its answer says nothing */
    int64_t refetch_min; /* seconds between two fetches of one URL, forced or failed */
    int64_t max_stale;   /* seconds past its freshness a good document still answers while
                          * its refetches fail (RFC 5861 stale-if-error); then it is gone */
    size_t max_entries;  /* documents kept; the stalest goes first */
} clv_doc_cache_rules;

typedef struct clv_doc_cache clv_doc_cache;

/* The caller's own rules for a fetched document, run once when it arrives (outside the
 * cache's mutex): CLV_OK and *kept (a new reference: what the cache keeps and answers
 * instead of the document, e.g. the metadata it maps to); else the document is refused —
 * CLV_INVALID and the like are kept as the URL's failure, CLV_NOMEM, CLV_STORE and
 * CLV_UNAVAILABLE are not (the server's trouble, not the document's). */
typedef clv_code (*clv_doc_check_fn)(void *ctx, const char *url, const json_t *doc,
                                     json_t **kept, clv_err *err);

/* Who asks, and how. Every field may be zero. */
typedef struct {
    bool force;              /* the caller found the kept document lacking (an unknown kid) */
    const char *addr;        /* the asking request's source address; NULL: not throttled */
    clv_throttle *throttle;  /* with addr: every fetch counts as an attempt of addr
                              * (clv_throttle_fetch_rule, given back when quick), one of
                              * a URL without a good document also under
                              * clv_throttle_first_fetch_rule (never given back) */
    clv_doc_check_fn check;  /* NULL: the parsed document is kept as it is */
    void *check_ctx;
} clv_doc_ask;

/* NULL when out of memory. rules is copied. */
clv_doc_cache *clv_doc_cache_new(const clv_doc_cache_rules *rules);
void clv_doc_cache_free(clv_doc_cache *c);

/* The JSON document at url (a new reference, *doc; what ask->check kept, when given): the
 * kept one while fresh; else fetched (net/fetch.h), parsed (duplicate names refused),
 * checked and kept. ask->force: fetch again unless the last fetch of url was less than
 * refetch_min ago. *fetched tells whether this call brought a new document (may be NULL).
 * ask NULL: no force, no throttle, no check. Outcomes:
 * - a fetch that fails, or a body that is not JSON: the last good document while it is
 *   less than max_stale past its freshness (CLV_OK, *fetched false), else CLV_INVALID
 *   with the reason; either way no new fetch of url for refetch_min seconds;
 * - a document the check refuses: its failure, kept as the URL's for refetch_min (the
 *   last good document is dropped: its owner changed it);
 * - no fetch slot free (CLV_UNAVAILABLE) or addr throttled (CLV_THROTTLED, retry_after
 *   set): the last good document as above, else that code — never kept. */
clv_code clv_doc_cache_get(clv_doc_cache *c, const char *url, const clv_doc_ask *ask,
                           json_t **doc, bool *fetched, clv_err *err);

/* Forgets url (a client changed or was removed). */
void clv_doc_cache_forget(clv_doc_cache *c, const char *url);

/* Turns url's entry into a failure, as if its last fetch had failed for the reason why:
 * the caller refused the document. Answered so, without a fetch, for refetch_min seconds
 * from that fetch. Nothing when url is not kept. */
void clv_doc_cache_fail(clv_doc_cache *c, const char *url, const char *why);

/* The freshness a fetched answer gets: max_age (clv_fetch_max_age: -1 none, 0 no-store)
 * within the bounds of rules. Pure. */
int64_t clv_doc_cache_ttl(const clv_doc_cache_rules *rules, int64_t max_age);

#endif
