/* bind — the SQLite backend's plumbing between C values and statements: binding
 * parameters in order, loading columns in order, and running a statement to one row, a
 * page of rows or a write (see impl.h). */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/impl.h"

/* ---- binding ---- */

void clv_sqlite_bind_init(clv_sqlite_bind *b, sqlite3_stmt *st)
{
    b->st = st;
    b->n = 0;
    b->rc = SQLITE_OK;
}

void clv_sqlite_bind_text(clv_sqlite_bind *b, const char *v)
{
    if (b->rc != SQLITE_OK)
        return;
    b->n++;
    b->rc = v != NULL ? sqlite3_bind_text(b->st, b->n, v, -1, SQLITE_STATIC)
                      : sqlite3_bind_null(b->st, b->n);
}

void clv_sqlite_bind_int(clv_sqlite_bind *b, int64_t v)
{
    if (b->rc != SQLITE_OK)
        return;
    b->n++;
    b->rc = sqlite3_bind_int64(b->st, b->n, v);
}

void clv_sqlite_bind_json(clv_sqlite_bind *b, const json_t *v, const char *if_null)
{
    char *text;

    if (b->rc != SQLITE_OK)
        return;
    if (v == NULL) {
        clv_sqlite_bind_text(b, if_null);
        return;
    }
    b->n++;
    text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    /* sqlite3 frees text once done with it, also when the bind fails */
    b->rc = text != NULL ? sqlite3_bind_text(b->st, b->n, text, -1, free) : SQLITE_NOMEM;
}

void clv_sqlite_bind_blob(clv_sqlite_bind *b, const void *p, int n)
{
    if (b->rc != SQLITE_OK)
        return;
    b->n++;
    b->rc = sqlite3_bind_blob(b->st, b->n, p, n, SQLITE_STATIC);
}

void clv_sqlite_bind_page(clv_sqlite_bind *b, const clv_store_page *pg)
{
    clv_sqlite_bind_int(b, pg->ts);
    clv_sqlite_bind_text(b, pg->id);
    clv_sqlite_bind_int(b, (int64_t)pg->limit + 1);
}

clv_code clv_sqlite_bind_end(clv_sqlite_bind *b, clv_sqlite_conn *c, const char *what, clv_err *err)
{
    if (b->rc == SQLITE_NOMEM)
        return clv_fail(err, CLV_NOMEM, "%s: out of memory", what);
    if (b->rc != SQLITE_OK)
        return clv_fail(err, CLV_STORE, "%s: bind: %s", what, sqlite3_errmsg(c->db));
    if (b->n != sqlite3_bind_parameter_count(b->st)) /* SQL and code out of step: a bug */
        return clv_fail(err, CLV_STORE, "%s: bound %d parameters of %d", what, b->n,
                        sqlite3_bind_parameter_count(b->st));
    return CLV_OK;
}

/* ---- loading ---- */

void clv_sqlite_row_init(clv_sqlite_row *r, sqlite3_stmt *st)
{
    r->st = st;
    r->n = 0;
    r->rc = CLV_OK;
}

char *clv_sqlite_col_text(clv_sqlite_row *r)
{
    int i = r->n++;
    const unsigned char *v;
    char *copy;

    if (r->rc != CLV_OK || sqlite3_column_type(r->st, i) == SQLITE_NULL)
        return NULL;
    v = sqlite3_column_text(r->st, i);
    copy = v != NULL ? strdup((const char *)v) : NULL;
    if (copy == NULL)
        r->rc = CLV_NOMEM;
    return copy;
}

int64_t clv_sqlite_col_int(clv_sqlite_row *r)
{
    return sqlite3_column_int64(r->st, r->n++);
}

json_t *clv_sqlite_col_json(clv_sqlite_row *r, bool array)
{
    int i = r->n++;
    const char *v;
    json_t *j;

    if (r->rc != CLV_OK)
        return NULL;
    if (sqlite3_column_type(r->st, i) == SQLITE_NULL) {
        j = array ? json_array() : NULL;
        if (array && j == NULL)
            r->rc = CLV_NOMEM;
        return j;
    }
    v = (const char *)sqlite3_column_text(r->st, i);
    j = v != NULL ? json_loads(v, JSON_DECODE_ANY, NULL) : NULL;
    if (j == NULL)
        r->rc = v != NULL ? CLV_STORE : CLV_NOMEM;
    return j;
}

void clv_sqlite_col_blob(clv_sqlite_row *r, void *out, int n)
{
    int i = r->n++;
    const void *v;

    if (r->rc != CLV_OK)
        return;
    v = sqlite3_column_blob(r->st, i);
    if (v == NULL || sqlite3_column_bytes(r->st, i) != n)
        r->rc = CLV_STORE;
    else
        memcpy(out, v, (size_t)n);
}

clv_code clv_sqlite_row_end(clv_sqlite_row *r, const char *what, clv_err *err)
{
    if (r->rc == CLV_NOMEM)
        return clv_fail(err, CLV_NOMEM, "%s: out of memory", what);
    if (r->rc != CLV_OK)
        return clv_fail(err, r->rc, "%s: a stored value is malformed", what);
    if (r->n != sqlite3_column_count(r->st))
        return clv_fail(err, CLV_STORE, "%s: read %d columns of %d", what, r->n,
                        sqlite3_column_count(r->st));
    return CLV_OK;
}

/* ---- stepping ---- */

