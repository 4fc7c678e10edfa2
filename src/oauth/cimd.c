/* cimd — client ID metadata documents (see cimd.h). */
#include "oauth/cimd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/uri.h"
#include "core/client_write.h"
#include "core/doc_cache.h"
#include "core/metrics.h"
#include "core/throttle.h"
#include "oauth/register.h"

enum { HOST_MAX = 256 };

/* docs/SECURITY.md "Outgoing fetches": 5 KiB and 5 s (draft §8.7), kept 1 min to 24 h by
 * the answer's Cache-Control (10 min when it says nothing), fetched at most every 10 s; a
 * good one serves up to 24 h past its freshness while its refetches fail (D15). */
static const clv_doc_cache_rules cimd_rules = {.max_body = CLV_CIMD_MAX_BYTES,
                                               .timeout = CLV_CIMD_TIMEOUT,
                                               .min_ttl = 60,
                                               .max_ttl = 24 * 3600,
                                               .default_ttl = 600,
                                               .refetch_min = 10,
                                               .max_stale = 24 * 3600,
                                               .max_entries = 4096};
static clv_doc_cache *cache;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_init(void)
{
    cache = clv_doc_cache_new(&cimd_rules);
}

bool clv_cimd_enabled(const clv_app *app)
{
    return app->cfg->metadata_document_service != NULL;
}

/* ---- the URL ---- */

static bool has_upper(clv_span s)
{
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] >= 'A' && s.p[i] <= 'Z')
            return true;
    return false;
}

/* A "." or ".." segment, also when percent-encoded (%2e). */
static bool dot_segment(clv_span path)
{
    for (size_t i = 0; i < path.n;) {
        size_t n = 0;
        char seg[8];
        i++; /* past '/' */
        while (i + n < path.n && path.p[i + n] != '/')
            n++;
        snprintf(seg, sizeof seg, "%.*s", (int)(n < 7 ? n : 7), path.p + i);
        if (n <= 6 && (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0 ||
                       strcasecmp(seg, "%2e") == 0 || strcasecmp(seg, "%2e%2e") == 0 ||
                       strcasecmp(seg, ".%2e") == 0 || strcasecmp(seg, "%2e.") == 0))
            return true;
        i += n;
    }
    return false;
}

static const char *shape_error(const char *url, clv_uri_parts *u)
{
    if (strlen(url) > CLV_CLIENT_ID_MAX)
        return "is longer than 255 characters";
    if (clv_uri_split(url, u) != NULL)
        return "is not a URL (an internationalised host must be in its xn-- form)";
    if (u->scheme.n != 5 || memcmp(u->scheme.p, "https", 5) != 0)
        return "must be an https URL";
    if (!u->has_authority || u->host.n == 0 || u->has_userinfo)
        return "must name a host, without user information";
    if (has_upper(u->host))
        return "must have its host in lower case";
    if (u->path.n == 0)
        return "must have a path";
    if (dot_segment(u->path))
        return "must not have \".\" or \"..\" path segments";
    if (u->has_query || u->has_fragment)
        return "must not have a query or a fragment";
    return NULL;
}

clv_code clv_cimd_url_check(const char *url, const char *hosts, clv_err *err)
{
    clv_uri_parts u = {0};
    const char *why = shape_error(url, &u);
    char host[HOST_MAX];

    if (why != NULL)
        return clv_fail(err, CLV_INVALID, "the client_id %s", why);
    snprintf(host, sizeof host, "%.*s", (int)u.host.n, u.host.p);
    if (hosts != NULL && !clv_cimd_host_allowed(host, hosts))
        return clv_fail(err, CLV_INVALID,
                        "this server does not accept client metadata documents from that host");
    return CLV_OK;
}

/* The item at *p of length *n without the blanks around it. */
static void trim(const char **p, size_t *n)
{
    while (*n > 0 && (**p == ' ' || **p == '\t'))
        (*p)++, (*n)--;
    while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
        (*n)--;
}

/* One list item (p, n, blanks trimmed) against host. */
static bool item_admits(const char *p, size_t n, const char *host)
{
    size_t hl = strlen(host);

    trim(&p, &n);
    if (n > 2 && p[0] == '*' && p[1] == '.') /* "*.d": a name ending in ".d", longer than it */
        return hl > n - 1 && strncasecmp(host + hl - (n - 1), p + 1, n - 1) == 0;
    return n > 0 && hl == n && strncasecmp(host, p, n) == 0;
}

