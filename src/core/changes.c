/* changes — the thread that hears of other nodes' changes (see changes.h). */
#include "core/changes.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "core/client_cache.h"
#include "core/signing_keys.h"

struct clv_changes {
    clv_app *app;
    pthread_t thread;
    atomic_bool stop;
    atomic_bool keys; /* the signing keys changed: reload them (core/signing_keys.h) */
};

void clv_changes_apply(void *ctx, const char *kind, const char *id)
{
    clv_changes *ch = ctx;

    /* A rotation on another node: this node reloads its keys as soon as the wait returns,
     * not at its next poll (core/signing_keys.h). */
    if (ch != NULL && strcmp(kind, "keys") == 0)
        atomic_store(&ch->keys, true);
    /* A client's row or secrets: only that client's cached entries. Everything else (a
     * service or tenant, which many clients inherit; a resource removed, which the
     * resources of token requests may hold; a revoked token or family, which the token
     * cache's "not revoked" answers may hold; the keys; "*"): every entry, as a change
     * made on this node does (clv_write_finish). */
    if (strcmp(kind, "client") == 0 && id[0] != '\0')
        clv_cache_bump_client(id);
    else if (strcmp(kind, "keys") != 0) /* keys: reloaded above; no cache holds them */
        clv_cache_bump();
}

static void *listen_loop(void *arg)
{
    clv_changes *ch = arg;
    bool down = false;

    while (!atomic_load(&ch->stop)) {
        clv_err err;
        clv_code rc;

        clv_err_init(&err);
        rc = clv_store_changes_wait(ch->app->store, CLV_CHANGES_POLL_MS, clv_changes_apply, ch,
                                    &err);
        if (atomic_exchange(&ch->keys, false) && clv_keys_reload(ch->app, false, &err) != CLV_OK)
            clv_log("error", "reloading the signing keys: %s", err.detail);
        if (rc == CLV_OK && down)
            clv_log("info", "listening for other nodes' changes again");
        if (rc != CLV_OK && !down)
            clv_log("warn", "not told of other nodes' changes (each is seen within %d ms): %s",
                    (int)CLV_CACHE_TTL_MS, err.detail);
        down = rc != CLV_OK;
        if (down) {
            struct timespec pause = {0, CLV_CHANGES_POLL_MS * 1000000L};
            nanosleep(&pause, NULL); /* then try again */
        }
    }
    return NULL;
}

clv_code clv_changes_start(clv_app *app, clv_changes **out, clv_err *err)
{
    clv_changes *ch;
    clv_err probe;

    *out = NULL;
    clv_err_init(&probe);
    /* A first call: does the store have a channel at all, and is it there now? */
    if (clv_store_changes_wait(app->store, 0, clv_changes_apply, NULL, &probe) == CLV_NOT_FOUND)
        return CLV_OK;
    if ((ch = calloc(1, sizeof *ch)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    ch->app = app;
    if (pthread_create(&ch->thread, NULL, listen_loop, ch) != 0) {
        free(ch);
        return clv_fail(err, CLV_INTERNAL, "cannot start the changes thread");
    }
    *out = ch;
    return CLV_OK;
}

void clv_changes_stop(clv_changes *ch)
{
    if (ch == NULL)
        return;
    atomic_store(&ch->stop, true);
    pthread_join(ch->thread, NULL);
    free(ch);
}
