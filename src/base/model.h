/* model — the objects Clavis manages (docs/DESIGN.md M): tenants, services, clients, secrets,
 * users and audit events, as plain structs that every layer shares.
 *
 * Ownership: every char * and json_t * inside a struct is owned by that struct and
 * released by its _free (json_t by json_decref). List-valued fields (redirect_uris,
 * scopes, …) are jansson arrays of strings, never NULL once an object is complete
 * (an empty list is an empty array). Times are Unix seconds (int64); 0 means "unset"
 * for optional times (deleted_at, purge_at, last_used_at, expires_at). Every _free
 * accepts NULL. */
#ifndef CLV_BASE_MODEL_H
#define CLV_BASE_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest client_id anything reads: the random ones are 22 characters, a client ID
 * metadata document's URL (docs/AGENTS.md) at most this. */
enum { CLV_CLIENT_ID_MAX = 255 };

/* true for a client_id that names a client ID metadata document: an https URL
 * (docs/AGENTS.md). Random client_ids never start so. */
bool clv_client_id_is_url(const char *client_id);

typedef enum { CLV_STATUS_ACTIVE = 0, CLV_STATUS_INACTIVE = 1, CLV_STATUS_DELETED = 2 } clv_status;
typedef enum { CLV_TYPE_PUBLIC = 0, CLV_TYPE_CONFIDENTIAL = 1, CLV_TYPE_M2M = 2 } clv_client_type;
typedef enum { CLV_APPROVAL_SANDBOX = 0, CLV_APPROVAL_LIVE = 1 } clv_approval;
typedef enum { CLV_SUBJECT_PUBLIC = 0, CLV_SUBJECT_PAIRWISE = 1 } clv_subject_type;
typedef enum {
    CLV_AUTH_NONE = 0,
    CLV_AUTH_SECRET_BASIC = 1,
    CLV_AUTH_SECRET_POST = 2,
    CLV_AUTH_PRIVATE_KEY_JWT = 3
} clv_auth_method;
/* CLV_ALG_SERVER: a client that pins no alg signs with the server's --token-alg at issue
 * time (docs/DESIGN.md D6); never an index into a table of keys (clv_client_alg first). */
typedef enum {
    CLV_ALG_SERVER = -1,
    CLV_ALG_RS256 = 0,
    CLV_ALG_ES256 = 1,
    CLV_ALG_EDDSA = 2,
    CLV_ALG_COUNT = 3
} clv_alg;

typedef struct {
    char *id;
    char *name;
    clv_status status; /* active | inactive */
    int64_t created_at;
    /* Client hygiene (docs/OPERATIONS.md "Hygiene"), in days; 0 = off (the default) */
    int64_t deactivate_unused_after_days, registered_client_lifetime_days;
} clv_tenant;

typedef struct {
    char *id;
    char *tenant_id;
    char *name;
    char *description; /* may be NULL */
    clv_status status;
    clv_approval approval;
    int64_t created_at, updated_at, deleted_at, purge_at;
    int64_t version;
    clv_status tenant_status; /* joined, read-only */
} clv_service;

typedef struct {
    char *id;        /* internal id */
    char *client_id; /* public identifier, immutable */
    char *service_id;
    char *tenant_id; /* joined from the service, read-only */
    char *name;
    char *description; /* may be NULL */
    clv_client_type type;
    clv_status status;
    json_t *redirect_uris, *post_logout_redirect_uris, *allowed_cors_origins;
    json_t *scopes, *roles, *audience, *contacts;
    clv_auth_method auth_method;
    int64_t access_token_lifetime;
    clv_alg signing_alg; /* CLV_ALG_SERVER unless pinned */
    bool allow_refresh_token;
    int64_t refresh_token_lifetime;
    bool require_pkce;
    bool allow_client_credentials;
    clv_subject_type subject_type;
    char *sector_identifier_uri; /* may be NULL */
    char *sector_identifier;     /* derived; may be NULL */
    bool protected_;
    /* Made by an administrator, so a user's admin rights may reach it and it skips the
     * consent page; never true for a registered client (docs/DESIGN.md D2, D3). */
    bool first_party;
    json_t *jwks;     /* object or NULL */
    char *jwks_uri;   /* may be NULL */
    char *client_uri, *logo_uri, *policy_uri, *tos_uri, *software_id, *software_version; /* NULLable */
    int64_t created_at, updated_at, deleted_at, purge_at, last_used_at;
    /* Unix milliseconds of the last revoke-tokens: access tokens issued up to then
     * introspect inactive (their issue time comes from their time-ordered jti); 0 = never */
    int64_t tokens_revoked_at;
    int64_t version;
    /* joined, read-only: the statuses that make the effective status (docs/DESIGN.md M) */
    clv_status service_status, tenant_status;
    clv_approval service_approval;
    /* Holders besides the first: a client from the client cache is shared with it (read
     * it, never change it); clv_client_free gives one hold back, the last frees. */
    unsigned shares;
} clv_client;

