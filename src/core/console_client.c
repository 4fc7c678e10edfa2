/* console_client — see console_client.h and docs/DESIGN.md D13. */
#include "core/console_client.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client_cache.h"
#include "core/client_json.h"
#include "core/client_write.h"
#include "core/ids.h"
#include "core/service_write.h"

/* Tenants looked at per page at start-up. */
enum { CONSOLE_PAGE = 100 };

/* The two URIs that follow the issuer, as a patch (and part of a new client's body). */
static json_t *issuer_uris(const char *issuer)
{
    char cb[600], out[600];

    snprintf(cb, sizeof cb, "%s/console/callback", issuer);
    snprintf(out, sizeof out, "%s/console/", issuer);
    return json_pack("{s:[s], s:[s]}", "redirect_uris", cb, "post_logout_redirect_uris", out);
}

/* The fields of a new console client besides the issuer's URIs. */
static json_t *client_body(const clv_service *svc)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:[s,s,s,s], s:b}", "service_id", svc->id, "name",
                     "Clavis console", "type", "public", "description",
                     "The web console at /console (created by Clavis)", "scopes", "openid",
                     "profile", "email", "admin", "allow_refresh_token", 1);
}

/* Inside the caller's transaction: stores the console client client_id in svc, audited as
 * made by p (NULL: the server). */
static clv_code insert_client(clv_app *app, const clv_principal *p, const clv_service *svc,
                              const char *client_id, const char *issuer, clv_err *err)
{
    json_t *body = issuer_uris(issuer), *secret = NULL;
    clv_client *c = NULL;
    clv_code rc;

    if (body == NULL || json_object_update_new(body, client_body(svc)) != 0) {
        json_decref(body);
        return clv_fail(err, CLV_NOMEM, "out of memory");
    }
    rc = clv_client_from_json(body, app->cfg, &c, err);
    json_decref(body);
    if (rc == CLV_OK && (rc = clv_client_place(c, svc, err)) == CLV_OK) {
        free(c->client_id);
        if ((c->client_id = strdup(client_id)) == NULL)
            rc = clv_fail(err, CLV_NOMEM, "out of memory");
        c->protected_ = true; /* docs/DESIGN.md M: never deactivated or deleted */
        c->first_party = true;
    }
    if (rc == CLV_OK)
        rc = clv_client_insert(app, p, c, 0, &secret, err);
    json_decref(secret);
    clv_client_free(c);
    return rc;
}

void clv_console_client_id(const char *tenant_id, char out[CLV_CONSOLE_CLIENT_ID_MAX])
{
    snprintf(out, CLV_CONSOLE_CLIENT_ID_MAX, CLV_CONSOLE_CLIENT_ID "-%s", tenant_id);
}

clv_code clv_console_tenant_add(clv_app *app, const clv_principal *p, const char *tenant_id,
                                const char *issuer, clv_err *err)
{
    static const char *const audited[] = {"name", "description", "approval", NULL};
    char id[CLV_ID_LEN], client_id[CLV_CONSOLE_CLIENT_ID_MAX];
    clv_service s = {.tenant_id = (char *)tenant_id, .name = "Clavis console",
                     .description = "Holds the web console's client of this tenant (created by "
                                    "Clavis; it cannot be deactivated or deleted)",
                     .approval = CLV_APPROVAL_LIVE};
    clv_code rc = clv_service_create(app, p, &s, id, audited, NULL, err);

    clv_console_client_id(tenant_id, client_id);
    return rc == CLV_OK ? insert_client(app, p, &s, client_id, issuer, err) : rc;
}

/* What the stored client c must change to fit this server: the issuer's URIs when they
 * differ, and its token lifetimes when the server's bounds (CLAVIS_ACCESS_TOKEN_MAX, …)
 * no longer admit them — else no server started with tighter bounds could start. New
 * reference; an empty object when nothing changes. */
