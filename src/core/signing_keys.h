/* signing_keys — the server's signing keys, kept in the database sealed under the KEK
 * (core/kek.h) and shared by every node (docs/DESIGN.md "Signing keys and the KEK"):
 * one active key per alg signs; a retired key is still published in the JWKS, and still
 * verifies, until its retire_at (rotation time + the longest access-token lifetime + a
 * margin), after which it is deleted.
 *
 * Each node holds the keys in memory as one immutable keyset (crypto/jwt.h) that the token
 * path reads with one atomic load (clv_app_keys). A change makes a new keyset, swapped in
 * whole; the old one is freed only after a grace period (KEYS_GRACE seconds), longer than
 * any one signature or verification that may still hold it. No lock on the token path. */
#ifndef CLV_CORE_SIGNING_KEYS_H
#define CLV_CORE_SIGNING_KEYS_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "core/app.h"

/* At start-up, inside the caller's transaction: gives every alg an active key — moved from
 * its legacy place (meta "key:rs256"… in clear, or --key-dir files) the first time, else
 * made. */
clv_code clv_keys_bootstrap(clv_app *app, clv_err *err);

/* Builds the keyset from the database and swaps it in when the keys changed (another node
 * rotated: a cheap version query), when a retired key's retire_at has passed, or when
 * force is set. Thread-safe against other reloads; readers never wait. */
clv_code clv_keys_reload(clv_app *app, bool force, clv_err *err);

/* Rotates the keys of alg (all algs when alg < 0): the active key is retired (retire_at =
 * now + clv_keys_retire_after) and a new one made active, with an audit event "key.rotate"
 * by p (NULL: the system) per key, all in one transaction; then this node reloads. With
 * min_age > 0 an alg whose active key is younger than min_age seconds is left as it is
 * (the automatic rotation; two nodes racing make one key). *made (may be NULL) gets a new
 * array of the new keys' metadata (clv_keys_json). CLV_CONFLICT if another node rotated
 * the same alg at the same moment. */
clv_code clv_keys_rotate(clv_app *app, const clv_principal *p, int alg, int64_t min_age,
                         json_t **made, clv_err *err);

/* {"items": [{kid, alg, state, created_at, retire_at}…]}, newest first — never key
 * material. */
clv_code clv_keys_list(clv_app *app, json_t **out, clv_err *err);

/* The serve loop's tick: reload (as above) and, with --key-rotation-days, the automatic
 * rotation. Logs its failures. */
void clv_keys_tick(clv_app *app);

/* How long a retired key stays published: the longest access-token lifetime allowed plus
 * the margin (seconds). */
int64_t clv_keys_retire_after(const clv_config *cfg);

/* Frees the keyset and every keyset still in its grace period (at clv_app_free). */
void clv_keys_close(clv_app *app);

#endif
