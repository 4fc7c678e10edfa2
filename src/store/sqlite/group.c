/* group — group commit: every write of the SQLite backend goes through one writer connection,
 * and one fsync makes a whole batch of requests durable (docs/DESIGN.md D17,
 * docs/ARCHITECTURE.md "Group commit").
 *
 * A request (an explicit transaction, clv_store_begin … commit, or one write operation)
 * takes the writer connection (group_enter), opens the batch's transaction if none is open
 * (BEGIN IMMEDIATE), and runs its statements inside its own savepoint. On success it
 * releases the savepoint, joins the batch's list of waiters and hands the writer on; it
 * returns only when the committer thread has committed the batch (COMMIT, the fsync of
 * synchronous=FULL) — so nothing is acknowledged before it is durable. On failure it rolls
 * back to its savepoint (its changes vanish, the batch's others stay) and returns at once.
 *
 * The committer commits a batch as soon as no request is inside or waiting for the writer
 * (nobody else is coming: no wait at all for a lone writer), else when GROUP_MAX requests
 * wait or GROUP_WINDOW_NS after the batch's first one — and the fsync of one batch is the
 * time in which the next one gathers. If COMMIT fails, every request of the batch fails.
 *
 * Locking: mu guards the fields below; `held` says who uses the writer connection (one
 * request, or the committer), which is used without mu. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store/sqlite/impl.h"

enum { GROUP_MAX = 64 };                     /* requests in one batch at most */
static const long GROUP_WINDOW_NS = 1000000; /* a batch waits 1 ms for more at most */

typedef struct waiter {
    struct waiter *next;
    sem_t done; /* posted once rc is set */
    clv_code rc;
    char msg[CLV_ERR_DETAIL_MAX];
} waiter;

struct clv_sqlite_group {
    pthread_mutex_t mu;
    pthread_cond_t wake;    /* the committer: a request joined or left the writer, stop */
    pthread_cond_t free_cv; /* requests waiting to take the writer */
    clv_store *store;
    clv_sqlite_conn *w; /* the writer connection, opened on first use */
    pthread_t thread;
    bool started, stop;
    bool held;             /* a request or the committer uses w */
    bool open;             /* w has the batch's transaction open (changed only by the holder) */
    bool committing;       /* the committer waits for w: no new request takes it */
    int entering;          /* requests waiting to take w */
    int n;                 /* requests in the batch, waiting for its commit */
    struct timespec first; /* when the batch's first request joined it */
    waiter *waiting;
    long long batches, requests; /* for clv_sqlite_group_stats */
};

clv_sqlite_group *clv_sqlite_group_new(clv_store *s)
{
    clv_sqlite_group *g = calloc(1, sizeof *g);
    pthread_condattr_t ca;

    if (g == NULL)
        return NULL;
    g->store = s;
    pthread_mutex_init(&g->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&g->free_cv, NULL);
    return g;
}

/* Ends every waiter of the list with rc (and the message of err). A waiter may return
 * (and its waiter be gone) as soon as it is posted. Each has its own semaphore, so that a
 * batch's end wakes its requests without a herd on mu. */
static void finish_waiters(waiter *list, clv_code rc, const clv_err *err)
{
    waiter *next;

    for (waiter *x = list; x != NULL; x = next) {
        next = x->next;
        x->rc = rc;
        if (rc != CLV_OK)
            snprintf(x->msg, sizeof x->msg, "%s", err->detail);
        sem_post(&x->done);
    }
}

/* Commits the open batch (the caller holds the writer), the names of its new clients
 * indexed for q first, in one statement per index (q_index.c); or rolls it back if that or
 * COMMIT fails. Either way clients_q_pending is empty after it. */
static clv_code commit_batch(clv_sqlite_group *g, clv_err *err)
{
    clv_code rc = clv_sqlite_q_flush(g->w, err);

    if (rc == CLV_OK)
        rc = clv_sqlite_run(g->w, ST_COMMIT, err);
    if (rc != CLV_OK && !sqlite3_get_autocommit(g->w->db))
        clv_sqlite_run(g->w, ST_ROLLBACK, NULL);
    g->w->q_pending = false;
    g->open = false;
    return rc;
}

static bool before(const struct timespec *deadline)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec < deadline->tv_sec ||
           (now.tv_sec == deadline->tv_sec && now.tv_nsec < deadline->tv_nsec);
}

/* Waits (mu held) until the batch should be committed, then takes the writer. */
static void gather(clv_sqlite_group *g)
{
    struct timespec deadline = g->first;

    deadline.tv_nsec += GROUP_WINDOW_NS;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (!g->stop && g->n < GROUP_MAX && (g->held || g->entering > 0) && before(&deadline))
        pthread_cond_timedwait(&g->wake, &g->mu, &deadline);
    g->committing = true;
    while (g->held)
        pthread_cond_wait(&g->wake, &g->mu);
    g->held = true;
}

static void *committer(void *arg)
{
    clv_sqlite_group *g = arg;
    clv_err err = {0};

    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->stop && g->n == 0)
            pthread_cond_wait(&g->wake, &g->mu);
        if (g->n == 0)
            break;
        gather(g);
        waiter *list = g->waiting;
        int n = g->n;
        g->waiting = NULL;
        g->n = 0;
        pthread_mutex_unlock(&g->mu);
        clv_code rc = commit_batch(g, &err);
        pthread_mutex_lock(&g->mu);
        finish_waiters(list, rc, &err);
        g->batches++;
        g->requests += n;
        g->held = false;
        g->committing = false;
        pthread_cond_signal(&g->free_cv);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* First use (mu held, the writer held): the connection and the committer thread. */
