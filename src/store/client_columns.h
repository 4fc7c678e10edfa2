/* client_columns — the client columns every backend writes on an update, once, in the order
 * of the backends' CLIENT_MUT_COLS (store/sqlite/sql.c, store/postgres/sql.c), as an X-macro:
 * a backend defines what each kind of column binds and loads, and applies the list to both
 * (first_party is not in it: each backend writes that column its own way).
 *   TEXT(member)  a string, NULL for none
 *   INT(member)   an integer, enum or bool
 *   LIST(member)  a JSON array of strings ("[]" when NULL)
 *   OBJ(member)   a JSON object or NULL */
#ifndef CLV_STORE_CLIENT_COLUMNS_H
#define CLV_STORE_CLIENT_COLUMNS_H

#define CLV_CLIENT_MUT_COLUMNS(TEXT, INT, LIST, OBJ)                                         \
    TEXT(name) TEXT(description) INT(status) LIST(redirect_uris)                           \
    LIST(post_logout_redirect_uris) LIST(allowed_cors_origins) LIST(scopes) LIST(roles)    \
    LIST(audience) LIST(contacts) INT(auth_method) INT(access_token_lifetime)              \
    INT(signing_alg) INT(allow_refresh_token) INT(refresh_token_lifetime)                  \
    INT(require_pkce) INT(allow_client_credentials) INT(subject_type)                      \
    TEXT(sector_identifier_uri) TEXT(sector_identifier) INT(protected_) OBJ(jwks)          \
    TEXT(jwks_uri) TEXT(client_uri) TEXT(logo_uri) TEXT(policy_uri) TEXT(tos_uri)          \
    TEXT(software_id) TEXT(software_version) INT(updated_at) INT(deleted_at)               \
    INT(purge_at) INT(last_used_at) INT(tokens_revoked_at)

#endif
