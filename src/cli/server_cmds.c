/* server_cmds — `clavis serve`, `clavis init` and `clavis purge`: the commands that work
 * on the database directly rather than through the admin API. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/clients.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/trim.h"
#include "core/app.h"
#include "core/audit.h"
#include "core/client_json.h"
#include "core/ids.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/rand.h"
#include "http/handlers.h"
#include "http/server.h"

static const char serve_help[] =
    "Usage: clavis serve [OPTIONS]\n"
    "Runs the Clavis authorization server.\n\n"
    "  --listen HOST:PORT   address to listen on (CLAVIS_LISTEN; default 127.0.0.1:8080)\n"
    "  --issuer URL         issuer URL, no trailing slash (CLAVIS_ISSUER;\n"
    "                       default http://LISTEN)\n"
    "  --db FILE|URL        SQLite file (CLAVIS_DB; default ./clavis.db)\n"
    "  --token-alg ALG      default access token alg: RS256, ES256 or EdDSA\n"
    "                       (CLAVIS_TOKEN_ALG; default RS256)\n"
    "  --key-dir DIR        keep signing and hashing keys as files in DIR instead of the\n"
    "                       database (CLAVIS_KEY_DIR)\n"
    "  --retention DUR      how long deleted clients can be restored (CLAVIS_RETENTION;\n"
    "                       default 14d; DUR is N, Ns, Nm, Nh or Nd)\n"
    "  --purge-interval DUR time between purge runs (CLAVIS_PURGE_INTERVAL; default 1h)\n"
    "  --threads N          HTTP worker threads (default: number of cores)\n"
    "  --log-requests       log one JSON line per request\n"
    "  --open-registration-service SERVICE_ID\n"
    "                       allow POST /register without an initial access token; such\n"
    "                       clients join this service (CLAVIS_OPEN_REGISTRATION_SERVICE;\n"
    "                       default off: registration needs an initial access token)\n"
    "  --help               show this help\n";

static const char purge_help[] =
    "Usage: clavis purge [--db FILE|URL] [--key-dir DIR]\n"
    "Removes for good the clients and services deleted longer ago than the retention.\n";

enum { OPT_LISTEN = 256, OPT_ISSUER, OPT_DB, OPT_ALG, OPT_KEYDIR, OPT_RETENTION, OPT_PURGE,
       OPT_THREADS, OPT_LOG, OPT_JSON, OPT_HELP, OPT_OPEN_REG };

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
    {NULL, 0, NULL, 0}};


static int bad(const char *help, const char *what)
{
    fprintf(stderr, "clavis: %s\n\n%s", what, help);
    return 2;
}

/* Parses options into cfg; returns 0 or 2 (usage printed). */
static int parse(int argc, char **argv, clv_config *cfg, cli_flags *fl, const char *help,
                 bool server)
{
    int c;
    long n;
    char *end;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: clv_config_set_str(&cfg->db, optarg); break;
        case OPT_KEYDIR: clv_config_set_str(&cfg->key_dir, optarg); break;
        case OPT_JSON: fl->json = true; break;
        case OPT_HELP: fl->help = true; break;
        case OPT_LISTEN: if (!server) return bad(help, "--listen is for serve"); clv_config_set_str(&cfg->listen, optarg); break;
        case OPT_ISSUER: if (!server) return bad(help, "--issuer is for serve"); clv_config_set_str(&cfg->issuer, optarg); break;
        case OPT_ALG:
            if (!clv_alg_parse(optarg, &cfg->token_alg))
                return bad(help, "--token-alg must be RS256, ES256 or EdDSA");
            break;
        case OPT_RETENTION:
            if (!clv_config_parse_duration(optarg, &cfg->retention))
                return bad(help, "--retention must be a duration such as 14d");
            break;
        case OPT_PURGE:
            if (!clv_config_parse_duration(optarg, &cfg->purge_interval) || cfg->purge_interval == 0)
                return bad(help, "--purge-interval must be a positive duration such as 1h");
            break;
        case OPT_THREADS:
            n = strtol(optarg, &end, 10);
            if (*end != '\0' || n < 1 || n > 256)
                return bad(help, "--threads must be 1 to 256");
            cfg->threads = (int)n;
            break;
        case OPT_LOG: cfg->log_requests = true; break;
        case OPT_OPEN_REG:
            if (!server)
                return bad(help, "--open-registration-service is for serve");
            if (optarg[0] == '\0')
                return bad(help, "--open-registration-service needs a service id");
            clv_config_set_str(&cfg->open_registration_service, optarg);
            break;
        default: return bad(help, "unknown or incomplete option");
        }
    }
    if (optind < argc)
        return bad(help, "unexpected argument");
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
    if ((rc = parse(argc, argv, cfg, fl, help, server)) != 0)
        return rc;
    if (clv_config_check(cfg, &err) != CLV_OK) {
        fprintf(stderr, "clavis: %s\n", err.detail);
        return 2;
    }
    if (fl->help) {
        fputs(help, stdout);
        return 0;
    }
    return -1;
}

