/* q_index — the indexes of q (docs/DESIGN.md R9; migrations 3 and 4 of sql.c):
 *   keying a new client in clients_fts_map so that key order is list order, and indexing
 *   its name in clients_fts (trigrams) and clients_grams (characters and pairs);
 *   choosing the index a list with q reads, and what it asks that index.
 * A q of 3 characters or more asks the trigram index for the parts of q that are not in
 * most names: a trigram that at least half of the newest names hold (many clients of a
 * tenant share a prefix, "acme-billing-…") selects nothing, yet the index must walk its
 * long list of names at every candidate. Leaving such trigrams out asks for less, never
 * for anything q does not contain: the exact predicate of the list statement decides on
 * every name the index returns. The same holds for the tags of the filters (a service,
 * tenant or status most clients share). What is common is learnt from the newest Q_SAMPLE
 * clients, per connection, again after Q_SAMPLE_TTL_MS. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/sqlite/impl.h"

/* q of this many characters or more is looked up in the trigram index, shorter q in
 * clients_grams (a trigram is 3 characters, so that index cannot match less). */
#define Q_TRIGRAM_MIN_CHARS 3
/* How many of the newest names the common trigrams are learnt from, and for how long. A
 * sample of fewer than Q_SAMPLE_MIN names marks nothing common: lists that small are
 * fast whatever q asks. */
#define Q_SAMPLE 1000
#define Q_SAMPLE_MIN 200
#define Q_SAMPLE_TTL_MS 60000
/* Characters of a name or q looked at (names are shorter; see core/client_json). */
#define Q_MAX_CHARS 512

/* The trigrams and tags at least half of the sampled clients hold, sorted: a trigram as
 * its three folded code points packed into 63 bits, a tag as its hash with bit 63 set. */
struct clv_sqlite_q_sample {
    uint64_t *common;
    size_t n;
    int64_t built_ms;
};

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Folded code points of text (at most max) into cps and the byte offset of each, and of
 * the end, into offs (max + 1 entries); returns how many. */
static size_t q_chars(const char *text, unsigned *cps, size_t *offs, size_t max)
{
    const unsigned char *in = (const unsigned char *)text;
    size_t len = strlen(text), n = 0, i = 0, clen;

    for (; i < len && n < max; i += clen, n++) {
        offs[n] = i;
        cps[n] = clv_sqlite_fold_char(in, len, i, &clen);
    }
    offs[n] = i;
    return n;
}

static uint64_t tag_key(char kind, const char *value)
{
    return (1ull << 63) | clv_sqlite_q_tag_hash(kind, value);
}

static uint64_t trigram_key(const unsigned *cp)
{
    return ((uint64_t)(cp[0] & 0x1FFFFF) << 42) | ((uint64_t)(cp[1] & 0x1FFFFF) << 21) |
           (cp[2] & 0x1FFFFF);
}

void clv_sqlite_q_sample_free(clv_sqlite_q_sample *s)
{
    if (s != NULL)
        free(s->common);
    free(s);
}

/* The keys of a sample as it is read: each name's distinct trigrams and tags, one run per
 * name, in all[0..n). */
typedef struct {
    uint64_t *all;
    size_t n, cap;
    size_t names;
} key_bag;

/* Sorts keys[0..n) and drops repeats; returns how many are left. */
static size_t sort_unique(uint64_t *keys, size_t n)
{
    size_t w = 0;

    qsort(keys, n, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || keys[i] != keys[i - 1])
            keys[w++] = keys[i];
    return w;
}

/* Adds the trigrams of the name and the tags of the client in the current row of st
 * (name, service_id, tenant_id, status), each once; false if out of memory. */