bool clv_cimd_host_allowed(const char *host, const char *hosts)
{
    for (const char *p = hosts; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, ",");
        if (item_admits(p, n, host))
            return true;
        p += n + (p[n] == ',');
    }
    return false;
}

static const char name_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.";

/* Letters, digits, '-' and '.', no empty label, not starting with '-'. */
static bool dns_name(const char *p, size_t n)
{
    char name[254];

    if (n == 0 || n >= sizeof name || p[0] == '-')
        return false;
    memcpy(name, p, n);
    name[n] = '\0';
    return strspn(name, name_chars) == n && name[0] != '.' && name[n - 1] != '.' &&
           strstr(name, "..") == NULL;
}

clv_code clv_cimd_hosts_check(const char *hosts, clv_err *err)
{
    int items = 0;

    for (const char *p = hosts; p != NULL && *p != '\0'; items++) {
        size_t len = strcspn(p, ","), n = len;
        const char *item = p;
        trim(&item, &n);
        bool wild = n > 2 && item[0] == '*' && item[1] == '.';
        if (!dns_name(wild ? item + 2 : item, wild ? n - 2 : n))
            return clv_fail(err, CLV_INVALID,
                            "--metadata-document-hosts: '%.*s' is not a host name or *.domain",
                            (int)(n < 100 ? n : 100), item);
        p += len + (p[len] == ',');
    }
    return items > 0 ? CLV_OK
                     : clv_fail(err, CLV_INVALID, "--metadata-document-hosts: no host given");
}

bool clv_cimd_client_host(const clv_client *c, char *out, size_t n)
{
    return c != NULL && clv_client_id_is_url(c->client_id) && clv_uri_host(c->client_id, out, n);
}

/* ---- the document ---- */

static clv_code doc_rules(const char *url, const json_t *doc, const char **method, clv_err *err)
{
    const char *id = json_string_value(json_object_get(doc, "client_id"));
    const json_t *m = json_object_get(doc, "token_endpoint_auth_method");

    if (!json_is_object(doc))
        return clv_fail(err, CLV_INVALID, "the client metadata document is not a JSON object");
    if (id == NULL || strcmp(id, url) != 0)
        return clv_fail_field(err, CLV_INVALID, "client_id",
                              "the document's client_id must equal its URL");
    if (!json_is_array(json_object_get(doc, "redirect_uris")) ||
        json_array_size(json_object_get(doc, "redirect_uris")) == 0)
        return clv_fail_field(err, CLV_INVALID, "redirect_uris", "the document must list them");
    if (json_object_get(doc, "client_secret") != NULL ||
        json_object_get(doc, "client_secret_expires_at") != NULL)
        return clv_fail_field(err, CLV_INVALID, "client_secret",
                              "a metadata document cannot carry a secret");
    *method = m == NULL || json_is_null(m) ? "none" : json_string_value(m);
    if (*method == NULL || (strcmp(*method, "none") != 0 && strcmp(*method, "private_key_jwt") != 0))
        return clv_fail_field(err, CLV_INVALID, "token_endpoint_auth_method",
                              "must be none or private_key_jwt (no shared secret)");
    return CLV_OK;
}

clv_code clv_cimd_document_check(const char *url, const json_t *doc, json_t **md, clv_err *err)
{
    const char *method = NULL;
    char host[HOST_MAX];
    clv_code rc = doc_rules(url, doc, &method, err);
    json_t *o;

    *md = NULL;
    if (rc != CLV_OK)
        return rc;
    if ((o = json_deep_copy(doc)) == NULL || !clv_uri_host(url, host, sizeof host))
        goto nomem;
    json_object_del(o, "client_id");
    json_object_del(o, "sector_identifier_uri"); /* one host, no sector to check */
    json_object_del(o, "subject_type");
    if (json_object_set_new(o, "token_endpoint_auth_method", json_string(method)) != 0 ||
        (json_object_get(o, "client_name") == NULL &&
         json_object_set_new(o, "client_name", json_string(host)) != 0) ||
        (json_object_get(o, "scope") == NULL &&
         json_object_set_new(o, "scope", json_string("openid profile email")) != 0))
        goto nomem;
    *md = o;
    return CLV_OK;
nomem:
    json_decref(o);
    return clv_fail(err, CLV_NOMEM, "out of memory");
}

/* ---- the stored client ---- */

