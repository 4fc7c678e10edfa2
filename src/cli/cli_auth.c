/* cli_auth — where the admin commands find the server and their credentials (docs/DESIGN.md R21:
 * flags, then CLAVIS_* variables, then the profile `clavis login` writes), and the admin
 * token they fetch with them and cache beside the profile (see admin_commands.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/json_text.h"
#include "cli/admin_commands.h"
#include "crypto/hash.h"

enum { TOKEN_MARGIN = 30 }; /* a cached token is reused while it has this long to live */

/* ---- files ---- */

bool clv_cli_profile_path(char *buf, size_t cap, bool token_cache)
{
    const char *p = getenv("CLAVIS_PROFILE"), *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char *slash;
    int n;

    if (p != NULL && p[0] != '\0')
        n = snprintf(buf, cap, "%s", p);
    else if (xdg != NULL && xdg[0] == '/')
        n = snprintf(buf, cap, "%s/clavis/profile.json", xdg);
    else if (home != NULL && home[0] != '\0')
        n = snprintf(buf, cap, "%s/.config/clavis/profile.json", home);
    else
        return false;
    if (n < 0 || (size_t)n >= cap)
        return false;
    if (!token_cache)
        return true;
    slash = strrchr(buf, '/'); /* token.json goes in the profile's directory */
    n = slash ? (int)(slash - buf + 1) : 0;
    return (size_t)n + sizeof "token.json" <= cap &&
           snprintf(buf + n, cap - (size_t)n, "token.json") > 0;
}

/* Creates every missing directory above path (mode 0700). */
static bool make_parents(const char *path)
{
    char dir[4096];
    size_t len = strlen(path);

    if (len >= sizeof dir)
        return false;
    memcpy(dir, path, len + 1);
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return false;
        *p = '/';
    }
    return true;
}

static bool write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        s += w;
        n -= (size_t)w;
    }
    return true;
}

bool clv_cli_write_private(const char *path, const json_t *obj)
{
    char tmp[4200];
    char *text = NULL;
    int fd = -1;
    bool ok = false;

    if (!make_parents(path) || snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
        return false;
    if ((text = json_dumps(obj, JSON_INDENT(2))) == NULL || (fd = mkstemp(tmp)) < 0)
        goto cleanup;
    /* mkstemp makes the file 0600; fchmod says so whatever the platform does. */
    ok = fchmod(fd, 0600) == 0 && write_all(fd, text, strlen(text)) && write_all(fd, "\n", 1) &&
         fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    fd = -1;
    ok = ok && rename(tmp, path) == 0;
    if (!ok)
        unlink(tmp);
cleanup:
    if (fd >= 0)
        close(fd);
    clv_free_secret(text);
    return ok;
}

/* Loads a JSON object from path; NULL when it does not exist (quietly) or is unreadable
 * (with a warning). Warns when others may read it (it holds a secret). */
static json_t *load_private(const char *path)
{
    struct stat st;
    json_error_t jerr;
    json_t *j;

    if (stat(path, &st) != 0)
        return NULL;
    if ((st.st_mode & 077) != 0)
        fprintf(stderr, "clavis: warning: others can read %s; run chmod 600 on it\n", path);
    j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(j)) {
        fprintf(stderr, "clavis: warning: ignoring %s: %s\n", path,
                j ? "not a JSON object" : clv_json_error_words(&jerr));
        json_decref(j);
        return NULL;
    }
    return j;
}

/* ---- credentials ---- */

static void strip_slashes(char *url)
{
    size_t n = strlen(url);

    while (n > 0 && url[n - 1] == '/') /* the issuer has no trailing slash (docs/API.md) */
        url[--n] = '\0';
}

/* *dst = a copy of flag, else of the variable env, else of the profile's key (NULL if
 * none). false when out of memory. */
static bool pick(char **dst, const char *flag, const char *env, const json_t *profile,
                 const char *key)
{
    const char *v = flag != NULL ? flag : env != NULL ? getenv(env) : NULL;

    if (v == NULL || v[0] == '\0')
        v = json_string_value(json_object_get(profile, key));
    if (v == NULL || v[0] == '\0')
        return true;
    return (*dst = strdup(v)) != NULL;
}

/* The profile, when it is needed and is for url: its secret is never sent to another
 * server than the one `clavis login` checked it with. */
