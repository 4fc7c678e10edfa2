/* sql — every SQL text of the PostgreSQL backend: the numbered migrations and the
 * statements each connection prepares (see impl.h). All literal; every value is a
 * parameter ($1, $2, …) sent as text.
 *
 * Conventions, as in the SQLite backend (src/store/sqlite/sql.c): enums as their integer
 * values (clv_status: active 0, inactive 1, deleted 2), booleans as 0/1, times as Unix
 * seconds with 0 for "unset", list-valued fields as compact JSON text (text, not jsonb:
 * the stored text comes back as it was written), token hashes as 32-byte bytea. Ids are
 * COLLATE "C", so that "ties by id" (docs/DESIGN.md R8) is byte order on every server,
 * whatever the database's locale, as in SQLite. Lists are keyset-paginated, newest first
 * with ties by id descending, by a row comparison "(created_at, id) < ($n, $m)". Optional
 * filters are "($n::text IS NULL OR col = $n)": one statement per list. */
#include "store/postgres/impl.h"

/* ---- migrations (run with PQexec: literal text without parameters) ---- */

#define ID "text COLLATE \"C\""
#define HASH "bytea NOT NULL CHECK (length(hash) = 32)"

/* Migration 1: the schema of SQLite's migrations 1, 2 and 5 in one (the PostgreSQL backend
 * starts there); q has no index yet (see CLIENT_LIST below). In parts, as C bounds the
 * length of one string literal. First the objects of the model: */
static const char migration_1_model[] =
    "CREATE TABLE meta (name text PRIMARY KEY, value text NOT NULL);"

    "CREATE TABLE tenants (id " ID " PRIMARY KEY, name text NOT NULL,"
    " status integer NOT NULL, created_at bigint NOT NULL);"
    "CREATE INDEX tenants_list ON tenants (created_at DESC, id DESC);"

    "CREATE TABLE services (id " ID " PRIMARY KEY,"
    " tenant_id " ID " NOT NULL REFERENCES tenants (id), name text NOT NULL, description text,"
    " status integer NOT NULL, approval integer NOT NULL, created_at bigint NOT NULL,"
    " updated_at bigint NOT NULL, deleted_at bigint NOT NULL, purge_at bigint NOT NULL,"
    " version bigint NOT NULL);"
    "CREATE INDEX services_list ON services (created_at DESC, id DESC);"
    "CREATE INDEX services_tenant ON services (tenant_id, created_at DESC, id DESC);"

    /* tenant_id is the service's, copied at insert (a service never changes tenant). */
    "CREATE TABLE clients (id " ID " PRIMARY KEY, client_id " ID " NOT NULL UNIQUE,"
    " service_id " ID " NOT NULL REFERENCES services (id) ON DELETE CASCADE,"
    " tenant_id " ID " NOT NULL, type integer NOT NULL, created_at bigint NOT NULL,"
    " version bigint NOT NULL, name text NOT NULL, description text,"
    " status integer NOT NULL, redirect_uris text NOT NULL,"
    " post_logout_redirect_uris text NOT NULL, allowed_cors_origins text NOT NULL,"
    " scopes text NOT NULL, roles text NOT NULL, audience text NOT NULL,"
    " contacts text NOT NULL, auth_method integer NOT NULL,"
    " access_token_lifetime bigint NOT NULL, signing_alg integer NOT NULL,"
    " allow_refresh_token integer NOT NULL, refresh_token_lifetime bigint NOT NULL,"
    " require_pkce integer NOT NULL, allow_client_credentials integer NOT NULL,"
    " subject_type integer NOT NULL, sector_identifier_uri text, sector_identifier text,"
    " protected integer NOT NULL, jwks text, jwks_uri text, client_uri text,"
    " logo_uri text, policy_uri text, tos_uri text, software_id text,"
    " software_version text, updated_at bigint NOT NULL, deleted_at bigint NOT NULL,"
    " purge_at bigint NOT NULL, last_used_at bigint NOT NULL,"
    " tokens_revoked_at bigint NOT NULL, first_party integer NOT NULL DEFAULT 1);"
    "CREATE INDEX clients_list ON clients (created_at DESC, id DESC);"
    "CREATE INDEX clients_service ON clients (service_id, created_at DESC, id DESC);"
    "CREATE INDEX clients_tenant ON clients (tenant_id, created_at DESC, id DESC);"

    "CREATE TABLE secrets (secret_id " ID " PRIMARY KEY,"
    " client_id " ID " NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,"
    " description text, hash " HASH ", created_at bigint NOT NULL,"
    " expires_at bigint NOT NULL, last_used_at bigint NOT NULL);"
    "CREATE INDEX secrets_client ON secrets (client_id, created_at DESC, secret_id DESC);"

    "CREATE TABLE users (id " ID " PRIMARY KEY,"
    " tenant_id " ID " NOT NULL REFERENCES tenants (id), username text NOT NULL, email text,"
    " password_hash text NOT NULL, roles text NOT NULL, status integer NOT NULL,"
    " created_at bigint NOT NULL, updated_at bigint NOT NULL, UNIQUE (tenant_id, username));"
    "CREATE INDEX users_list ON users (created_at DESC, id DESC);"
    "CREATE INDEX users_tenant ON users (tenant_id, created_at DESC, id DESC);"

    /* No foreign keys: the audit log outlives the objects it tells about (docs/DESIGN.md M). */
    "CREATE TABLE audit (id " ID " PRIMARY KEY, at bigint NOT NULL,"
    " actor_type text NOT NULL, actor_id " ID " NOT NULL, tenant_id " ID ","
    " action text NOT NULL, target_type text NOT NULL, target_id " ID " NOT NULL,"
    " changes text NOT NULL);"
    "CREATE INDEX audit_list ON audit (at DESC, id DESC);"
    "CREATE INDEX audit_tenant ON audit (tenant_id, at DESC, id DESC);"
    "CREATE INDEX audit_target ON audit (target_id, at DESC, id DESC);"
    "CREATE INDEX audit_actor ON audit (actor_id, at DESC, id DESC);"

    "CREATE TABLE revoked_jti (jti text PRIMARY KEY, exp bigint NOT NULL);"
    "CREATE INDEX revoked_jti_exp ON revoked_jti (exp);";