/* ---- serve ---- */

static int run_purge(clv_app *app)
{
    int purged = 0;
    clv_err err;

    clv_err_init(&err);
    if (clv_store_purge(app->store, clv_now(), &purged, &err) != CLV_OK) {
        clv_log("error", "purge failed: %s", err.detail);
        return -1;
    }
    if (purged > 0)
        clv_log("info", "purged %d deleted clients and services", purged);
    return purged;
}

/* A mistyped --open-registration-service would make every open registration fail with a
 * 401 that says nothing of why: refuse to start instead. */
static clv_code check_open_registration(clv_app *app)
{
    const char *id = app->cfg->open_registration_service;
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
        fprintf(stderr, "clavis: --open-registration-service: no service '%s'\n", id);
    else if (rc != CLV_OK)
        fprintf(stderr, "clavis: %s\n", err.detail);
    else
        clv_log("info", "open registration into service %s", id);
    clv_service_free(svc);
    return rc;
}

int clv_cmd_serve(int argc, char **argv)
{
    clv_config cfg;
    cli_flags fl = {0};
    clv_app *app = NULL;
    clv_server *srv = NULL;
    clv_err err;
    sigset_t sigs;
    int rc = clv_cli_setup(argc, argv, &cfg, &fl, serve_help, true);
    char issuer[300];

    if (rc >= 0)
        goto cleanup;
    rc = 1;
    if (cfg.issuer == NULL) {
        snprintf(issuer, sizeof issuer, "http://%s", cfg.listen);
        clv_config_set_str(&cfg.issuer, issuer);
    }
    size_t il = strlen(cfg.issuer);
    while (il > 0 && cfg.issuer[il - 1] == '/') /* the issuer has no trailing slash (§4) */
        cfg.issuer[--il] = '\0';
    /* Signals are taken by sigtimedwait below, so every thread blocks them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    clv_err_init(&err);
    if (clv_app_open(&cfg, &app, &err) != CLV_OK || !clv_h_oauth_init(app) ||
        clv_server_start(app, &srv, &err) != CLV_OK) {
        fprintf(stderr, "clavis: %s\n", err.detail[0] ? err.detail : "start-up failed");
        goto cleanup;
    }
    if (check_open_registration(app) != CLV_OK)
        goto cleanup;
    clv_log("info", "listening on %s, issuer %s, database %s", cfg.listen, cfg.issuer, cfg.db);
    run_purge(app);
    clv_trim_clean_file_pages(); /* start-up's library pages that serving does not need */
    for (time_t last = time(NULL);;) {
        struct timespec tick = {1, 0};
        int sig = sigtimedwait(&sigs, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        if (time(NULL) - last >= cfg.purge_interval) {
            run_purge(app);
            last = time(NULL);
        }
    }
    clv_log("info", "shutting down");
    rc = 0;
cleanup:
    clv_server_stop(srv);
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

    if (rc >= 0)
        goto cleanup;
    rc = 1;
    clv_err_init(&err);
    if (clv_app_open(&cfg, &app, &err) != CLV_OK) {
        fprintf(stderr, "clavis: %s\n", err.detail);
        goto cleanup;
    }
    if ((n = run_purge(app)) >= 0) {
        printf("purged %d\n", n);
        rc = 0;
    }
cleanup:
    clv_app_free(app);
    clv_config_cleanup(&cfg);
    return rc;
}
