/* discovery — authorization server metadata (RFC 8414, OpenID Discovery 1.0 §3). */
#include "oauth/discovery.h"

#include <stdio.h>

#include "core/grant_types.h"

static json_t *url(const clv_app *app, const char *path)
{
    char buf[2200];

    snprintf(buf, sizeof buf, "%s%s", app->cfg->issuer, path);
    return json_string(buf);
}

/* The end-user flows (FLOWS.md): UserInfo, logout, RFC 9207 iss in authorization
 * responses, and private_key_jwt (RFC 7523) at the token endpoint. */
static void end_user_flows(const clv_app *app, json_t *doc)
{
    json_array_append_new(json_object_get(doc, "token_endpoint_auth_methods_supported"),
                          json_string("private_key_jwt"));
    json_object_set_new(doc, "token_endpoint_auth_signing_alg_values_supported",
                        json_pack("[s, s, s, s, s, s, s, s, s, s, s]", "RS256", "RS384", "RS512",
                                  "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
                                  "Ed25519"));
    json_object_set_new(doc, "userinfo_endpoint", url(app, "/userinfo"));
    json_object_set_new(doc, "end_session_endpoint", url(app, "/logout"));
    json_object_set_new(doc, "authorization_response_iss_parameter_supported", json_true());
    json_object_set_new(doc, "prompt_values_supported",
                        json_pack("[s, s, s]", "none", "login", "consent"));
    json_object_set_new(doc, "claims_parameter_supported", json_false());
    json_object_set_new(doc, "request_parameter_supported", json_false());
    json_object_set_new(doc, "request_uri_parameter_supported", json_false());
}

/* grant_types_supported is every row of the grant table (core/grant_types.h). */
json_t *clv_discovery_doc(const clv_app *app, bool oidc)
{
    json_t *doc = json_pack(
        "{s:s, s:o, s:o, s:o, s:o, s:o, s:[s], s:o, s:[s, s, s], s:[s],"
        " s:[s, s], s:[s, s, s], s:[s, s, s], s:[s, s, s], s:[s, s, s]}",
        "issuer", app->cfg->issuer, "authorization_endpoint", url(app, "/authorize"),
        "token_endpoint", url(app, "/token"), "jwks_uri", url(app, "/jwks"),
        "introspection_endpoint", url(app, "/introspect"), "revocation_endpoint",
        url(app, "/revoke"), "response_types_supported", "code", "grant_types_supported",
        clv_grant_names(), "token_endpoint_auth_methods_supported",
        "client_secret_basic", "client_secret_post", "none",
        "code_challenge_methods_supported", "S256", "subject_types_supported", "public",
        "pairwise", "id_token_signing_alg_values_supported", "RS256", "ES256", "EdDSA",
        "introspection_endpoint_auth_methods_supported", "client_secret_basic",
        "client_secret_post", "none", "revocation_endpoint_auth_methods_supported",
        "client_secret_basic", "client_secret_post", "none",
        "access_token_signing_alg_values_supported", "RS256", "ES256", "EdDSA");

    if (doc == NULL)
        return NULL;
    /* "none" is listed for public clients at /token and /revoke (RFC 7009 §2.1: a public
     * client revokes its own tokens); introspection callers must be confidential (docs/DESIGN.md
     * R4), so drop it there. */
    json_array_remove(json_object_get(doc, "introspection_endpoint_auth_methods_supported"), 2);
    json_object_set_new(doc, "scopes_supported",
                        json_pack("[s, s, s, s, s]", "openid", "profile", "email",
                                  "offline_access", "admin"));
    json_object_set_new(doc, "response_modes_supported", json_pack("[s]", "query"));
    end_user_flows(app, doc);
    /* RFC 8414 §2, RFC 7591 §3: POST /register (with an initial access token). */
    json_object_set_new(doc, "registration_endpoint", url(app, "/register"));
    /* draft-ietf-oauth-client-id-metadata-document §6 (docs/AGENTS.md): only when on */
    if (app->cfg->metadata_document_service != NULL)
        json_object_set_new(doc, "client_id_metadata_document_supported", json_true());
    if (oidc)
        json_object_set_new(doc, "claims_supported",
                            json_pack("[s, s, s, s, s, s, s, s, s, s]", "iss", "sub", "aud", "exp",
                                      "iat", "auth_time", "nonce", "at_hash", "email",
                                      "preferred_username"));
    return doc;
}