/* then the end-user flows and registration, */
static const char migration_1_flows[] =
    /* The end-user flows: every token by the SHA-256 of its value (docs/DESIGN.md D5). */
    "CREATE TABLE authcodes (hash " HASH " PRIMARY KEY,"
    " client_id " ID " NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,"
    " user_id text NOT NULL, tenant_id text NOT NULL, redirect_uri text NOT NULL,"
    " scope text NOT NULL, nonce text, code_challenge text, family_id text NOT NULL,"
    " auth_time bigint NOT NULL, created_at bigint NOT NULL, expires_at bigint NOT NULL,"
    " used integer NOT NULL DEFAULT 0);"
    "CREATE INDEX authcodes_client ON authcodes (client_id);"
    "CREATE INDEX authcodes_family ON authcodes (family_id);"
    "CREATE INDEX authcodes_expires ON authcodes (expires_at);"

    "CREATE TABLE refresh_tokens (hash " HASH " PRIMARY KEY,"
    " client_id " ID " NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,"
    " user_id text NOT NULL, tenant_id text NOT NULL, scope text NOT NULL,"
    " family_id text NOT NULL, auth_time bigint NOT NULL, created_at bigint NOT NULL,"
    " expires_at bigint NOT NULL, used integer NOT NULL DEFAULT 0);"
    "CREATE INDEX refresh_tokens_client ON refresh_tokens (client_id);"
    "CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);"
    "CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);"

    "CREATE TABLE revoked_families (family_id text PRIMARY KEY, exp bigint NOT NULL);"
    "CREATE INDEX revoked_families_exp ON revoked_families (exp);"

    "CREATE TABLE sessions (hash " HASH " PRIMARY KEY,"
    " user_id " ID " NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " tenant_id text NOT NULL, auth_time bigint NOT NULL, expires_at bigint NOT NULL);"
    "CREATE INDEX sessions_user ON sessions (user_id);"
    "CREATE INDEX sessions_expires ON sessions (expires_at);"

    /* RFC 7523 §3 item 7: a jti is unique per issuer, and the issuer is the client. */
    "CREATE TABLE assertion_jtis (jti text NOT NULL, client_id text NOT NULL,"
    " exp bigint NOT NULL, PRIMARY KEY (jti, client_id));"
    "CREATE INDEX assertion_jtis_exp ON assertion_jtis (exp);"

    "CREATE TABLE initial_access_tokens (hash " HASH " PRIMARY KEY, id " ID " NOT NULL UNIQUE,"
    " service_id " ID " NOT NULL REFERENCES services (id) ON DELETE CASCADE,"
    " tenant_id text NOT NULL, created_by text NOT NULL, created_at bigint NOT NULL,"
    " expires_at bigint NOT NULL, uses_left bigint NOT NULL CHECK (uses_left >= -1));"
    "CREATE INDEX initial_access_tokens_service ON initial_access_tokens (service_id);"
    "CREATE INDEX initial_access_tokens_expires ON initial_access_tokens (expires_at);"

    "CREATE TABLE registration_tokens ("
    " client_id " ID " PRIMARY KEY REFERENCES clients (client_id) ON DELETE CASCADE,"
    " hash " HASH ");"
    /* A client that gets a registration token is not first-party, whoever inserts it
     * (docs/DESIGN.md D2; the SQLite backend's migration 5 has the same trigger). */
    "CREATE FUNCTION registered_not_first_party() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN UPDATE clients SET first_party = 0 WHERE client_id = NEW.client_id; RETURN NEW; END"
    " $$;"
    "CREATE TRIGGER registered_not_first_party AFTER INSERT ON registration_tokens"
    " FOR EACH ROW EXECUTE FUNCTION registered_not_first_party();";

/* then consents and the views. */
static const char migration_1_rest[] =
    "CREATE TABLE consents ("
    " user_id " ID " NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " client_id " ID " NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,"
    " tenant_id text NOT NULL, scope text NOT NULL, created_at bigint NOT NULL,"
    " updated_at bigint NOT NULL, PRIMARY KEY (user_id, client_id));"
    "CREATE INDEX consents_client ON consents (client_id);"
    "CREATE INDEX consents_list ON consents (user_id, created_at DESC, client_id DESC);"

    /* The joined statuses that make a client's effective status (docs/DESIGN.md M). */
    "CREATE VIEW service_v AS SELECT s.*, t.status AS tenant_status"
    " FROM services s JOIN tenants t ON t.id = s.tenant_id;"
    "CREATE VIEW client_v AS SELECT c.*, s.status AS service_status,"
    " s.approval AS service_approval, t.status AS tenant_status"
    " FROM clients c JOIN services s ON s.id = c.service_id"
    " JOIN tenants t ON t.id = s.tenant_id;";

static const char *const migration_1[] = {migration_1_model, migration_1_flows,
                                          migration_1_rest, NULL};

/* Resource indicators (RFC 8707; docs/DESIGN.md R38): the APIs of a service (an identifier
 * belongs to one service of the whole server: else another tenant could mint tokens whose
 * aud is someone else's API), and the one a code or refresh token was issued for. */
static const char migration_resources_sql[] =
    "CREATE TABLE resources ("
    " id " ID " PRIMARY KEY,"
    " service_id " ID " NOT NULL REFERENCES services (id) ON DELETE CASCADE,"
    " identifier text NOT NULL, name text, scopes text NOT NULL, created_at bigint NOT NULL,"
    " UNIQUE (identifier));"
    "CREATE INDEX resources_list ON resources (service_id, created_at DESC, id DESC);"
    "ALTER TABLE authcodes ADD COLUMN resource text;"
    "ALTER TABLE refresh_tokens ADD COLUMN resource text;";

static const char *const migration_resources[] = {migration_resources_sql, NULL};


/* Migration 3: client hygiene (docs/OPERATIONS.md "Hygiene"; SQLite's migration 7): a
 * tenant's two settings, in days (0: off, the default), and an index of a client's last
 * use — GREATEST(last_used_at, created_at), as last_used_at is 0 or later than created_at —
 * per tenant, for the purge timer (PG_HYGIENE_CANDIDATES). */
static const char migration_hygiene_sql[] =
    "ALTER TABLE tenants ADD COLUMN deactivate_unused_after_days bigint NOT NULL DEFAULT 0;"
    "ALTER TABLE tenants ADD COLUMN registered_client_lifetime_days bigint NOT NULL DEFAULT 0;"
    "CREATE INDEX clients_last_use ON clients (tenant_id, GREATEST(last_used_at, created_at));";
static const char *const migration_hygiene[] = {migration_hygiene_sql, NULL};

