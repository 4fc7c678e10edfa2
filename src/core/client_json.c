/* client_json — reading a client from JSON (create, PATCH) and writing it back (docs/DESIGN.md M,
 * docs/API.md), and the generic JSON diff the audit log uses. Reading checks the JSON shape of
 * each field here and leaves every value rule to clv_client_validate
 * (client_json_rules.c), so that each rule is written once. */
#include "core/client_json.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uri.h"
#include "core/grant_types.h"

#define MEMBER(c, off, type) ((type *)(void *)((char *)(c) + (off)))
#define CMEMBER(c, off, type) ((const type *)(const void *)((const char *)(c) + (off)))

enum { HOST_MAX = 2001 };

/* ---- the writable fields ---- */

typedef struct field_def field_def;

/* Reads v (present in the body; maybe null) into the client. defaults is a client of the
 * same type with nothing but the defaults, for the fields that null resets. */
typedef clv_code (*field_set)(clv_client *c, const field_def *f, const json_t *v,
                              const clv_client *defaults, clv_err *err);

struct field_def {
    const char *name;
    field_set set; /* NULL: read before the others (type) */
    size_t off;
    bool patchable;
};

static clv_code nomem(clv_err *err)
{
    return clv_fail(err, CLV_NOMEM, "out of memory");
}

/* The string value of v, refusing embedded NULs (json_stringn can make them). */
static clv_code string_of(const json_t *v, const char *field, const char **out, clv_err *err)
{
    if (!json_is_string(v))
        return clv_fail_field(err, CLV_INVALID, field, "must be a string");
    if (strlen(json_string_value(v)) != json_string_length(v))
        return clv_fail_field(err, CLV_INVALID, field, "must not contain NUL characters");
    *out = json_string_value(v);
    return CLV_OK;
}

static clv_code string_store(char **slot, const char *s, clv_err *err)
{
    char *copy = NULL;

    if (s != NULL && (copy = strdup(s)) == NULL)
        return nomem(err);
    free(*slot);
    *slot = copy;
    return CLV_OK;
}

/* service_id, name: a string, never null. */
static clv_code set_string(clv_client *c, const field_def *f, const json_t *v,
                           const clv_client *defaults, clv_err *err)
{
    const char *s = NULL;
    clv_code rc = string_of(v, f->name, &s, err);

    (void)defaults;
    return rc != CLV_OK ? rc : string_store(MEMBER(c, f->off, char *), s, err);
}

/* The optional strings: null resets to NULL. */
static clv_code set_string_opt(clv_client *c, const field_def *f, const json_t *v,
                               const clv_client *defaults, clv_err *err)
{
    const char *s = NULL;
    clv_code rc = CLV_OK;

    (void)defaults;
    if (!json_is_null(v) && !json_is_string(v))
        return clv_fail_field(err, CLV_INVALID, f->name, "must be a string or null");
    if (json_is_string(v))
        rc = string_of(v, f->name, &s, err);
    return rc != CLV_OK ? rc : string_store(MEMBER(c, f->off, char *), s, err);
}

/* Arrays of strings; null resets to []. Item rules are clv_client_validate's. */
static clv_code set_list(clv_client *c, const field_def *f, const json_t *v,
                         const clv_client *defaults, clv_err *err)
{
    json_t **slot = MEMBER(c, f->off, json_t *), *copy;
    char name[CLV_ERR_FIELD_MAX];
    const char *s;

    (void)defaults;
    if (!json_is_array(v) && !json_is_null(v))
        return clv_fail_field(err, CLV_INVALID, f->name, "must be an array of strings");
    for (size_t i = 0; i < json_array_size(v); i++) {
        snprintf(name, sizeof name, "%s[%zu]", f->name, i);
        clv_code rc = string_of(json_array_get(v, i), name, &s, err);
        if (rc != CLV_OK)
            return rc;
    }
    copy = json_is_null(v) ? json_array() : json_deep_copy(v);
    if (copy == NULL)
        return nomem(err);
    json_decref(*slot);
    *slot = copy;
    return CLV_OK;
}

static clv_code set_jwks(clv_client *c, const field_def *f, const json_t *v,
                         const clv_client *defaults, clv_err *err)
{
    json_t *copy = NULL;

    (void)defaults;
    if (!json_is_object(v) && !json_is_null(v))
        return clv_fail_field(err, CLV_INVALID, f->name, "must be an object or null");
    if (json_is_object(v) && (copy = json_deep_copy(v)) == NULL)
        return nomem(err);
    json_decref(c->jwks);
    c->jwks = copy;
    return CLV_OK;
}

