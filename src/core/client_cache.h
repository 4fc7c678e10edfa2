/* client_cache — the clients that authenticate at the protocol endpoints, their secrets and
 * the resources their token requests name, kept per thread for a short while so that a
 * token request costs no database read.
 *
 * Correctness (docs/DESIGN.md M: a change is seen on every node within one second): an entry is
 * used for at most CLV_CACHE_TTL_MS after it was read, and not at all after a change made
 * through this process (clv_cache_bump, called on every committed admin change), nor after
 * another node told of a change (src/core/changes.c: PostgreSQL's LISTEN/NOTIFY, within
 * milliseconds). A deactivation made on another node is therefore seen here within
 * CLV_CACHE_TTL_MS even when that news does not come. */
#ifndef CLV_CORE_CLIENT_CACHE_H
#define CLV_CORE_CLIENT_CACHE_H

#include <stdint.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

enum { CLV_CACHE_TTL_MS = 500 };

/* The client (shared with the cache: the caller reads it, never changes it, and gives it
 * back with clv_client_free) and, when secrets is not NULL, its secrets
 * (borrowed: valid until this thread's next call into the cache). From the cache when
 * fresh, else from the store. CLV_NOT_FOUND for an unknown client_id (not cached). */
clv_code clv_cache_client_get(clv_app *app, const char *client_id, clv_client **out,
                              const clv_list **secrets, clv_err *err);

/* The resource of service_id whose identifier is exactly identifier (RFC 8707;
 * docs/DESIGN.md R38), borrowed: valid until this thread's next call of this function.
 * From the cache when fresh (the same limits as a client: CLV_CACHE_TTL_MS, a bump), else
 * from the store. CLV_NOT_FOUND when it is not registered (not cached). */
clv_code clv_cache_resource_get(clv_app *app, const char *service_id, const char *identifier,
                                const clv_resource **out, clv_err *err);

/* Records that last_used_at of a cached client (secret_id NULL) or of one of its secrets
 * was written, so that the next requests within the TTL do not write it again. */
void clv_cache_note_used(const char *client_id, const char *secret_id, int64_t at);

/* Invalidates every thread's entries (a change was committed in this process). */
void clv_cache_bump(void);

/* Invalidates every thread's entry of one client (another node changed it or its
 * secrets). */
void clv_cache_bump_client(const char *client_id);

/* The current generation: an entry made under an older one is stale. */
uint64_t clv_cache_generation(void);

/* Frees the calling thread's entries (threads that exit are cleaned up by themselves). */
void clv_cache_clear(void);

#endif
