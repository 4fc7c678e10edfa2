/* q — how the PostgreSQL backend answers a client list with q (docs/DESIGN.md R9 and "q on
 * PostgreSQL"; the index is sql.c's migration q), its equivalent of the SQLite backend's
 * q_index.c. Two ways, chosen per page from what the newest clients look like:
 *   the walk   reads the list in its own order (created_at, id) through its keyset index and
 *              checks q on each row, stopping at the page's last match: cheap when matches
 *              are dense (a term most names hold, q with a filter most clients pass), and
 *              bounded by a row budget, past which it gives up for the index;
 *   the index  asks clients_q (GIN) for the rare keys of q — its trigrams less the common
 *              ones, or q itself for 1 or 2 characters — and the tags of the filters, then
 *              sorts the few rows it returns: cheap when matches are sparse.
 * The sample: each connection learns, from the newest Q_SAMPLE clients, how many hold each
 * key (character, pair, trigram or tag) that at least 1 in Q_KEPT_PER of them hold, and the
 * table's size (pg_class.reltuples), again after Q_SAMPLE_TTL_MS. The share of the rarest
 * key of q, times the shares of the filters' tags, estimates the share d of rows that match;
 * the index reads about rows * d rows, a walk about (limit + 1) / d (the service's or
 * tenant's share left out of d there: the walk reads their own index), and the smaller
 * wins. Keys
 * at least half of the sample holds are not asked of the index (sql.c clavis_q_grams).
 * Either way the statement's exact predicate decides on every row, so both give the same
 * page; only the time differs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/postgres/impl.h"

#define Q_SAMPLE 1000
#define Q_SAMPLE_MIN 200 /* a smaller sample estimates nothing: the index answers */
#define Q_SAMPLE_TTL_MS 60000
#define Q_KEPT_PER 100 /* keys fewer than 1 in this many sampled names hold count as 0 */
/* The least rows a walk may read, and how many times its estimate it may read. */
#define Q_WALK_MIN 1000
#define Q_WALK_SLACK 2
#define Q_KEY_MAX 64 /* "service:<id>" and the like; a key is never longer */
#define Q_CHARS_MAX 256 /* characters of q looked at for the estimate */

typedef struct {
    char *key;
    int64_t count;
} q_key;

struct clv_pg_q_sample {
    q_key *keys; /* sorted by key */
    size_t n;
    int64_t names, rows;
    int64_t built_ms;
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(((const q_key *)a)->key, ((const q_key *)b)->key);
}

static void keys_free(q_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(keys[i].key);
    free(keys);
}

void clv_pg_q_sample_free(clv_pg_q_sample *s)
{
    if (s != NULL)
        keys_free(s->keys, s->n);
    free(s);
}

/* Reads the sample's rows (key, count, names, rows) into s. */
static clv_code sample_load(clv_pg_q_sample *s, const PGresult *res, clv_err *err)
{
    int n = PQntuples(res);
    q_key *keys = n > 0 ? calloc((size_t)n, sizeof *keys) : NULL;

    if (n > 0 && keys == NULL)
        return clv_fail(err, CLV_NOMEM, "client_list: out of memory");
    s->names = s->rows = 0;
    for (int i = 0; i < n; i++) {
        if ((keys[i].key = strdup(PQgetvalue(res, i, 0))) == NULL) {
            keys_free(keys, (size_t)i);
            return clv_fail(err, CLV_NOMEM, "client_list: out of memory");
        }
        keys[i].count = strtoll(PQgetvalue(res, i, 1), NULL, 10);
        s->names = strtoll(PQgetvalue(res, i, 2), NULL, 10);
        s->rows = strtoll(PQgetvalue(res, i, 3), NULL, 10);
    }
    if (s->rows < s->names)
        s->rows = s->names; /* reltuples is -1 or stale before the first ANALYZE */
    if (n > 0)
        qsort(keys, (size_t)n, sizeof *keys, key_cmp);
    keys_free(s->keys, s->n);
    s->keys = keys;
    s->n = (size_t)n;
    s->built_ms = now_ms();
    return CLV_OK;
}

