/* metrics — per-thread counters summed on a scrape (see metrics.h). */
#include "core/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/perthread.h"

typedef _Atomic uint64_t counter;

enum { WAYS = 8, ID_WORDS = CLV_METRICS_ID_MAX / 8, STATUS_SLOTS = 32 };

const int clv_metrics_statuses[] = {200, 201, 204, 301, 302, 303, 304, 400, 401, 403,
                                    404, 405, 406, 409, 410, 412, 413, 415, 422, 428,
                                    429, 431, 500, 501, 502, 503, 504, 0 /* any other */};
const size_t clv_metrics_status_count = sizeof clv_metrics_statuses / sizeof(int);
const int64_t clv_metrics_bounds_us[CLV_METRICS_BUCKETS] = {
    500,    1000,   2500,   5000,    10000,   25000,   50000,
    100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};

static const char *const cause_names[CLV_FAIL_CAUSES] = {"wrong_secret",     "expired_secret",
                                                         "unknown_client",   "inactive_client",
                                                         "inactive_service", "throttled"};

const char *clv_fail_cause_name(clv_fail_cause c)
{
    return (unsigned)c < CLV_FAIL_CAUSES ? cause_names[c] : NULL;
}

static const char *const reg_names[CLV_REG_RESULTS] = {"created", "invalid", "throttled",
                                                       "capped"};

const char *clv_reg_result_name(clv_reg_result r)
{
    return (unsigned)r < CLV_REG_RESULTS ? reg_names[r] : NULL;
}

static const char *const doc_names[CLV_DOC_RESULTS] = {"created", "refused", "throttled_fetch",
                                                       "throttled_create"};

const char *clv_doc_result_name(clv_doc_result r)
{
    return (unsigned)r < CLV_DOC_RESULTS ? doc_names[r] : NULL;
}

/* One client's counts in a thread's table. id: the client_id, NUL-padded to 64 bytes, in
 * words that a scrape may read while the owner writes (all zero: a free slot). activity
 * ranks clients: it starts where the evicted one's was (space-saving), so a new client is
 * not evicted again before it had a chance; tokens and failures are exact since the
 * client took the slot. */
typedef struct {
    _Atomic uint64_t id[ID_WORDS];
    counter activity, tokens, failures[CLV_FAIL_CAUSES];
} slot;

typedef struct block {
    struct block *prev, *next; /* the registry (under reg_mu) */
    bool registered;           /* read and written by the owner only */
    atomic_uint seq;           /* odd while a slot changes hands (a seqlock) */
    counter requests[CLV_METRICS_ENDPOINTS][STATUS_SLOTS];
    counter latency[CLV_METRICS_ENDPOINTS][CLV_METRICS_BUCKETS + 1];
    counter latency_sum[CLV_METRICS_ENDPOINTS];
    counter tokens[CLV_GRANT_COUNT], failures[CLV_FAIL_CAUSES];
    counter registrations[CLV_REG_RESULTS];
    counter documents[CLV_DOC_RESULTS];
    counter other_tokens, other_failures[CLV_FAIL_CAUSES]; /* of evicted slots */
    slot *_Atomic slots; /* nslots, made on first use (a scrape may read it meanwhile) */
} block;

static void block_free(void *b);
static clv_perthread tls = CLV_PERTHREAD_INIT(block_free, sizeof(block));
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static block *reg_head;  /* every live thread's block */
static block retired;    /* the counts of threads that exited (under reg_mu) */
static unsigned top_n;   /* set once before the threads start */
static size_t nslots;    /* per thread: a power of two >= 2 * top_n, >= 64 */
static uint64_t id_seed; /* bucket hash seed */

