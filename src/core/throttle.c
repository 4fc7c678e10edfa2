/* throttle — a bounded table of failures by key and the guessing policy (see throttle.h).
 * The table is an array of 8-way buckets allocated once; each bucket is guarded by one of
 * LOCKS striped mutexes, so threads that touch different buckets do not wait for each
 * other and a lookup holds a lock for a few dozen instructions. */
#include "core/throttle.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/model.h"
#include "crypto/rand.h"

enum { WAYS = 8, LOCKS = 64, DEFAULT_SLOTS = 8192, WHO_MAX = 400, KEY_MAX = 480 };

/* docs/DESIGN.md R27; docs/OPERATIONS.md "Throttling" explains the numbers. In the long run a
 * pair gets one guess a minute and an address one guess every two seconds. */
const clv_throttle_rule clv_throttle_pair_rule = {10, 1000, 15 * 60 * 1000, 60 * 1000};
const clv_throttle_rule clv_throttle_addr_rule = {30, 1000, 15 * 60 * 1000, 2 * 1000};
/* Anonymous registration (docs/OPERATIONS.md "Open registration"): 20 at once from one
 * address, then one every 30 s; waits up to an hour. */
const clv_throttle_rule clv_throttle_register_rule = {20, 30 * 1000, 60 * 60 * 1000, 30 * 1000};
/* First fetches of documents (docs/DESIGN.md D15): 4 unrefunded at once from one address,
 * then about one every 5 s (a fetch's time limit); waits up to a minute. */
const clv_throttle_rule clv_throttle_fetch_rule = {4, 5 * 1000, 60 * 1000, 5 * 1000};
/* Fetches of documents the server holds no copy of (docs/DESIGN.md D15), never refunded: 20
 * at once from one address (more than an honest agent, or a crowd of them behind one
 * address after a restart, asks for at once), then about one every 3 s; waits up to a
 * minute. */
const clv_throttle_rule clv_throttle_first_fetch_rule = {20, 3 * 1000, 60 * 1000, 3 * 1000};

typedef struct {
    uint64_t tag;     /* SipHash of the key; 0: an empty slot */
    uint32_t fails;   /* failures not yet forgiven, as of since_ms */
    uint32_t leak_ms; /* the rule's leak: eviction must know when an entry is spent */
    int64_t since_ms; /* when fails was last brought up to date */
    int64_t until_ms; /* no try before this */
} entry;

struct clv_throttle {
    entry *slots;
    size_t buckets; /* a power of two */
    unsigned char key[16];
    pthread_mutex_t locks[LOCKS];
};

/* ---- SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012) ---- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = ROTL(v[1], 13) ^ v[0];
    v[0] = ROTL(v[0], 32);
    v[2] += v[3];
    v[3] = ROTL(v[3], 16) ^ v[2];
    v[0] += v[3];
    v[3] = ROTL(v[3], 21) ^ v[0];
    v[2] += v[1];
    v[1] = ROTL(v[1], 17) ^ v[2];
    v[2] = ROTL(v[2], 32);
}

static uint64_t le64(const unsigned char *p)
{
    uint64_t x = 0;

    for (int i = 7; i >= 0; i--)
        x = (x << 8) | p[i];
    return x;
}

static uint64_t siphash(const unsigned char k[16], const unsigned char *in, size_t n)
{
    uint64_t k0 = le64(k), k1 = le64(k + 8), m, last = (uint64_t)n << 56;
    uint64_t v[4] = {k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
                     k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        m = le64(in + i);
        v[3] ^= m;
        sip_round(v);
        sip_round(v);
        v[0] ^= m;
    }
    for (size_t j = 0; i + j < n; j++)
        last |= (uint64_t)in[i + j] << (8 * j);
    v[3] ^= last;
    sip_round(v);
    sip_round(v);
    v[0] ^= last;
    v[2] ^= 0xff;
    for (int r = 0; r < 4; r++)
        sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* ---- the table ---- */

clv_throttle *clv_throttle_new(size_t slots)
{
    clv_throttle *t = calloc(1, sizeof *t);
    size_t buckets = 1;

    if (slots == 0)
        slots = DEFAULT_SLOTS;
    while (buckets * WAYS < slots)
        buckets *= 2;
    if (t == NULL || !clv_rand_bytes(t->key, sizeof t->key) ||
        (t->slots = calloc(buckets * WAYS, sizeof *t->slots)) == NULL) {
        free(t);
        return NULL;
    }
    t->buckets = buckets;
    for (int i = 0; i < LOCKS; i++)
        pthread_mutex_init(&t->locks[i], NULL);
    return t;
}

void clv_throttle_free(clv_throttle *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < LOCKS; i++)
        pthread_mutex_destroy(&t->locks[i]);
    free(t->slots);
    free(t);
}

/* Forgives the failures that time has paid for (one every leak_ms). */
static void forgive(entry *e, int64_t now)
{
    int64_t k;

    if (e->fails == 0) {
        e->since_ms = now;
        return;
    }
    if (e->leak_ms == 0 || now <= e->since_ms)
        return;
    k = (now - e->since_ms) / e->leak_ms;
    if (k >= (int64_t)e->fails) {
        e->fails = 0;
        e->since_ms = now;
    } else {
        e->fails -= (uint32_t)k;
        e->since_ms += k * e->leak_ms;
    }
}

