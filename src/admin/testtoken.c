/* testtoken — test access tokens for a client (see testtoken.h). */
#include "admin/testtoken.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/clients.h"
#include "admin/operation.h"
#include "base/strlist.h"
#include "core/access_token.h"
#include "core/audit.h"
#include "core/scope.h"
#include "crypto/hash.h"

enum { SCOPE_MAX_CHARS = 16000, ROLE_MAX_CHARS = 128 };

/* The claims Clavis sets itself (RFC 9068 §2.2, RFC 7519 §4.1, OIDC Core §2, RFC 8693
 * §4.1 act, RFC 7800 cnf) and its own: a custom claim must not shadow any of them. */
static const char *const reserved[] = {
    "iss",   "sub",    "aud",  "exp", "iat", "nbf", "jti",       "client_id", "scope",
    "roles", "tenant", "test", "cnf", "act", "azp", "auth_time", "nonce",     "at_hash",
    "usr",   "fid", /* Clavis's own: the sealed user and the grant family */
};

bool clv_test_claim_reserved(const char *name)
{
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(reserved[i], name) == 0)
            return true;
    return false;
}

clv_code clv_test_claims_check(const json_t *claims, clv_err *err)
{
    char field[CLV_ERR_FIELD_MAX];
    const char *key;
    json_t *v;
    char *text;
    size_t n;

    if (!json_is_object(claims))
        return clv_fail_field(err, CLV_INVALID, "claims", "must be an object");
    json_object_foreach((json_t *)claims, key, v) {
        snprintf(field, sizeof field, "claims.%.50s", key);
        if (key[0] == '\0')
            return clv_fail_field(err, CLV_INVALID, "claims", "a claim needs a name");
        if (clv_test_claim_reserved(key))
            return clv_fail_field(err, CLV_INVALID, field,
                                  "is set by Clavis and cannot be a custom claim");
    }
    if ((text = json_dumps(claims, JSON_COMPACT)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    n = strlen(text);
    free(text);
    if (n > CLV_TEST_CLAIMS_MAX) /* docs/DESIGN.md R20 */
        return clv_fail_field(err, CLV_INVALID, "claims",
                              "must be at most %d bytes as JSON (they are %zu)",
                              CLV_TEST_CLAIMS_MAX, n);
    return CLV_OK;
}

/* What the body asks for, checked; the pointers borrow from the body. */
typedef struct {
    int64_t lifetime; /* 0: the client's access_token_lifetime */
    const char *scope;
    const char *user_id;
    json_t *roles;
    json_t *claims;
} test_req;

static const char *const test_keys[] = {"lifetime", "scope", "user_id", "roles", "claims", NULL};

/* RFC 6749 §3.3's scope-token characters, which roles share (as in client_json). */
static bool role_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > ROLE_MAX_CHARS)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x21 || ch > 0x7E || ch == '"' || ch == '\\')
            return false;
    }
    return true;
}

static clv_code roles_check(const json_t *roles, clv_err *err)
{
    char field[CLV_ERR_FIELD_MAX];
    size_t i;
    json_t *v;

    if (!json_is_array(roles))
        return clv_fail_field(err, CLV_INVALID, "roles", "must be an array of strings");
    if (json_array_size(roles) > CLV_TEST_ROLES_MAX)
        return clv_fail_field(err, CLV_INVALID, "roles", "must have at most %d entries",
                              CLV_TEST_ROLES_MAX);
    json_array_foreach(roles, i, v) {
        snprintf(field, sizeof field, "roles[%zu]", i);
        if (!json_is_string(v) || !role_valid(json_string_value(v)))
            return clv_fail_field(err, CLV_INVALID, field,
                                  "a role is 1 to %d printable ASCII characters without "
                                  "space, '\"' or '\\'",
                                  ROLE_MAX_CHARS);
    }
    return CLV_OK;
}

static clv_code lifetime_read(const clv_app *app, const json_t *body, int64_t *out, clv_err *err)
{
    json_t *v = json_object_get(body, "lifetime");
    int64_t min = app->cfg->at_lifetime_min, max = app->cfg->at_lifetime_max;

    *out = 0;
    if (v == NULL)
        return CLV_OK;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return clv_fail_field(err, CLV_INVALID, "lifetime",
                              "must be an integer from %lld to %lld (seconds)", (long long)min,
                              (long long)max);
    *out = (int64_t)json_integer_value(v);
    return CLV_OK;
}

static clv_code read_req(const clv_app *app, const json_t *body, test_req *req, clv_err *err)
{
    clv_code rc;

    memset(req, 0, sizeof *req);
    if ((rc = clv_admin_only_keys(body, test_keys, err)) != CLV_OK ||
        (rc = lifetime_read(app, body, &req->lifetime, err)) != CLV_OK ||
        (rc = clv_admin_str_field(body, "scope", SCOPE_MAX_CHARS, false, NULL, &req->scope, err)) !=
            CLV_OK ||
        (rc = clv_admin_str_field(body, "user_id", CLV_TEST_USER_ID_MAX, false, NULL, &req->user_id,
                                  err)) != CLV_OK)
        return rc;
    req->roles = json_object_get(body, "roles");
    req->claims = json_object_get(body, "claims");
    if (req->roles != NULL && (rc = roles_check(req->roles, err)) != CLV_OK)
        return rc;
    if (req->claims != NULL && (rc = clv_test_claims_check(req->claims, err)) != CLV_OK)
        return rc;
    return CLV_OK;
}

