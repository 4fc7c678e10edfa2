/* operation — what the admin operations share (see operation.h). */
#include "admin/operation.h"

#include <stdlib.h>
#include <string.h>

#include "core/client_cache.h"

bool clv_version_matches(const clv_version_match *m, int64_t version)
{
    if (m == NULL || m->any)
        return true;
    for (size_t i = 0; i < m->n; i++)
        if (m->versions[i] == version)
            return true;
    return false;
}

const char *clv_admin_query(const clv_admin_args *args, const char *name)
{
    for (size_t i = 0; i < CLV_ADMIN_QUERY_MAX && args->query[i].name != NULL; i++)
        if (strcmp(args->query[i].name, name) == 0)
            return args->query[i].value;
    return NULL;
}

const char *clv_admin_tenant_filter(const clv_admin_args *args)
{
    return args->p->platform_admin ? clv_admin_query(args, "tenant_id") : args->p->tenant_id;
}

clv_code clv_admin_status_query(const clv_admin_args *args, const char *name, int *out,
                                clv_err *err)
{
    const char *v = clv_admin_query(args, name);
    clv_status st;

    *out = -1;
    if (v == NULL)
        return CLV_OK;
    if (!clv_status_parse(v, &st))
        return clv_fail_field(err, CLV_INVALID, name, "must be active, inactive or deleted");
    *out = (int)st;
    return CLV_OK;
}

json_t *clv_admin_page(clv_list *l, json_t *(*to_json)(const void *item))
{
    json_t *items = json_array();
    json_t *page;

    for (size_t i = 0; items != NULL && i < l->count; i++)
        json_array_append_new(items, to_json(l->items[i]));
    page = json_pack("{s:o, s:s?}", "items", items, "next_cursor", l->next_cursor);
    clv_list_cleanup(l);
    return page;
}

clv_code clv_admin_only_keys(const json_t *body, const char *const *allowed, clv_err *err)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)body, key, v) {
        bool ok = false;
        for (const char *const *a = allowed; *a != NULL && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok)
            return clv_fail_field(err, CLV_INVALID, key, "unknown or read-only field");
    }
    return CLV_OK;
}

/* Characters, not bytes: jansson strings and query values are valid UTF-8, so count the
 * lead bytes. */
size_t clv_admin_chars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* C0 and C1 control characters (a description may hold tabs and line breaks). */
static bool has_control(const char *s, bool text)
{
    const unsigned char *p = (const unsigned char *)s;

    for (; *p != '\0'; p++) {
        if (text && (*p == '\t' || *p == '\n' || *p == '\r'))
            continue;
        if (*p < 0x20 || *p == 0x7F || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
            return true;
    }
    return false;
}

clv_code clv_admin_str_field(const json_t *body, const char *name, size_t max, bool nullable,
                             bool *present, const char **out, clv_err *err)
{
    json_t *v = json_object_get(body, name);
    size_t n;

    if (present != NULL)
        *present = v != NULL;
    if (v == NULL)
        return CLV_OK;
    if (json_is_null(v) && nullable) {
        *out = NULL;
        return CLV_OK;
    }
    if (!json_is_string(v))
        return clv_fail_field(err, CLV_INVALID, name, "must be a string");
    if (has_control(json_string_value(v), strcmp(name, "description") == 0))
        return clv_fail_field(err, CLV_INVALID, name, "must not contain control characters");
    n = clv_admin_chars(json_string_value(v));
    if (n == 0 || n > max)
        return clv_fail_field(err, CLV_INVALID, name, "must have 1 to %zu characters", max);
    *out = json_string_value(v);
    return CLV_OK;
}

bool clv_admin_holds_protected(clv_app *app, const char *meta_name, const char *id)
{
    char *value = NULL;
    bool holds = false;

    if (clv_store_meta_get(app->store, meta_name, &value, NULL) == CLV_OK)
        holds = strcmp(value, id) == 0;
    free(value);
    return holds;
}
