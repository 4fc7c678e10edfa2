/* resource — resource indicators (see resource.h). */
#include "core/resource.h"

#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "core/client_cache.h"
#include "core/client_json.h"
#include "core/client_write.h"
#include "core/ids.h"

/* RFC 8707 §2 leaves room for several resources in one request; Clavis takes one (the MCP
 * authorization spec sends one), so a token has one audience (docs/DESIGN.md R38). */
enum { WORD_MAX = 128 };

json_t *clv_resource_to_json(const clv_resource *r)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:O, s:o}", "id", r->id, "service_id", r->service_id,
                     "identifier", r->identifier, "name", r->name, "scopes", r->scopes,
                     "created_at", clv_json_time(r->created_at));
}

static clv_code only_known_keys(const json_t *body, clv_err *err)
{
    const char *key;
    json_t *v;

    if (!json_is_object(body))
        return clv_fail(err, CLV_INVALID, "the body must be a JSON object");
    json_object_foreach((json_t *)body, key, v) {
        if (strcmp(key, "identifier") != 0 && strcmp(key, "name") != 0 &&
            strcmp(key, "scopes") != 0)
            return clv_fail_field(err, CLV_INVALID, key, "is not a field of a resource");
    }
    return CLV_OK;
}

/* Checks the fields of body; the identifier and name stay borrowed from it. */
static clv_code read_fields(const json_t *body, const char **identifier, const char **name,
                            const json_t **scopes, clv_err *err)
{
    const json_t *id = json_object_get(body, "identifier"), *nm = json_object_get(body, "name");
    clv_code rc;

    *scopes = json_object_get(body, "scopes");
    if (id == NULL)
        return clv_fail_field(err, CLV_INVALID, "identifier", "is required");
    if (!json_is_string(id))
        return clv_fail_field(err, CLV_INVALID, "identifier", "must be a string");
    if ((rc = clv_resource_uri_check(json_string_value(id), "identifier", err)) != CLV_OK)
        return rc;
    if (nm != NULL && !json_is_null(nm) && !json_is_string(nm))
        return clv_fail_field(err, CLV_INVALID, "name", "must be a string or null");
    if (json_is_string(nm) && (rc = clv_name_check(json_string_value(nm), "name", err)) != CLV_OK)
        return rc;
    if (*scopes != NULL && (rc = clv_scope_list_check(*scopes, "scopes", err)) != CLV_OK)
        return rc;
    if (clv_strarr_has(*scopes, "admin"))
        return clv_fail_field(err, CLV_INVALID, "scopes",
                              "admin is this server's own scope, never a resource's");
    *identifier = json_string_value(id);
    *name = json_string_value(nm);
    return CLV_OK;
}

clv_code clv_resource_from_json(const json_t *body, const char *service_id, clv_resource **out,
                                clv_err *err)
{
    const char *identifier = NULL, *name = NULL;
    const json_t *scopes = NULL;
    char id[CLV_ID_LEN];
    clv_resource *r;
    clv_code rc;

    if ((rc = only_known_keys(body, err)) != CLV_OK ||
        (rc = read_fields(body, &identifier, &name, &scopes, err)) != CLV_OK)
        return rc;
    if (!clv_id_new("rs", id))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    if ((r = calloc(1, sizeof *r)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    r->id = strdup(id);
    r->service_id = strdup(service_id);
    r->identifier = strdup(identifier);
    r->name = name != NULL ? strdup(name) : NULL;
    r->scopes = scopes != NULL ? json_deep_copy(scopes) : json_array();
    r->created_at = clv_now();
    if (r->id == NULL || r->service_id == NULL || r->identifier == NULL ||
        (name != NULL && r->name == NULL) || r->scopes == NULL) {
        clv_resource_free(r);
        return clv_fail(err, CLV_NOMEM, "out of memory");
    }
    *out = r;
    return CLV_OK;
}

clv_code clv_resource_resolve(clv_app *app, const clv_client *c, const char *requested,
                              const clv_resource **out, clv_err *err)
{
    clv_err why;
    clv_code rc;

    *out = NULL;
    if (requested == NULL)
        return CLV_OK;
    if (clv_resource_uri_check(requested, "resource", &why) != CLV_OK)
        return clv_fail(err, CLV_INVALID_TARGET,
                        "resource must be an absolute http(s) URI without a fragment");
    rc = clv_cache_resource_get(app, c->service_id, requested, out, err);
    if (rc == CLV_NOT_FOUND)
        return clv_fail(err, CLV_INVALID_TARGET,
                        "resource is not an API this client's service has registered");
    return rc;
}

/* OpenID Connect Core §5.4 and §11: scopes about the user, not about an API. */
static bool oidc_word(const char *w, size_t n)
{
    return clv_words_has("openid profile email address phone offline_access", w, n);
}

/* Whether the word w[0..n) may be in a token for r. */
static bool word_ok(const clv_resource *r, const char *w, size_t n)
{
    if (n == 5 && strncmp(w, "admin", 5) == 0)
        return false;
    return json_array_size(r->scopes) == 0 || oidc_word(w, n) || clv_strarr_hasn(r->scopes, w, n);
}

clv_code clv_resource_scope(const clv_resource *r, const char *scope, bool asked, char **out,
                            clv_err *err)
{
    size_t len = scope != NULL ? strlen(scope) : 0, used = 0;
    char *s = malloc(len + 1);

    if (s == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    for (const char *p = scope != NULL ? scope : ""; *p != '\0';) {
        size_t n = strcspn(p, " ");
        if (n > 0 && !word_ok(r, p, n) && asked) {
            free(s);
            return clv_fail(err, CLV_INVALID_SCOPE, "scope '%.*s' is not for resource %s",
                            (int)(n < WORD_MAX ? n : WORD_MAX), p, r->identifier);
        }
        if (n > 0 && word_ok(r, p, n)) {
            if (used > 0)
                s[used++] = ' ';
            memcpy(s + used, p, n);
            used += n;
        }
        p += n + (p[n] == ' ');
    }
    s[used] = '\0';
    *out = s;
    return CLV_OK;
}
