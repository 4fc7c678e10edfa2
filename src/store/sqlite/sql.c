/* sql — every SQL text of the SQLite backend: the numbered migrations and the
 * statements each connection prepares (see impl.h). All literal; every value is a
 * bound parameter.
 *
 * Conventions. Enums are stored as their integer values (clv_status: active 0, inactive 1,
 * deleted 2), booleans as 0/1, times as Unix seconds with 0 for "unset", list-valued
 * fields as compact JSON text. Lists are keyset-paginated in the order of docs/DESIGN.md R8
 * (created_at DESC, id DESC) with a row-value comparison "(created_at, id) < (?, ?)",
 * which SQLite turns into a range on the matching index, so a page costs the same at any
 * depth. Optional filters are written "(?n IS NULL OR col = ?n)" in one statement; where a
 * filter is selective (service, tenant, a given status) a variant of the statement leads
 * with "col = ?n AND" so that the planner picks the index that starts with col. */
#include "store/sqlite/impl.h"

/* ---- migrations ---- */

static const char migration_1[] =
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"

    "CREATE TABLE tenants ("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL, status INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX tenants_list ON tenants (created_at DESC, id DESC);"

    "CREATE TABLE services ("
    " id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants (id),"
    " name TEXT NOT NULL, description TEXT, status INTEGER NOT NULL,"
    " approval INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " deleted_at INTEGER NOT NULL, purge_at INTEGER NOT NULL, version INTEGER NOT NULL);"
    "CREATE INDEX services_list ON services (created_at DESC, id DESC);"
    "CREATE INDEX services_tenant ON services (tenant_id, created_at DESC, id DESC);"
    "CREATE INDEX services_status ON services (status, created_at DESC, id DESC);"

    /* tenant_id is the service's, copied at insert (a service never changes tenant) so
     * that listing one tenant's clients is an index range, not a join over all. */
    "CREATE TABLE clients ("
    " id TEXT PRIMARY KEY, client_id TEXT NOT NULL UNIQUE,"
    " service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,"
    " tenant_id TEXT NOT NULL, type INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    " version INTEGER NOT NULL, name TEXT NOT NULL, description TEXT,"
    " status INTEGER NOT NULL, redirect_uris TEXT NOT NULL,"
    " post_logout_redirect_uris TEXT NOT NULL, allowed_cors_origins TEXT NOT NULL,"
    " scopes TEXT NOT NULL, roles TEXT NOT NULL, audience TEXT NOT NULL,"
    " contacts TEXT NOT NULL, auth_method INTEGER NOT NULL,"
    " access_token_lifetime INTEGER NOT NULL, signing_alg INTEGER NOT NULL,"
    " allow_refresh_token INTEGER NOT NULL, refresh_token_lifetime INTEGER NOT NULL,"
    " require_pkce INTEGER NOT NULL, allow_client_credentials INTEGER NOT NULL,"
    " subject_type INTEGER NOT NULL, sector_identifier_uri TEXT, sector_identifier TEXT,"
    " protected INTEGER NOT NULL, jwks TEXT, jwks_uri TEXT, client_uri TEXT,"
    " logo_uri TEXT, policy_uri TEXT, tos_uri TEXT, software_id TEXT,"
    " software_version TEXT, updated_at INTEGER NOT NULL, deleted_at INTEGER NOT NULL,"
    " purge_at INTEGER NOT NULL, last_used_at INTEGER NOT NULL,"
    " tokens_revoked_at INTEGER NOT NULL);"
    "CREATE INDEX clients_list ON clients (created_at DESC, id DESC);"
    "CREATE INDEX clients_service ON clients (service_id, created_at DESC, id DESC);"
    "CREATE INDEX clients_tenant ON clients (tenant_id, created_at DESC, id DESC);"
    "CREATE INDEX clients_status ON clients (status, created_at DESC, id DESC);"

    "CREATE TABLE secrets ("
    " secret_id TEXT PRIMARY KEY,"
    " client_id TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,"
    " description TEXT, hash BLOB NOT NULL CHECK (length(hash) = 32),"
    " created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
    " last_used_at INTEGER NOT NULL);"
    "CREATE INDEX secrets_client ON secrets (client_id, created_at DESC, secret_id DESC);"

    "CREATE TABLE users ("
    " id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants (id),"
    " username TEXT NOT NULL, email TEXT, password_hash TEXT NOT NULL,"
    " roles TEXT NOT NULL, status INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL, UNIQUE (tenant_id, username));"
    "CREATE INDEX users_list ON users (created_at DESC, id DESC);"
    "CREATE INDEX users_tenant ON users (tenant_id, created_at DESC, id DESC);"

    /* No foreign keys: the audit log outlives the objects it tells about (docs/DESIGN.md M). */
    "CREATE TABLE audit ("
    " id TEXT PRIMARY KEY, at INTEGER NOT NULL, actor_type TEXT NOT NULL,"
    " actor_id TEXT NOT NULL, tenant_id TEXT, action TEXT NOT NULL,"
    " target_type TEXT NOT NULL, target_id TEXT NOT NULL, changes TEXT NOT NULL);"
    "CREATE INDEX audit_list ON audit (at DESC, id DESC);"
    "CREATE INDEX audit_tenant ON audit (tenant_id, at DESC, id DESC);"
    "CREATE INDEX audit_target ON audit (target_id, at DESC, id DESC);"
    "CREATE INDEX audit_actor ON audit (actor_id, at DESC, id DESC);"

    "CREATE TABLE revoked_jti (jti TEXT PRIMARY KEY, exp INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX revoked_jti_exp ON revoked_jti (exp);"

    /* The joined statuses that make a client's effective status (docs/DESIGN.md M). */
    "CREATE VIEW service_v AS SELECT s.*, t.status AS tenant_status"
    " FROM services s JOIN tenants t ON t.id = s.tenant_id;"
    "CREATE VIEW client_v AS SELECT c.*, s.status AS service_status,"
    " s.approval AS service_approval, t.status AS tenant_status"
    " FROM clients c JOIN services s ON s.id = c.service_id"
    " JOIN tenants t ON t.id = s.tenant_id;";

/* Migration 2: the end-user flows (authorization codes, refresh tokens, sessions) and
 * dynamic registration (RFC 7591 / 7592). Every token is stored by the SHA-256 of its
 * value only, so that a copy of the database yields nothing a client could present.
 * family_id ties a code to every refresh token issued from it (RFC 9700 §4.14); the
 * family indexes make revoking one a range delete. used is 0/1: consuming a code or a
 * refresh token is one UPDATE … WHERE used = 0 (grants.c). */
