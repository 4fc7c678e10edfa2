/* cmd_server — `clavis serve`, `clavis init` and `clavis purge`: the commands that work
 * on the database directly rather than through the admin API. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/log.h"
#include "cli/commands.h"
#include "cli/page_trim.h"
#include "cli/server_options.h"
#include "core/app.h"
#include "core/audit.h"
#include "core/changes.h"
#include "core/client_json.h"
#include "core/console_client.h"
#include "core/ids.h"
#include "core/metrics.h"
#include "core/retention.h"
#include "core/signing_keys.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/rand.h"
#include "http/handlers.h"
#include "http/server.h"
#include "net/fetch.h"
#include "oauth/cimd.h"

static const char serve_help[] =
    "Usage: clavis serve [OPTIONS]\n"
    "Runs the Clavis authorization server on a database that 'clavis init' made, with\n"
    "the web console at ISSUER/console (its OAuth client, clavis-console, is created or\n"
    "updated for ISSUER at start-up).\n\n"
    "  --listen HOST:PORT   address to listen on (CLAVIS_LISTEN; default 127.0.0.1:8080)\n"
    "  --issuer URL         issuer URL: https (http only on 127.0.0.1, [::1] or\n"
    "                       localhost), no query, fragment or trailing slash; every\n"
    "                       endpoint is served under its path (CLAVIS_ISSUER;\n"
    "                       default http://LISTEN, for a loopback LISTEN only)\n"
    "  --db FILE|URL        SQLite file (CLAVIS_DB; default ./clavis.db)\n"
    "  --token-alg ALG      default access token alg: RS256, ES256 or EdDSA\n"
    "                       (CLAVIS_TOKEN_ALG; default RS256)\n"
    "  --key-dir DIR        keep the key-encryption key (KEK) as DIR/kek instead of\n"
    "                       beside the database (CLAVIS_KEY_DIR); else CLAVIS_KEK gives\n"
    "                       it itself (base64url of 32 bytes). The keys are in the\n"
    "                       database, sealed under it; back it up on its own\n"
    "  --key-rotation-days N\n"
    "                       rotate the signing keys every N days (CLAVIS_KEY_ROTATION as\n"
    "                       a duration; default off: 'clavis key rotate')\n"
    "  --retention DUR      how long deleted clients can be restored (CLAVIS_RETENTION;\n"
    "                       default 14d; DUR is N, Ns, Nm, Nh or Nd)\n"
    "  --purge-interval DUR time between purge runs (CLAVIS_PURGE_INTERVAL; default 1h)\n"
    "  --threads N          HTTP worker threads (default: number of cores)\n"
    "  --db-pool N          PostgreSQL: at most N connections, shared by the threads\n"
    "                       (CLAVIS_DB_POOL; default one per thread)\n"
    "  --log-requests       log one line per request: request id, method, path (no\n"
    "                       query), status, duration, client_id and failure cause\n"
    "                       (CLAVIS_LOG_REQUESTS=1; default off)\n"
    "  --log-format json|text  one JSON object a line, or plain text lines\n"
    "                       (CLAVIS_LOG_FORMAT; default json)\n"
    "  --metrics-listen HOST:PORT\n"
    "                       serve GET /metrics on this address only, not on --listen\n"
    "                       (CLAVIS_METRICS_LISTEN; default: on the listen address)\n"
    "  --metrics-clients N  per-client series in /metrics: the N busiest clients, the\n"
    "                       rest summed as client_id=\"other\"; 0 to 10000\n"
    "                       (CLAVIS_METRICS_CLIENTS; default 100)\n"
    "  --open-registration-service SERVICE_ID\n"
    "                       allow POST /register without an initial access token; such\n"
    "                       clients join this service (CLAVIS_OPEN_REGISTRATION_SERVICE;\n"
    "                       default off: registration needs an initial access token)\n";

/* The rest of serve's help: one literal would be longer than C99 promises to support. */
static const char serve_help_more[] =
    "  --max-registered-clients N\n"
    "                       at most N clients registered through /register in the\n"
    "                       open-registration service; more are refused (400)\n"
    "                       (CLAVIS_MAX_REGISTERED_CLIENTS; default no cap)\n"
    "  --reuse-port         share the listen address with another server that also has\n"
    "                       it, for a restart without downtime (CLAVIS_REUSE_PORT=1;\n"
    "                       default off: an address in use stops start-up, exit 1)\n"
    "  --fetch-allow-loopback\n"
    "                       let the server's own fetches (jwks_uri, sector_identifier_uri,\n"
    "                       metadata documents) reach loopback addresses, by http too: for\n"
    "                       tests and development only (CLAVIS_FETCH_ALLOW_LOOPBACK=1)\n"
    "  --fetch-ca-file FILE PEM CAs those fetches trust on top of the system's\n"
    "                       (CLAVIS_FETCH_CA_FILE)\n"
    "  --metadata-document-service SERVICE_ID\n"
    "                       accept https URL client_ids whose client metadata document\n"
    "                       Clavis fetches; such clients join this service\n"
    "                       (CLAVIS_METADATA_DOCUMENT_SERVICE; default off)\n"
    "  --metadata-document-hosts LIST\n"
    "                       only for these hosts: comma-separated, '*.example.com' for\n"
    "                       its subdomains (CLAVIS_METADATA_DOCUMENT_HOSTS; default any)\n"
    "  --help               show this help\n"
    "Exit codes: 0 stopped by SIGINT or SIGTERM, 1 start-up failed (address in use,\n"
    "database not initialised, …), 2 bad usage (a bad option, value or issuer).\n";

