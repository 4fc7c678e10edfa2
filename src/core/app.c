/* app — start-up of the shared state: store, keys, HMAC key (see app.h). */
#include "core/app.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/b64.h"
#include "core/client_cache.h"
#include "core/kek.h"
#include "core/signing_keys.h"
#include "core/token_cache.h"
#include "crypto/hash.h"
#include "crypto/rand.h"

/* Everything at rest under the KEK, in one transaction: a database that kept its keys in
 * clear (meta, --key-dir files) has them all moved, sealed, or none of them
 * (docs/DESIGN.md "Signing keys and the KEK"). The HMAC key first: in the wrong place it stops everything before any other
 * key would be made (clv_kek_secret32). */
static clv_code load_sealed(clv_app *app, clv_err *err)
{
    clv_code rc = clv_store_begin(app->store, err);

    if (rc == CLV_OK && (rc = clv_kek_secret32(app, "hmac", app->hmac_key, err)) == CLV_OK &&
        (rc = clv_keys_bootstrap(app, err)) == CLV_OK)
        /* OIDC Core §8.1: the salt that keeps pairwise subjects from being recomputed by
         * anyone who knows a user id and a sector. */
        rc = clv_kek_secret32(app, "pairwise_salt", app->pairwise_salt, err);
    if (rc == CLV_OK)
        rc = clv_store_commit(app->store, err);
    if (rc != CLV_OK)
        clv_store_rollback(app->store);
    return rc;
}

static clv_code load_keys(clv_app *app, clv_err *err)
{
    clv_code rc = load_sealed(app, err);

    if (rc == CLV_CONFLICT) /* another node started at the same moment: use its keys */
        rc = load_sealed(app, err);
    if (rc == CLV_OK)
        rc = clv_keys_reload(app, true, err);
    return rc;
}

/* Keys found in the wrong place (a --key-dir forgotten, or given where it was not) would
 * be made anew and silently break every stored secret. The database keeps a check value
 * of the HMAC key it was initialised with; a key that does not produce it is refused. */
static clv_code check_keys(clv_app *app, clv_err *err)
{
    static const char label[] = "clavis key check";
    unsigned char mac[32];
    char want[64], *have = NULL;
    clv_code rc;

    if (!clv_hmac_sha256(app->hmac_key, sizeof app->hmac_key, label, sizeof label - 1, mac))
        return clv_fail(err, CLV_CRYPTO, "HMAC failed");
    clv_b64url_encode(mac, 16, want);
    rc = clv_store_meta_get(app->store, "key_check", &have, err);
    if (rc == CLV_NOT_FOUND)
        return clv_store_meta_put(app->store, "key_check", want, err);
    app->keys_checked = true;
    if (rc == CLV_OK && strcmp(have, want) != 0)
        rc = clv_fail(err, CLV_INVALID,
                      "the keys in %s are not this database's keys: start with the --key-dir "
                      "(or without it) that `clavis init` used",
                      app->cfg->key_dir != NULL ? app->cfg->key_dir : "the database");
    free(have);
    return rc;
}

static clv_code was_checked(clv_app *app, clv_err *err)
{
    char *have = NULL;
    clv_code rc = clv_store_meta_get(app->store, "key_check", &have, err);

    free(have);
    app->keys_checked = rc == CLV_OK;
    return rc == CLV_NOT_FOUND ? CLV_OK : rc;
}

/* A new SQLite file is created readable by its owner only: it holds the keys by default. */
static void create_private(const char *db)
{
    int fd;

    if (strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0)
        return;
    fd = open(db, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd >= 0)
        close(fd);
}

/* Opens the store, with the connection limit of --db-pool (docs/OPERATIONS.md "Pool
 * sizing"). */
static clv_code open_store(clv_app *app, clv_err *err)
{
    clv_code rc = clv_store_open(app->cfg->db, &app->store, err);

    if (rc == CLV_OK && app->cfg->db_pool > 0)
        clv_store_pool_limit(app->store, app->cfg->db_pool);
    return rc;
}

clv_code clv_app_open(const clv_config *cfg, clv_app **out, clv_err *err)
{
    clv_app *app = calloc(1, sizeof *app);
    clv_code rc;

    if (app == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    app->cfg = cfg;
    if ((app->throttle = clv_throttle_new(0)) == NULL) {
        free(app);
        return clv_fail(err, CLV_NOMEM, "out of memory (throttle table)");
    }
    create_private(cfg->db);
    if ((rc = open_store(app, err)) != CLV_OK ||
        (rc = clv_store_migrate(app->store, err)) != CLV_OK ||
        (rc = was_checked(app, err)) != CLV_OK || (rc = clv_kek_load(app, err)) != CLV_OK ||
        (rc = load_keys(app, err)) != CLV_OK ||
        (rc = check_keys(app, err)) != CLV_OK)
        goto cleanup;
    *out = app;
    return CLV_OK;
cleanup:
    clv_app_free(app);
    return rc;
}

void clv_app_free(clv_app *app)
{
    if (app == NULL)
        return;
    clv_cache_clear(); /* the calling thread's cached clients (the workers clear theirs) */
    clv_jwt_thread_cleanup();
    clv_hash_thread_cleanup();
    clv_rand_thread_cleanup();
    clv_token_cache_clear();
    clv_cache_bump();
    clv_wipe(app->hmac_key, sizeof app->hmac_key);
    clv_wipe(app->pairwise_salt, sizeof app->pairwise_salt);
    clv_wipe(app->kek, sizeof app->kek);
    clv_keys_close(app);
    clv_store_free(app->store);
    clv_throttle_free(app->throttle);
    free(app);
}

bool clv_principal_sees(const clv_principal *p, const char *tenant_id)
{
    if (p->platform_admin)
        return true;
    return tenant_id != NULL && strcmp(p->tenant_id, tenant_id) == 0;
}

bool clv_app_ready(clv_app *app)
{
    char *v = NULL;
    clv_code rc = clv_store_meta_get(app->store, "key:none", &v, NULL);

    free(v);
    return rc == CLV_OK || rc == CLV_NOT_FOUND;
}
