/* password — argon2id hashing of user passwords (see password.h). Parameters follow the
 * OWASP recommendation for argon2id: m = 19 MiB, t = 2, p = 1. */
#include "crypto/password.h"

#include <argon2.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/rand.h"

enum { T_COST = 2, M_COST = 19 * 1024, PARALLELISM = 1, SALT_LEN = 16, HASH_LEN = 32 };

clv_code clv_password_hash(const char *password, char **out, clv_err *err)
{
    unsigned char salt[SALT_LEN];
    size_t len = argon2_encodedlen(T_COST, M_COST, PARALLELISM, SALT_LEN, HASH_LEN, Argon2_id);
    char *enc = malloc(len);
    int rc;

    if (enc == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if (!clv_rand_bytes(salt, sizeof salt)) {
        free(enc);
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    }
    rc = argon2id_hash_encoded(T_COST, M_COST, PARALLELISM, password, strlen(password), salt,
                               SALT_LEN, HASH_LEN, enc, len);
    if (rc != ARGON2_OK) {
        free(enc);
        return clv_fail(err, CLV_CRYPTO, "argon2: %s", argon2_error_message(rc));
    }
    *out = enc;
    return CLV_OK;
}

bool clv_password_verify(const char *encoded, const char *password)
{
    if (encoded == NULL || password == NULL)
        return false;
    return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}
