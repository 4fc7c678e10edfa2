/* hash — HMAC-SHA-256, SHA-256, constant-time comparison and wiping, over OpenSSL. */
#include "crypto/hash.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include "base/perthread.h"

/* HMAC() fetches the MAC and the digest by name on every call (a lookup under a lock);
 * the key hashes every request's client secret, so each thread keeps a context of the
 * HMAC fetched once, set to SHA-256, and only keys it per call. */
typedef struct {
    EVP_MAC_CTX *ctx;
} thread_mac;

static EVP_MAC *hmac_alg;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_fetch(void)
{
    hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static void thread_mac_free(void *p)
{
    if (p != NULL)
        EVP_MAC_CTX_free(((thread_mac *)p)->ctx);
    free(p);
}

static clv_perthread macs = CLV_PERTHREAD_INIT(thread_mac_free, sizeof(thread_mac));

void clv_hash_thread_cleanup(void)
{
    clv_perthread_clear(&macs);
}

static EVP_MAC_CTX *thread_hmac(void)
{
    thread_mac *t = clv_perthread_get(&macs);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};

    if (t == NULL)
        return NULL;
    if (t->ctx == NULL) {
        pthread_once(&hmac_once, hmac_fetch);
        if (hmac_alg == NULL || (t->ctx = EVP_MAC_CTX_new(hmac_alg)) == NULL)
            return NULL;
        if (EVP_MAC_CTX_set_params(t->ctx, params) != 1) {
            EVP_MAC_CTX_free(t->ctx);
            t->ctx = NULL;
        }
    }
    return t->ctx;
}

bool clv_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                     unsigned char out[32])
{
    static const unsigned char empty[1];
    EVP_MAC_CTX *ctx = thread_hmac();
    size_t len = 0;

    /* A real (empty) key for NULL, so an empty key is an ordinary RFC 2104 key of length
     * 0 and never a special case. */
    if (ctx == NULL || keylen > INT_MAX)
        return false;
    if (key == NULL)
        key = empty;
    if (data == NULL)
        data = empty;
    return EVP_MAC_init(ctx, key, keylen, NULL) == 1 && EVP_MAC_update(ctx, data, n) == 1 &&
           EVP_MAC_final(ctx, out, &len, 32) == 1 && len == 32;
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
