/* app — start-up of the shared state: store, keys, HMAC key (see app.h). */
#include "core/app.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/b64.h"
#include "core/client_cache.h"
#include "core/token_cache.h"
#include "crypto/hash.h"
#include "crypto/rand.h"

enum { KEY_FILE_MAX = 16384 };

static const char *const key_names[CLV_ALG_COUNT] = {"rs256", "es256", "eddsa"};

/* Reads a whole small file; NOT_FOUND if it does not exist. */
static clv_code read_file(const char *path, char **out, clv_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n;

    if (f == NULL)
        return errno == ENOENT ? CLV_NOT_FOUND
                               : clv_fail(err, CLV_STORE, "%s: %s", path, strerror(errno));
    buf = malloc(KEY_FILE_MAX + 1);
    if (buf == NULL) {
        fclose(f);
        return clv_fail(err, CLV_NOMEM, "out of memory");
    }
    n = fread(buf, 1, KEY_FILE_MAX, f);
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    return CLV_OK;
}

/* Creates path with mode 0600 holding value; CONFLICT if it exists (another node won). */
static clv_code write_new_file(const char *path, const char *value, clv_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    size_t n = strlen(value);

    if (fd < 0)
        return errno == EEXIST ? CLV_CONFLICT
                               : clv_fail(err, CLV_STORE, "%s: %s", path, strerror(errno));
    if (write(fd, value, n) != (ssize_t)n || fsync(fd) != 0) {
        close(fd);
        return clv_fail(err, CLV_STORE, "%s: %s", path, strerror(errno));
    }
    close(fd);
    return CLV_OK;
}

/* Set while opening a database that was initialised already (it has a key_check): its
 * HMAC key must be found, never made anew. */
static bool must_exist(const clv_app *app, const char *name)
{
    return app->keys_checked && strcmp(name, "hmac") == 0;
}

/* Gets a named piece of key material, creating it with make() if missing. */
static clv_code key_material(clv_app *app, const char *name,
                             clv_code (*make)(int, char **, clv_err *), int arg, char **out,
                             clv_err *err)
{
    char path[4096], meta[64], *value = NULL;
    clv_code rc;
    const char *dir = app->cfg->key_dir;

    snprintf(meta, sizeof meta, "key:%s", name);
    if (dir != NULL)
        snprintf(path, sizeof path, "%s/%s.key", dir, name);
    rc = dir != NULL ? read_file(path, out, err) : clv_store_meta_get(app->store, meta, out, err);
    if (rc != CLV_NOT_FOUND)
        return rc;
    if (must_exist(app, name))
        return clv_fail(err, CLV_INVALID,
                        "no %s key in %s, where this database's keys should be: start with the "
                        "--key-dir (or without it) that `clavis init` used",
                        name, dir != NULL ? dir : "the database");
    if ((rc = make(arg, &value, err)) != CLV_OK)
        return rc;
    if (dir != NULL) {
        mkdir(dir, 0700);
        rc = write_new_file(path, value, err);
    } else {
        rc = clv_store_meta_put(app->store, meta, value, err);
    }
    clv_free_secret(value);
    if (rc == CLV_OK || rc == CLV_CONFLICT) /* CONFLICT: created concurrently; read theirs */
        return dir != NULL ? read_file(path, out, err)
                           : clv_store_meta_get(app->store, meta, out, err);
    return rc;
}

static clv_code make_pem(int alg, char **out, clv_err *err)
{
    return clv_key_generate_pem((clv_alg)alg, out, err);
}

static clv_code make_hmac(int unused, char **out, clv_err *err)
{
    char *tok = malloc(64);

    (void)unused;
    if (tok == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if (!clv_rand_token(32, tok)) {
        free(tok);
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    }
    *out = tok;
    return CLV_OK;
}

/* A 32-byte random value kept as base64url under name (key:hmac, key:pairwise_salt). */
static clv_code load_random32(clv_app *app, const char *name, unsigned char out[32],
                              clv_err *err)
{
    char *value = NULL;
    unsigned char *raw = NULL;
    size_t rawlen = 0;
    clv_code rc;

    if ((rc = key_material(app, name, make_hmac, 0, &value, err)) != CLV_OK)
        return rc;
    if (!clv_b64url_decode(value, strlen(value), &raw, &rawlen) || rawlen != 32)
        rc = clv_fail(err, CLV_CRYPTO, "the %s key is not 32 bytes of base64url", name);
    else
        memcpy(out, raw, 32);
    if (raw != NULL) {
        clv_wipe(raw, rawlen);
        free(raw);
    }
    clv_free_secret(value);
    return rc;
}

static clv_code load_keys(clv_app *app, clv_err *err)
{
    char *value = NULL;
    clv_code rc;

    /* The HMAC key first: in the wrong place it stops everything before any other key
     * would be made there (must_exist). */
    if ((rc = load_random32(app, "hmac", app->hmac_key, err)) != CLV_OK)
        return rc;
    for (int alg = 0; alg < CLV_ALG_COUNT; alg++) {
        if ((rc = key_material(app, key_names[alg], make_pem, alg, &value, err)) != CLV_OK)
            return rc;
        rc = clv_keyset_add(app->keys, (clv_alg)alg, value, err);
        clv_free_secret(value);
        if (rc != CLV_OK)
            return rc;
    }
    /* OIDC Core §8.1: the salt that keeps pairwise subjects from being recomputed by
     * anyone who knows a user id and a sector. */
    return load_random32(app, "pairwise_salt", app->pairwise_salt, err);
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
        (rc = clv_keyset_new(&app->keys, err)) != CLV_OK ||
        (rc = was_checked(app, err)) != CLV_OK || (rc = load_keys(app, err)) != CLV_OK ||
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
    clv_keyset_free(app->keys);
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