/* The connection's sample, learnt again when older than Q_SAMPLE_TTL_MS. */
static clv_code sample_get(clv_pg_conn *c, const clv_pg_q_sample **out, clv_err *err)
{
    clv_pg_params p;
    PGresult *res = NULL;
    clv_code rc;

    if (c->q_sample == NULL && (c->q_sample = calloc(1, sizeof *c->q_sample)) == NULL)
        return clv_fail(err, CLV_NOMEM, "client_list: out of memory");
    if (c->q_sample->built_ms == 0 || now_ms() - c->q_sample->built_ms > Q_SAMPLE_TTL_MS) {
        clv_pg_params_init(&p);
        clv_pg_int(&p, Q_SAMPLE);
        clv_pg_int(&p, Q_KEPT_PER);
        rc = clv_pg_exec(c, PG_CLIENT_Q_SAMPLE, &p, "client_list", &res, err);
        if (rc == CLV_OK)
            rc = sample_load(c->q_sample, res, err);
        PQclear(res);
        if (rc != CLV_OK)
            return rc;
    }
    *out = c->q_sample;
    return CLV_OK;
}

/* The share of the sampled names that hold key (0 when fewer than 1 in Q_KEPT_PER do). */
static double share(const clv_pg_q_sample *s, const char *key)
{
    q_key k = {.key = (char *)key};
    const q_key *hit = s->n > 0 ? bsearch(&k, s->keys, s->n, sizeof k, key_cmp) : NULL;

    return hit != NULL && s->names > 0 ? (double)hit->count / (double)s->names : 0;
}

/* Bytes of the UTF-8 character at t (1 for a malformed byte). */
static size_t char_len(const char *t)
{
    unsigned char b = (unsigned char)t[0];
    size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;

    for (size_t i = 1; i < len; i++)
        if ((t[i] & 0xC0) != 0x80)
            return 1;
    return len;
}

/* The share of the key q[from, to), folded as lower() folds ASCII; other characters as
 * they are, which at worst makes the estimate say "rare" and sends q to the index, whose
 * keys PostgreSQL folds itself. */
static double span_share(const clv_pg_q_sample *s, const char *q, size_t from, size_t to)
{
    char key[4 * 3 + 1];

    for (size_t i = from; i < to; i++)
        key[i - from] = q[i] >= 'A' && q[i] <= 'Z' ? (char)(q[i] - 'A' + 'a') : q[i];
    key[to - from] = '\0';
    return share(s, key);
}

/* The share of the rarest key q asks: its trigrams, or q itself when shorter. */
static double q_share(const clv_pg_q_sample *s, const char *q)
{
    size_t offs[Q_CHARS_MAX + 1], n = 0, i = 0;
    double least = 1;

    while (q[i] != '\0' && n < Q_CHARS_MAX) {
        offs[n++] = i;
        i += char_len(q + i);
    }
    offs[n] = i;
    if (q[i] != '\0')
        return 0; /* longer than names are: the index answers */
    if (n < 3)
        return span_share(s, q, 0, i);
    for (size_t k = 0; k + 3 <= n; k++) {
        double sh = span_share(s, q, offs[k], offs[k + 3]);
        least = sh < least ? sh : least;
    }
    return least;
}

/* The tags of f's filters ("service:<id>", …, as sql.c clavis_q_keys makes them), each
 * with its share; the client's own status only (an effective status active needs it
 * active; any other says little about it, and the statement checks the rest). *walked
 * gets how many of them come first that the walk reads through an index (service,
 * tenant), so that they do not lengthen it. Returns how many. */
static size_t filter_tags(const clv_pg_q_sample *s, const clv_client_filter *f,
                          char tags[4][Q_KEY_MAX], double shares[4], size_t *walked)
{
    int status = f->status >= 0 ? f->status
                 : f->by_effective && f->effective_status == CLV_STATUS_ACTIVE
                     ? (int)CLV_STATUS_ACTIVE
                     : -1;
    size_t n = 0;

    if (f->service_id != NULL && strlen(f->service_id) < Q_KEY_MAX - 8)
        snprintf(tags[n++], Q_KEY_MAX, "service:%s", f->service_id);
    if (f->tenant_id != NULL && strlen(f->tenant_id) < Q_KEY_MAX - 7)
        snprintf(tags[n++], Q_KEY_MAX, "tenant:%s", f->tenant_id);
    *walked = n;
    if (status >= 0)
        snprintf(tags[n++], Q_KEY_MAX, "status:%d", status);
    if (f->type >= 0)
        snprintf(tags[n++], Q_KEY_MAX, "type:%d", f->type);
    for (size_t i = 0; i < n; i++)
        shares[i] = share(s, tags[i]);
    return n;
}

