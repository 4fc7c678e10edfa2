/* consent — asking a user before a code goes to a client that is not first-party (see
 * consent.h). */
#include "oauth/consent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "core/audit.h"

clv_code clv_consent_needed(clv_app *app, const clv_authz *a, const clv_user *u, bool *needed,
                            clv_err *err)
{
    clv_consent *c = NULL;
    clv_code rc;

    /* OIDC Core §3.1.2.1: asks even a first-party client; a metadata document client is
     * asked every time, its document may have changed hands (docs/DESIGN.md D16) */
    *needed = a->prompt_consent || clv_client_id_is_url(a->client->client_id);
    if (*needed || a->client->first_party)
        return CLV_OK;
    rc = clv_store_consent_get(app->store, u->id, a->client->client_id, &c, err);
    if (rc == CLV_NOT_FOUND) {
        *needed = true;
        return CLV_OK;
    }
    if (rc == CLV_OK)
        *needed = !clv_words_subset(a->scope, c->scope);
    clv_consent_free(c);
    return rc;
}

char *clv_consent_purpose(const clv_authz *a, const clv_user *u)
{
    size_t n = strlen(u->id) + strlen(a->client->client_id) + strlen(a->scope) + 16;
    char *p = malloc(n);

    if (p != NULL)
        snprintf(p, n, "consent|%s|%s|%s", u->id, a->client->client_id, a->scope);
    return p;
}

/* The words of before, then those of add that before lacks; malloc'd. */
static char *scope_union(const char *before, const char *add)
{
    size_t n = strlen(before), o = n;
    char *out = malloc(n + strlen(add) + 2);

    if (out == NULL)
        return NULL;
    memcpy(out, before, n + 1);
    for (const char *p = add; *p != '\0';) {
        size_t k = strcspn(p, " ");
        if (k > 0 && !clv_words_has(before, p, k)) {
            if (o > 0)
                out[o++] = ' ';
            memcpy(out + o, p, k);
            o += k;
            out[o] = '\0';
        }
        p += k + (p[k] == ' ');
    }
    return out;
}

static clv_code grant_write(clv_app *app, const clv_authz *a, const clv_user *u, clv_err *err)
{
    clv_consent *old = NULL, v = {0};
    clv_principal p = {.actor_type = "user"};
    clv_code rc = clv_store_consent_get(app->store, u->id, a->client->client_id, &old, err);

    if (rc != CLV_OK && rc != CLV_NOT_FOUND)
        return rc;
    v.user_id = u->id;
    v.client_id = a->client->client_id;
    v.tenant_id = u->tenant_id;
    v.updated_at = clv_now();
    v.created_at = old != NULL ? old->created_at : v.updated_at;
    v.scope = scope_union(old != NULL ? old->scope : "", a->scope);
    if (v.scope == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    else
        rc = clv_store_consent_put(app->store, &v, err);
    snprintf(p.actor_id, sizeof p.actor_id, "%s", u->id);
    snprintf(p.tenant_id, sizeof p.tenant_id, "%s", u->tenant_id);
    if (rc == CLV_OK)
        rc = clv_audit_write(app, &p, u->tenant_id, "consent.grant", "client", a->client->client_id,
                             json_pack("{s:{s:s?,s:s}}", "scope", "from",
                                       old != NULL ? old->scope : NULL, "to", v.scope),
                             err);
    free(v.scope);
    clv_consent_free(old);
    return rc;
}

clv_code clv_consent_grant(clv_app *app, const clv_authz *a, const clv_user *u, clv_err *err)
{
    clv_code rc = clv_store_begin(app->store, err);

    if (rc != CLV_OK)
        return rc;
    rc = grant_write(app, a, u, err);
    if (rc == CLV_OK)
        rc = clv_store_commit(app->store, err);
    if (rc != CLV_OK)
        clv_store_rollback(app->store);
    return rc;
}
