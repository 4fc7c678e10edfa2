/* config — defaults and CLAVIS_* environment variables (see config.h). */
#include "base/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/uri.h"

bool clv_config_set_str(char **slot, const char *value)
{
    char *copy = NULL;

    if (value != NULL && (copy = strdup(value)) == NULL)
        return false;
    free(*slot);
    *slot = copy;
    return true;
}

bool clv_config_parse_duration(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v;
    int64_t unit = 1;

    if (s == NULL || !isdigit((unsigned char)s[0]))
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || v < 0)
        return false;
    if (*end != '\0') {
        switch (*end) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        default: return false;
        }
        if (end[1] != '\0')
            return false;
    }
    if (v > INT64_MAX / unit)
        return false;
    *out = (int64_t)v * unit;
    return true;
}

static clv_code env_str(const char *name, char **slot, clv_err *err)
{
    const char *v = getenv(name);

    if (v == NULL || v[0] == '\0')
        return CLV_OK;
    if (!clv_config_set_str(slot, v))
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}

static clv_code env_duration(const char *name, int64_t *slot, clv_err *err)
{
    const char *v = getenv(name);

    if (v == NULL || v[0] == '\0')
        return CLV_OK;
    if (!clv_config_parse_duration(v, slot))
        return clv_fail_field(err, CLV_INVALID, name, "%s: not a duration (e.g. 3600, 14d)",
                              name);
    return CLV_OK;
}

/* A switch: 1, true, yes, on — or 0, false, no, off. */
static clv_code env_bool(const char *name, bool *slot, clv_err *err)
{
    static const char *const on[] = {"1", "true", "yes", "on"};
    static const char *const off[] = {"0", "false", "no", "off"};
    const char *v = getenv(name);

    if (v == NULL || v[0] == '\0')
        return CLV_OK;
    for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
        if (strcasecmp(v, on[i]) == 0 || strcasecmp(v, off[i]) == 0) {
            *slot = strcasecmp(v, on[i]) == 0;
            return CLV_OK;
        }
    }
    return clv_fail_field(err, CLV_INVALID, name, "%s must be 1 or 0 (true or false)", name);
}

bool clv_config_parse_pool(const char *v, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);

    if (v[0] < '0' || v[0] > '9' || *end != '\0' || n < 1 || n > 1024)
        return false;
    *out = (int)n;
    return true;
}

/* CLAVIS_TRUSTED_PROXIES: IP addresses separated by commas, each written in canonical form
 * between commas (",127.0.0.1,::1,") so that clv_config_is_proxy is one search. */
