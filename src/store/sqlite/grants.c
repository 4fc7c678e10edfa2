/* grants — the end-user flows in the SQLite backend: authorization codes and
 * refresh tokens (insert, consume once, revoke by family, by client or one by one),
 * revoked families, browser sessions, client-assertion jtis and revoked access tokens' jtis
 * (RFC 7009). Column orders follow
 * AUTHCODE_COLS, REFRESH_COLS and SESSION_COLS of sql.c.
 *
 * Consuming. A code or a refresh token is redeemed once, also when two requests present
 * it at the same moment (RFC 6749 §4.1.2, RFC 9700 §4.14.2). One UPDATE … SET used = 1
 * WHERE used = 0 decides: only the caller whose UPDATE changed the row wins. The row is
 * then read back in the same transaction (or savepoint, inside the caller's), so that the
 * loser gets it too and learns that it saw a replay (CLV_CONFLICT). A row of a revoked
 * family is neither marked nor read: it counts as not found. */
#include <stdlib.h>

#include "store/sqlite/impl.h"

/* ---- loading ---- */

static clv_code authcode_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_authcode *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "authcode: out of memory");
    clv_sqlite_row_init(&r, st);
    clv_sqlite_col_blob(&r, v->hash, (int)sizeof v->hash);
    v->client_id = clv_sqlite_col_text(&r);
    v->user_id = clv_sqlite_col_text(&r);
    v->tenant_id = clv_sqlite_col_text(&r);
    v->redirect_uri = clv_sqlite_col_text(&r);
    v->scope = clv_sqlite_col_text(&r);
    v->nonce = clv_sqlite_col_text(&r);
    v->code_challenge = clv_sqlite_col_text(&r);
    v->family_id = clv_sqlite_col_text(&r);
    v->auth_time = clv_sqlite_col_int(&r);
    v->created_at = clv_sqlite_col_int(&r);
    v->expires_at = clv_sqlite_col_int(&r);
    v->used = clv_sqlite_col_int(&r) != 0;
    v->resource = clv_sqlite_col_text(&r);
    rc = clv_sqlite_row_end(&r, "authcode", err);
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

static const clv_sqlite_kind authcode_kind = {authcode_load, NULL, authcode_free_item, "authcode"};

static clv_code refresh_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_refresh *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "refresh token: out of memory");
    clv_sqlite_row_init(&r, st);
    clv_sqlite_col_blob(&r, v->hash, (int)sizeof v->hash);
    v->client_id = clv_sqlite_col_text(&r);
    v->user_id = clv_sqlite_col_text(&r);
    v->tenant_id = clv_sqlite_col_text(&r);
    v->scope = clv_sqlite_col_text(&r);
    v->family_id = clv_sqlite_col_text(&r);
    v->auth_time = clv_sqlite_col_int(&r);
    v->created_at = clv_sqlite_col_int(&r);
    v->expires_at = clv_sqlite_col_int(&r);
    v->used = clv_sqlite_col_int(&r) != 0;
    v->resource = clv_sqlite_col_text(&r);
    rc = clv_sqlite_row_end(&r, "refresh token", err);
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

static const clv_sqlite_kind refresh_kind = {refresh_load, NULL, refresh_free_item,
                                             "refresh token"};

