/* cors — the origin policy of the protocol endpoints (see cors.h). */
#include "oauth/cors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { ORIGIN_MAX = 512, PAGE = 100, PAGES_MAX = 1000 };

static bool authority_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']';
}

bool clv_uri_origin(const char *uri, char *out, size_t n)
{
    const char *auth, *end;
    size_t scheme_len, len;
    const char *dport;
    bool https;

    if (uri == NULL)
        return false;
    if (strncasecmp(uri, "https://", 8) == 0)
        https = true;
    else if (strncasecmp(uri, "http://", 7) == 0)
        https = false;
    else
        return false;
    scheme_len = https ? 5 : 4;
    dport = https ? ":443" : ":80";
    auth = uri + scheme_len + 3;
    end = auth + strcspn(auth, "/?#");
    len = (size_t)(end - auth);
    /* the default port is no part of an origin as browsers send it */
    if (len > strlen(dport) && strncmp(end - strlen(dport), dport, strlen(dport)) == 0)
        len -= strlen(dport);
    if (len == 0 || scheme_len + 3 + len + 1 > n)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!authority_char(auth[i]))
            return false; /* user info, odd characters: not an origin we can vouch for */
    snprintf(out, n, "%s://", https ? "https" : "http");
    for (size_t i = 0; i < len; i++)
        out[scheme_len + 3 + i] =
            (char)(auth[i] >= 'A' && auth[i] <= 'Z' ? auth[i] + ('a' - 'A') : auth[i]);
    out[scheme_len + 3 + len] = '\0';
    return true;
}

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

clv_code clv_cors_origin_known(clv_app *app, const char *origin, bool *known, clv_err *err)
{
    clv_client_filter f = {.status = CLV_STATUS_ACTIVE, .type = -1, .limit = PAGE};
    char *cursor = NULL, norm[ORIGIN_MAX];
    clv_code rc = CLV_OK;

    *known = false;
    /* Only a well-formed origin is worth a scan: anything else is refused for free. */
    if (!clv_uri_origin(origin, norm, sizeof norm) || strlen(norm) != strlen(origin))
        return CLV_OK;
    for (int page = 0; page < PAGES_MAX && !*known; page++) {
        clv_list l = {0};
        f.cursor = cursor;
        if ((rc = clv_store_client_list(app->store, &f, &l, err)) != CLV_OK)
            break;
        for (size_t i = 0; i < l.count && !*known; i++) {
            const clv_client *c = l.items[i];
            *known = clv_client_effective_status(c) == CLV_STATUS_ACTIVE &&
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
    return rc;
}
