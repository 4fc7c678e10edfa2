/* libFuzzer target: a JSON body as the admin API reads it, through the client field rules
 * on create and on PATCH. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/client_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clv_config cfg = {0};
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    clv_client *c = NULL, *patched = NULL;

    cfg.token_alg = CLV_ALG_RS256;
    cfg.at_lifetime_min = 60;
    cfg.at_lifetime_max = 3600;
    cfg.at_lifetime_default = 3600;
    cfg.rt_lifetime_default = 30 * 86400;
    cfg.rt_lifetime_max = 90 * 86400;
    if (body == NULL)
        return 0;
    if (clv_client_from_json(body, &cfg, &c, NULL) == CLV_OK) {
        json_t *out = clv_client_to_json(c);
        if (out == NULL)
            abort();
        json_decref(out);
        /* the same body as a patch refuses service_id/type; without them it may pass */
        json_object_del(body, "service_id");
        json_object_del(body, "type");
        if (clv_client_patch(c, body, &cfg, &patched, NULL) == CLV_OK &&
            clv_client_validate(patched, &cfg, NULL) != CLV_OK)
            abort(); /* a patch result is always valid */
    }
    clv_client_free(patched);
    clv_client_free(c);
    json_decref(body);
    return 0;
}
