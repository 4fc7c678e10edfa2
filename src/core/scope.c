/* scope — resolving the scope a token request asks for (see scope.h). */
#include "core/scope.h"

#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"

enum { SCOPE_MAX = 16384 };

/* API.md (scope): admin is grantable only with a tenant_admin or platform_admin role. */
const char *clv_client_platform_power(const clv_client *c)
{
    if (clv_strarr_has(c->roles, "platform_admin"))
        return "roles";
    if (c->type != CLV_TYPE_M2M && c->first_party && clv_strarr_has(c->scopes, "admin"))
        return "scopes";
    return NULL;
}

bool clv_roles_admin(const json_t *roles)
{
    return clv_strarr_has(roles, "tenant_admin") || clv_strarr_has(roles, "platform_admin");
}

static bool append(char *buf, size_t *len, const char *s, size_t n)
{
    if (*len + n + 2 > SCOPE_MAX)
        return false;
    if (*len > 0)
        buf[(*len)++] = ' ';
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
    return true;
}

/* admin_by_client: admin needs the client's own admin role (client_credentials); else the
 * user's role decides, after sign-in (clv_authz_user_scope), and the client need only list
 * admin among its scopes (the console). */
static bool scope_allowed(const clv_client *c, const char *w, size_t n, bool admin_by_client)
{
    if (!clv_strarr_hasn(c->scopes, w, n))
        return false;
    return !(n == 5 && memcmp(w, "admin", 5) == 0 && admin_by_client && !clv_roles_admin(c->roles));
}

/* No scope asked for: every allowed one (API.md: scope). */
static void scope_all(const clv_client *c, bool admin_by_client, char *buf)
{
    size_t len = 0, i;
    json_t *v;

    json_array_foreach(c->scopes, i, v) {
        const char *s = json_string_value(v);
        if (scope_allowed(c, s, strlen(s), admin_by_client))
            append(buf, &len, s, strlen(s));
    }
}

/* The scopes asked for, each allowed, once each; never silently narrowed. */
static clv_code scope_asked(const clv_client *c, const char *requested, bool admin_by_client,
                            char *buf, clv_err *err)
{
    size_t len = 0;

    for (const char *p = requested; *p != '\0';) {
        size_t n = strcspn(p, " ");
        if (n == 0 || clv_words_has(buf, p, n)) { /* a repeated scope counts once */
            p += n > 0 ? n : 1;
            continue;
        }
        if (!scope_allowed(c, p, n, admin_by_client))
            return clv_fail(err, CLV_INVALID_SCOPE, "scope '%.*s' is not allowed for this client",
                            (int)(n > 128 ? 128 : n), p);
        if (!append(buf, &len, p, n))
            return clv_fail(err, CLV_INVALID_SCOPE, "the scope is too long");
        p += n;
    }
    return CLV_OK;
}

static clv_code resolve(const clv_client *c, const char *requested, bool admin_by_client,
                        char **out, clv_err *err)
{
    char *buf = malloc(SCOPE_MAX);
    clv_code rc = CLV_OK;

    if (buf == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    buf[0] = '\0';
    if (requested == NULL)
        scope_all(c, admin_by_client, buf);
    else
        rc = scope_asked(c, requested, admin_by_client, buf, err);
    if (rc != CLV_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    return CLV_OK;
}

clv_code clv_scope_resolve(const clv_client *c, const char *requested, char **out, clv_err *err)
{
    return resolve(c, requested, true, out, err);
}

clv_code clv_scope_resolve_user(const clv_client *c, const char *requested, char **out,
                                clv_err *err)
{
    return resolve(c, requested, false, out, err);
}

