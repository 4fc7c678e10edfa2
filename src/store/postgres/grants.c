/* grants — the end-user flows in the PostgreSQL backend: authorization codes and refresh
 * tokens (insert, consume once, revoke by family, by client or one by one), revoked
 * families, browser sessions, client-assertion jtis and revoked access tokens' jtis
 * (RFC 7009). Column orders follow AUTHCODE_COLS, REFRESH_COLS and SESSION_COLS of sql.c.
 *
 * Consuming. A code or a refresh token is redeemed once, also when two requests present
 * it at the same moment (RFC 6749 §4.1.2, RFC 9700 §4.14.2). One UPDATE … SET used = 1
 * WHERE used = 0 … RETURNING decides: the caller that gets the row back won; the other
 * waits for the winner's commit, finds used = 1 and changes nothing. It then reads the row
 * to learn that it saw a replay (CLV_CONFLICT). A row of a revoked family is neither
 * marked nor read: it counts as not found. */
#include <stdlib.h>

#include "store/postgres/impl.h"

/* ---- loading ---- */

static clv_code authcode_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_authcode *v = calloc(1, sizeof *v);
    clv_pg_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "authcode: out of memory");
    clv_pg_row_init(&r, res, row);
    clv_pg_col_bytes(&r, v->hash, sizeof v->hash);
    v->client_id = clv_pg_col_text(&r);
    v->user_id = clv_pg_col_text(&r);
    v->tenant_id = clv_pg_col_text(&r);
    v->redirect_uri = clv_pg_col_text(&r);
    v->scope = clv_pg_col_text(&r);
    v->nonce = clv_pg_col_text(&r);
    v->code_challenge = clv_pg_col_text(&r);
    v->family_id = clv_pg_col_text(&r);
    v->auth_time = clv_pg_col_int(&r);
    v->created_at = clv_pg_col_int(&r);
    v->expires_at = clv_pg_col_int(&r);
    v->used = clv_pg_col_int(&r) != 0;
    v->resource = clv_pg_col_text(&r);
    rc = clv_pg_row_end(&r, "authcode", err);
    if (rc != CLV_OK) {
        clv_authcode_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void authcode_free_item(void *p)
{
    clv_authcode_free(p);
}

static const clv_pg_kind authcode_kind = {authcode_load, NULL, authcode_free_item, "authcode"};

static clv_code refresh_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_refresh *v = calloc(1, sizeof *v);
    clv_pg_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "refresh token: out of memory");
    clv_pg_row_init(&r, res, row);
    clv_pg_col_bytes(&r, v->hash, sizeof v->hash);
    v->client_id = clv_pg_col_text(&r);
    v->user_id = clv_pg_col_text(&r);
    v->tenant_id = clv_pg_col_text(&r);
    v->scope = clv_pg_col_text(&r);
    v->family_id = clv_pg_col_text(&r);
    v->auth_time = clv_pg_col_int(&r);
    v->created_at = clv_pg_col_int(&r);
    v->expires_at = clv_pg_col_int(&r);
    v->used = clv_pg_col_int(&r) != 0;
    v->resource = clv_pg_col_text(&r);
    rc = clv_pg_row_end(&r, "refresh token", err);
    if (rc != CLV_OK) {
        clv_refresh_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void refresh_free_item(void *p)
{
    clv_refresh_free(p);
}

static const clv_pg_kind refresh_kind = {refresh_load, NULL, refresh_free_item, "refresh token"};

static clv_code session_load(const PGresult *res, int row, void **item, clv_err *err)
{
    clv_session *v = calloc(1, sizeof *v);
    clv_pg_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "session: out of memory");
    clv_pg_row_init(&r, res, row);
    clv_pg_col_bytes(&r, v->hash, sizeof v->hash);
    v->user_id = clv_pg_col_text(&r);
    v->tenant_id = clv_pg_col_text(&r);
    v->auth_time = clv_pg_col_int(&r);
    v->expires_at = clv_pg_col_int(&r);
    rc = clv_pg_row_end(&r, "session", err);
    if (rc != CLV_OK) {
        clv_session_free(v);
        return rc;
    }
    *item = v;
    return CLV_OK;
}

static void session_free_item(void *p)
{
    clv_session_free(p);
}

static const clv_pg_kind session_kind = {session_load, NULL, session_free_item, "session"};

