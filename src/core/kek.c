/* kek — the key-encryption key and the secrets sealed under it (see kek.h). */
#include "core/kek.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/b64.h"
#include "crypto/hash.h"
#include "crypto/rand.h"
#include "crypto/seal.h"

enum { KEY_FILE_MAX = 16384 };

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
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0'; /* a KEK file written by hand may end in a newline */
    *out = buf;
    return CLV_OK;
}

/* Creates path with mode 0600 holding value, whole or not at all: written to a temporary
 * file first, then linked to path, so a process that starts at the same moment reads
 * either nothing or all of it. CONFLICT if path exists (another process won). */
static clv_code write_new_file(const char *path, const char *value, clv_err *err)
{
    char tmp[4200];
    int fd;
    size_t n = strlen(value);
    clv_code rc = CLV_OK;

    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    if ((fd = mkstemp(tmp)) < 0) /* mode 0600 */
        return clv_fail(err, CLV_STORE, "%s: %s", tmp, strerror(errno));
    if (write(fd, value, n) != (ssize_t)n || fsync(fd) != 0)
        rc = clv_fail(err, CLV_STORE, "%s: %s", tmp, strerror(errno));
    close(fd);
    if (rc == CLV_OK && link(tmp, path) != 0)
        rc = errno == EEXIST ? CLV_CONFLICT
                             : clv_fail(err, CLV_STORE, "%s: %s", path, strerror(errno));
    unlink(tmp);
    return rc;
}

static bool is_postgres(const char *db)
{
    return strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0;
}

/* The KEK file's path into app->kek_path ("" when the KEK comes from CLAVIS_KEK). */
static clv_code kek_path(clv_app *app, clv_err *err)
{
    const clv_config *cfg = app->cfg;

    /* A flag wins over a variable (docs/OPERATIONS.md): --key-dir over CLAVIS_KEK. */
    if (cfg->key_dir != NULL)
        snprintf(app->kek_path, sizeof app->kek_path, "%s/kek", cfg->key_dir);
    else if (cfg->kek != NULL)
        snprintf(app->kek_path, sizeof app->kek_path, "CLAVIS_KEK");
    else if (!is_postgres(cfg->db))
        snprintf(app->kek_path, sizeof app->kek_path, "%s.kek", cfg->db);
    else
        return clv_fail(err, CLV_INVALID,
                        "a PostgreSQL database needs a key-encryption key: set CLAVIS_KEK (32 "
                        "random bytes, base64url) or --key-dir (docs/OPERATIONS.md \"Keys\")");
    return CLV_OK;
}

const char *clv_kek_where(const clv_app *app)
{
    return app->kek_path;
}

static clv_code decode_kek(clv_app *app, const char *text, clv_err *err)
{
    unsigned char *raw = NULL;
    size_t len = 0;
    clv_code rc = CLV_OK;

    if (!clv_b64url_decode(text, strlen(text), &raw, &len) || len != 32)
        rc = clv_fail(err, CLV_INVALID, "the key-encryption key in %s is not 32 bytes of base64url",
                      app->kek_path);
    else
        memcpy(app->kek, raw, 32);
    if (raw != NULL) {
        clv_wipe(raw, len);
        free(raw);
    }
    return rc;
}

/* Whether the database holds anything sealed: then a new KEK would open none of it. */
static clv_code has_sealed(clv_app *app, bool *sealed, clv_err *err)
{
    char *v = NULL;
    int64_t version = 0;
    clv_code rc = clv_store_meta_get(app->store, "sealed:hmac", &v, err);

    free(v);
    if (rc == CLV_OK) {
        *sealed = true;
        return CLV_OK;
    }
    if (rc != CLV_NOT_FOUND)
        return rc;
    rc = clv_store_signing_key_version(app->store, &version, err);
    *sealed = version != 0;
    return rc;
}

/* Makes a new KEK file (the directory too, 0700, for --key-dir). */
static clv_code make_kek_file(clv_app *app, clv_err *err)
{
    char text[64];
    unsigned char raw[32];
    clv_code rc;

    if (!clv_rand_bytes(raw, sizeof raw))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    clv_b64url_encode(raw, sizeof raw, text);
    clv_wipe(raw, sizeof raw);
    if (app->cfg->key_dir != NULL)
        mkdir(app->cfg->key_dir, 0700);
    rc = write_new_file(app->kek_path, text, err);
    clv_wipe(text, sizeof text);
    return rc == CLV_CONFLICT ? CLV_OK : rc; /* CONFLICT: made concurrently; read theirs */
}