static inline void bump(counter *c, uint64_t n)
{
    /* only the owning thread writes: a load and a store, no locked instruction */
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static inline uint64_t get(counter *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

void clv_metrics_setup(unsigned top_clients)
{
    size_t k = 64;

    top_n = top_clients > CLV_METRICS_CLIENTS_MAX ? CLV_METRICS_CLIENTS_MAX : top_clients;
    while (k < 2 * (size_t)top_n)
        k *= 2;
    nslots = k;
    id_seed = (uint64_t)(uintptr_t)&top_n * 0x9E3779B97F4A7C15ull ^ 0xcbf29ce484222325ull;
}

static void fold(block *to, block *from);
static void fold_slots(block *to, block *from);

static void block_free(void *p)
{
    block *b = p;

    if (b == NULL)
        return;
    pthread_mutex_lock(&reg_mu);
    fold(&retired, b);
    fold_slots(&retired, b);
    if (b->prev != NULL)
        b->prev->next = b->next;
    else if (reg_head == b)
        reg_head = b->next;
    if (b->next != NULL)
        b->next->prev = b->prev;
    pthread_mutex_unlock(&reg_mu);
    free(atomic_load(&b->slots));
    free(b);
}

/* The calling thread's block, registered on first use; NULL when out of memory. */
static block *mine(void)
{
    block *b = clv_perthread_get(&tls);

    if (b == NULL || b->registered)
        return b;
    pthread_mutex_lock(&reg_mu);
    b->registered = true;
    b->next = reg_head;
    if (reg_head != NULL)
        reg_head->prev = b;
    reg_head = b;
    pthread_mutex_unlock(&reg_mu);
    return b;
}

/* The slot of status: its place in clv_metrics_statuses, else the last ("any other"). */
static size_t status_slot(int status)
{
    size_t i = 0;

    while (i + 1 < clv_metrics_status_count && clv_metrics_statuses[i] != status)
        i++;
    return i;
}

void clv_metrics_request(unsigned endpoint, int status, int64_t micros)
{
    block *b;
    size_t k = 0;

    if (endpoint >= CLV_METRICS_ENDPOINTS || (b = mine()) == NULL)
        return;
    if (micros < 0)
        micros = 0;
    while (k < CLV_METRICS_BUCKETS && micros > clv_metrics_bounds_us[k])
        k++;
    bump(&b->requests[endpoint][status_slot(status)], 1);
    bump(&b->latency[endpoint][k], 1);
    bump(&b->latency_sum[endpoint], (uint64_t)micros);
}

/* ---- the per-client table ---- */

/* id as NUL-padded words; false when it cannot be counted per client (NULL, empty, too
 * long). */
static bool pack_id(const char *id, uint64_t out[ID_WORDS])
{
    size_t n = id != NULL ? strnlen(id, CLV_METRICS_ID_MAX + 1) : 0;

    if (n == 0 || n > CLV_METRICS_ID_MAX)
        return false;
    memset(out, 0, ID_WORDS * 8);
    memcpy(out, id, n);
    return true;
}

static uint64_t id_hash(const uint64_t w[ID_WORDS])
{
    uint64_t h = id_seed;

    for (size_t i = 0; i < ID_WORDS && w[i] != 0; i++) {
        h ^= w[i];
        h *= 0x100000001b3ull;
        h ^= h >> 29;
    }
    return h;
}

static bool slot_is(slot *s, const uint64_t w[ID_WORDS])
{
    for (size_t i = 0; i < ID_WORDS; i++)
        if (atomic_load_explicit(&s->id[i], memory_order_relaxed) != w[i])
            return false;
    return true;
}

/* Gives s (the least active of its bucket) to the client w: its counts go to "other"
 * and w starts from its activity (space-saving), all inside the seqlock so that a scrape
 * never sees the counts twice or under the wrong name. */
static void slot_take(block *b, slot *s, const uint64_t w[ID_WORDS])
{
    unsigned seq = atomic_load_explicit(&b->seq, memory_order_relaxed);

    atomic_store_explicit(&b->seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    bump(&b->other_tokens, get(&s->tokens));
    atomic_store_explicit(&s->tokens, 0, memory_order_relaxed);
    for (size_t c = 0; c < CLV_FAIL_CAUSES; c++) {
        bump(&b->other_failures[c], get(&s->failures[c]));
        atomic_store_explicit(&s->failures[c], 0, memory_order_relaxed);
    }
    for (size_t i = 0; i < ID_WORDS; i++)
        atomic_store_explicit(&s->id[i], w[i], memory_order_relaxed);
    atomic_store_explicit(&b->seq, seq + 2, memory_order_release);
}

/* The slot of client_id in this thread's table (taken from the least active client of its
 * bucket when it has none); NULL when the client is not counted per client. */
static slot *client_slot(block *b, const char *client_id)
{
    uint64_t w[ID_WORDS];
    slot *table = atomic_load_explicit(&b->slots, memory_order_relaxed), *bucket, *least;

    if (top_n == 0 || !pack_id(client_id, w))
        return NULL;
    if (table == NULL) {
        if ((table = calloc(nslots, sizeof(slot))) == NULL)
            return NULL;
        atomic_store_explicit(&b->slots, table, memory_order_release);
    }
    bucket = table + (id_hash(w) & (nslots / WAYS - 1)) * WAYS;
    least = bucket;
    for (size_t i = 0; i < WAYS; i++) {
        if (slot_is(&bucket[i], w))
            return &bucket[i];
        if (get(&bucket[i].activity) < get(&least->activity))
            least = &bucket[i];
    }
    slot_take(b, least, w);
    return least;
}

void clv_metrics_token(clv_grant g, const char *client_id)
{
    block *b = mine();
    slot *s;

    if (b == NULL || (unsigned)g >= CLV_GRANT_COUNT)
        return;
    bump(&b->tokens[g], 1);
    if ((s = client_slot(b, client_id)) != NULL) {
        bump(&s->tokens, 1);
        bump(&s->activity, 1);
    }
}

void clv_metrics_auth_failure(clv_fail_cause cause, const char *client_id)
{
    block *b = mine();
    slot *s;

    if (b == NULL || (unsigned)cause >= CLV_FAIL_CAUSES)
        return;
    bump(&b->failures[cause], 1);
    if (cause == CLV_FAIL_UNKNOWN_CLIENT)
        return;
    if (client_id == NULL && top_n > 0) /* no client named: "other" */
        bump(&b->other_failures[cause], 1);
    else if ((s = client_slot(b, client_id)) != NULL) {
        bump(&s->failures[cause], 1);
        bump(&s->activity, 1);
    }
}

bool clv_metrics_per_client(void)
{
    return top_n > 0;
}

void clv_metrics_registration(clv_reg_result r)
{
    block *b = mine();

    if (b != NULL && (unsigned)r < CLV_REG_RESULTS)
        bump(&b->registrations[r], 1);
}

void clv_metrics_document(clv_doc_result r)
{
    block *b = mine();

    if (b != NULL && (unsigned)r < CLV_DOC_RESULTS)
        bump(&b->documents[r], 1);
}

/* ---- reading ---- */

/* Adds from's totals into to (to is retired or a scrape's sum: no other writer). */
static void fold(block *to, block *from)
{
    for (size_t e = 0; e < CLV_METRICS_ENDPOINTS; e++) {
        for (size_t s = 0; s < STATUS_SLOTS; s++)
            bump(&to->requests[e][s], get(&from->requests[e][s]));
        for (size_t k = 0; k <= CLV_METRICS_BUCKETS; k++)
            bump(&to->latency[e][k], get(&from->latency[e][k]));
        bump(&to->latency_sum[e], get(&from->latency_sum[e]));
    }
    for (size_t g = 0; g < CLV_GRANT_COUNT; g++)
        bump(&to->tokens[g], get(&from->tokens[g]));
    bump(&to->other_tokens, get(&from->other_tokens));
    for (size_t r = 0; r < CLV_REG_RESULTS; r++)
        bump(&to->registrations[r], get(&from->registrations[r]));
    for (size_t r = 0; r < CLV_DOC_RESULTS; r++)
        bump(&to->documents[r], get(&from->documents[r]));
    for (size_t c = 0; c < CLV_FAIL_CAUSES; c++) {
        bump(&to->failures[c], get(&from->failures[c]));
        bump(&to->other_failures[c], get(&from->other_failures[c]));
    }
}

/* A thread that exits leaves its clients' counts to "other". */
static void fold_slots(block *to, block *from)
{
    slot *table = atomic_load_explicit(&from->slots, memory_order_acquire);

    for (size_t i = 0; table != NULL && i < nslots; i++) {
        bump(&to->other_tokens, get(&table[i].tokens));
        for (size_t c = 0; c < CLV_FAIL_CAUSES; c++)
            bump(&to->other_failures[c], get(&table[i].failures[c]));
    }
}

/* Appends the used slots of b to list (room for nslots more); returns how many. */
static size_t copy_slots(block *b, clv_metrics_client *list)
{
    slot *table = atomic_load_explicit(&b->slots, memory_order_acquire);
    size_t n = 0;

    for (size_t i = 0; table != NULL && i < nslots; i++) {
        slot *s = &table[i];
        clv_metrics_client *c = &list[n];
        uint64_t w[ID_WORDS];
        for (size_t k = 0; k < ID_WORDS; k++)
            w[k] = atomic_load_explicit(&s->id[k], memory_order_relaxed);
        if (w[0] == 0)
            continue;
        memcpy(c->client_id, w, CLV_METRICS_ID_MAX);
        c->client_id[CLV_METRICS_ID_MAX] = '\0';
        c->activity = get(&s->activity);
        c->tokens = get(&s->tokens);
        for (size_t k = 0; k < CLV_FAIL_CAUSES; k++)
            c->failures[k] = get(&s->failures[k]);
        n++;
    }
    return n;
}

/* One thread's counts into sum, and its clients appended to list (*n grows): read again
 * while a slot changed hands in between (the seqlock), a few times at most. */
static void read_block(block *b, block *sum, clv_metrics_client *list, size_t *n)
{
    block tmp;
    size_t got = 0;

    for (int tries = 0; tries < 8; tries++) {
        unsigned s1 = atomic_load_explicit(&b->seq, memory_order_acquire);
        memset(&tmp, 0, sizeof tmp);
        fold(&tmp, b);
        got = copy_slots(b, list + *n);
        atomic_thread_fence(memory_order_acquire);
        if ((s1 & 1) == 0 && atomic_load_explicit(&b->seq, memory_order_relaxed) == s1)
            break;
    }
    *n += got;
    fold(sum, &tmp);
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const clv_metrics_client *)a)->client_id,
                  ((const clv_metrics_client *)b)->client_id);
}