/* Appends item to l, growing the array as needed. */
static bool list_push(clv_list *l, size_t *cap, void *item)
{
    if (l->count == *cap) {
        size_t ncap = *cap != 0 ? *cap * 2 : 16;
        void **items = realloc(l->items, ncap * sizeof *items);
        if (items == NULL)
            return false;
        l->items = items;
        *cap = ncap;
    }
    l->items[l->count++] = item;
    return true;
}

/* Steps a bound statement and collects its rows: at most `limit` items (limit < 0: every
 * row), and next_cursor from the last item when one more row follows. Gives st back. */
static clv_code collect(clv_sqlite_conn *c, sqlite3_stmt *st, int limit,
                        const clv_sqlite_kind *kind, clv_list *out, clv_err *err)
{
    clv_list l = {.free_item = kind->free_item};
    clv_code rc = CLV_OK;
    size_t cap = 0;
    void *item;
    int step = SQLITE_DONE;

    while (rc == CLV_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (limit >= 0 && l.count == (size_t)limit) {
            int64_t ts;
            const char *id;
            kind->key(l.items[l.count - 1], &ts, &id); /* one row more: there is a next page */
            if ((l.next_cursor = clv_store_cursor_encode(ts, id)) == NULL)
                rc = clv_fail(err, CLV_NOMEM, "%s: out of memory", kind->what);
            break;
        }
        if ((rc = kind->load(st, &item, err)) == CLV_OK && !list_push(&l, &cap, item)) {
            kind->free_item(item);
            rc = clv_fail(err, CLV_NOMEM, "%s: out of memory", kind->what);
        }
    }
    if (rc == CLV_OK && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = clv_sqlite_fail(c, kind->what, err);
    clv_sqlite_done(st);
    if (rc != CLV_OK) {
        clv_list_cleanup(&l);
        return rc;
    }
    *out = l;
    return CLV_OK;
}

/* Steps a bound statement that returns one row or none, and loads it. Gives st back. */
static clv_code fetch(clv_sqlite_conn *c, sqlite3_stmt *st, const clv_sqlite_kind *kind,
                      void **item, clv_err *err)
{
    int step = sqlite3_step(st);
    clv_code rc;

    if (step == SQLITE_ROW)
        rc = kind->load(st, item, err); /* copies: column pointers die at reset */
    else if (step == SQLITE_DONE)
        rc = clv_fail(err, CLV_NOT_FOUND, "%s: no such object", kind->what);
    else
        rc = clv_sqlite_fail(c, kind->what, err);
    clv_sqlite_done(st);
    return rc;
}

bool clv_sqlite_prepare(clv_store *s, clv_sqlite_stmt_id id, clv_sqlite_conn **c, sqlite3_stmt **st,
                        clv_code *rc, clv_err *err)
{
    *rc = clv_sqlite_conn_get(s, c, err);
    if (*rc != CLV_OK)
        return false;
    *st = clv_sqlite_stmt(*c, id, err);
    if (*st == NULL)
        *rc = CLV_STORE;
    return *st != NULL;
}

clv_code clv_sqlite_write_n(clv_sqlite_conn *c, clv_sqlite_bind *b, const char *what, int *changes,
                            clv_err *err)
{
    clv_code rc = clv_sqlite_bind_end(b, c, what, err);

    if (rc != CLV_OK) {
        clv_sqlite_done(b->st);
        return rc;
    }
    return clv_sqlite_exec(c, b->st, what, changes, err);
}

clv_code clv_sqlite_write(clv_sqlite_conn *c, clv_sqlite_bind *b, const char *what,
                          bool must_change, clv_err *err)
{
    int changes = 0;
    clv_code rc = clv_sqlite_write_n(c, b, what, &changes, err);

    if (rc == CLV_OK && must_change && changes == 0)
        rc = clv_fail(err, CLV_NOT_FOUND, "%s: no such object", what);
    return rc;
}

clv_code clv_sqlite_one(clv_sqlite_conn *c, clv_sqlite_bind *b, const clv_sqlite_kind *kind,
                        void **item, clv_err *err)
{
    clv_code rc = clv_sqlite_bind_end(b, c, kind->what, err);

    if (rc != CLV_OK) {
        clv_sqlite_done(b->st);
        return rc;
    }
    return fetch(c, b->st, kind, item, err);
}

clv_code clv_sqlite_page(clv_sqlite_conn *c, clv_sqlite_bind *b, int limit,
                         const clv_sqlite_kind *kind, clv_list *out, clv_err *err)
{
    clv_code rc = clv_sqlite_bind_end(b, c, kind->what, err);

    if (rc != CLV_OK) {
        clv_sqlite_done(b->st);
        return rc;
    }
    return collect(c, b->st, limit, kind, out, err);
}

clv_code clv_sqlite_hash_write(clv_sqlite_conn *c, clv_sqlite_stmt_id id,
                               const unsigned char hash[32], const char *what, int *changes,
                               clv_err *err)
{
    sqlite3_stmt *st = clv_sqlite_stmt(c, id, err);
    clv_sqlite_bind b;

    if (st == NULL)
        return CLV_STORE;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_blob(&b, hash, CLV_SQLITE_HASH_LEN);
    return clv_sqlite_write_n(c, &b, what, changes, err);
}

clv_code clv_sqlite_hash_one(clv_sqlite_conn *c, clv_sqlite_stmt_id id,
                             const unsigned char hash[32], const clv_sqlite_kind *kind, void **item,
                             clv_err *err)
{
    sqlite3_stmt *st = clv_sqlite_stmt(c, id, err);
    clv_sqlite_bind b;

    if (st == NULL)
        return CLV_STORE;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_blob(&b, hash, CLV_SQLITE_HASH_LEN);
    return clv_sqlite_one(c, &b, kind, item, err);
}
