/* libFuzzer target: RFC 3339 date-times (clv_time_parse, src/core/model.c), as the admin
 * API reads a secret's expires_at and the audit list's since. A time it accepts is written
 * back by clv_time_format, which it must read as the same second (RFC 3339 §5.6). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/model.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s, buf[21];
    int64_t t = 0, again = 0;

    if (size > 256)
        return 0;
    s = clv_fuzz_cstr(data, size);
    if (clv_time_parse(s, &t)) {
        clv_time_format(t, buf);
        if (!clv_time_parse(buf, &again) || again != t) {
            fprintf(stderr, "'%s' is %lld, written '%s'\n", s, (long long)t, buf);
            abort();
        }
    }
    free(s);
    return 0;
}