static bool spent(entry *e, int64_t now)
{
    if (e->tag == 0)
        return true;
    forgive(e, now);
    return e->fails == 0 && e->until_ms <= now;
}

/* The bucket of key (its lock taken) and the key's tag. */
static entry *lock_bucket(clv_throttle *t, const void *key, size_t n, uint64_t *tag)
{
    uint64_t h = siphash(t->key, key, n);
    size_t b = (size_t)(h >> 32) & (t->buckets - 1);

    *tag = h != 0 ? h : 1;
    pthread_mutex_lock(&t->locks[b % LOCKS]);
    return &t->slots[b * WAYS];
}

static void unlock_bucket(clv_throttle *t, const entry *bucket)
{
    size_t b = (size_t)(bucket - t->slots) / WAYS;

    pthread_mutex_unlock(&t->locks[b % LOCKS]);
}

static entry *find(entry *bucket, uint64_t tag)
{
    for (int i = 0; i < WAYS; i++)
        if (bucket[i].tag == tag)
            return &bucket[i];
    return NULL;
}

/* Where a new key goes: a spent entry, else the one with the fewest failures (ties: idle
 * longest). An entry that holds a wait has at least `burst` failures, so it goes last. */
static entry *victim(entry *bucket, int64_t now)
{
    entry *v = NULL;

    for (int i = 0; i < WAYS; i++) {
        entry *e = &bucket[i];
        if (spent(e, now))
            return e;
        if (v == NULL || e->fails < v->fails || (e->fails == v->fails && e->since_ms < v->since_ms))
            v = e;
    }
    return v;
}

int64_t clv_throttle_key_wait(clv_throttle *t, const void *key, size_t n, int64_t now_ms)
{
    uint64_t tag;
    entry *bucket = lock_bucket(t, key, n, &tag), *e = find(bucket, tag);
    int64_t wait = e != NULL && e->until_ms > now_ms ? e->until_ms - now_ms : 0;

    unlock_bucket(t, bucket);
    return wait;
}

/* base * 2^(fails - burst), at most max. */
static int64_t backoff(const clv_throttle_rule *rule, uint32_t fails)
{
    uint32_t shift = fails - rule->burst;

    if (shift >= 40 || (rule->base_ms << shift) > rule->max_ms)
        return rule->max_ms;
    return rule->base_ms << shift;
}

unsigned clv_throttle_key_fail(clv_throttle *t, const clv_throttle_rule *rule, const void *key,
                               size_t n, int64_t now_ms)
{
    uint64_t tag;
    entry *bucket = lock_bucket(t, key, n, &tag), *e = find(bucket, tag);
    unsigned fails;

    if (e == NULL) {
        e = victim(bucket, now_ms);
        memset(e, 0, sizeof *e);
        e->tag = tag;
        e->since_ms = now_ms;
    }
    e->leak_ms = (uint32_t)rule->leak_ms;
    forgive(e, now_ms);
    if (e->fails < UINT32_MAX)
        e->fails++;
    if (e->fails >= rule->burst && e->until_ms < now_ms + backoff(rule, e->fails))
        e->until_ms = now_ms + backoff(rule, e->fails);
    fails = e->fails;
    unlock_bucket(t, bucket);
    return fails;
}

void clv_throttle_key_forgive(clv_throttle *t, const clv_throttle_rule *rule, const void *key,
                              size_t n)
{
    uint64_t tag;
    entry *bucket = lock_bucket(t, key, n, &tag), *e = find(bucket, tag);

    if (e != NULL && e->fails > 0 && --e->fails < rule->burst)
        e->until_ms = 0; /* below the burst again: no wait, as if never counted */
    unlock_bucket(t, bucket);
}

void clv_throttle_key_clear(clv_throttle *t, const void *key, size_t n)
{
    uint64_t tag;
    entry *bucket = lock_bucket(t, key, n, &tag), *e = find(bucket, tag);

    if (e != NULL)
        memset(e, 0, sizeof *e);
    unlock_bucket(t, bucket);
}

/* ---- the policy ---- */

/* The address as a key: IPv6 addresses by their /64, the block one host is usually
 * given (RFC 4291 §2.5.4), so that a host cannot walk its own block to start afresh; an
 * IPv4-mapped address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2, as a proxy may pass it on) is
 * the IPv4 address it maps — by its /64 every IPv4 client would share one key, and one of
 * them could make all the others wait. */
static void addr_norm(const char *addr, char out[INET6_ADDRSTRLEN])
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    unsigned char a6[16];

    snprintf(out, INET6_ADDRSTRLEN, "%s", addr);
    if (strchr(addr, ':') == NULL || inet_pton(AF_INET6, addr, a6) != 1)
        return;
    if (memcmp(a6, mapped, sizeof mapped) == 0) {
        inet_ntop(AF_INET, a6 + 12, out, INET6_ADDRSTRLEN);
        return;
    }
    memset(a6 + 8, 0, 8);
    inet_ntop(AF_INET6, a6, out, INET6_ADDRSTRLEN);
}

