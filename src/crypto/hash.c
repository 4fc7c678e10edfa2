/* hash — HMAC-SHA-256, SHA-256, constant-time comparison and wiping, over OpenSSL. */
#include "crypto/hash.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

bool clv_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                     unsigned char out[32])
{
    static const unsigned char empty[1];
    unsigned int len = 0;

    /* HMAC() takes NULL as "no key"; hand it a real (empty) key so an empty key is an
     * ordinary RFC 2104 key of length 0 and never a special case. */
    if (keylen > INT_MAX)
        return false;
    if (key == NULL)
        key = empty;
    if (data == NULL)
        data = empty;
    if (HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len) == NULL || len != 32)
        return false;
    return true;
}

bool clv_sha256(const void *data, size_t n, unsigned char out[32])
{
    static const unsigned char empty[1];
    unsigned int len = 0;

    if (data == NULL)
        data = empty;
    return EVP_Digest(data, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32;
}

bool clv_sha512(const void *data, size_t n, unsigned char out[64])
{
    static const unsigned char empty[1];
    unsigned int len = 0;

    if (data == NULL)
        data = empty;
    return EVP_Digest(data, n, out, &len, EVP_sha512(), NULL) == 1 && len == 64;
}

bool clv_ct_equal(const void *a, const void *b, size_t n)
{
    /* CRYPTO_memcmp reads all n bytes whatever they hold, unlike memcmp, which stops at
     * the first difference and so tells a timing attacker how much of a guess was right. */
    return CRYPTO_memcmp(a, b, n) == 0;
}

void clv_wipe(void *p, size_t n)
{
    if (p != NULL)
        OPENSSL_cleanse(p, n);
}

void clv_free_secret(char *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}
