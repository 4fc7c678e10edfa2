/* principal — who an admin API call speaks for, and whether that is an administrator (see
 * principal.h). */
#include "admin/principal.h"

#include <stdio.h>
#include <string.h>

#include "base/strlist.h"
#include "core/access_token.h"

/* Who the admin token speaks for: the signed-in user when it was issued to one (the
 * console), else its client; roles as they are now, not as they were at issue. A user's
 * rights reach the admin API only through a first-party client (docs/DESIGN.md D2), so a
 * token that a registered client got for an administrator is refused here too. */
static clv_code token_principal(clv_app *app, const json_t *claims, const clv_client *c,
                                clv_principal *p, clv_err *err)
{
    const json_t *roles = c->roles;
    clv_user *u = NULL;
    clv_code rc = CLV_OK;

    memset(p, 0, sizeof *p);
    p->actor_type = "client";
    snprintf(p->actor_id, sizeof p->actor_id, "%s", c->client_id);
    snprintf(p->tenant_id, sizeof p->tenant_id, "%s", c->tenant_id);
    if (json_object_get(claims, "usr") != NULL) {
        if (!c->first_party)
            return clv_fail(err, CLV_FORBIDDEN,
                            "a user's token reaches the admin API only through a first-party "
                            "client");
        if ((rc = clv_access_token_user(app, claims, &u, err)) != CLV_OK)
            return rc;
        p->actor_type = "user";
        snprintf(p->actor_id, sizeof p->actor_id, "%s", u->id);
        snprintf(p->tenant_id, sizeof p->tenant_id, "%s", u->tenant_id);
        roles = u->roles;
    }
    p->platform_admin = clv_strarr_has(roles, "platform_admin");
    p->tenant_admin = clv_strarr_has(roles, "tenant_admin");
    clv_user_free(u);
    return rc;
}

clv_code clv_admin_principal(clv_app *app, const char *token, clv_principal *p, clv_err *err)
{
    json_t *claims = NULL;
    clv_client *c = NULL;
    clv_code rc;

    rc = clv_access_check(app, token, &claims, &c, err);
    if (rc != CLV_OK)
        return rc;
    rc = token_principal(app, claims, c, p, err);
    if (rc == CLV_OK &&
        !clv_words_has(json_string_value(json_object_get(claims, "scope")), "admin", 5))
        rc = clv_fail(err, CLV_FORBIDDEN, "the token lacks the admin scope");
    else if (rc == CLV_OK && !p->platform_admin && !p->tenant_admin)
        rc = clv_fail(err, CLV_FORBIDDEN, "the token's holder is not an administrator");
    json_decref(claims);
    clv_client_free(c);
    return rc;
}
