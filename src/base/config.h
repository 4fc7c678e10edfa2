/* config — the server's settings, read once at start-up from flags and CLAVIS_* variables
 * (flags win), then shared read-only by every thread. */
#ifndef CLV_BASE_CONFIG_H
#define CLV_BASE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/model.h"

typedef struct {
    char *listen;    /* "127.0.0.1:8080" */
    char *issuer;    /* no trailing slash */
    char *db;        /* SQLite path or postgres:// URL */
    char *key_dir;   /* NULL: keys live in the database */
    clv_alg token_alg;          /* default access_token_signing_alg */
    int64_t at_lifetime_min;    /* access_token_lifetime bounds (seconds) */
    int64_t at_lifetime_max;
    int64_t at_lifetime_default;
    int64_t rt_lifetime_default; /* refresh_token_lifetime */
    int64_t rt_lifetime_max;
    int64_t retention;           /* seconds a deleted object is kept (default 14 days) */
    int64_t secret_lifetime;     /* default secret expiry (seconds; default one year) */
    int64_t purge_interval;      /* seconds between purge runs in serve */
    int threads;                 /* HTTP worker threads (default: cores) */
    int db_pool; /* PostgreSQL: connections at most (--db-pool; 0: one per thread) */
    bool log_requests;           /* one JSON line per request */
    char *open_registration_service; /* NULL: POST /register needs an initial access token;
                                      * else the service that open registrations join */
    int64_t max_registered_clients; /* 0: no cap; else the most clients registered through
                                     * /register the open-registration service holds */
    bool reuse_port; /* share the listen address with other servers (SO_REUSEPORT): only
                      * for a zero-downtime restart, docs/OPERATIONS.md */
    char *kek;                 /* CLAVIS_KEK: base64url of the 32-byte key-encryption key, or
                                * NULL: a file (docs/OPERATIONS.md "Keys") */
    int64_t key_rotation;      /* seconds between automatic rotations; 0: off */
    int64_t key_retire_margin; /* a retired key stays published this long after the longest
                                * access token it signed expires (default 5 min) */
    char *trusted_proxies; /* NULL: none; else ",ADDR,ADDR," (canonical text) whose
                            * X-Forwarded-For is believed (CLAVIS_TRUSTED_PROXIES) */
    bool fetch_allow_loopback; /* outgoing fetches may reach loopback, http too (tests,
                                * development; docs/SECURITY.md "Outgoing fetches") */
    char *fetch_ca_file;       /* NULL: none; PEM CAs trusted by outgoing fetches on top of
                                * the system's */
    char *metadata_document_service; /* NULL: client ID metadata documents off; else the
                                      * service their clients join (docs/AGENTS.md) */
    char *metadata_document_hosts;   /* NULL: any host; else "h1,*.h2,…": the hosts a
                                      * metadata document URL may name */
    char *metrics_listen;  /* NULL: GET /metrics on the listen address; else only on this
                            * HOST:PORT (CLAVIS_METRICS_LISTEN) */
    int metrics_clients;   /* per-client series of /metrics (CLAVIS_METRICS_CLIENTS; 100) */
    bool log_text;         /* --log-format text (CLAVIS_LOG_FORMAT); default JSON lines */
} clv_config;

enum { CLV_ISSUER_MAX = 255 }; /* characters of an issuer URL */

/* Client ID metadata documents (docs/AGENTS.md): the draft followed, and the largest
 * document taken (its §8.7 recommends 5 KB). */
#define CLV_CIMD_DRAFT "draft-ietf-oauth-client-id-metadata-document-03"
enum { CLV_CIMD_MAX_BYTES = 5 * 1024 };

/* The defaults of docs/DESIGN.md M and docs/API.md (owned strings duplicated); env applies CLAVIS_*
 * variables on top. CLV_INVALID (with the variable named) on a bad value. */
clv_code clv_config_init(clv_config *cfg, bool env, clv_err *err);

/* Checks that the bounds are consistent (CLV_INVALID if not) and moves the default
 * lifetimes inside them. Called by clv_config_init with env, and by the CLI after flags. */
clv_code clv_config_check(clv_config *cfg, clv_err *err);

/* Checks an issuer URL (RFC 8414 §2, docs/OPERATIONS.md "The issuer"): https, or http on
 * a loopback host (127.0.0.1, [::1], localhost); a host and optional port, no user name,
 * query or fragment; a path, if any, of letters, digits, "-._~" and %XX in non-empty
 * segments other than "." and "..", with no trailing '/'; at most CLV_ISSUER_MAX
 * characters. CLV_INVALID (the reason recorded, field "issuer") if not. */
clv_code clv_config_check_issuer(const char *issuer, clv_err *err);

/* The path of an issuer that passed clv_config_check_issuer ("" when it has none, else
 * "/…" without a trailing '/'); borrowed from issuer. */
const char *clv_config_issuer_path(const char *issuer);

/* What serve needs beyond clv_config_check: the issuer (default "http://" + listen, which
 * is refused unless listen is a loopback address) checked by clv_config_check_issuer.
 * CLV_INVALID with the reason; CLV_NOMEM. */
clv_code clv_config_check_server(clv_config *cfg, clv_err *err);
/* true if addr (canonical text, as inet_ntop writes it) is one of cfg's trusted proxies. */
bool clv_config_is_proxy(const clv_config *cfg, const char *addr);

/* Releases the strings; the struct can be reused after clv_config_init. */
void clv_config_cleanup(clv_config *cfg);

/* Replaces *slot with a copy of value (NULL keeps NULL). false on allocation failure. */
bool clv_config_set_str(char **slot, const char *value);

/* Parses a decimal integer 1..max (nothing else: no sign, no unit) into *out. */
bool clv_config_parse_count(const char *s, int64_t max, int64_t *out);

/* The largest --max-registered-clients. */
enum { CLV_MAX_REGISTERED_MAX = 100000000 };
/* A --db-pool / CLAVIS_DB_POOL value: 1 to 1024 connections. */
bool clv_config_parse_pool(const char *v, int *out);

/* Parses --log-format / CLAVIS_LOG_FORMAT ("json" or "text") into *text. */
bool clv_config_parse_log_format(const char *s, bool *text);

/* Parses --metrics-clients / CLAVIS_METRICS_CLIENTS: 0 to 10000. */
bool clv_config_parse_metrics_clients(const char *s, int *out);

/* Parses a non-negative decimal integer with optional unit suffix s/m/h/d into seconds. */
bool clv_config_parse_duration(const char *s, int64_t *out);

#endif
