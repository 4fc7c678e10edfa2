/* client_json_rules — the field rules of a client (docs/DESIGN.md M, R3, R6, R17, R20): the
 * policy of every URI-valued field on top of the one URI splitter (base/uri.h), the
 * redirect-URI check, and clv_client_validate, the whole-client check that create and
 * PATCH both end with.
 * Declared in client_json.h; the JSON reading and writing is in client_json.c. */
#include "core/client_json.h"

#include <stdio.h>
#include <string.h>

#include "base/uri.h"

enum {
    URI_MAX = 2000,         /* docs/DESIGN.md R20 */
    NAME_MAX_CHARS = 200,   /* docs/DESIGN.md R20 */
    DESC_MAX_CHARS = 2000,  /* docs/DESIGN.md R20 */
    ID_MAX_CHARS = 128,     /* service_id: an identifier, never prose */
    META_MAX_CHARS = 200,   /* software_id, software_version, each contact */
    TOKEN_MAX_CHARS = 128,  /* each scope and role (docs/DESIGN.md R20) */
    MAX_REDIRECTS = 50,     /* docs/DESIGN.md R20; post-logout and CORS origins get the same cap */
    MAX_SCOPES = 100,
    MAX_ROLES = 50,
    MAX_AUDIENCE = 10,      /* docs/DESIGN.md R3 */
    MAX_CONTACTS = 10,
    RT_LIFETIME_MIN = 60,
    FIELD_LEN = CLV_ERR_FIELD_MAX
};

/* ---- URI policies: which schemes a field accepts, and what else it forbids ---- */

enum {
    URI_HTTPS = 1 << 0,         /* https with a host */
    URI_HTTP_LOOPBACK = 1 << 1, /* http on 127.0.0.1, [::1] or localhost (RFC 8252 §7.3) */
    URI_HTTP_ANY = 1 << 2,      /* http on any host */
    URI_PRIVATE_USE = 1 << 3,   /* a scheme with a '.' (RFC 8252 §7.1) */
    URI_ANY_SCHEME = 1 << 4,    /* any absolute URI */
    URI_NO_FRAGMENT = 1 << 5,
    URI_ORIGIN = 1 << 6 /* scheme://host[:port] and nothing more (RFC 6454) */
};

typedef struct {
    unsigned flags;
    const char *scheme_msg; /* said when the scheme (or loopback rule) is not met */
} uri_policy;

static const uri_policy redirect_policy = {
    URI_HTTPS | URI_HTTP_LOOPBACK | URI_PRIVATE_USE | URI_NO_FRAGMENT,
    "must use https, http on a loopback host (127.0.0.1, [::1], localhost), or a private-use "
    "scheme such as com.example.app: (RFC 8252 §7)"};
static const uri_policy origin_policy = {
    URI_HTTPS | URI_HTTP_LOOPBACK | URI_NO_FRAGMENT | URI_ORIGIN,
    "must use https, or http on a loopback host (127.0.0.1, [::1], localhost)"};
static const uri_policy sector_policy = {
    URI_HTTPS | URI_HTTP_LOOPBACK | URI_NO_FRAGMENT,
    "must use https, or http on a loopback host (127.0.0.1, [::1], localhost)"};
static const uri_policy jwks_uri_policy = {URI_HTTPS | URI_NO_FRAGMENT, "must use https"};
static const uri_policy info_policy = {URI_HTTPS | URI_HTTP_ANY, "must be an http(s) URI"};
static const uri_policy audience_policy = {
    URI_HTTPS | URI_HTTP_ANY | URI_PRIVATE_USE | URI_ANY_SCHEME | URI_NO_FRAGMENT, ""};
/* RFC 8707 §2: "an absolute URI … MUST NOT include a fragment component"; an API is
 * reached over http(s). */
static const uri_policy resource_policy = {URI_HTTPS | URI_HTTP_ANY | URI_NO_FRAGMENT,
                                           "must be an http(s) URI"};

static bool is_loopback(clv_span host)
{
    return clv_span_eq_ci(host, "127.0.0.1") || clv_span_eq_ci(host, "[::1]") ||
           clv_span_eq_ci(host, "localhost");
}

