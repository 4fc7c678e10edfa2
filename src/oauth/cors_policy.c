/* cors_policy — the origin policy of the protocol endpoints (see cors_policy.h). */
#include "oauth/cors_policy.h"

#include <stdlib.h>
#include <string.h>

#include "base/uri.h"

enum {
    ORIGIN_MAX = 512,
    CLIENT_ID_MAX = CLV_CLIENT_ID_MAX, /* no client_id is longer: the store is not asked for one */
    PAGE = 100,
    PAGES_MAX = 1000
};

static bool list_allows(const json_t *list, const char *want)
{
    char o[ORIGIN_MAX];
    size_t i;
    json_t *v;

    json_array_foreach(list, i, v) {
        if (clv_uri_origin(json_string_value(v), o, sizeof o) && strcmp(o, want) == 0)
            return true;
    }
    return false;
}

bool clv_cors_client_allows(const clv_client *c, const char *origin)
{
    char want[ORIGIN_MAX];

    if (c == NULL || !clv_uri_origin(origin, want, sizeof want) ||
        strlen(origin) != strlen(want)) /* an Origin header is an origin, nothing more */
        return false;
    return list_allows(c->allowed_cors_origins, want) || list_allows(c->redirect_uris, want);
}

bool clv_cors_allows(clv_app *app, const char *client_id, const char *origin)
{
    clv_client *c = NULL;
    bool allows;

    if (origin == NULL || client_id == NULL || client_id[0] == '\0' ||
        strlen(client_id) > CLIENT_ID_MAX ||
        clv_store_client_get(app->store, client_id, &c, NULL) != CLV_OK)
        return false;
    allows =
        clv_client_effective_status(c) == CLV_STATUS_ACTIVE && clv_cors_client_allows(c, origin);
    clv_client_free(c);
    return allows;
}

bool clv_cors_preflight_allows(clv_app *app, const char *origin)
{
    clv_client_filter f = {.status = CLV_STATUS_ACTIVE, .type = -1, .limit = PAGE};
    char *cursor = NULL, norm[ORIGIN_MAX];
    bool known = false;

    /* Only a well-formed origin is worth a scan: anything else is refused for free. */
    if (!clv_uri_origin(origin, norm, sizeof norm) || strlen(norm) != strlen(origin))
        return false;
    for (int page = 0; page < PAGES_MAX && !known; page++) {
        clv_list l = {0};
        f.cursor = cursor;
        if (clv_store_client_list(app->store, &f, &l, NULL) != CLV_OK)
            break; /* a store failure grants nothing */
        for (size_t i = 0; i < l.count && !known; i++) {
            const clv_client *c = l.items[i];
            known = clv_client_effective_status(c) == CLV_STATUS_ACTIVE &&
                    clv_cors_client_allows(c, origin);
        }
        free(cursor);
        cursor = l.next_cursor;
        l.next_cursor = NULL;
        clv_list_cleanup(&l);
        if (cursor == NULL)
            break;
    }
    free(cursor);
    return known;
}