static clv_code start(clv_sqlite_group *g, clv_err *err)
{
    clv_code rc = clv_sqlite_conn_new(g->store, &g->w, err);

    if (rc != CLV_OK)
        return rc;
    g->w->batched = true;
    if ((rc = clv_sqlite_run(g->w, ST_WRITER_TEMP, err)) != CLV_OK) {
        clv_sqlite_conn_free(g->w);
        g->w = NULL;
        return rc;
    }
    if (pthread_create(&g->thread, NULL, committer, g) != 0) {
        clv_sqlite_conn_free(g->w);
        g->w = NULL;
        return clv_fail(err, CLV_STORE, "store: cannot start the group commit thread");
    }
    g->started = true;
    return CLV_OK;
}

/* A batch that holds no request (its only one failed) is ended at once rather than hold
 * the database's write lock (mu and the writer held). */
static void drop_empty(clv_sqlite_group *g)
{
    if (g->open && g->n == 0) {
        if (!sqlite3_get_autocommit(g->w->db))
            clv_sqlite_run(g->w, ST_ROLLBACK, NULL);
        g->open = false;
    }
}

/* Hands the writer on (mu held), and wakes the committer when it has something to do:
 * it waits for the writer, or a batch began (its deadline starts), is full, or nobody else
 * is coming. */
static void put_back(clv_sqlite_group *g)
{
    g->held = false;
    pthread_cond_signal(&g->free_cv);
    if (g->committing || g->n == 1 || g->n >= GROUP_MAX || g->entering == 0)
        pthread_cond_signal(&g->wake);
}

clv_code clv_sqlite_group_enter(clv_sqlite_group *g, clv_sqlite_conn **w, clv_err *err)
{
    clv_code rc = CLV_OK;

    pthread_mutex_lock(&g->mu);
    g->entering++;
    while (g->held || g->committing)
        pthread_cond_wait(&g->free_cv, &g->mu);
    g->entering--;
    g->held = true;
    if (!g->started)
        rc = start(g, err);
    pthread_mutex_unlock(&g->mu);
    if (rc == CLV_OK && !g->open && (rc = clv_sqlite_run(g->w, ST_BEGIN, err)) == CLV_OK)
        g->open = true;
    if (rc == CLV_OK)
        rc = clv_sqlite_run(g->w, ST_GROUP_SAVEPOINT, err);
    if (rc == CLV_OK) {
        *w = g->w;
        return CLV_OK;
    }
    pthread_mutex_lock(&g->mu);
    drop_empty(g);
    put_back(g);
    pthread_mutex_unlock(&g->mu);
    return rc;
}

/* After a request's statements (the writer held): its savepoint released, or rolled back
 * when rc says it failed. If an error rolled back the whole batch (SQLite does so on some
 * I/O and memory errors), the requests already in it fail now. */
static clv_code end_request(clv_sqlite_group *g, clv_code rc, clv_err *err)
{
    if (rc == CLV_OK)
        rc = clv_sqlite_run(g->w, ST_GROUP_RELEASE, err);
    if (rc != CLV_OK && !sqlite3_get_autocommit(g->w->db)) {
        clv_sqlite_run(g->w, ST_GROUP_ROLLBACK_TO, NULL);
        clv_sqlite_run(g->w, ST_GROUP_RELEASE, NULL);
    }
    if (sqlite3_get_autocommit(g->w->db)) {
        clv_err lost = {0};
        clv_fail(&lost, CLV_STORE, "store: the batch's transaction was rolled back");
        pthread_mutex_lock(&g->mu);
        finish_waiters(g->waiting, CLV_STORE, &lost);
        g->waiting = NULL;
        g->n = 0;
        g->open = false;
        pthread_mutex_unlock(&g->mu);
        if (rc == CLV_OK)
            rc = clv_fail(err, CLV_STORE, "store: the batch's transaction was rolled back");
    }
    return rc;
}

clv_code clv_sqlite_group_leave(clv_sqlite_group *g, clv_code rc, clv_err *err)
{
    waiter me = {0};

    rc = end_request(g, rc, err);
    if (rc == CLV_OK)
        sem_init(&me.done, 0, 0);
    pthread_mutex_lock(&g->mu);
    if (rc == CLV_OK) {
        me.next = g->waiting;
        g->waiting = &me;
        if (g->n++ == 0)
            clock_gettime(CLOCK_MONOTONIC, &g->first);
    } else {
        drop_empty(g);
    }
    put_back(g);
    pthread_mutex_unlock(&g->mu);
    if (rc != CLV_OK)
        return rc;
    while (sem_wait(&me.done) != 0 && errno == EINTR)
        ;
    sem_destroy(&me.done);
    if (me.rc != CLV_OK)
        rc = clv_fail(err, me.rc, "store: commit: %s", me.msg);
    return rc;
}

void clv_sqlite_group_stats(clv_sqlite_group *g, long long *batches, long long *requests)
{
    pthread_mutex_lock(&g->mu);
    *batches = g->batches;
    *requests = g->requests;
    pthread_mutex_unlock(&g->mu);
}

void clv_sqlite_group_free(clv_sqlite_group *g)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->mu);
    g->stop = true;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->mu);
    if (g->started)
        pthread_join(g->thread, NULL);
    if (g->w != NULL) {
        if (!sqlite3_get_autocommit(g->w->db))
            clv_sqlite_run(g->w, ST_ROLLBACK, NULL);
        clv_sqlite_conn_free(g->w);
    }
    pthread_cond_destroy(&g->wake);
    pthread_cond_destroy(&g->free_cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
}
