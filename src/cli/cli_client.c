/* cli_client — `clavis client …`: clients through the admin API, and test tokens for them
 * (docs/DESIGN.md I3, docs/API.md, docs/DESIGN.md R23). Secrets are in cli_secret.c. */
#include <stdio.h>
#include <string.h>

#include "cli/admin_commands.h"
#include "cli/commands.h"
#include "base/model.h"
#include "crypto/hash.h"

static const char *const types[] = {"public", "confidential", "m2m", NULL};
static const char *const statuses[] = {"active", "inactive", "deleted", NULL};
static const char *const algs[] = {"RS256", "ES256", "EdDSA", NULL};
static const char *const methods[] = {"client_secret_basic", "client_secret_post",
                                      "private_key_jwt", "none", NULL};
static const char *const subjects[] = {"public", "pairwise", NULL};
static const char *const bools[] = {"true", "false", NULL};

#define CLIENT_FIELDS(req)                                                                         \
    CLV_LIST("redirect-uri", "redirect_uris", "URI", "a redirect URI" req),                        \
        CLV_LIST("post-logout-redirect-uri", "post_logout_redirect_uris", "URI",                   \
                 "a post-logout redirect URI" req),                                                \
        CLV_LIST("cors-origin", "allowed_cors_origins", "ORIGIN", "an allowed CORS origin" req),   \
        CLV_LIST("scope", "scopes", "SCOPE", "an allowed scope" req),                              \
        CLV_LIST("role", "roles", "ROLE", "a role carried in its tokens" req),                     \
        CLV_LIST("audience", "audience", "URI", "an audience (aud) of its tokens" req),            \
        CLV_CHOICE("token-alg", "access_token_signing_alg", "ALG",                                 \
                   "its access tokens' signing algorithm", false, algs),                           \
        CLV_NUM("access-token-lifetime", "access_token_lifetime", "SECONDS",                       \
                "access token lifetime, within the server's bounds (60 to 3600 by default)"),      \
        CLV_CHOICE("auth-method", "token_endpoint_auth_method", "METHOD",                          \
                   "how it authenticates at /token", false, methods),                              \
        CLV_CHOICE("subject-type", "subject_type", "TYPE", "the sub its users get", false,         \
                   subjects),                                                                      \
        CLV_NUM(                                                                                   \
            "refresh-token-lifetime", "refresh_token_lifetime", "SECONDS",                         \
            "refresh token lifetime, within the server's bounds (60 s to 90 days by default)"),    \
        CLV_STR("sector-identifier-uri", "sector_identifier_uri", "URI",                           \
                "pairwise sector: a JSON array of its redirect URIs, fetched by the server"),      \
        CLV_STR("jwks", NULL, "JSON",                                                              \
                "its public keys for private_key_jwt: a JWK Set as JSON, or @FILE to read one"),   \
        CLV_STR("jwks-uri", "jwks_uri", "URI", "where its public keys are (https)"),               \
        CLV_STR("client-uri", "client_uri", "URI", "its home page"),                               \
        CLV_STR("logo-uri", "logo_uri", "URI", "its logo"),                                        \
        CLV_STR("policy-uri", "policy_uri", "URI", "its privacy policy"),                          \
        CLV_STR("tos-uri", "tos_uri", "URI", "its terms of service"),                              \
        CLV_LIST("contact", "contacts", "ADDRESS", "a contact (an email address)" req),            \
        CLV_STR("software-id", "software_id", "ID", "the software it runs (RFC 7591)"),            \
        CLV_STR("software-version", "software_version", "VERSION", "that software's version")

static const clv_cli_opt create_opts[] = {
    CLV_REQ("service-id", "service_id", "ID", "the service it belongs to"),
    CLV_REQ("name", "name", "NAME", "its name"),
    CLV_CHOICE("type", "type", "TYPE", "what it is", true, types),
    CLV_STR("description", "description", "TEXT", "what it is for"),
    CLIENT_FIELDS(""),
    CLV_BOOL("allow-refresh-token", "allow_refresh_token", "issue refresh tokens"),
    CLV_BOOL("allow-client-credentials", "allow_client_credentials",
             "allow client_credentials (confidential)"),
    CLV_CHOICE("require-pkce", NULL, "BOOL",
               "require PKCE (default true; a public client always does, an m2m client never)",
               false, bools),
    CLV_CHOICE("first-party", NULL, "BOOL",
               "true (default): an application of the operator, no consent page; false: a "
               "third party, whose users see the consent page and lend it no admin rights",
               false, bools),
    CLV_OPT_END};