static int by_activity(const void *a, const void *b)
{
    const clv_metrics_client *x = a, *y = b;

    if (x->activity != y->activity)
        return x->activity > y->activity ? -1 : 1;
    return strcmp(x->client_id, y->client_id);
}

static void add_client(clv_metrics_client *to, const clv_metrics_client *from)
{
    to->activity += from->activity;
    to->tokens += from->tokens;
    for (size_t k = 0; k < CLV_FAIL_CAUSES; k++)
        to->failures[k] += from->failures[k];
}

/* Merges the threads' entries of one client, keeps the top_n busiest and sums the rest
 * (and the evicted counts of sum) into a last entry "other". Returns the new length. */
static size_t rank_clients(clv_metrics_client *list, size_t n, block *sum)
{
    size_t m = 0;
    clv_metrics_client other = {.client_id = "other"};

    qsort(list, n, sizeof *list, by_id);
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && strcmp(list[m - 1].client_id, list[i].client_id) == 0)
            add_client(&list[m - 1], &list[i]);
        else
            list[m++] = list[i];
    }
    qsort(list, m, sizeof *list, by_activity);
    for (size_t i = top_n; i < m; i++)
        add_client(&other, &list[i]);
    if (m > top_n)
        m = top_n;
    other.tokens += get(&sum->other_tokens);
    for (size_t k = 0; k < CLV_FAIL_CAUSES; k++)
        other.failures[k] += get(&sum->other_failures[k]);
    other.activity = other.tokens;
    for (size_t k = 0; k < CLV_FAIL_CAUSES; k++)
        other.activity += other.failures[k];
    if (other.activity > 0)
        list[m++] = other;
    return m;
}

