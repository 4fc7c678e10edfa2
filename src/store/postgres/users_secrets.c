/* users_secrets — the PostgreSQL backend's end users (insert, get, find by tenant and
 * username, update, delete, list) and client secrets (their HMAC hashes, never the
 * plaintext: insert, list, delete, touch). Column orders follow USER_COLS and SECRET_COLS
 * of sql.c. */
#include <stdlib.h>

#include "store/postgres/impl.h"

/* ---- users ---- */

static clv_code user_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_user *v = calloc(1, sizeof *v);
    clv_pg_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "user: out of memory");
    clv_pg_row_init(&r, res, row);
    v->id = clv_pg_col_text(&r);
    v->tenant_id = clv_pg_col_text(&r);
    v->username = clv_pg_col_text(&r);
    v->email = clv_pg_col_text(&r);
    v->password_hash = clv_pg_col_text(&r);
    v->roles = clv_pg_col_json(&r, true);
    v->status = (clv_status)clv_pg_col_int(&r);
    v->created_at = clv_pg_col_int(&r);
    v->updated_at = clv_pg_col_int(&r);
    rc = clv_pg_row_end(&r, "user", err);
    if (rc != CLV_OK) {
        clv_user_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void user_key(const void *item, int64_t *ts, const char **id)
{
    const clv_user *v = item;

    *ts = v->created_at;
    *id = v->id;
}

static void user_free_item(void *p)
{
    clv_user_free(p);
}

static const clv_pg_kind user_kind = {user_load, user_key, user_free_item, "user"};

clv_code clv_pg_user_insert(clv_store *s, const clv_user *u, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, u->id);
    clv_pg_text(&p, u->tenant_id);
    clv_pg_text(&p, u->username);
    clv_pg_text(&p, u->email);
    clv_pg_text(&p, u->password_hash);
    clv_pg_json(&p, u->roles, "[]");
    clv_pg_int(&p, u->status);
    clv_pg_int(&p, u->created_at);
    clv_pg_int(&p, u->updated_at);
    return clv_pg_write(s, PG_USER_INSERT, &p, "user_insert", false, err);
}

/* Runs a user select with parameters one and, unless NULL, two. */
static clv_code user_fetch(clv_store *s, clv_pg_stmt_id id, const char *one, const char *two,
                           clv_user **out, clv_err *err)
{
    clv_pg_params p;
    void *item = NULL;
    clv_code rc;

    clv_pg_params_init(&p);
    clv_pg_text(&p, one);
    if (two != NULL)
        clv_pg_text(&p, two);
    rc = clv_pg_one(s, id, &p, &user_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_pg_user_get(clv_store *s, const char *id, clv_user **out, clv_err *err)
{
    return user_fetch(s, PG_USER_GET, id, NULL, out, err);
}

clv_code clv_pg_user_find(clv_store *s, const char *tenant_id, const char *username,
                          clv_user **out, clv_err *err)
{
    return user_fetch(s, PG_USER_FIND, tenant_id, username, out, err);
}

clv_code clv_pg_user_update(clv_store *s, const clv_user *u, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, u->username);
    clv_pg_text(&p, u->email);
    clv_pg_text(&p, u->password_hash);
    clv_pg_json(&p, u->roles, "[]");
    clv_pg_int(&p, u->status);
    clv_pg_int(&p, u->updated_at);
    clv_pg_text(&p, u->id);
    return clv_pg_write(s, PG_USER_UPDATE, &p, "user_update", true, err);
}

clv_code clv_pg_user_delete(clv_store *s, const char *id, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, id);
    return clv_pg_write(s, PG_USER_DELETE, &p, "user_delete", true, err);
}

clv_code clv_pg_user_list(clv_store *s, const clv_user_filter *f, const clv_store_page *pg,
                          clv_list *out, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, f->tenant_id);
    clv_pg_page_params(&p, pg);
    return clv_pg_page(s, PG_USER_LIST, &p, pg->limit, &user_kind, out, err);
}

/* ---- secrets ---- */

static clv_code secret_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_secret *v = calloc(1, sizeof *v);
    clv_pg_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "secret: out of memory");
    clv_pg_row_init(&r, res, row);
    v->secret_id = clv_pg_col_text(&r);
    v->client_id = clv_pg_col_text(&r);
    v->description = clv_pg_col_text(&r);
    clv_pg_col_bytes(&r, v->hash, sizeof v->hash);
    v->created_at = clv_pg_col_int(&r);
    v->expires_at = clv_pg_col_int(&r);
    v->last_used_at = clv_pg_col_int(&r);
    rc = clv_pg_row_end(&r, "secret", err);
    if (rc != CLV_OK) {
        clv_secret_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void secret_free_item(void *p)
{
    clv_secret_free(p);
}

static const clv_pg_kind secret_kind = {secret_load, NULL, secret_free_item, "secret"};

clv_code clv_pg_secret_insert(clv_store *s, const clv_secret *sec, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, sec->secret_id);
    clv_pg_text(&p, sec->client_id);
    clv_pg_text(&p, sec->description);
    clv_pg_bytes(&p, sec->hash, sizeof sec->hash);
    clv_pg_int(&p, sec->created_at);
    clv_pg_int(&p, sec->expires_at);
    clv_pg_int(&p, sec->last_used_at);
    return clv_pg_write(s, PG_SECRET_INSERT, &p, "secret_insert", false, err);
}

clv_code clv_pg_secret_list(clv_store *s, const char *client_id, clv_list *out, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, client_id);
    return clv_pg_page(s, PG_SECRET_LIST, &p, -1, &secret_kind, out, err);
}

clv_code clv_pg_secret_delete(clv_store *s, const char *client_id, const char *secret_id,
                              clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, client_id);
    clv_pg_text(&p, secret_id);
    return clv_pg_write(s, PG_SECRET_DELETE, &p, "secret_delete", true, err);
}

clv_code clv_pg_secret_touch(clv_store *s, const char *secret_id, int64_t at, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_int(&p, at);
    clv_pg_text(&p, secret_id);
    return clv_pg_write(s, PG_SECRET_TOUCH, &p, "secret_touch", true, err);
}