/* Migration 4: every change that a node's caches must not outlive (src/core/changes.c)
 * tells the other nodes, in the transaction that makes it: pg_notify on the channel
 * clavis_changes with "kind:id" (docs/OPERATIONS.md "PostgreSQL"). A trigger, so that no
 * writer can forget it. last_used_at alone (written by every token request) is not a
 * change. */
static const char migration_notify_sql[] =
    "CREATE FUNCTION clavis_notify() RETURNS trigger LANGUAGE plpgsql AS $$"
    " DECLARE r jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);"
    " BEGIN"
    " IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - 'last_used_at') = (r - 'last_used_at') THEN"
    " RETURN NULL; END IF;"
    " PERFORM pg_notify('clavis_changes', TG_ARGV[0] || ':' || coalesce(r ->> TG_ARGV[1], ''));"
    " RETURN NULL; END $$;"
    "CREATE TRIGGER clients_notify AFTER UPDATE OR DELETE ON clients"
    " FOR EACH ROW EXECUTE FUNCTION clavis_notify('client', 'client_id');"
    "CREATE TRIGGER secrets_notify AFTER INSERT OR UPDATE OR DELETE ON secrets"
    " FOR EACH ROW EXECUTE FUNCTION clavis_notify('client', 'client_id');"
    "CREATE TRIGGER services_notify AFTER UPDATE OR DELETE ON services"
    " FOR EACH ROW EXECUTE FUNCTION clavis_notify('service', 'id');"
    "CREATE TRIGGER tenants_notify AFTER UPDATE OR DELETE ON tenants"
    " FOR EACH ROW EXECUTE FUNCTION clavis_notify('tenant', 'id');"
    "CREATE TRIGGER revoked_jti_notify AFTER INSERT OR UPDATE ON revoked_jti"
    " FOR EACH ROW EXECUTE FUNCTION clavis_notify('jti', 'jti');"
    "CREATE TRIGGER revoked_families_notify AFTER INSERT OR UPDATE ON revoked_families"
    " FOR EACH ROW EXECUTE FUNCTION clavis_notify('family', 'family_id');"
    "CREATE TRIGGER consents_notify AFTER DELETE ON consents"
    " FOR EACH ROW EXECUTE FUNCTION clavis_notify('consent', 'client_id');"
    "CREATE TRIGGER meta_notify AFTER INSERT OR UPDATE OR DELETE ON meta"
    " FOR EACH ROW EXECUTE FUNCTION clavis_notify('meta', 'name');";

static const char *const migration_notify[] = {migration_notify_sql, NULL};

/* Migration (signing keys): as the SQLite backend's (src/store/sqlite/sql.c): the keys
 * sealed under the key-encryption key, one active key per alg; a change is told on the
 * channel of the notify migration (clavis_notify), which must come before it. */
static const char migration_keys_table[] =
    "CREATE TABLE signing_keys (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " kid " ID " NOT NULL UNIQUE, alg integer NOT NULL, active integer NOT NULL,"
    " created_at bigint NOT NULL, retire_at bigint NOT NULL, sealed text NOT NULL);"
    "CREATE UNIQUE INDEX signing_keys_active ON signing_keys (alg) WHERE active = 1;"
    /* a rotation is told to the other nodes at once (src/core/changes.c) */
    "CREATE TRIGGER signing_keys_notify AFTER INSERT OR UPDATE OR DELETE ON signing_keys"
    " FOR EACH ROW EXECUTE FUNCTION clavis_notify('keys', 'kid');";

static const char *const migration_keys[] = {migration_keys_table, NULL};

/* Migration (resources told): a resource removed (or changed) is told on the channel of
 * the notify migration, so that the other nodes' caches of the resources token requests
 * name (src/core/client_cache.c) drop it at once, as they drop a deactivated client. A
 * resource added needs no notice: only resources found are cached. */
static const char migration_resources_notify_sql[] =
    "CREATE TRIGGER resources_notify AFTER UPDATE OR DELETE ON resources"
    " FOR EACH ROW EXECUTE FUNCTION clavis_notify('resource', 'id');";

static const char *const migration_resources_notify[] = {migration_resources_notify_sql, NULL};

/* Migration (q): the index of q (docs/DESIGN.md R9 and "q on PostgreSQL"), the equivalent
 * of the SQLite backend's q tables, in plain PostgreSQL without an extension (it replaces
 * pg_trgm's clients_name_trgm, dropped here):
 * - clavis_q_keys gives a client's keys: every character, pair of neighbours and trigram of
 *   its folded name (lower() by the database's collation, as the list statements fold the
 *   name column: said explicitly, as the ids given beside it are COLLATE "C", which would
 *   otherwise become the call's collation and fold ASCII only), and the tags of its service,
 *   tenant, own status and type ("service:<id>", … : longer than 3 characters, so never a
 *   gram). clients_q is a GIN index on them. Its pending list of recent inserts, which
 *   every search reads from end to end, is kept to 64 kB (gin_pending_list_limit; the
 *   default 4 MB would cost a search milliseconds): inserts stay batched (41 µs of CPU per
 *   client, against 108 µs with fastupdate off; docs/PERFORMANCE.md).
 * - clavis_q_grams gives what the index is asked for a q: q itself (folded) when it has 1 or
 *   2 characters, else its trigrams less those in `common` (the ones most names hold,
 *   learnt from the newest clients by q.c): a common trigram selects nothing yet makes GIN
 *   read a posting list as long as the table. Every trigram when all are common. Each key
 *   asked is a key of every name holding q, so asking fewer never loses a match; the list
 *   statement's exact predicate decides on each row the index returns. PL/pgSQL, not SQL:
 *   each list plans its call, and PL/pgSQL keeps its plans per session. PARALLEL UNSAFE:
 *   a page reads a few hundred rows, and starting parallel workers for it (which a generic
 *   plan's estimate may choose) costs tens of milliseconds. */