static const clv_cli_opt update_opts[] = {
    CLV_STR("name", "name", "NAME", "a new name"),
    CLV_STR("description", "description", "TEXT", "a new description"),
    CLIENT_FIELDS(" (the list given replaces the old one)"),
    CLV_CHOICE("allow-refresh-token", NULL, "BOOL", "issue refresh tokens", false, bools),
    CLV_CHOICE("allow-client-credentials", NULL, "BOOL", "allow client_credentials", false, bools),
    CLV_CHOICE("require-pkce", NULL, "BOOL", "require PKCE", false, bools),
    CLV_CHOICE("first-party", NULL, "BOOL", "an application of the operator (no consent page)",
               false, bools),
    CLV_LIST("unset", NULL, "FIELD",
             "reset a field to its default (a list to [], e.g. --unset redirect_uris)"),
    CLV_STR("if-match", NULL, "ETAG", "refuse (412) unless the client's version is still ETAG"),
    CLV_OPT_END};

static const clv_cli_opt list_opts[] = {
    CLV_STR("service-id", NULL, "ID", "only clients of this service"),
    CLV_CHOICE("status", NULL, "STATUS", "only clients whose own status is STATUS", false,
               statuses),
    CLV_CHOICE("effective-status", NULL, "STATUS", "only clients whose effective status is STATUS",
               false, statuses),
    CLV_CHOICE("type", NULL, "TYPE", "only clients of this type", false, types),
    CLV_STR("q", NULL, "TEXT", "only clients whose name contains TEXT or whose id is TEXT"),
    CLV_STR("unused-since", NULL, "TIME",
            "only clients with no token since TIME (RFC 3339), or never, if made before it"),
    CLV_STR("secret-expires-before", NULL, "TIME",
            "only clients with a secret that expires before TIME (RFC 3339)"),
    CLV_INT("limit", NULL, "N", "at most N per page", 1, 100),
    CLV_BOOL("all", NULL, "follow every page (else the first only)"),
    CLV_OPT_END};

static const clv_cli_opt token_opts[] = {
    CLV_NUM("lifetime", "lifetime", "SECONDS",
            "how long the token lives, within the server's bounds (60 to 3600 by default)"),
    CLV_LIST("scope", NULL, "SCOPE", "a scope (a subset of the client's)"),
    CLV_STR("user-id", "user_id", "ID", "the user the token is for (its sub)"),
    CLV_LIST("role", "roles", "ROLE", "a role in the token"),
    CLV_LIST("claim", NULL, "K=V", "a custom claim, a string (K:=JSON for any JSON value)"),
    CLV_OPT_END};

static const clv_cli_opt no_opts[] = {CLV_OPT_END};

/* STATUS is the effective status: a client of an inactive or deleted service does not work,
 * whatever its own status says (docs/CLI.md). */
static const clv_cli_col client_cols[] = {{"CLIENT_ID", "client_id"},
                                          {"NAME", "name"},
                                          {"TYPE", "type"},
                                          {"STATUS", "effective_status"},
                                          {"SERVICE", "service_id"},
                                          {"CREATED", "created_at"},
                                          {NULL, NULL}};

static const char *const secret_keys[] = {"client_secret", "secret", NULL};

clv_cli_path clv_cli_client_path(const char *client_id, const char *action)
{
    clv_cli_path p = {0};

    clv_cli_path_add(&p, "/admin/v1/clients");
    if (client_id != NULL) {
        clv_cli_path_add(&p, "/");
        clv_cli_path_id(&p, client_id);
    }
    if (action != NULL) {
        clv_cli_path_add(&p, "/");
        clv_cli_path_add(&p, action);
    }
    return p;
}

/* The client, then (confidential and m2m) its first secret, shown this once. */
static void print_created(clv_cli_ctx *ctx, const json_t *c)
{
    const json_t *secret = json_object_get(c, "client_secret");
    char buf[600];

    if (secret != NULL)
        clv_cli_secret_warning();
    if (ctx->json) {
        clv_cli_print_json(ctx, c);
        return;
    }
    clv_cli_show(c, secret_keys);
    if (secret == NULL)
        return;
    clv_cli_value(json_object_get(json_object_get(c, "secret"), "secret_id"), buf, sizeof buf);
    printf("\nsecret_id:     %s\n", buf);
    clv_cli_value(json_object_get(json_object_get(c, "secret"), "expires_at"), buf, sizeof buf);
    printf("expires_at:    %s\n", buf);
    clv_cli_value(secret, buf, sizeof buf);
    printf("client_secret: %s\n", buf);
    clv_wipe(buf, sizeof buf);
}