static bool bag_add_row(key_bag *b, sqlite3_stmt *st)
{
    unsigned cps[Q_MAX_CHARS];
    size_t offs[Q_MAX_CHARS + 1];
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *service = (const char *)sqlite3_column_text(st, 1);
    const char *tenant = (const char *)sqlite3_column_text(st, 2);
    char status[16];
    size_t n = name != NULL ? q_chars(name, cps, offs, Q_MAX_CHARS) : 0, first = b->n;

    if (b->n + n + 3 > b->cap) {
        size_t cap = (b->n + n + 3) * 2;
        uint64_t *grown = realloc(b->all, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        b->all = grown;
        b->cap = cap;
    }
    for (size_t i = 0; i + 2 < n; i++)
        b->all[b->n++] = trigram_key(cps + i);
    snprintf(status, sizeof status, "%d", sqlite3_column_int(st, 3));
    b->all[b->n++] = tag_key('s', service != NULL ? service : "");
    b->all[b->n++] = tag_key('t', tenant != NULL ? tenant : "");
    b->all[b->n++] = tag_key('a', status);
    b->n = first + sort_unique(b->all + first, b->n - first); /* each once per name */
    b->names++;
    return true;
}

/* Keeps at the front of b->all, sorted, the keys that at least half of the names hold
 * (none from fewer than Q_SAMPLE_MIN names); returns how many. */
static size_t keep_common(key_bag *b)
{
    size_t kept = 0;

    if (b->names < Q_SAMPLE_MIN)
        return 0;
    qsort(b->all, b->n, sizeof *b->all, cmp_u64);
    for (size_t i = 0, j; i < b->n; i = j) {
        for (j = i; j < b->n && b->all[j] == b->all[i]; j++)
            ;
        if ((j - i) * 2 >= b->names)
            b->all[kept++] = b->all[i];
    }
    return kept;
}

/* Learns the common trigrams and tags from the newest names into s; CLV_NOMEM or
 * CLV_STORE. */
static clv_code sample_build(clv_sqlite_conn *c, clv_sqlite_q_sample *s, clv_err *err)
{
    sqlite3_stmt *st = clv_sqlite_stmt(c, ST_CLIENT_Q_SAMPLE, err);
    key_bag b = {0};
    clv_code rc = CLV_OK;
    int step;

    if (st == NULL)
        return CLV_STORE;
    sqlite3_bind_int(st, 1, Q_SAMPLE);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!bag_add_row(&b, st)) {
            rc = clv_fail(err, CLV_NOMEM, "client_list: out of memory");
            break;
        }
    }
    if (rc == CLV_OK && step != SQLITE_DONE)
        rc = clv_sqlite_fail(c, "client_list", err);
    clv_sqlite_done(st);
    if (rc == CLV_OK) {
        free(s->common);
        s->n = keep_common(&b);
        s->common = b.all;
        s->built_ms = now_ms();
        b.all = NULL;
    }
    free(b.all);
    return rc;
}

/* The connection's sample, learnt again when it is older than Q_SAMPLE_TTL_MS. */
static clv_code sample_get(clv_sqlite_conn *c, const clv_sqlite_q_sample **out, clv_err *err)
{
    clv_code rc;

    if (c->q_sample == NULL && (c->q_sample = calloc(1, sizeof *c->q_sample)) == NULL)
        return clv_fail(err, CLV_NOMEM, "client_list: out of memory");
    if (c->q_sample->built_ms == 0 || now_ms() - c->q_sample->built_ms > Q_SAMPLE_TTL_MS) {
        rc = sample_build(c, c->q_sample, err);
        if (rc != CLV_OK)
            return rc;
    }
    *out = c->q_sample;
    return CLV_OK;
}

static bool is_common_key(const clv_sqlite_q_sample *s, uint64_t key)
{
    return s->n > 0 && bsearch(&key, s->common, s->n, sizeof key, cmp_u64) != NULL;
}

static bool is_common(const clv_sqlite_q_sample *s, const unsigned *cp)
{
    return is_common_key(s, trigram_key(cp));
}

/* The FTS5 expression under construction: its text, length and room. */
typedef struct {
    char *t;
    size_t n, cap;
    bool failed;
} expr;

/* Appends `prefix` (joined to what is there by `join` unless it is empty) and bytes
 * [from, to) of text as one FTS5 phrase: "…" with every '"' doubled. */
