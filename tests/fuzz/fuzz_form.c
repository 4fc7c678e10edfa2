/* libFuzzer target: the urlencoded form parser and the Basic credentials parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clv_form form;
    char *text = malloc(size + 7);
    char *id = NULL, *secret = NULL;

    if (text == NULL)
        return 0;
    clv_form_parse((const char *)data, size, &form, NULL);
    for (int i = 0; i < form.count; i++) /* every value is NUL-free UTF-8 */
        if (strlen(form.values[i]) > size)
            abort();
    clv_form_cleanup(&form);
    memcpy(text, "Basic ", 6);
    memcpy(text + 6, data, size);
    text[size + 6] = '\0';
    if (clv_basic_parse(text, &id, &secret, NULL) == CLV_OK && (id == NULL || secret == NULL))
        abort();
    free(id);
    clv_free_secret(secret);
    free(text);
    return 0;
}