/* true when the scheme of u is one the policy allows (a web scheme also needs a host) */
static bool scheme_allowed(const clv_uri_parts *u, unsigned flags, const char **why)
{
    bool https = clv_span_eq_ci(u->scheme, "https"), http = clv_span_eq_ci(u->scheme, "http");

    if ((https || http) && u->host.n == 0) {
        *why = "must have a host";
        return false;
    }
    if (https)
        return (flags & URI_HTTPS) != 0;
    if (http)
        return (flags & URI_HTTP_ANY) || ((flags & URI_HTTP_LOOPBACK) && is_loopback(u->host));
    if (flags & URI_ANY_SCHEME)
        return true;
    return (flags & URI_PRIVATE_USE) && memchr(u->scheme.p, '.', u->scheme.n) != NULL;
}

static clv_code uri_check(const char *uri, const char *field, const uri_policy *pol,
                          clv_err *err)
{
    clv_uri_parts u;
    const char *why;
    size_t len = strnlen(uri, URI_MAX + 1);

    if (len == 0)
        return clv_fail_field(err, CLV_INVALID, field, "must not be empty");
    if (len > URI_MAX)
        return clv_fail_field(err, CLV_INVALID, field, "must be at most %d characters",
                              URI_MAX);
    why = clv_uri_split(uri, &u);
    if (why != NULL)
        return clv_fail_field(err, CLV_INVALID, field, "%s", why);
    if (u.has_userinfo) /* RFC 3986 §3.2.1: deprecated, and a classic phishing device */
        return clv_fail_field(err, CLV_INVALID, field, "must not contain user information (user@)");
    if (u.has_fragment && (pol->flags & URI_NO_FRAGMENT))
        return clv_fail_field(err, CLV_INVALID, field, "must not contain a fragment (#)");
    why = pol->scheme_msg;
    if (!scheme_allowed(&u, pol->flags, &why))
        return clv_fail_field(err, CLV_INVALID, field, "%s", why);
    if ((pol->flags & URI_ORIGIN) && (u.path.n > 0 || u.has_query))
        return clv_fail_field(err, CLV_INVALID, field,
                              "must be an origin (scheme://host[:port]) without path or query");
    return CLV_OK;
}

/* RFC 6749 §3.1.2 (absolute, no fragment), RFC 9700 §2.1 (exact match, no wildcards),
 * RFC 8252 §7.1 and §7.3 (private-use schemes, http on loopback only). */
clv_code clv_redirect_uri_check(const char *uri, const char *field, clv_err *err)
{
    if (uri == NULL)
        return clv_fail_field(err, CLV_INVALID, field, "must be a string");
    /* Matching is exact (RFC 9700 §2.1), so a '*' anywhere reads as a wildcard that is not
     * one; refuse it rather than register a URI that never matches what was meant. */
    if (strchr(uri, '*') != NULL)
        return clv_fail_field(err, CLV_INVALID, field,
                              "must not contain a wildcard (*): matching is exact");
    return uri_check(uri, field, &redirect_policy, err);
}

static clv_code origin_check(const char *s, const char *field, clv_err *err)
{
    return uri_check(s, field, &origin_policy, err);
}

static clv_code audience_check(const char *s, const char *field, clv_err *err)
{
    return uri_check(s, field, &audience_policy, err);
}

/* ---- text rules ---- */

/* Characters (code points) of a valid UTF-8 string: the bytes that start one. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

/* C0, DEL and C1 (U+0080..U+009F, UTF-8 C2 80..C2 9F); tab and newlines when multiline. */
static bool has_control(const char *s, bool multiline)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (multiline && (*p == '\t' || *p == '\n' || *p == '\r'))
            continue;
        if (*p < 0x20 || *p == 0x7F || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
            return true;
    }
    return false;
}

static clv_code text_check(const char *s, const char *field, size_t max, bool multiline,
                           clv_err *err)
{
    size_t n = utf8_chars(s);

    if (n == 0)
        return clv_fail_field(err, CLV_INVALID, field, "must not be empty");
    if (n > max)
        return clv_fail_field(err, CLV_INVALID, field, "must be at most %zu characters", max);
    if (has_control(s, multiline))
        return clv_fail_field(err, CLV_INVALID, field, "must not contain control characters");
    return CLV_OK;
}

/* RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ); roles use the same set. */
static clv_code token_check(const char *s, const char *field, clv_err *err)
{
    size_t n = strlen(s);

    if (n == 0 || n > TOKEN_MAX_CHARS)
        return clv_fail_field(err, CLV_INVALID, field, "must be 1 to %d characters",
                              TOKEN_MAX_CHARS);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x21 || ch > 0x7E || ch == '"' || ch == '\\')
            return clv_fail_field(err, CLV_INVALID, field,
                                  "must be printable ASCII without space, '\"' or '\\' "
                                  "(RFC 6749 §3.3)");
    }
    return CLV_OK;
}

