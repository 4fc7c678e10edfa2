/* seed — bulk-creates clients in a Clavis database for the scale benchmark (bench/scale.sh),
 * through the store (clv_store_*), many rows per transaction: no HTTP, no audit events.
 *
 *   seed --db FILE --clients N [--services S] [--batch B] [--cursors FILE]
 *
 * The database must have been made by `clavis init`. Adds S services (default 100) to the
 * init tenant and N clients spread over them round-robin, each built from the admin API's
 * own defaults (clv_client_from_json) with a keyed-hash secret for every non-public one
 * (clv_secret_generate; the plaintext is wiped at once). The mix, so that the list filters
 * of the admin API select something: type m2m 6/10, confidential 3/10, public 1/10;
 * status inactive 1/20; names "seed client 0000042". created_at runs from now-N seconds up,
 * one second apart, so that list pages cross the whole set.
 *
 * --cursors FILE writes, one per line, "<service_id>" lines prefixed "service " and list
 * cursors ("cursor <fraction> <cursor>") that point at 10 %, 50 %, 90 % and 99.9 % of the
 * list depth, for the admin list benchmark to start pages deep in the set. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/config.h"
#include "core/app.h"
#include "core/client_json.h"
#include "core/ids.h"
#include "core/secret.h"
#include "crypto/hash.h"
#include "store/store.h"
#include "store/store_impl.h" /* clv_store_cursor_encode: to hand out deep cursors */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const clv_err *err)
{
    fprintf(stderr, "seed: %s: %s\n", what, err != NULL ? err->detail : "failed");
    exit(1);
}

static void usage(void)
{
    fputs("usage: seed --db FILE --clients N [--services S] [--batch B] [--cursors FILE]\n",
          stderr);
    exit(2);
}

/* A template client of one type, from the admin API's own rules and defaults. */
static clv_client *template_client(const clv_config *cfg, const char *service_id, const char *type)
{
    clv_err err = {0};
    clv_client *c = NULL;
    json_t *body = json_pack("{s:s, s:s, s:s, s:[s]}", "service_id", service_id, "name", "template",
                             "type", type, "scopes", "read");

    if (strcmp(type, "m2m") != 0)
        json_object_set_new(body, "redirect_uris",
                            json_pack("[s]", "https://app.example.com/callback"));
    if (clv_client_from_json(body, cfg, &c, &err) != CLV_OK)
        die("client template", &err);
    json_decref(body);
    return c;
}