static clv_code env_proxies(clv_config *cfg, clv_err *err)
{
    const char *v = getenv("CLAVIS_TRUSTED_PROXIES"), *p = v;
    size_t cap = v != NULL ? strlen(v) * 8 + 64 : 0, len = 1;
    char *list;

    if (v == NULL || v[0] == '\0')
        return CLV_OK;
    if ((list = malloc(cap)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    list[0] = ',';
    while (*p != '\0') {
        char one[64], canon[INET6_ADDRSTRLEN];
        unsigned char a[16];
        size_t n = strcspn(p, ",");
        int fam;
        snprintf(one, sizeof one, "%.*s", (int)(n < sizeof one ? n : sizeof one - 1), p);
        fam = strchr(one, ':') != NULL ? AF_INET6 : AF_INET;
        if (n >= sizeof one || inet_pton(fam, one, a) != 1 ||
            inet_ntop(fam, a, canon, sizeof canon) == NULL) {
            free(list);
            return clv_fail_field(err, CLV_INVALID, "CLAVIS_TRUSTED_PROXIES",
                                  "CLAVIS_TRUSTED_PROXIES: '%.*s' is not an IP address",
                                  (int)(n < 64 ? n : 64), p);
        }
        len += (size_t)snprintf(list + len, cap - len, "%s,", canon);
        p += n + (p[n] == ',');
    }
    free(cfg->trusted_proxies);
    cfg->trusted_proxies = list;
    return CLV_OK;
}

bool clv_config_is_proxy(const clv_config *cfg, const char *addr)
{
    char needle[INET6_ADDRSTRLEN + 2];

    if (cfg->trusted_proxies == NULL || addr == NULL || addr[0] == '\0')
        return false;
    snprintf(needle, sizeof needle, ",%s,", addr);
    return strstr(cfg->trusted_proxies, needle) != NULL;
}

bool clv_config_parse_count(const char *s, int64_t max, int64_t *out)
{
    int64_t v = 0;

    if (s == NULL || *s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || v > (max - (*s - '0')) / 10)
            return false;
        v = v * 10 + (*s - '0');
    }
    if (v < 1)
        return false;
    *out = v;
    return true;
}

/* CLAVIS_MAX_REGISTERED_CLIENTS (docs/OPERATIONS.md "Open registration"). */
static clv_code env_max_registered(clv_config *cfg, clv_err *err)
{
    const char *v = getenv("CLAVIS_MAX_REGISTERED_CLIENTS");

    if (v == NULL || v[0] == '\0')
        return CLV_OK;
    if (!clv_config_parse_count(v, CLV_MAX_REGISTERED_MAX, &cfg->max_registered_clients))
        return clv_fail_field(err, CLV_INVALID, "CLAVIS_MAX_REGISTERED_CLIENTS",
                              "CLAVIS_MAX_REGISTERED_CLIENTS must be 1 to %d",
                              CLV_MAX_REGISTERED_MAX);
    return CLV_OK;
}

/* The CLAVIS_* variables of a string, a duration or a switch, and where each goes. */
enum { ENV_STR, ENV_DURATION, ENV_BOOL };
static const struct {
    const char *name;
    int kind;
    size_t off;
} env_vars[] = {
    {"CLAVIS_LISTEN", ENV_STR, offsetof(clv_config, listen)},
    {"CLAVIS_ISSUER", ENV_STR, offsetof(clv_config, issuer)},
    {"CLAVIS_DB", ENV_STR, offsetof(clv_config, db)},
    {"CLAVIS_KEY_DIR", ENV_STR, offsetof(clv_config, key_dir)},
    {"CLAVIS_OPEN_REGISTRATION_SERVICE", ENV_STR, offsetof(clv_config, open_registration_service)},
    {"CLAVIS_RETENTION", ENV_DURATION, offsetof(clv_config, retention)},
    {"CLAVIS_ACCESS_TOKEN_MIN", ENV_DURATION, offsetof(clv_config, at_lifetime_min)},
    {"CLAVIS_ACCESS_TOKEN_MAX", ENV_DURATION, offsetof(clv_config, at_lifetime_max)},
    {"CLAVIS_REFRESH_TOKEN_MAX", ENV_DURATION, offsetof(clv_config, rt_lifetime_max)},
    {"CLAVIS_SECRET_LIFETIME", ENV_DURATION, offsetof(clv_config, secret_lifetime)},
    {"CLAVIS_PURGE_INTERVAL", ENV_DURATION, offsetof(clv_config, purge_interval)},
    {"CLAVIS_REUSE_PORT", ENV_BOOL, offsetof(clv_config, reuse_port)},
    {"CLAVIS_FETCH_ALLOW_LOOPBACK", ENV_BOOL, offsetof(clv_config, fetch_allow_loopback)},
    {"CLAVIS_FETCH_CA_FILE", ENV_STR, offsetof(clv_config, fetch_ca_file)},
    {"CLAVIS_METADATA_DOCUMENT_SERVICE", ENV_STR,
     offsetof(clv_config, metadata_document_service)},
    {"CLAVIS_METADATA_DOCUMENT_HOSTS", ENV_STR, offsetof(clv_config, metadata_document_hosts)},
    {"CLAVIS_KEK", ENV_STR, offsetof(clv_config, kek)},
    {"CLAVIS_KEY_ROTATION", ENV_DURATION, offsetof(clv_config, key_rotation)},
    {"CLAVIS_KEY_RETIRE_MARGIN", ENV_DURATION, offsetof(clv_config, key_retire_margin)},
    {"CLAVIS_METRICS_LISTEN", ENV_STR, offsetof(clv_config, metrics_listen)},
    {"CLAVIS_LOG_REQUESTS", ENV_BOOL, offsetof(clv_config, log_requests)},
};

bool clv_config_parse_log_format(const char *s, bool *text)
{
    if (s == NULL || (strcmp(s, "json") != 0 && strcmp(s, "text") != 0))
        return false;
    *text = strcmp(s, "text") == 0;
    return true;
}

bool clv_config_parse_metrics_clients(const char *s, int *out)
{
    int64_t n = 0;

    if (s == NULL || (strcmp(s, "0") != 0 && !clv_config_parse_count(s, 10000, &n)))
        return false;
    *out = (int)n;
    return true;
}

/* The variables of the operations settings: CLAVIS_LOG_FORMAT, CLAVIS_METRICS_CLIENTS. */
static clv_code env_ops(clv_config *cfg, clv_err *err)
{
    const char *fmt = getenv("CLAVIS_LOG_FORMAT"), *n = getenv("CLAVIS_METRICS_CLIENTS");

    if (fmt != NULL && fmt[0] != '\0' && !clv_config_parse_log_format(fmt, &cfg->log_text))
        return clv_fail_field(err, CLV_INVALID, "CLAVIS_LOG_FORMAT",
                              "CLAVIS_LOG_FORMAT must be json or text");
    if (n != NULL && n[0] != '\0' && !clv_config_parse_metrics_clients(n, &cfg->metrics_clients))
        return clv_fail_field(err, CLV_INVALID, "CLAVIS_METRICS_CLIENTS",
                              "CLAVIS_METRICS_CLIENTS must be 0 to 10000");
    return CLV_OK;
}

static clv_code apply_env(clv_config *cfg, clv_err *err)
{
    const char *alg = getenv("CLAVIS_TOKEN_ALG");
    clv_code rc = CLV_OK;

    for (size_t i = 0; rc == CLV_OK && i < sizeof env_vars / sizeof env_vars[0]; i++) {
        void *slot = (char *)cfg + env_vars[i].off;
        if (env_vars[i].kind == ENV_STR)
            rc = env_str(env_vars[i].name, slot, err);
        else if (env_vars[i].kind == ENV_DURATION)
            rc = env_duration(env_vars[i].name, slot, err);
        else
            rc = env_bool(env_vars[i].name, slot, err);
    }
    if (rc != CLV_OK || (rc = env_proxies(cfg, err)) != CLV_OK ||
        (rc = env_ops(cfg, err)) != CLV_OK || (rc = env_max_registered(cfg, err)) != CLV_OK)
        return rc;
    if (getenv("CLAVIS_DB_POOL") != NULL && getenv("CLAVIS_DB_POOL")[0] != '\0' &&
        !clv_config_parse_pool(getenv("CLAVIS_DB_POOL"), &cfg->db_pool))
        return clv_fail_field(err, CLV_INVALID, "CLAVIS_DB_POOL",
                              "CLAVIS_DB_POOL must be 1 to 1024 connections");
    if (alg != NULL && alg[0] != '\0' && !clv_alg_parse(alg, &cfg->token_alg))
        return clv_fail_field(err, CLV_INVALID, "CLAVIS_TOKEN_ALG",
                              "CLAVIS_TOKEN_ALG must be RS256, ES256 or EdDSA");
    return clv_config_check(cfg, err);
}

clv_code clv_config_check(clv_config *cfg, clv_err *err)
{
    if (cfg->at_lifetime_min < 1 || cfg->at_lifetime_min > cfg->at_lifetime_max)
        return clv_fail(err, CLV_INVALID,
                        "the access token lifetime bounds are empty (min %lld > max %lld)",
                        (long long)cfg->at_lifetime_min, (long long)cfg->at_lifetime_max);
    if (cfg->rt_lifetime_max < 60)
        return clv_fail(err, CLV_INVALID, "the refresh token lifetime bound is below 60 s");
    /* The defaults follow the bounds, so that a client created without a lifetime is
     * always valid. */
    if (cfg->at_lifetime_default > cfg->at_lifetime_max)
        cfg->at_lifetime_default = cfg->at_lifetime_max;
    if (cfg->at_lifetime_default < cfg->at_lifetime_min)
        cfg->at_lifetime_default = cfg->at_lifetime_min;
    if (cfg->rt_lifetime_default > cfg->rt_lifetime_max)
        cfg->rt_lifetime_default = cfg->rt_lifetime_max;
    return CLV_OK;
}

clv_code clv_config_init(clv_config *cfg, bool env, clv_err *err)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    memset(cfg, 0, sizeof *cfg);
    if (!clv_config_set_str(&cfg->listen, "127.0.0.1:8080") ||
        !clv_config_set_str(&cfg->db, "clavis.db"))
        return clv_fail(err, CLV_NOMEM, "out of memory");
    cfg->token_alg = CLV_ALG_RS256;
    cfg->at_lifetime_min = 60;
    cfg->at_lifetime_max = 3600;
    cfg->at_lifetime_default = 3600;
    cfg->rt_lifetime_default = 30 * 86400;
    cfg->rt_lifetime_max = 90 * 86400;
    cfg->retention = 14 * 86400;
    cfg->secret_lifetime = 365 * 86400;
    cfg->purge_interval = 3600;
    cfg->key_retire_margin = 300; /* docs/DESIGN.md "Signing keys and the KEK" */
    cfg->threads = cores > 0 ? (int)cores : 2;
    cfg->metrics_clients = 100;
    if (env)
        return apply_env(cfg, err);
    return CLV_OK;
}