clv_code clv_kek_load(clv_app *app, clv_err *err)
{
    char *text = NULL;
    bool sealed = false;
    clv_code rc = kek_path(app, err);

    if (rc != CLV_OK)
        return rc;
    if (app->cfg->key_dir == NULL && app->cfg->kek != NULL)
        return decode_kek(app, app->cfg->kek, err);
    rc = read_file(app->kek_path, &text, err);
    if (rc == CLV_NOT_FOUND) {
        if ((rc = has_sealed(app, &sealed, err)) != CLV_OK)
            return rc;
        if (sealed)
            return clv_fail(err, CLV_INVALID,
                            "this database's keys are sealed under a key-encryption key that is "
                            "not at %s: restore that file from its backup, or set CLAVIS_KEK "
                            "(docs/OPERATIONS.md \"Keys\")",
                            app->kek_path);
        if ((rc = make_kek_file(app, err)) == CLV_OK)
            rc = read_file(app->kek_path, &text, err);
    }
    if (rc == CLV_OK)
        rc = decode_kek(app, text, err);
    clv_free_secret(text);
    return rc;
}

clv_code clv_kek_legacy(clv_app *app, const char *name, char **out, bool *in_meta, clv_err *err)
{
    char path[4096], meta[64];
    clv_code rc;

    snprintf(meta, sizeof meta, "key:%s", name);
    rc = clv_store_meta_get(app->store, meta, out, err);
    *in_meta = rc == CLV_OK;
    if (rc != CLV_NOT_FOUND || app->cfg->key_dir == NULL)
        return rc;
    snprintf(path, sizeof path, "%s/%s.key", app->cfg->key_dir, name);
    return read_file(path, out, err);
}

static clv_code make_random32(char **out, clv_err *err)
{
    char *tok = malloc(64);

    if (tok == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if (!clv_rand_token(32, tok)) {
        free(tok);
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    }
    *out = tok;
    return CLV_OK;
}

/* The clear base64url value of secret name: from meta "sealed:NAME", else moved from its
 * legacy place, else made (sealed and stored in the caller's transaction). */
static clv_code secret_text(clv_app *app, const char *name, char **value, clv_err *err)
{
    char meta[64], label[64], *sealed = NULL;
    bool in_meta = false;
    clv_code rc;

    snprintf(meta, sizeof meta, "sealed:%s", name);
    snprintf(label, sizeof label, "clavis %s", name);
    rc = clv_store_meta_get(app->store, meta, &sealed, err);
    if (rc == CLV_OK) {
        rc = clv_unseal_key(app->kek, label, sealed, value, err);
        free(sealed);
        return rc == CLV_UNAUTHENTICATED
                   ? clv_fail(err, CLV_INVALID,
                              "the key-encryption key in %s does not open this database's keys",
                              app->kek_path)
                   : rc;
    }
    if (rc != CLV_NOT_FOUND)
        return rc;
    rc = clv_kek_legacy(app, name, value, &in_meta, err);
    if (rc == CLV_NOT_FOUND && app->keys_checked && strcmp(name, "hmac") == 0)
        return clv_fail(err, CLV_INVALID,
                        "no hmac key in %s, where this database's keys should be: start with the "
                        "--key-dir (or without it) that `clavis init` used",
                        app->cfg->key_dir != NULL ? app->cfg->key_dir : "the database");
    if (rc == CLV_NOT_FOUND)
        rc = make_random32(value, err);
    if (rc == CLV_OK && (rc = clv_seal_key(app->kek, label, *value, &sealed, err)) == CLV_OK)
        rc = clv_store_meta_put(app->store, meta, sealed, err);
    free(sealed);
    if (rc == CLV_OK && in_meta) {
        snprintf(meta, sizeof meta, "key:%s", name);
        rc = clv_store_meta_delete(app->store, meta, err);
    }
    if (rc != CLV_OK && *value != NULL) {
        clv_free_secret(*value);
        *value = NULL;
    }
    return rc;
}

clv_code clv_kek_secret32(clv_app *app, const char *name, unsigned char out[32], clv_err *err)
{
    char *value = NULL;
    unsigned char *raw = NULL;
    size_t rawlen = 0;
    clv_code rc = secret_text(app, name, &value, err);

    if (rc != CLV_OK)
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