static int put_bools(const clv_cli_ctx *ctx, json_t *body);

/* --jwks JSON or @FILE: a JWK Set for the body; -1 or the usage exit code. */
static int put_jwks(clv_cli_ctx *ctx, json_t *body)
{
    const char *v = clv_cli_str(ctx, "jwks");
    json_error_t jerr;
    json_t *j;

    if (v == NULL)
        return -1;
    j = v[0] == '@' ? json_load_file(v + 1, JSON_REJECT_DUPLICATES, &jerr)
                    : json_loads(v, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL)
        return clv_cli_usage_error(ctx, "--jwks: %s%s%s", v[0] == '@' ? v + 1 : "",
                                   v[0] == '@' ? ": " : "", jerr.text);
    json_object_set_new(body, "jwks", j);
    return -1;
}

/* --unset FIELD…: each field null, which resets it (docs/API.md, PATCH). */
static int put_unset(const clv_cli_ctx *ctx, json_t *body)
{
    size_t i;
    json_t *v;

    json_array_foreach(json_object_get(ctx->vals, "unset"), i, v) {
        if (json_object_get(body, json_string_value(v)) != NULL)
            return clv_cli_usage_error(ctx, "--unset %s and a value for it", json_string_value(v));
        json_object_set_new(body, json_string_value(v), json_null());
    }
    return -1;
}

/* Every field flag of create and update into body: those with a key, the BOOL-valued
 * ones, --jwks and --unset. *n gets how many; returns -1 or an exit code. */
static int put_fields(clv_cli_ctx *ctx, json_t *body, int *n)
{
    int rc;

    if (body == NULL || (*n = clv_cli_put_flags(ctx, body)) < 0 || put_bools(ctx, body) < 0)
        return CLV_EXIT_REFUSED;
    if ((rc = put_jwks(ctx, body)) >= 0 || (rc = put_unset(ctx, body)) >= 0)
        return rc;
    *n = (int)json_object_size(body);
    return -1;
}

static int run_create(clv_cli_ctx *ctx)
{
    clv_cli_path p = clv_cli_client_path(NULL, NULL);
    json_t *body = json_object(), *out = NULL;
    int n, rc = put_fields(ctx, body, &n);

    if (rc < 0)
        rc = clv_cli_api(ctx, "POST", &p, body, NULL, &out);
    if (rc == CLV_EXIT_OK)
        print_created(ctx, out);
    json_decref(body);
    json_decref(out);
    return rc;
}

static int run_list(clv_cli_ctx *ctx)
{
    clv_cli_path p = clv_cli_client_path(NULL, NULL);
    const char *times[] = {"unused-since", "secret-expires-before"};
    int64_t t;

    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        if (clv_cli_has(ctx, times[i]) && !clv_time_parse(clv_cli_str(ctx, times[i]), &t))
            return clv_cli_usage_error(ctx, "--%s must be an RFC 3339 time such as %s", times[i],
                                       "2026-01-31T00:00:00Z");
    clv_cli_path_query(&p, "unused_since", clv_cli_str(ctx, "unused-since"));
    clv_cli_path_query(&p, "secret_expires_before", clv_cli_str(ctx, "secret-expires-before"));
    clv_cli_path_query(&p, "service_id", clv_cli_str(ctx, "service-id"));
    clv_cli_path_query(&p, "status", clv_cli_str(ctx, "status"));
    clv_cli_path_query(&p, "effective_status", clv_cli_str(ctx, "effective-status"));
    clv_cli_path_query(&p, "type", clv_cli_str(ctx, "type"));
    clv_cli_path_query(&p, "q", clv_cli_str(ctx, "q"));
    return clv_cli_run_list(ctx, &p, client_cols);
}

static int run_show(clv_cli_ctx *ctx)
{
    clv_cli_path p = clv_cli_client_path(ctx->pos[0], NULL);

    return clv_cli_call_show(ctx, "GET", &p, NULL, NULL);
}

/* The BOOL-valued flags of update, which have no key of their own. */
static int put_bools(const clv_cli_ctx *ctx, json_t *body)
{
    static const char *const flags[][2] = {{"allow-refresh-token", "allow_refresh_token"},
                                           {"allow-client-credentials", "allow_client_credentials"},
                                           {"require-pkce", "require_pkce"},
                                           {"first-party", "first_party"}};
    const char *v;
    int n = 0;

    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if ((v = clv_cli_str(ctx, flags[i][0])) == NULL)
            continue;
        if (json_object_set_new(body, flags[i][1], json_boolean(strcmp(v, "true") == 0)) != 0)
            return -1;
        n++;
    }
    return n;
}