static void snap_fill(clv_metrics_snap *out, block *sum)
{
    for (size_t e = 0; e < CLV_METRICS_ENDPOINTS; e++) {
        for (size_t s = 0; s < STATUS_SLOTS; s++)
            out->requests[e][s] = get(&sum->requests[e][s]);
        for (size_t k = 0; k <= CLV_METRICS_BUCKETS; k++)
            out->latency[e][k] = get(&sum->latency[e][k]);
        out->latency_sum_us[e] = get(&sum->latency_sum[e]);
    }
    for (size_t g = 0; g < CLV_GRANT_COUNT; g++)
        out->tokens[g] = get(&sum->tokens[g]);
    for (size_t c = 0; c < CLV_FAIL_CAUSES; c++)
        out->failures[c] = get(&sum->failures[c]);
    for (size_t r = 0; r < CLV_REG_RESULTS; r++)
        out->registrations[r] = get(&sum->registrations[r]);
    for (size_t r = 0; r < CLV_DOC_RESULTS; r++)
        out->documents[r] = get(&sum->documents[r]);
}

clv_code clv_metrics_snapshot(clv_metrics_snap **out, clv_err *err)
{
    clv_metrics_snap *snap = calloc(1, sizeof *snap);
    block *sum = calloc(1, sizeof *sum);
    size_t threads = 0, n = 0;

    pthread_mutex_lock(&reg_mu);
    for (block *b = reg_head; b != NULL; b = b->next)
        threads++;
    if (snap != NULL && sum != NULL)
        snap->clients = calloc(threads * nslots + 1, sizeof *snap->clients);
    if (snap == NULL || sum == NULL || snap->clients == NULL) {
        pthread_mutex_unlock(&reg_mu);
        free(sum);
        clv_metrics_snap_free(snap);
        return clv_fail(err, CLV_NOMEM, "out of memory");
    }
    fold(sum, &retired);
    for (block *b = reg_head; b != NULL; b = b->next)
        read_block(b, sum, snap->clients, &n);
    pthread_mutex_unlock(&reg_mu);
    snap->n_clients = rank_clients(snap->clients, n, sum);
    snap_fill(snap, sum);
    free(sum);
    *out = snap;
    return CLV_OK;
}

void clv_metrics_snap_free(clv_metrics_snap *s)
{
    if (s == NULL)
        return;
    free(s->clients);
    free(s);
}

/* ---- clients by status ---- */

static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t count_at = -1, count_cache[3];

clv_code clv_metrics_client_counts(clv_app *app, int64_t counts[3], clv_err *err)
{
    int64_t now = clv_now();
    clv_code rc = CLV_OK;

    pthread_mutex_lock(&count_mu);
    if (count_at < 0 || now - count_at >= CLV_METRICS_COUNT_TTL) {
        int64_t fresh[3] = {0};
        rc = clv_store_client_count(app->store, fresh, err);
        if (rc == CLV_OK) {
            memcpy(count_cache, fresh, sizeof fresh);
            count_at = now;
        }
    }
    memcpy(counts, count_cache, sizeof count_cache);
    pthread_mutex_unlock(&count_mu);
    return rc;
}
