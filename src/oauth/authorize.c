/* authorize — checking authorization requests and issuing codes (see authorize.h). */
#include "oauth/authorize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/strlist.h"
#include "core/ids.h"
#include "core/resource.h"
#include "core/scope.h"
#include "crypto/hash.h"
#include "oauth/cimd.h"
#include "crypto/rand.h"
#include "oauth/token.h"

enum { CLIENT_ID_MAX = CLV_CLIENT_ID_MAX, STATE_MAX = 2048, NONCE_MAX = 512, S256_LEN = 43 };

const char *const clv_authz_form_params[] = {
    "client_id",      "redirect_uri",          "response_type", "scope",  "state", "nonce",
    "code_challenge", "code_challenge_method", "response_mode", "prompt", "resource", NULL};

void clv_authz_cleanup(clv_authz *a)
{
    clv_client_free(a->client);
    free(a->redirect_uri);
    free(a->scope);
    free(a->state);
    free(a->nonce);
    free(a->code_challenge);
    free(a->resource);
    memset(a, 0, sizeof *a);
}

/* ---- pure helpers ---- */

static bool unreserved(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

bool clv_pkce_verifier_valid(const char *v)
{
    size_t n = v != NULL ? strnlen(v, 129) : 0;

    if (n < 43 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!unreserved((unsigned char)v[i]))
            return false;
    return true;
}

bool clv_pkce_s256(const char *verifier, char out[44])
{
    unsigned char digest[32];

    if (!clv_sha256(verifier, strlen(verifier), digest))
        return false;
    clv_b64url_encode(digest, sizeof digest, out);
    return true;
}

bool clv_pkce_check(const char *verifier, const char *challenge)
{
    char computed[44];

    if (!clv_pkce_verifier_valid(verifier) || challenge == NULL || strlen(challenge) != S256_LEN ||
        !clv_pkce_s256(verifier, computed))
        return false;
    return clv_ct_equal(computed, challenge, S256_LEN);
}

/* The part of a loopback IP literal redirect URI after its port ("http://127.0.0.1:8000/cb"
 * → "/cb"), with *host_len the length of "http://127.0.0.1" or "http://[::1]"; NULL for any
 * other URI, or a port that is not 1 to 5 digits. */
static const char *loopback_rest(const char *uri, size_t *host_len)
{
    static const char *const hosts[] = {"http://127.0.0.1", "http://[::1]"};

    for (size_t h = 0; h < 2; h++) {
        size_t n = strlen(hosts[h]), digits;
        if (strncmp(uri, hosts[h], n) != 0)
            continue;
        *host_len = n;
        if (uri[n] != ':')
            return uri[n] == '\0' || uri[n] == '/' || uri[n] == '?' ? uri + n : NULL;
        digits = strspn(uri + n + 1, "0123456789");
        return digits >= 1 && digits <= 5 ? uri + n + 1 + digits : NULL;
    }
    return NULL;
}

/* RFC 8252 §7.3, docs/DESIGN.md D8: a loopback IP redirect URI matches with any port; the
 * host and everything after the port must still be the registered URI's exactly. */
static bool loopback_match(const char *registered, const char *given)
{
    size_t rn = 0, gn = 0;
    const char *r = loopback_rest(registered, &rn), *g = loopback_rest(given, &gn);

    return r != NULL && g != NULL && rn == gn && strncmp(registered, given, rn) == 0 &&
           strcmp(r, g) == 0;
}

const char *clv_redirect_uri_match(const clv_client *c, const char *given)
{
    size_t i;
    json_t *v;

    if (given == NULL)
        return json_array_size(c->redirect_uris) == 1
                   ? json_string_value(json_array_get(c->redirect_uris, 0))
                   : NULL;
    json_array_foreach(c->redirect_uris, i, v) {
        const char *r = json_string_value(v);
        if (r != NULL && strcmp(r, given) == 0)
            return r;
    }
    json_array_foreach(c->redirect_uris, i, v) {
        const char *r = json_string_value(v);
        if (r != NULL && loopback_match(r, given))
            return r;
    }
    return NULL;
}

/* SHA-256 of the parts joined by NUL bytes (none of them can hold a NUL). */
static bool hash_parts(const char *const *parts, size_t n, unsigned char out[32])
{
    size_t len = 0, o = 0;
    char *buf;
    bool ok;

    for (size_t i = 0; i < n; i++)
        len += strlen(parts[i]) + 1;
    if ((buf = malloc(len)) == NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(parts[i]) + 1;
        memcpy(buf + o, parts[i], k);
        o += k;
    }
    ok = clv_sha256(buf, len, out);
    clv_wipe(buf, len);
    free(buf);
    return ok;
}

bool clv_authcode_hash(const char *client_id, const char *redirect_uri, const char *challenge,
                   const char *code, unsigned char out[32])
{
    const char *parts[] = {"code", client_id, redirect_uri, challenge != NULL ? challenge : "",
                           code};

    return hash_parts(parts, 5, out);
}

bool clv_refresh_hash(const char *client_id, const char *token, unsigned char out[32])
{
    const char *parts[] = {"refresh", client_id, token};

    return hash_parts(parts, 3, out);
}

/* Appends s form-urlencoded (RFC 3986 unreserved kept, everything else %XX). */
static size_t url_encode(char *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (unreserved(*p)) {
            out[o++] = (char)*p;
            continue;
        }
        out[o++] = '%';
        out[o++] = hex[*p >> 4];
        out[o++] = hex[*p & 15];
    }
    return o;
}

