/* perthread — per-thread blocks (see perthread.h). */
#include "base/perthread.h"

#include <stdlib.h>

static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;

static int ensure_key(clv_perthread *t)
{
    int ok = 1;

    if (atomic_load(&t->ready))
        return 1;
    pthread_mutex_lock(&init_mu);
    if (!atomic_load(&t->ready)) {
        ok = pthread_key_create(&t->key, t->free_block) == 0;
        if (ok)
            atomic_store(&t->ready, 1);
    }
    pthread_mutex_unlock(&init_mu);
    return ok;
}

void *clv_perthread_get(clv_perthread *t)
{
    void *b;

    if (!ensure_key(t))
        return NULL;
    if ((b = pthread_getspecific(t->key)) != NULL)
        return b;
    if ((b = calloc(1, t->size)) != NULL && pthread_setspecific(t->key, b) != 0) {
        free(b);
        b = NULL;
    }
    return b;
}

void clv_perthread_clear(clv_perthread *t)
{
    if (!ensure_key(t))
        return;
    t->free_block(pthread_getspecific(t->key));
    pthread_setspecific(t->key, NULL);
}