static int run_update(clv_cli_ctx *ctx)
{
    clv_cli_path p = clv_cli_client_path(ctx->pos[0], NULL);
    json_t *body = json_object(), *out = NULL;
    const char *etag = clv_cli_str(ctx, "if-match");
    int n = 0, rc = put_fields(ctx, body, &n);

    if (rc >= 0)
        goto done;
    if (etag != NULL && (etag[0] == '\0' || etag[strcspn(etag, "\r\n")] != '\0'))
        rc = clv_cli_usage_error(ctx, "--if-match needs an ETag such as \"3\" (or 3)");
    else if (n == 0)
        rc = clv_cli_usage_error(ctx, "nothing to update: give a field to change");
    else
        rc = clv_cli_api(ctx, "PATCH", &p, body, etag, &out);
    if (rc == CLV_EXIT_OK && ctx->json)
        clv_cli_print_json(ctx, out);
    else if (rc == CLV_EXIT_OK)
        clv_cli_show(out, NULL);
done:
    json_decref(body);
    json_decref(out);
    return rc;
}

static void print_action(const clv_cli_ctx *ctx, const json_t *c)
{
    char id[300], status[40], eff[40], purge[40];

    clv_cli_value(json_object_get(c, "client_id"), id, sizeof id);
    clv_cli_value(json_object_get(c, "status"), status, sizeof status);
    clv_cli_value(json_object_get(c, "effective_status"), eff, sizeof eff);
    clv_cli_value(json_object_get(c, "purge_at"), purge, sizeof purge);
    if (strcmp(ctx->cmd->name, "delete") == 0) {
        printf("Deleted client %s; 'clavis client restore %s' brings it back until %s.\n", id, id,
               purge);
        return;
    }
    printf("Client %s is now %s", id, status);
    if (strcmp(eff, status) != 0)
        printf(" (effectively %s: its service or tenant is not active)", eff);
    puts(".");
}

/* activate, deactivate, restore: POST …/{client_id}/ACTION; delete: DELETE …/{client_id}. */
static int run_action(clv_cli_ctx *ctx)
{
    bool del = strcmp(ctx->cmd->name, "delete") == 0;
    clv_cli_path p = clv_cli_client_path(ctx->pos[0], del ? NULL : ctx->cmd->name);
    json_t *out = NULL;
    int rc = clv_cli_api(ctx, del ? "DELETE" : "POST", &p, NULL, NULL, &out);

    if (rc == CLV_EXIT_OK && ctx->json)
        clv_cli_print_json(ctx, out);
    else if (rc == CLV_EXIT_OK)
        print_action(ctx, out);
    json_decref(out);
    return rc;
}

/* POST …/revoke-tokens: every token of the client so far stops working. */
static int run_revoke(clv_cli_ctx *ctx)
{
    clv_cli_path p = clv_cli_client_path(ctx->pos[0], "revoke-tokens");
    json_t *out = NULL;
    char n[32];
    int rc = clv_cli_api(ctx, "POST", &p, NULL, NULL, &out);

    if (rc == CLV_EXIT_OK && ctx->json) {
        clv_cli_print_json(ctx, out);
    } else if (rc == CLV_EXIT_OK) {
        clv_cli_value(json_object_get(out, "revoked"), n, sizeof n);
        printf("Revoked the tokens of client %.200s: its access tokens are inactive from now on, "
               "and %s refresh tokens and codes are gone.\n",
               ctx->pos[0], n);
    }
    json_decref(out);
    return rc;
}

/* ---- test tokens ---- */

/* Reads every --claim K=V (or K:=JSON) into claims; returns -1 or the usage exit code. */
static int read_claims(clv_cli_ctx *ctx, json_t *claims)
{
    size_t i;
    json_t *v;

    json_array_foreach(json_object_get(ctx->vals, "claim"), i, v) {
        const char *kv = json_string_value(v), *eq = strchr(kv, '=');
        bool raw = eq != NULL && eq > kv && eq[-1] == ':';
        size_t klen = eq ? (size_t)(eq - kv) - raw : 0;
        char key[256];
        json_t *val;

        if (eq == NULL || klen == 0 || klen >= sizeof key)
            return clv_cli_usage_error(ctx, "--claim '%s' is not K=V", kv);
        snprintf(key, sizeof key, "%.*s", (int)klen, kv);
        val = raw ? json_loads(eq + 1, JSON_DECODE_ANY, NULL) : json_string(eq + 1);
        if (val == NULL)
            return clv_cli_usage_error(ctx, "--claim %s:= needs a JSON value", key);
        json_object_set_new(claims, key, val);
    }
    return -1;
}

