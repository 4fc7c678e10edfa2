/* grant_types — the grant table (see grant_types.h). */
#include "core/grant_types.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    unsigned always, with_option; /* CLV_FOR_* sets */
    clv_grant_option_id option;
} row;

static const row rows[CLV_GRANT_COUNT] = {
#define CLV_GRANT_ROW(id, name, always, with_option, option)                                       \
    [CLV_GRANT_##id] = {name, always, with_option, CLV_OPTION_##option},
    CLV_GRANT_TYPES(CLV_GRANT_ROW)
#undef CLV_GRANT_ROW
};

static bool option_on(const clv_client *c, clv_grant_option_id o)
{
    switch (o) {
    case CLV_OPTION_NONE:
        return false;
    case CLV_OPTION_REFRESH_TOKEN:
        return c->allow_refresh_token;
    case CLV_OPTION_CLIENT_CREDENTIALS:
        return c->allow_client_credentials;
    }
    return false;
}

const char *clv_grant_name(clv_grant g)
{
    return (unsigned)g < CLV_GRANT_COUNT ? rows[g].name : NULL;
}

bool clv_grant_parse(const char *name, clv_grant *out)
{
    for (int g = 0; name != NULL && g < CLV_GRANT_COUNT; g++) {
        if (strcmp(rows[g].name, name) == 0) {
            *out = (clv_grant)g;
            return true;
        }
    }
    return false;
}

bool clv_grant_allowed(const clv_client *c, clv_grant g)
{
    unsigned t;

    if ((unsigned)g >= CLV_GRANT_COUNT || (unsigned)c->type > CLV_TYPE_M2M)
        return false;
    t = 1u << c->type;
    return (rows[g].always & t) != 0 ||
           ((rows[g].with_option & t) != 0 && option_on(c, rows[g].option));
}

bool clv_grant_type_may(clv_client_type t, clv_grant g)
{
    return (unsigned)g < CLV_GRANT_COUNT && (unsigned)t <= CLV_TYPE_M2M &&
           ((rows[g].always | rows[g].with_option) & (1u << t)) != 0;
}

const char *clv_grant_option(clv_grant g)
{
    if ((unsigned)g >= CLV_GRANT_COUNT)
        return NULL;
    switch (rows[g].option) {
    case CLV_OPTION_NONE:
        return NULL;
    case CLV_OPTION_REFRESH_TOKEN:
        return "allow_refresh_token";
    case CLV_OPTION_CLIENT_CREDENTIALS:
        return "allow_client_credentials";
    }
    return NULL;
}

json_t *clv_grant_names(void)
{
    json_t *a = json_array();

    for (int g = 0; a != NULL && g < CLV_GRANT_COUNT; g++) {
        if (json_array_append_new(a, json_string(rows[g].name)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

void clv_grant_names_text(char *buf, size_t n)
{
    size_t len = 0;

    if (n == 0)
        return;
    buf[0] = '\0';
    for (int g = 0; g < CLV_GRANT_COUNT && len < n; g++) {
        const char *sep = g == 0 ? "" : g == CLV_GRANT_COUNT - 1 ? " or " : ", ";
        int w = snprintf(buf + len, n - len, "%s%s", sep, rows[g].name);
        if (w < 0)
            return;
        len += (size_t)w;
    }
}

json_t *clv_client_grant_types(const clv_client *c)
{
    json_t *g = json_array();

    /* the rows of the grant table (core/grant_types.h) the client may use, in its order */
    for (int i = 0; g != NULL && i < CLV_GRANT_COUNT; i++) {
        if (clv_grant_allowed(c, (clv_grant)i) &&
            json_array_append_new(g, json_string(clv_grant_name((clv_grant)i))) != 0) {
            json_decref(g);
            return NULL;
        }
    }
    return g;
}