clv_code clv_resource_uri_check(const char *uri, const char *field, clv_err *err)
{
    return uri_check(uri, field, &resource_policy, err);
}

clv_code clv_name_check(const char *s, const char *field, clv_err *err)
{
    return text_check(s, field, NAME_MAX_CHARS, false, err);
}

static clv_code contact_check(const char *s, const char *field, clv_err *err)
{
    return text_check(s, field, META_MAX_CHARS, false, err);
}

/* ---- lists ---- */

typedef clv_code (*item_check)(const char *s, const char *field, clv_err *err);

typedef struct {
    const char *name;
    const json_t *list;
    size_t max;
    item_check check;
} list_rule;

static clv_code list_check(const list_rule *r, clv_err *err)
{
    char field[FIELD_LEN];
    size_t n = json_array_size(r->list);

    if (!json_is_array(r->list))
        return clv_fail_field(err, CLV_INVALID, r->name, "must be an array of strings");
    if (n > r->max)
        return clv_fail_field(err, CLV_INVALID, r->name, "must have at most %zu entries", r->max);
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(r->list, i);
        clv_code rc;
        snprintf(field, sizeof field, "%s[%zu]", r->name, i);
        if (!json_is_string(v))
            return clv_fail_field(err, CLV_INVALID, field, "must be a string");
        rc = r->check(json_string_value(v), field, err);
        if (rc != CLV_OK)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(r->list, j), v))
                return clv_fail_field(err, CLV_INVALID, field, "duplicates %s[%zu]", r->name,
                                      j);
    }
    return CLV_OK;
}

clv_code clv_scope_list_check(const json_t *list, const char *name, clv_err *err)
{
    const list_rule rule = {name, list, MAX_SCOPES, token_check};

    return list_check(&rule, err);
}

static clv_code lists_check(const clv_client *c, clv_err *err)
{
    const list_rule rules[] = {
        {"redirect_uris", c->redirect_uris, MAX_REDIRECTS, clv_redirect_uri_check},
        {"post_logout_redirect_uris", c->post_logout_redirect_uris, MAX_REDIRECTS,
         clv_redirect_uri_check},
        {"allowed_cors_origins", c->allowed_cors_origins, MAX_REDIRECTS, origin_check},
        {"scopes", c->scopes, MAX_SCOPES, token_check},
        {"roles", c->roles, MAX_ROLES, token_check},
        {"audience", c->audience, MAX_AUDIENCE, audience_check},
        {"contacts", c->contacts, MAX_CONTACTS, contact_check},
    };

    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        clv_code rc = list_check(&rules[i], err);
        if (rc != CLV_OK)
            return rc;
    }
    return CLV_OK;
}

/* ---- single fields ---- */

static clv_code texts_check(const clv_client *c, clv_err *err)
{
    clv_code rc = CLV_OK;

    if (c->service_id == NULL)
        return clv_fail_field(err, CLV_INVALID, "service_id", "is required");
    if (c->name == NULL)
        return clv_fail_field(err, CLV_INVALID, "name", "is required");
    rc = text_check(c->service_id, "service_id", ID_MAX_CHARS, false, err);
    if (rc == CLV_OK)
        rc = text_check(c->name, "name", NAME_MAX_CHARS, false, err);
    if (rc == CLV_OK && c->description != NULL && c->description[0] != '\0')
        rc = text_check(c->description, "description", DESC_MAX_CHARS, true, err);
    if (rc == CLV_OK && c->software_id != NULL)
        rc = text_check(c->software_id, "software_id", META_MAX_CHARS, false, err);
    if (rc == CLV_OK && c->software_version != NULL)
        rc = text_check(c->software_version, "software_version", META_MAX_CHARS, false, err);
    return rc;
}

static clv_code uris_check(const clv_client *c, clv_err *err)
{
    const struct {
        const char *name;
        const char *value;
        const uri_policy *pol;
    } uris[] = {
        {"sector_identifier_uri", c->sector_identifier_uri, &sector_policy},
        {"jwks_uri", c->jwks_uri, &jwks_uri_policy},
        {"client_uri", c->client_uri, &info_policy},
        {"logo_uri", c->logo_uri, &info_policy},
        {"policy_uri", c->policy_uri, &info_policy},
        {"tos_uri", c->tos_uri, &info_policy},
    };

    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        clv_code rc;
        if (uris[i].value == NULL)
            continue;
        rc = uri_check(uris[i].value, uris[i].name, uris[i].pol, err);
        if (rc != CLV_OK)
            return rc;
    }
    return CLV_OK;
}

