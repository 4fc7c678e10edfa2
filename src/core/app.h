/* app — what every request handler shares: settings, the store, the signing keys and the
 * secret-hashing key, all set up once at start-up and read-only afterwards — but for the
 * signing keys, swapped whole when they rotate (core/signing_keys.h); and the table of
 * failed authentications, which guards itself (core/throttle.h). */
#ifndef CLV_CORE_APP_H
#define CLV_CORE_APP_H

#include <stdatomic.h>

#include "base/config.h"
#include "base/err.h"
#include "core/throttle.h"
#include "crypto/jwt.h"
#include "store/store.h"

struct clv_keys_state; /* core/signing_keys.c */

typedef struct {
    const clv_config *cfg; /* borrowed: outlives the app */
    clv_store *store;
    /* The signing keys; read with clv_app_keys. Replaced whole when they change
     * (core/signing_keys.h), never changed in place. */
    _Atomic(clv_keyset *) keys;
    struct clv_keys_state *keys_state;
    unsigned char kek[32];  /* the key-encryption key (core/kek.h) */
    char kek_path[4096];    /* where it was found: a file or "CLAVIS_KEK" */
    unsigned char hmac_key[32]; /* keys the secret hashes (docs/DESIGN.md M "Secret") */
    unsigned char pairwise_salt[32]; /* OIDC Core §8.1 pairwise subjects (oauth/oidc.c) */
    bool keys_checked; /* the database holds a check value of its HMAC key */
    clv_throttle *throttle; /* failed client and user authentications; thread-safe */
} clv_app;

/* Opens the store, migrates it, finds the key-encryption key (core/kek.h) and loads the
 * signing keys (RS256, ES256, EdDSA), the HMAC key and the pairwise salt from the
 * database, where they are sealed under it — moving them there from their places before
 * (meta in clear, --key-dir files), and creating any that are missing, in one transaction.
 * On CLV_OK *out is owned by the caller (clv_app_free). */
clv_code clv_app_open(const clv_config *cfg, clv_app **out, clv_err *err);

/* The keyset to sign and verify with now: one atomic load, no lock (core/signing_keys.h
 * says how long it stays valid). */
static inline clv_keyset *clv_app_keys(const clv_app *app)
{
    return atomic_load_explicit(&((clv_app *)app)->keys, memory_order_acquire);
}

/* Wipes the HMAC key and frees everything. NULL is a no-op. */
void clv_app_free(clv_app *app);

/* Who is asking: a client that presented an admin token, a signed-in user, the
 * registration endpoint, or the server itself (purge, hygiene). */
typedef struct {
    const char *actor_type; /* "client" | "user" | "registration" | "system" */
    char actor_id[64];
    char tenant_id[64];
    bool platform_admin; /* role platform_admin: every tenant */
    bool tenant_admin;   /* role tenant_admin: its own tenant */
} clv_principal;

/* true if p may see objects of tenant_id (platform admins see all). */
bool clv_principal_sees(const clv_principal *p, const char *tenant_id);

/* true if the database answers (/readyz): any answer, found or not, means it is
 * reachable. */
bool clv_app_ready(clv_app *app);

#endif
