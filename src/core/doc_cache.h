/* doc_cache — JSON documents the server fetches when a request needs them (a client's
 * jwks_uri, a client ID metadata document: docs/SECURITY.md "Outgoing fetches"), kept for
 * as long as their Cache-Control allows within the cache's bounds, so that requests cost a
 * fetch only when a document is stale. A failed fetch is remembered too (for refetch_min
 * seconds), and a forced refetch is taken at most once per refetch_min, so no stream of
 * requests can make the server fetch once per request. Shared by every thread (one
 * mutex; fetches run outside it). */
#ifndef CLV_CORE_DOC_CACHE_H
#define CLV_CORE_DOC_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct {
    size_t max_body;     /* bytes of a document */
    long timeout;        /* seconds for one fetch */
    int64_t min_ttl;     /* seconds a document is kept at least (also after no-store) */
    int64_t max_ttl;     /* … at most */
    int64_t default_ttl; /* … when its answer says nothing */
    int64_t refetch_min; /* seconds between two fetches of one URL, forced or failed */
    size_t max_entries;  /* documents kept; the stalest goes first */
} clv_doc_cache_rules;

typedef struct clv_doc_cache clv_doc_cache;

/* NULL when out of memory. rules is copied. */
clv_doc_cache *clv_doc_cache_new(const clv_doc_cache_rules *rules);
void clv_doc_cache_free(clv_doc_cache *c);

/* The JSON document at url (a new reference, *doc): the cached one while fresh; else
 * fetched (net/fetch.h), parsed (duplicate names refused) and kept. force: the caller
 * found the cached document lacking (an unknown kid) — fetch again unless the last fetch
 * of url was less than refetch_min ago. *fetched tells whether this call fetched (may be
 * NULL). A failure — the fetch, or a body that is not JSON — is CLV_INVALID with the
 * reason, and the same failure is answered without a fetch for refetch_min seconds. */
clv_code clv_doc_cache_get(clv_doc_cache *c, const char *url, bool force, json_t **doc,
                           bool *fetched, clv_err *err);

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
