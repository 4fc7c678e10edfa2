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

static const char *const alg_keys[] = {"alg", NULL};

/* The optional {"alg"} of a rotation or publication: *alg = -1 for every alg. */
static clv_code alg_of(const clv_admin_args *args, int *alg, clv_err *err)
{
    const char *name = NULL;
    bool present = false;
    clv_alg a = CLV_ALG_RS256;
    clv_code rc;

    *alg = -1;
    if (args->body != NULL &&
        ((rc = clv_admin_only_keys(args->body, alg_keys, err)) != CLV_OK ||
         (rc = clv_admin_str_field(args->body, "alg", 16, false, &present, &name, err)) != CLV_OK))
        return rc;
    if (present && !clv_alg_parse(name, &a))
        return clv_fail_field(err, CLV_INVALID, "alg", "must be RS256, ES256 or EdDSA");
    if (present)
        *alg = (int)a;
    return CLV_OK;
}

static clv_code items(json_t *made, json_t **out, clv_err *err)
{
    if ((*out = json_pack("{s:o}", "items", made)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}

clv_code clv_admin_key_rotate(clv_app *app, const clv_admin_args *args, json_t **out, clv_err *err)
{
    json_t *made = NULL;
    int alg;
    clv_code rc;

    if ((rc = platform_only(args->p, err)) != CLV_OK || (rc = alg_of(args, &alg, err)) != CLV_OK ||
        (rc = clv_keys_rotate(app, args->p, alg, 0, &made, err)) != CLV_OK)
        return rc;
    return items(made, out, err);
}

clv_code clv_admin_key_publish(clv_app *app, const clv_admin_args *args, json_t **out, clv_err *err)
{
    json_t *made = NULL;
    int alg;
    clv_code rc;

    if ((rc = platform_only(args->p, err)) != CLV_OK || (rc = alg_of(args, &alg, err)) != CLV_OK ||
        (rc = clv_keys_publish(app, args->p, alg, &made, err)) != CLV_OK)
        return rc;
    return items(made, out, err);
}