/* A text[] literal: {"a","b"} with '"' and '\' escaped. */
typedef struct {
    char *t;
    size_t n, cap;
    bool failed;
} q_array;

static void array_add(q_array *a, const char *v)
{
    size_t need = a->n + 2 * strlen(v) + 5; /* lead, quotes, and room for "}\0" */
    char lead;

    if (a->failed)
        return;
    if (need > a->cap) {
        char *t = realloc(a->t, need * 2);
        if (t == NULL) {
            a->failed = true;
            return;
        }
        a->t = t;
        a->cap = need * 2;
    }
    lead = a->n == 0 ? '{' : ',';
    a->t[a->n++] = lead;
    a->t[a->n++] = '"';
    for (; *v != '\0'; v++) {
        if (*v == '"' || *v == '\\')
            a->t[a->n++] = '\\';
        a->t[a->n++] = *v;
    }
    a->t[a->n++] = '"';
    a->t[a->n] = '\0';
}

/* The literal's text, closed ("{}" when empty); NULL when out of memory. */
static char *array_end(q_array *a)
{
    if (a->failed || (a->n == 0 && (a->t = malloc(3)) == NULL)) {
        free(a->t);
        return NULL;
    }
    if (a->n == 0) {
        memcpy(a->t, "{}", 3);
        return a->t;
    }
    a->t[a->n++] = '}';
    a->t[a->n] = '\0';
    return a->t;
}

/* What one page with q does: walk (reading at most budget rows) or ask the index; the
 * literals of the index's $12 (the common keys, not asked) and $13 (the tags asked). */
typedef struct {
    bool walk;
    int64_t budget;
    char *common, *tags;
} q_plan;

static clv_code plan_make(const clv_pg_q_sample *s, const clv_client_filter *f, int limit,
                          q_plan *plan, clv_err *err)
{
    char tags[4][Q_KEY_MAX];
    double shares[4], d = q_share(s, f->q), d_walk;
    size_t walked, nt = filter_tags(s, f, tags, shares, &walked);
    bool sampled = s->names >= Q_SAMPLE_MIN;
    q_array common = {0}, ask = {0};

    for (size_t i = walked; i < nt; i++)
        d *= shares[i];
    d_walk = d; /* the share of the rows the walk reads that match */
    for (size_t i = 0; i < nt; i++) {
        if (i < walked)
            d *= shares[i];
        if (!sampled || shares[i] * 2 < 1)
            array_add(&ask, tags[i]);
    }
    for (size_t i = 0; sampled && i < s->n; i++)
        if (s->keys[i].count * 2 >= s->names)
            array_add(&common, s->keys[i].key);
    if (sampled && d > 0) {
        double walk = (double)(limit + 1) / d_walk, index = (double)s->rows * d;
        plan->walk = walk <= index; /* then walk is at most the table's size */
        if (plan->walk)
            plan->budget = walk * Q_WALK_SLACK > Q_WALK_MIN ? (int64_t)(walk * Q_WALK_SLACK)
                                                            : Q_WALK_MIN;
    }
    plan->common = array_end(&common);
    plan->tags = array_end(&ask);
    if (plan->common == NULL || plan->tags == NULL)
        return clv_fail(err, CLV_NOMEM, "client_list: out of memory");
    return CLV_OK;
}

/* 1 when q is ASCII without a letter (digits, spaces, punctuation). Folding a name only
 * turns letters into letters (lower() maps each upper-case letter to its lower case, by
 * libc or by ICU, where it may add a combining mark after it), so such a q is in the folded
 * name exactly where it is in the name, and the walk may skip lower() on every row it
 * reads (about 0.25 µs a name at 1,000,000 clients; docs/DESIGN.md D18). */