/* Statement id with the one parameter hash, to one row. */
static clv_code hash_one(clv_store *s, clv_pg_stmt_id id, const unsigned char hash[32],
                         const clv_pg_kind *kind, void **item, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_bytes(&p, hash, CLV_PG_HASH_LEN);
    return clv_pg_one(s, id, &p, kind, item, err);
}

/* ---- consuming ---- */

/* Marks the row with this hash used (statement mark) and returns it: CLV_OK when this call
 * marked it, CLV_CONFLICT with the row when it was used before (statement get),
 * CLV_NOT_FOUND when there is no such row or its family is revoked. */
static clv_code consume(clv_store *s, clv_pg_stmt_id mark, clv_pg_stmt_id get,
                        const clv_pg_kind *kind, const unsigned char hash[32], void **out,
                        clv_err *err)
{
    void *item = NULL;
    clv_code rc = hash_one(s, mark, hash, kind, &item, err);

    if (rc == CLV_OK) {
        *out = item;
        return CLV_OK;
    }
    if (rc != CLV_NOT_FOUND)
        return rc;
    rc = hash_one(s, get, hash, kind, &item, err);
    if (rc != CLV_OK)
        return rc;
    *out = item; /* also on a replay: the caller needs its family */
    return clv_fail(err, CLV_CONFLICT, "%s: used before", kind->what);
}

/* ---- authorization codes ---- */

clv_code clv_pg_authcode_insert(clv_store *s, const clv_authcode *a, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_bytes(&p, a->hash, sizeof a->hash);
    clv_pg_text(&p, a->client_id);
    clv_pg_text(&p, a->user_id);
    clv_pg_text(&p, a->tenant_id);
    clv_pg_text(&p, a->redirect_uri);
    clv_pg_text(&p, a->scope);
    clv_pg_text(&p, a->nonce);
    clv_pg_text(&p, a->code_challenge);
    clv_pg_text(&p, a->family_id);
    clv_pg_int(&p, a->auth_time);
    clv_pg_int(&p, a->created_at);
    clv_pg_int(&p, a->expires_at);
    clv_pg_text(&p, a->resource);
    return clv_pg_write(s, PG_AUTHCODE_INSERT, &p, "authcode_insert", false, err);
}

clv_code clv_pg_authcode_consume(clv_store *s, const unsigned char hash[32], clv_authcode **out,
                                 clv_err *err)
{
    void *item = NULL;
    clv_code rc = consume(s, PG_AUTHCODE_MARK, PG_AUTHCODE_GET, &authcode_kind, hash, &item, err);

    if (rc == CLV_OK || rc == CLV_CONFLICT)
        *out = item;
    return rc;
}

/* ---- refresh tokens ---- */

clv_code clv_pg_refresh_insert(clv_store *s, const clv_refresh *r, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_bytes(&p, r->hash, sizeof r->hash);
    clv_pg_text(&p, r->client_id);
    clv_pg_text(&p, r->user_id);
    clv_pg_text(&p, r->tenant_id);
    clv_pg_text(&p, r->scope);
    clv_pg_text(&p, r->family_id);
    clv_pg_int(&p, r->auth_time);
    clv_pg_int(&p, r->created_at);
    clv_pg_int(&p, r->expires_at);
    clv_pg_text(&p, r->resource);
    return clv_pg_write(s, PG_REFRESH_INSERT, &p, "refresh_insert", false, err);
}

clv_code clv_pg_refresh_consume(clv_store *s, const unsigned char hash[32], clv_refresh **out,
                                clv_err *err)
{
    void *item = NULL;
    clv_code rc = consume(s, PG_REFRESH_MARK, PG_REFRESH_GET, &refresh_kind, hash, &item, err);

    if (rc == CLV_OK || rc == CLV_CONFLICT)
        *out = item;
    return rc;
}

clv_code clv_pg_refresh_revoke(clv_store *s, const unsigned char hash[32], const char *client_id,
                               bool *found, clv_err *err)
{
    clv_pg_conn *c;
    clv_pg_params p;
    int changes = 0;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc != CLV_OK)
        return rc;
    clv_pg_params_init(&p);
    clv_pg_bytes(&p, hash, CLV_PG_HASH_LEN);
    clv_pg_text(&p, client_id);
    rc = clv_pg_write_n(c, PG_REFRESH_REVOKE, &p, "refresh_revoke", &changes, err);
    if (rc == CLV_OK)
        *found = changes > 0;
    return rc;
}

/* ---- families ---- */

/* Statement id with the one text parameter v; *changes unless NULL. */
static clv_code text_write(clv_pg_conn *c, clv_pg_stmt_id id, const char *v, const char *what,
                           int *changes, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, v);
    return clv_pg_write_n(c, id, &p, what, changes, err);
}

