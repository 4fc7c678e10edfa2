/* libFuzzer target: PKCE (src/oauth/authorize.c, RFC 7636) — the code_verifier of a token
 * request and the code_challenge of an authorization request.
 *
 * The input is a verifier and a challenge separated by the first NUL byte. Checks:
 * clv_pkce_check accepts exactly a well-formed verifier (RFC 7636 §4.1) with its own S256
 * challenge (§4.2, §4.6), so never plain (a verifier is 43 to 128 characters, its S256 43
 * of the same alphabet: RFC 7636 §4.1, §4.2). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "oauth/authorize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *verifier, *challenge, s256[44];
    bool valid, ok;

    if (size > 1024)
        return 0;
    verifier = clv_fuzz_cstr(data, size);
    challenge = verifier + strlen(verifier) + (strlen(verifier) < size ? 1 : 0);
    valid = clv_pkce_verifier_valid(verifier);
    ok = clv_pkce_check(verifier, challenge);
    if (!clv_pkce_s256(verifier, s256))
        abort();
    if (valid && (strlen(s256) != 43 || !clv_pkce_verifier_valid(s256)))
        abort(); /* a challenge is 43 characters of the verifier alphabet */
    if (ok != (valid && strcmp(s256, challenge) == 0))
        abort(); /* exactly the verifier's own S256: never plain, never another */
    free(verifier);
    return 0;
}