char *clv_authz_redirect_url(const char *redirect_uri, const char *const kv[][2], size_t n)
{
    size_t cap = strlen(redirect_uri) + 2, o;
    char sep = strchr(redirect_uri, '?') != NULL ? '&' : '?';
    char *url;

    for (size_t i = 0; i < n; i++)
        if (kv[i][1] != NULL)
            cap += 3 * (strlen(kv[i][0]) + strlen(kv[i][1])) + 2;
    if ((url = malloc(cap)) == NULL)
        return NULL;
    o = strlen(redirect_uri);
    memcpy(url, redirect_uri, o);
    for (size_t i = 0; i < n; i++) {
        if (kv[i][1] == NULL)
            continue;
        url[o++] = sep;
        sep = '&';
        o += url_encode(url + o, kv[i][0]);
        url[o++] = '=';
        o += url_encode(url + o, kv[i][1]);
    }
    url[o] = '\0';
    return url;
}

/* ---- checking a request ---- */

/* The client of client_id; a metadata document's (docs/AGENTS.md) made current first. */
static clv_code client_load(clv_app *app, const clv_authz_params *p, clv_client **out,
                            clv_err *err)
{
    const char *client_id = p->client_id;
    clv_err why;
    clv_code rc;

    clv_err_init(&why);
    if ((rc = clv_cimd_sync(app, client_id, true, p->addr, &why)) == CLV_INVALID_CLIENT)
        return clv_fail(err, CLV_INVALID, "%s", why.detail); /* the document's fault: shown */
    if (rc != CLV_OK && rc != CLV_NOT_FOUND) {
        if (err != NULL)
            err->retry_after = why.retry_after; /* busy or throttled: docs/DESIGN.md D15 */
        return clv_fail(err, rc, "%s", why.detail);
    }
    if (rc == CLV_OK)
        rc = clv_store_client_get(app->store, client_id, out, err);
    if (rc == CLV_NOT_FOUND)
        return clv_fail(err, CLV_INVALID, "unknown client_id");
    return rc;
}

/* Steps 1 and 2: the client and the redirect URI. Every failure here is shown on a page
 * (RFC 6749 §4.1.2.1: never redirect to an unverified URI). */