/* RFC 7517 §5: {"keys": [JWK…]}; a client registers public keys only, so the private
 * members of RFC 7518 §6 are refused (a leaked private key must not sit in our store). */
static clv_code jwks_check(const json_t *jwks, clv_err *err)
{
    static const char *const private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};
    const json_t *keys = json_object_get(jwks, "keys");
    char field[FIELD_LEN];

    if (jwks == NULL)
        return CLV_OK;
    if (!json_is_object(jwks) || !json_is_array(keys))
        return clv_fail_field(err, CLV_INVALID, "jwks", "must be an object with a \"keys\" array");
    for (size_t i = 0; i < json_array_size(keys); i++) {
        const json_t *k = json_array_get(keys, i);
        snprintf(field, sizeof field, "jwks.keys[%zu]", i);
        if (!json_is_string(json_object_get(k, "kty")))
            return clv_fail_field(err, CLV_INVALID, field, "must be a JWK with a \"kty\"");
        for (size_t j = 0; j < sizeof private_members / sizeof private_members[0]; j++)
            if (json_object_get(k, private_members[j]) != NULL)
                return clv_fail_field(err, CLV_INVALID, field,
                                      "must be a public key (has \"%s\")", private_members[j]);
    }
    return CLV_OK;
}

static clv_code lifetimes_check(const clv_client *c, const clv_config *cfg, clv_err *err)
{
    if (c->access_token_lifetime < cfg->at_lifetime_min ||
        c->access_token_lifetime > cfg->at_lifetime_max)
        return clv_fail_field(err, CLV_INVALID, "access_token_lifetime",
                              "must be between %lld and %lld seconds",
                              (long long)cfg->at_lifetime_min, (long long)cfg->at_lifetime_max);
    if (c->refresh_token_lifetime < RT_LIFETIME_MIN ||
        c->refresh_token_lifetime > cfg->rt_lifetime_max)
        return clv_fail_field(err, CLV_INVALID, "refresh_token_lifetime",
                              "must be between %d and %lld seconds", RT_LIFETIME_MIN,
                              (long long)cfg->rt_lifetime_max);
    return CLV_OK;
}

/* ---- cross-field rules (docs/DESIGN.md M table) ---- */

static bool secret_auth(clv_auth_method m)
{
    return m == CLV_AUTH_SECRET_BASIC || m == CLV_AUTH_SECRET_POST ||
           m == CLV_AUTH_PRIVATE_KEY_JWT;
}

static clv_code public_check(const clv_client *c, clv_err *err)
{
    if (c->auth_method != CLV_AUTH_NONE)
        return clv_fail_field(err, CLV_INVALID, "token_endpoint_auth_method",
                              "must be none for a public client (it holds no secret)");
    if (json_array_size(c->redirect_uris) == 0)
        return clv_fail_field(err, CLV_INVALID, "redirect_uris",
                              "a public client needs at least one redirect URI");
    if (c->allow_client_credentials)
        return clv_fail_field(err, CLV_INVALID, "allow_client_credentials",
                              "a public client cannot use client_credentials");
    if (!c->require_pkce) /* RFC 9700 §2.1.1 */
        return clv_fail_field(err, CLV_INVALID, "require_pkce",
                              "PKCE is mandatory for a public client");
    return CLV_OK;
}

static clv_code confidential_check(const clv_client *c, clv_err *err)
{
    if (!secret_auth(c->auth_method))
        return clv_fail_field(err, CLV_INVALID, "token_endpoint_auth_method",
                              "must be client_secret_basic, client_secret_post or "
                              "private_key_jwt for a confidential client");
    if (json_array_size(c->redirect_uris) == 0)
        return clv_fail_field(err, CLV_INVALID, "redirect_uris",
                              "a confidential client needs at least one redirect URI");
    return CLV_OK;
}