static const char migration_q_sql[] =
    "CREATE FUNCTION clavis_q_keys(name text, service text, tenant text, status integer,"
    " type integer) RETURNS text[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $$"
    " DECLARE n text := lower(name COLLATE \"default\"); l integer := length(n);"
    " r text[] := ARRAY['service:' || service, 'tenant:' || tenant, 'status:' || status,"
    " 'type:' || type];"
    " BEGIN FOR i IN 1..l LOOP r := r || substr(n, i, 1);"
    " IF i < l THEN r := r || substr(n, i, 2); END IF;"
    " IF i + 1 < l THEN r := r || substr(n, i, 3); END IF;"
    " END LOOP; RETURN r; END $$;"
    "CREATE FUNCTION clavis_q_grams(q text, common text[]) RETURNS text[] LANGUAGE plpgsql"
    " IMMUTABLE PARALLEL UNSAFE AS $$"
    " DECLARE n text := lower(q COLLATE \"default\"); l integer := length(n);"
    " a text[] := '{}'; b text[] := '{}';"
    " g text;"
    " BEGIN IF l < 3 THEN RETURN ARRAY[n]; END IF;"
    " FOR i IN 1..l - 2 LOOP g := substr(n, i, 3); a := a || g;"
    " IF NOT g = ANY(common) THEN b := b || g; END IF; END LOOP;"
    " IF cardinality(b) > 0 THEN RETURN b; END IF; RETURN a; END $$;"
    "DROP INDEX IF EXISTS clients_name_trgm;"
    /* an empty index under the old name: a release before this one, still starting on the
     * migrated database during an upgrade, finds it and builds no pg_trgm index again */
    "CREATE INDEX clients_name_trgm ON clients (id) WHERE false;"
    "CREATE INDEX clients_q ON clients USING gin"
    " (clavis_q_keys(name, service_id, tenant_id, status, type))"
    " WITH (fastupdate = on, gin_pending_list_limit = 64);"
    "ANALYZE clients;";

static const char *const migration_q[] = {migration_q_sql, NULL};

const char *const *const clv_pg_migrations[] = {
    migration_1,    migration_resources,        migration_hygiene, migration_notify,
    migration_keys, migration_resources_notify, migration_q};
const int clv_pg_migration_count = (int)(sizeof clv_pg_migrations / sizeof clv_pg_migrations[0]);

/* ---- column lists, shared by the statements below and by the row code ---- */

/* clang-format off */

#define TENANT_COLS "id, name, status, created_at"
/* what a tenant row reads: TENANT_COLS and the hygiene settings (migration 3) */
#define TENANT_READ_COLS                                                                   \
    TENANT_COLS ", deactivate_unused_after_days, registered_client_lifetime_days"
#define SERVICE_COLS                                                                       \
    "id, tenant_id, name, description, status, approval, created_at, updated_at,"         \
    " deleted_at, purge_at, version, tenant_status"

/* The client columns an update writes, in the order of clients.c. */
#define CLIENT_MUT_COLS                                                                    \
    "name, description, status, redirect_uris, post_logout_redirect_uris,"                \
    " allowed_cors_origins, scopes, roles, audience, contacts, auth_method,"              \
    " access_token_lifetime, signing_alg, allow_refresh_token, refresh_token_lifetime,"   \
    " require_pkce, allow_client_credentials, subject_type, sector_identifier_uri,"       \
    " sector_identifier, protected, jwks, jwks_uri, client_uri, logo_uri, policy_uri,"    \
    " tos_uri, software_id, software_version, updated_at, deleted_at, purge_at,"          \
    " last_used_at, tokens_revoked_at, first_party"
/* last_used_at never goes back: a token issued between the caller's read and this update
 * has touched it, and the caller's copy is older. */
#define CLIENT_MUT_SET                                                                     \
    "name = $1, description = $2, status = $3, redirect_uris = $4,"                       \
    " post_logout_redirect_uris = $5, allowed_cors_origins = $6, scopes = $7, roles = $8," \
    " audience = $9, contacts = $10, auth_method = $11, access_token_lifetime = $12,"     \
    " signing_alg = $13, allow_refresh_token = $14, refresh_token_lifetime = $15,"        \
    " require_pkce = $16, allow_client_credentials = $17, subject_type = $18,"            \
    " sector_identifier_uri = $19, sector_identifier = $20, protected = $21, jwks = $22," \
    " jwks_uri = $23, client_uri = $24, logo_uri = $25, policy_uri = $26, tos_uri = $27," \
    " software_id = $28, software_version = $29, updated_at = $30, deleted_at = $31,"     \
    " purge_at = $32, last_used_at = GREATEST(last_used_at, $33), tokens_revoked_at = $34," \
    " first_party = $35"
#define CLIENT_COLS                                                                        \
    "id, client_id, service_id, tenant_id, type, created_at, version, " CLIENT_MUT_COLS   \
    ", service_status, service_approval, tenant_status"

#define SECRET_COLS                                                                        \
    "secret_id, client_id, description, hash, created_at, expires_at, last_used_at"
#define USER_COLS                                                                          \
    "id, tenant_id, username, email, password_hash, roles, status, created_at, updated_at"
#define AUDIT_COLS                                                                         \
    "id, at, actor_type, actor_id, tenant_id, action, target_type, target_id, changes"
#define CONSENT_COLS "user_id, client_id, tenant_id, scope, created_at, updated_at"
#define AUTHCODE_COLS                                                                      \
    "hash, client_id, user_id, tenant_id, redirect_uri, scope, nonce, code_challenge,"    \
    " family_id, auth_time, created_at, expires_at, used, resource"
#define REFRESH_COLS                                                                       \
    "hash, client_id, user_id, tenant_id, scope, family_id, auth_time, created_at,"       \
    " expires_at, used, resource"
#define RESOURCE_COLS "id, service_id, identifier, name, scopes, created_at"
#define SESSION_COLS "hash, user_id, tenant_id, auth_time, expires_at"
#define IAT_COLS                                                                           \
    "hash, id, service_id, tenant_id, created_by, created_at, expires_at, uses_left"

/* The row of table t belongs to no revoked family (RFC 9700 §4.14.2). */
#define FAMILY_LIVE(t)                                                                     \
    "NOT EXISTS (SELECT 1 FROM revoked_families f WHERE f.family_id = " t ".family_id)"

/* status: -1 = every status but deleted (2). */
#define STATUS_MATCH(n) "((" n "::integer = -1 AND status <> 2) OR status = " n "::integer)"

/* A client's own status $3 (-1: every status but deleted) and its effective status $9 (-1:
 * any), the weakest of the client's, its service's and its tenant's: the largest of the
 * three (active < inactive < deleted). Asking for the effective status deleted takes in
 * the clients deleted themselves, also with $3 = -1. */
#define CLIENT_STATUS_MATCH                                                                \
    "(($3::integer = -1 AND (status <> 2 OR $9::integer = 2)) OR status = $3::integer)"   \
    " AND ($9::integer = -1 OR GREATEST(status, service_status, tenant_status) = $9::integer)"

/* The hygiene candidates at $1 (store_ops.h hygiene_candidates), over tenants t and
 * client_v c, as in the SQLite backend (sqlite/sql.c HYGIENE_WHERE). */
