/* password — argon2id hashing of user passwords (see password.h). Parameters follow the
 * OWASP recommendation for argon2id: m = 19 MiB, t = 2, p = 1. */
#include "crypto/password.h"

#include <argon2.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/rand.h"

enum { T_COST = 2, M_COST = 19 * 1024, PARALLELISM = 1, SALT_LEN = 16, HASH_LEN = 32 };
enum { DEFAULT_WAIT_MS = 3000 };

/* The turns: how many argon2id computations may run at once (password.h). */
static sem_t turns;
static pthread_once_t turns_once = PTHREAD_ONCE_INIT;
static unsigned turns_n;
static int turns_wait_ms = DEFAULT_WAIT_MS;

static void turns_init(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = turns_n > 0 ? turns_n : cores > 0 ? (unsigned)cores : 1;

    sem_init(&turns, 0, n);
}

void clv_password_limit(unsigned n, int wait_ms)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

    pthread_mutex_lock(&lock);
    turns_n = n;
    turns_wait_ms = wait_ms;
    pthread_once(&turns_once, turns_init);
    pthread_mutex_unlock(&lock);
}

bool clv_password_turn_take(int wait_ms)
{
    struct timespec until;
    int rc;

    pthread_once(&turns_once, turns_init);
    if (wait_ms <= 0)
        return sem_trywait(&turns) == 0;
    clock_gettime(CLOCK_REALTIME, &until); /* sem_timedwait counts on CLOCK_REALTIME */
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while ((rc = sem_timedwait(&turns, &until)) != 0 && errno == EINTR)
        continue;
    return rc == 0;
}

void clv_password_turn_give(void)
{
    sem_post(&turns);
}

static clv_code no_turn(clv_err *err)
{
    clv_fail(err, CLV_THROTTLED, "too many passwords are being checked at once; retry");
    if (err != NULL)
        err->retry_after = 1;
    return CLV_THROTTLED;
}

clv_code clv_password_hash(const char *password, char **out, clv_err *err)
{
    unsigned char salt[SALT_LEN];
    size_t len = argon2_encodedlen(T_COST, M_COST, PARALLELISM, SALT_LEN, HASH_LEN, Argon2_id);
    char *enc = NULL;
    int rc;

    if (!clv_rand_bytes(salt, sizeof salt))
        return clv_fail(err, CLV_CRYPTO, "CSPRNG failed");
    if ((enc = malloc(len)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if (!clv_password_turn_take(turns_wait_ms)) {
        free(enc);
        return no_turn(err);
    }
    rc = argon2id_hash_encoded(T_COST, M_COST, PARALLELISM, password, strlen(password), salt,
                               SALT_LEN, HASH_LEN, enc, len);
    clv_password_turn_give();
    if (rc != ARGON2_OK) {
        free(enc);
        return clv_fail(err, CLV_CRYPTO, "argon2: %s", argon2_error_message(rc));
    }
    *out = enc;
    return CLV_OK;
}

clv_code clv_password_check(const char *encoded, const char *password, clv_err *err)
{
    int rc;

    if (encoded == NULL || password == NULL)
        return clv_fail(err, CLV_ACCESS_DENIED, "wrong password");
    if (!clv_password_turn_take(turns_wait_ms))
        return no_turn(err);
    rc = argon2id_verify(encoded, password, strlen(password));
    clv_password_turn_give();
    if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
        return clv_fail(err, CLV_NOMEM, "argon2: %s", argon2_error_message(rc));
    if (rc != ARGON2_OK)
        return clv_fail(err, CLV_ACCESS_DENIED, "wrong password");
    return CLV_OK;
}