static clv_code set_bool(clv_client *c, const field_def *f, const json_t *v,
                         const clv_client *defaults, clv_err *err)
{
    if (json_is_null(v))
        *MEMBER(c, f->off, bool) = *CMEMBER(defaults, f->off, bool);
    else if (json_is_boolean(v))
        *MEMBER(c, f->off, bool) = json_is_true(v);
    else
        return clv_fail_field(err, CLV_INVALID, f->name, "must be true, false or null");
    return CLV_OK;
}

/* Lifetimes; the bounds are clv_client_validate's. */
static clv_code set_int(clv_client *c, const field_def *f, const json_t *v,
                        const clv_client *defaults, clv_err *err)
{
    if (json_is_null(v))
        *MEMBER(c, f->off, int64_t) = *CMEMBER(defaults, f->off, int64_t);
    else if (json_is_integer(v))
        *MEMBER(c, f->off, int64_t) = (int64_t)json_integer_value(v);
    else
        return clv_fail_field(err, CLV_INVALID, f->name, "must be an integer (seconds) or null");
    return CLV_OK;
}

/* The enum fields: null resets to the type's default; the names come from model.c. */
static clv_code set_auth_method(clv_client *c, const field_def *f, const json_t *v,
                                const clv_client *defaults, clv_err *err)
{
    if (!json_is_null(v) && !json_is_string(v))
        return clv_fail_field(err, CLV_INVALID, f->name, "must be a string or null");
    if (json_is_null(v))
        c->auth_method = defaults->auth_method;
    else if (!clv_auth_method_parse(json_string_value(v), &c->auth_method))
        return clv_fail_field(err, CLV_INVALID, f->name,
                              "must be none, client_secret_basic, client_secret_post or "
                              "private_key_jwt");
    return CLV_OK;
}

static clv_code set_alg(clv_client *c, const field_def *f, const json_t *v,
                        const clv_client *defaults, clv_err *err)
{
    if (!json_is_null(v) && !json_is_string(v))
        return clv_fail_field(err, CLV_INVALID, f->name, "must be a string or null");
    if (json_is_null(v))
        c->signing_alg = defaults->signing_alg;
    else if (!clv_alg_parse(json_string_value(v), &c->signing_alg))
        return clv_fail_field(err, CLV_INVALID, f->name, "must be RS256, ES256 or EdDSA");
    return CLV_OK;
}

static clv_code set_subject_type(clv_client *c, const field_def *f, const json_t *v,
                                 const clv_client *defaults, clv_err *err)
{
    if (!json_is_null(v) && !json_is_string(v))
        return clv_fail_field(err, CLV_INVALID, f->name, "must be a string or null");
    if (json_is_null(v))
        c->subject_type = defaults->subject_type;
    else if (!clv_subject_type_parse(json_string_value(v), &c->subject_type))
        return clv_fail_field(err, CLV_INVALID, f->name, "must be public or pairwise");
    return CLV_OK;
}

#define F(name, set, member, patchable)                                                            \
    {                                                                                              \
        name, set, offsetof(clv_client, member), patchable                                         \
    }

/* In the order they are applied, so that the first error reported is predictable. */
static const field_def fields[] = {
    {"type", NULL, 0, false},
    F("service_id", set_string, service_id, false),
    F("name", set_string, name, true),
    F("description", set_string_opt, description, true),
    F("redirect_uris", set_list, redirect_uris, true),
    F("post_logout_redirect_uris", set_list, post_logout_redirect_uris, true),
    F("allowed_cors_origins", set_list, allowed_cors_origins, true),
    F("scopes", set_list, scopes, true),
    F("roles", set_list, roles, true),
    F("token_endpoint_auth_method", set_auth_method, auth_method, true),
    F("access_token_lifetime", set_int, access_token_lifetime, true),
    F("access_token_signing_alg", set_alg, signing_alg, true),
    F("allow_refresh_token", set_bool, allow_refresh_token, true),
    F("refresh_token_lifetime", set_int, refresh_token_lifetime, true),
    F("require_pkce", set_bool, require_pkce, true),
    F("allow_client_credentials", set_bool, allow_client_credentials, true),
    F("first_party", set_bool, first_party, true),
    F("audience", set_list, audience, true),
    F("subject_type", set_subject_type, subject_type, true),
    F("sector_identifier_uri", set_string_opt, sector_identifier_uri, true),
    F("jwks", set_jwks, jwks, true),
    F("jwks_uri", set_string_opt, jwks_uri, true),
    F("client_uri", set_string_opt, client_uri, true),
    F("logo_uri", set_string_opt, logo_uri, true),
    F("policy_uri", set_string_opt, policy_uri, true),
    F("tos_uri", set_string_opt, tos_uri, true),
    F("contacts", set_list, contacts, true),
    F("software_id", set_string_opt, software_id, true),
    F("software_version", set_string_opt, software_version, true),
};

