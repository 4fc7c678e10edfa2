/* register — RFC 7591 registration and RFC 7592 management flows (see register.h). */
#include "oauth/register.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/client_json.h"
#include "core/client_write.h"
#include "core/ids.h"
#include "core/metrics.h"
#include "core/secret.h"
#include "core/sector.h"
#include "core/throttle.h"
#include "crypto/hash.h"
#include "crypto/rand.h"

enum { TOKEN_BYTES = 32, RAT_TEXT = sizeof CLV_RAT_PREFIX - 1 + 44, URI_MAX = 2400 };

static const char *const wrong_rat =
    "the registration access token is not valid for this client (RFC 7592 §2)";

static clv_code nomem(clv_err *err)
{
    return clv_fail(err, CLV_NOMEM, "out of memory");
}

static void principal_init(clv_principal *p, const char *actor_id, const char *tenant_id)
{
    memset(p, 0, sizeof *p);
    p->actor_type = "registration"; /* docs/DESIGN.md R10 */
    snprintf(p->actor_id, sizeof p->actor_id, "%s", actor_id);
    snprintf(p->tenant_id, sizeof p->tenant_id, "%s", tenant_id != NULL ? tenant_id : "");
}

/* ---- registration access tokens ---- */

/* Makes a new token for client_id and stores its hash (replacing any other: the old one
 * stops working). *plain is the plaintext, for clv_free_secret. */
static clv_code rat_issue(clv_app *app, const char *client_id, char **plain, clv_err *err)
{
    char *text = calloc(1, RAT_TEXT + 1);
    unsigned char hash[32];
    clv_code rc;

    if (text == NULL)
        return nomem(err);
    memcpy(text, CLV_RAT_PREFIX, sizeof CLV_RAT_PREFIX - 1);
    if (!clv_rand_token(TOKEN_BYTES, text + sizeof CLV_RAT_PREFIX - 1) ||
        !clv_secret_hash(app, text, hash))
        rc = clv_fail(err, CLV_CRYPTO, "could not make a registration access token");
    else
        rc = clv_store_regtoken_put(app->store, client_id, hash, err);
    clv_wipe(hash, sizeof hash);
    if (rc != CLV_OK) {
        clv_free_secret(text);
        return rc;
    }
    *plain = text;
    return CLV_OK;
}

/* Replaces the stored hash with random bytes: no token hashes to it (RFC 7592 §2.3). */
static clv_code rat_revoke(clv_app *app, const char *client_id, clv_err *err)
{
    unsigned char junk[32];

    if (!clv_rand_bytes(junk, sizeof junk))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    return clv_store_regtoken_put(app->store, client_id, junk, err);
}

/* Authenticates a management call: the client exists, is not deleted, and rat hashes to
 * its stored token (compared in constant time). Every failure looks the same (RFC 7592
 * §2: an unknown client is a 401 like a wrong token). */
static clv_code rat_check(clv_app *app, const char *client_id, const char *rat, clv_client **out,
                          clv_principal *p, clv_err *err)
{
    unsigned char presented[32], stored[32];
    clv_client *c = NULL;
    clv_code rc;

    if (rat == NULL)
        return clv_fail(err, CLV_UNAUTHENTICATED, "a registration access token is required");
    if (!clv_secret_hash(app, rat, presented))
        return clv_fail(err, CLV_CRYPTO, "could not hash the token");
    rc = clv_store_client_get(app->store, client_id, &c, err);
    if (rc == CLV_OK)
        rc = clv_store_regtoken_get(app->store, client_id, stored, err);
    if (rc == CLV_OK &&
        (!clv_ct_equal(presented, stored, sizeof stored) || c->status == CLV_STATUS_DELETED ||
         c->service_status == CLV_STATUS_DELETED))
        rc = CLV_NOT_FOUND;
    if (rc == CLV_NOT_FOUND)
        rc = clv_fail(err, CLV_UNAUTHENTICATED, "%s", wrong_rat);
    clv_wipe(stored, sizeof stored);
    if (rc != CLV_OK) {
        clv_client_free(c);
        return rc;
    }
    principal_init(p, c->client_id, c->tenant_id);
    *out = c;
    return CLV_OK;
}

/* ---- responses ---- */

