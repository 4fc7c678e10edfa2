/* sector — checking sector_identifier_uri documents (see sector.h). */
#include "core/sector.h"

#include <stdlib.h>
#include <string.h>

#include "base/strlist.h"
#include "net/fetch.h"

static const char field[] = "sector_identifier_uri";

static bool lists(const json_t *doc, const char *uri)
{
    return clv_strarr_has(doc, uri);
}

static clv_code check_doc(const clv_client *c, const json_t *doc, clv_err *err)
{
    size_t i;
    json_t *v;

    if (!json_is_array(doc))
        return clv_fail_field(err, CLV_INVALID, field, "must name a JSON array of URIs");
    json_array_foreach(doc, i, v) {
        if (!json_is_string(v))
            return clv_fail_field(err, CLV_INVALID, field,
                                  "must name a JSON array of strings (item %zu is not)", i);
    }
    json_array_foreach(c->redirect_uris, i, v) {
        if (!lists(doc, json_string_value(v)))
            return clv_fail_field(err, CLV_INVALID, field,
                                  "its document does not list redirect_uris[%zu]", i);
    }
    return CLV_OK;
}

clv_code clv_sector_verify(const clv_client *c, clv_err *err)
{
    char *body = NULL;
    size_t len = 0;
    json_t *doc;
    clv_err ferr;
    clv_code rc;

    if (c->sector_identifier_uri == NULL)
        return CLV_OK;
    clv_err_init(&ferr);
    rc = clv_fetch_get(c->sector_identifier_uri, &body, &len, &ferr);
    if (rc == CLV_INVALID)
        return clv_fail_field(err, CLV_INVALID, field, "cannot be fetched: %s", ferr.detail);
    if (rc != CLV_OK)
        return clv_fail(err, rc, "%s", ferr.detail);
    doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    free(body);
    if (doc == NULL)
        return clv_fail_field(err, CLV_INVALID, field, "must name a JSON document");
    rc = check_doc(c, doc, err);
    json_decref(doc);
    return rc;
}

bool clv_sector_changed(const clv_client *old, const clv_client *c)
{
    if (c->sector_identifier_uri == NULL)
        return false;
    if (old == NULL || old->sector_identifier_uri == NULL)
        return true;
    return strcmp(old->sector_identifier_uri, c->sector_identifier_uri) != 0 ||
           !json_equal(old->redirect_uris, c->redirect_uris);
}
