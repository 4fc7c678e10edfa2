/* perthread — one block of per-thread state (a cache, a set of contexts), made on a thread's
 * first use and freed when the thread exits. The caches and signing contexts of the
 * request path live in such blocks, so that they need no lock. */
#ifndef CLV_BASE_PERTHREAD_H
#define CLV_BASE_PERTHREAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct {
    void (*free_block)(void *); /* frees a block (and what it holds); called at thread exit */
    size_t size;                /* bytes of a block, zeroed at creation */
    pthread_key_t key;
    atomic_int ready;
} clv_perthread;

/* A static initialiser: static clv_perthread t = CLV_PERTHREAD_INIT(my_free, sizeof(struct mine)); */
#define CLV_PERTHREAD_INIT(free_fn, block_size) {(free_fn), (block_size), 0, 0}

/* The calling thread's block, made (zeroed) on first use; NULL on allocation failure. */
void *clv_perthread_get(clv_perthread *t);

/* Frees the calling thread's block now (for the main thread, whose blocks are not freed
 * by thread exit). */
void clv_perthread_clear(clv_perthread *t);

#endif