int main(int argc, char **argv)
{
    const char *db = NULL, *cursors_path = NULL;
    long n = -1, services = 100, batch = 20000;
    clv_config cfg;
    clv_app *app = NULL;
    clv_err err = {0};
    char *tenant_id = NULL;

    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--db") == 0)
            db = argv[++i];
        else if (strcmp(argv[i], "--clients") == 0)
            n = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--services") == 0)
            services = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--batch") == 0)
            batch = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--cursors") == 0)
            cursors_path = argv[++i];
        else
            usage();
    }
    if (db == NULL || n < 0 || services < 1 || batch < 1)
        usage();

    if (clv_config_init(&cfg, true, &err) != CLV_OK || !clv_config_set_str(&cfg.db, db))
        die("config", &err);
    if (clv_app_open(&cfg, &app, &err) != CLV_OK)
        die("open", &err);
    if (clv_store_meta_get(app->store, "init_tenant_id", &tenant_id, &err) != CLV_OK)
        die("not a database made by clavis init", &err);

    double t0 = now_s();
    int64_t now = clv_now(), base = now - n - 1;
    char(*svc_ids)[CLV_ID_LEN] = calloc((size_t)services, CLV_ID_LEN);
    if (svc_ids == NULL)
        die("out of memory", NULL);
    if (clv_store_begin(app->store, &err) != CLV_OK)
        die("begin", &err);
    for (long s = 0; s < services; s++) {
        char name[64];
        clv_service svc = {0};
        if (!clv_id_new("svc", svc_ids[s]))
            die("CSPRNG", NULL);
        snprintf(name, sizeof name, "seed service %03ld", s);
        svc.id = svc_ids[s];
        svc.tenant_id = tenant_id;
        svc.name = name;
        svc.status = CLV_STATUS_ACTIVE;
        svc.approval = CLV_APPROVAL_LIVE;
        svc.created_at = svc.updated_at = base - services + s;
        svc.version = 1;
        if (clv_store_service_insert(app->store, &svc, &err) != CLV_OK)
            die("service insert", &err);
    }

    /* Templates are filled per row: the store copies nothing, it binds. */
    clv_client *tmpl[3] = {template_client(&cfg, svc_ids[0], "m2m"),
                           template_client(&cfg, svc_ids[0], "confidential"),
                           template_client(&cfg, svc_ids[0], "public")};
    char *own_service[3], *own_name[3]; /* the templates' own strings, freed at the end */
    for (int k = 0; k < 3; k++) {
        own_service[k] = tmpl[k]->service_id;
        own_name[k] = tmpl[k]->name;
    }
    static const double marks[] = {0.10, 0.50, 0.90, 0.999};
    char mark_cursor[4][160] = {{0}};
    char id[CLV_ID_LEN], cid[CLV_ID_LEN], name[64];

    for (long i = 0; i < n; i++) {
        int kind = (int)(i % 10) < 6 ? 0 : (int)(i % 10) < 9 ? 1 : 2;
        clv_client *c = tmpl[kind];
        if (!clv_id_new("cli", id) || !clv_client_id_new(cid))
            die("CSPRNG", NULL);
        snprintf(name, sizeof name, "seed client %07ld", i);
        c->id = id;
        c->client_id = cid;
        c->service_id = svc_ids[i % services];
        c->tenant_id = tenant_id;
        c->name = name;
        c->status = i % 20 == 7 ? CLV_STATUS_INACTIVE : CLV_STATUS_ACTIVE;
        c->created_at = c->updated_at = base + i;
        c->version = 1;
        if (clv_store_client_insert(app->store, c, &err) != CLV_OK)
            die("client insert", &err);
        if (kind != 2) {
            clv_secret *sec = NULL;
            char *plain = NULL;
            if (clv_secret_generate(app, cid, "seed", 0, &sec, &plain, &err) != CLV_OK)
                die("secret", &err);
            sec->created_at = c->created_at;
            if (clv_store_secret_insert(app->store, sec, &err) != CLV_OK)
                die("secret insert", &err);
            clv_free_secret(plain);
            clv_secret_free(sec);
        }
        /* The list is newest first: a cursor at depth d follows the row n-1-d*n. */
        for (int m = 0; m < 4; m++) {
            if (i == n - 1 - (long)(marks[m] * (double)n) && n > 1) {
                char *cur = clv_store_cursor_encode(c->created_at, id);
                if (cur != NULL)
                    snprintf(mark_cursor[m], sizeof mark_cursor[m], "%s", cur);
                free(cur);
            }
        }
        if ((i + 1) % batch == 0) {
            if (clv_store_commit(app->store, &err) != CLV_OK ||
                clv_store_begin(app->store, &err) != CLV_OK)
                die("commit", &err);
            if ((i + 1) % (batch * 10) == 0)
                fprintf(stderr, "seed: %ld clients (%.1f s)\n", i + 1, now_s() - t0);
        }
    }
    if (clv_store_commit(app->store, &err) != CLV_OK)
        die("commit", &err);
    double dt = now_s() - t0;
    printf("seeded %ld clients in %ld services in %.1f s (%.0f clients/s)\n", n, services, dt,
           dt > 0 ? (double)n / dt : 0.0);

    if (cursors_path != NULL) {
        FILE *f = fopen(cursors_path, "w");
        if (f == NULL)
            die("cannot write the cursors file", NULL);
        for (long s = 0; s < services && s < 5; s++)
            fprintf(f, "service %s\n", svc_ids[s]);
        for (int m = 0; m < 4; m++)
            if (mark_cursor[m][0] != '\0')
                fprintf(f, "cursor %g %s\n", marks[m], mark_cursor[m]);
        fclose(f);
    }

    /* The templates' borrowed fields must not be freed with them. */
    for (int k = 0; k < 3; k++) {
        tmpl[k]->id = tmpl[k]->client_id = tmpl[k]->tenant_id = NULL;
        tmpl[k]->service_id = own_service[k];
        tmpl[k]->name = own_name[k];
        clv_client_free(tmpl[k]);
    }
    free(svc_ids);
    free(tenant_id);
    clv_app_free(app);
    clv_config_cleanup(&cfg);
    return 0;
}