static const char migration_2[] =
    "CREATE TABLE authcodes ("
    " hash BLOB PRIMARY KEY CHECK (length(hash) = 32),"
    " client_id TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,"
    " user_id TEXT NOT NULL, tenant_id TEXT NOT NULL, redirect_uri TEXT NOT NULL,"
    " scope TEXT NOT NULL, nonce TEXT, code_challenge TEXT, family_id TEXT NOT NULL,"
    " auth_time INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX authcodes_client ON authcodes (client_id);"
    "CREATE INDEX authcodes_family ON authcodes (family_id);"
    "CREATE INDEX authcodes_expires ON authcodes (expires_at);"

    "CREATE TABLE refresh_tokens ("
    " hash BLOB PRIMARY KEY CHECK (length(hash) = 32),"
    " client_id TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,"
    " user_id TEXT NOT NULL, tenant_id TEXT NOT NULL, scope TEXT NOT NULL,"
    " family_id TEXT NOT NULL, auth_time INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX refresh_tokens_client ON refresh_tokens (client_id);"
    "CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);"
    "CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);"

    /* Kept until the last access token of the family has expired (exp). */
    "CREATE TABLE revoked_families (family_id TEXT PRIMARY KEY, exp INTEGER NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE INDEX revoked_families_exp ON revoked_families (exp);"

    "CREATE TABLE sessions ("
    " hash BLOB PRIMARY KEY CHECK (length(hash) = 32),"
    " user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " tenant_id TEXT NOT NULL, auth_time INTEGER NOT NULL, expires_at INTEGER NOT NULL);"
    "CREATE INDEX sessions_user ON sessions (user_id);"
    "CREATE INDEX sessions_expires ON sessions (expires_at);"

    /* RFC 7523 §3 item 7: a jti is unique per issuer, and the issuer is the client. */
    "CREATE TABLE assertion_jtis ("
    " jti TEXT NOT NULL, client_id TEXT NOT NULL, exp INTEGER NOT NULL,"
    " PRIMARY KEY (jti, client_id)) WITHOUT ROWID;"
    "CREATE INDEX assertion_jtis_exp ON assertion_jtis (exp);"

    "CREATE TABLE initial_access_tokens ("
    " hash BLOB PRIMARY KEY CHECK (length(hash) = 32), id TEXT NOT NULL UNIQUE,"
    " service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,"
    " tenant_id TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, uses_left INTEGER NOT NULL CHECK (uses_left >= -1));"
    "CREATE INDEX initial_access_tokens_service ON initial_access_tokens (service_id);"
    "CREATE INDEX initial_access_tokens_expires ON initial_access_tokens (expires_at);"

    "CREATE TABLE registration_tokens ("
    " client_id TEXT PRIMARY KEY REFERENCES clients (client_id) ON DELETE CASCADE,"
    " hash BLOB NOT NULL CHECK (length(hash) = 32)) WITHOUT ROWID;";

/* Migration 3: an index for q (docs/DESIGN.md R9), so that a page with q does not read every
 * client. clients_fts is a contentless FTS5 table with the trigram tokenizer over client
 * names: it stores no text, only trigrams, and is searched with MATCH for one quoted
 * phrase. Its rowid cannot be the rowid of clients: that table has a TEXT primary key, so
 * its rowid is not an alias and VACUUM may renumber it. clients_fts_map keeps the mapping
 * instead (k INTEGER PRIMARY KEY is stable, id is the client's primary key). The triggers
 * keep both in step with clients; a contentless FTS5 table forgets a row by the 'delete'
 * command given the exact values it indexed, which old.name is. The name is indexed as it
 * is; the tokenizer folds case itself (case_sensitive 0), and the list statements still
 * check every candidate with clv_fold (fold.c), which decides. */
static const char migration_3[] =
    "CREATE TABLE clients_fts_map (k INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);"
    "CREATE VIRTUAL TABLE clients_fts USING fts5 (name, content='', tokenize='trigram');"
    "INSERT INTO clients_fts_map (id) SELECT id FROM clients;"
    "INSERT INTO clients_fts (rowid, name)"
    " SELECT m.k, c.name FROM clients_fts_map m JOIN clients c ON c.id = m.id;"

    "CREATE TRIGGER clients_fts_insert AFTER INSERT ON clients BEGIN"
    " INSERT INTO clients_fts_map (id) VALUES (new.id);"
    " INSERT INTO clients_fts (rowid, name)"
    "  SELECT k, new.name FROM clients_fts_map WHERE id = new.id;"
    " END;"
    "CREATE TRIGGER clients_fts_update AFTER UPDATE OF name ON clients"
    " WHEN new.name IS NOT old.name BEGIN"
    " INSERT INTO clients_fts (clients_fts, rowid, name)"
    "  SELECT 'delete', k, old.name FROM clients_fts_map WHERE id = old.id;"
    " INSERT INTO clients_fts (rowid, name)"
    "  SELECT k, new.name FROM clients_fts_map WHERE id = new.id;"
    " END;"
    "CREATE TRIGGER clients_fts_delete AFTER DELETE ON clients BEGIN"
    " INSERT INTO clients_fts (clients_fts, rowid, name)"
    "  SELECT 'delete', k, old.name FROM clients_fts_map WHERE id = old.id;"
    " DELETE FROM clients_fts_map WHERE id = old.id;"
    " END;";

/* Migration 4: q reads its index newest first, with the other filters of the list, and
 * stops at the page's last match.
 * - The keys of clients_fts_map follow the list order (docs/DESIGN.md R8): a client's key is
 *   created_at * 2^20 (CLV_SQLITE_Q_SECOND) plus its rank by id among the clients of the
 *   same second, so key order is exactly (created_at, id) order. The store's insert keys a
 *   new client (q_index.c), not a trigger: the next key of its second, or, when its id
 *   sorts before one already there, the second numbered again.
 * - clients_fts holds beside each name its tags (clv_q_tags, fold.c): hashes of its
 *   service, tenant and status, so that q with those filters is one query of the index.
 * - clients_grams indexes every character and every pair of neighbours of the folded name
 *   (clv_grams) for q of 1 and 2 characters, which trigrams cannot match, and the same
 *   tags as words; contentless, detail=none: only which names hold a word.
 * Both indexes are rebuilt here under the new keys. The update and delete triggers keep
 * them (a contentless FTS5 table forgets a row given the exact values it indexed); the SQL
 * functions must be registered on a connection that changes clients (every connection of
 * the store is). */
#define Q_FTS_VALUES(c) c ".name, clv_q_tags(" c ".service_id, " c ".tenant_id, " c ".status, 0)"
#define Q_GRAMS_VALUES(c)                                                                  \
    "clv_grams(" c ".name) || ' ' || clv_q_tags(" c ".service_id, " c ".tenant_id, " c      \
    ".status, 1)"
/* The mapped clients of one second (?1 its first key), as m and c. */
#define Q_SECOND_ROWS                                                                      \
    " FROM clients_fts_map m JOIN clients c ON c.id = m.id"                               \
    " WHERE m.k >= ?1 AND m.k < ?1 + " CLV_SQLITE_Q_SECOND_SQL
/* The clients whose names wait in clients_q_pending (migration q pending), as m and c;
 * CROSS JOIN keeps the short list the outer loop (without it SQLite scans the whole map). */
#define Q_PENDING_ROWS                                                                     \
    " FROM clients_q_pending p CROSS JOIN clients_fts_map m ON m.k = p.k"                 \
    " CROSS JOIN clients c ON c.id = m.id"