static clv_code session_load(sqlite3_stmt *st, void **item, clv_err *err)
{
    clv_session *v = calloc(1, sizeof *v);
    clv_sqlite_row r;
    clv_code rc;

    if (v == NULL)
        return clv_fail(err, CLV_NOMEM, "session: out of memory");
    clv_sqlite_row_init(&r, st);
    clv_sqlite_col_blob(&r, v->hash, (int)sizeof v->hash);
    v->user_id = clv_sqlite_col_text(&r);
    v->tenant_id = clv_sqlite_col_text(&r);
    v->auth_time = clv_sqlite_col_int(&r);
    v->expires_at = clv_sqlite_col_int(&r);
    rc = clv_sqlite_row_end(&r, "session", err);
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

static const clv_sqlite_kind session_kind = {session_load, NULL, session_free_item, "session"};

/* ---- consuming ---- */

/* The statements that consume one kind of row. */
typedef struct {
    clv_sqlite_stmt_id mark; /* UPDATE … SET used = 1 WHERE hash = ?1 AND used = 0 */
    clv_sqlite_stmt_id get;  /* SELECT … WHERE hash = ?1 (of a live family) */
    const clv_sqlite_kind *kind;
} consumable;

static const consumable code_consumable = {ST_AUTHCODE_MARK, ST_AUTHCODE_GET, &authcode_kind};
static const consumable refresh_consumable = {ST_REFRESH_MARK, ST_REFRESH_GET, &refresh_kind};

/* Marks the row with this hash used and reads it back, atomically. On CLV_OK *item is the
 * row (caller frees) and *won says whether this call was the one that marked it;
 * CLV_NOT_FOUND when there is no such row or its family is revoked. */
static clv_code consume(clv_store *s, const consumable *k, const unsigned char hash[32],
                        void **item, bool *won, clv_err *err)
{
    clv_sqlite_conn *c;
    clv_code rc = clv_sqlite_conn_get(s, &c, err);
    bool own = false;
    int changes = 0;
    void *v = NULL;

    if (rc != CLV_OK || (rc = clv_sqlite_atomic_open(c, &own, err)) != CLV_OK)
        return rc;
    rc = clv_sqlite_hash_write(c, k->mark, hash, k->kind->what, &changes, err);
    if (rc == CLV_OK)
        rc = clv_sqlite_hash_one(c, k->get, hash, k->kind, &v, err);
    rc = clv_sqlite_atomic_close(c, own, rc, err);
    if (rc != CLV_OK) {
        k->kind->free_item(v); /* NULL unless the commit failed after the read */
        return rc;
    }
    *item = v;
    *won = changes == 1;
    return CLV_OK;
}

/* ---- authorization codes ---- */

clv_code clv_sqlite_authcode_insert(clv_store *s, const clv_authcode *a, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_AUTHCODE_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_blob(&b, a->hash, (int)sizeof a->hash);
    clv_sqlite_bind_text(&b, a->client_id);
    clv_sqlite_bind_text(&b, a->user_id);
    clv_sqlite_bind_text(&b, a->tenant_id);
    clv_sqlite_bind_text(&b, a->redirect_uri);
    clv_sqlite_bind_text(&b, a->scope);
    clv_sqlite_bind_text(&b, a->nonce);
    clv_sqlite_bind_text(&b, a->code_challenge);
    clv_sqlite_bind_text(&b, a->family_id);
    clv_sqlite_bind_int(&b, a->auth_time);
    clv_sqlite_bind_int(&b, a->created_at);
    clv_sqlite_bind_int(&b, a->expires_at);
    clv_sqlite_bind_text(&b, a->resource);
    return clv_sqlite_write(c, &b, "authcode_insert", false, err);
}

clv_code clv_sqlite_authcode_consume(clv_store *s, const unsigned char hash[32], clv_authcode **out,
                                 clv_err *err)
{
    void *item = NULL;
    bool won = false;
    clv_code rc = consume(s, &code_consumable, hash, &item, &won, err);

    if (rc != CLV_OK)
        return rc;
    *out = item; /* also on a replay: the caller needs its family */
    return won ? CLV_OK : clv_fail(err, CLV_CONFLICT, "authcode_consume: the code was used before");
}

/* ---- refresh tokens ---- */

clv_code clv_sqlite_refresh_insert(clv_store *s, const clv_refresh *r, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_REFRESH_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_blob(&b, r->hash, (int)sizeof r->hash);
    clv_sqlite_bind_text(&b, r->client_id);
    clv_sqlite_bind_text(&b, r->user_id);
    clv_sqlite_bind_text(&b, r->tenant_id);
    clv_sqlite_bind_text(&b, r->scope);
    clv_sqlite_bind_text(&b, r->family_id);
    clv_sqlite_bind_int(&b, r->auth_time);
    clv_sqlite_bind_int(&b, r->created_at);
    clv_sqlite_bind_int(&b, r->expires_at);
    clv_sqlite_bind_text(&b, r->resource);
    return clv_sqlite_write(c, &b, "refresh_insert", false, err);
}

clv_code clv_sqlite_refresh_consume(clv_store *s, const unsigned char hash[32], clv_refresh **out,
                                    clv_err *err)
{
    void *item = NULL;
    bool won = false;
    clv_code rc = consume(s, &refresh_consumable, hash, &item, &won, err);

    if (rc != CLV_OK)
        return rc;
    *out = item;
    return won ? CLV_OK : clv_fail(err, CLV_CONFLICT, "refresh_consume: the token was used before");
}

clv_code clv_sqlite_refresh_revoke(clv_store *s, const unsigned char hash[32],
                                   const char *client_id, bool *found, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;
    int changes = 0;

    if (!clv_sqlite_prepare(s, ST_REFRESH_REVOKE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_blob(&b, hash, CLV_SQLITE_HASH_LEN);
    clv_sqlite_bind_text(&b, client_id);
    rc = clv_sqlite_write_n(c, &b, "refresh_revoke", &changes, err);
    if (rc == CLV_OK)
        *found = changes > 0;
    return rc;
}

/* ---- families and clients ---- */

/* Runs statement `id` of c with the one text parameter v; *changes as clv_sqlite_write_n. */
static clv_code text_write(clv_sqlite_conn *c, clv_sqlite_stmt_id id, const char *v,
                           const char *what, int *changes, clv_err *err)
{
    sqlite3_stmt *st = clv_sqlite_stmt(c, id, err);
    clv_sqlite_bind b;

    if (st == NULL)
        return CLV_STORE;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, v);
    return clv_sqlite_write_n(c, &b, what, changes, err);
}

/* Records the family as revoked and drops its unused codes and refresh tokens, in one
 * transaction. The used ones stay, so that presenting one again still reads as a replay;
 * consuming skips every row of a revoked family anyway (also one inserted later by a
 * request that raced with this one). */
clv_code clv_sqlite_family_revoke(clv_store *s, const char *family_id, int64_t exp, clv_err *err)
{
    clv_sqlite_conn *c;
    clv_code rc = clv_sqlite_conn_get(s, &c, err);
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    bool own = false;

    if (rc != CLV_OK || (rc = clv_sqlite_atomic_open(c, &own, err)) != CLV_OK)
        return rc;
    if ((st = clv_sqlite_stmt(c, ST_FAMILY_REVOKE, err)) == NULL) {
        rc = CLV_STORE;
    } else {
        clv_sqlite_bind_init(&b, st);
        clv_sqlite_bind_text(&b, family_id);
        clv_sqlite_bind_int(&b, exp);
        rc = clv_sqlite_write(c, &b, "family_revoke", false, err);
    }
    if (rc == CLV_OK)
        rc = text_write(c, ST_FAMILY_DROP_CODES, family_id, "family_revoke", NULL, err);
    if (rc == CLV_OK)
        rc = text_write(c, ST_FAMILY_DROP_REFRESH, family_id, "family_revoke", NULL, err);
    return clv_sqlite_atomic_close(c, own, rc, err);
}

clv_code clv_sqlite_family_is_revoked(clv_store *s, const char *family_id, bool *revoked,
                                      clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_code rc;
    int step;

    if (!clv_sqlite_prepare(s, ST_FAMILY_GET, &c, &st, &rc, err))
        return rc;
    step = sqlite3_bind_text(st, 1, family_id, -1, SQLITE_STATIC) == SQLITE_OK ? sqlite3_step(st)
                                                                               : SQLITE_ERROR;
    if (step == SQLITE_ROW || step == SQLITE_DONE)
        *revoked = step == SQLITE_ROW;
    else
        rc = clv_sqlite_fail(c, "family_is_revoked", err);
    clv_sqlite_done(st);
    return rc;
}

clv_code clv_sqlite_client_grants_revoke(clv_store *s, const char *client_id, int *count,
                                         clv_err *err)
{
    clv_sqlite_conn *c;
    clv_code rc = clv_sqlite_conn_get(s, &c, err);
    bool own = false;
    int codes = 0, tokens = 0;

    if (rc != CLV_OK || (rc = clv_sqlite_atomic_open(c, &own, err)) != CLV_OK)
        return rc;
    rc = text_write(c, ST_CLIENT_DROP_CODES, client_id, "client_grants_revoke", &codes, err);
    if (rc == CLV_OK)
        rc = text_write(c, ST_CLIENT_DROP_REFRESH, client_id, "client_grants_revoke", &tokens, err);
    rc = clv_sqlite_atomic_close(c, own, rc, err);
    if (rc == CLV_OK)
        *count = codes + tokens;
    return rc;
}

/* ---- sessions ---- */

clv_code clv_sqlite_session_insert(clv_store *s, const clv_session *ss, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_SESSION_INSERT, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_blob(&b, ss->hash, (int)sizeof ss->hash);
    clv_sqlite_bind_text(&b, ss->user_id);
    clv_sqlite_bind_text(&b, ss->tenant_id);
    clv_sqlite_bind_int(&b, ss->auth_time);
    clv_sqlite_bind_int(&b, ss->expires_at);
    return clv_sqlite_write(c, &b, "session_insert", false, err);
}

clv_code clv_sqlite_session_get(clv_store *s, const unsigned char hash[32], clv_session **out,
                                clv_err *err)
{
    clv_sqlite_conn *c;
    clv_code rc = clv_sqlite_conn_get(s, &c, err);
    void *item = NULL;

    if (rc == CLV_OK)
        rc = clv_sqlite_hash_one(c, ST_SESSION_GET, hash, &session_kind, &item, err);
    if (rc == CLV_OK)
        *out = item;
    return rc;
}

clv_code clv_sqlite_session_delete(clv_store *s, const unsigned char hash[32], clv_err *err)
{
    clv_sqlite_conn *c;
    clv_code rc = clv_sqlite_conn_get(s, &c, err);
    int changes = 0;

    if (rc == CLV_OK)
        rc = clv_sqlite_hash_write(c, ST_SESSION_DELETE, hash, "session_delete", &changes, err);
    if (rc == CLV_OK && changes == 0)
        rc = clv_fail(err, CLV_NOT_FOUND, "session_delete: no such session");
    return rc;
}

/* ---- client assertions ---- */

/* A plain INSERT: the primary key (jti, client_id) turns a replay into CLV_CONFLICT, and
 * of two requests racing with one assertion only one inserts. */
clv_code clv_sqlite_assertion_jti_use(clv_store *s, const char *jti, const char *client_id,
                                      int64_t exp, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_ASSERTION_JTI_USE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, jti);
    clv_sqlite_bind_text(&b, client_id);
    clv_sqlite_bind_int(&b, exp);
    return clv_sqlite_write(c, &b, "assertion_jti_use", false, err);
}

/* ---- revoked access tokens ---- */

clv_code clv_sqlite_jti_revoke(clv_store *s, const char *jti, int64_t exp, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_sqlite_bind b;
    clv_code rc;

    if (!clv_sqlite_prepare(s, ST_JTI_REVOKE, &c, &st, &rc, err))
        return rc;
    clv_sqlite_bind_init(&b, st);
    clv_sqlite_bind_text(&b, jti);
    clv_sqlite_bind_int(&b, exp);
    return clv_sqlite_write(c, &b, "jti_revoke", false, err);
}

clv_code clv_sqlite_jti_is_revoked(clv_store *s, const char *jti, bool *revoked, clv_err *err)
{
    clv_sqlite_conn *c;
    sqlite3_stmt *st;
    clv_code rc;
    int step;

    if (!clv_sqlite_prepare(s, ST_JTI_GET, &c, &st, &rc, err))
        return rc;
    step = sqlite3_bind_text(st, 1, jti, -1, SQLITE_STATIC) == SQLITE_OK ? sqlite3_step(st)
                                                                         : SQLITE_ERROR;
    if (step == SQLITE_ROW || step == SQLITE_DONE)
        *revoked = step == SQLITE_ROW;
    else
        rc = clv_sqlite_fail(c, "jti_is_revoked", err);
    clv_sqlite_done(st);
    return rc;
}