static clv_code check_client(clv_app *app, const clv_authz_params *p, clv_authz *a, clv_err *err)
{
    const char *uri;
    clv_code rc;

    if (p->client_id == NULL || p->client_id[0] == '\0')
        return clv_fail(err, CLV_INVALID, "the request has no client_id");
    if (p->repeated != NULL &&
        (strcmp(p->repeated, "client_id") == 0 || strcmp(p->repeated, "redirect_uri") == 0))
        return clv_fail(err, CLV_INVALID, "%s is given more than once", p->repeated);
    if (strlen(p->client_id) > CLIENT_ID_MAX)
        return clv_fail(err, CLV_INVALID, "unknown client_id");
    if ((rc = client_load(app, p, &a->client, err)) != CLV_OK)
        return rc;
    if (clv_client_effective_status(a->client) != CLV_STATUS_ACTIVE) /* docs/DESIGN.md M */
        return clv_fail(err, CLV_INVALID, "this client is not active");
    if (a->client->type == CLV_TYPE_M2M)
        return clv_fail(err, CLV_UNAUTHORIZED_CLIENT,
                        "this client cannot use the authorization endpoint");
    if ((uri = clv_redirect_uri_match(a->client, p->redirect_uri)) == NULL)
        return clv_fail(err, CLV_INVALID,
                        p->redirect_uri == NULL
                            ? "the request has no redirect_uri and the client has several"
                            : "redirect_uri is not registered for this client");
    /* the URI given, which may differ from the registered one in a loopback port */
    if ((a->redirect_uri = strdup(p->redirect_uri != NULL ? p->redirect_uri : uri)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    a->redirect_given = p->redirect_uri != NULL;
    return CLV_OK;
}

/* OIDC Core §3.1.2.1: prompt is a space-separated list; none goes alone. */
static clv_code check_prompt(const char *prompt, clv_authz *a, clv_err *err)
{
    int count = 0;

    for (const char *s = prompt; s != NULL && *s != '\0';) {
        size_t n = strcspn(s, " ");
        if (n == 4 && strncmp(s, "none", 4) == 0)
            a->prompt_none = true;
        else if (n == 5 && strncmp(s, "login", 5) == 0)
            a->prompt_login = true;
        else if (n == 7 && strncmp(s, "consent", 7) == 0)
            a->prompt_consent = true;
        else if (n == 14 && strncmp(s, "select_account", 14) == 0)
            a->prompt_login = true; /* the sign-in form is how another account is chosen */
        else if (n > 0)
            return clv_fail(err, CLV_INVALID, "prompt value '%.*s' is not supported",
                            (int)(n > 32 ? 32 : n), s);
        count += n > 0;
        s += n + (s[n] == ' ');
    }
    if (a->prompt_none && count > 1)
        return clv_fail(err, CLV_INVALID, "prompt=none cannot be combined with other values");
    return CLV_OK;
}

static clv_code check_max_age(const char *s, clv_authz *a, clv_err *err)
{
    char *end = NULL;
    long long v;

    a->max_age = -1;
    if (s == NULL)
        return CLV_OK;
    v = strtoll(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end != '\0' || strlen(s) > 10 || v < 0)
        return clv_fail(err, CLV_INVALID, "max_age must be a non-negative integer");
    a->max_age = v;
    return CLV_OK;
}

/* RFC 7636 §4.3, docs/DESIGN.md R17: S256 only; required for public clients and require_pkce. */
static clv_code check_pkce(const clv_authz_params *p, clv_authz *a, clv_err *err)
{
    const clv_client *c = a->client;

    if (p->code_challenge_method != NULL && strcmp(p->code_challenge_method, "S256") != 0)
        return clv_fail(err, CLV_INVALID, "code_challenge_method must be S256 (plain is refused)");
    if (p->code_challenge == NULL) {
        if (p->code_challenge_method != NULL)
            return clv_fail(err, CLV_INVALID, "code_challenge_method without code_challenge");
        if (c->type == CLV_TYPE_PUBLIC || c->require_pkce)
            return clv_fail(err, CLV_INVALID, "code_challenge is required (PKCE with S256)");
        return CLV_OK;
    }
    /* RFC 7636 §4.3: an absent method means plain, which is refused. */
    if (p->code_challenge_method == NULL)
        return clv_fail(err, CLV_INVALID, "code_challenge_method must be S256 (plain is refused)");
    if (strlen(p->code_challenge) != S256_LEN || !clv_pkce_verifier_valid(p->code_challenge) ||
        strchr(p->code_challenge, '.') != NULL || strchr(p->code_challenge, '~') != NULL)
        return clv_fail(err, CLV_INVALID, "code_challenge is not an S256 challenge");
    if ((a->code_challenge = strdup(p->code_challenge)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}

static clv_code dup_opt(const char *s, size_t max, const char *name, char **out, clv_err *err)
{
    if (s == NULL)
        return CLV_OK;
    if (strlen(s) > max)
        return clv_fail(err, CLV_INVALID, "%s is longer than %zu characters", name, max);
    if ((*out = strdup(s)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}

/* Step 3: everything else, with errors that go back to the verified redirect URI. */
static clv_code check_rest(const clv_authz_params *p, clv_authz *a, clv_err *err)
{
    clv_code rc;

    /* state first, so that the errors below can carry it back (RFC 6749 §4.1.2.1). */
    if ((p->repeated == NULL || strcmp(p->repeated, "state") != 0) &&
        (rc = dup_opt(p->state, STATE_MAX, "state", &a->state, err)) != CLV_OK)
        return rc;
    if (p->repeated != NULL)
        return clv_fail(err, CLV_INVALID, "%.40s is given more than once", p->repeated);
    if (p->request != NULL || p->request_uri != NULL)
        return clv_fail(err, CLV_INVALID, "request objects are not supported");
    if (p->response_type == NULL)
        return clv_fail(err, CLV_INVALID, "response_type is required");
    if (strcmp(p->response_type, "code") != 0)
        return clv_fail(err, CLV_UNSUPPORTED_RESPONSE_TYPE, "only response_type=code is supported");
    if (p->response_mode != NULL && strcmp(p->response_mode, "query") != 0)
        return clv_fail(err, CLV_INVALID, "only response_mode=query is supported");
    if ((rc = dup_opt(p->nonce, NONCE_MAX, "nonce", &a->nonce, err)) != CLV_OK ||
        (rc = check_prompt(p->prompt, a, err)) != CLV_OK ||
        (rc = check_max_age(p->max_age, a, err)) != CLV_OK)
        return rc;
    if ((rc = clv_scope_resolve_user(a->client, p->scope, &a->scope, err)) != CLV_OK)
        return rc;
    a->scope_given = p->scope != NULL;
    return check_pkce(p, a, err);
}

/* Step 4: the resource (RFC 8707, docs/DESIGN.md R38), which narrows the scope. */
static clv_code check_resource(clv_app *app, const clv_authz_params *p, clv_authz *a,
                               clv_err *err)
{
    const clv_resource *r = NULL;
    char *scope = NULL;
    clv_code rc = clv_resource_resolve(app, a->client, p->resource, &r, err);

    if (rc == CLV_OK && r != NULL &&
        (rc = clv_resource_scope(r, a->scope, a->scope_given, &scope, err)) == CLV_OK) {
        free(a->scope);
        a->scope = scope;
        if ((a->resource = strdup(r->identifier)) == NULL)
            rc = clv_fail(err, CLV_NOMEM, "out of memory");
    }
    return rc;
}

clv_code clv_authz_check(clv_app *app, const clv_authz_params *p, clv_authz *a, clv_err *err)
{
    clv_code rc;

    memset(a, 0, sizeof *a);
    a->max_age = -1;
    if ((rc = check_client(app, p, a, err)) != CLV_OK || (rc = check_rest(p, a, err)) != CLV_OK)
        return rc;
    return check_resource(app, p, a, err);
}

clv_code clv_authz_user_scope(clv_authz *a, const clv_user *u, clv_err *err)
{
    char *s = a->scope, *w = s;

    if (clv_roles_admin(u->roles) && a->client->first_party)
        return CLV_OK;
    for (char *p = s; *p != '\0';) { /* copy every word but admin, in place */
        size_t n = strcspn(p, " ");
        if (n == 5 && strncmp(p, "admin", 5) == 0) {
            if (a->scope_given)
                return clv_fail(err, CLV_ACCESS_DENIED,
                                a->client->first_party
                                    ? "the admin scope is for administrators"
                                    : "the admin scope is only for first-party clients");
        } else if (n > 0) {
            if (w != s)
                *w++ = ' ';
            memmove(w, p, n);
            w += n;
        }
        p += n + (p[n] == ' ');
    }
    *w = '\0';
    return CLV_OK;
}

clv_code clv_authz_issue_code(clv_app *app, const clv_authz *a, const clv_user *u,
                              int64_t auth_time, char code[CLV_TOKEN_LEN], clv_err *err)
{
    char family[CLV_ID_LEN];
    clv_authcode ac = {0};
    clv_code rc;

    if (!clv_rand_token(32, code) || !clv_id_new("fam", family))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    if (!clv_authcode_hash(a->client->client_id, a->redirect_uri, a->code_challenge, code, ac.hash)) {
        clv_wipe(code, CLV_TOKEN_LEN);
        return clv_fail(err, CLV_CRYPTO, "SHA-256 failed");
    }
    ac.client_id = a->client->client_id;
    ac.user_id = u->id;
    ac.tenant_id = u->tenant_id;
    ac.redirect_uri = a->redirect_uri;
    ac.scope = a->scope;
    ac.nonce = a->nonce;
    ac.code_challenge = a->code_challenge;
    ac.family_id = family;
    ac.resource = a->resource;
    ac.auth_time = auth_time;
    ac.created_at = clv_now();
    ac.expires_at = ac.created_at + CLV_CODE_LIFETIME; /* RFC 6749 §4.1.2: short-lived */
    rc = clv_store_authcode_insert(app->store, &ac, err);
    if (rc != CLV_OK)
        clv_wipe(code, CLV_TOKEN_LEN);
    return rc;
}