static json_t *profile_for(const clv_cli_ctx *ctx)
{
    char path[4096];
    const char *pu;
    json_t *p;
    char *url;
    bool same;

    if (!clv_cli_profile_path(path, sizeof path, false) || (p = load_private(path)) == NULL)
        return NULL;
    if (ctx->url == NULL)
        return p;
    pu = json_string_value(json_object_get(p, "url"));
    url = strdup(pu != NULL ? pu : "");
    if (url != NULL)
        strip_slashes(url);
    same = url != NULL && strcmp(url, ctx->url) == 0;
    free(url);
    if (!same)
        json_object_clear(p);
    return p;
}

static const char *missing_reason(const clv_cli_ctx *ctx)
{
    if (ctx->url == NULL)
        return "no server URL: give --url, set CLAVIS_URL or run 'clavis login'";
    if (ctx->client_id == NULL)
        return "no client: give --client-id, set CLAVIS_CLIENT_ID or run 'clavis login'";
    if (ctx->client_secret == NULL)
        return "no client secret: give --client-secret, set CLAVIS_CLIENT_SECRET or run "
               "'clavis login'";
    return NULL;
}

int clv_cli_credentials(clv_cli_ctx *ctx)
{
    json_t *profile = NULL;
    const char *missing;
    bool ok = pick(&ctx->url, ctx->flag_url, "CLAVIS_URL", NULL, "url");

    if (ok && ctx->url != NULL)
        strip_slashes(ctx->url);
    if (ok && (ctx->url == NULL || ctx->flag_client_id == NULL || ctx->flag_client_secret == NULL))
        profile = profile_for(ctx);
    ok = ok && (ctx->url != NULL || pick(&ctx->url, NULL, NULL, profile, "url")) &&
         pick(&ctx->client_id, ctx->flag_client_id, "CLAVIS_CLIENT_ID", profile, "client_id") &&
         pick(&ctx->client_secret, ctx->flag_client_secret, "CLAVIS_CLIENT_SECRET", profile,
              "client_secret");
    json_decref(profile);
    if (!ok) {
        fputs("clavis: out of memory\n", stderr);
        return CLV_EXIT_REFUSED;
    }
    if ((missing = missing_reason(ctx)) != NULL) {
        fprintf(stderr, "clavis: %s\n", missing);
        return CLV_EXIT_USAGE;
    }
    strip_slashes(ctx->url);
    return -1;
}

/* ---- the admin token ---- */

/* Appends s form-urlencoded (RFC 6749 §2.3.1, Appendix B) to out; false if it overflows. */
static bool form_encode(const char *s, char *out, size_t cap, size_t *len)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (*len + 4 > cap)
            return false;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out[(*len)++] = (char)c;
        } else if (c == ' ') {
            out[(*len)++] = '+';
        } else {
            out[(*len)++] = '%';
            out[(*len)++] = hex[c >> 4];
            out[(*len)++] = hex[c & 15];
        }
    }
    out[*len] = '\0';
    return true;
}

static void base64(const unsigned char *in, size_t n, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[o] = '\0';
}

/* "Authorization: Basic …" for the credentials into hdr (RFC 6749 §2.3.1). */
static bool basic_header(const clv_cli_ctx *ctx, char *hdr, size_t cap)
{
    char pair[3072];
    size_t len = 0, need;
    bool ok;

    ok = form_encode(ctx->client_id, pair, sizeof pair - 1, &len) && (pair[len++] = ':') &&
         form_encode(ctx->client_secret, pair, sizeof pair, &len);
    need = sizeof "Authorization: Basic " + (len + 2) / 3 * 4;
    if (ok && need <= cap) {
        memcpy(hdr, "Authorization: Basic ", sizeof "Authorization: Basic ");
        base64((const unsigned char *)pair, len, hdr + strlen(hdr));
    }
    clv_wipe(pair, sizeof pair);
    return ok && need <= cap;
}

/* The cache is keyed by the server, the client and a digest of the secret, so that a
 * wrong --client-secret never rides on a token the right one fetched. */
static bool cache_key(const clv_cli_ctx *ctx, char hex[65])
{
    unsigned char d[32];

    if (!clv_sha256(ctx->client_secret, strlen(ctx->client_secret), d))
        return false;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return true;
}