/* The indexed clients of the keys [?1, ?2), as m and c (none of them waits). */
#define Q_SHIFTED_ROWS                                                                     \
    " FROM clients_fts_map m JOIN clients c ON c.id = m.id"                               \
    " WHERE m.k >= ?1 AND m.k < ?2 AND m.k NOT IN (SELECT k FROM clients_q_pending)"
static const char migration_4[] =
    "DROP TRIGGER clients_fts_insert;"
    "DROP TRIGGER clients_fts_update;"
    "DROP TRIGGER clients_fts_delete;"
    "DROP TABLE clients_fts;"
    "DELETE FROM clients_fts_map;"
    "INSERT INTO clients_fts_map (k, id) SELECT created_at * " CLV_SQLITE_Q_SECOND_SQL
    " + row_number() OVER (PARTITION BY created_at ORDER BY id) - 1, id FROM clients;"
    "CREATE VIRTUAL TABLE clients_fts USING fts5 (name, tags, content='', tokenize='trigram');"
    "INSERT INTO clients_fts (rowid, name, tags)"
    " SELECT m.k, " Q_FTS_VALUES("c") " FROM clients_fts_map m JOIN clients c ON c.id = m.id;"
    "CREATE VIRTUAL TABLE clients_grams USING fts5"
    " (g, content='', detail='none', tokenize='ascii');"
    "INSERT INTO clients_grams (rowid, g)"
    " SELECT m.k, " Q_GRAMS_VALUES("c") " FROM clients_fts_map m JOIN clients c ON c.id = m.id;"

    "CREATE TRIGGER clients_q_update AFTER UPDATE OF name, status ON clients"
    " WHEN new.name IS NOT old.name OR new.status IS NOT old.status BEGIN"
    " INSERT INTO clients_fts (clients_fts, rowid, name, tags)"
    "  SELECT 'delete', k, " Q_FTS_VALUES("old") " FROM clients_fts_map WHERE id = old.id;"
    " INSERT INTO clients_grams (clients_grams, rowid, g)"
    "  SELECT 'delete', k, " Q_GRAMS_VALUES("old") " FROM clients_fts_map WHERE id = old.id;"
    " INSERT INTO clients_fts (rowid, name, tags)"
    "  SELECT k, " Q_FTS_VALUES("new") " FROM clients_fts_map WHERE id = new.id;"
    " INSERT INTO clients_grams (rowid, g)"
    "  SELECT k, " Q_GRAMS_VALUES("new") " FROM clients_fts_map WHERE id = new.id;"
    " END;"
    "CREATE TRIGGER clients_q_delete AFTER DELETE ON clients BEGIN"
    " INSERT INTO clients_fts (clients_fts, rowid, name, tags)"
    "  SELECT 'delete', k, " Q_FTS_VALUES("old") " FROM clients_fts_map WHERE id = old.id;"
    " INSERT INTO clients_grams (clients_grams, rowid, g)"
    "  SELECT 'delete', k, " Q_GRAMS_VALUES("old") " FROM clients_fts_map WHERE id = old.id;"
    " DELETE FROM clients_fts_map WHERE id = old.id;"
    " END;";

/* Migration 5: first-party clients and remembered consent (docs/DESIGN.md D2, D3). A
 * client registered before it (it has a registration token) is not first-party; the init
 * client follows the server's --token-alg (-1, CLV_ALG_SERVER) as new clients do. The view
 * is made again so that it names the new column. The trigger marks every client that gets a
 * registration token as not first-party, whoever inserts it: a release before this one that
 * still serves during a restart (--reuse-port) writes no first_party, and the column's
 * default would otherwise make what it registers first-party. */
static const char migration_5[] =
    "ALTER TABLE clients ADD COLUMN first_party INTEGER NOT NULL DEFAULT 1;"
    "UPDATE clients SET first_party = 0"
    " WHERE client_id IN (SELECT client_id FROM registration_tokens);"
    "CREATE TRIGGER registered_not_first_party AFTER INSERT ON registration_tokens BEGIN"
    " UPDATE clients SET first_party = 0 WHERE client_id = new.client_id;"
    " END;"
    "UPDATE clients SET signing_alg = -1"
    " WHERE protected = 1 AND type = 2 AND service_id = "
    "(SELECT value FROM meta WHERE name = 'init_service_id');"
    "DROP VIEW client_v;"
    "CREATE VIEW client_v AS SELECT c.*, s.status AS service_status,"
    " s.approval AS service_approval, t.status AS tenant_status"
    " FROM clients c JOIN services s ON s.id = c.service_id"
    " JOIN tenants t ON t.id = s.tenant_id;"
    "CREATE TABLE consents ("
    " user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " client_id TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,"
    " tenant_id TEXT NOT NULL, scope TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL, PRIMARY KEY (user_id, client_id)) WITHOUT ROWID;"
    "CREATE INDEX consents_client ON consents (client_id);"
    "CREATE INDEX consents_list ON consents (user_id, created_at DESC, client_id DESC);";

/* Resource indicators (RFC 8707; docs/DESIGN.md R38): the APIs of a service (an identifier
 * belongs to one service of the whole server: else another tenant could mint tokens whose
 * aud is someone else's API), and the one a code or refresh token was issued for. */
static const char migration_resources[] =
    "CREATE TABLE resources ("
    " id TEXT PRIMARY KEY,"
    " service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,"
    " identifier TEXT NOT NULL, name TEXT, scopes TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " UNIQUE (identifier));"
    "CREATE INDEX resources_list ON resources (service_id, created_at DESC, id DESC);"
    "ALTER TABLE authcodes ADD COLUMN resource TEXT;"
    "ALTER TABLE refresh_tokens ADD COLUMN resource TEXT;";

/* Client hygiene (docs/OPERATIONS.md "Hygiene"): a tenant's two settings, in days (0: off,
 * the default), and an index of a client's last use — its last token, or its creation if it
 * never had one: max(last_used_at, created_at), as last_used_at is 0 or later than
 * created_at — per tenant, so that the purge timer finds the unused clients of a tenant by
 * a range (ST_HYGIENE_CANDIDATES). */
static const char migration_hygiene[] =
    "ALTER TABLE tenants ADD COLUMN deactivate_unused_after_days INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE tenants ADD COLUMN registered_client_lifetime_days INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX clients_last_use ON clients (tenant_id, max(last_used_at, created_at));";


/* Migration (signing keys): the server's signing keys, each sealed under the
 * key-encryption key, which is never in the database (docs/DESIGN.md "Signing keys and the
 * KEK"). One active key per alg (the partial unique index: two nodes rotating at once make
 * one key). The keys that were in meta in clear are moved here by core/signing_keys.c, in
 * one transaction, when the server first starts on the migrated database. */
static const char migration_keys[] =
    "CREATE TABLE signing_keys (seq INTEGER PRIMARY KEY, kid TEXT NOT NULL UNIQUE,"
    " alg INTEGER NOT NULL, active INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    " retire_at INTEGER NOT NULL, sealed TEXT NOT NULL);"
    "CREATE UNIQUE INDEX signing_keys_active ON signing_keys (alg) WHERE active = 1;";

