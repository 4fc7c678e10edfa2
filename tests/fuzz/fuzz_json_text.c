/* libFuzzer target: any JSON text jansson reads is written by clv_json_text exactly as
 * json_dumps(JSON_COMPACT | JSON_ENCODE_ANY) writes it. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    char *want, *got;
    size_t len = 0;

    if (v == NULL)
        return 0;
    want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    got = clv_json_text(v, &len);
    if (want == NULL || got == NULL || strcmp(want, got) != 0 || len != strlen(want))
        abort();
    free(want);
    free(got);
    json_decref(v);
    return 0;
}