/* --scope S… becomes one space-separated scope string (RFC 6749 §3.3). */
static int put_scope(clv_cli_ctx *ctx, json_t *body)
{
    char scope[8192];
    size_t len = 0, i;
    json_t *v;

    json_array_foreach(json_object_get(ctx->vals, "scope"), i, v) {
        int n =
            snprintf(scope + len, sizeof scope - len, "%s%s", i ? " " : "", json_string_value(v));
        if (n < 0 || (size_t)n >= sizeof scope - len)
            return clv_cli_usage_error(ctx, "too many scopes");
        len += (size_t)n;
    }
    if (len > 0)
        json_object_set_new(body, "scope", json_string(scope));
    return -1;
}

static int run_token(clv_cli_ctx *ctx)
{
    clv_cli_path p = clv_cli_client_path(ctx->pos[0], "test-token");
    json_t *body = json_object(), *claims = json_object(), *out = NULL;
    char buf[64];
    int rc = CLV_EXIT_REFUSED;

    if (body == NULL || claims == NULL || clv_cli_put_flags(ctx, body) < 0)
        goto cleanup;
    if ((rc = read_claims(ctx, claims)) >= 0 || (rc = put_scope(ctx, body)) >= 0)
        goto cleanup;
    if (json_object_size(claims) > 0)
        json_object_set(body, "claims", claims);
    rc = clv_cli_api(ctx, "POST", &p, body, NULL, &out);
    if (rc == CLV_EXIT_OK && ctx->json) {
        clv_cli_print_json(ctx, out);
    } else if (rc == CLV_EXIT_OK) {
        /* The token alone on stdout, so that TOKEN=$(clavis client token ID) works. */
        const char *tok = json_string_value(json_object_get(out, "access_token"));
        puts(tok != NULL ? tok : "");
        clv_cli_value(json_object_get(out, "expires_in"), buf, sizeof buf);
        fprintf(stderr, "clavis: a test token for %s; it expires in %s s.\n", ctx->pos[0], buf);
    }
cleanup:
    json_decref(body);
    json_decref(claims);
    json_decref(out);
    return rc;
}

static const clv_cli_cmd client_cmds[] = {
    {"create", "", 0, "Create a client (a confidential or m2m client's secret is shown once)",
     "public: SPAs and native apps (PKCE, no secret; needs --redirect-uri).\n"
     "confidential: server-side web apps (a secret; needs --redirect-uri).\n"
     "m2m: service to service (a secret; client_credentials only).",
     create_opts, run_create, NULL},
    {"list", "", 0, "List clients, newest first",
     "STATUS is the effective status: the weakest of the client's own, its service's and its\n"
     "tenant's (a client of a deactivated or deleted service is not active). Deleted clients\n"
     "are left out unless --status deleted or --effective-status deleted asks for them.",
     list_opts, run_list, NULL},
    {"show", "CLIENT_ID", 1, "Show a client", NULL, no_opts, run_show, NULL},
    {"update", "CLIENT_ID", 1, "Change a client's fields (never its id or secrets)", NULL,
     update_opts, run_update, NULL},
    {"activate", "CLIENT_ID", 1, "Activate an inactive client", NULL, no_opts, run_action, NULL},
    {"deactivate", "CLIENT_ID", 1, "Deactivate a client: it stops working at once", NULL, no_opts,
     run_action, NULL},
    {"delete", "CLIENT_ID", 1, "Delete a client (restorable until it is purged)", NULL, no_opts,
     run_action, NULL},
    {"restore", "CLIENT_ID", 1, "Restore a deleted client", NULL, no_opts, run_action, NULL},
    {"secret", "", 0, "Add, list and remove a client's secrets", NULL, no_opts, NULL,
     &clv_cli_secret_group},
    {"token", "CLIENT_ID", 1, "Mint a test access token for a client",
     "Prints the token on stdout (the API's JSON with --json).", token_opts, run_token, NULL},
    {"revoke-tokens", "CLIENT_ID", 1, "Revoke every token the client holds so far",
     "Its access tokens introspect inactive from now on; its refresh tokens and unused\n"
     "authorization codes are removed. The client itself stays as it is.",
     no_opts, run_revoke, NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

const clv_cli_group clv_cli_client_group = {
    "client", "Manages clients: the applications that may ask for tokens", client_cmds};

int clv_cmd_client(int argc, char **argv)
{
    return clv_cli_group_run(&clv_cli_client_group, argc, argv);
}
