/* discovery — authorization server metadata (RFC 8414, OpenID Discovery 1.0 §3). */
#include "oauth/discovery.h"

#include <stdio.h>

static json_t *url(const clv_app *app, const char *path)
{
    char buf[2200];

    snprintf(buf, sizeof buf, "%s%s", app->cfg->issuer, path);
    return json_string(buf);
}

json_t *clv_discovery_doc(const clv_app *app, bool oidc)
{
    json_t *doc = json_pack(
        "{s:s, s:o, s:o, s:o, s:o, s:o, s:[s], s:[s], s:[s, s, s], s:[s],"
        " s:[s, s], s:[s, s, s], s:[s, s, s], s:[s, s, s], s:[s, s, s]}",
        "issuer", app->cfg->issuer, "authorization_endpoint", url(app, "/authorize"),
        "token_endpoint", url(app, "/token"), "jwks_uri", url(app, "/jwks"),
        "introspection_endpoint", url(app, "/introspect"), "revocation_endpoint",
        url(app, "/revoke"), "response_types_supported", "code", "grant_types_supported",
        "client_credentials", "token_endpoint_auth_methods_supported",
        "client_secret_basic", "client_secret_post", "none",
        "code_challenge_methods_supported", "S256", "subject_types_supported", "public",
        "pairwise", "id_token_signing_alg_values_supported", "RS256", "ES256", "EdDSA",
        "introspection_endpoint_auth_methods_supported", "client_secret_basic",
        "client_secret_post", "none", "revocation_endpoint_auth_methods_supported",
        "client_secret_basic", "client_secret_post", "none",
        "access_token_signing_alg_values_supported", "RS256", "ES256", "EdDSA");

    if (doc == NULL)
        return NULL;
    /* "none" is listed for public clients at /token; introspection and revocation
     * callers must be confidential (SPEC §5.4), so drop it there. */
    json_array_remove(json_object_get(doc, "introspection_endpoint_auth_methods_supported"), 2);
    json_array_remove(json_object_get(doc, "revocation_endpoint_auth_methods_supported"), 2);
    json_object_set_new(doc, "scopes_supported",
                        json_pack("[s, s, s, s, s]", "openid", "profile", "email",
                                  "offline_access", "admin"));
    json_object_set_new(doc, "response_modes_supported", json_pack("[s]", "query"));
    /* RFC 8414 §2, RFC 7591 §3: POST /register (with an initial access token). */
    json_object_set_new(doc, "registration_endpoint", url(app, "/register"));
    if (oidc)
        json_object_set_new(doc, "claims_supported",
                            json_pack("[s, s, s, s, s, s, s, s]", "iss", "sub", "aud", "exp",
                                      "iat", "auth_time", "nonce", "email"));
    return doc;
}