static const char purge_help[] =
    "Usage: clavis purge [--db FILE|URL] [--key-dir DIR] [--now TIME]\n"
    "Runs the hygiene of every tenant that has it (deactivates unused clients), then\n"
    "removes for good the clients and services deleted longer ago than the retention.\n"
    "  --now TIME           run as if it were TIME (RFC 3339), for tests only: the\n"
    "                       audit events still carry the real time\n";

enum { OPT_LISTEN = 256, OPT_ISSUER, OPT_DB, OPT_ALG, OPT_KEYDIR, OPT_RETENTION, OPT_PURGE,
       OPT_THREADS, OPT_LOG, OPT_JSON, OPT_HELP, OPT_OPEN_REG, OPT_REUSE_PORT, OPT_MAX_REG,
       OPT_NOW, OPT_DB_POOL, OPT_LOG_FORMAT, OPT_METRICS_LISTEN, OPT_METRICS_CLIENTS,
       OPT_FETCH_LOOPBACK, OPT_FETCH_CA, OPT_MD_SERVICE, OPT_MD_HOSTS, OPT_KEY_ROTATION };

static const struct option long_opts[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"issuer", required_argument, NULL, OPT_ISSUER},
    {"db", required_argument, NULL, OPT_DB},
    {"token-alg", required_argument, NULL, OPT_ALG},
    {"key-dir", required_argument, NULL, OPT_KEYDIR},
    {"retention", required_argument, NULL, OPT_RETENTION},
    {"purge-interval", required_argument, NULL, OPT_PURGE},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"log-requests", no_argument, NULL, OPT_LOG},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {"open-registration-service", required_argument, NULL, OPT_OPEN_REG},
    {"reuse-port", no_argument, NULL, OPT_REUSE_PORT},
    {"key-rotation-days", required_argument, NULL, OPT_KEY_ROTATION},
    {"max-registered-clients", required_argument, NULL, OPT_MAX_REG},
    {"now", required_argument, NULL, OPT_NOW},
    {"db-pool", required_argument, NULL, OPT_DB_POOL},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
    {"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
    {"metrics-clients", required_argument, NULL, OPT_METRICS_CLIENTS},
    {"fetch-allow-loopback", no_argument, NULL, OPT_FETCH_LOOPBACK},
    {"fetch-ca-file", required_argument, NULL, OPT_FETCH_CA},
    {"metadata-document-service", required_argument, NULL, OPT_MD_SERVICE},
    {"metadata-document-hosts", required_argument, NULL, OPT_MD_HOSTS},
    {NULL, 0, NULL, 0}};

/* The options only serve takes (init and purge refuse them). */
static bool serve_only(int val)
{
    return val == OPT_LISTEN || val == OPT_ISSUER || val == OPT_OPEN_REG || val == OPT_REUSE_PORT ||
           val == OPT_MAX_REG || val == OPT_DB_POOL || val == OPT_METRICS_LISTEN ||
           val == OPT_METRICS_CLIENTS || val == OPT_KEY_ROTATION ||
           (val >= OPT_FETCH_LOOPBACK && val <= OPT_MD_HOSTS);
}