static const char *const read_only[] = {
    "id",         "client_id",    "tenant_id",   "grant_types",      "sector_identifier",
    "protected",  "last_used_at", "environment", "effective_status", "status",
    "created_at", "updated_at",   "deleted_at",  "purge_at",         "version",
};

static const char *const secret_keys[] = {"client_secret", "secret", "secrets"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const field_def *field_find(const char *name)
{
    for (size_t i = 0; i < COUNT(fields); i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

const char *clv_client_field(size_t i, bool *patchable)
{
    if (i >= COUNT(fields))
        return NULL;
    if (patchable != NULL)
        *patchable = fields[i].patchable;
    return fields[i].name;
}

static bool in_list(const char *const *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}

/* Refuses every key that is not writable in this mode, in the body's order. */
static clv_code keys_check(const json_t *body, bool patch, clv_err *err)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)body, key, v) {
        const field_def *f = field_find(key);
        if (f != NULL && (!patch || f->patchable))
            continue;
        if (f != NULL)
            return clv_fail_field(err, CLV_INVALID, key, "immutable field");
        if (in_list(secret_keys, COUNT(secret_keys), key))
            return clv_fail_field(err, CLV_INVALID, key, "%s",
                                  patch ? "secrets are added and removed through /secrets, "
                                          "never updated"
                                        : "secrets are generated by the server, never supplied");
        if (in_list(read_only, COUNT(read_only), key))
            return clv_fail_field(err, CLV_INVALID, key, "read-only field");
        return clv_fail_field(err, CLV_INVALID, key, "unknown field");
    }
    return CLV_OK;
}

static clv_code fields_apply(clv_client *c, const json_t *body, const clv_client *defaults,
                             clv_err *err)
{
    for (size_t i = 0; i < COUNT(fields); i++) {
        const json_t *v = json_object_get(body, fields[i].name);
        clv_code rc;
        if (v == NULL || fields[i].set == NULL)
            continue;
        rc = fields[i].set(c, &fields[i], v, defaults, err);
        if (rc != CLV_OK)
            return rc;
    }
    return CLV_OK;
}

/* A fresh client of this type holding only the defaults of docs/DESIGN.md M and cfg. */
static clv_client *defaults_new(clv_client_type type, const clv_config *cfg)
{
    clv_client *c = calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    c->type = type;
    if (!clv_client_set_defaults(c, cfg->at_lifetime_default, cfg->rt_lifetime_default)) {
        clv_client_free(c);
        return NULL;
    }
    return c;
}

/* OIDC Core §8.1: the host of sector_identifier_uri, else (pairwise) the one host of the
 * redirect URIs — clv_client_validate has made sure there is exactly one — else none. */
static bool sector_derive(clv_client *c)
{
    char host[HOST_MAX];
    const char *from = c->sector_identifier_uri;
    char *copy = NULL;

    if (from == NULL && c->subject_type == CLV_SUBJECT_PAIRWISE)
        from = json_string_value(json_array_get(c->redirect_uris, 0));
    if (from != NULL && clv_uri_host(from, host, sizeof host) && (copy = strdup(host)) == NULL)
        return false;
    free(c->sector_identifier);
    c->sector_identifier = copy;
    return true;
}

/* The end of create and PATCH: normalise, check the whole client, derive. */
static clv_code client_finish(clv_client *c, const clv_config *cfg, clv_err *err)
{
    clv_code rc;

    if (c->type == CLV_TYPE_M2M)
        c->require_pkce = false; /* no authorization endpoint: PKCE does not apply */
    rc = clv_client_validate(c, cfg, err);
    if (rc == CLV_OK && !sector_derive(c))
        rc = nomem(err);
    return rc;
}

static clv_code type_read(const json_t *body, clv_client_type *type, clv_err *err)
{
    const json_t *v = json_object_get(body, "type");

    if (v == NULL)
        return clv_fail_field(err, CLV_INVALID, "type", "is required");
    if (!json_is_string(v))
        return clv_fail_field(err, CLV_INVALID, "type", "must be a string");
    if (!clv_client_type_parse(json_string_value(v), type))
        return clv_fail_field(err, CLV_INVALID, "type", "must be public, confidential or m2m");
    return CLV_OK;
}