static void add_phrase(expr *e, const char *join, const char *prefix, const char *text, size_t from,
                       size_t to)
{
    size_t need = strlen(join) + strlen(prefix) + 2 * (to - from) + 3;

    if (e->failed)
        return;
    if (e->n + need > e->cap) {
        size_t cap = (e->n + need) * 2;
        char *t = realloc(e->t, cap);
        if (t == NULL) {
            e->failed = true;
            return;
        }
        e->t = t;
        e->cap = cap;
    }
    if (e->n > 0) {
        memcpy(e->t + e->n, join, strlen(join));
        e->n += strlen(join);
    }
    memcpy(e->t + e->n, prefix, strlen(prefix));
    e->n += strlen(prefix);
    e->t[e->n++] = '"';
    for (size_t i = from; i < to; i++) {
        e->t[e->n++] = text[i];
        if (text[i] == '"')
            e->t[e->n++] = '"';
    }
    e->t[e->n++] = '"';
    e->t[e->n] = '\0';
}

/* Adds q's part of the expression for clients_fts (q of 3 characters or more): every
 * longest run of q whose trigrams are not common, as phrases joined by AND; q whole when
 * all of them are. */
static void trigram_match(const clv_sqlite_q_sample *s, const char *q, expr *e)
{
    unsigned cps[Q_MAX_CHARS];
    size_t offs[Q_MAX_CHARS + 1], n = q_chars(q, cps, offs, Q_MAX_CHARS), before = e->n;

    for (size_t i = 0; i + 2 < n;) {
        size_t j = i;
        if (is_common(s, cps + i)) {
            i++;
            continue;
        }
        while (j + 3 < n && !is_common(s, cps + j + 1))
            j++;
        add_phrase(e, " AND ", "name : ", q, offs[i], offs[j + 3]);
        i = j + 1;
    }
    if (e->n == before) /* every trigram common (or q longer than Q_MAX_CHARS): q whole */
        add_phrase(e, " AND ", "name : ", q, 0, strlen(q));
}

/* Adds the tag of one filter value unless most clients share it. */
static void add_tag(expr *e, const clv_sqlite_q_sample *s, const char *join, char kind,
                    const char *value, bool words)
{
    char tag[CLV_SQLITE_Q_TAG_MAX];
    size_t n;

    if (is_common_key(s, tag_key(kind, value)))
        return;
    n = clv_sqlite_q_tag(kind, value, words, tag);
    add_phrase(e, join, words ? "" : "tags : ", tag, 0, n);
}

/* Adds the tags of the filters of f: its service, tenant and the client's own status, or
 * "not deleted". The tags hold the client's own status only: an effective status says
 * little about it (active needs an active client; deleted may be a deleted client or a
 * deleted service's, so then it asks nothing), and the list statement checks the rest. */
static void tags_match(const clv_client_filter *f, const clv_sqlite_q_sample *s, bool words,
                       expr *e)
{
    bool eff_active = f->by_effective && f->effective_status == CLV_STATUS_ACTIVE;
    bool eff_deleted = f->by_effective && f->effective_status == CLV_STATUS_DELETED;
    char st[16];

    if (f->service_id != NULL)
        add_tag(e, s, " AND ", 's', f->service_id, words);
    if (f->tenant_id != NULL)
        add_tag(e, s, " AND ", 't', f->tenant_id, words);
    if (f->status >= 0 || eff_active) {
        snprintf(st, sizeof st, "%d", f->status >= 0 ? f->status : (int)CLV_STATUS_ACTIVE);
        add_tag(e, s, " AND ", 'a', st, words);
    } else if (!eff_deleted) {
        snprintf(st, sizeof st, "%d", (int)CLV_STATUS_DELETED);
        add_tag(e, s, " NOT ", 'a', st, words);
    }
}

