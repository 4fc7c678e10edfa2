/* clients — clients in the PostgreSQL backend: insert, get (joined with the service and
 * tenant statuses through the client_v view), versioned update, touch and the filtered,
 * keyset-paginated list. Column orders follow CLIENT_COLS / CLIENT_MUT_COLS of sql.c. */
#include <stdlib.h>
#include <string.h>

#include "store/client_columns.h"
#include "store/postgres/impl.h"

/* The columns an update writes, in CLIENT_MUT_COLS order (store/client_columns.h, then
 * first_party). A NULL list sends "[]" (lists are never NULL in a complete object); a NULL
 * jwks stays NULL. */
static void params_mutable(clv_pg_params *p, const clv_client *c)
{
#define P_TEXT(m) clv_pg_text(p, c->m);
#define P_INT(m) clv_pg_int(p, c->m);
#define P_LIST(m) clv_pg_json(p, c->m, "[]");
#define P_OBJ(m) clv_pg_json(p, c->m, NULL);
    CLV_CLIENT_MUT_COLUMNS(P_TEXT, P_INT, P_LIST, P_OBJ)
#undef P_TEXT
#undef P_INT
#undef P_LIST
#undef P_OBJ
    clv_pg_int(p, c->first_party);
}

/* Loads the CLIENT_MUT_COLS part of a row (store/client_columns.h, then first_party). */
static void load_mutable(clv_pg_row *r, clv_client *c)
{
#define L_TEXT(m) c->m = clv_pg_col_text(r);
#define L_INT(m) c->m = clv_pg_col_int(r); /* an enum, or a bool: 0 is false */
#define L_LIST(m) c->m = clv_pg_col_json(r, true);
#define L_OBJ(m) c->m = clv_pg_col_json(r, false);
    CLV_CLIENT_MUT_COLUMNS(L_TEXT, L_INT, L_LIST, L_OBJ)
#undef L_TEXT
#undef L_INT
#undef L_LIST
#undef L_OBJ
    c->first_party = clv_pg_col_int(r) != 0;
}

/* A row of CLIENT_COLS into a new client. */
static clv_code client_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_client *c = calloc(1, sizeof *c);
    clv_pg_row r;
    clv_code rc;

    if (c == NULL)
        return clv_fail(err, CLV_NOMEM, "client: out of memory");
    clv_pg_row_init(&r, res, row);
    c->id = clv_pg_col_text(&r);
    c->client_id = clv_pg_col_text(&r);
    c->service_id = clv_pg_col_text(&r);
    c->tenant_id = clv_pg_col_text(&r);
    c->type = (clv_client_type)clv_pg_col_int(&r);
    c->created_at = clv_pg_col_int(&r);
    c->version = clv_pg_col_int(&r);
    load_mutable(&r, c);
    c->service_status = (clv_status)clv_pg_col_int(&r);
    c->service_approval = (clv_approval)clv_pg_col_int(&r);
    c->tenant_status = (clv_status)clv_pg_col_int(&r);
    rc = clv_pg_row_end(&r, "client", err);
    if (rc != CLV_OK) {
        clv_client_free(c);
        return rc;
    }
    *item = c;
    return CLV_OK;
}

static void client_key(const void *item, int64_t *ts, const char **id)
{
    const clv_client *c = item;

    *ts = c->created_at;
    *id = c->id;
}

static void client_free_item(void *p)
{
    clv_client_free(p);
}

static const clv_pg_kind client_kind = {client_load, client_key, client_free_item, "client"};

clv_code clv_pg_client_insert(clv_store *s, const clv_client *cl, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, cl->id);
    clv_pg_text(&p, cl->client_id);
    clv_pg_text(&p, cl->service_id);
    clv_pg_int(&p, cl->type);
    clv_pg_int(&p, cl->created_at);
    params_mutable(&p, cl);
    return clv_pg_write(s, PG_CLIENT_INSERT, &p, "client_insert", false, err);
}

clv_code clv_pg_client_get(clv_store *s, const char *client_id, clv_client **out, clv_err *err)
{
    clv_pg_params p;
    void *item = NULL;
    clv_code rc;

    clv_pg_params_init(&p);
    clv_pg_text(&p, client_id);
    rc = clv_pg_one(s, PG_CLIENT_GET, &p, &client_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_pg_client_update(clv_store *s, const clv_client *cl, clv_err *err)
{
    clv_pg_params p;
    clv_code rc;

    clv_pg_params_init(&p);
    params_mutable(&p, cl);
    clv_pg_text(&p, cl->id);
    clv_pg_int(&p, cl->version);
    rc = clv_pg_write(s, PG_CLIENT_UPDATE, &p, "client_update", true, err);
    if (rc == CLV_NOT_FOUND)
        rc = clv_pg_version_miss(s, PG_CLIENT_EXISTS, cl->id, "client_update", err);
    return rc;
}

clv_code clv_pg_client_touch(clv_store *s, const char *client_id, int64_t at, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_int(&p, at);
    clv_pg_text(&p, client_id);
    return clv_pg_write(s, PG_CLIENT_TOUCH, &p, "client_touch", true, err);
}

void clv_pg_client_list_params(clv_pg_params *p, const clv_client_filter *f,
                               const clv_store_page *pg)
{
    clv_pg_text(p, f->service_id);
    clv_pg_text(p, f->tenant_id);
    clv_pg_int(p, f->status);
    clv_pg_int(p, f->type);
    clv_pg_text(p, f->q);
    clv_pg_page_params(p, pg);
    clv_pg_int(p, f->by_effective ? (int64_t)f->effective_status : -1);
    if (f->by_unused)
        clv_pg_int(p, f->unused_since);
    else
        clv_pg_text(p, NULL);
    if (f->by_secret_expiry)
        clv_pg_int(p, f->secret_expires_before);
    else
        clv_pg_text(p, NULL);
}

/* With q, the walk or the index of q.c; an empty q (every name holds it) by the list's
 * own order. */
clv_code clv_pg_client_list(clv_store *s, const clv_client_filter *f, const clv_store_page *pg,
                            clv_list *out, clv_err *err)
{
    clv_pg_params p;

    if (f->q != NULL && f->q[0] != '\0')
        return clv_pg_q_list(s, f, pg, &client_kind, out, err);
    clv_pg_params_init(&p);
    clv_pg_client_list_params(&p, f, pg);
    return clv_pg_page(s, f->q != NULL ? PG_CLIENT_LIST_Q : PG_CLIENT_LIST, &p, pg->limit,
                       &client_kind, out, err);
}

static clv_code count_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_pg_row r;
    int64_t *v = malloc(3 * sizeof *v);
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    clv_pg_row_init(&r, res, row);
    for (int i = 0; i < 3; i++)
        v[i] = clv_pg_col_int(&r);
    if ((rc = clv_pg_row_end(&r, "client_count", err)) != CLV_OK) {
        free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static const clv_pg_kind count_kind = {count_load, NULL, free, "client_count"};

clv_code clv_pg_client_count(clv_store *s, int64_t counts[3], clv_err *err)
{
    void *item = NULL;
    clv_code rc = clv_pg_one(s, PG_CLIENT_COUNT, NULL, &count_kind, &item, err);

    if (rc == CLV_OK)
        memcpy(counts, item, 3 * sizeof *counts);
    free(item);
    return rc;
}

clv_code clv_pg_hygiene_candidates(clv_store *s, int64_t now, int limit, clv_list *out,
                                   clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_int(&p, now);
    clv_pg_int(&p, limit);
    return clv_pg_page(s, PG_HYGIENE_CANDIDATES, &p, -1, &client_kind, out, err);
}