/* The RFC 7592 §3 client information: metadata, the token, the management URI. */
static clv_code info_json(const clv_app *app, const clv_client *c, const char *rat, json_t **out,
                          clv_err *err)
{
    char uri[URI_MAX];
    json_t *j = clv_register_metadata_json(c);

    snprintf(uri, sizeof uri, "%s/register/%s", app->cfg->issuer, c->client_id);
    if (j == NULL || json_object_set_new(j, "registration_access_token", json_string(rat)) != 0 ||
        json_object_set_new(j, "registration_client_uri", json_string(uri)) != 0) {
        json_decref(j);
        return nomem(err);
    }
    *out = j;
    return CLV_OK;
}

/* RFC 7591 §3.2.1: the secret, and when it expires (0 = never). */
static clv_code add_secret(json_t *j, const json_t *secret, int64_t expires_at, clv_err *err)
{
    if (secret == NULL)
        return CLV_OK;
    if (json_object_set(j, "client_secret", json_object_get(secret, "client_secret")) != 0 ||
        json_object_set_new(j, "client_secret_expires_at", json_integer(expires_at)) != 0)
        return nomem(err);
    return CLV_OK;
}

/* ---- create ---- */

/* Who registers, and into which service: the initial access token's (used once here),
 * or the operator's open-registration service when no token was sent. */
static clv_code iat_check(clv_app *app, const char *iat, clv_principal *p, char **service_id,
                          clv_err *err)
{
    unsigned char hash[32];
    clv_iat *t = NULL;
    const char *svc = app->cfg->open_registration_service;
    clv_code rc = CLV_OK;

    if (iat == NULL && svc == NULL)
        return clv_fail(err, CLV_UNAUTHENTICATED,
                        "an initial access token is required (RFC 7591 §3)");
    if (iat != NULL) {
        if (!clv_secret_hash(app, iat, hash))
            return clv_fail(err, CLV_CRYPTO, "could not hash the token");
        rc = clv_store_iat_use(app->store, hash, clv_now(), &t, err);
        if (rc == CLV_NOT_FOUND)
            rc = clv_fail(err, CLV_UNAUTHENTICATED,
                          "the initial access token is wrong, expired or used up");
        svc = t != NULL ? t->service_id : NULL;
    }
    if (rc == CLV_OK) {
        principal_init(p, t != NULL ? t->id : "open", NULL);
        if ((*service_id = strdup(svc)) == NULL)
            rc = nomem(err);
    }
    clv_iat_free(t);
    return rc;
}

/* The service must exist and be active, and so must its tenant (docs/DESIGN.md D7: a token
 * of a switched-off service registers nothing, and is not used up); its tenant becomes
 * the principal's. */
static clv_code service_load(clv_app *app, const char *service_id, clv_principal *p,
                             clv_service **out, clv_err *err)
{
    clv_service *svc = NULL;
    clv_code rc = clv_store_service_get(app->store, service_id, &svc, err);

    if (rc == CLV_OK && svc->status == CLV_STATUS_DELETED)
        rc = CLV_NOT_FOUND;
    if (rc == CLV_NOT_FOUND)
        rc = clv_fail(err, CLV_UNAUTHENTICATED, "registration into this service has ended");
    else if (rc == CLV_OK &&
             (svc->status != CLV_STATUS_ACTIVE || svc->tenant_status != CLV_STATUS_ACTIVE))
        rc = clv_fail(err, CLV_UNAUTHENTICATED, "the %s of this initial access token is not active",
                      svc->status != CLV_STATUS_ACTIVE ? "service" : "tenant");
    if (rc != CLV_OK) {
        clv_service_free(svc);
        return rc;
    }
    snprintf(p->tenant_id, sizeof p->tenant_id, "%s", svc->tenant_id);
    *out = svc;
    return CLV_OK;
}

/* docs/DESIGN.md R6: a new or changed sector_identifier_uri is fetched and must list every
 * redirect URI. The fetch (≤ CLV_FETCH_TIMEOUT s) runs inside the registration's
 * transaction, which keeps a registration atomic; it happens only for pairwise clients
 * that name such a document. */
static clv_code sector_check(const clv_client *old, const clv_client *c, clv_err *err)
{
    return clv_sector_changed(old, c) ? clv_sector_verify(c, err) : CLV_OK;
}

