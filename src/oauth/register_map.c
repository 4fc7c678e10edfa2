/* register_map — RFC 7591 client metadata to and from Clavis clients (see register.h).
 * Reading maps the metadata Clavis understands onto the client JSON of core/client_json.h
 * and leaves every value rule to clv_client_validate, so that a registered client obeys
 * exactly the rules of one made through the admin API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client_json.h"
#include "core/grant_types.h"
#include "oauth/register.h"

/* Metadata whose RFC 7591 / OIDC Registration name and value are the Clavis field's. */
static const char *const copied[] = {
    "redirect_uris",
    "post_logout_redirect_uris",
    "contacts",
    "client_uri",
    "logo_uri",
    "policy_uri",
    "tos_uri",
    "jwks",
    "jwks_uri",
    "software_id",
    "software_version",
    "subject_type",
    "sector_identifier_uri",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The grant types asked for (RFC 7591 §2): a set of (1 << clv_grant). */
typedef unsigned grant_set;

static bool asks(grant_set set, int g)
{
    return ((set >> g) & 1u) != 0;
}

static clv_code nomem(clv_err *err)
{
    return clv_fail(err, CLV_NOMEM, "out of memory");
}

/* RFC 7591 §2: absent means client_secret_basic; on PUT, absent keeps the current one. */
static clv_code auth_read(const json_t *md, const clv_client *cur, const char **method,
                          clv_err *err)
{
    const json_t *v = json_object_get(md, "token_endpoint_auth_method");
    clv_auth_method m;

    if (v == NULL || json_is_null(v)) {
        *method = cur != NULL ? clv_auth_method_name(cur->auth_method) : "client_secret_basic";
        return CLV_OK;
    }
    if (!json_is_string(v) || !clv_auth_method_parse(json_string_value(v), &m))
        return clv_fail_field(err, CLV_INVALID, "token_endpoint_auth_method",
                              "must be none, client_secret_basic, client_secret_post or "
                              "private_key_jwt");
    *method = clv_auth_method_name(m);
    return CLV_OK;
}

/* The grants a client uses now (its rows of core/grant_types.h). */
static grant_set grants_of(const clv_client *cur)
{
    grant_set set = 0;

    for (int g = 0; g < CLV_GRANT_COUNT; g++) {
        if (clv_grant_allowed(cur, (clv_grant)g))
            set |= 1u << g;
    }
    return set;
}

/* RFC 7591 §2: absent means ["authorization_code"]; on PUT, absent keeps the current
 * grants. Grant types Clavis does not offer are refused rather than dropped, so that a
 * client never believes it holds a grant it cannot use. */
static clv_code grants_read(const json_t *md, const clv_client *cur, grant_set *asked, clv_err *err)
{
    const json_t *v = json_object_get(md, "grant_types"), *item;
    char field[CLV_ERR_FIELD_MAX], names[256];
    clv_grant g;
    size_t i;

    *asked = 0;
    if (v == NULL || json_is_null(v)) {
        *asked = cur != NULL ? grants_of(cur) : 1u << CLV_GRANT_AUTHORIZATION_CODE;
        return CLV_OK;
    }
    if (!json_is_array(v) || json_array_size(v) == 0)
        return clv_fail_field(err, CLV_INVALID, "grant_types",
                              "must be a non-empty array of strings");
    json_array_foreach(v, i, item) {
        if (!clv_grant_parse(json_string_value(item), &g)) {
            snprintf(field, sizeof field, "grant_types[%zu]", i);
            clv_grant_names_text(names, sizeof names);
            return clv_fail_field(err, CLV_INVALID, field, "must be %s", names);
        }
        *asked |= 1u << g;
    }
    return CLV_OK;
}

/* Only the code flow exists (RFC 7591 §2: response_types defaults to ["code"]). */
static clv_code response_types_check(const json_t *md, clv_err *err)
{
    const json_t *v = json_object_get(md, "response_types"), *item;
    char field[CLV_ERR_FIELD_MAX];
    size_t i;

    if (v == NULL || json_is_null(v))
        return CLV_OK;
    if (!json_is_array(v))
        return clv_fail_field(err, CLV_INVALID, "response_types", "must be an array of strings");
    json_array_foreach(v, i, item) {
        snprintf(field, sizeof field, "response_types[%zu]", i);
        if (!json_is_string(item) || strcmp(json_string_value(item), "code") != 0)
            return clv_fail_field(err, CLV_INVALID, field, "only \"code\" is supported");
    }
    return CLV_OK;
}

/* The first grant asked for that a client of type t may not use; CLV_GRANT_COUNT if none. */
static clv_grant refused(clv_client_type t, grant_set asked)
{
    for (int g = 0; g < CLV_GRANT_COUNT; g++) {
        if (asks(asked, g) && !clv_grant_type_may(t, (clv_grant)g))
            return (clv_grant)g;
    }
    return CLV_GRANT_COUNT;
}

/* docs/DESIGN.md R11: none → public; grants that an m2m client may all use (exactly
 * client_credentials) → m2m; else confidential. The type must admit every grant asked for
 * (core/grant_types.h). */
static clv_code type_derive(const char *method, grant_set asked, clv_client_type *type,
                            clv_err *err)
{
    clv_grant no;

    if (strcmp(method, "none") == 0)
        *type = CLV_TYPE_PUBLIC;
    else if (asked != 0 && refused(CLV_TYPE_M2M, asked) == CLV_GRANT_COUNT)
        *type = CLV_TYPE_M2M;
    else
        *type = CLV_TYPE_CONFIDENTIAL;
    if ((no = refused(*type, asked)) == CLV_GRANT_COUNT)
        return CLV_OK;
    if (*type == CLV_TYPE_PUBLIC)
        return clv_fail_field(err, CLV_INVALID, "grant_types",
                              "a client that does not authenticate (none) cannot use %s",
                              clv_grant_name(no));
    return clv_fail_field(err, CLV_INVALID, "grant_types", "a %s client cannot use %s",
                          clv_client_type_name(*type), clv_grant_name(no));
}

/* RFC 7591 §2 "scope": space-separated → the allowed scopes. *out NULL when absent. */
static clv_code scopes_read(const json_t *md, json_t **out, clv_err *err)
{
    const json_t *v = json_object_get(md, "scope");
    const char *s;

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return CLV_OK;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return clv_fail_field(err, CLV_INVALID, "scope", "must be a space-separated string");
    if ((*out = json_array()) == NULL)
        return nomem(err);
    for (s = json_string_value(v); *s != '\0';) {
        size_t n = strcspn(s, " ");
        if (n == 5 && memcmp(s, "admin", 5) == 0) { /* docs/DESIGN.md D2 */
            json_decref(*out);
            *out = NULL;
            return clv_fail_field(err, CLV_INVALID, "scope",
                                  "admin is a reserved scope: it cannot be registered");
        }
        if (n > 0 && json_array_append_new(*out, json_stringn(s, n)) != 0) {
            json_decref(*out);
            *out = NULL;
            return nomem(err);
        }
        s += n + (s[n] == ' ');
    }
    return CLV_OK;
}

/* Sets key to v (stolen); false when v is NULL or the set fails. */
static bool put(json_t *o, const char *key, json_t *v)
{
    return v != NULL && json_object_set_new(o, key, v) == 0;
}

/* The fields copied as they are; on PUT an omitted one is reset (RFC 7592 §2.2). */
static bool copy_fields(const json_t *md, bool replace, json_t *o)
{
    for (size_t i = 0; i < COUNT(copied); i++) {
        json_t *v = json_object_get(md, copied[i]);
        if (v != NULL && !put(o, copied[i], json_deep_copy(v)))
            return false;
        if (v == NULL && replace && !put(o, copied[i], json_null()))
            return false;
    }
    return true;
}

/* client_name → name (RFC 7591 §2); absent or null → the default name. */
static bool put_name(const json_t *md, json_t *o)
{
    const json_t *name = json_object_get(md, "client_name");

    if (name == NULL || json_is_null(name))
        return put(o, "name", json_string(CLV_REGISTER_DEFAULT_NAME));
    return put(o, "name", json_deep_copy(name));
}

/* Each grant's option (allow_*, core/grant_types.h): on when a grant it opens was asked
 * for and the client's type may use that grant. */
static bool put_options(json_t *o, clv_client_type type, grant_set asked)
{
    for (int g = 0; g < CLV_GRANT_COUNT; g++) {
        const char *option = clv_grant_option((clv_grant)g);
        bool on = asks(asked, g) && clv_grant_type_may(type, (clv_grant)g);
        if (option != NULL && !put(o, option,
                                   json_boolean(on || json_is_true(json_object_get(o, option)))))
            return false;
    }
    return true;
}

/* Builds the client JSON from what was read. */
static clv_code build(const json_t *md, const clv_client *cur, clv_client_type type,
                      const char *method, grant_set asked, json_t *scopes, json_t **out,
                      clv_err *err)
{
    json_t *o = json_object();
    bool ok = o != NULL && put_name(md, o);

    if (ok && cur == NULL)
        ok = put(o, "type", json_string(clv_client_type_name(type)));
    ok = ok && put(o, "token_endpoint_auth_method", json_string(method)) &&
         put_options(o, type, asked);
    if (ok && (scopes != NULL || cur != NULL))
        ok = put(o, "scopes", scopes != NULL ? json_incref(scopes) : json_array());
    ok = ok && copy_fields(md, cur != NULL, o);
    if (!ok) {
        json_decref(o);
        return nomem(err);
    }
    *out = o;
    return CLV_OK;
}

static clv_code type_kept(const clv_client *cur, const char *field, clv_err *err)
{
    return clv_fail_field(err, CLV_INVALID, field,
                          "the client is %s and its type cannot change; register a new client",
                          clv_client_type_name(cur->type));
}

clv_code clv_register_map(const json_t *md, const clv_client *cur, json_t **out, clv_err *err)
{
    const char *method = NULL;
    json_t *scopes = NULL;
    clv_client_type type = CLV_TYPE_CONFIDENTIAL;
    grant_set asked = 0;
    clv_code rc;

    if (!json_is_object(md))
        return clv_fail(err, CLV_INVALID, "the client metadata must be a JSON object");
    if ((rc = auth_read(md, cur, &method, err)) != CLV_OK ||
        (rc = grants_read(md, cur, &asked, err)) != CLV_OK ||
        (rc = response_types_check(md, err)) != CLV_OK)
        return rc;
    /* A client keeps its type (docs/DESIGN.md I2): public stays public, and so on. */
    if (cur != NULL && (strcmp(method, "none") == 0) != (cur->type == CLV_TYPE_PUBLIC))
        return type_kept(cur, "token_endpoint_auth_method", err);
    if ((rc = type_derive(method, asked, &type, err)) != CLV_OK)
        return rc;
    if (cur != NULL && type != cur->type)
        return type_kept(cur, "grant_types", err);
    if ((rc = scopes_read(md, &scopes, err)) != CLV_OK)
        return rc;
    rc = build(md, cur, type, method, asked, scopes, out, err);
    json_decref(scopes);
    return rc;
}

/* Gives a failing field the name the registrant used (RFC 7591 §2). */
static void field_rename(clv_err *err)
{
    const char *to = NULL;

    if (err == NULL || err->code != CLV_INVALID)
        return;
    if (strcmp(err->field, "name") == 0)
        to = "client_name";
    else if (strncmp(err->field, "scopes", 6) == 0)
        to = "scope";
    else if (strncmp(err->field, "allow_", 6) == 0)
        to = "grant_types";
    if (to != NULL)
        snprintf(err->field, sizeof err->field, "%s", to);
}

clv_code clv_register_client(const json_t *md, const clv_client *cur, const char *service_id,
                             const clv_config *cfg, clv_client **out, clv_err *err)
{
    json_t *body = NULL;
    clv_code rc = clv_register_map(md, cur, &body, err);

    if (rc != CLV_OK)
        return rc;
    if (cur == NULL && (service_id == NULL ||
                        json_object_set_new(body, "service_id", json_string(service_id)) != 0))
        rc = clv_fail(err, CLV_INTERNAL, "no service to register into");
    if (rc == CLV_OK)
        rc = cur == NULL ? clv_client_from_json(body, cfg, out, err)
                         : clv_client_patch(cur, body, cfg, out, err);
    json_decref(body);
    if (rc == CLV_OK) /* a registered client is never first-party (docs/DESIGN.md D2) */
        (*out)->first_party = false;
    field_rename(err);
    return rc;
}

const char *clv_register_error_name(const clv_err *err)
{
    if (err == NULL || err->code != CLV_INVALID || err->field[0] == '\0')
        return NULL;
    /* RFC 7591 §3.2.2: "The value of one or more redirection URIs is invalid." */
    if (strncmp(err->field, "redirect_uris", 13) == 0 &&
        (err->field[13] == '\0' || err->field[13] == '['))
        return "invalid_redirect_uri";
    return "invalid_client_metadata";
}

/* ---- writing ---- */

static bool put_opt_str(json_t *o, const char *key, const char *s)
{
    return s == NULL || put(o, key, json_string(s));
}

static bool put_list(json_t *o, const char *key, const json_t *list, bool always)
{
    if (json_array_size(list) == 0 && !always)
        return true;
    return put(o, key, list != NULL ? json_deep_copy(list) : json_array());
}

/* The allowed scopes, space-separated (RFC 7591 §2 "scope"); NULL when there are none. */
static json_t *scope_string(const json_t *scopes)
{
    size_t len = 1, i;
    json_t *v, *out;
    char *buf;

    if (json_array_size(scopes) == 0)
        return NULL;
    json_array_foreach(scopes, i, v)
        len += json_string_length(v) + 1;
    if ((buf = calloc(1, len)) == NULL)
        return NULL;
    json_array_foreach(scopes, i, v) {
        if (i > 0)
            strncat(buf, " ", len - strlen(buf) - 1);
        strncat(buf, json_string_value(v), len - strlen(buf) - 1);
    }
    out = json_string(buf);
    free(buf);
    return out;
}

static bool put_uris(json_t *o, const clv_client *c)
{
    return put_opt_str(o, "client_uri", c->client_uri) && put_opt_str(o, "logo_uri", c->logo_uri) &&
           put_opt_str(o, "policy_uri", c->policy_uri) && put_opt_str(o, "tos_uri", c->tos_uri) &&
           put_opt_str(o, "jwks_uri", c->jwks_uri) &&
           put_opt_str(o, "software_id", c->software_id) &&
           put_opt_str(o, "software_version", c->software_version) &&
           put_opt_str(o, "sector_identifier_uri", c->sector_identifier_uri) &&
           (c->jwks == NULL || put(o, "jwks", json_deep_copy(c->jwks)));
}

/* Who the client is and where it is sent (RFC 7591 §2, §3.2.1). */
static bool put_identity(json_t *o, const clv_client *c)
{
    return put(o, "client_id", json_string(c->client_id)) &&
           put(o, "client_name", json_string(c->name)) &&
           put(o, "client_id_issued_at", json_integer(c->created_at)) &&
           put_list(o, "redirect_uris", c->redirect_uris, true) &&
           put_list(o, "post_logout_redirect_uris", c->post_logout_redirect_uris, false);
}

/* How the client uses the token endpoint: its authentication, its grants (the rows of
 * core/grant_types.h it may use) and the response types that go with them. */
static bool put_protocol(json_t *o, const clv_client *c)
{
    bool code = clv_grant_allowed(c, CLV_GRANT_AUTHORIZATION_CODE);

    return put(o, "token_endpoint_auth_method",
               json_string(clv_auth_method_name(c->auth_method))) &&
           put(o, "grant_types", clv_client_grant_types(c)) &&
           put(o, "response_types", code ? json_pack("[s]", "code") : json_array()) &&
           (json_array_size(c->scopes) == 0 || put(o, "scope", scope_string(c->scopes)));
}

json_t *clv_register_metadata_json(const clv_client *c)
{
    json_t *o = json_object();

    if (o == NULL || !put_identity(o, c) || !put_protocol(o, c) ||
        !put_list(o, "contacts", c->contacts, false) ||
        !put(o, "subject_type", json_string(clv_subject_type_name(c->subject_type))) ||
        !put_uris(o, c)) {
        json_decref(o);
        return NULL;
    }
    return o;
}
