/* kek — the key-encryption key (KEK) and the server secrets sealed under it at rest
 * (docs/DESIGN.md "Signing keys and the KEK", docs/OPERATIONS.md "Keys"). The KEK is never
 * in the database: the file `kek` in --key-dir, else CLAVIS_KEK, else the file DB.kek beside
 * an SQLite database (a PostgreSQL database needs one of the first two). So a dump of the
 * database alone holds no usable key. */
#ifndef CLV_CORE_KEK_H
#define CLV_CORE_KEK_H

#include <stdbool.h>

#include "base/err.h"
#include "core/app.h"

/* Finds app->kek. A missing KEK file is created (mode 0600) only when the database holds
 * nothing sealed yet; otherwise, and for a KEK that is not 32 bytes of base64url,
 * CLV_INVALID naming where it was looked for. */
clv_code clv_kek_load(clv_app *app, clv_err *err);

/* Key material kept in clear by releases before the signing-keys migration: meta
 * "key:NAME", else the file NAME.key in --key-dir. *in_meta says which (the caller deletes
 * the meta row once the value is sealed). CLV_NOT_FOUND when there is none. */
clv_code clv_kek_legacy(clv_app *app, const char *name, char **out, bool *in_meta, clv_err *err);

/* A 32-byte server secret ("hmac", "pairwise_salt") kept sealed in meta "sealed:NAME":
 * opened; else moved there from its legacy place (clv_kek_legacy); else made. Runs in the
 * caller's transaction. CLV_INVALID when the KEK does not open it, or when the HMAC key of
 * an initialised database (app->keys_checked) is nowhere to be found. */
clv_code clv_kek_secret32(clv_app *app, const char *name, unsigned char out[32], clv_err *err);

/* Where the KEK is looked for, for messages: "CLAVIS_KEK" or a file path. */
const char *clv_kek_where(const clv_app *app);

#endif