/* docs/OPERATIONS.md "Open registration": the open-registration service holds at most
 * --max-registered-clients registered clients that are not deleted, counted in the
 * registration's transaction (clv_store_registered_count serializes the count). */
static clv_code cap_check(clv_app *app, const char *service_id, clv_err *err)
{
    const char *open = app->cfg->open_registration_service;
    int64_t cap = app->cfg->max_registered_clients, n = 0;
    clv_code rc;

    if (cap <= 0 || open == NULL || strcmp(open, service_id) != 0)
        return CLV_OK;
    if ((rc = clv_store_registered_count(app->store, service_id, &n, err)) != CLV_OK)
        return rc;
    if (n >= cap)
        return clv_fail_field(err, CLV_INVALID, "registration",
                              "this service holds its limit of %lld registered clients; no "
                              "more are registered until some are deleted or expire",
                              (long long)cap);
    return CLV_OK;
}

static clv_code create(clv_app *app, const char *iat, const json_t *md, const char *addr,
                       json_t **out, clv_err *err)
{
    clv_principal p;
    char *service_id = NULL, *rat = NULL;
    clv_service *svc = NULL;
    clv_client *c = NULL;
    json_t *secret = NULL, *j = NULL;
    int64_t expires_at = clv_now() + app->cfg->secret_lifetime;
    clv_code rc;

    /* Anonymous registration is rate-limited per address (every attempt counts). */
    if (iat == NULL && app->cfg->open_registration_service != NULL &&
        (rc = clv_throttle_attempt(app->throttle, &clv_throttle_register_rule, 'r', addr, err)) !=
            CLV_OK)
        return rc;
    /* One transaction: a registration that fails uses up nothing and stores nothing. */
    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = iat_check(app, iat, &p, &service_id, err)) == CLV_OK &&
        (rc = service_load(app, service_id, &p, &svc, err)) == CLV_OK &&
        (rc = cap_check(app, service_id, err)) == CLV_OK &&
        (rc = clv_register_client(md, NULL, service_id, app->cfg, &c, err)) == CLV_OK &&
        (rc = sector_check(NULL, c, err)) == CLV_OK &&
        (rc = clv_client_place(c, svc, err)) == CLV_OK &&
        (rc = clv_client_insert(app, &p, c, expires_at, &secret, err)) == CLV_OK)
        rc = rat_issue(app, c->client_id, &rat, err);
    rc = clv_write_finish(app, rc, err);
    if (rc == CLV_OK && (rc = info_json(app, c, rat, &j, err)) == CLV_OK &&
        (rc = add_secret(j, secret, expires_at, err)) == CLV_OK)
        *out = json_incref(j);
    json_decref(j);
    free(service_id);
    clv_free_secret(rat);
    json_decref(secret); /* holds the plaintext: dropped with the response's copy */
    clv_service_free(svc);
    clv_client_free(c);
    return rc;
}

/* The result of a registration as /metrics counts it (docs/DESIGN.md R29). */
static clv_reg_result reg_result(clv_code rc, const clv_err *err)
{
    if (rc == CLV_OK)
        return CLV_REG_CREATED;
    if (rc == CLV_THROTTLED)
        return CLV_REG_THROTTLED;
    if (rc == CLV_INVALID && err != NULL && strcmp(err->field, "registration") == 0)
        return CLV_REG_CAPPED; /* cap_check's field */
    return CLV_REG_INVALID;
}

clv_code clv_register_create(clv_app *app, const char *iat, const json_t *md, const char *addr,
                             json_t **out, clv_err *err)
{
    clv_err local;
    clv_code rc;

    if (err == NULL) {
        clv_err_init(&local);
        err = &local;
    }
    rc = create(app, iat, md, addr, out, err);
    clv_metrics_registration(reg_result(rc, err));
    return rc;
}

/* ---- management ---- */

clv_code clv_register_read(clv_app *app, const char *client_id, const char *rat, json_t **out,
                           clv_err *err)
{
    clv_principal p;
    clv_client *c = NULL;
    clv_code rc = rat_check(app, client_id, rat, &c, &p, err);

    if (rc == CLV_OK)
        rc = info_json(app, c, rat, out, err);
    clv_client_free(c);
    return rc;
}

/* Writes c over old (same version) with its audit event; RFC 7592 has no 412, so a
 * concurrent change is a conflict to retry. */