clv_code clv_sqlite_q_match(clv_sqlite_conn *c, const clv_client_filter *f, clv_sqlite_stmt_id *id,
                            char **match, clv_err *err)
{
    unsigned cps[Q_TRIGRAM_MIN_CHARS];
    size_t offs[Q_TRIGRAM_MIN_CHARS + 1];
    const clv_sqlite_q_sample *s = NULL;
    char word[32];
    expr e = {0};
    bool words = false;
    clv_code rc;

    *match = NULL;
    if (f->q == NULL || f->q[0] == '\0')
        return CLV_OK;
    /* a list inside a transaction reads on the writer: its batch's new names first */
    if ((rc = clv_sqlite_q_flush(c, err)) != CLV_OK || (rc = sample_get(c, &s, err)) != CLV_OK)
        return rc;
    if (q_chars(f->q, cps, offs, Q_TRIGRAM_MIN_CHARS) >= Q_TRIGRAM_MIN_CHARS) {
        trigram_match(s, f->q, &e);
        *id = ST_CLIENT_LIST_Q;
    } else if (clv_sqlite_gram_query(f->q, word)) {
        add_phrase(&e, "", "", word, 0, strlen(word));
        *id = ST_CLIENT_LIST_Q_SHORT;
        words = true;
    } else {
        return CLV_OK;
    }
    tags_match(f, s, words, &e);
    if (e.failed) {
        free(e.t);
        return clv_fail(err, CLV_NOMEM, "client_list: out of memory");
    }
    *match = e.t;
    return CLV_OK;
}

/* Runs the statements of ids, in order, with ?1 = a and ?2 = b (text) or, unless NULL,
 * *num. */
static clv_code q_run(clv_sqlite_conn *c, const clv_sqlite_stmt_id *ids, size_t n, int64_t a,
                      const char *b, const int64_t *num, clv_err *err)
{
    clv_code rc = CLV_OK;

    for (size_t i = 0; i < n && rc == CLV_OK; i++) {
        sqlite3_stmt *st = clv_sqlite_stmt(c, ids[i], err);
        clv_sqlite_bind bind;
        if (st == NULL)
            return CLV_STORE;
        clv_sqlite_bind_init(&bind, st);
        clv_sqlite_bind_int(&bind, a);
        if (b != NULL)
            clv_sqlite_bind_text(&bind, b);
        else if (num != NULL)
            clv_sqlite_bind_int(&bind, *num);
        rc = clv_sqlite_write_n(c, &bind, "client_insert", NULL, err);
    }
    return rc;
}

/* Whether c indexes the names of new clients when their batch commits: the writer of the
 * group, on a schema that has clients_q_pending. */
static bool q_defers(const clv_sqlite_conn *c)
{
    return c->batched && clv_sqlite_writes_as(c) >= clv_sqlite_migration_q_pending();
}

clv_code clv_sqlite_q_flush(clv_sqlite_conn *c, clv_err *err)
{
    static const clv_sqlite_stmt_id flush[] = {ST_CLIENT_Q_FLUSH, ST_CLIENT_Q_FLUSH_GRAMS,
                                               ST_CLIENT_Q_FLUSH_DONE};
    clv_code rc = CLV_OK;

    for (size_t i = 0; c->q_pending && i < sizeof flush / sizeof flush[0] && rc == CLV_OK; i++)
        rc = clv_sqlite_run(c, flush[i], err);
    return rc;
}

/* Keys the client id under key and indexes its name: at once, or, on the writer of the
 * group, when its batch commits (clv_sqlite_q_flush): FTS5 writes what it holds as a new
 * segment at every savepoint, and each request of a batch is one (docs/DESIGN.md D17). The
 * waiting key is in the request's savepoint: a request rolled back leaves none. */
static clv_code q_add(clv_sqlite_conn *c, int64_t key, const char *id, clv_err *err)
{
    static const clv_sqlite_stmt_id add[] = {ST_CLIENT_Q_ADD, ST_CLIENT_Q_ADD_NAME,
                                             ST_CLIENT_Q_ADD_GRAMS};
    static const clv_sqlite_stmt_id pend[] = {ST_CLIENT_Q_PEND};
    clv_code rc;

    if (!q_defers(c))
        return q_run(c, add, sizeof add / sizeof add[0], key, id, NULL, err);
    if ((rc = q_run(c, add, 1, key, id, NULL, err)) == CLV_OK &&
        (rc = q_run(c, pend, 1, key, NULL, NULL, err)) == CLV_OK)
        c->q_pending = true;
    return rc;
}

/* Runs the statement id (?1 the first key of a second, ?2 a client's id) that selects a
 * key and a flag: *key the key, -1 if it selects none, *flag the flag. */
