/* seal — AES-256-GCM of short values (see seal.h). */
#include "crypto/seal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/b64.h"
#include "crypto/hash.h"
#include "crypto/rand.h"

enum { NONCE_LEN = 12, TAG_LEN = 16 };

/* One AES-256-GCM pass over in[0..n) into out; enc 1 encrypts, 0 decrypts (tag in/out). */
static bool gcm(int enc, const unsigned char key[32], const unsigned char *nonce, const char *label,
                const unsigned char *in, int n, unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0;
    bool ok =
        ctx != NULL && EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce, enc) == 1 &&
        EVP_CipherUpdate(ctx, NULL, &len, (const unsigned char *)label, (int)strlen(label)) == 1 &&
        EVP_CipherUpdate(ctx, out, &len, in, n) == 1;

    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
    ok = ok && EVP_CipherFinal_ex(ctx, out + len, &fin) == 1;
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* clv_seal with a bound of max bytes on plain; the raw buffer lives on the heap, so the
 * same code serves short values and PEM keys. */
static clv_code seal_max(const unsigned char key[32], const char *label, const char *plain,
                         size_t max, char **out, clv_err *err)
{
    size_t n = strlen(plain);
    unsigned char *raw;
    char *text = NULL;
    clv_code rc = CLV_OK;

    if (n > max)
        return clv_fail(err, CLV_INVALID, "the value to seal is too long");
    if ((raw = malloc(NONCE_LEN + n + TAG_LEN)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if (!clv_rand_bytes(raw, NONCE_LEN))
        rc = clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    else if (!gcm(1, key, raw, label, (const unsigned char *)plain, (int)n, raw + NONCE_LEN,
                  raw + NONCE_LEN + n))
        rc = clv_fail(err, CLV_CRYPTO, "AES-GCM failed");
    else if ((text = malloc(clv_b64url_encoded_size(NONCE_LEN + n + TAG_LEN))) == NULL)
        rc = clv_fail(err, CLV_NOMEM, "out of memory");
    else
        clv_b64url_encode(raw, NONCE_LEN + n + TAG_LEN, text);
    free(raw);
    if (rc == CLV_OK)
        *out = text;
    return rc;
}

/* clv_unseal for a value of at most max bytes; the opened text is wiped if it is refused. */
static clv_code unseal_max(const unsigned char key[32], const char *label, const char *sealed,
                           size_t max, char **plain, clv_err *err)
{
    unsigned char *raw = NULL;
    size_t len = 0, n;
    char *text = NULL;
    bool ok;

    if (sealed == NULL || strlen(sealed) > 2 * (NONCE_LEN + max + TAG_LEN) ||
        !clv_b64url_decode(sealed, strlen(sealed), &raw, &len))
        return clv_fail(err, CLV_UNAUTHENTICATED, "the sealed value is not valid");
    ok = len >= NONCE_LEN + TAG_LEN && len <= NONCE_LEN + max + TAG_LEN;
    n = ok ? len - NONCE_LEN - TAG_LEN : 0;
    if (ok && (text = malloc(n + 1)) == NULL) {
        free(raw);
        return clv_fail(err, CLV_NOMEM, "out of memory");
    }
    ok = ok &&
         gcm(0, key, raw, label, raw + NONCE_LEN, (int)n, (unsigned char *)text,
             raw + NONCE_LEN + n) &&
         memchr(text, '\0', n) == NULL;
    free(raw);
    if (!ok) {
        if (text != NULL)
            clv_wipe(text, n);
        free(text);
        return clv_fail(err, CLV_UNAUTHENTICATED, "the sealed value is not valid");
    }
    text[n] = '\0';
    *plain = text;
    return CLV_OK;
}

clv_code clv_seal(const unsigned char key[32], const char *label, const char *plain, char **out,
                  clv_err *err)
{
    return seal_max(key, label, plain, CLV_SEAL_PLAIN_MAX, out, err);
}

clv_code clv_unseal(const unsigned char key[32], const char *label, const char *sealed,
                    char **plain, clv_err *err)
{
    return unseal_max(key, label, sealed, CLV_SEAL_PLAIN_MAX, plain, err);
}

clv_code clv_seal_key(const unsigned char kek[32], const char *label, const char *plain,
                      char **out, clv_err *err)
{
    return seal_max(kek, label, plain, CLV_SEAL_KEY_MAX, out, err);
}

clv_code clv_unseal_key(const unsigned char kek[32], const char *label, const char *sealed,
                        char **plain, clv_err *err)
{
    return unseal_max(kek, label, sealed, CLV_SEAL_KEY_MAX, plain, err);
}
