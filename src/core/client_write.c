/* client_write — the steps every writer of clients shares (the admin API, dynamic
 * registration, clavis init), inside the caller's transaction: placing a new client in its
 * service, storing it with its audit event and first secret, saving a change with its
 * audit event, issuing a secret; and closing the transaction. They live below oauth and
 * admin so that both call them (docs/DESIGN.md D1). */
#include "core/client_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/client_cache.h"
#include "core/client_json.h"
#include "core/ids.h"
#include "core/secret.h"
#include "crypto/hash.h"

/* Commits (rc CLV_OK) or rolls back; after a commit, created NULL makes every thread's
 * caches re-read, a client id only that client's entries. */
static clv_code finish(clv_app *app, clv_code rc, const char *created, clv_err *err)
{
    if (rc == CLV_OK && (rc = clv_store_commit(app->store, err)) == CLV_OK) {
        if (created == NULL)
            clv_cache_bump(); /* every thread re-reads what this change may touch */
        else
            clv_cache_bump_client(created); /* an entry of a client purged under this id */
    }
    if (rc == CLV_OK)
        return CLV_OK;
    clv_store_rollback(app->store);
    return rc;
}

clv_code clv_write_finish(clv_app *app, clv_code rc, clv_err *err)
{
    return finish(app, rc, NULL, err);
}

clv_code clv_write_finish_created(clv_app *app, clv_code rc, const char *client_id,
                                  clv_err *err)
{
    return finish(app, rc, client_id, err);
}

json_t *clv_json_time(int64_t t)
{
    char buf[21];

    if (t == 0)
        return json_null();
    clv_time_format(t, buf);
    return json_string(buf);
}


json_t *clv_json_created(const json_t *obj)
{
    json_t *changes = json_object();
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v) {
        if (!json_is_null(v))
            json_object_set_new(changes, key, json_pack("{s:n, s:O}", "from", "to", v));
    }
    return changes;
}


clv_code clv_client_place(clv_client *c, const clv_service *svc, clv_err *err)
{
    char id[CLV_ID_LEN], cid[CLV_ID_LEN];

    if (!clv_id_new("cli", id) || !clv_client_id_new(cid))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    c->id = strdup(id);
    c->client_id = strdup(cid);
    c->tenant_id = strdup(svc->tenant_id);
    if (c->id == NULL || c->client_id == NULL || c->tenant_id == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    c->created_at = c->updated_at = clv_now();
    c->version = 1;
    c->service_status = svc->status;
    c->tenant_status = svc->tenant_status;
    c->service_approval = svc->approval;
    return CLV_OK;
}


clv_code clv_client_insert(clv_app *app, const clv_principal *p, const clv_client *c,
                                 int64_t secret_expires_at, json_t **secret, clv_err *err)
{
    json_t *j = NULL;
    clv_code rc = clv_store_client_insert(app->store, c, err);

    *secret = NULL;
    if (rc != CLV_OK)
        return rc;
    if ((j = clv_client_to_json(c)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    rc = clv_audit_write(app, p, c->tenant_id, "client.create", "client", c->client_id,
                         clv_json_created(j), err);
    json_decref(j);
    /* a metadata document client never has a secret (docs/AGENTS.md) */
    if (rc == CLV_OK && c->type != CLV_TYPE_PUBLIC && !clv_client_id_is_url(c->client_id))
        rc = clv_secret_issue(app, p, c, "initial secret", secret_expires_at, secret, err);
    return rc;
}


static const char *const diff_ignore[] = {"updated_at", "version", NULL};

clv_code clv_client_save(clv_app *app, const clv_principal *p, const clv_client *old,
                               clv_client *c, const char *action, json_t **out, int64_t *version,
                               clv_err *err)
{
    json_t *before = clv_client_to_json(old), *after = NULL;
    clv_code rc = CLV_OK;

    after = clv_client_to_json(c);
    if (before != NULL && after != NULL && json_equal(before, after) &&
        c->tokens_revoked_at == old->tokens_revoked_at) {
        *out = json_incref(after); /* nothing changes (an empty PATCH): no write, no event */
        if (version != NULL)
            *version = c->version;
        goto cleanup;
    }
    json_decref(after);
    after = NULL;
    c->updated_at = clv_now();
    rc = clv_store_client_update(app->store, c, err);
    if (rc == CLV_PRECONDITION)
        rc = clv_fail(err, CLV_PRECONDITION, "the client was changed meanwhile; fetch it again");
    if (rc != CLV_OK)
        goto cleanup;
    c->version++;
    after = clv_client_to_json(c);
    if (before == NULL || after == NULL) {
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
        goto cleanup;
    }
    rc = clv_audit_write(app, p, c->tenant_id, action, "client", c->client_id,
                         clv_json_diff(before, after, diff_ignore), err);
    if (rc == CLV_OK) {
        *out = json_incref(after);
        if (version != NULL)
            *version = c->version;
    }
cleanup:
    json_decref(before);
    json_decref(after);
    return rc;
}


json_t *clv_secret_to_json(const clv_secret *s)
{
    return json_pack("{s:s, s:s, s:s?, s:o, s:o, s:o}", "secret_id", s->secret_id, "client_id",
                     s->client_id, "description", s->description, "created_at",
                     clv_json_time(s->created_at), "expires_at", clv_json_time(s->expires_at),
                     "last_used_at", clv_json_time(s->last_used_at));
}


clv_code clv_secret_issue(clv_app *app, const clv_principal *p, const clv_client *c,
                                const char *description, int64_t expires_at, json_t **out,
                                clv_err *err)
{
    clv_secret *s = NULL;
    char *plain = NULL;
    json_t *j = NULL;
    clv_code rc;

    rc = clv_secret_generate(app, c->client_id, description, expires_at, &s, &plain, err);
    if (rc == CLV_OK)
        rc = clv_store_secret_insert(app->store, s, err);
    if (rc == CLV_OK)
        rc = clv_audit_write(app, p, c->tenant_id, "secret.add", "secret", s->secret_id,
                             json_pack("{s:{s:n,s:s}, s:{s:n,s:o}}", "client_id", "from", "to",
                                       c->client_id, "expires_at", "from", "to",
                                       clv_json_time(expires_at)),
                             err);
    if (rc == CLV_OK && (j = clv_secret_to_json(s)) != NULL &&
        json_object_set_new(j, "client_secret", json_string(plain)) == 0)
        *out = j;
    else if (rc == CLV_OK)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    if (rc != CLV_OK)
        json_decref(j);
    clv_free_secret(plain);
    clv_secret_free(s);
    return rc;
}

