/* rand — random bytes from OpenSSL's CSPRNG (seeded from the OS) and the identifiers and
 * tokens built on them. */
#include "crypto/rand.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "base/b64.h"
#include "base/perthread.h"

enum { ID_PREFIX_MAX = 8, ID_BYTES = 16, ID_CHARS = 26 };

bool clv_rand_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;

    /* RAND_bytes takes an int; larger requests go in pieces. */
    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;
        if (RAND_bytes(p, chunk) != 1) {
            /* Never hand back a half-filled buffer that could pass for random. */
            OPENSSL_cleanse(buf, (size_t)(p - (unsigned char *)buf));
            return false;
        }
        p += chunk;
        n -= (size_t)chunk;
    }
    return true;
}

/* Public identifiers (ids, a token's jti) need random bits, not secrecy: they are drawn
 * from a per-thread pool refilled POOL bytes at a time, so that the CSPRNG's per-call
 * cost (a lock, a fork check through getpid) is paid once per many ids. A fork empties
 * every pool (pool_forks), so that parent and child never hand out the same bytes. */
enum { POOL = 1024 };

typedef struct {
    unsigned char bytes[POOL];
    size_t left; /* unused bytes, at the end of bytes */
    int forks;   /* pool_forks when it was filled */
} rand_pool;

static atomic_int pool_forks;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_after_fork(void)
{
    atomic_fetch_add(&pool_forks, 1);
}

static void pool_register(void)
{
    pthread_atfork(NULL, NULL, pool_after_fork);
}

static void pool_free(void *p)
{
    if (p != NULL)
        OPENSSL_cleanse(p, sizeof(rand_pool));
    free(p);
}

static clv_perthread pools = CLV_PERTHREAD_INIT(pool_free, sizeof(rand_pool));

bool clv_rand_public(void *buf, size_t n)
{
    rand_pool *p;
    int forks;

    pthread_once(&pool_once, pool_register);
    forks = atomic_load(&pool_forks);
    if (n > POOL / 4 || (p = clv_perthread_get(&pools)) == NULL)
        return clv_rand_bytes(buf, n);
    if (p->left < n || p->forks != forks) {
        if (!clv_rand_bytes(p->bytes, POOL)) {
            p->left = 0;
            return false;
        }
        p->left = POOL;
        p->forks = forks;
    }
    memcpy(buf, p->bytes + POOL - p->left, n);
    OPENSSL_cleanse(p->bytes + POOL - p->left, n); /* handed out once */
    p->left -= n;
    return true;
}

void clv_rand_thread_cleanup(void)
{
    clv_perthread_clear(&pools);
}

/* 128 bits as 26 characters of the RFC 4648 §6 base32 alphabet, lowercased (ids appear
 * in URLs and are read by people: no case to get wrong, no '-' or '_' to trip over). The
 * last character carries the final 3 bits. */
static void base32_128(const unsigned char in[ID_BYTES], char out[ID_CHARS])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned acc = 0, bits = 0;
    size_t o = 0;

    for (size_t i = 0; i < ID_BYTES; i++) {
        acc = (acc << 8 | in[i]) & 0xfff;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = alphabet[(acc >> bits) & 31];
        }
    }
    out[o] = alphabet[(acc << (5 - bits)) & 31]; /* bits == 3 here: 128 = 25*5 + 3 */
}

bool clv_rand_id(const char *prefix, char out[CLV_ID_MAX])
{
    unsigned char raw[ID_BYTES];
    size_t plen = prefix != NULL ? strnlen(prefix, ID_PREFIX_MAX + 1) : 0;

    if (plen > ID_PREFIX_MAX || !clv_rand_bytes(raw, sizeof raw))
        return false;
    if (plen > 0)
        memcpy(out, prefix, plen);
    out[plen] = '_';
    base32_128(raw, out + plen + 1);
    out[plen + 1 + ID_CHARS] = '\0';
    return true;
}

bool clv_rand_token(size_t nbytes, char *out)
{
    /* Drawn and encoded in pieces of a multiple of 3 bytes, so that the pieces'
     * encodings join into one unpadded base64url string without a heap buffer. */
    unsigned char raw[48];
    size_t o = 0;
    bool ok = true;

    out[0] = '\0';
    while (nbytes > 0) {
        size_t chunk = nbytes < sizeof raw ? nbytes : sizeof raw;
        if (!clv_rand_bytes(raw, chunk)) {
            /* No partial token: a short one would still look usable. */
            OPENSSL_cleanse(out, o);
            out[0] = '\0';
            ok = false;
            break;
        }
        o += clv_b64url_encode(raw, chunk, out + o);
        nbytes -= chunk;
    }
    OPENSSL_cleanse(raw, sizeof raw); /* the bytes are the token's secret */
    return ok;
}