static json_t *console_patch(const clv_app *app, const clv_client *c, const char *issuer)
{
    const clv_config *cfg = app->cfg;
    json_t *uris = issuer_uris(issuer), *patch = json_object();
    int64_t at = c->access_token_lifetime;

    if (uris == NULL || patch == NULL) {
        json_decref(uris);
        json_decref(patch);
        return NULL;
    }
    if (!json_equal(json_object_get(uris, "redirect_uris"), c->redirect_uris) ||
        !json_equal(json_object_get(uris, "post_logout_redirect_uris"),
                    c->post_logout_redirect_uris))
        json_object_update(patch, uris);
    json_decref(uris);
    at = at > cfg->at_lifetime_max ? cfg->at_lifetime_max : at;
    at = at < cfg->at_lifetime_min ? cfg->at_lifetime_min : at;
    if (at != c->access_token_lifetime)
        json_object_set_new(patch, "access_token_lifetime", json_integer(at));
    if (c->refresh_token_lifetime > cfg->rt_lifetime_max)
        json_object_set_new(patch, "refresh_token_lifetime", json_integer(cfg->rt_lifetime_max));
    return patch;
}

/* Makes the stored client c fit this server (console_patch), audited, when it must. */
static clv_code follow_issuer(clv_app *app, const clv_client *c, const char *issuer, clv_err *err)
{
    json_t *patch = console_patch(app, c, issuer), *out = NULL;
    clv_client *next = NULL;
    clv_code rc;

    if (patch == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if (json_object_size(patch) == 0) {
        json_decref(patch);
        return CLV_OK;
    }
    rc = clv_client_patch(c, patch, app->cfg, &next, err);
    json_decref(patch);
    if (rc == CLV_OK && (rc = clv_store_begin(app->store, err)) == CLV_OK)
        rc = clv_write_finish(
            app, clv_client_save(app, NULL, c, next, "client.update", &out, NULL, err), err);
    json_decref(out);
    clv_client_free(next);
    return rc;
}

/* Creates the missing console client client_id: in svc (the init tenant's), else with a
 * new service of tenant_id; one transaction. */
static clv_code create(clv_app *app, const clv_service *svc, const char *tenant_id,
                       const char *client_id, const char *issuer, clv_err *err)
{
    clv_code rc = clv_store_begin(app->store, err);

    if (rc != CLV_OK)
        return rc;
    if (svc != NULL)
        rc = insert_client(app, NULL, svc, client_id, issuer, err);
    else
        rc = clv_console_tenant_add(app, NULL, tenant_id, issuer, err);
    return clv_write_finish(app, rc, err);
}

/* Makes the console client client_id fit (create, follow_issuer). Two tries: a node that
 * starts at the same time may create it between our read and our insert (CLV_CONFLICT);
 * then it is there to compare. */
static clv_code ensure_one(clv_app *app, const clv_service *svc, const char *tenant_id,
                           const char *client_id, const char *issuer, clv_err *err)
{
    clv_client *c = NULL;
    clv_code rc = CLV_OK;

    for (int attempt = 0; attempt < 2; attempt++) {
        rc = clv_store_client_get(app->store, client_id, &c, err);
        if (rc == CLV_NOT_FOUND)
            rc = create(app, svc, tenant_id, client_id, issuer, err);
        else if (rc == CLV_OK)
            rc = follow_issuer(app, c, issuer, err);
        clv_client_free(c);
        c = NULL;
        if (rc != CLV_CONFLICT && rc != CLV_PRECONDITION)
            break;
        clv_err_init(err);
    }
    return rc;
}

/* The consoles of the tenants of l marked in missing, made in one transaction (a first
 * start on many tenants from before writes once a page, not once a tenant); when another
 * node made one meanwhile (CLV_CONFLICT, all rolled back), one by one (ensure_one). */
static clv_code create_missing(clv_app *app, const clv_list *l, const bool *missing,
                               const char *issuer, clv_err *err)
{
    char client_id[CLV_CONSOLE_CLIENT_ID_MAX];
    clv_code rc = clv_store_begin(app->store, err);

    for (size_t i = 0; rc == CLV_OK && i < l->count && i < CONSOLE_PAGE; i++)
        if (missing[i])
            rc = clv_console_tenant_add(app, NULL, ((clv_tenant *)l->items[i])->id, issuer, err);
    if ((rc = clv_write_finish(app, rc, err)) != CLV_CONFLICT)
        return rc;
    clv_err_init(err);
    rc = CLV_OK;
    for (size_t i = 0; rc == CLV_OK && i < l->count && i < CONSOLE_PAGE; i++) {
        if (!missing[i])
            continue;
        clv_console_client_id(((clv_tenant *)l->items[i])->id, client_id);
        rc = ensure_one(app, NULL, ((clv_tenant *)l->items[i])->id, client_id, issuer, err);
    }
    return rc;
}

/* The tenants of one page but the init one: their consoles kept right, the missing ones
 * made together. */
static clv_code ensure_page(clv_app *app, const clv_list *l, const char *init_tenant,
                            const char *issuer, clv_err *err)
{
    char client_id[CLV_CONSOLE_CLIENT_ID_MAX];
    bool missing[CONSOLE_PAGE] = {false}, any = false;
    clv_code rc = CLV_OK;

    for (size_t i = 0; rc == CLV_OK && i < l->count && i < CONSOLE_PAGE; i++) {
        const clv_tenant *t = l->items[i];
        clv_client *c = NULL;
        if (strcmp(t->id, init_tenant) == 0)
            continue;
        clv_console_client_id(t->id, client_id);
        rc = clv_store_client_get(app->store, client_id, &c, err);
        if (rc == CLV_NOT_FOUND) {
            clv_err_init(err);
            missing[i] = any = true;
            rc = CLV_OK;
        } else if (rc == CLV_OK) {
            rc = follow_issuer(app, c, issuer, err);
        }
        clv_client_free(c);
        if (rc == CLV_CONFLICT || rc == CLV_PRECONDITION) { /* another node, meanwhile */
            clv_err_init(err);
            rc = ensure_one(app, NULL, t->id, client_id, issuer, err);
        }
    }
    return rc == CLV_OK && any ? create_missing(app, l, missing, issuer, err) : rc;
}

/* Every tenant but the init one (init_tenant), a page of CONSOLE_PAGE at a time. */
static clv_code ensure_tenants(clv_app *app, const char *init_tenant, const char *issuer,
                               clv_err *err)
{
    char *cursor = NULL;
    clv_code rc;

    do {
        clv_list l = {0};
        rc = clv_store_tenant_list(app->store, cursor, CONSOLE_PAGE, &l, err);
        if (rc == CLV_OK)
            rc = ensure_page(app, &l, init_tenant, issuer, err);
        free(cursor);
        cursor = l.next_cursor;
        l.next_cursor = NULL;
        clv_list_cleanup(&l);
    } while (rc == CLV_OK && cursor != NULL);
    free(cursor);
    return rc;
}

clv_code clv_console_client_ensure(clv_app *app, const char *issuer, clv_err *err)
{
    char *service_id = NULL;
    clv_service *svc = NULL;
    clv_code rc = clv_store_meta_get(app->store, "init_service_id", &service_id, err);

    if (rc == CLV_OK)
        rc = clv_store_service_get(app->store, service_id, &svc, err);
    free(service_id);
    if (rc == CLV_OK)
        rc = ensure_one(app, svc, svc->tenant_id, CLV_CONSOLE_CLIENT_ID, issuer, err);
    if (rc == CLV_OK)
        rc = ensure_tenants(app, svc->tenant_id, issuer, err);
    clv_service_free(svc);
    return rc;
}

bool clv_console_holds(clv_app *app, const char *tenant_id, const char *service_id)
{
    char client_id[CLV_CONSOLE_CLIENT_ID_MAX];
    clv_client *c = NULL;
    bool holds = false;

    clv_code rc;

    clv_console_client_id(tenant_id, client_id);
    rc = clv_store_client_get(app->store, client_id, &c, NULL);
    if (rc == CLV_OK)
        holds = strcmp(c->service_id, service_id) == 0;
    else if (rc != CLV_NOT_FOUND) /* cannot tell: refuse, never let the console go */
        holds = true;
    clv_client_free(c);
    return holds;
}

/* What the console's page names (docs/DESIGN.md D13 "What the page names"), kept in memory
 * so that a view of /console reads no database:
 * - the init tenant's id: clavis init writes it once, in the transaction that makes the
 *   first tenant, and nothing changes it after, so once read it is kept for good — every
 *   node reads the same database and keeps the same id;
 * - the name of a tenant a link names (/console?tenant=ID): a tenant can be renamed, here
 *   or on another node, so a name is kept like a client (core/client_cache.h): for at most
 *   CLV_CACHE_TTL_MS and not past a bump (a change committed here, or news of one from
 *   another node, core/changes.h). An id that names no tenant is not kept: another node
 *   may make that tenant at any moment.
 * One set for the process's app (serve has one; another app starts afresh). */
enum { NAME_SLOTS = 32, NAME_MAX = 801 }; /* a name: up to 200 characters of UTF-8 */

typedef struct {
    char id[CLV_ID_LEN], name[NAME_MAX];
    int64_t loaded_ms;
    uint64_t generation;
} name_slot;

static struct {
    pthread_mutex_t lock;
    const clv_app *app;
    char init_tenant[CLV_ID_LEN];
    name_slot names[NAME_SLOTS];
} page_facts = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Locks page_facts for app, emptied first when it held another app's. */
static void facts_lock(const clv_app *app)
{
    pthread_mutex_lock(&page_facts.lock);
    if (page_facts.app != app) {
        memset(page_facts.init_tenant, 0, sizeof page_facts.init_tenant);
        memset(page_facts.names, 0, sizeof page_facts.names);
        page_facts.app = app;
    }
}

/* true if id is an id (core/ids.h): safe in an HTML attribute as it is. */
static bool is_id(const char *id)
{
    size_t n = strlen(id);

    return n > 0 && n < CLV_ID_LEN && strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

void clv_console_init_tenant(clv_app *app, char *out, size_t n)
{
    char *id = NULL;

    facts_lock(app);
    snprintf(out, n, "%s", page_facts.init_tenant);
    pthread_mutex_unlock(&page_facts.lock);
    if (out[0] != '\0')
        return;
    if (clv_store_meta_get(app->store, "init_tenant_id", &id, NULL) == CLV_OK && is_id(id)) {
        snprintf(out, n, "%s", id);
        facts_lock(app);
        snprintf(page_facts.init_tenant, sizeof page_facts.init_tenant, "%s", id);
        pthread_mutex_unlock(&page_facts.lock);
    }
    free(id);
}

static name_slot *slot_of(const char *id)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (; *id != '\0'; id++)
        h = (h ^ (unsigned char)*id) * 16777619u;
    return &page_facts.names[h % NAME_SLOTS];
}

void clv_console_tenant_name(clv_app *app, const char *tenant_id, char *out, size_t n)
{
    int64_t now_ms = clv_now_us() / 1000;
    uint64_t gen = clv_cache_generation();
    clv_tenant *t = NULL;
    name_slot *s;

    out[0] = '\0';
    if (!is_id(tenant_id))
        return;
    facts_lock(app);
    s = slot_of(tenant_id);
    if (strcmp(s->id, tenant_id) == 0 && s->generation == gen &&
        now_ms - s->loaded_ms < CLV_CACHE_TTL_MS)
        snprintf(out, n, "%s", s->name);
    pthread_mutex_unlock(&page_facts.lock);
    if (out[0] != '\0' || clv_store_tenant_get(app->store, tenant_id, &t, NULL) != CLV_OK)
        return;
    snprintf(out, n, "%s", t->name);
    if (strlen(t->name) < NAME_MAX) {
        facts_lock(app);
        s = slot_of(tenant_id);
        snprintf(s->id, sizeof s->id, "%s", tenant_id);
        snprintf(s->name, sizeof s->name, "%s", t->name);
        s->loaded_ms = now_ms;
        s->generation = gen;
        pthread_mutex_unlock(&page_facts.lock);
    }
    clv_tenant_free(t);
}
