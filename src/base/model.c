/* model — lifecycle helpers, enum names and derived fields of the model (see model.h). */
#include "base/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


void clv_tenant_free(clv_tenant *t)
{
    if (t == NULL)
        return;
    free(t->id);
    free(t->name);
    free(t);
}

void clv_service_free(clv_service *s)
{
    if (s == NULL)
        return;
    free(s->id);
    free(s->tenant_id);
    free(s->name);
    free(s->description);
    free(s);
}

void clv_client_free(clv_client *c)
{
    if (c == NULL)
        return;
    if (c->shares > 0) {
        c->shares--;
        return;
    }
    char **strs[] = {&c->id, &c->client_id, &c->service_id, &c->tenant_id, &c->name,
                     &c->description, &c->sector_identifier_uri, &c->sector_identifier,
                     &c->jwks_uri, &c->client_uri, &c->logo_uri, &c->policy_uri, &c->tos_uri,
                     &c->software_id, &c->software_version};
    json_t **lists[] = {&c->redirect_uris, &c->post_logout_redirect_uris,
                        &c->allowed_cors_origins, &c->scopes, &c->roles, &c->audience,
                        &c->contacts, &c->jwks};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(*strs[i]);
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        json_decref(*lists[i]);
    free(c);
}

void clv_secret_free(clv_secret *s)
{
    if (s == NULL)
        return;
    free(s->secret_id);
    free(s->client_id);
    free(s->description);
    free(s);
}

void clv_signing_key_free(clv_signing_key *k)
{
    if (k == NULL)
        return;
    free(k->kid);
    free(k->sealed);
    free(k);
}

void clv_user_free(clv_user *u)
{
    if (u == NULL)
        return;
    free(u->id);
    free(u->tenant_id);
    free(u->username);
    free(u->email);
    free(u->password_hash);
    json_decref(u->roles);
    free(u);
}

void clv_audit_free(clv_audit *a)
{
    if (a == NULL)
        return;
    free(a->id);
    free(a->actor_type);
    free(a->actor_id);
    free(a->tenant_id);
    free(a->action);
    free(a->target_type);
    free(a->target_id);
    json_decref(a->changes);
    free(a);
}

void clv_authcode_free(clv_authcode *c)
{
    if (c == NULL)
        return;
    free(c->client_id);
    free(c->user_id);
    free(c->tenant_id);
    free(c->redirect_uri);
    free(c->scope);
    free(c->nonce);
    free(c->code_challenge);
    free(c->family_id);
    free(c->resource);
    free(c);
}

void clv_refresh_free(clv_refresh *r)
{
    if (r == NULL)
        return;
    free(r->client_id);
    free(r->user_id);
    free(r->tenant_id);
    free(r->scope);
    free(r->family_id);
    free(r->resource);
    free(r);
}

void clv_session_free(clv_session *s)
{
    if (s == NULL)
        return;
    free(s->user_id);
    free(s->tenant_id);
    free(s);
}

void clv_iat_free(clv_iat *t)
{
    if (t == NULL)
        return;
    free(t->id);
    free(t->service_id);
    free(t->tenant_id);
    free(t->created_by);
    free(t);
}

void clv_consent_free(clv_consent *c)
{
    if (c == NULL)
        return;
    free(c->user_id);
    free(c->client_id);
    free(c->tenant_id);
    free(c->scope);
    free(c);
}

void clv_resource_free(clv_resource *r)
{
    if (r == NULL)
        return;
    free(r->id);
    free(r->service_id);
    free(r->identifier);
    free(r->name);
    json_decref(r->scopes);
    free(r);
}

void clv_list_cleanup(clv_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->count; i++)
        if (l->free_item != NULL)
            l->free_item(l->items[i]);
    free(l->items);
    free(l->next_cursor);
    memset(l, 0, sizeof *l);
}

/* strdup that maps NULL to NULL and reports failure through *ok. */
static char *dup_opt(const char *s, bool *ok)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = strdup(s);
    if (d == NULL)
        *ok = false;
    return d;
}

static json_t *copy_opt(json_t *j, bool *ok)
{
    json_t *d;

    if (j == NULL)
        return NULL;
    d = json_deep_copy(j);
    if (d == NULL)
        *ok = false;
    return d;
}