static clv_code service_of(clv_app *app, clv_service **svc, clv_err *err)
{
    clv_code rc =
        clv_store_service_get(app->store, app->cfg->metadata_document_service, svc, err);

    if (rc == CLV_NOT_FOUND || (rc == CLV_OK && (*svc)->status == CLV_STATUS_DELETED))
        return clv_fail(err, CLV_INVALID_CLIENT, "the metadata document service is gone");
    return rc;
}

/* Creates the client of url from md in the metadata document service, for a request from
 * addr. A new client counts against addr as an anonymous registration does (the same
 * budget, key 'r': a row and an audit event whichever route makes them), before anything
 * is stored; throttled, nothing is (docs/DESIGN.md D15). */
static clv_code create(clv_app *app, const clv_principal *p, const char *url, const json_t *md,
                       const char *addr, clv_err *err)
{
    clv_service *svc = NULL;
    clv_client *c = NULL;
    json_t *secret = NULL;
    clv_code rc;

    if ((rc = clv_throttle_attempt(app->throttle, &clv_throttle_register_rule, 'r', addr, err)) ==
            CLV_OK &&
        (rc = service_of(app, &svc, err)) == CLV_OK &&
        (rc = clv_register_client(md, NULL, svc->id, app->cfg, &c, err)) == CLV_OK &&
        (rc = clv_client_place(c, svc, err)) == CLV_OK) {
        free(c->client_id);
        rc = (c->client_id = strdup(url)) == NULL ? clv_fail(err, CLV_NOMEM, "out of memory")
                                                  : clv_client_insert(app, p, c, 0, &secret, err);
    }
    json_decref(secret);
    clv_client_free(c);
    clv_service_free(svc);
    return rc;
}

/* Updates old from md: written, with its audit event, only when something changed
 * (*wrote). */
static clv_code update(clv_app *app, const clv_principal *p, const clv_client *old,
                       const json_t *md, bool *wrote, clv_err *err)
{
    clv_client *c = NULL;
    json_t *out = NULL;
    int64_t version = old->version;
    clv_code rc = clv_register_client(md, old, NULL, app->cfg, &c, err);

    if (rc == CLV_OK)
        rc = clv_client_save(app, p, old, c, "client.update", &out, &version, err);
    *wrote = rc == CLV_OK && version != old->version;
    json_decref(out);
    clv_client_free(c);
    return rc;
}

/* After a creation that ended with rc, for a request from addr: counted in /metrics
 * (docs/OPERATIONS.md "Metrics"), or given back to addr when another request stored the
 * client meanwhile (that one counted it). */
static void creation_end(clv_app *app, clv_code rc, const char *addr)
{
    if (rc == CLV_OK || rc == CLV_THROTTLED)
        clv_metrics_document(rc == CLV_OK ? CLV_DOC_CREATED : CLV_DOC_THROTTLED_CREATE);
    else if (rc == CLV_CONFLICT)
        clv_throttle_refund(app->throttle, &clv_throttle_register_rule, 'r', addr);
}

/* One transaction: the client of url made to agree with md (unless it is switched off
 * or deleted: an administrator's word outlasts the document), for a request from addr. A
 * creation ends with clv_write_finish_created: no cache holds what it wrote; one that
 * wrote nothing (a refetch that changed nothing, a switched-off client) is rolled back,
 * so that it makes no cache re-read. */
static clv_code store_doc(clv_app *app, const char *url, const json_t *md, const char *addr,
                          clv_err *err)
{
    clv_principal p = {.actor_type = "registration", .actor_id = "metadata_document"};
    clv_client *old = NULL;
    bool created = false, wrote = false;
    clv_code rc;

    if ((rc = clv_store_begin(app->store, err)) != CLV_OK)
        return rc;
    rc = clv_store_client_get(app->store, url, &old, err);
    if (rc == CLV_NOT_FOUND) {
        clv_err_init(err);
        created = true;
        rc = create(app, &p, url, md, addr, err);
    } else if (rc == CLV_OK && old->status == CLV_STATUS_ACTIVE) {
        snprintf(p.tenant_id, sizeof p.tenant_id, "%s", old->tenant_id);
        rc = update(app, &p, old, md, &wrote, err);
    }
    clv_client_free(old);
    if (created)
        rc = clv_write_finish_created(app, rc, url, err);
    else if (wrote || rc != CLV_OK)
        rc = clv_write_finish(app, rc, err);
    else
        clv_store_rollback(app->store); /* nothing written: nothing to re-read */
    if (created)
        creation_end(app, rc, addr);
    if (rc == CLV_CONFLICT || rc == CLV_PRECONDITION) /* another request stored it meanwhile */
        rc = CLV_OK;
    return rc;
}

