/* app — start-up of the shared state: store, keys, HMAC key (see app.h). */
#include "core/app.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/b64.h"
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

/* Gets a named piece of key material, creating it with make() if missing. */
static clv_code key_material(clv_app *app, const char *name, clv_code (*make)(int, char **, clv_err *),
                             int arg, char **out, clv_err *err)
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

static clv_code load_keys(clv_app *app, clv_err *err)
{
    char *value = NULL;
    unsigned char *raw = NULL;
    size_t rawlen = 0;
    clv_code rc;

    for (int alg = 0; alg < CLV_ALG_COUNT; alg++) {
        if ((rc = key_material(app, key_names[alg], make_pem, alg, &value, err)) != CLV_OK)
            return rc;
        rc = clv_keyset_add(app->keys, (clv_alg)alg, value, err);
        clv_free_secret(value);
        if (rc != CLV_OK)
            return rc;
    }
    if ((rc = key_material(app, "hmac", make_hmac, 0, &value, err)) != CLV_OK)
        return rc;
    if (!clv_b64url_decode(value, strlen(value), &raw, &rawlen) || rawlen != 32)
        rc = clv_fail(err, CLV_CRYPTO, "the HMAC key is not 32 bytes of base64url");
    else
        memcpy(app->hmac_key, raw, 32);
    if (raw != NULL) {
        clv_wipe(raw, rawlen);
        free(raw);
    }
    clv_free_secret(value);
    return rc;
}

clv_code clv_app_open(const clv_config *cfg, clv_app **out, clv_err *err)
{
    clv_app *app = calloc(1, sizeof *app);
    clv_code rc;

    if (app == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    app->cfg = cfg;
    if ((rc = clv_store_open(cfg->db, &app->store, err)) != CLV_OK ||
        (rc = clv_store_migrate(app->store, err)) != CLV_OK ||
        (rc = clv_keyset_new(&app->keys, err)) != CLV_OK || (rc = load_keys(app, err)) != CLV_OK)
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
    clv_wipe(app->hmac_key, sizeof app->hmac_key);
    clv_keyset_free(app->keys);
    clv_store_free(app->store);
    free(app);
}

bool clv_principal_sees(const clv_principal *p, const char *tenant_id)
{
    if (p->platform_admin)
        return true;
    return tenant_id != NULL && strcmp(p->tenant_id, tenant_id) == 0;
}