/* Records the family as revoked and drops its unused codes and refresh tokens, in one
 * transaction; the used ones stay, so that presenting one again still reads as a replay. */
clv_code clv_pg_family_revoke(clv_store *s, const char *family_id, int64_t exp, clv_err *err)
{
    clv_pg_conn *c;
    clv_pg_params p;
    bool own = false;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc != CLV_OK || (rc = clv_pg_atomic_open(c, &own, err)) != CLV_OK)
        return rc;
    clv_pg_params_init(&p);
    clv_pg_text(&p, family_id);
    clv_pg_int(&p, exp);
    rc = clv_pg_write_n(c, PG_FAMILY_REVOKE, &p, "family_revoke", NULL, err);
    if (rc == CLV_OK)
        rc = text_write(c, PG_FAMILY_DROP_CODES, family_id, "family_revoke", NULL, err);
    if (rc == CLV_OK)
        rc = text_write(c, PG_FAMILY_DROP_REFRESH, family_id, "family_revoke", NULL, err);
    return clv_pg_atomic_close(c, own, rc, err);
}

clv_code clv_pg_family_is_revoked(clv_store *s, const char *family_id, bool *revoked,
                                  clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, family_id);
    return clv_pg_exists(s, PG_FAMILY_GET, &p, "family_is_revoked", revoked, err);
}

clv_code clv_pg_client_grants_revoke(clv_store *s, const char *client_id, int *count,
                                     clv_err *err)
{
    clv_pg_conn *c;
    bool own = false;
    int codes = 0, tokens = 0;
    clv_code rc = clv_pg_conn_get(s, &c, err);

    if (rc != CLV_OK || (rc = clv_pg_atomic_open(c, &own, err)) != CLV_OK)
        return rc;
    rc = text_write(c, PG_CLIENT_DROP_CODES, client_id, "client_grants_revoke", &codes, err);
    if (rc == CLV_OK)
        rc = text_write(c, PG_CLIENT_DROP_REFRESH, client_id, "client_grants_revoke", &tokens,
                        err);
    rc = clv_pg_atomic_close(c, own, rc, err);
    if (rc == CLV_OK)
        *count = codes + tokens;
    return rc;
}

/* ---- sessions ---- */

clv_code clv_pg_session_insert(clv_store *s, const clv_session *ss, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_bytes(&p, ss->hash, sizeof ss->hash);
    clv_pg_text(&p, ss->user_id);
    clv_pg_text(&p, ss->tenant_id);
    clv_pg_int(&p, ss->auth_time);
    clv_pg_int(&p, ss->expires_at);
    return clv_pg_write(s, PG_SESSION_INSERT, &p, "session_insert", false, err);
}

clv_code clv_pg_session_get(clv_store *s, const unsigned char hash[32], clv_session **out,
                            clv_err *err)
{
    void *item = NULL;
    clv_code rc = hash_one(s, PG_SESSION_GET, hash, &session_kind, &item, err);

    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_pg_session_delete(clv_store *s, const unsigned char hash[32], clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_bytes(&p, hash, CLV_PG_HASH_LEN);
    return clv_pg_write(s, PG_SESSION_DELETE, &p, "session_delete", true, err);
}

/* ---- client assertions and revoked access tokens ---- */

/* A plain INSERT: the primary key (jti, client_id) turns a replay into CLV_CONFLICT, and
 * of two requests racing with one assertion only one inserts. */
clv_code clv_pg_assertion_jti_use(clv_store *s, const char *jti, const char *client_id,
                                  int64_t exp, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, jti);
    clv_pg_text(&p, client_id);
    clv_pg_int(&p, exp);
    return clv_pg_write(s, PG_ASSERTION_JTI_USE, &p, "assertion_jti_use", false, err);
}

clv_code clv_pg_jti_revoke(clv_store *s, const char *jti, int64_t exp, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, jti);
    clv_pg_int(&p, exp);
    return clv_pg_write(s, PG_JTI_REVOKE, &p, "jti_revoke", false, err);
}

clv_code clv_pg_jti_is_revoked(clv_store *s, const char *jti, bool *revoked, clv_err *err)
{
    clv_pg_params p;

    clv_pg_params_init(&p);
    clv_pg_text(&p, jti);
    return clv_pg_exists(s, PG_JTI_GET, &p, "jti_is_revoked", revoked, err);
}
