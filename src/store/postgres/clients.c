/* clients — clients in the PostgreSQL backend: insert, get (joined with the service and
 * tenant statuses through the client_v view), versioned update, touch and the filtered,
 * keyset-paginated list. Column orders follow CLIENT_COLS / CLIENT_MUT_COLS of sql.c. */
#include <stdlib.h>

#include "store/postgres/impl.h"

/* The columns an update writes, in CLIENT_MUT_COLS order. A NULL list sends "[]"
 * (lists are never NULL in a complete object); a NULL jwks stays NULL. */
static void params_mutable(clv_pg_params *p, const clv_client *c)
{
    clv_pg_text(p, c->name);
    clv_pg_text(p, c->description);
    clv_pg_int(p, c->status);
    clv_pg_json(p, c->redirect_uris, "[]");
    clv_pg_json(p, c->post_logout_redirect_uris, "[]");
    clv_pg_json(p, c->allowed_cors_origins, "[]");
    clv_pg_json(p, c->scopes, "[]");
    clv_pg_json(p, c->roles, "[]");
    clv_pg_json(p, c->audience, "[]");
    clv_pg_json(p, c->contacts, "[]");
    clv_pg_int(p, c->auth_method);
    clv_pg_int(p, c->access_token_lifetime);
    clv_pg_int(p, c->signing_alg);
    clv_pg_int(p, c->allow_refresh_token);
    clv_pg_int(p, c->refresh_token_lifetime);
    clv_pg_int(p, c->require_pkce);
    clv_pg_int(p, c->allow_client_credentials);
    clv_pg_int(p, c->subject_type);
    clv_pg_text(p, c->sector_identifier_uri);
    clv_pg_text(p, c->sector_identifier);
    clv_pg_int(p, c->protected_);
    clv_pg_json(p, c->jwks, NULL);
    clv_pg_text(p, c->jwks_uri);
    clv_pg_text(p, c->client_uri);
    clv_pg_text(p, c->logo_uri);
    clv_pg_text(p, c->policy_uri);
    clv_pg_text(p, c->tos_uri);
    clv_pg_text(p, c->software_id);
    clv_pg_text(p, c->software_version);
    clv_pg_int(p, c->updated_at);
    clv_pg_int(p, c->deleted_at);
    clv_pg_int(p, c->purge_at);
    clv_pg_int(p, c->last_used_at);
    clv_pg_int(p, c->tokens_revoked_at);
    clv_pg_int(p, c->first_party);
}

/* Loads the CLIENT_MUT_COLS part of a row. */
static void load_mutable(clv_pg_row *r, clv_client *c)
{
    c->name = clv_pg_col_text(r);
    c->description = clv_pg_col_text(r);
    c->status = (clv_status)clv_pg_col_int(r);
    c->redirect_uris = clv_pg_col_json(r, true);
    c->post_logout_redirect_uris = clv_pg_col_json(r, true);
    c->allowed_cors_origins = clv_pg_col_json(r, true);
    c->scopes = clv_pg_col_json(r, true);
    c->roles = clv_pg_col_json(r, true);
    c->audience = clv_pg_col_json(r, true);
    c->contacts = clv_pg_col_json(r, true);
    c->auth_method = (clv_auth_method)clv_pg_col_int(r);
    c->access_token_lifetime = clv_pg_col_int(r);
    c->signing_alg = (clv_alg)clv_pg_col_int(r);
    c->allow_refresh_token = clv_pg_col_int(r) != 0;
    c->refresh_token_lifetime = clv_pg_col_int(r);
    c->require_pkce = clv_pg_col_int(r) != 0;
    c->allow_client_credentials = clv_pg_col_int(r) != 0;
    c->subject_type = (clv_subject_type)clv_pg_col_int(r);
    c->sector_identifier_uri = clv_pg_col_text(r);
    c->sector_identifier = clv_pg_col_text(r);
    c->protected_ = clv_pg_col_int(r) != 0;
    c->jwks = clv_pg_col_json(r, false);
    c->jwks_uri = clv_pg_col_text(r);
    c->client_uri = clv_pg_col_text(r);
    c->logo_uri = clv_pg_col_text(r);
    c->policy_uri = clv_pg_col_text(r);
    c->tos_uri = clv_pg_col_text(r);
    c->software_id = clv_pg_col_text(r);
    c->software_version = clv_pg_col_text(r);
    c->updated_at = clv_pg_col_int(r);
    c->deleted_at = clv_pg_col_int(r);
    c->purge_at = clv_pg_col_int(r);
    c->last_used_at = clv_pg_col_int(r);
    c->tokens_revoked_at = clv_pg_col_int(r);
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

clv_code clv_pg_client_list(clv_store *s, const clv_client_filter *f, const clv_store_page *pg,
                            clv_list *out, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, f->service_id);
    clv_pg_text(&p, f->tenant_id);
    clv_pg_int(&p, f->status);
    clv_pg_int(&p, f->type);
    clv_pg_text(&p, f->q);
    clv_pg_page_params(&p, pg);
    clv_pg_int(&p, f->by_effective ? (int64_t)f->effective_status : -1);
    return clv_pg_page(s, PG_CLIENT_LIST, &p, pg->limit, &client_kind, out, err);
}