static int q_uncased(const char *q)
{
    for (; *q != '\0'; q++)
        if ((unsigned char)*q >= 0x80 || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
            return 0;
    return 1;
}

/* The walk's parameters: the list's, its budget and q_uncased. */
static void walk_params(clv_pg_params *p, const clv_client_filter *f, const clv_store_page *pg,
                        const q_plan *plan)
{
    clv_pg_params_init(p);
    clv_pg_client_list_params(p, f, pg);
    clv_pg_int(p, plan->budget);
    clv_pg_int(p, q_uncased(f->q));
}

/* The walk (sql.c PG_CLIENT_LIST_Q_WALK); *done false when it read its whole budget
 * without filling the page: then only the index can say what lies further. */
static clv_code walk(clv_pg_conn *c, const clv_client_filter *f, const clv_store_page *pg,
                     const q_plan *plan, const clv_pg_kind *kind, clv_list *out, bool *done,
                     clv_err *err)
{
    clv_list l = {0};
    clv_pg_params p;
    PGresult *res = NULL;
    clv_code rc;

    *done = false;
    walk_params(&p, f, pg, plan);
    if ((rc = clv_pg_page_on(c, PG_CLIENT_LIST_Q_WALK, &p, pg->limit, kind, &l, err)) != CLV_OK)
        return rc;
    if (l.next_cursor == NULL) { /* not a page and one row more: was the list over? */
        walk_params(&p, f, pg, plan);
        rc = clv_pg_exec(c, PG_CLIENT_Q_WINDOW, &p, "client_list", &res, err);
        if (rc == CLV_OK && PQntuples(res) == 1 &&
            strtoll(PQgetvalue(res, 0, 0), NULL, 10) >= plan->budget)
            rc = CLV_NOT_FOUND; /* the whole budget: not done */
        PQclear(res);
        if (rc != CLV_OK) {
            clv_list_cleanup(&l);
            return rc == CLV_NOT_FOUND ? CLV_OK : rc;
        }
    }
    *out = l;
    *done = true;
    return CLV_OK;
}

/* Runs statement id (BEGIN_SNAPSHOT, COMMIT, ROLLBACK) on c. */
static clv_code q_tx(clv_pg_conn *c, clv_pg_stmt_id id, clv_err *err)
{
    PGresult *res = NULL;
    clv_code rc = clv_pg_exec(c, id, NULL, "client_list", &res, err);

    PQclear(res);
    return rc;
}

/* The page's statements — the walk, the count of what it read, the index — see one
 * snapshot (a read-only REPEATABLE READ transaction of their own, unless the caller has one
 * open): read in two snapshots, a purge between the walk and its count could make the
 * count say the list ended where the walk had stopped at its budget, and the page would
 * lose its next_cursor. */
static clv_code q_page(clv_pg_conn *c, const clv_client_filter *f, const clv_store_page *pg,
                       const q_plan *plan, const clv_pg_kind *kind, clv_list *out,
                       clv_err *err)
{
    clv_pg_params p;
    bool done = false, own = PQtransactionStatus(c->db) == PQTRANS_IDLE;
    clv_code rc = own ? q_tx(c, PG_BEGIN_SNAPSHOT, err) : CLV_OK;

    if (rc == CLV_OK && plan->walk)
        rc = walk(c, f, pg, plan, kind, out, &done, err);
    if (rc == CLV_OK && !done) {
        clv_pg_params_init(&p);
        clv_pg_client_list_params(&p, f, pg);
        clv_pg_text(&p, plan->common);
        clv_pg_text(&p, plan->tags);
        rc = clv_pg_page_on(c, PG_CLIENT_LIST_Q_INDEX, &p, pg->limit, kind, out, err);
    }
    if (own && PQtransactionStatus(c->db) != PQTRANS_IDLE) {
        if (rc == CLV_OK && (rc = q_tx(c, PG_COMMIT, err)) != CLV_OK)
            clv_list_cleanup(out);
        if (rc != CLV_OK && PQtransactionStatus(c->db) != PQTRANS_IDLE)
            q_tx(c, PG_ROLLBACK, NULL);
    }
    return rc;
}

clv_code clv_pg_q_list(clv_store *s, const clv_client_filter *f, const clv_store_page *pg,
                       const clv_pg_kind *kind, clv_list *out, clv_err *err)
{
    const clv_pg_q_sample *sample = NULL;
    q_plan plan = {0};
    clv_pg_conn *c;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc == CLV_OK)
        rc = sample_get(c, &sample, err);
    if (rc == CLV_OK)
        rc = plan_make(sample, f, pg->limit, &plan, err);
    if (rc == CLV_OK)
        rc = q_page(c, f, pg, &plan, kind, out, err);
    free(plan.common);
    free(plan.tags);
    return rc;
}