#define LAST_USE "GREATEST(c.last_used_at, c.created_at)"
#define HYGIENE_WHERE                                                                      \
    " WHERE (t.deactivate_unused_after_days > 0 OR t.registered_client_lifetime_days > 0)" \
    " AND c.protected = 0 AND c.status <> 2 AND ((c.status = 0"                            \
    " AND t.deactivate_unused_after_days > 0 AND " LAST_USE " <= $1::bigint"               \
    " - t.deactivate_unused_after_days * 86400) OR (t.registered_client_lifetime_days > 0" \
    " AND GREATEST(" LAST_USE ", CASE WHEN c.status = 1 THEN c.updated_at ELSE 0 END)"     \
    " <= $1::bigint - t.registered_client_lifetime_days * 86400 AND EXISTS (SELECT 1 FROM"  \
    " registration_tokens r WHERE r.client_id = c.client_id)))"

/* A deleted object whose retention has run out (purge_at 0 means never set). */
#define PURGEABLE "status = 2 AND purge_at <> 0 AND purge_at <= $1::bigint"
#define PURGE_CLIENTS_WHERE                                                                \
    " WHERE (" PURGEABLE ") OR service_id IN (SELECT id FROM services WHERE " PURGEABLE ")"

#define KEYSET(ts, a, b, lim)                                                              \
    " AND (" ts ", id) < (" a "::bigint, " b "::text) ORDER BY " ts " DESC, id DESC"      \
    " LIMIT " lim "::bigint"

/* The client list's filters a clients row answers itself, for q (q.c): service $1, tenant
 * $2, the client's own status $3 (with $9 the effective one), type $4 and the keyset. */
#define Q_OWN_FILTERS                                                                      \
    "($1::text IS NULL OR service_id = $1::text) AND ($2::text IS NULL OR tenant_id = $2::text)" \
    " AND ($4::integer = -1 OR type = $4::integer) AND (($3::integer = -1 AND (status <> 2"  \
    " OR $9::integer = 2)) OR status = $3::integer) AND (created_at, id) < ($6::bigint, $7::text)"

/* The filters q's walk reads through an index (q.c): service $1, tenant $2, the keyset. */
#define Q_WALK_FILTERS                                                                     \
    "($1::text IS NULL OR service_id = $1::text) AND ($2::text IS NULL OR tenant_id = $2::text)" \
    " AND (created_at, id) < ($6::bigint, $7::text)"

/* The client list's filters of the hygiene (docs/API.md "List clients"): $10 unused_since,
 * $11 secret_expires_before, NULL when not asked for. */
#define HYGIENE_FILTERS                                                                    \
    " AND ($10::bigint IS NULL OR GREATEST(last_used_at, created_at) < $10)"             \
    " AND ($11::bigint IS NULL OR EXISTS (SELECT 1 FROM secrets x WHERE"                  \
    " x.client_id = client_v.client_id AND x.expires_at <> 0 AND x.expires_at < $11))"

