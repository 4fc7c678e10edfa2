/* logout — checking RP-initiated logout requests (see logout.h). */
#include "oauth/logout.h"

#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "crypto/jwt.h"
#include "oauth/authorize.h"

enum { HINT_MAX = 8192, CLIENT_ID_MAX = CLV_CLIENT_ID_MAX };

void clv_logout_cleanup(clv_logout *lo)
{
    clv_client_free(lo->client);
    free(lo->hint_sub);
    free(lo->redirect);
    memset(lo, 0, sizeof *lo);
}

/* The audience of an ID token we issued: one client_id (a string, or a one-element array). */
static const char *hint_aud(const json_t *claims)
{
    const json_t *aud = json_object_get(claims, "aud");

    if (json_is_array(aud) && json_array_size(aud) == 1)
        aud = json_array_get(aud, 0);
    return json_string_value(aud);
}

/* Verifies the hint's signature (ours), typ and issuer; expiry is not checked. On success
 * *claims is a new reference. */
static bool hint_verify(clv_app *app, const char *hint, json_t **claims)
{
    char *typ = NULL;
    const char *iss;
    bool ok;

    if (hint == NULL || strlen(hint) > HINT_MAX ||
        clv_jwt_verify(clv_app_keys(app), hint, claims, &typ, NULL) != CLV_OK)
        return false;
    iss = json_string_value(json_object_get(*claims, "iss"));
    ok = typ != NULL && strcmp(typ, "JWT") == 0 && iss != NULL &&
         strcmp(iss, app->cfg->issuer) == 0 && hint_aud(*claims) != NULL &&
         json_string_value(json_object_get(*claims, "sub")) != NULL;
    free(typ);
    if (!ok) {
        json_decref(*claims);
        *claims = NULL;
    }
    return ok;
}

static bool registered(const clv_client *c, const char *uri)
{
    return clv_strarr_has(c->post_logout_redirect_uris, uri); /* exact, as redirect URIs */
}

static clv_code find_client(clv_app *app, const char *client_id, clv_logout *out, clv_err *err)
{
    clv_code rc;

    if (client_id == NULL || strlen(client_id) > CLIENT_ID_MAX)
        return CLV_OK;
    rc = clv_store_client_get(app->store, client_id, &out->client, err);
    if (rc == CLV_OK && clv_client_effective_status(out->client) != CLV_STATUS_ACTIVE) {
        clv_client_free(out->client);
        out->client = NULL;
    }
    return rc == CLV_NOT_FOUND ? CLV_OK : rc;
}

clv_code clv_logout_check(clv_app *app, const clv_logout_params *p, clv_logout *out, clv_err *err)
{
    json_t *claims = NULL;
    const char *client_id = p->client_id;
    clv_code rc;

    memset(out, 0, sizeof *out);
    if (hint_verify(app, p->id_token_hint, &claims)) {
        const char *aud = hint_aud(claims);
        out->hint_valid = client_id == NULL || strcmp(client_id, aud) == 0;
        if (out->hint_valid) {
            client_id = aud;
            out->hint_sub = strdup(json_string_value(json_object_get(claims, "sub")));
        }
    }
    if ((rc = find_client(app, client_id, out, err)) != CLV_OK)
        goto cleanup;
    if (out->client == NULL)
        out->hint_valid = false;
    if (out->client != NULL && p->post_logout_redirect_uri != NULL &&
        registered(out->client, p->post_logout_redirect_uri)) {
        const char *const kv[][2] = {{"state", p->state}};
        if ((out->redirect = clv_authz_redirect_url(p->post_logout_redirect_uri, kv, 1)) == NULL)
            rc = clv_fail(err, CLV_NOMEM, "out of memory");
    }
    if (rc == CLV_OK && out->hint_valid && out->hint_sub == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
cleanup:
    json_decref(claims);
    return rc;
}