/* Migration (q pending): the names of the clients a batch of the group commit creates are
 * indexed once, when the batch commits, not one by one (docs/DESIGN.md D17, q_index.c):
 * FTS5 writes what it holds as a new segment of the index at every savepoint, and every
 * request of a batch is a savepoint. clients_q_pending keys the clients of the open batch
 * whose names are not yet in clients_fts and clients_grams; it is emptied in the batch's
 * transaction, so it is always empty outside one. The update and delete triggers leave
 * the indexes alone for those clients (the batch's end indexes what they then are) and a
 * deleted client leaves the list. */
#define Q_INDEXED(c)                                                                       \
    " FROM clients_fts_map WHERE id = " c ".id AND k NOT IN (SELECT k FROM clients_q_pending)"
/* The old row's entries taken out of both indexes, unless it waits to be indexed. */
#define Q_UNINDEX_OLD                                                                      \
    " INSERT INTO clients_fts (clients_fts, rowid, name, tags)"                           \
    "  SELECT 'delete', k, " Q_FTS_VALUES("old") Q_INDEXED("old") ";"                     \
    " INSERT INTO clients_grams (clients_grams, rowid, g)"                                \
    "  SELECT 'delete', k, " Q_GRAMS_VALUES("old") Q_INDEXED("old") ";"
static const char migration_q_pending[] =
    "CREATE TABLE clients_q_pending (k INTEGER PRIMARY KEY);"
    "DROP TRIGGER clients_q_update;"
    "DROP TRIGGER clients_q_delete;"
    "CREATE TRIGGER clients_q_update AFTER UPDATE OF name, status ON clients"
    " WHEN new.name IS NOT old.name OR new.status IS NOT old.status BEGIN" Q_UNINDEX_OLD
    " INSERT INTO clients_fts (rowid, name, tags)"
    "  SELECT k, " Q_FTS_VALUES("new") Q_INDEXED("new") ";"
    " INSERT INTO clients_grams (rowid, g)"
    "  SELECT k, " Q_GRAMS_VALUES("new") Q_INDEXED("new") ";"
    " END;"
    "CREATE TRIGGER clients_q_delete AFTER DELETE ON clients BEGIN" Q_UNINDEX_OLD
    " DELETE FROM clients_q_pending WHERE k IN (SELECT k FROM clients_fts_map WHERE id = old.id);"
    " DELETE FROM clients_fts_map WHERE id = old.id;"
    " END;";

const char *const clv_sqlite_migrations[] = {migration_1,         migration_2,      migration_3,
                                             migration_4,         migration_5,      migration_resources,
                                             migration_hygiene,   migration_keys,
                                             migration_q_pending};
const int clv_sqlite_migration_count =
    (int)(sizeof clv_sqlite_migrations / sizeof clv_sqlite_migrations[0]);

int clv_sqlite_migration_q_pending(void)
{
    for (int i = 0; i < clv_sqlite_migration_count; i++)
        if (clv_sqlite_migrations[i] == migration_q_pending)
            return i + 1;
    return 0;
}

/* ---- column lists, shared by the statements below and by the row code ---- */

/* The SQL reads better laid out by hand. */
/* clang-format off */

#define TENANT_COLS "id, name, status, created_at"
/* what a tenant row reads: TENANT_COLS and the hygiene settings (migration 7) */
#define TENANT_READ_COLS                                                                   \
    TENANT_COLS ", deactivate_unused_after_days, registered_client_lifetime_days"

#define SERVICE_COLS                                                                       \
    "id, tenant_id, name, description, status, approval, created_at, updated_at,"         \
    " deleted_at, purge_at, version, tenant_status"

/* The client columns an update writes, in the order clv_sqlite bind/load code uses. */
#define CLIENT_MUT_COLS                                                                    \
    "name, description, status, redirect_uris, post_logout_redirect_uris,"                \
    " allowed_cors_origins, scopes, roles, audience, contacts, auth_method,"              \
    " access_token_lifetime, signing_alg, allow_refresh_token, refresh_token_lifetime,"   \
    " require_pkce, allow_client_credentials, subject_type, sector_identifier_uri,"       \
    " sector_identifier, protected, jwks, jwks_uri, client_uri, logo_uri, policy_uri,"    \
    " tos_uri, software_id, software_version, updated_at, deleted_at, purge_at,"          \
    " last_used_at, tokens_revoked_at"
#define CLIENT_MUT_PARAMS                                                                  \
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"  \
    " ?, ?, ?, ?, ?, ?"
/* last_used_at never goes back: a token issued between the caller's read and this update
 * has touched it, and the caller's copy is older. */
#define CLIENT_MUT_SET                                                                     \
    "name = ?, description = ?, status = ?, redirect_uris = ?,"                           \
    " post_logout_redirect_uris = ?, allowed_cors_origins = ?, scopes = ?, roles = ?,"    \
    " audience = ?, contacts = ?, auth_method = ?, access_token_lifetime = ?,"            \
    " signing_alg = ?, allow_refresh_token = ?, refresh_token_lifetime = ?,"              \
    " require_pkce = ?, allow_client_credentials = ?, subject_type = ?,"                  \
    " sector_identifier_uri = ?, sector_identifier = ?, protected = ?, jwks = ?,"         \
    " jwks_uri = ?, client_uri = ?, logo_uri = ?, policy_uri = ?, tos_uri = ?,"           \
    " software_id = ?, software_version = ?, updated_at = ?, deleted_at = ?,"             \
    " purge_at = ?, last_used_at = max(last_used_at, ?), tokens_revoked_at = ?"
#define CLIENT_COLS                                                                        \
    "id, client_id, service_id, tenant_id, type, created_at, version, " CLIENT_MUT_COLS   \
    ", service_status, service_approval, tenant_status, first_party"

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

/* The row of table t belongs to no revoked family: such a code or refresh token counts as
 * gone (RFC 9700 §4.14.2), also when it was issued after the family was revoked. */
#define FAMILY_LIVE(t)                                                                     \
    "NOT EXISTS (SELECT 1 FROM revoked_families f WHERE f.family_id = " t ".family_id)"

/* status: -1 = every status but deleted (2). */
#define STATUS_MATCH(n) "((" n " = -1 AND status <> 2) OR status = " n ")"

/* ?1 tenant, ?2 status, ?3 ?4 keyset, ?5 limit */
#define SERVICE_LIST(lead)                                                                 \
    "SELECT " SERVICE_COLS " FROM service_v WHERE " lead                                  \
    "(?1 IS NULL OR tenant_id = ?1) AND " STATUS_MATCH("?2")                              \
    " AND (created_at, id) < (?3, ?4) ORDER BY created_at DESC, id DESC LIMIT ?5"

/* A client's own status ?3 (-1: every status but deleted) and its effective status ?9 (-1:
 * any), the weakest of the client's, its service's and its tenant's (docs/API.md): the
 * largest of the three, as the enum is ordered active < inactive < deleted. Asking for the
 * effective status deleted takes in the clients deleted themselves, also with ?3 = -1. */