static clv_code m2m_check(const clv_client *c, clv_err *err)
{
    if (!secret_auth(c->auth_method))
        return clv_fail_field(err, CLV_INVALID, "token_endpoint_auth_method",
                              "must be client_secret_basic, client_secret_post or "
                              "private_key_jwt for an m2m client");
    if (json_array_size(c->redirect_uris) > 0)
        return clv_fail_field(err, CLV_INVALID, "redirect_uris",
                              "an m2m client has no redirect URIs");
    if (json_array_size(c->post_logout_redirect_uris) > 0)
        return clv_fail_field(err, CLV_INVALID, "post_logout_redirect_uris",
                              "an m2m client has no post-logout redirect URIs");
    if (c->allow_refresh_token)
        return clv_fail_field(err, CLV_INVALID, "allow_refresh_token",
                              "an m2m client cannot use refresh tokens");
    if (!c->allow_client_credentials)
        return clv_fail_field(err, CLV_INVALID, "allow_client_credentials",
                              "an m2m client always uses client_credentials");
    return CLV_OK;
}

static clv_code type_check(const clv_client *c, clv_err *err)
{
    switch (c->type) {
    case CLV_TYPE_PUBLIC:
        return public_check(c, err);
    case CLV_TYPE_CONFIDENTIAL:
        return confidential_check(c, err);
    case CLV_TYPE_M2M:
        return m2m_check(c, err);
    }
    return clv_fail_field(err, CLV_INVALID, "type", "must be public, confidential or m2m");
}

static clv_code keys_check(const clv_client *c, clv_err *err)
{
    if (c->jwks != NULL && c->jwks_uri != NULL) /* RFC 7591 §2 */
        return clv_fail_field(err, CLV_INVALID, "jwks_uri",
                              "jwks and jwks_uri must not both be set (RFC 7591 §2)");
    if (c->auth_method == CLV_AUTH_PRIVATE_KEY_JWT && c->jwks == NULL && c->jwks_uri == NULL)
        return clv_fail_field(err, CLV_INVALID, "jwks",
                              "private_key_jwt needs jwks or jwks_uri (RFC 7523 §2.2)");
    return jwks_check(c->jwks, err);
}

static bool enums_valid(const clv_client *c)
{
    return (unsigned)c->auth_method <= CLV_AUTH_PRIVATE_KEY_JWT &&
           (c->signing_alg == CLV_ALG_SERVER || (unsigned)c->signing_alg < CLV_ALG_COUNT) &&
           (unsigned)c->subject_type <= CLV_SUBJECT_PAIRWISE;
}

/* OIDC Core §8.1: without a sector_identifier_uri the sector is the host of the redirect
 * URIs, so a pairwise client needs them all on one host (docs/DESIGN.md M, R6). */
static clv_code pairwise_check(const clv_client *c, clv_err *err)
{
    char first[URI_MAX + 1], host[URI_MAX + 1];
    size_t n = json_array_size(c->redirect_uris);

    if (c->subject_type != CLV_SUBJECT_PAIRWISE || c->sector_identifier_uri != NULL)
        return CLV_OK;
    if (n == 0)
        return clv_fail_field(err, CLV_INVALID, "sector_identifier_uri",
                              "a pairwise client without redirect URIs needs a "
                              "sector_identifier_uri");
    for (size_t i = 0; i < n; i++) {
        const char *uri = json_string_value(json_array_get(c->redirect_uris, i));
        if (!clv_uri_host(uri, i == 0 ? first : host, sizeof host))
            return clv_fail_field(err, CLV_INVALID, "sector_identifier_uri",
                                  "redirect_uris[%zu] has no host: a pairwise client then "
                                  "needs a sector_identifier_uri", i);
        if (i > 0 && strcmp(first, host) != 0)
            return clv_fail_field(err, CLV_INVALID, "sector_identifier_uri",
                                  "redirect URIs on several hosts (%s, %s): a pairwise client "
                                  "then needs a sector_identifier_uri", first, host);
    }
    return CLV_OK;
}

clv_code clv_client_validate(const clv_client *c, const clv_config *cfg, clv_err *err)
{
    clv_code rc = texts_check(c, err);

    if (rc == CLV_OK && !enums_valid(c))
        rc = clv_fail(err, CLV_INVALID, "client has an out-of-range enum value");
    if (rc == CLV_OK)
        rc = lists_check(c, err);
    if (rc == CLV_OK)
        rc = uris_check(c, err);
    if (rc == CLV_OK)
        rc = lifetimes_check(c, cfg, err);
    if (rc == CLV_OK)
        rc = type_check(c, err);
    if (rc == CLV_OK)
        rc = keys_check(c, err);
    if (rc == CLV_OK)
        rc = pairwise_check(c, err);
    return rc;
}
