/* changes — keeps this node's caches coherent with changes that other nodes commit
 * (docs/DESIGN.md M: a change is in force on every node within one second).
 *
 * On PostgreSQL every change a cache must not outlive is told on a channel by the
 * transaction that makes it (store_ops.h changes_wait); a thread of this node listens and
 * invalidates the matching entries as the news comes (milliseconds). When it cannot
 * listen (the database is down, or SQLite, which has no such channel) the caches' time
 * limit, CLV_CACHE_TTL_MS (core/client_cache.h), still bounds how long a change goes
 * unseen. */
#ifndef CLV_CORE_CHANGES_H
#define CLV_CORE_CHANGES_H

#include "base/err.h"
#include "core/app.h"

typedef struct clv_changes clv_changes;

/* Starts the listening thread when the store can be told of changes (*out NULL when it
 * cannot: SQLite). The thread reconnects by itself. */
clv_code clv_changes_start(clv_app *app, clv_changes **out, clv_err *err);

/* Stops and joins the thread (within about CLV_CHANGES_POLL_MS); NULL is a no-op. */
void clv_changes_stop(clv_changes *ch);

enum { CLV_CHANGES_POLL_MS = 200 };

/* The invalidation entry point: one change of `kind` to `id` (store.h,
 * clv_store_change_fn), from whatever told of it. */
void clv_changes_apply(void *ctx, const char *kind, const char *id);

#endif