clv_client *clv_client_dup(const clv_client *c)
{
    clv_client *d = malloc(sizeof *d);
    bool ok = true;

    if (d == NULL)
        return NULL;
    *d = *c;
    d->shares = 0;
    d->id = dup_opt(c->id, &ok);
    d->client_id = dup_opt(c->client_id, &ok);
    d->service_id = dup_opt(c->service_id, &ok);
    d->tenant_id = dup_opt(c->tenant_id, &ok);
    d->name = dup_opt(c->name, &ok);
    d->description = dup_opt(c->description, &ok);
    d->sector_identifier_uri = dup_opt(c->sector_identifier_uri, &ok);
    d->sector_identifier = dup_opt(c->sector_identifier, &ok);
    d->jwks_uri = dup_opt(c->jwks_uri, &ok);
    d->client_uri = dup_opt(c->client_uri, &ok);
    d->logo_uri = dup_opt(c->logo_uri, &ok);
    d->policy_uri = dup_opt(c->policy_uri, &ok);
    d->tos_uri = dup_opt(c->tos_uri, &ok);
    d->software_id = dup_opt(c->software_id, &ok);
    d->software_version = dup_opt(c->software_version, &ok);
    d->redirect_uris = copy_opt(c->redirect_uris, &ok);
    d->post_logout_redirect_uris = copy_opt(c->post_logout_redirect_uris, &ok);
    d->allowed_cors_origins = copy_opt(c->allowed_cors_origins, &ok);
    d->scopes = copy_opt(c->scopes, &ok);
    d->roles = copy_opt(c->roles, &ok);
    d->audience = copy_opt(c->audience, &ok);
    d->contacts = copy_opt(c->contacts, &ok);
    d->jwks = copy_opt(c->jwks, &ok);
    if (!ok) {
        clv_client_free(d);
        return NULL;
    }
    return d;
}

/* ---- enum names ---- */

static const char *const status_names[] = {"active", "inactive", "deleted"};
static const char *const type_names[] = {"public", "confidential", "m2m"};
static const char *const approval_names[] = {"sandbox", "live"};
static const char *const subject_names[] = {"public", "pairwise"};
static const char *const auth_names[] = {"none", "client_secret_basic", "client_secret_post",
                                         "private_key_jwt"};
static const char *const alg_names[] = {"RS256", "ES256", "EdDSA"};

