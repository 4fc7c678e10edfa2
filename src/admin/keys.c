/* keys — the admin API's signing keys (see keys.h). */
#include "admin/keys.h"

#include "core/signing_keys.h"

static clv_code platform_only(const clv_principal *p, clv_err *err)
{
    if (!p->platform_admin) /* docs/DESIGN.md R15 */
        return clv_fail(err, CLV_FORBIDDEN, "only a platform admin may manage signing keys");
    return CLV_OK;
}

clv_code clv_admin_key_list(clv_app *app, const clv_admin_args *args, json_t **out, clv_err *err)
{
    clv_code rc = platform_only(args->p, err);

    return rc == CLV_OK ? clv_keys_list(app, out, err) : rc;
}

static const char *const rotate_keys[] = {"alg", NULL};

clv_code clv_admin_key_rotate(clv_app *app, const clv_admin_args *args, json_t **out, clv_err *err)
{
    const char *name = NULL;
    bool present = false;
    clv_alg alg = CLV_ALG_RS256;
    json_t *made = NULL;
    clv_code rc;

    if ((rc = platform_only(args->p, err)) != CLV_OK)
        return rc;
    if (args->body != NULL &&
        ((rc = clv_admin_only_keys(args->body, rotate_keys, err)) != CLV_OK ||
         (rc = clv_admin_str_field(args->body, "alg", 16, false, &present, &name, err)) != CLV_OK))
        return rc;
    if (present && !clv_alg_parse(name, &alg))
        return clv_fail_field(err, CLV_INVALID, "alg", "must be RS256, ES256 or EdDSA");
    if ((rc = clv_keys_rotate(app, args->p, present ? (int)alg : -1, 0, &made, err)) != CLV_OK)
        return rc;
    if ((*out = json_pack("{s:o}", "items", made)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}