const char *const clv_pg_sql[PG_COUNT] = {
    [PG_BEGIN] = "BEGIN",
    /* reads that must agree with each other (q.c: a walk and the count of what it read) */
    [PG_BEGIN_SNAPSHOT] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    [PG_COMMIT] = "COMMIT",
    [PG_ROLLBACK] = "ROLLBACK",
    [PG_SAVEPOINT] = "SAVEPOINT clv",
    [PG_RELEASE] = "RELEASE SAVEPOINT clv",
    [PG_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT clv",
    /* Nodes started together migrate once: each migration's transaction holds this lock
     * (the key is Clavis's own constant) until it commits. */
    [PG_MIGRATE_LOCK] = "SELECT pg_advisory_xact_lock(7307015633716480311)",
    [PG_VERSION_CREATE] = "CREATE TABLE IF NOT EXISTS schema_version ("
                          " version integer PRIMARY KEY, applied_at bigint NOT NULL)",
    [PG_VERSION_GET] = "SELECT coalesce(max(version), 0) FROM schema_version",
    [PG_VERSION_PUT] = "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",

    [PG_META_GET] = "SELECT value FROM meta WHERE name = $1",
    [PG_META_PUT] = "INSERT INTO meta (name, value) VALUES ($1, $2)",
    [PG_META_DELETE] = "DELETE FROM meta WHERE name = $1",
    [PG_SIGNING_KEY_LIST] = "SELECT kid, alg, active, created_at, retire_at, sealed"
        " FROM signing_keys ORDER BY created_at DESC, seq DESC",
    [PG_SIGNING_KEY_INSERT] = "INSERT INTO signing_keys"
        " (kid, alg, active, created_at, retire_at, sealed) VALUES ($1, $2, $3, $4, $5, $6)",
    [PG_SIGNING_KEY_RETIRE] = "UPDATE signing_keys SET active = 0, retire_at = $2"
        " WHERE kid = $1 AND active = 1",
    [PG_SIGNING_KEY_ACTIVATE] = "UPDATE signing_keys SET active = 1, created_at = $2,"
        " retire_at = 0 WHERE kid = $1 AND active = 0 AND retire_at = 253402300799",
    [PG_SIGNING_KEY_PURGE] = "DELETE FROM signing_keys WHERE active = 0 AND retire_at <= $1",
    [PG_SIGNING_KEY_VERSION] = "SELECT (coalesce(max(seq), 0) * 65536 + count(*)"
        " + coalesce(sum(retire_at), 0) + coalesce(sum(created_at), 0))::bigint FROM signing_keys",

    [PG_TENANT_INSERT] = "INSERT INTO tenants (" TENANT_COLS ") VALUES ($1, $2, $3, $4)",
    [PG_TENANT_GET] = "SELECT " TENANT_READ_COLS " FROM tenants WHERE id = $1",
    [PG_TENANT_UPDATE] = "UPDATE tenants SET name = $1, status = $2,"
                         " deactivate_unused_after_days = $3,"
                         " registered_client_lifetime_days = $4 WHERE id = $5",
    [PG_TENANT_LIST] = "SELECT " TENANT_READ_COLS " FROM tenants WHERE true"
                       KEYSET("created_at", "$1", "$2", "$3"),

    [PG_SERVICE_INSERT] = "INSERT INTO services (id, tenant_id, name, description, status,"
                          " approval, created_at, updated_at, deleted_at, purge_at, version)"
                          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
    [PG_SERVICE_GET] = "SELECT " SERVICE_COLS " FROM service_v WHERE id = $1",
    [PG_SERVICE_UPDATE] = "UPDATE services SET name = $1, description = $2, status = $3,"
                          " approval = $4, updated_at = $5, deleted_at = $6, purge_at = $7,"
                          " version = version + 1 WHERE id = $8 AND version = $9",
    [PG_SERVICE_EXISTS] = "SELECT 1 FROM services WHERE id = $1",
    /* $1 tenant, $2 status, $3 $4 keyset, $5 limit */
    [PG_SERVICE_LIST] = "SELECT " SERVICE_COLS " FROM service_v"
                        " WHERE ($1::text IS NULL OR tenant_id = $1::text) AND "
                        STATUS_MATCH("$2") KEYSET("created_at", "$3", "$4", "$5"),

    /* The tenant is the service's; without the service the foreign key on service_id
     * refuses the row (CLV_NOT_FOUND). */
    [PG_CLIENT_INSERT] = "INSERT INTO clients (id, client_id, service_id, type, created_at,"
                         " version, tenant_id, " CLIENT_MUT_COLS ") VALUES ($1, $2, $3, $4, $5,"
                         " 1, coalesce((SELECT tenant_id FROM services WHERE id = $3), ''),"
                         " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,"
                         " $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32,"
                         " $33, $34, $35, $36, $37, $38, $39, $40)",
    [PG_CLIENT_GET] = "SELECT " CLIENT_COLS " FROM client_v WHERE client_id = $1",
    [PG_CLIENT_UPDATE] = "UPDATE clients SET " CLIENT_MUT_SET ", version = version + 1"
                         " WHERE id = $36 AND version = $37",
    [PG_CLIENT_EXISTS] = "SELECT 1 FROM clients WHERE id = $1",
    [PG_CLIENT_TOUCH] = "UPDATE clients SET last_used_at = $1 WHERE client_id = $2",
    [PG_CLIENT_COUNT] = "SELECT count(CASE WHEN status = 0 THEN 1 END),"
                        " count(CASE WHEN status = 1 THEN 1 END),"
                        " count(CASE WHEN status = 2 THEN 1 END) FROM clients",
    /* $1 service, $2 tenant, $3 status, $4 type, $5 q (NULL here), $6 $7 keyset, $8 limit,
     * $9 effective status, $10 unused_since, $11 secret_expires_before (docs/API.md "List
     * clients"; NULL when not asked for). */
    [PG_CLIENT_LIST] = "SELECT " CLIENT_COLS " FROM client_v"
                       " WHERE ($1::text IS NULL OR service_id = $1::text)"
                       " AND ($2::text IS NULL OR tenant_id = $2::text) AND "
                       CLIENT_STATUS_MATCH " AND ($4::integer = -1 OR type = $4::integer)"
                       " AND $5::text IS NULL" HYGIENE_FILTERS KEYSET("created_at", "$6", "$7", "$8"),
    /* The same with a q (docs/DESIGN.md R9): LIKE with %, _ and \ escaped, so that every
     * character is literal; or the exact client_id. For an empty q only (every name holds
     * it): any other q takes the walk or the index below (q.c). lower() folds by the
     * database's locale, where SQLite's clv_fold folds every Unicode character by
     * Clavis's own table: for non-ASCII names the two may differ. */
    [PG_CLIENT_LIST_Q] = "SELECT " CLIENT_COLS " FROM client_v"
                         " WHERE ($1::text IS NULL OR service_id = $1::text)"
                         " AND ($2::text IS NULL OR tenant_id = $2::text) AND "
                         CLIENT_STATUS_MATCH " AND ($4::integer = -1 OR type = $4::integer)"
                         " AND (lower(name) LIKE '%' || replace(replace(replace(lower($5::text),"
                         " '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'"
                         " OR client_id = $5::text)" HYGIENE_FILTERS
                         KEYSET("created_at", "$6", "$7", "$8"),

    /* q's walk (q.c): the list in its order, at most $12 rows of the service $1 and tenant
     * $2 (through their keyset indexes), each checked for q (a substring of the folded
     * name, or the exact client_id), type and own status, then for the rest of the
     * filters; it stops at the page's last match. The status and type are checked outside
     * the budget's subquery: inside, when the budget is most of the rows left, the planner
     * would fetch every row past the cursor to filter and sort them instead of walking.
     * $13 is 1 when q holds no letter (q.c q_uncased): then the name need not be folded,
     * which was most of the walk's time. */
    [PG_CLIENT_LIST_Q_WALK] = "SELECT " CLIENT_COLS " FROM (SELECT wid, wts FROM (SELECT id AS wid,"
        " created_at AS wts, client_id AS wcid, name AS wname, type AS wtype, status AS wstatus"
        " FROM clients WHERE " Q_WALK_FILTERS " ORDER BY created_at DESC, id DESC"
        " LIMIT $12::bigint) w0 WHERE ((CASE WHEN $13::integer = 1 THEN strpos(wname, $5::text)"
        " ELSE strpos(lower(wname), lower($5::text)) END) > 0 OR wcid = $5::text) AND ($4::integer = -1 OR wtype = $4::integer)"
        " AND (($3::integer = -1 AND (wstatus <> 2 OR $9::integer = 2))"
        " OR wstatus = $3::integer)) w JOIN client_v ON id = wid WHERE " CLIENT_STATUS_MATCH
        HYGIENE_FILTERS " ORDER BY wts DESC, wid DESC LIMIT $8::bigint",
    /* How many rows that walk read: $12 when it stopped at its budget. Every parameter of
     * the walk is named, so that one set serves both. */
    [PG_CLIENT_Q_WINDOW] = "SELECT count(*) FROM (SELECT 1 FROM clients WHERE " Q_WALK_FILTERS
        " ORDER BY created_at DESC, id DESC LIMIT $12::bigint) w WHERE $5::text IS NOT NULL"
        " OR $3::integer IS NULL OR $4::integer IS NULL OR $8::bigint IS NULL"
        " OR $9::integer IS NULL OR $10::bigint IS NULL OR $11::bigint IS NULL"
        " OR $13::integer IS NULL",
    /* q's index (q.c): the rows whose keys (migration q, clavis_q_keys) hold every key asked
     * — the rare keys of q (clavis_q_grams, $12 the common ones) and the tags $13 — and
     * whose folded name holds q, and the one whose client_id is q (its unique index)
     * unless its name holds q; sorted (a materialized CTE, so that the planner reads the
     * indexes rather than walk the list through a hash of them); then the rest of the
     * filters until the page is full. Not one bitmap OR of the two: the heap scan would
     * then compute every row's keys again to check the OR. */
    [PG_CLIENT_LIST_Q_INDEX] = "WITH m AS MATERIALIZED (SELECT id AS mid, created_at AS mts"
        " FROM clients WHERE clavis_q_keys(name, service_id, tenant_id, status, type)"
        " @> (clavis_q_grams($5::text, $12::text[]) || $13::text[])"
        " AND strpos(lower(name), lower($5::text)) > 0 AND " Q_OWN_FILTERS
        " UNION ALL SELECT id, created_at FROM clients WHERE client_id = $5::text"
        " AND strpos(lower(name), lower($5::text)) = 0 AND " Q_OWN_FILTERS ")"
        " SELECT " CLIENT_COLS " FROM (SELECT mid, mts FROM m ORDER BY mts DESC, mid DESC) s"
        " JOIN client_v ON id = mid WHERE " CLIENT_STATUS_MATCH HYGIENE_FILTERS
        " ORDER BY mts DESC, mid DESC LIMIT $8::bigint",
    /* The newest $1 clients: each key (migration q) that at least 1 in $2 of them hold, how
     * many do, how many were read, and the table's size as last analyzed (q.c). */
    [PG_CLIENT_Q_SAMPLE] = "SELECT k, count(*), max(n), max(r.t) FROM (SELECT"
        " clavis_q_keys(name, service_id, tenant_id, status, type) AS ks, count(*) OVER () AS n"
        " FROM (SELECT * FROM clients ORDER BY created_at DESC, id DESC LIMIT $1::bigint) c) x,"
        " LATERAL (SELECT DISTINCT unnest(x.ks) AS k) u,"
        " (SELECT reltuples::bigint AS t FROM pg_class WHERE oid = 'clients'::regclass) r"
        " GROUP BY k HAVING count(*) * $2::bigint >= max(n)",

    [PG_SECRET_INSERT] = "INSERT INTO secrets (" SECRET_COLS ")"
                         " VALUES ($1, $2, $3, $4, $5, $6, $7)",
    [PG_SECRET_LIST] = "SELECT " SECRET_COLS " FROM secrets WHERE client_id = $1"
                       " ORDER BY created_at DESC, secret_id DESC",
    [PG_SECRET_DELETE] = "DELETE FROM secrets WHERE client_id = $1 AND secret_id = $2",
    [PG_SECRET_TOUCH] = "UPDATE secrets SET last_used_at = $1 WHERE secret_id = $2",

    [PG_USER_INSERT] = "INSERT INTO users (" USER_COLS ")"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    [PG_USER_GET] = "SELECT " USER_COLS " FROM users WHERE id = $1",
    [PG_USER_FIND] = "SELECT " USER_COLS " FROM users WHERE tenant_id = $1 AND username = $2",
    [PG_USER_UPDATE] = "UPDATE users SET username = $1, email = $2, password_hash = $3,"
                       " roles = $4, status = $5, updated_at = $6 WHERE id = $7",
    [PG_USER_DELETE] = "DELETE FROM users WHERE id = $1",
    /* $1 tenant, $2 $3 keyset, $4 limit */
    [PG_USER_LIST] = "SELECT " USER_COLS " FROM users"
                     " WHERE ($1::text IS NULL OR tenant_id = $1::text)"
                     KEYSET("created_at", "$2", "$3", "$4"),

    [PG_AUDIT_INSERT] = "INSERT INTO audit (" AUDIT_COLS ")"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    /* $1 tenant, $2 target, $3 actor, $4 since, $5 $6 keyset, $7 limit */
    [PG_AUDIT_LIST] = "SELECT " AUDIT_COLS " FROM audit"
                      " WHERE ($1::text IS NULL OR tenant_id = $1::text)"
                      " AND ($2::text IS NULL OR target_id = $2::text)"
                      " AND ($3::text IS NULL OR actor_id = $3::text) AND at >= $4::bigint"
                      KEYSET("at", "$5", "$6", "$7"),

    /* RFC 7009: revoking twice is not an error; keep the later expiry. */
    [PG_JTI_REVOKE] = "INSERT INTO revoked_jti (jti, exp) VALUES ($1, $2) ON CONFLICT (jti)"
                      " DO UPDATE SET exp = GREATEST(revoked_jti.exp, excluded.exp)",
    [PG_JTI_GET] = "SELECT 1 FROM revoked_jti WHERE jti = $1",

    /* What a purge removes, for its caller: 0 a client, 1 a service. */
    [PG_PURGE_SELECT] = "SELECT 0, client_id, tenant_id FROM clients" PURGE_CLIENTS_WHERE
                        " UNION ALL SELECT 1, id, tenant_id FROM services WHERE " PURGEABLE,
    [PG_PURGE_CLIENTS_DELETE] = "DELETE FROM clients" PURGE_CLIENTS_WHERE,
    [PG_PURGE_SERVICES_DELETE] = "DELETE FROM services WHERE " PURGEABLE,
    [PG_PURGE_JTI] = "DELETE FROM revoked_jti WHERE exp <= $1",
    [PG_PURGE_AUTHCODES] = "DELETE FROM authcodes WHERE expires_at <= $1",
    [PG_PURGE_REFRESH] = "DELETE FROM refresh_tokens WHERE expires_at <= $1",
    [PG_PURGE_FAMILIES] = "DELETE FROM revoked_families WHERE exp <= $1",
    [PG_PURGE_SESSIONS] = "DELETE FROM sessions WHERE expires_at <= $1",
    [PG_PURGE_ASSERTION_JTIS] = "DELETE FROM assertion_jtis WHERE exp <= $1",
    [PG_PURGE_IATS] = "DELETE FROM initial_access_tokens WHERE expires_at <= $1",

    /* A new code or refresh token is unused, whatever the caller's copy says. */
    [PG_AUTHCODE_INSERT] = "INSERT INTO authcodes (" AUTHCODE_COLS ") VALUES"
                           " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13)",
    /* Consuming is this one UPDATE: of two racing callers, only one changes the row (the
     * other waits for its commit, then finds used = 1). */
    [PG_AUTHCODE_MARK] = "UPDATE authcodes SET used = 1 WHERE hash = $1 AND used = 0"
                         " AND " FAMILY_LIVE("authcodes") " RETURNING " AUTHCODE_COLS,
    [PG_AUTHCODE_GET] = "SELECT " AUTHCODE_COLS " FROM authcodes WHERE hash = $1"
                        " AND " FAMILY_LIVE("authcodes"),
    [PG_REFRESH_INSERT] = "INSERT INTO refresh_tokens (" REFRESH_COLS ")"
                          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)",
    [PG_REFRESH_MARK] = "UPDATE refresh_tokens SET used = 1 WHERE hash = $1 AND used = 0"
                        " AND " FAMILY_LIVE("refresh_tokens") " RETURNING " REFRESH_COLS,
    [PG_REFRESH_GET] = "SELECT " REFRESH_COLS " FROM refresh_tokens WHERE hash = $1"
                       " AND " FAMILY_LIVE("refresh_tokens"),
    [PG_REFRESH_REVOKE] = "DELETE FROM refresh_tokens WHERE hash = $1 AND client_id = $2",
    [PG_FAMILY_REVOKE] = "INSERT INTO revoked_families (family_id, exp) VALUES ($1, $2)"
                         " ON CONFLICT (family_id)"
                         " DO UPDATE SET exp = GREATEST(revoked_families.exp, excluded.exp)",
    [PG_FAMILY_GET] = "SELECT 1 FROM revoked_families WHERE family_id = $1",
    /* The used rows stay: presenting one again is a replay the caller must see. */
    [PG_FAMILY_DROP_CODES] = "DELETE FROM authcodes WHERE family_id = $1 AND used = 0",
    [PG_FAMILY_DROP_REFRESH] = "DELETE FROM refresh_tokens WHERE family_id = $1 AND used = 0",
    [PG_CLIENT_DROP_CODES] = "DELETE FROM authcodes WHERE client_id = $1 AND used = 0",
    [PG_CLIENT_DROP_REFRESH] = "DELETE FROM refresh_tokens WHERE client_id = $1 AND used = 0",

    [PG_SESSION_INSERT] = "INSERT INTO sessions (" SESSION_COLS ") VALUES ($1, $2, $3, $4, $5)",
    [PG_SESSION_GET] = "SELECT " SESSION_COLS " FROM sessions WHERE hash = $1",
    [PG_SESSION_DELETE] = "DELETE FROM sessions WHERE hash = $1",
    [PG_ASSERTION_JTI_USE] = "INSERT INTO assertion_jtis (jti, client_id, exp)"
                             " VALUES ($1, $2, $3)",

    [PG_IAT_INSERT] = "INSERT INTO initial_access_tokens (" IAT_COLS ")"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    /* One UPDATE takes a use, so two registrations cannot share the last one; -1 (no
     * limit) stays -1. RETURNING gives uses_left as this use left it. */
    [PG_IAT_USE] = "UPDATE initial_access_tokens"
                   " SET uses_left = CASE WHEN uses_left = -1 THEN -1 ELSE uses_left - 1 END"
                   " WHERE hash = $1 AND expires_at > $2 AND (uses_left > 0 OR uses_left = -1)"
                   " RETURNING " IAT_COLS,
    [PG_IAT_LIST] = "SELECT " IAT_COLS " FROM initial_access_tokens"
                    " WHERE ($1::text IS NULL OR tenant_id = $1)"
                    " AND ($2::text IS NULL OR service_id = $2) AND expires_at > $3 AND uses_left <> 0"
                    " ORDER BY created_at DESC, id DESC LIMIT 1000",
    [PG_REGTOKEN_PUT] = "INSERT INTO registration_tokens (client_id, hash) VALUES ($1, $2)"
                        " ON CONFLICT (client_id) DO UPDATE SET hash = excluded.hash",
    [PG_REGTOKEN_GET] = "SELECT hash FROM registration_tokens WHERE client_id = $1",

    [PG_CONSENT_GET] = "SELECT " CONSENT_COLS " FROM consents"
                       " WHERE user_id = $1 AND client_id = $2",
    [PG_CONSENT_PUT] = "INSERT INTO consents (" CONSENT_COLS ") VALUES ($1, $2, $3, $4, $5, $6)"
                       " ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope,"
                       " updated_at = excluded.updated_at",
    /* $1 user, $2 $3 keyset, $4 limit */
    [PG_CONSENT_LIST] = "SELECT " CONSENT_COLS " FROM consents WHERE user_id = $1"
                        " AND (created_at, client_id) < ($2::bigint, $3::text)"
                        " ORDER BY created_at DESC, client_id DESC LIMIT $4::bigint",
    [PG_CONSENT_DELETE] = "DELETE FROM consents WHERE user_id = $1 AND client_id = $2",
    [PG_RESOURCE_INSERT] = "INSERT INTO resources (" RESOURCE_COLS ") VALUES ($1, $2, $3, $4, $5, $6)",
    [PG_RESOURCE_FIND] = "SELECT " RESOURCE_COLS " FROM resources"
                         " WHERE service_id = $1 AND identifier = $2",
    [PG_RESOURCE_LIST] = "SELECT " RESOURCE_COLS " FROM resources WHERE service_id = $1"
                         " ORDER BY created_at DESC, id DESC",
    [PG_RESOURCE_DELETE] = "DELETE FROM resources WHERE service_id = $1 AND id = $2",

    /* One node at a time runs the purge and the hygiene: the lock is held until the purge's
     * transaction ends (the key is Clavis's own constant, not the migrations'). */
    [PG_PURGE_LOCK] = "SELECT pg_try_advisory_xact_lock(7307015633716480312)",
    /* $1 now, $2 limit (docs/OPERATIONS.md "Hygiene") */
    [PG_HYGIENE_CANDIDATES] = "SELECT " CLIENT_COLS " FROM client_v WHERE id IN (SELECT c.id"
                              " FROM tenants t JOIN client_v c ON c.tenant_id = t.id"
                              HYGIENE_WHERE " ORDER BY " LAST_USE ", c.id LIMIT $2::bigint)"
                              " ORDER BY GREATEST(last_used_at, created_at), id",
    /* Registrations into one service count one after the other (store_ops.h
     * registered_count): a lock of the service until the transaction ends, in the two-key
     * space (int, int) under Clavis's own first key ("CLVR"). */
    [PG_SERVICE_LOCK] = "SELECT pg_advisory_xact_lock(1129075282, hashtext($1))",
    [PG_REGISTERED_COUNT] = "SELECT count(*) FROM clients c JOIN registration_tokens r"
                            " ON r.client_id = c.client_id WHERE c.service_id = $1"
                            " AND c.status <> 2",
};
/* clang-format on */
