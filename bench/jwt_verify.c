/* jwt_verify — the CPU time of clv_jwt_verify (src/crypto/jwt.c) of one thread, for tokens of
 * one key and for tokens of two keys of the same alg alternating (a retired and the active
 * key during a rotation, docs/DESIGN.md "Signing keys and the KEK"). Built and run by
 * bench/jwt_verify.sh against a build's static library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/hash.h"
#include "crypto/jwt.h"

static int N = 20000; /* verifications a measurement (JWT_N) */

static double thread_us(void)
{
    struct timespec t;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* The µs of CPU per verification of tokens[i % n], i < N. */
static double per_verify(const clv_keyset *ks, char *const *tokens, int n)
{
    double t0 = thread_us();

    for (int i = 0; i < N; i++) {
        json_t *claims = NULL;
        if (clv_jwt_verify(ks, tokens[i % n], &claims, NULL, NULL) != CLV_OK) {
            fprintf(stderr, "jwt_verify: a token did not verify\n");
            exit(1);
        }
        json_decref(claims);
    }
    return (thread_us() - t0) / N;
}

static char *sign_with(const clv_keyset *ks, clv_alg alg)
{
    static const char claims[] = "{\"iss\":\"https://as.example\",\"sub\":\"bench\"}";
    char *token = NULL;

    if (clv_jwt_sign(ks, alg, "at+jwt", claims, strlen(claims), &token, NULL) != CLV_OK)
        exit(1);
    return token;
}

int main(void)
{
    static const char *const names[] = {"RS256", "ES256"};

    if (getenv("JWT_N") != NULL)
        N = atoi(getenv("JWT_N"));

    for (int a = CLV_ALG_RS256; a <= CLV_ALG_ES256; a++) {
        clv_keyset *old = NULL, *now = NULL;
        char *pem[2] = {NULL, NULL}, *tokens[2];

        for (int k = 0; k < 2; k++)
            if (clv_key_generate_pem((clv_alg)a, &pem[k], NULL) != CLV_OK)
                return 1;
        if (clv_keyset_new(&old, NULL) != CLV_OK || clv_keyset_new(&now, NULL) != CLV_OK ||
            clv_keyset_add(old, (clv_alg)a, pem[0], NULL) != CLV_OK ||
            clv_keyset_add_retired(now, (clv_alg)a, pem[0], NULL) != CLV_OK ||
            clv_keyset_add(now, (clv_alg)a, pem[1], NULL) != CLV_OK)
            return 1;
        tokens[0] = sign_with(old, (clv_alg)a); /* the retired key's */
        tokens[1] = sign_with(now, (clv_alg)a); /* the active key's */
        per_verify(now, tokens, 2);             /* warm-up */
        printf("%s one kid: %.2f us/verify\n", names[a - CLV_ALG_RS256], per_verify(now, tokens + 1, 1));
        printf("%s two kids alternating: %.2f us/verify\n", names[a - CLV_ALG_RS256],
               per_verify(now, tokens, 2));
        free(tokens[0]);
        free(tokens[1]);
        clv_free_secret(pem[0]);
        clv_free_secret(pem[1]);
        clv_keyset_free(old);
        clv_keyset_free(now);
    }
    return 0;
}
