/* signing_keys — the server's signing keys, kept in the database sealed under the KEK
 * (core/kek.h) and shared by every node (docs/DESIGN.md "Signing keys and the KEK"):
 * one active key per alg signs; a retired key is still published in the JWKS, and still
 * verifies, until its retire_at (rotation time + the longest access-token lifetime + a
 * margin), after which it is deleted. A next key is published before it signs, so that
 * relying parties that cache the JWKS know it when the rotation makes it active.
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

/* How long relying parties may cache the JWKS (its Cache-Control max-age, seconds). */
#define CLV_JWKS_MAX_AGE 300
#define CLV_JWKS_STR_(x) #x
#define CLV_JWKS_STR(x) CLV_JWKS_STR_(x)
#define CLV_JWKS_CACHE_CONTROL "public, max-age=" CLV_JWKS_STR(CLV_JWKS_MAX_AGE)

/* Rotates the keys of alg (all algs when alg < 0): the active key is retired (retire_at =
 * now + clv_keys_retire_after) and the alg's next key made active (its created_at = now)
 * when one is published, else a new one, with an audit event "key.rotate"
 * by p (NULL: the system) per key, all in one transaction; then this node reloads. With
 * min_age > 0 an alg whose active key is younger than min_age seconds is left as it is
 * (the automatic rotation; two nodes racing make one key). *made (may be NULL) gets a new
 * array of the new keys' metadata (clv_keys_json). CLV_CONFLICT if another node rotated
 * the same alg at the same moment. */
clv_code clv_keys_rotate(clv_app *app, const clv_principal *p, int alg, int64_t min_age,
                         json_t **made, clv_err *err);

/* Publishes a next key of alg (all algs when alg < 0) that has none: in the JWKS, verifying
 * nothing it has not signed, signing nothing until a rotation makes it active; an audit
 * event "key.publish" per key, one transaction; then this node reloads. *made (may be
 * NULL) gets a new array of the keys published (an alg that has a next key already is left
 * as it is and not listed). */
clv_code clv_keys_publish(clv_app *app, const clv_principal *p, int alg, json_t **made,
                          clv_err *err);

/* How long before an automatic rotation the next key is published: the JWKS max-age plus
 * the retire margin, at most half the rotation period (seconds). */
int64_t clv_keys_publish_ahead(const clv_config *cfg);

/* {"items": [{kid, alg, state, created_at, retire_at}…]}, newest first, state "active",
 * "next" or "retired" — never key material. */
clv_code clv_keys_list(clv_app *app, json_t **out, clv_err *err);

/* The serve loop's tick: reload (as above) and, with --key-rotation-days, the automatic
 * publication and rotation. Logs its failures. */
void clv_keys_tick(clv_app *app);

/* How long a retired key stays published: the longest access-token lifetime allowed plus
 * the margin (seconds). */
int64_t clv_keys_retire_after(const clv_config *cfg);

/* Frees the keyset and every keyset still in its grace period (at clv_app_free). */
void clv_keys_close(clv_app *app);

#endif