static clv_code client_save(clv_app *app, const clv_principal *p, const clv_client *old,
                            clv_client *c, const char *action, clv_err *err)
{
    json_t *ignored = NULL;
    clv_code rc = clv_client_save(app, p, old, c, action, &ignored, NULL, err);

    json_decref(ignored);
    if (rc == CLV_PRECONDITION)
        rc = clv_fail(err, CLV_CONFLICT, "the client was changed meanwhile; try again");
    return rc;
}

/* RFC 7592 §2.2: the body's client_id must be the client's; a client_secret, if sent,
 * must be a current one — it can never be set by the client. */
static clv_code update_check(clv_app *app, const clv_client *c, const json_t *md, clv_err *err)
{
    const char *id = json_string_value(json_object_get(md, "client_id"));
    const json_t *secret = json_object_get(md, "client_secret");
    unsigned char hash[32];
    clv_list l = {0};
    clv_code rc;

    if (!json_is_object(md))
        return clv_fail(err, CLV_INVALID, "the client metadata must be a JSON object");
    if (id == NULL || strcmp(id, c->client_id) != 0)
        return clv_fail_field(err, CLV_INVALID, "client_id",
                              "client_id must be sent and equal the client's (RFC 7592 §2.2)");
    if (secret == NULL)
        return CLV_OK;
    if (!json_is_string(secret) || !clv_secret_hash(app, json_string_value(secret), hash))
        return clv_fail_field(err, CLV_INVALID, "client_secret", "must be a string");
    if ((rc = clv_store_secret_list(app->store, c->client_id, &l, err)) == CLV_OK &&
        clv_secret_check(hash, &l, clv_now(), NULL) != CLV_SECRET_OK)
        rc = clv_fail_field(err, CLV_INVALID, "client_secret",
                            "client_secret must be the current secret; secrets cannot be "
                            "changed here (RFC 7592 §2.2)");
    clv_list_cleanup(&l);
    clv_wipe(hash, sizeof hash);
    return rc;
}

clv_code clv_register_update(clv_app *app, const char *client_id, const char *rat, const json_t *md,
                             json_t **out, clv_err *err)
{
    clv_principal p;
    clv_client *old = NULL, *c = NULL;
    char *fresh = NULL;
    clv_code rc;

    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = rat_check(app, client_id, rat, &old, &p, err)) == CLV_OK &&
        (rc = update_check(app, old, md, err)) == CLV_OK &&
        (rc = clv_register_client(md, old, NULL, app->cfg, &c, err)) == CLV_OK &&
        (rc = sector_check(old, c, err)) == CLV_OK &&
        (rc = client_save(app, &p, old, c, "client.update", err)) == CLV_OK)
        rc = rat_issue(app, old->client_id, &fresh, err); /* rotated on every update */
    rc = clv_write_finish(app, rc, err);
    if (rc == CLV_OK)
        rc = info_json(app, c, fresh, out, err);
    clv_free_secret(fresh);
    clv_client_free(old);
    clv_client_free(c);
    return rc;
}

clv_code clv_register_delete(clv_app *app, const char *client_id, const char *rat, clv_err *err)
{
    clv_principal p;
    clv_client *old = NULL, *c = NULL;
    int64_t now = clv_now();
    clv_code rc;

    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    if ((rc = rat_check(app, client_id, rat, &old, &p, err)) != CLV_OK)
        goto cleanup;
    if (old->protected_) { /* docs/DESIGN.md R5; registered clients never are */
        rc = clv_fail(err, CLV_CONFLICT, "a protected client cannot be deleted");
        goto cleanup;
    }
    if ((c = clv_client_dup(old)) == NULL) {
        rc = nomem(err);
        goto cleanup;
    }
    /* The admin API's soft delete: restorable within the retention (docs/DESIGN.md M). */
    c->status = CLV_STATUS_DELETED;
    c->deleted_at = now;
    c->purge_at = now + app->cfg->retention;
    if ((rc = client_save(app, &p, old, c, "client.delete", err)) == CLV_OK)
        rc = rat_revoke(app, old->client_id, err);
cleanup:
    rc = clv_write_finish(app, rc, err);
    clv_client_free(old);
    clv_client_free(c);
    return rc;
}
