/* fuzzutil — the shared fuzz app (see fuzzutil.h). */
#define _XOPEN_SOURCE 700
#include "fuzzutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin/clients.h"
#include "core/client_json.h"
#include "core/config.h"
#include "core/ids.h"

static char dir[64];
static clv_config cfg;
static clv_app *app;
static char service_id[CLV_ID_LEN];

static void die(const char *what, const clv_err *err)
{
    fprintf(stderr, "fuzzutil: %s: %s\n", what, err != NULL ? err->detail : "failed");
    abort();
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void teardown(void)
{
    clv_app_free(app);
    app = NULL;
    clv_config_cleanup(&cfg);
    nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void make_service(void)
{
    char tenant_id[CLV_ID_LEN];
    clv_tenant t = {tenant_id, "fuzz", CLV_STATUS_ACTIVE, clv_now()};
    clv_service s = {0};
    clv_err err;

    clv_err_init(&err);
    if (!clv_id_new("ten", tenant_id) || !clv_id_new("svc", service_id))
        die("ids", NULL);
    s.id = service_id;
    s.tenant_id = tenant_id;
    s.name = "fuzz";
    s.status = CLV_STATUS_ACTIVE;
    s.approval = CLV_APPROVAL_LIVE;
    s.created_at = s.updated_at = clv_now();
    s.version = 1;
    if (clv_store_tenant_insert(app->store, &t, &err) != CLV_OK ||
        clv_store_service_insert(app->store, &s, &err) != CLV_OK)
        die("tenant and service", &err);
}

clv_app *clv_fuzz_app(const char *listen)
{
    char db[128];
    clv_err err;

    if (app != NULL)
        return app;
    clv_err_init(&err);
    snprintf(dir, sizeof dir, "%s/clv_fuzz_XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (mkdtemp(dir) == NULL)
        die("mkdtemp", NULL);
    snprintf(db, sizeof db, "%s/fuzz.db", dir);
    if (clv_config_init(&cfg, false, &err) != CLV_OK || !clv_config_set_str(&cfg.db, db) ||
        !clv_config_set_str(&cfg.issuer, CLV_FUZZ_ISSUER) ||
        !clv_config_set_str(&cfg.listen, listen != NULL ? listen : "127.0.0.1:0"))
        die("config", &err);
    cfg.threads = 1;
    cfg.log_requests = false;
    if (clv_app_open(&cfg, &app, &err) != CLV_OK)
        die("clv_app_open", &err);
    atexit(teardown);
    make_service();
    return app;
}

const char *clv_fuzz_service_id(void)
{
    clv_fuzz_app(NULL);
    return service_id;
}

clv_client *clv_fuzz_client(const char *client_id, const char *json)
{
    json_t *body = json_loads(json, JSON_REJECT_DUPLICATES, NULL), *secret = NULL;
    clv_service *svc = NULL;
    clv_client *c = NULL;
    clv_err err;

    clv_err_init(&err);
    clv_fuzz_app(NULL);
    if (body == NULL || json_object_set_new(body, "service_id", json_string(service_id)) != 0)
        die("client JSON", NULL);
    if (clv_store_service_get(app->store, service_id, &svc, &err) != CLV_OK ||
        clv_client_from_json(body, app->cfg, &c, &err) != CLV_OK ||
        clv_admin_client_place(c, svc, &err) != CLV_OK)
        die("client", &err);
    free(c->client_id);
    if ((c->client_id = strdup(client_id)) == NULL ||
        clv_admin_client_insert(app, NULL, c, 0, &secret, &err) != CLV_OK)
        die("client insert", &err);
    json_decref(secret);
    json_decref(body);
    clv_service_free(svc);
    return c;
}

char *clv_fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}
