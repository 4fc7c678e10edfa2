/* signing_keys — the PostgreSQL backend's signing keys (sealed; docs/DESIGN.md "Signing
 * keys and the KEK") and the removal of a meta value; as src/store/sqlite/signing_keys.c. */
#include <stdlib.h>

#include "store/postgres/impl.h"

static clv_code key_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_signing_key *k = calloc(1, sizeof *k);
    clv_pg_row r;
    clv_code rc;

    if (k == NULL)
        return clv_fail(err, CLV_NOMEM, "signing_key: out of memory");
    clv_pg_row_init(&r, res, row);
    k->kid = clv_pg_col_text(&r);
    k->alg = (clv_alg)clv_pg_col_int(&r);
    k->active = clv_pg_col_int(&r) != 0;
    k->created_at = clv_pg_col_int(&r);
    k->retire_at = clv_pg_col_int(&r);
    k->sealed = clv_pg_col_text(&r);
    rc = clv_pg_row_end(&r, "signing_key", err);
    if (rc == CLV_OK && (k->kid == NULL || k->sealed == NULL))
        rc = clv_fail(err, CLV_NOMEM, "signing_key: out of memory");
    if (rc != CLV_OK) {
        clv_signing_key_free(k);
        return rc;
    }
    *item = k;
    return CLV_OK;
}

static void key_free_item(void *p)
{
    clv_signing_key_free(p);
}

static const clv_pg_kind key_kind = {key_load, NULL, key_free_item, "signing_key"};

clv_code clv_pg_signing_key_list(clv_store *s, clv_list *out, clv_err *err)
{
    return clv_pg_page(s, PG_SIGNING_KEY_LIST, NULL, -1, &key_kind, out, err);
}

clv_code clv_pg_signing_key_insert(clv_store *s, const clv_signing_key *k, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, k->kid);
    clv_pg_int(&p, (int64_t)k->alg);
    clv_pg_int(&p, k->active ? 1 : 0);
    clv_pg_int(&p, k->created_at);
    clv_pg_int(&p, k->retire_at);
    clv_pg_text(&p, k->sealed);
    return clv_pg_write(s, PG_SIGNING_KEY_INSERT, &p, "signing_key_insert", false, err);
}

/* A statement that binds a kid and a time and changes one row (CLV_NOT_FOUND: none). */
static clv_code write_kid_at(clv_store *s, clv_pg_stmt_id id, const char *kid, int64_t at,
                             const char *what, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, kid);
    clv_pg_int(&p, at);
    return clv_pg_write(s, id, &p, what, true, err);
}

clv_code clv_pg_signing_key_retire(clv_store *s, const char *kid, int64_t retire_at, clv_err *err)
{
    return write_kid_at(s, PG_SIGNING_KEY_RETIRE, kid, retire_at, "signing_key_retire", err);
}

clv_code clv_pg_signing_key_activate(clv_store *s, const char *kid, int64_t at, clv_err *err)
{
    return write_kid_at(s, PG_SIGNING_KEY_ACTIVATE, kid, at, "signing_key_activate", err);
}

clv_code clv_pg_signing_key_purge(clv_store *s, int64_t now, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_int(&p, now);
    return clv_pg_write(s, PG_SIGNING_KEY_PURGE, &p, "signing_key_purge", false, err);
}

clv_code clv_pg_meta_delete(clv_store *s, const char *name, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, name);
    return clv_pg_write(s, PG_META_DELETE, &p, "meta_delete", false, err);
}

clv_code clv_pg_signing_key_version(clv_store *s, int64_t *version, clv_err *err)
{
    clv_pg_conn *c;
    PGresult *res = NULL;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc == CLV_OK)
        rc = clv_pg_exec(c, PG_SIGNING_KEY_VERSION, NULL, "signing_key_version", &res, err);
    if (rc == CLV_OK)
        *version = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return rc;
}