const char *clv_cli_server_flag(size_t i, bool serve, bool *value)
{
    for (const struct option *o = long_opts; o->name != NULL; o++) {
        if ((serve || !serve_only(o->val)) && i-- == 0) {
            if (value != NULL)
                *value = o->has_arg != no_argument;
            return o->name;
        }
    }
    return NULL;
}

/* A usage error: one line and a hint, never the whole help (exit 2). */
static int bad(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fputs("clavis: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'clavis %s --help'.\n", cmd);
    return 2;
}

static const char *opt_name(int val)
{
    for (const struct option *o = long_opts; o->name != NULL; o++)
        if (o->val == val)
            return o->name;
    return "?";
}

/* What getopt_long refused ('?' or ':'), named (argv[optind - 1] is the word it read). */
static int refused_opt(char **argv, int c)
{
    const char *word = argv[optind - 1];

    if (c == ':')
        return bad(argv[0], "--%s needs a value", opt_name(optopt));
    if (optopt >= OPT_LISTEN)
        return bad(argv[0], "--%s takes no value", opt_name(optopt));
    if (optopt > 0)
        return bad(argv[0], "unknown option -%c", optopt);
    return bad(argv[0], "unknown option %.*s", (int)strcspn(word, "="), word);
}

/* --fetch-allow-loopback, --fetch-ca-file, --metadata-document-service and -hosts
 * (docs/OPERATIONS.md); false (with a usage error in *rc) for an empty value. */
static bool fetch_opt(char **argv, int c, clv_config *cfg, int *rc)
{
    if (c == OPT_FETCH_LOOPBACK) {
        cfg->fetch_allow_loopback = true;
        return true;
    }
    if (optarg[0] == '\0') {
        *rc = bad(argv[0], "--%s needs a %s", opt_name(c),
                  c == OPT_MD_SERVICE ? "service id" : "value");
        return false;
    }
    clv_config_set_str(c == OPT_FETCH_CA       ? &cfg->fetch_ca_file
                       : c == OPT_MD_SERVICE ? &cfg->metadata_document_service
                                             : &cfg->metadata_document_hosts,
                       optarg);
    return true;
}

/* --key-rotation-days N: 1 to 3650 days; 0 or 2 (message printed). */
static int key_rotation_days(char **argv, clv_config *cfg)
{
    char *end = NULL;
    long n = strtol(optarg, &end, 10);

    if (end == optarg || *end != '\0' || n < 1 || n > 3650)
        return bad(argv[0], "--key-rotation-days must be 1 to 3650");
    cfg->key_rotation = (int64_t)n * 86400;
    return 0;
}

/* --key-rotation-days, --metrics-listen, --metrics-clients; false (with a usage error in
 * *rc) for a bad value. */
static bool more_opt(char **argv, int c, clv_config *cfg, int *rc)
{
    if (c == OPT_KEY_ROTATION)
        *rc = key_rotation_days(argv, cfg);
    else if (c == OPT_METRICS_LISTEN)
        clv_config_set_str(&cfg->metrics_listen, optarg);
    else if (!clv_config_parse_metrics_clients(optarg, &cfg->metrics_clients))
        *rc = bad(argv[0], "--metrics-clients must be 0 to 10000");
    return *rc == 0;
}

/* The options of serve alone; false (with a usage error in *rc) for another command. */
static bool server_opt(char **argv, int c, bool server, clv_config *cfg, int *rc)
{
    if (!server) {
        *rc = bad(argv[0], "--%s is for clavis serve", opt_name(c));
        return false;
    }
    if (c >= OPT_FETCH_LOOPBACK && c <= OPT_MD_HOSTS) /* fetch and metadata documents */
        return fetch_opt(argv, c, cfg, rc);
    if (c == OPT_KEY_ROTATION || c == OPT_METRICS_LISTEN || c == OPT_METRICS_CLIENTS)
        return more_opt(argv, c, cfg, rc);
    if (c == OPT_LISTEN)
        clv_config_set_str(&cfg->listen, optarg);
    else if (c == OPT_ISSUER)
        clv_config_set_str(&cfg->issuer, optarg);
    else if (c == OPT_REUSE_PORT)
        cfg->reuse_port = true;
    else if (c == OPT_MAX_REG) {
        if (!clv_config_parse_count(optarg, CLV_MAX_REGISTERED_MAX, &cfg->max_registered_clients))
            *rc = bad(argv[0], "--max-registered-clients must be 1 to %d", CLV_MAX_REGISTERED_MAX);
    } else if (c == OPT_DB_POOL) {
        if (!clv_config_parse_pool(optarg, &cfg->db_pool))
            *rc = bad(argv[0], "--db-pool must be 1 to 1024 connections");
    } else if (optarg[0] == '\0') /* OPT_OPEN_REG */
        *rc = bad(argv[0], "--open-registration-service needs a service id");
    else
        clv_config_set_str(&cfg->open_registration_service, optarg);
    return *rc == 0;
}

