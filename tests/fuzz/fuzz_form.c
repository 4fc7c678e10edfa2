/* libFuzzer target: the urlencoded form parser (the Basic credentials parser has its own,
 * fuzz_basic.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/form.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clv_form form;

    clv_form_parse((const char *)data, size, &form, NULL);
    for (int i = 0; i < form.count; i++) { /* named, once, NUL-free UTF-8, no longer */
        const char *n = form.names[i], *v = form.values[i];
        if (n[0] == '\0' || strlen(n) > size || strlen(v) > size || !clv_utf8_valid(n, strlen(n)) ||
            !clv_utf8_valid(v, strlen(v)) || clv_form_get(&form, n) != v)
            abort();
    }
    clv_form_cleanup(&form);
    return 0;
}