static bool lookup(const char *const *names, int n, const char *name, int *out)
{
    if (name == NULL)
        return false;
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define NAME_OF(arr, v) (((unsigned)(v) < (unsigned)COUNT(arr)) ? (arr)[v] : "unknown")

const char *clv_status_name(clv_status s) { return NAME_OF(status_names, s); }
const char *clv_client_type_name(clv_client_type t) { return NAME_OF(type_names, t); }
const char *clv_approval_name(clv_approval a) { return NAME_OF(approval_names, a); }
const char *clv_subject_type_name(clv_subject_type t) { return NAME_OF(subject_names, t); }
const char *clv_auth_method_name(clv_auth_method m) { return NAME_OF(auth_names, m); }
const char *clv_alg_name(clv_alg a) { return NAME_OF(alg_names, a); }

bool clv_status_parse(const char *name, clv_status *out)
{
    int v;

    if (!lookup(status_names, COUNT(status_names), name, &v))
        return false;
    *out = (clv_status)v;
    return true;
}

bool clv_client_type_parse(const char *name, clv_client_type *out)
{
    int v;

    if (!lookup(type_names, COUNT(type_names), name, &v))
        return false;
    *out = (clv_client_type)v;
    return true;
}

bool clv_subject_type_parse(const char *name, clv_subject_type *out)
{
    int v;

    if (!lookup(subject_names, COUNT(subject_names), name, &v))
        return false;
    *out = (clv_subject_type)v;
    return true;
}

bool clv_auth_method_parse(const char *name, clv_auth_method *out)
{
    int v;

    if (!lookup(auth_names, COUNT(auth_names), name, &v))
        return false;
    *out = (clv_auth_method)v;
    return true;
}

bool clv_alg_parse(const char *name, clv_alg *out)
{
    int v;

    if (!lookup(alg_names, COUNT(alg_names), name, &v))
        return false;
    *out = (clv_alg)v;
    return true;
}

/* ---- derived fields ---- */

static clv_status weakest(clv_status a, clv_status b)
{
    return a > b ? a : b; /* the enum is ordered active < inactive < deleted */
}

clv_status clv_client_effective_status(const clv_client *c)
{
    return weakest(weakest(c->status, c->service_status), c->tenant_status);
}

static bool ensure_array(json_t **slot)
{
    if (*slot == NULL)
        *slot = json_array();
    return *slot != NULL;
}

clv_alg clv_client_alg(const clv_client *c, clv_alg server_alg)
{
    return (unsigned)c->signing_alg < CLV_ALG_COUNT ? c->signing_alg : server_alg;
}

bool clv_client_set_defaults(clv_client *c, int64_t default_at_lifetime,
                             int64_t default_rt_lifetime)
{
    c->status = CLV_STATUS_ACTIVE;
    c->auth_method = c->type == CLV_TYPE_PUBLIC ? CLV_AUTH_NONE : CLV_AUTH_SECRET_BASIC;
    c->access_token_lifetime = default_at_lifetime;
    c->refresh_token_lifetime = default_rt_lifetime;
    c->signing_alg = CLV_ALG_SERVER;
    c->first_party = true;
    c->allow_refresh_token = false;
    /* docs/DESIGN.md R17: PKCE is required by default for every client that uses the code flow. */
    c->require_pkce = c->type != CLV_TYPE_M2M;
    c->allow_client_credentials = c->type == CLV_TYPE_M2M;
    c->subject_type = CLV_SUBJECT_PUBLIC;
    return ensure_array(&c->redirect_uris) && ensure_array(&c->post_logout_redirect_uris) &&
           ensure_array(&c->allowed_cors_origins) && ensure_array(&c->scopes) &&
           ensure_array(&c->roles) && ensure_array(&c->audience) && ensure_array(&c->contacts);
}

/* ---- time ---- */

void clv_time_format(int64_t t, char buf[21])
{
    time_t tt = (time_t)t;
    struct tm tm;

    /* RFC 3339 §5.6: date-fullyear is 4DIGIT — years 0 to 9999, zero-padded (strftime's %Y
     * would write "999"). */
    if (gmtime_r(&tt, &tm) == NULL || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900 ||
        snprintf(buf, 21, "%04d", tm.tm_year + 1900) != 4 ||
        strftime(buf + 4, 17, "-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, 21, "1970-01-01T00:00:00Z");
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The fields of "YYYY-MM-DDTHH:MM:SS" (RFC 3339 §5.6 date-time without its fraction and
 * offset). */
typedef struct {
    int y, mo, d, h, mi, se;
} civil_time;

static bool time_fields(const char *s, civil_time *t)
{
    return digits(s, 4, &t->y) && s[4] == '-' && digits(s + 5, 2, &t->mo) && s[7] == '-' &&
           digits(s + 8, 2, &t->d) && (s[10] == 'T' || s[10] == 't') &&
           digits(s + 11, 2, &t->h) && s[13] == ':' && digits(s + 14, 2, &t->mi) &&
           s[16] == ':' && digits(s + 17, 2, &t->se);
}

static bool time_valid(const civil_time *t)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (t->y % 4 == 0 && t->y % 100 != 0) || t->y % 400 == 0;

    if (t->mo < 1 || t->mo > 12 || t->d < 1 || t->d > mdays[t->mo - 1])
        return false;
    if (t->mo == 2 && t->d == 29 && !leap) /* 29 February only in leap years */
        return false;
    return t->h <= 23 && t->mi <= 59 && t->se <= 60;
}

/* The end of an optional fraction ".digits" at p; NULL if it has no digit. */
static const char *skip_fraction(const char *p)
{
    if (*p != '.')
        return p;
    p++;
    if (*p < '0' || *p > '9')
        return NULL;
    while (*p >= '0' && *p <= '9')
        p++;
    return p;
}

/* "Z" or "+hh:mm" / "-hh:mm" ending the string: *secs east of UTC. */
static bool time_offset(const char *p, int64_t *secs)
{
    int oh = 0, om = 0;

    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        *secs = 0;
        return true;
    }
    if ((*p != '+' && *p != '-') || strlen(p) != 6 || !digits(p + 1, 2, &oh) || p[3] != ':' ||
        !digits(p + 4, 2, &om) || oh > 23 || om > 59)
        return false;
    *secs = (*p == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
    return true;
}

bool clv_time_parse(const char *s, int64_t *out)
{
    civil_time t;
    const char *p;
    int64_t offset, secs;

    if (s == NULL || strlen(s) < 20 || !time_fields(s, &t) || !time_valid(&t))
        return false;
    if ((p = skip_fraction(s + 19)) == NULL || !time_offset(p, &offset))
        return false;
    /* a leap second (:60) counts as :59 */
    secs = days_from_civil(t.y, t.mo, t.d) * 86400 + t.h * 3600 + t.mi * 60 +
           (t.se == 60 ? 59 : t.se) - offset;
    /* An offset can carry the instant out of years 0000-9999, where no RFC 3339 time (and
     * so no clv_time_format) can name it in UTC. */
    if (secs < days_from_civil(0, 1, 1) * 86400 || secs >= days_from_civil(10000, 1, 1) * 86400)
        return false;
    *out = secs;
    return true;
}

int64_t clv_now(void)
{
    return (int64_t)time(NULL);
}

int64_t clv_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

bool clv_client_id_is_url(const char *client_id)
{
    return client_id != NULL && strncmp(client_id, "https://", 8) == 0;
}