/* One option that every command takes; returns 0 or 2 (message printed). */
static int common_opt(char **argv, int c, clv_config *cfg, cli_flags *fl)
{
    long n;
    char *end;

    switch (c) {
    case OPT_DB: clv_config_set_str(&cfg->db, optarg); break;
    case OPT_KEYDIR: clv_config_set_str(&cfg->key_dir, optarg); break;
    case OPT_JSON: fl->json = true; break;
    case OPT_HELP: fl->help = true; break;
    case OPT_NOW:
        if (strcmp(argv[0], "purge") != 0)
            return bad(argv[0], "--now is for clavis purge");
        fl->now = optarg;
        break;
    case OPT_LOG: cfg->log_requests = true; break;
    case OPT_LOG_FORMAT:
        if (!clv_config_parse_log_format(optarg, &cfg->log_text))
            return bad(argv[0], "--log-format must be json or text");
        break;
    case OPT_ALG:
        if (!clv_alg_parse(optarg, &cfg->token_alg))
            return bad(argv[0], "--token-alg must be RS256, ES256 or EdDSA");
        break;
    case OPT_RETENTION:
        if (!clv_config_parse_duration(optarg, &cfg->retention))
            return bad(argv[0], "--retention must be a duration such as 14d");
        break;
    case OPT_PURGE:
        if (!clv_config_parse_duration(optarg, &cfg->purge_interval) || cfg->purge_interval == 0)
            return bad(argv[0], "--purge-interval must be a positive duration such as 1h");
        break;
    case OPT_THREADS:
        n = strtol(optarg, &end, 10);
        if (*end != '\0' || n < 1 || n > 256)
            return bad(argv[0], "--threads must be 1 to 256");
        cfg->threads = (int)n;
        break;
    default: return refused_opt(argv, c);
    }
    return 0;
}