#define CLIENT_STATUS_MATCH                                                                \
    "((?3 = -1 AND (status <> 2 OR ?9 = 2)) OR status = ?3)"                              \
    " AND (?9 = -1 OR max(status, service_status, tenant_status) = ?9)"

/* The hygiene filters (docs/API.md "List clients"), NULL when not asked for: ?12
 * unused_since (the last use, or the creation if never used, before it), ?13
 * secret_expires_before (a secret with an expiry before it). */
#define CLIENT_HYGIENE_MATCH                                                               \
    " AND (?12 IS NULL OR max(last_used_at, created_at) < ?12)"                           \
    " AND (?13 IS NULL OR EXISTS (SELECT 1 FROM secrets x WHERE"                           \
    " x.client_id = client_v.client_id AND x.expires_at <> 0 AND x.expires_at < ?13))"

/* ?1 service, ?2 tenant, ?3 status, ?4 type, ?5 q, ?6 ?7 keyset, ?8 limit, ?9 effective
 * status, ?10 ?11 (the index variants below), ?12 ?13 CLIENT_HYGIENE_MATCH. q (docs/DESIGN.md R9) uses instr, not LIKE, so that %, _ and * are literal; clv_fold()
 * lower-cases every character (fold.c). */
#define CLIENT_LIST(lead)                                                                  \
    "SELECT " CLIENT_COLS " FROM client_v WHERE " lead                                    \
    "(?1 IS NULL OR service_id = ?1) AND (?2 IS NULL OR tenant_id = ?2) AND "             \
    CLIENT_STATUS_MATCH " AND (?4 = -1 OR type = ?4) AND (?5 IS NULL OR"                  \
    " instr(clv_fold(name), clv_fold(?5)) > 0 OR client_id = ?5)" CLIENT_HYGIENE_MATCH          \
    " AND (created_at, id) < (?6, ?7) ORDER BY created_at DESC, id DESC LIMIT ?8"


/* The same list as CLIENT_LIST with every filter and the same order, for q with an index:
 * its rows come from `index` (clients_fts, or clients_grams for q of 1 and 2 characters)
 * matching `match`, read newest first (the keys of clients_fts_map follow the list order,
 * migration 4) from ?10, the first key past the cursor's second, so the scan stops at the
 * page's last match; the exact q predicate then decides on each name the index matched.
 * The client whose client_id is q is added by its unique index, and the union sorted again
 * (at most limit + 1 rows). */
#define CLIENT_FILTERS                                                                     \
    "(?1 IS NULL OR service_id = ?1) AND (?2 IS NULL OR tenant_id = ?2) AND "             \
    CLIENT_STATUS_MATCH " AND (?4 = -1 OR type = ?4)" CLIENT_HYGIENE_MATCH                 \
    " AND (created_at, id) < (?6, ?7)"
#define CLIENT_LIST_INDEX(index, match)                                                    \
    "SELECT * FROM (SELECT " CLIENT_COLS " FROM (SELECT m.id AS cid, f.rowid AS fk"       \
    " FROM " index " f JOIN clients_fts_map m ON m.k = f.rowid"                           \
    " WHERE " index " MATCH " match " AND f.rowid < ?10)"                                 \
    " CROSS JOIN client_v ON id = cid WHERE " CLIENT_FILTERS                              \
    " AND instr(clv_fold(name), clv_fold(?5)) > 0 ORDER BY fk DESC LIMIT ?8)"             \
    " UNION SELECT " CLIENT_COLS " FROM client_v WHERE client_id = ?5 AND " CLIENT_FILTERS \
    " ORDER BY created_at DESC, id DESC LIMIT ?8"

/* ?1 tenant, ?2 ?3 keyset, ?4 limit */
#define USER_LIST(lead)                                                                    \
    "SELECT " USER_COLS " FROM users WHERE " lead "(?1 IS NULL OR tenant_id = ?1)"        \
    " AND (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC LIMIT ?4"

/* ?1 tenant, ?2 target, ?3 actor, ?4 since, ?5 ?6 keyset, ?7 limit */
#define AUDIT_LIST(lead)                                                                   \
    "SELECT " AUDIT_COLS " FROM audit WHERE " lead                                        \
    "(?1 IS NULL OR tenant_id = ?1) AND (?2 IS NULL OR target_id = ?2)"                   \
    " AND (?3 IS NULL OR actor_id = ?3) AND at >= ?4"                                     \
    " AND (at, id) < (?5, ?6) ORDER BY at DESC, id DESC LIMIT ?7"

/* The hygiene candidates at `now` (store_ops.h hygiene_candidates), over tenants t and
 * client_v c: not protected; active and unused for the tenant's deactivate_unused_after_days;
 * or registered (a registration token) and active and unused, or inactive and unused and
 * unchanged, for its registered_client_lifetime_days. */
#define LAST_USE "max(c.last_used_at, c.created_at)"
#define HYGIENE_WHERE(now)                                                                 \
    " WHERE (t.deactivate_unused_after_days > 0 OR t.registered_client_lifetime_days > 0)" \
    " AND c.protected = 0 AND c.status <> 2 AND ((c.status = 0"                            \
    " AND t.deactivate_unused_after_days > 0 AND " LAST_USE " <= " now                     \
    " - t.deactivate_unused_after_days * 86400) OR (t.registered_client_lifetime_days > 0" \
    " AND max(" LAST_USE ", CASE WHEN c.status = 1 THEN c.updated_at ELSE 0 END) <= " now   \
    " - t.registered_client_lifetime_days * 86400 AND EXISTS (SELECT 1 FROM"                \
    " registration_tokens r WHERE r.client_id = c.client_id)))"

/* A deleted object whose retention has run out (purge_at 0 means never set). */
#define PURGEABLE "status = 2 AND purge_at <> 0 AND purge_at <= ?1"
#define PURGE_CLIENTS_WHERE                                                                \
    " WHERE (" PURGEABLE ") OR service_id IN (SELECT id FROM services WHERE " PURGEABLE ")"

