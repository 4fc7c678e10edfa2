/* throttle — slowing down guessing (docs/SECURITY.md "Guessing"): a fixed-size table of
 * recent failures by key, shared by every worker thread, and the policy the credential
 * checks apply with it — a client's secret at /token, /introspect and /revoke
 * (oauth/client_auth.c) and a user's password at the sign-in form (oauth/session.c); and
 * the same table as a rate limit of anonymous registration per address (oauth/register.c).
 *
 * Failures are counted per (who, source address) pair and per source address alone, never
 * per client or user alone, so that nobody's failures lock a credential out for an honest
 * caller elsewhere. After a burst a key must wait, and each further failure doubles the
 * wait (exponential back-off) up to a maximum; failures are forgiven one by one as time
 * passes. Nothing here knows HTTP: the caller passes the address as text and turns
 * CLV_THROTTLED into 429 with Retry-After (RFC 6585 §4). */
#ifndef CLV_CORE_THROTTLE_H
#define CLV_CORE_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct clv_throttle clv_throttle;

/* How a key is throttled: `burst` failures pass without a wait; after failure n >= burst
 * the key waits base_ms * 2^(n - burst), at most max_ms; one failure is forgiven every
 * leak_ms (a leaky bucket), so a key left alone is eventually forgotten. */
typedef struct {
    unsigned burst;
    int64_t base_ms, max_ms, leak_ms;
} clv_throttle_rule;

/* A table of `slots` entries (rounded up to a multiple of its 8-way buckets; 0: the
 * default 8,192, 32 bytes each), allocated once: it never grows, whatever the number of
 * keys. Keys are hashed with SipHash-2-4 under a random key of the table, so that an
 * attacker cannot aim keys at one bucket. When a bucket is full, a new key evicts the
 * entry with the fewest failures (ties: the one idle longest), so keys that are made to
 * wait are the last to go. NULL on allocation or CSPRNG failure. */
clv_throttle *clv_throttle_new(size_t slots);

/* NULL is a no-op. */
void clv_throttle_free(clv_throttle *t);

/* ---- one key (the table; thread-safe) ---- */

/* Milliseconds key must still wait at now_ms (0: it may try now). */
int64_t clv_throttle_key_wait(clv_throttle *t, const void *key, size_t n, int64_t now_ms);

/* Records a failure of key at now_ms; returns its failures so far (after forgiveness).
 * Its wait is then as clv_throttle_key_wait says. */
unsigned clv_throttle_key_fail(clv_throttle *t, const clv_throttle_rule *rule, const void *key,
                               size_t n, int64_t now_ms);

/* Forgets key (a success of the pair it names). */
void clv_throttle_key_clear(clv_throttle *t, const void *key, size_t n);

/* Forgives one failure of key (none below zero); when that leaves fewer than rule's
 * burst, a wait it set is lifted too. */
void clv_throttle_key_forgive(clv_throttle *t, const clv_throttle_rule *rule, const void *key,
                              size_t n);

/* ---- the credential checks (policy) ---- */

/* What is being guessed: a client's credential, or a user's password (whose `who` is
 * "tenant_id/username"; usernames are compared without ASCII case). Both kinds are
 * counted apart: users mistyping passwords do not slow down the machines behind the same
 * address. */
typedef enum { CLV_GUESS_CLIENT, CLV_GUESS_USER } clv_guess;

/* Before a credential of who is checked for a caller at addr: CLV_OK, or CLV_THROTTLED
 * (err->retry_after set, in whole seconds, >= 1) while the (who, addr) pair or addr alone
 * must wait. t NULL, addr NULL (an internal caller) or who NULL: CLV_OK. */
clv_code clv_throttle_check(clv_throttle *t, clv_guess kind, const char *who, const char *addr,
                            clv_err *err);

/* true while the (who, addr) pair itself must wait — not only addr. t, who or addr NULL:
 * false. */
bool clv_throttle_pair_waits(clv_throttle *t, clv_guess kind, const char *who, const char *addr);

/* After a failed check: counts it for (who, addr) and for addr. Returns the failures of
 * the pair so far (0 when nothing was counted: t, who or addr NULL). */
unsigned clv_throttle_failed(clv_throttle *t, clv_guess kind, const char *who, const char *addr);

/* After a successful check: forgets the (who, addr) pair (not the address). */
void clv_throttle_passed(clv_throttle *t, clv_guess kind, const char *who, const char *addr);

/* The rules the checks apply (docs/OPERATIONS.md "Throttling"). */
extern const clv_throttle_rule clv_throttle_pair_rule, clv_throttle_addr_rule;

/* ---- a rate of attempts (policy) ---- */

/* Limits how often one source address may do something that succeeds as often as not
 * (anonymous registration, docs/OPERATIONS.md "Open registration"), so every attempt
 * counts, not only failures: CLV_THROTTLED (err->retry_after set, whole seconds, >= 1)
 * while addr must wait, nothing counted; else counts this attempt under rule and CLV_OK.
 * `what` is a letter of its own per kind of attempt ('r': a new client, by anonymous
 * registration or a metadata document; 'f' and 'n': fetches; never 'c' or 'u', the
 * guesses'). t NULL or addr NULL: CLV_OK. */
clv_code clv_throttle_attempt(clv_throttle *t, const clv_throttle_rule *rule, char what,
                              const char *addr, clv_err *err);

/* Anonymous registration: 20 at once per address, then one every 30 s. */
extern const clv_throttle_rule clv_throttle_register_rule;

/* Gives back one attempt of addr (rule and what as above) that turned out harmless:
 * counted attempts then bound what is under way or went wrong, not what was done. t NULL
 * or addr NULL: nothing. */
void clv_throttle_refund(clv_throttle *t, const clv_throttle_rule *rule, char what,
                         const char *addr);

/* A fetch of a document the server holds no good copy of, asked for by a request from an
 * address (core/doc_cache.h; what 'f'), refunded when it ended within a second: 4 at once,
 * then about one per fetch time limit (5 s), so one address holds at most about half of
 * the fetch slots with slow or failing fetches (docs/DESIGN.md D15). */
extern const clv_throttle_rule clv_throttle_fetch_rule;

/* A first fetch — of a document the server holds no good copy of — asked for by an
 * address (core/doc_cache.h; what 'n'), on top of clv_throttle_fetch_rule and never
 * refunded, however quick: 20 at once, then about one every 3 s, waits up to a minute, so
 * that one address cannot make the server fetch (and keep) without limit by naming ever
 * new URLs on a fast host (docs/DESIGN.md D15). */
extern const clv_throttle_rule clv_throttle_first_fetch_rule;

#endif
