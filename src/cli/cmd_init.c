/* cmd_init — `clavis init`: the first tenant, its protected platform_admin m2m client and a
 * platform_admin user, created once (docs/API.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/server_options.h"
#include "core/audit.h"
#include "core/client_json.h"
#include "core/client_write.h"
#include "core/console_client.h"
#include "core/ids.h"
#include "core/service_write.h"
#include "crypto/hash.h"
#include "crypto/password.h"
#include "crypto/rand.h"

static const char init_help[] =
    "Usage: clavis init [--db FILE|URL] [--key-dir DIR] [--json]\n"
    "Creates the database and signing keys, a first tenant, a protected m2m client with\n"
    "role platform_admin and scope admin, a platform_admin user and the web console's\n"
    "client (redirect URIs under CLAVIS_ISSUER, else http://CLAVIS_LISTEN; serve sets\n"
    "them for its --issuer), and prints the credentials once. On an initialised database\n"
    "it changes nothing and exits 1.\n"
    "The keys are stored sealed under a key-encryption key kept outside the database:\n"
    "DIR/kek with --key-dir, else CLAVIS_KEK, else FILE.kek beside an SQLite FILE (made\n"
    "now, mode 0600): back it up apart from the database.\n";

typedef struct {
    char tenant_id[CLV_ID_LEN], service_id[CLV_ID_LEN], user_id[CLV_ID_LEN];
    char password[48];
    json_t *secret; /* {client_secret, …} */
    clv_client *client;
} init_result;

static clv_code make_tenant(clv_app *app, init_result *r, clv_err *err)
{
    static const char *const audited[] = {NULL}; /* its event records no fields */
    clv_tenant t = {.id = r->tenant_id, .name = "default", .status = CLV_STATUS_ACTIVE,
                    .created_at = clv_now()};
    clv_service s = {.tenant_id = r->tenant_id, .name = "Clavis administration",
                     .approval = CLV_APPROVAL_LIVE};
    clv_code rc;

    if ((rc = clv_store_tenant_insert(app->store, &t, err)) != CLV_OK ||
        (rc = clv_audit_write(app, NULL, t.id, "tenant.create", "tenant", t.id, NULL, err)))
        return rc;
    return clv_service_create(app, NULL, &s, r->service_id, audited, NULL, err);
}

static clv_code make_client(clv_app *app, init_result *r, clv_err *err)
{
    clv_service svc = {.id = r->service_id, .tenant_id = r->tenant_id,
                       .status = CLV_STATUS_ACTIVE, .approval = CLV_APPROVAL_LIVE};
    json_t *body = json_pack("{s:s, s:s, s:s, s:[s], s:[s], s:s}", "service_id", r->service_id,
                             "name", "clavis-init", "type", "m2m", "scopes", "admin", "roles",
                             "platform_admin", "description",
                             "Created by clavis init: the first platform administrator");
    clv_code rc = clv_client_from_json(body, app->cfg, &r->client, err);

    json_decref(body);
    if (rc != CLV_OK || (rc = clv_client_place(r->client, &svc, err)) != CLV_OK)
        return rc;
    r->client->protected_ = true; /* docs/DESIGN.md M: it cannot be deleted or deactivated */
    /* The bootstrap secret never expires (0): an operator must not be locked out after a
     * year. Rotate it through the admin API. */
    return clv_client_insert(app, NULL, r->client, 0, &r->secret, err);
}

static clv_code make_user(clv_app *app, init_result *r, clv_err *err)
{
    clv_user u = {0};
    clv_code rc;

    if (!clv_rand_token(18, r->password) || !clv_id_new("usr", r->user_id))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    u.id = r->user_id;
    u.tenant_id = r->tenant_id;
    u.username = "admin";
    u.roles = json_pack("[s]", "platform_admin");
    u.status = CLV_STATUS_ACTIVE;
    u.created_at = u.updated_at = clv_now();
    rc = clv_password_hash(r->password, &u.password_hash, err);
    if (rc == CLV_OK)
        rc = clv_store_user_insert(app->store, &u, err);
    if (rc == CLV_OK)
        rc = clv_audit_write(app, NULL, r->tenant_id, "user.create", "user", u.id, NULL, err);
    free(u.password_hash);
    json_decref(u.roles);
    return rc;
}

static clv_code initialise(clv_app *app, init_result *r, clv_err *err)
{
    clv_code rc;

    if (!clv_id_new("ten", r->tenant_id))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    /* The marker goes first: a second init (even a concurrent one) conflicts on it. */
    rc = clv_store_meta_put(app->store, "init_tenant_id", r->tenant_id, err);
    if (rc == CLV_CONFLICT)
        rc = clv_fail(err, CLV_CONFLICT, "the database is already initialised");
    if (rc == CLV_OK)
        rc = make_tenant(app, r, err);
    if (rc == CLV_OK) /* the service of the protected clients: see admin/services.c */
        rc = clv_store_meta_put(app->store, "init_service_id", r->service_id, err);
    if (rc == CLV_OK && (rc = make_client(app, r, err)) == CLV_OK)
        rc = make_user(app, r, err);
    return clv_write_finish(app, rc, err);
}

/* The console's client (docs/DESIGN.md D13) for the issuer serve will have by default
 * (CLAVIS_ISSUER, else http://LISTEN); serve sets it right for another issuer. */
static clv_code make_console_client(clv_app *app, clv_config *cfg, clv_err *err)
{
    if (clv_config_check_server(cfg, err) != CLV_OK) {
        clv_err_init(err);
        return CLV_OK;
    }
    return clv_console_client_ensure(app, cfg->issuer, err);
}

static void print_result(const init_result *r, bool json, const char *issuer)
{
    const char *secret = json_string_value(json_object_get(r->secret, "client_secret"));

    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "tenant_id", r->tenant_id,
                              "client_id", r->client->client_id, "client_secret", secret,
                              "admin_username", "admin", "admin_password", r->password);
        json_dumpf(o, stdout, JSON_COMPACT);
        putchar('\n');
        json_decref(o);
        return;
    }
    printf("Clavis is initialised. These credentials are shown once: store them now.\n\n"
           "  tenant_id       %s\n  client_id       %s\n  client_secret   %s\n"
           "  admin_username  admin\n  admin_password  %s\n",
           r->tenant_id, r->client->client_id, secret, r->password);
    if (issuer != NULL)
        printf("\nThe web console: %s/console (sign in as admin once 'clavis serve' runs)\n",
               issuer);
}

int clv_cmd_init(int argc, char **argv)
{
    clv_config cfg;
    cli_flags fl = {0};
    clv_app *app = NULL;
    init_result r = {0};
    clv_err err;
    int rc = clv_cli_setup(argc, argv, &cfg, &fl, init_help, false);

    if (rc >= 0)
        goto cleanup;
    rc = 1;
    clv_err_init(&err);
    if (clv_app_open(&cfg, &app, &err) != CLV_OK || initialise(app, &r, &err) != CLV_OK ||
        make_console_client(app, &cfg, &err) != CLV_OK) {
        fprintf(stderr, "clavis init: %s\n", err.detail);
        goto cleanup;
    }
    print_result(&r, fl.json, cfg.issuer);
    rc = 0;
cleanup:
    clv_wipe(r.password, sizeof r.password);
    json_decref(r.secret);
    clv_client_free(r.client);
    clv_app_free(app);
    clv_config_cleanup(&cfg);
    return rc;
}