/* A failure of the server, or of this moment (no fetch slot free, the address throttled:
 * docs/DESIGN.md D15), not of the document. */
static bool transient(clv_code rc)
{
    return rc == CLV_NOMEM || rc == CLV_STORE || rc == CLV_UNAVAILABLE || rc == CLV_THROTTLED;
}

static clv_code refused(clv_code rc, const clv_err *why, clv_err *err)
{
    if (transient(rc)) {
        if (err != NULL)
            err->retry_after = why->retry_after;
        return clv_fail(err, rc, "%s", why->detail);
    }
    return clv_fail(err, CLV_INVALID_CLIENT, "client metadata document: %s%s%s", why->field,
                    why->field[0] != '\0' ? ": " : "", why->detail);
}

/* Counts a request that ended with rc (md: the document it got, NULL: none) in /metrics:
 * throttled without a document is a fetch the address had to wait for (a throttled
 * creation is counted by store_doc), a failure that is not transient a refusal. */
static void count(clv_code rc, const json_t *md)
{
    if (rc == CLV_THROTTLED && md == NULL)
        clv_metrics_document(CLV_DOC_THROTTLED_FETCH);
    else if (rc != CLV_OK && !transient(rc))
        clv_metrics_document(CLV_DOC_REFUSED);
}

static bool stored(clv_app *app, const char *url)
{
    clv_client *c = NULL;
    bool found = clv_store_client_get(app->store, url, &c, NULL) == CLV_OK;

    clv_client_free(c);
    return found;
}

/* Every rule a document must meet, store aside: the draft's and registration's. The doc
 * cache's check (core/doc_cache.h): run once when a document arrives, and the cache keeps
 * what it gives, *md (the metadata to store), or its failure — so a cached document is
 * never checked again on use, and one that breaks a rule is refused until refetched. */
static clv_code validate(void *ctx, const char *url, const json_t *doc, json_t **md,
                         clv_err *err)
{
    const clv_app *app = ctx;
    clv_client *c = NULL;
    clv_code rc = clv_cimd_document_check(url, doc, md, err);

    if (rc == CLV_OK &&
        (rc = clv_register_client(*md, NULL, app->cfg->metadata_document_service, app->cfg, &c,
                                  err)) == CLV_OK &&
        (c->type == CLV_TYPE_M2M || c->allow_client_credentials))
        /* docs/DESIGN.md D16: every token of such a client is a user's, after consent */
        rc = clv_fail_field(err, CLV_INVALID, "grant_types",
                            "a metadata document client is not machine-to-machine: "
                            "client_credentials is refused");
    clv_client_free(c);
    return rc;
}

clv_code clv_cimd_sync(clv_app *app, const char *client_id, bool ensure_stored,
                       const char *addr, clv_err *err)
{
    clv_doc_ask ask = {.addr = addr, .throttle = app->throttle, .check = validate, .check_ctx = app};
    json_t *md = NULL;
    bool fetched = false;
    clv_err why;
    clv_code rc;

    if (!clv_client_id_is_url(client_id))
        return CLV_OK;
    if (!clv_cimd_enabled(app))
        return clv_fail(err, CLV_NOT_FOUND, "this server does not accept client metadata documents");
    pthread_once(&cache_once, cache_init);
    if (cache == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    clv_err_init(&why);
    if ((rc = clv_cimd_url_check(client_id, app->cfg->metadata_document_hosts, &why)) == CLV_OK &&
        (rc = clv_doc_cache_get(cache, client_id, &ask, &md, &fetched, &why)) == CLV_OK &&
        (fetched || (ensure_stored && !stored(app, client_id))))
        rc = store_doc(app, client_id, md, addr, &why);
    /* refused by the store: so answered for 10 s, then fetched and tried again — never a
     * fetch per request, never the stale client meanwhile (a database failure is tried
     * again) */
    if (rc != CLV_OK && md != NULL && !transient(rc))
        clv_doc_cache_fail(cache, client_id, why.detail);
    count(rc, md);
    json_decref(md);
    return rc == CLV_OK ? CLV_OK : refused(rc, &why, err);
}