typedef struct {
    char *secret_id;
    char *client_id; /* the public client_id it belongs to */
    char *description; /* may be NULL */
    unsigned char hash[32]; /* HMAC-SHA-256 of the plaintext under the server key */
    int64_t created_at, expires_at, last_used_at; /* expires_at 0 = never */
} clv_secret;

/* A server signing key (docs/DESIGN.md "Signing keys and the KEK"): the private key is
 * kept only sealed under the key-encryption key (sealed: crypto/seal.h clv_seal_key). */
typedef struct {
    char *kid; /* RFC 7638 thumbprint of the public key */
    clv_alg alg;
    bool active;            /* else next (retire_at CLV_KEY_NEXT: published, not signing yet)
                             * or retired */
    int64_t created_at;     /* Unix seconds: made (a next key), or began to sign */
    int64_t retire_at;      /* 0 while active; CLV_KEY_NEXT while next; else when it leaves
                             * the JWKS */
    char *sealed;           /* the PKCS#8 PEM, sealed */
} clv_signing_key;

/* The retire_at of a next key: 9999-12-31T23:59:59Z, so that a release before next keys,
 * sharing the database during an upgrade, takes it for a retired key it must publish and
 * keep (never for one to purge). The store's statements name it literally. */
#define CLV_KEY_NEXT INT64_C(253402300799)

typedef struct {
    char *id;
    char *tenant_id;
    char *username;
    char *email; /* may be NULL */
    char *password_hash; /* argon2id encoded string */
    json_t *roles;
    clv_status status;
    int64_t created_at, updated_at;
} clv_user;

/* docs/DESIGN.md R10. actor_type is "client" | "user" | "registration" | "system"; target_type is
 * "client" | "service" | "secret" | "user" | "tenant"; changes is an object
 * {"field": {"from": …, "to": …}} (never NULL once complete; may be empty). */
typedef struct {
    char *id;
    int64_t at;
    char *actor_type, *actor_id;
    char *tenant_id; /* may be NULL (platform-level events) */
    char *action;
    char *target_type, *target_id;
    json_t *changes;
} clv_audit;

/* An authorization code (RFC 6749 §4.1.2), stored by the SHA-256 of its value only.
 * family_id ties together everything issued from one code, so that a replay can revoke
 * it all (RFC 6749 §4.1.2, RFC 9700 §4.14). */
typedef struct {
    unsigned char hash[32];
    char *client_id;
    char *user_id;
    char *tenant_id;
    char *redirect_uri;
    char *scope;          /* space-separated, already checked */
    char *nonce;          /* may be NULL */
    char *code_challenge; /* S256 challenge, may be NULL when PKCE is not required */
    char *family_id;
    char *resource; /* RFC 8707: the API the tokens are for, or NULL (docs/DESIGN.md R38) */
    int64_t auth_time, created_at, expires_at;
    bool used;
} clv_authcode;

/* A refresh token (RFC 6749 §6), stored by hash; rotated on every use, and a reuse of
 * a used one revokes its whole family (RFC 9700 §4.14.2). */
typedef struct {
    unsigned char hash[32];
    char *client_id;
    char *user_id;
    char *tenant_id;
    char *scope;
    char *family_id;
    char *resource; /* as the code's; a refresh keeps it (docs/DESIGN.md R38) */
    int64_t auth_time, created_at, expires_at;
    bool used;
} clv_refresh;

/* A signed-in browser session at /authorize, stored by the hash of its cookie value. */
typedef struct {
    unsigned char hash[32];
    char *user_id;
    char *tenant_id;
    int64_t auth_time, expires_at;
} clv_session;

/* An initial access token for dynamic registration (RFC 7591 §3), made by a tenant admin
 * for one service; stored by hash. uses_left -1 = unlimited until expires_at. */