const char *const clv_sqlite_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT clv",
    [ST_RELEASE] = "RELEASE clv",
    [ST_ROLLBACK_TO] = "ROLLBACK TO clv",
    /* the writer's savepoint journal in memory (group.c): every request of a batch is a
     * savepoint, and the first change of each page in one copies the page there, which
     * past 64 KiB a file would take (a write(2) a page) */
    [ST_WRITER_TEMP] = "PRAGMA temp_store = MEMORY",
    [ST_GROUP_SAVEPOINT] = "SAVEPOINT clv_request",
    [ST_GROUP_RELEASE] = "RELEASE clv_request",
    [ST_GROUP_ROLLBACK_TO] = "ROLLBACK TO clv_request",
    [ST_VERSION_CREATE] = "CREATE TABLE IF NOT EXISTS schema_version ("
                          " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    [ST_VERSION_GET] = "SELECT coalesce(max(version), 0) FROM schema_version",
    [ST_VERSION_PUT] = "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",

    [ST_META_GET] = "SELECT value FROM meta WHERE name = ?1",
    [ST_META_PUT] = "INSERT INTO meta (name, value) VALUES (?1, ?2)",
    [ST_META_DELETE] = "DELETE FROM meta WHERE name = ?1",
    [ST_SIGNING_KEY_LIST] = "SELECT kid, alg, active, created_at, retire_at, sealed"
        " FROM signing_keys ORDER BY created_at DESC, seq DESC",
    [ST_SIGNING_KEY_INSERT] = "INSERT INTO signing_keys"
        " (kid, alg, active, created_at, retire_at, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_SIGNING_KEY_RETIRE] = "UPDATE signing_keys SET active = 0, retire_at = ?2"
        " WHERE kid = ?1 AND active = 1",
    [ST_SIGNING_KEY_ACTIVATE] = "UPDATE signing_keys SET active = 1, created_at = ?2,"
        " retire_at = 0 WHERE kid = ?1 AND active = 0 AND retire_at = 253402300799",
    [ST_SIGNING_KEY_PURGE] = "DELETE FROM signing_keys WHERE active = 0 AND retire_at <= ?1",
    [ST_SIGNING_KEY_VERSION] = "SELECT coalesce(max(seq), 0) * 65536 + count(*)"
        " + coalesce(sum(retire_at), 0) + coalesce(sum(created_at), 0) FROM signing_keys",

    [ST_TENANT_INSERT] = "INSERT INTO tenants (" TENANT_COLS ") VALUES (?1, ?2, ?3, ?4)",
    [ST_TENANT_GET] = "SELECT " TENANT_READ_COLS " FROM tenants WHERE id = ?1",
    [ST_TENANT_UPDATE] = "UPDATE tenants SET name = ?1, status = ?2,"
                         " deactivate_unused_after_days = ?3,"
                         " registered_client_lifetime_days = ?4 WHERE id = ?5",
    [ST_TENANT_LIST] = "SELECT " TENANT_READ_COLS " FROM tenants WHERE (created_at, id) < (?1, ?2)"
                       " ORDER BY created_at DESC, id DESC LIMIT ?3",

    [ST_SERVICE_INSERT] = "INSERT INTO services (id, tenant_id, name, description, status,"
                          " approval, created_at, updated_at, deleted_at, purge_at, version)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1)",
    [ST_SERVICE_GET] = "SELECT " SERVICE_COLS " FROM service_v WHERE id = ?1",
    [ST_SERVICE_UPDATE] = "UPDATE services SET name = ?1, description = ?2, status = ?3,"
                          " approval = ?4, updated_at = ?5, deleted_at = ?6, purge_at = ?7,"
                          " version = version + 1 WHERE id = ?8 AND version = ?9",
    [ST_SERVICE_EXISTS] = "SELECT 1 FROM services WHERE id = ?1",
    [ST_SERVICE_LIST_TENANT] = SERVICE_LIST("tenant_id = ?1 AND "),
    [ST_SERVICE_LIST_STATUS] = SERVICE_LIST("status = ?2 AND "),
    [ST_SERVICE_LIST_ALL] = SERVICE_LIST(""),

    /* INSERT … SELECT: no row is inserted when the service does not exist. */
    [ST_CLIENT_INSERT] = "INSERT INTO clients (id, client_id, service_id, type, created_at,"
                         " version, tenant_id, " CLIENT_MUT_COLS ")"
                         " SELECT ?1, ?2, ?3, ?4, ?5, 1, tenant_id, " CLIENT_MUT_PARAMS
                         " FROM services WHERE id = ?3",
    [ST_CLIENT_GET] = "SELECT " CLIENT_COLS " FROM client_v WHERE client_id = ?1",
    [ST_CLIENT_UPDATE] = "UPDATE clients SET " CLIENT_MUT_SET ", version = version + 1"
                         " WHERE id = ? AND version = ?",
    [ST_CLIENT_EXISTS] = "SELECT 1 FROM clients WHERE id = ?1",
    [ST_CLIENT_TOUCH] = "UPDATE clients SET last_used_at = ?1 WHERE client_id = ?2",
    [ST_CLIENT_COUNT] = "SELECT count(CASE WHEN status = 0 THEN 1 END),"
                        " count(CASE WHEN status = 1 THEN 1 END),"
                        " count(CASE WHEN status = 2 THEN 1 END) FROM clients",
    [ST_CLIENT_LIST_SERVICE] = CLIENT_LIST("service_id = ?1 AND "),
    [ST_CLIENT_LIST_TENANT] = CLIENT_LIST("tenant_id = ?2 AND "),
    [ST_CLIENT_LIST_STATUS] = CLIENT_LIST("status = ?3 AND "),
    [ST_CLIENT_LIST_ALL] = CLIENT_LIST(""),
    /* ?11: what q asks the index (clv_sqlite_q_match, q_index.c) */
    [ST_CLIENT_LIST_Q] = CLIENT_LIST_INDEX("clients_fts", "?11"),
    [ST_CLIENT_LIST_Q_SHORT] = CLIENT_LIST_INDEX("clients_grams", "?11"),
    /* the newest clients, to learn which trigrams and tags most of them hold */
    [ST_CLIENT_Q_SAMPLE] = "SELECT name, service_id, tenant_id, status FROM clients"
                           " ORDER BY created_at DESC, id DESC LIMIT ?1",
    /* ?1 the first key of a second, ?2 a client's id: the last key of that second, and
     * whether its id sorts before ?2 (the new client then takes the next key). */
    [ST_CLIENT_Q_LAST] = "SELECT k, id < ?2 FROM clients_fts_map WHERE k >= ?1"
                         " AND k < ?1 + " CLV_SQLITE_Q_SECOND_SQL " ORDER BY k DESC LIMIT 1",
    [ST_CLIENT_Q_ADD] = "INSERT INTO clients_fts_map (k, id) VALUES (?1, ?2)",
    /* ?1 a key, ?2 the id of the client it keys */
    [ST_CLIENT_Q_ADD_NAME] = "INSERT INTO clients_fts (rowid, name, tags)"
                             " SELECT ?1, " Q_FTS_VALUES("c") " FROM clients c WHERE c.id = ?2",
    [ST_CLIENT_Q_ADD_GRAMS] = "INSERT INTO clients_grams (rowid, g)"
                              " SELECT ?1, " Q_GRAMS_VALUES("c") " FROM clients c WHERE c.id = ?2",
    /* Numbering one second again (?1 its first key): forget its names,
     * key its clients by rank of id, index their names under the new keys. */
    [ST_CLIENT_Q_FORGET] = "INSERT INTO clients_fts (clients_fts, rowid, name, tags)"
                           " SELECT 'delete', m.k, " Q_FTS_VALUES("c") Q_SECOND_ROWS,
    [ST_CLIENT_Q_FORGET_GRAMS] = "INSERT INTO clients_grams (clients_grams, rowid, g)"
                                 " SELECT 'delete', m.k, " Q_GRAMS_VALUES("c") Q_SECOND_ROWS,
    [ST_CLIENT_Q_UNMAP] = "DELETE FROM clients_fts_map WHERE k >= ?1"
                          " AND k < ?1 + " CLV_SQLITE_Q_SECOND_SQL,
    [ST_CLIENT_Q_REMAP] = "INSERT INTO clients_fts_map (k, id) SELECT ?1 + row_number()"
                          " OVER (ORDER BY id) - 1, id FROM clients"
                          " WHERE created_at = ?1 / " CLV_SQLITE_Q_SECOND_SQL,
    [ST_CLIENT_Q_REINDEX] = "INSERT INTO clients_fts (rowid, name, tags)"
                            " SELECT m.k, " Q_FTS_VALUES("c") Q_SECOND_ROWS,
    [ST_CLIENT_Q_REINDEX_GRAMS] = "INSERT INTO clients_grams (rowid, g)"
                                  " SELECT m.k, " Q_GRAMS_VALUES("c") Q_SECOND_ROWS,
    /* The names of a batch, indexed when it commits (migration q pending, q_index.c): ?1 a
     * key whose name waits; then every waiting name indexed at once, and the list emptied.
     * A key whose client is gone (rolled back, deleted) joins nothing. */
    [ST_CLIENT_Q_PEND] = "INSERT OR IGNORE INTO clients_q_pending (k) VALUES (?1)",
    [ST_CLIENT_Q_FLUSH] = "INSERT INTO clients_fts (rowid, name, tags)"
                          " SELECT m.k, " Q_FTS_VALUES("c") Q_PENDING_ROWS,
    [ST_CLIENT_Q_FLUSH_GRAMS] = "INSERT INTO clients_grams (rowid, g)"
                                " SELECT m.k, " Q_GRAMS_VALUES("c") Q_PENDING_ROWS,
    [ST_CLIENT_Q_FLUSH_DONE] = "DELETE FROM clients_q_pending",
    /* ?1 the first key of a second, ?2 a client's id: the last key of that second whose id
     * sorts before ?2 (a scan back from the second's end, as long as the ids there sort
     * after ?2: usually one or two, the clients of the same batch that came first). */
    [ST_CLIENT_Q_BEFORE] = "SELECT k, 1 FROM clients_fts_map WHERE k >= ?1"
                           " AND k < ?1 + " CLV_SQLITE_Q_SECOND_SQL " AND id < ?2"
                           " ORDER BY k DESC LIMIT 1",
    /* Making room at key ?1 (the keys [?1, ?2) move up by one), with the names waiting
     * (migration q pending): the indexed names of the keys that move are forgotten and
     * wait again, under their new keys, with the names already waiting; a key moves
     * through -1 - k, as a row at a time would collide with the next one. */
    [ST_CLIENT_Q_SHIFT_FORGET] = "INSERT INTO clients_fts (clients_fts, rowid, name, tags)"
                                 " SELECT 'delete', m.k, " Q_FTS_VALUES("c") Q_SHIFTED_ROWS,
    [ST_CLIENT_Q_SHIFT_FORGET_GRAMS] = "INSERT INTO clients_grams (clients_grams, rowid, g)"
                                       " SELECT 'delete', m.k, " Q_GRAMS_VALUES("c") Q_SHIFTED_ROWS,
    [ST_CLIENT_Q_SHIFT_PEND] = "INSERT OR IGNORE INTO clients_q_pending (k)"
                               " SELECT k FROM clients_fts_map WHERE k >= ?1 AND k < ?2",
    [ST_CLIENT_Q_SHIFT_OUT] = "UPDATE clients_fts_map SET k = -1 - k WHERE k >= ?1 AND k < ?2",
    [ST_CLIENT_Q_SHIFT_IN] = "UPDATE clients_fts_map SET k = -k WHERE k >= -?2 AND k <= -1 - ?1",
    [ST_CLIENT_Q_SHIFT_PEND_OUT] = "UPDATE clients_q_pending SET k = -1 - k"
                                   " WHERE k >= ?1 AND k < ?2",
    [ST_CLIENT_Q_SHIFT_PEND_IN] = "UPDATE clients_q_pending SET k = -k"
                                  " WHERE k >= -?2 AND k <= -1 - ?1",

    [ST_SECRET_INSERT] = "INSERT INTO secrets (" SECRET_COLS ")"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_SECRET_LIST] = "SELECT " SECRET_COLS " FROM secrets WHERE client_id = ?1"
                       " ORDER BY created_at DESC, secret_id DESC",
    [ST_SECRET_DELETE] = "DELETE FROM secrets WHERE client_id = ?1 AND secret_id = ?2",
    [ST_SECRET_TOUCH] = "UPDATE secrets SET last_used_at = ?1 WHERE secret_id = ?2",

    [ST_USER_INSERT] = "INSERT INTO users (" USER_COLS ")"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_USER_GET] = "SELECT " USER_COLS " FROM users WHERE id = ?1",
    [ST_USER_FIND] = "SELECT " USER_COLS " FROM users WHERE tenant_id = ?1 AND username = ?2",
    [ST_USER_UPDATE] = "UPDATE users SET username = ?1, email = ?2, password_hash = ?3,"
                       " roles = ?4, status = ?5, updated_at = ?6 WHERE id = ?7",
    [ST_USER_DELETE] = "DELETE FROM users WHERE id = ?1",
    [ST_USER_LIST_TENANT] = USER_LIST("tenant_id = ?1 AND "),
    [ST_USER_LIST_ALL] = USER_LIST(""),

    [ST_AUDIT_INSERT] = "INSERT INTO audit (" AUDIT_COLS ")"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_AUDIT_LIST_TARGET] = AUDIT_LIST("target_id = ?2 AND "),
    [ST_AUDIT_LIST_ACTOR] = AUDIT_LIST("actor_id = ?3 AND "),
    [ST_AUDIT_LIST_TENANT] = AUDIT_LIST("tenant_id = ?1 AND "),
    [ST_AUDIT_LIST_ALL] = AUDIT_LIST(""),

    /* RFC 7009: revoking twice is not an error; keep the later expiry. */
    [ST_JTI_REVOKE] = "INSERT INTO revoked_jti (jti, exp) VALUES (?1, ?2)"
                      " ON CONFLICT (jti) DO UPDATE SET exp = max(exp, excluded.exp)",
    [ST_JTI_GET] = "SELECT 1 FROM revoked_jti WHERE jti = ?1",

    /* What a purge removes, for its caller: 0 a client, 1 a service. */
    [ST_PURGE_SELECT] = "SELECT 0, client_id, tenant_id FROM clients" PURGE_CLIENTS_WHERE
                        " UNION ALL SELECT 1, id, tenant_id FROM services WHERE " PURGEABLE,
    [ST_PURGE_CLIENTS_DELETE] = "DELETE FROM clients" PURGE_CLIENTS_WHERE,
    [ST_PURGE_SERVICES_DELETE] = "DELETE FROM services WHERE " PURGEABLE,
    [ST_PURGE_JTI] = "DELETE FROM revoked_jti WHERE exp <= ?1",
    [ST_PURGE_AUTHCODES] = "DELETE FROM authcodes WHERE expires_at <= ?1",
    [ST_PURGE_REFRESH] = "DELETE FROM refresh_tokens WHERE expires_at <= ?1",
    [ST_PURGE_FAMILIES] = "DELETE FROM revoked_families WHERE exp <= ?1",
    [ST_PURGE_SESSIONS] = "DELETE FROM sessions WHERE expires_at <= ?1",
    [ST_PURGE_ASSERTION_JTIS] = "DELETE FROM assertion_jtis WHERE exp <= ?1",
    [ST_PURGE_IATS] = "DELETE FROM initial_access_tokens WHERE expires_at <= ?1",

    /* A new code or refresh token is unused, whatever the caller's copy says. */
    [ST_AUTHCODE_INSERT] = "INSERT INTO authcodes (" AUTHCODE_COLS ")"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13)",
    /* Consuming is this one UPDATE: of two racing callers, only one changes the row. */
    [ST_AUTHCODE_MARK] = "UPDATE authcodes SET used = 1 WHERE hash = ?1 AND used = 0"
                     " AND " FAMILY_LIVE("authcodes"),
    [ST_AUTHCODE_GET] = "SELECT " AUTHCODE_COLS " FROM authcodes WHERE hash = ?1"
                    " AND " FAMILY_LIVE("authcodes"),
    [ST_REFRESH_INSERT] = "INSERT INTO refresh_tokens (" REFRESH_COLS ")"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10)",
    [ST_REFRESH_MARK] = "UPDATE refresh_tokens SET used = 1 WHERE hash = ?1 AND used = 0"
                        " AND " FAMILY_LIVE("refresh_tokens"),
    [ST_REFRESH_GET] = "SELECT " REFRESH_COLS " FROM refresh_tokens WHERE hash = ?1"
                       " AND " FAMILY_LIVE("refresh_tokens"),
    [ST_REFRESH_REVOKE] = "DELETE FROM refresh_tokens WHERE hash = ?1 AND client_id = ?2",
    /* Revoking twice is not an error; keep the later expiry (as for revoked_jti). */
    [ST_FAMILY_REVOKE] = "INSERT INTO revoked_families (family_id, exp) VALUES (?1, ?2)"
                         " ON CONFLICT (family_id) DO UPDATE SET exp = max(exp, excluded.exp)",
    [ST_FAMILY_GET] = "SELECT 1 FROM revoked_families WHERE family_id = ?1",
    /* The used rows stay: presenting one again is a replay the caller must see. */
    [ST_FAMILY_DROP_CODES] = "DELETE FROM authcodes WHERE family_id = ?1 AND used = 0",
    [ST_FAMILY_DROP_REFRESH] = "DELETE FROM refresh_tokens WHERE family_id = ?1 AND used = 0",
    [ST_CLIENT_DROP_CODES] = "DELETE FROM authcodes WHERE client_id = ?1 AND used = 0",
    [ST_CLIENT_DROP_REFRESH] = "DELETE FROM refresh_tokens WHERE client_id = ?1 AND used = 0",

    [ST_SESSION_INSERT] = "INSERT INTO sessions (" SESSION_COLS ") VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_SESSION_GET] = "SELECT " SESSION_COLS " FROM sessions WHERE hash = ?1",
    [ST_SESSION_DELETE] = "DELETE FROM sessions WHERE hash = ?1",
    [ST_ASSERTION_JTI_USE] = "INSERT INTO assertion_jtis (jti, client_id, exp)"
                             " VALUES (?1, ?2, ?3)",

    [ST_IAT_INSERT] = "INSERT INTO initial_access_tokens (" IAT_COLS ")"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    /* One UPDATE takes a use, so two registrations cannot share the last one; -1 (no
     * limit) stays -1. */
    [ST_IAT_USE] = "UPDATE initial_access_tokens"
                   " SET uses_left = CASE WHEN uses_left = -1 THEN -1 ELSE uses_left - 1 END"
                   " WHERE hash = ?1 AND expires_at > ?2 AND (uses_left > 0 OR uses_left = -1)",
    [ST_IAT_GET] = "SELECT " IAT_COLS " FROM initial_access_tokens WHERE hash = ?1",
    [ST_IAT_LIST] = "SELECT " IAT_COLS " FROM initial_access_tokens"
                    " WHERE (?1 IS NULL OR tenant_id = ?1)"
                    " AND (?2 IS NULL OR service_id = ?2) AND expires_at > ?3 AND uses_left <> 0"
                    " ORDER BY created_at DESC, id DESC LIMIT 1000",
    [ST_REGTOKEN_PUT] = "INSERT INTO registration_tokens (client_id, hash) VALUES (?1, ?2)"
                        " ON CONFLICT (client_id) DO UPDATE SET hash = excluded.hash",
    /* first_party is written on its own (migration 5), after the insert or update. */
    [ST_CLIENT_FIRST_PARTY] = "UPDATE clients SET first_party = ?2 WHERE id = ?1",
    [ST_CONSENT_GET] = "SELECT " CONSENT_COLS " FROM consents WHERE user_id = ?1 AND client_id = ?2",
    [ST_CONSENT_PUT] = "INSERT INTO consents (" CONSENT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                       " ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope,"
                       " updated_at = excluded.updated_at",
    [ST_CONSENT_LIST] = "SELECT " CONSENT_COLS " FROM consents WHERE user_id = ?1"
                        " AND (created_at, client_id) < (?2, ?3)"
                        " ORDER BY created_at DESC, client_id DESC LIMIT ?4",
    [ST_CONSENT_DELETE] = "DELETE FROM consents WHERE user_id = ?1 AND client_id = ?2",
    [ST_REGTOKEN_GET] = "SELECT hash FROM registration_tokens WHERE client_id = ?1",
    [ST_RESOURCE_INSERT] = "INSERT INTO resources (" RESOURCE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_RESOURCE_FIND] = "SELECT " RESOURCE_COLS " FROM resources"
                         " WHERE service_id = ?1 AND identifier = ?2",
    [ST_RESOURCE_LIST] = "SELECT " RESOURCE_COLS " FROM resources WHERE service_id = ?1"
                         " ORDER BY created_at DESC, id DESC",
    [ST_RESOURCE_DELETE] = "DELETE FROM resources WHERE service_id = ?1 AND id = ?2",

    /* Client hygiene (docs/OPERATIONS.md "Hygiene"; store_ops.h hygiene_candidates): ?1 now,
     * ?2 limit. Per tenant with a setting, its clients by the index of migration 7. */
    [ST_HYGIENE_CANDIDATES] = "SELECT " CLIENT_COLS " FROM client_v WHERE id IN (SELECT c.id"
                              " FROM tenants t JOIN client_v c ON c.tenant_id = t.id"
                              HYGIENE_WHERE("?1") " ORDER BY " LAST_USE ", c.id LIMIT ?2)"
                              " ORDER BY max(last_used_at, created_at), id",
    /* ?1 service: its registered clients that are not deleted */
    [ST_REGISTERED_COUNT] = "SELECT count(*) FROM clients c JOIN registration_tokens r"
                            " ON r.client_id = c.client_id WHERE c.service_id = ?1"
                            " AND c.status <> 2",
};
/* clang-format on */