static clv_code q_key(clv_sqlite_conn *c, clv_sqlite_stmt_id id, int64_t first, const char *cid,
                      int64_t *key, bool *flag, clv_err *err)
{
    sqlite3_stmt *st = clv_sqlite_stmt(c, id, err);
    clv_sqlite_bind b;
    clv_code rc;

    *key = -1;
    *flag = false;
    if (st == NULL)
        return CLV_STORE;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_int(&b, first);
    clv_sqlite_bind_text(&b, cid);
    rc = clv_sqlite_bind_end(&b, c, "client_insert", err);
    if (rc == CLV_OK) {
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            *key = sqlite3_column_int64(st, 0);
            *flag = sqlite3_column_int(st, 1) != 0;
        } else if (step != SQLITE_DONE) {
            rc = clv_sqlite_fail(c, "client_insert", err);
        }
    }
    clv_sqlite_done(st);
    return rc;
}

/* A new client whose id sorts before some of its second's (first its first key), on the
 * writer of the group: the keys after its place move up by one and it takes its place.
 * Clients of one second usually arrive in id order, and when they do not, it is a few
 * requests of one batch overtaking each other: the keys that move are few, and their names
 * are usually still waiting. */
static clv_code q_insert_before(clv_sqlite_conn *c, int64_t first, const char *id, clv_err *err)
{
    static const clv_sqlite_stmt_id shift[] = {
        ST_CLIENT_Q_SHIFT_FORGET,   ST_CLIENT_Q_SHIFT_FORGET_GRAMS, ST_CLIENT_Q_SHIFT_PEND,
        ST_CLIENT_Q_SHIFT_OUT,      ST_CLIENT_Q_SHIFT_IN,           ST_CLIENT_Q_SHIFT_PEND_OUT,
        ST_CLIENT_Q_SHIFT_PEND_IN};
    int64_t prev;
    bool found;
    clv_code rc = q_key(c, ST_CLIENT_Q_BEFORE, first, id, &prev, &found, err);
    int64_t at = found ? prev + 1 : first, end = first + CLV_SQLITE_Q_SECOND;

    if (rc == CLV_OK)
        rc = q_run(c, shift, sizeof shift / sizeof shift[0], at, NULL, &end, err);
    if (rc == CLV_OK)
        c->q_pending = true;
    return rc == CLV_OK ? q_add(c, at, id, err) : rc;
}

clv_code clv_sqlite_q_place(clv_sqlite_conn *c, const clv_client *cl, clv_err *err)
{
    static const clv_sqlite_stmt_id renumber[] = {ST_CLIENT_Q_FORGET,  ST_CLIENT_Q_FORGET_GRAMS,
                                                  ST_CLIENT_Q_UNMAP,   ST_CLIENT_Q_REMAP,
                                                  ST_CLIENT_Q_REINDEX, ST_CLIENT_Q_REINDEX_GRAMS};
    clv_code rc;
    int64_t first, last;
    bool after;

    if (clv_sqlite_writes_as(c) < 4) /* a release before migration 4 keyed nothing here */
        return CLV_OK;
    if (cl->created_at < 0 || cl->created_at > INT64_MAX / CLV_SQLITE_Q_SECOND - 1)
        return clv_fail(err, CLV_STORE, "client_insert: created_at out of range");
    first = cl->created_at * CLV_SQLITE_Q_SECOND;
    if ((rc = q_key(c, ST_CLIENT_Q_LAST, first, cl->id, &last, &after, err)) != CLV_OK)
        return rc;
    if (last < 0) /* the first client of its second */
        return q_add(c, first, cl->id, err);
    if (last + 1 < first + CLV_SQLITE_Q_SECOND) {
        if (after) /* the next key of its second: its id sorts after every id there */
            return q_add(c, last + 1, cl->id, err);
        if (q_defers(c))
            return q_insert_before(c, first, cl->id, err);
    }
    /* its id sorts before one already there: number the whole second again by id, its
     * waiting names indexed first (the second's keys change) */
    if ((rc = clv_sqlite_q_flush(c, err)) != CLV_OK)
        return rc;
    return q_run(c, renumber, sizeof renumber / sizeof renumber[0], first, NULL, NULL, err);
}