typedef struct {
    unsigned char hash[32];
    char *id;
    char *service_id;
    char *tenant_id;
    char *created_by;
    int64_t created_at, expires_at;
    int64_t uses_left;
} clv_iat;

/* A user's remembered consent to a client (OpenID Connect Core §3.1.2.4): the scopes the
 * user allowed, space-separated. Asked again when a request wants a scope beyond them. */
typedef struct {
    char *user_id;
    char *client_id;
    char *tenant_id;
    char *scope;
    int64_t created_at, updated_at;
} clv_consent;

/* A protected resource (an API, RFC 8707) of a service: tokens for it carry its
 * identifier as aud. scopes (a JSON array, may be empty) are the scopes that mean
 * something to it (docs/DESIGN.md R38). */
typedef struct {
    char *id;
    char *service_id;
    char *identifier;
    char *name; /* may be NULL */
    json_t *scopes;
    int64_t created_at;
} clv_resource;

/* A page of results from a list call: items[0..count) are objects of one kind (the list
 * call says which), owned and freed with free_item; next_cursor (owned) is NULL at the
 * end. Newest first, ties broken by id descending (docs/DESIGN.md R8). */
typedef struct {
    void **items;
    size_t count;
    char *next_cursor;
    void (*free_item)(void *);
} clv_list;

void clv_tenant_free(clv_tenant *t);
void clv_service_free(clv_service *s);
void clv_client_free(clv_client *c);
void clv_secret_free(clv_secret *s);
void clv_signing_key_free(clv_signing_key *k);
void clv_user_free(clv_user *u);
void clv_audit_free(clv_audit *a);
void clv_authcode_free(clv_authcode *c);
void clv_refresh_free(clv_refresh *r);
void clv_session_free(clv_session *s);
void clv_iat_free(clv_iat *t);
void clv_consent_free(clv_consent *c);
void clv_resource_free(clv_resource *r);
/* Frees the items and the cursor and zeroes *l; NULL is a no-op. */
void clv_list_cleanup(clv_list *l);

/* Deep copy of a client; NULL on allocation failure. Caller frees with clv_client_free. */
clv_client *clv_client_dup(const clv_client *c);

/* Names of the enum values as they appear in JSON ("active", "m2m", "RS256", …), and the
 * reverse; the parse functions return false for an unknown name and leave *out alone. */
const char *clv_status_name(clv_status s);
bool clv_status_parse(const char *name, clv_status *out);
const char *clv_client_type_name(clv_client_type t);
bool clv_client_type_parse(const char *name, clv_client_type *out);
const char *clv_approval_name(clv_approval a);
const char *clv_subject_type_name(clv_subject_type t);
bool clv_subject_type_parse(const char *name, clv_subject_type *out);
const char *clv_auth_method_name(clv_auth_method m);
bool clv_auth_method_parse(const char *name, clv_auth_method *out);
const char *clv_alg_name(clv_alg a);
bool clv_alg_parse(const char *name, clv_alg *out);

/* The effective status of a client (docs/DESIGN.md M): the weakest of tenant, service and client.
 * deleted is weaker than inactive, inactive weaker than active. */
clv_status clv_client_effective_status(const clv_client *c);

/* The alg a client's tokens are signed with now: its pin, else the server's. */
clv_alg clv_client_alg(const clv_client *c, clv_alg server_alg);

/* Fills a client with the defaults of docs/DESIGN.md M for its type (c->type must be set):
 * auth method, lifetimes, signing alg (the server's: CLV_ALG_SERVER), require_pkce,
 * first_party (true: an administrator makes it), empty lists. Returns false on allocation
 * failure. */
bool clv_client_set_defaults(clv_client *c, int64_t default_at_lifetime,
                             int64_t default_rt_lifetime);

/* RFC 3339 UTC with second precision ("2026-11-25T01:29:42Z") into buf (≥ 21 bytes). */
void clv_time_format(int64_t t, char buf[21]);
/* Parses RFC 3339 (with 'Z' or ±hh:mm offset, optional fraction) into Unix seconds; false
 * (*out untouched) for a malformed time or one outside years 0000-9999 UTC. */
bool clv_time_parse(const char *s, int64_t *out);
/* Current Unix time in seconds / microseconds. */
int64_t clv_now(void);
int64_t clv_now_us(void);

#endif
