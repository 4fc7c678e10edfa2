/* listen — changes_wait (store_ops.h): the notifications that migration 2's triggers send
 * on the channel clavis_changes ("kind:id", one for every change that a cache must not
 * outlive: src/store/postgres/sql.c), received on a connection of its own that does
 * nothing but LISTEN. A lost connection is connected again on the next call, which then
 * reports "*": what was committed meanwhile was told to nobody. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/impl.h"

enum { PAYLOAD_MAX = 256 };

static clv_code listen_open(clv_store *s, PGconn **slot, clv_err *err)
{
    PGresult *res;
    bool ok;

    PQfinish(*slot);
    *slot = PQconnectdb(clv_pg_url(s));
    if (*slot == NULL || PQstatus(*slot) != CONNECTION_OK) {
        clv_fail(err, CLV_UNAVAILABLE, "changes: cannot connect to PostgreSQL: %s",
                 *slot != NULL ? PQerrorMessage(*slot) : "out of memory");
        PQfinish(*slot);
        *slot = NULL;
        return CLV_UNAVAILABLE;
    }
    res = PQexec(*slot, "LISTEN clavis_changes"); /* literal: no input in it */
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        clv_fail(err, CLV_UNAVAILABLE, "changes: LISTEN failed: %s", PQerrorMessage(*slot));
        PQfinish(*slot);
        *slot = NULL;
        return CLV_UNAVAILABLE;
    }
    return CLV_OK;
}

/* Hands one "kind:id" payload to fn (a payload without ':' is a kind alone). */
static void deliver(const char *payload, clv_store_change_fn fn, void *ctx)
{
    char buf[PAYLOAD_MAX];
    char *colon;
    size_t n = strlen(payload);

    if (n >= sizeof buf) {
        fn(ctx, "*", ""); /* not ours, or cut: assume anything changed */
        return;
    }
    memcpy(buf, payload, n + 1);
    colon = strchr(buf, ':');
    if (colon != NULL)
        *colon = '\0';
    fn(ctx, buf, colon != NULL ? colon + 1 : "");
}

clv_code clv_pg_changes_wait(clv_store *s, int timeout_ms, clv_store_change_fn fn, void *ctx,
                             clv_err *err)
{
    PGconn **slot = clv_pg_listen_slot(s);
    struct pollfd pfd = {.events = POLLIN};
    PGnotify *n;
    clv_code rc;

    if (*slot == NULL || PQstatus(*slot) != CONNECTION_OK) {
        if ((rc = listen_open(s, slot, err)) != CLV_OK)
            return rc;
        fn(ctx, "*", "");
    }
    pfd.fd = PQsocket(*slot);
    if (poll(&pfd, 1, timeout_ms) < 0)
        return CLV_OK; /* a signal: the caller calls again */
    if (pfd.revents != 0 && PQconsumeInput(*slot) == 0) {
        clv_fail(err, CLV_UNAVAILABLE, "changes: the connection was lost: %s",
                 PQerrorMessage(*slot));
        PQfinish(*slot);
        *slot = NULL;
        return CLV_UNAVAILABLE;
    }
    while ((n = PQnotifies(*slot)) != NULL) {
        deliver(n->extra, fn, ctx);
        PQfreemem(n);
    }
    return CLV_OK;
}