/* Every scope of the client but admin, space-separated (malloc'd). */
static char *scopes_but_admin(const clv_client *c)
{
    size_t len = 1, i;
    json_t *v;
    char *buf;

    json_array_foreach(c->scopes, i, v)
        len += json_string_length(v) + 1;
    if ((buf = calloc(1, len)) == NULL)
        return NULL;
    json_array_foreach(c->scopes, i, v) {
        if (strcmp(json_string_value(v), "admin") == 0)
            continue;
        if (buf[0] != '\0')
            strncat(buf, " ", len - strlen(buf) - 1);
        strncat(buf, json_string_value(v), len - strlen(buf) - 1);
    }
    return buf;
}

/* docs/DESIGN.md R2 through clv_scope_resolve; admin never: a test token must not be an admin
 * token (the admin API would accept it as one). */
static clv_code scope_for(const clv_client *c, const char *requested, char **out, clv_err *err)
{
    char *all = NULL;
    clv_code rc;

    if (requested != NULL && clv_scope_word(requested, "admin"))
        return clv_fail_field(err, CLV_INVALID_SCOPE, "scope",
                              "the admin scope is never granted in a test token");
    if (requested == NULL && (requested = all = scopes_but_admin(c)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    rc = clv_scope_resolve(c, requested, out, err);
    if (rc == CLV_INVALID_SCOPE && err != NULL)
        snprintf(err->field, sizeof err->field, "scope");
    free(all);
    return rc;
}

/* {"from": null, "to": v} under key (v stolen; NULL is skipped). */
static void change(json_t *changes, const char *key, json_t *v)
{
    if (v != NULL)
        json_object_set_new(changes, key, json_pack("{s:n, s:o}", "from", "to", v));
}

/* The audit event: what was asked for and granted, never the token. */
static clv_code test_audit(clv_app *app, const clv_principal *p, const clv_client *c,
                           const test_req *req, const char *scope, int64_t lifetime, clv_err *err)
{
    json_t *changes = json_object();

    if (changes == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    change(changes, "lifetime", json_integer(lifetime));
    change(changes, "scope", json_string(scope));
    change(changes, "test", json_true());
    if (req->user_id != NULL)
        change(changes, "user_id", json_string(req->user_id));
    if (req->roles != NULL)
        change(changes, "roles", json_deep_copy(req->roles));
    if (req->claims != NULL)
        change(changes, "claims", json_deep_copy(req->claims));
    return clv_audit_write(app, p, c->tenant_id, "client.test_token", "client", c->client_id,
                           changes, err);
}

static clv_code active_check(const clv_client *c, clv_err *err)
{
    clv_status st = clv_client_effective_status(c);

    if (st == CLV_STATUS_ACTIVE)
        return CLV_OK;
    return clv_fail(err, CLV_CONFLICT, "the client is %s; only an active client gets tokens",
                    clv_status_name(st));
}

static json_t *response(const char *token, int64_t expires_in, const char *scope)
{
    json_t *j = json_pack("{s:s, s:s, s:I}", "access_token", token, "token_type", "Bearer",
                          "expires_in", (json_int_t)expires_in);

    if (j != NULL && scope[0] != '\0')
        json_object_set_new(j, "scope", json_string(scope));
    return j;
}

clv_code clv_admin_test_token(clv_app *app, const clv_admin_args *args, json_t **out,
                              clv_err *err)
{
    const clv_principal *p = args->p;
    const char *client_id = args->id;
    const json_t *body = args->body;
    clv_client *c = NULL;
    char *scope = NULL, *token = NULL;
    int64_t expires_in = 0;
    test_req req;
    clv_code rc;

    if ((rc = read_req(app, body, &req, err)) != CLV_OK)
        return rc;
    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = clv_admin_client_writable(app, p, client_id, &c, err)) == CLV_OK &&
        (rc = active_check(c, err)) == CLV_OK &&
        (rc = scope_for(c, req.scope, &scope, err)) == CLV_OK) {
        clv_mint_opts o = {.sub = req.user_id,
                           .scope = scope,
                           .lifetime = req.lifetime,
                           .roles = req.roles,
                           .extra = req.claims,
                           .test = true};
        rc = clv_access_mint(app, c, &o, &token, &expires_in, err);
    }
    if (rc == CLV_OK)
        rc = test_audit(app, p, c, &req, scope, expires_in, err);
    rc = clv_write_finish(app, rc, err);
    if (rc == CLV_OK && (*out = response(token, expires_in, scope)) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    free(scope);
    clv_free_secret(token);
    clv_client_free(c);
    return rc;
}