/* A token goes into a header line: only the characters of a JWT (RFC 7515 §7.1) pass. */
static bool token_ok(const char *t)
{
    return t != NULL && t[0] != '\0' &&
           t[strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")] ==
               '\0';
}

static bool field_is(const json_t *j, const char *key, const char *want)
{
    const char *v = json_string_value(json_object_get(j, key));

    return v != NULL && strcmp(v, want) == 0;
}

static bool cached_token(clv_cli_ctx *ctx)
{
    char path[4096], key[65];
    json_t *j;
    const char *tok;
    bool ok = false;

    if (!clv_cli_profile_path(path, sizeof path, true) || !cache_key(ctx, key) ||
        (j = load_private(path)) == NULL)
        return false;
    tok = json_string_value(json_object_get(j, "access_token"));
    if (token_ok(tok) && field_is(j, "url", ctx->url) && field_is(j, "client_id", ctx->client_id) &&
        field_is(j, "key", key) &&
        json_integer_value(json_object_get(j, "exp")) > (json_int_t)time(NULL) + TOKEN_MARGIN)
        ok = (ctx->token = strdup(tok)) != NULL;
    json_decref(j);
    return ok;
}

/* Best effort: a token that cannot be cached is fetched again next time. */
static void save_token(const clv_cli_ctx *ctx, json_int_t expires_in)
{
    char path[4096], key[65];
    json_t *j;

    if (!clv_cli_profile_path(path, sizeof path, true) || !cache_key(ctx, key))
        return;
    j = json_pack("{s:s, s:s, s:s, s:s, s:I}", "url", ctx->url, "client_id", ctx->client_id, "key",
                  key, "access_token", ctx->token, "exp", (json_int_t)time(NULL) + expires_in);
    if (j != NULL && !clv_cli_write_private(path, j))
        fprintf(stderr, "clavis: warning: cannot cache the admin token in %s: %s\n", path,
                strerror(errno));
    json_decref(j);
}

/* POST /token, client_credentials with scope admin (docs/API.md). */
static int fetch_token(clv_cli_ctx *ctx)
{
    char auth[4200], url[2100];
    const char *hdrs[] = {auth, "Content-Type: application/x-www-form-urlencoded",
                          "Accept: application/json", NULL};
    clv_net_resp r = {0};
    char errbuf[256];
    json_t *j = NULL;
    const char *tok;
    int rc = CLV_EXIT_REFUSED;

    if (!basic_header(ctx, auth, sizeof auth) ||
        snprintf(url, sizeof url, "%s/token", ctx->url) >= (int)sizeof url) {
        fputs("clavis: the URL or the credentials are too long\n", stderr);
        return CLV_EXIT_USAGE;
    }
    if (!clv_cli_http_send(ctx->http, "POST", url, hdrs,
                           "grant_type=client_credentials&scope=admin", &r, errbuf,
                           sizeof errbuf)) {
        fprintf(stderr, "clavis: cannot reach %s: %s\n", ctx->url, errbuf);
        goto cleanup;
    }
    if (r.status != 200) {
        clv_cli_print_refusal("cannot get an admin token", &r);
        goto cleanup;
    }
    j = json_loads(r.body, 0, NULL);
    if (!token_ok(tok = json_string_value(json_object_get(j, "access_token")))) {
        fprintf(stderr, "clavis: %s/token answered without a usable access_token\n", ctx->url);
        goto cleanup;
    }
    clv_free_secret(ctx->token);
    if ((ctx->token = strdup(tok)) != NULL) {
        ctx->token_fresh = true;
        save_token(ctx, json_integer_value(json_object_get(j, "expires_in")));
        rc = -1;
    }
cleanup:
    clv_wipe(auth, sizeof auth);
    json_decref(j);
    clv_net_resp_cleanup(&r);
    return rc;
}

int clv_cli_token(clv_cli_ctx *ctx, bool fresh)
{
    int rc;

    if (ctx->url == NULL && (rc = clv_cli_credentials(ctx)) >= 0)
        return rc;
    if (ctx->http == NULL && (ctx->http = clv_net_client_new()) == NULL) {
        fputs("clavis: cannot start the HTTP client\n", stderr);
        return CLV_EXIT_REFUSED;
    }
    if (ctx->token != NULL && !fresh)
        return -1;
    if (!fresh && cached_token(ctx))
        return -1;
    return fetch_token(ctx);
}