/* kind, the address and (when who is not NULL) who: "c 192.0.2.1 client-id". The address
 * never holds a space and comes before who, so two different pairs never share a key. */
static size_t make_key(clv_guess kind, const char *who, const char *addr, char out[KEY_MAX])
{
    char a[INET6_ADDRSTRLEN];
    int n;

    addr_norm(addr, a);
    n = snprintf(out, KEY_MAX, "%c %s%s%.*s", kind == CLV_GUESS_CLIENT ? 'c' : 'u', a,
                 who != NULL ? " " : "", WHO_MAX, who != NULL ? who : "");
    if (n < 0)
        return 0;
    if (kind == CLV_GUESS_USER) /* usernames are found without ASCII case */
        for (char *p = out; *p != '\0'; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
    return (size_t)n < KEY_MAX ? (size_t)n : KEY_MAX - 1;
}

static int64_t now_ms(void)
{
    return clv_now_us() / 1000;
}

clv_code clv_throttle_check(clv_throttle *t, clv_guess kind, const char *who, const char *addr,
                            clv_err *err)
{
    char pk[KEY_MAX], ak[KEY_MAX];
    size_t pn, an;
    int64_t now = now_ms(), wait, aw;
    int secs;

    if (t == NULL || who == NULL || addr == NULL)
        return CLV_OK;
    pn = make_key(kind, who, addr, pk);
    an = make_key(kind, NULL, addr, ak);
    wait = clv_throttle_key_wait(t, pk, pn, now);
    aw = clv_throttle_key_wait(t, ak, an, now);
    if (aw > wait)
        wait = aw;
    if (wait <= 0)
        return CLV_OK;
    secs = (int)((wait + 999) / 1000);
    clv_fail(err, CLV_THROTTLED, "too many failed attempts; retry after %d s", secs);
    if (err != NULL)
        err->retry_after = secs;
    return CLV_THROTTLED;
}

bool clv_throttle_pair_waits(clv_throttle *t, clv_guess kind, const char *who, const char *addr)
{
    char pk[KEY_MAX];
    size_t pn;

    if (t == NULL || who == NULL || addr == NULL)
        return false;
    pn = make_key(kind, who, addr, pk);
    return clv_throttle_key_wait(t, pk, pn, now_ms()) > 0;
}

unsigned clv_throttle_failed(clv_throttle *t, clv_guess kind, const char *who, const char *addr)
{
    char pk[KEY_MAX], ak[KEY_MAX];
    size_t pn, an;
    int64_t now = now_ms();

    if (t == NULL || who == NULL || addr == NULL)
        return 0;
    pn = make_key(kind, who, addr, pk);
    an = make_key(kind, NULL, addr, ak);
    clv_throttle_key_fail(t, &clv_throttle_addr_rule, ak, an, now);
    return clv_throttle_key_fail(t, &clv_throttle_pair_rule, pk, pn, now);
}

void clv_throttle_passed(clv_throttle *t, clv_guess kind, const char *who, const char *addr)
{
    char pk[KEY_MAX];
    size_t pn;

    if (t == NULL || who == NULL || addr == NULL)
        return;
    pn = make_key(kind, who, addr, pk);
    clv_throttle_key_clear(t, pk, pn);
}

/* The key of an attempt of kind what from addr: "r 192.0.2.1" — never the key of a guess
 * ('c' or 'u' first). 0 when it does not fit. */
static size_t attempt_key(char what, const char *addr, char key[KEY_MAX])
{
    char a[INET6_ADDRSTRLEN];
    int n;

    addr_norm(addr, a);
    n = snprintf(key, KEY_MAX, "%c %s", what, a);
    return n < 0 || n >= KEY_MAX ? 0 : (size_t)n;
}

clv_code clv_throttle_attempt(clv_throttle *t, const clv_throttle_rule *rule, char what,
                              const char *addr, clv_err *err)
{
    char key[KEY_MAX];
    int64_t now = now_ms(), wait;
    size_t n;
    int secs;

    if (t == NULL || addr == NULL || (n = attempt_key(what, addr, key)) == 0)
        return CLV_OK;
    wait = clv_throttle_key_wait(t, key, n, now);
    if (wait <= 0) { /* every attempt counts, a success as much as a failure */
        clv_throttle_key_fail(t, rule, key, n, now);
        return CLV_OK;
    }
    secs = (int)((wait + 999) / 1000);
    clv_fail(err, CLV_THROTTLED, "too many attempts from this address; retry after %d s", secs);
    if (err != NULL)
        err->retry_after = secs;
    return CLV_THROTTLED;
}

void clv_throttle_refund(clv_throttle *t, const clv_throttle_rule *rule, char what,
                         const char *addr)
{
    char key[KEY_MAX];
    size_t n;

    if (t != NULL && addr != NULL && (n = attempt_key(what, addr, key)) != 0)
        clv_throttle_key_forgive(t, rule, key, n);
}
