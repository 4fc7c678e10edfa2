/* introspect — RFC 7662 introspection and RFC 7009 revocation (see introspect.h). */
#include "oauth/introspect.h"

#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "core/access_token.h"
#include "core/client_cache.h"
#include "crypto/jwt.h"
#include "oauth/grants.h"

static bool has_role(const clv_client *c, const char *role)
{
    return clv_strarr_has(c->roles, role);
}

/* docs/DESIGN.md R4: an active confidential or m2m client; platform admins see every tenant. */
static clv_code authenticate_caller(clv_app *app, const clv_client_creds *creds,
                                    clv_client **out, clv_err *err)
{
    clv_client *c = NULL;
    clv_code rc = clv_client_authenticate(app, creds, &c, err);

    if (rc != CLV_OK)
        return rc;
    if (c->type == CLV_TYPE_PUBLIC) {
        clv_client_free(c);
        return clv_fail(err, CLV_INVALID_CLIENT, "public clients may not introspect or revoke");
    }
    *out = c;
    return CLV_OK;
}

static bool caller_may_see(const clv_client *caller, const json_t *claims)
{
    const char *tenant = json_string_value(json_object_get(claims, "tenant"));

    if (has_role(caller, "platform_admin"))
        return true;
    return tenant != NULL && caller->tenant_id != NULL && strcmp(tenant, caller->tenant_id) == 0;
}

clv_code clv_introspect(clv_app *app, const clv_client_creds *creds, const char *token,
                        json_t **out, clv_err *err)
{
    clv_client *caller = NULL;
    json_t *claims = NULL;
    clv_err ignored;
    clv_code rc;

    if ((rc = authenticate_caller(app, creds, &caller, err)) != CLV_OK)
        return rc;
    if (token == NULL || token[0] == '\0') {
        rc = clv_fail(err, CLV_INVALID, "token is required");
        goto cleanup;
    }
    rc = clv_access_check(app, token, &claims, NULL, &ignored);
    if (rc == CLV_STORE || rc == CLV_NOMEM) {
        *err = ignored;
        goto cleanup;
    }
    rc = CLV_OK;
    if (claims == NULL || !caller_may_see(caller, claims)) {
        /* RFC 7662 §2.2: inactive, unknown and foreign tokens all look the same. */
        *out = json_pack("{s:b}", "active", 0);
    } else {
        json_object_set_new(claims, "active", json_true());
        json_object_set_new(claims, "token_type", json_string("Bearer"));
        *out = json_incref(claims);
    }
    if (*out == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
cleanup:
    json_decref(claims);
    clv_client_free(caller);
    return rc;
}

/* RFC 7009 §2.1: a public client may revoke the tokens issued to itself (browser apps
 * call /revoke, docs/DESIGN.md I1); other callers as for introspection (docs/DESIGN.md R4). */
static bool caller_may_revoke(const clv_client *caller, const json_t *claims)
{
    const char *cid = json_string_value(json_object_get(claims, "client_id"));

    if (caller->type == CLV_TYPE_PUBLIC)
        return cid != NULL && strcmp(cid, caller->client_id) == 0;
    return caller_may_see(caller, claims);
}

clv_code clv_revoke(clv_app *app, const clv_client_creds *creds, const char *token, clv_err *err)
{
    clv_client *caller = NULL;
    json_t *claims = NULL;
    bool found = false;
    clv_code rc;

    if ((rc = clv_client_authenticate(app, creds, &caller, err)) != CLV_OK)
        return rc;
    if (token == NULL || token[0] == '\0') {
        rc = clv_fail(err, CLV_INVALID, "token is required");
        goto cleanup;
    }
    /* A token that does not verify, or is already inactive, needs nothing done
     * (RFC 7009 §2.2 answers 200 either way). One that is no JWT of ours may be one of the
     * caller's refresh tokens: it and its family go (oauth/grants.c). */
    if (clv_jwt_verify(clv_app_keys(app), token, &claims, NULL, NULL) == CLV_OK) {
        const char *jti = json_string_value(json_object_get(claims, "jti"));
        json_t *exp = json_object_get(claims, "exp");
        if (caller_may_revoke(caller, claims) && jti != NULL && json_is_integer(exp) &&
            json_integer_value(exp) > clv_now())
            rc = clv_store_jti_revoke(app->store, jti, json_integer_value(exp), err);
        if (rc == CLV_OK)
            clv_cache_bump(); /* cached "not revoked" answers of this process are stale */
    } else {
        rc = clv_grant_refresh_revoke(app, caller->client_id, token, &found, err);
    }
cleanup:
    json_decref(claims);
    clv_client_free(caller);
    return rc;
}