static clv_code required_check(const json_t *body, clv_err *err)
{
    static const char *const required[] = {"service_id", "name"};

    for (size_t i = 0; i < COUNT(required); i++)
        if (json_object_get(body, required[i]) == NULL)
            return clv_fail_field(err, CLV_INVALID, required[i], "is required");
    return CLV_OK;
}

clv_code clv_client_from_json(const json_t *body, const clv_config *cfg, clv_client **out,
                              clv_err *err)
{
    clv_client *c = NULL, *defaults = NULL;
    clv_client_type type;
    clv_code rc;

    *out = NULL;
    if (!json_is_object(body))
        return clv_fail(err, CLV_INVALID, "the client must be a JSON object");
    rc = keys_check(body, false, err);
    if (rc == CLV_OK)
        rc = type_read(body, &type, err);
    if (rc == CLV_OK)
        rc = required_check(body, err);
    if (rc != CLV_OK)
        return rc;
    c = defaults_new(type, cfg);
    defaults = defaults_new(type, cfg);
    rc = c != NULL && defaults != NULL ? CLV_OK : nomem(err);
    if (rc == CLV_OK)
        rc = fields_apply(c, body, defaults, err);
    if (rc == CLV_OK)
        rc = client_finish(c, cfg, err);
    clv_client_free(defaults);
    if (rc != CLV_OK) {
        clv_client_free(c);
        return rc;
    }
    *out = c;
    return CLV_OK;
}

clv_code clv_client_patch(const clv_client *c, const json_t *patch, const clv_config *cfg,
                          clv_client **out, clv_err *err)
{
    clv_client *copy = NULL, *defaults = NULL;
    clv_code rc;

    *out = NULL;
    if (!json_is_object(patch))
        return clv_fail(err, CLV_INVALID, "the patch must be a JSON object");
    rc = keys_check(patch, true, err);
    if (rc != CLV_OK)
        return rc;
    copy = clv_client_dup(c);
    defaults = defaults_new(c->type, cfg);
    rc = copy != NULL && defaults != NULL ? CLV_OK : nomem(err);
    if (rc == CLV_OK)
        rc = fields_apply(copy, patch, defaults, err);
    if (rc == CLV_OK)
        rc = client_finish(copy, cfg, err);
    clv_client_free(defaults);
    if (rc != CLV_OK) {
        clv_client_free(copy);
        return rc;
    }
    *out = copy;
    return CLV_OK;
}

/* ---- writing ---- */

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *time_or_null(int64_t t)
{
    char buf[21];

    if (t == 0)
        return json_null();
    clv_time_format(t, buf);
    return json_string(buf);
}

static json_t *copy_or(const json_t *v, bool array)
{
    if (v != NULL)
        return json_deep_copy(v);
    return array ? json_array() : json_null();
}

/* Sets key to v (stolen); a NULL v or a failed set clears *ok. */
static void put(json_t *o, const char *key, json_t *v, bool *ok)
{
    if (v == NULL || json_object_set_new(o, key, v) != 0)
        *ok = false;
}

static void put_identity(json_t *o, const clv_client *c, bool *ok)
{
    put(o, "id", str_or_null(c->id), ok);
    put(o, "client_id", str_or_null(c->client_id), ok);
    put(o, "service_id", str_or_null(c->service_id), ok);
    put(o, "tenant_id", str_or_null(c->tenant_id), ok);
    put(o, "name", str_or_null(c->name), ok);
    put(o, "description", str_or_null(c->description), ok);
    put(o, "type", json_string(clv_client_type_name(c->type)), ok);
    put(o, "status", json_string(clv_status_name(c->status)), ok);
    put(o, "effective_status", json_string(clv_status_name(clv_client_effective_status(c))), ok);
    put(o, "redirect_uris", copy_or(c->redirect_uris, true), ok);
    put(o, "post_logout_redirect_uris", copy_or(c->post_logout_redirect_uris, true), ok);
    put(o, "allowed_cors_origins", copy_or(c->allowed_cors_origins, true), ok);
    put(o, "grant_types", clv_client_grant_types(c), ok);
    put(o, "scopes", copy_or(c->scopes, true), ok);
    put(o, "roles", copy_or(c->roles, true), ok);
}