/* Parses options into cfg; returns 0 or 2 (message printed). argv[0] names the command. */
static int parse(int argc, char **argv, clv_config *cfg, cli_flags *fl, bool server)
{
    int c, rc = 0;

    optind = 1;
    opterr = 0;
    /* ':' first: a missing value is ':', told apart from an unknown option ('?'). */
    while ((c = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
        if (serve_only(c)) {
            if (!server_opt(argv, c, server, cfg, &rc))
                return rc;
        } else if ((rc = common_opt(argv, c, cfg, fl)) != 0) {
            return rc;
        }
    }
    if (optind < argc)
        return bad(argv[0], "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* Loads config from the environment and argv; returns -1 to go on, else an exit code. */
int clv_cli_setup(int argc, char **argv, clv_config *cfg, cli_flags *fl, const char *help,
                  bool server)
{
    clv_err err;
    int rc;

    clv_err_init(&err);
    if (clv_config_init(cfg, true, &err) != CLV_OK) {
        fprintf(stderr, "clavis: %s\n", err.detail);
        return 2;
    }
    if ((rc = parse(argc, argv, cfg, fl, server)) != 0)
        return rc;
    clv_log_set_text(cfg->log_text);
    if (fl->help) {
        fputs(help, stdout);
        return 0;
    }
    if (clv_config_check(cfg, &err) != CLV_OK ||
        (server && clv_config_check_server(cfg, &err) != CLV_OK)) {
        fprintf(stderr, "clavis: %s\n", err.detail);
        return 2;
    }
    return -1;
}

/* ---- serve ---- */

/* One run of the purge timer at now (docs/OPERATIONS.md "Hygiene") into *r; the clients
 * and services purged, or -1 (logged). */
static int run_purge(clv_app *app, int64_t now, clv_retention_report *out)
{
    clv_retention_report r;
    clv_err err;

    clv_err_init(&err);
    if (clv_retention_run(app, now, &r, &err) != CLV_OK) {
        clv_log("error", "purge failed: %s", err.detail);
        return -1;
    }
    if (r.skipped)
        clv_log("info", "purge: another node is running it");
    if (r.deactivated > 0 || r.deleted > 0)
        clv_log("info", "hygiene deactivated %d and deleted %d unused clients", r.deactivated,
                r.deleted);
    if (r.purged > 0)
        clv_log("info", "purged %d deleted clients and services", r.purged);
    if (out != NULL)
        *out = r;
    return r.purged;
}

/* A mistyped --open-registration-service (or --metadata-document-service) would make
 * every registration fail with an answer that says nothing of why: refuse to start
 * instead. flag names the option; id NULL: not given. */
static clv_code check_service(clv_app *app, const char *flag, const char *id)
{
    clv_service *svc = NULL;
    clv_err err;
    clv_code rc;

    if (id == NULL)
        return CLV_OK;
    clv_err_init(&err);
    rc = clv_store_service_get(app->store, id, &svc, &err);
    if (rc == CLV_OK && svc->status == CLV_STATUS_DELETED)
        rc = CLV_NOT_FOUND;
    if (rc == CLV_NOT_FOUND)
        fprintf(stderr, "clavis: --%s: no service '%s'\n", flag, id);
    else if (rc != CLV_OK)
        fprintf(stderr, "clavis: %s\n", err.detail);
    else
        clv_log("info", "%s into service %s", flag, id);
    clv_service_free(svc);
    return rc;
}

/* serve on a database that `clavis init` never set up would serve without an
 * administrator (and, for SQLite, leave behind a new empty file that `make run` would then
 * take for an initialised one): refuse, naming the command that sets it up. Returns 0 to
 * go on, else 1 (message printed). app NULL: the check before opening (the file). */
static int check_initialised(const clv_config *cfg, clv_app *app)
{
    bool postgres =
        strncmp(cfg->db, "postgres://", 11) == 0 || strncmp(cfg->db, "postgresql://", 13) == 0;
    char *tenant = NULL;
    struct stat st;
    clv_err err;
    clv_code rc;

    if (app == NULL) {
        if (postgres || stat(cfg->db, &st) == 0 || errno != ENOENT)
            return 0;
        fprintf(stderr, "clavis: no database at %s: run 'clavis init --db %s' first\n", cfg->db,
                cfg->db);
        return 1;
    }
    clv_err_init(&err);
    rc = clv_store_meta_get(app->store, "init_tenant_id", &tenant, &err); /* see init.c */
    free(tenant);
    if (rc == CLV_NOT_FOUND)
        fprintf(stderr,
                "clavis: the database %s was never initialised: run 'clavis init --db %s'"
                " first\n",
                cfg->db, cfg->db);
    else if (rc != CLV_OK)
        fprintf(stderr, "clavis: %s\n", err.detail);
    return rc == CLV_OK ? 0 : 1;
}

/* Opens the database and starts listening; returns 0, else 1 (message printed). */
static int serve_start(const clv_config *cfg, clv_app **app, clv_server **srv)
{
    clv_err err;

    /* A fetch holds its HTTP worker thread for up to CLV_FETCH_TIMEOUT: at most half of
     * the threads may be held so (docs/DESIGN.md D15) */
    const clv_fetch_policy fetch = {cfg->fetch_allow_loopback, cfg->fetch_ca_file,
                                    cfg->threads / 2 > 0 ? cfg->threads / 2 : 1};

    clv_err_init(&err);
    if (clv_fetch_configure(&fetch, &err) != CLV_OK) {
        fprintf(stderr, "clavis: %s\n", err.detail);
        return 1;
    }
    if (cfg->fetch_allow_loopback)
        clv_log("warning", "--fetch-allow-loopback: fetches may reach this host's own services");
    if (check_initialised(cfg, NULL) != 0)
        return 1;
    if (clv_app_open(cfg, app, &err) != CLV_OK) {
        fprintf(stderr, "clavis: %s\n", err.detail);
        return 1;
    }
    if (check_initialised(cfg, *app) != 0)
        return 1;
    clv_metrics_setup((unsigned)cfg->metrics_clients);
    clv_audit_log_events(true);
    if (clv_console_client_ensure(*app, cfg->issuer, &err) != CLV_OK) { /* DESIGN.md D13 */
        fprintf(stderr, "clavis: the console's client: %s\n", err.detail);
        return 1;
    }
    if (!clv_h_oauth_init(*app) || clv_server_start(*app, srv, &err) != CLV_OK) {
        fprintf(stderr, "clavis: %s\n", err.detail[0] ? err.detail : "start-up failed");
        return 1;
    }
    return check_service(*app, "open-registration-service", cfg->open_registration_service) ==
                       CLV_OK &&
                   check_service(*app, "metadata-document-service",
                                 cfg->metadata_document_service) == CLV_OK
               ? 0
               : 1;
}

/* The metadata document flags together (docs/OPERATIONS.md); 0 or 2 (message printed). */
static int check_metadata_flags(const clv_config *cfg)
{
    clv_err err;

    clv_err_init(&err);
    if (cfg->metadata_document_hosts == NULL)
        return 0;
    if (cfg->metadata_document_service == NULL)
        return bad("serve", "--metadata-document-hosts needs --metadata-document-service");
    if (clv_cimd_hosts_check(cfg->metadata_document_hosts, &err) != CLV_OK)
        return bad("serve", "%s", err.detail);
    return 0;
}

int clv_cmd_serve(int argc, char **argv)
{
    clv_config cfg;
    cli_flags fl = {0};
    clv_app *app = NULL;
    clv_server *srv = NULL;
    clv_changes *changes = NULL;
    clv_err err;
    sigset_t sigs;
    char help[sizeof serve_help + sizeof serve_help_more];
    int rc;

    snprintf(help, sizeof help, "%s%s", serve_help, serve_help_more);
    rc = clv_cli_setup(argc, argv, &cfg, &fl, help, true);
    if (rc >= 0 || (rc = check_metadata_flags(&cfg)) != 0)
        goto cleanup;
    /* Signals are taken by sigtimedwait below, so every thread blocks them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((rc = serve_start(&cfg, &app, &srv)) != 0)
        goto cleanup;
    clv_err_init(&err);
    if (clv_changes_start(app, &changes, &err) != CLV_OK) {
        fprintf(stderr, "clavis: %s\n", err.detail);
        rc = 1;
        goto cleanup;
    }
    clv_log("info", "listening on %s%s, issuer %s, database %s", cfg.listen,
            cfg.reuse_port ? " (port shared: --reuse-port)" : "", cfg.issuer, cfg.db);
    run_purge(app, clv_now(), NULL);
    clv_trim_clean_file_pages(); /* start-up's library pages that serving does not need */
    for (time_t last = time(NULL);;) {
        /* Half a second: a key rotated on another node signs here within a second
         * (core/signing_keys.h). */
        struct timespec tick = {0, 500000000};
        int sig = sigtimedwait(&sigs, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        clv_keys_tick(app);
        if (time(NULL) - last >= cfg.purge_interval) {
            run_purge(app, clv_now(), NULL);
            last = time(NULL);
        }
    }
    clv_log("info", "shutting down");
cleanup:
    clv_server_stop(srv);
    clv_changes_stop(changes);
    clv_h_oauth_cleanup();
    clv_app_free(app);
    clv_config_cleanup(&cfg);
    return rc;
}

int clv_cmd_purge(int argc, char **argv)
{
    clv_config cfg;
    cli_flags fl = {0};
    clv_app *app = NULL;
    clv_err err;
    int rc = clv_cli_setup(argc, argv, &cfg, &fl, purge_help, false), n;
    int64_t now = clv_now();
    clv_retention_report report;

    if (rc >= 0)
        goto cleanup;
    if (fl.now != NULL && !clv_time_parse(fl.now, &now)) {
        rc = bad(argv[0], "--now must be an RFC 3339 time such as 2030-01-31T00:00:00Z");
        goto cleanup;
    }
    rc = 1;
    clv_err_init(&err);
    if (clv_app_open(&cfg, &app, &err) != CLV_OK) {
        fprintf(stderr, "clavis: %s\n", err.detail);
        goto cleanup;
    }
    if ((n = run_purge(app, now, &report)) >= 0) {
        printf("purged %d, deactivated %d, deleted %d\n", n, report.deactivated, report.deleted);
        rc = 0;
    }
cleanup:
    clv_app_free(app);
    clv_config_cleanup(&cfg);
    return rc;
}