void clv_config_cleanup(clv_config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->listen);
    free(cfg->issuer);
    free(cfg->db);
    free(cfg->key_dir);
    free(cfg->open_registration_service);
    free(cfg->trusted_proxies);
    free(cfg->fetch_ca_file);
    free(cfg->metadata_document_service);
    free(cfg->metadata_document_hosts);
    if (cfg->kek != NULL)
        memset(cfg->kek, 0, strlen(cfg->kek));
    free(cfg->kek);
    free(cfg->metrics_listen);
    memset(cfg, 0, sizeof *cfg);
}

/* ---- the issuer ---- */

static bool is_unreserved(char c)
{
    /* RFC 3986 §2.3 */
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* host[:port] of an issuer (RFC 3986 §3.2), by the one URI parser on the issuer up to
 * its path (whose own rules are path_ok's): a host, no user name, and a port, if any,
 * from 1 to 65535. 0 when fine, else 1 for a bad authority and 2 for a user name. */
static int authority_check(const char *issuer)
{
    char head[CLV_ISSUER_MAX + 1];
    const char *a = strstr(issuer, "://");
    clv_uri_parts u;

    if (a == NULL)
        return 1;
    snprintf(head, sizeof head, "%.*s", (int)(a + 3 - issuer + strcspn(a + 3, "/")), issuer);
    if (clv_uri_split(head, &u) != NULL || !u.has_authority)
        return 1;
    if (u.has_userinfo)
        return 2;
    if (u.host.n == 0 || (u.has_port && strspn(u.port.p, "0") >= u.port.n))
        return 1;
    return 0;
}

static bool is_loopback(const char *a, size_t len)
{
    static const char *const hosts[] = {"127.0.0.1", "[::1]", "localhost"};

    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        size_t n = strlen(hosts[i]);
        if (len >= n && strncasecmp(a, hosts[i], n) == 0 && (len == n || a[n] == ':'))
            return true;
    }
    return false;
}

/* "/seg/seg": unreserved characters and %XX in segments that are neither empty nor dot
 * segments (RFC 3986 §3.3, §5.2.4: a client would remove those and ask elsewhere). */
static bool path_ok(const char *p)
{
    while (*p == '/') {
        size_t n = 0;
        for (p++; p[n] != '\0' && p[n] != '/'; n++) {
            if (p[n] == '%' && isxdigit((unsigned char)p[n + 1]) &&
                isxdigit((unsigned char)p[n + 2]))
                n += 2;
            else if (!is_unreserved(p[n]))
                return false;
        }
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n;
    }
    return *p == '\0';
}

static const char *after_scheme(const char *issuer)
{
    if (strncmp(issuer, "https://", 8) == 0)
        return issuer + 8;
    if (strncmp(issuer, "http://", 7) == 0)
        return issuer + 7;
    return NULL;
}

const char *clv_config_issuer_path(const char *issuer)
{
    const char *a = after_scheme(issuer);

    return a != NULL ? a + strcspn(a, "/") : "";
}

clv_code clv_config_check_issuer(const char *issuer, clv_err *err)
{
    const char *a = issuer != NULL ? after_scheme(issuer) : NULL, *path;
    size_t alen;

#define BAD(...) clv_fail_field(err, CLV_INVALID, "issuer", __VA_ARGS__)
    /* RFC 8414 §2: "a URL that uses the https scheme and has no query or fragment
     * components"; http on loopback is for development and tests. */
    if (issuer == NULL || issuer[0] == '\0')
        return BAD("the issuer is empty");
    if (strlen(issuer) > CLV_ISSUER_MAX)
        return BAD("the issuer is longer than %d characters", CLV_ISSUER_MAX);
    if (a == NULL)
        return BAD("the issuer '%.100s' must be an https URL (http only on 127.0.0.1, [::1] "
                   "or localhost)",
                   issuer);
    if (issuer[strcspn(issuer, "?#")] != '\0')
        return BAD("the issuer '%.100s' must not have a query or fragment", issuer);
    path = a + (alen = strcspn(a, "/"));
    if (memchr(a, '@', alen) != NULL || authority_check(issuer) == 2)
        return BAD("the issuer '%.100s' must not have a user name", issuer);
    if (authority_check(issuer) != 0)
        return BAD("the issuer '%.100s' needs a host and an optional port", issuer);
    if (issuer[strlen(issuer) - 1] == '/')
        return BAD("the issuer '%.100s' must not end with '/'", issuer);
    if (a == issuer + 7 && !is_loopback(a, alen))
        return BAD("the issuer '%.100s' must be an https URL (http only on 127.0.0.1, [::1] "
                   "or localhost)",
                   issuer);
    if (!path_ok(path))
        return BAD("the issuer's path '%.100s' may hold only letters, digits, '-._~' and %%XX, "
                   "in segments that are not empty, '.' or '..'",
                   path);
#undef BAD
    return CLV_OK;
}

clv_code clv_config_check_server(clv_config *cfg, clv_err *err)
{
    char issuer[CLV_ISSUER_MAX + 16];

    if (cfg->issuer != NULL)
        return clv_config_check_issuer(cfg->issuer, err);
    snprintf(issuer, sizeof issuer, "http://%s", cfg->listen);
    if (clv_config_check_issuer(issuer, NULL) != CLV_OK)
        return clv_fail_field(err, CLV_INVALID, "issuer",
                              "give --issuer (the https URL clients use): the default, "
                              "http://%.100s, is only for a loopback --listen address",
                              cfg->listen);
    if (!clv_config_set_str(&cfg->issuer, issuer))
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}