static void put_tokens(json_t *o, const clv_client *c, bool *ok)
{
    put(o, "token_endpoint_auth_method", json_string(clv_auth_method_name(c->auth_method)), ok);
    put(o, "access_token_lifetime", json_integer(c->access_token_lifetime), ok);
    put(o, "access_token_signing_alg",
        c->signing_alg == CLV_ALG_SERVER ? json_null() : json_string(clv_alg_name(c->signing_alg)),
        ok);
    put(o, "allow_refresh_token", json_boolean(c->allow_refresh_token), ok);
    put(o, "refresh_token_lifetime", json_integer(c->refresh_token_lifetime), ok);
    put(o, "require_pkce", json_boolean(c->require_pkce), ok);
    put(o, "allow_client_credentials", json_boolean(c->allow_client_credentials), ok);
    put(o, "audience", copy_or(c->audience, true), ok);
    put(o, "subject_type", json_string(clv_subject_type_name(c->subject_type)), ok);
    put(o, "sector_identifier_uri", str_or_null(c->sector_identifier_uri), ok);
    put(o, "sector_identifier", str_or_null(c->sector_identifier), ok);
    put(o, "protected", json_boolean(c->protected_), ok);
    put(o, "first_party", json_boolean(c->first_party), ok);
    put(o, "environment", json_string(clv_approval_name(c->service_approval)), ok);
    put(o, "jwks", copy_or(c->jwks, false), ok);
    put(o, "jwks_uri", str_or_null(c->jwks_uri), ok);
}

static void put_metadata(json_t *o, const clv_client *c, bool *ok)
{
    put(o, "client_uri", str_or_null(c->client_uri), ok);
    put(o, "logo_uri", str_or_null(c->logo_uri), ok);
    put(o, "policy_uri", str_or_null(c->policy_uri), ok);
    put(o, "tos_uri", str_or_null(c->tos_uri), ok);
    put(o, "contacts", copy_or(c->contacts, true), ok);
    put(o, "software_id", str_or_null(c->software_id), ok);
    put(o, "software_version", str_or_null(c->software_version), ok);
    put(o, "created_at", time_or_null(c->created_at), ok);
    put(o, "updated_at", time_or_null(c->updated_at), ok);
    put(o, "deleted_at", time_or_null(c->deleted_at), ok);
    put(o, "purge_at", time_or_null(c->purge_at), ok);
    put(o, "last_used_at", time_or_null(c->last_used_at), ok);
    put(o, "version", json_integer(c->version), ok);
}

json_t *clv_client_to_json(const clv_client *c)
{
    json_t *o = json_object();
    bool ok = o != NULL;

    if (!ok)
        return NULL;
    put_identity(o, c, &ok);
    put_tokens(o, c, &ok);
    put_metadata(o, c, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- diff ---- */

static bool ignored(const char *const *ignore, const char *key)
{
    for (size_t i = 0; ignore != NULL && ignore[i] != NULL; i++)
        if (strcmp(ignore[i], key) == 0)
            return true;
    return false;
}

static bool change_add(json_t *out, const char *key, const json_t *from, const json_t *to)
{
    json_t *ch = json_object();
    bool ok = ch != NULL;

    put(ch, "from", json_deep_copy(from), &ok);
    put(ch, "to", json_deep_copy(to), &ok);
    if (ok && json_object_set_new(out, key, ch) == 0)
        return true;
    json_decref(ch);
    return false;
}

/* Adds a change for every key of a whose value differs in b (missing = null); with
 * only_new, only for the keys b lacks (the second pass, after a ran against b). */
static bool changes_add(json_t *out, const json_t *a, const json_t *b, const char *const *ignore,
                        bool only_new)
{
    const char *key;
    json_t *va;

    json_object_foreach((json_t *)a, key, va) {
        const json_t *vb = json_object_get(b, key);
        if (ignored(ignore, key) || (only_new && vb != NULL))
            continue;
        if (vb == NULL)
            vb = json_null();
        if (json_equal(va, vb))
            continue;
        if (!(only_new ? change_add(out, key, vb, va) : change_add(out, key, va, vb)))
            return false;
    }
    return true;
}

json_t *clv_json_diff(const json_t *before, const json_t *after, const char *const *ignore)
{
    json_t *out = json_object();

    if (out == NULL)
        return NULL;
    if (!changes_add(out, before, after, ignore, false) ||
        !changes_add(out, after, before, ignore, true)) {
        json_decref(out);
        return NULL;
    }
    return out;
}
