/* secret — client secrets: made from the CSPRNG, shown once, stored as keyed hashes
 * (docs/DESIGN.md M "Secret"). */
#ifndef CLV_CORE_SECRET_H
#define CLV_CORE_SECRET_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

/* Prefix of every plaintext secret, so that secret scanners can find leaked ones. */
#define CLV_SECRET_PREFIX "clv_"

/* A new secret for client_id: *plaintext is "clv_" + 43 base64url chars (256 bits from
 * the CSPRNG), to be shown once and then wiped (clv_free_secret); *out holds its metadata
 * and HMAC hash, ready to insert. description may be NULL; expires_at 0 = never. */
clv_code clv_secret_generate(const clv_app *app, const char *client_id, const char *description,
                             int64_t expires_at, clv_secret **out, char **plaintext,
                             clv_err *err);

/* The keyed hash of a presented secret. */
bool clv_secret_hash(const clv_app *app, const char *presented, unsigned char out[32]);

typedef enum { CLV_SECRET_NO_MATCH = 0, CLV_SECRET_OK = 1, CLV_SECRET_EXPIRED = 2 } clv_secret_match;

/* Compares the hash of a presented secret with each of secrets (items are clv_secret *)
 * in constant time, and says whether one matched and was unexpired at now; *which (may
 * be NULL) borrows the matching secret. */
clv_secret_match clv_secret_check(const unsigned char hash[32], const clv_list *secrets,
                                  int64_t now, const clv_secret **which);

#endif
