/* sector — the check of a client's sector_identifier_uri (OIDC Core §8.1, docs/DESIGN.md R6): the
 * document it names must be a JSON array of strings that holds every redirect URI of the
 * client. Run when a client is created or changed (admin API, registration), never at
 * sign-in time. The sector itself (the URI's host) is derived in client_json.c. */
#ifndef CLV_CORE_SECTOR_H
#define CLV_CORE_SECTOR_H

#include <stdbool.h>

#include "base/err.h"
#include "base/model.h"

/* CLV_OK when c has no sector_identifier_uri or its document lists every redirect URI;
 * else CLV_INVALID naming the field "sector_identifier_uri" and saying why (unreachable,
 * not a JSON array of strings, or which redirect URI it lacks). Blocks for up to
 * CLV_FETCH_TIMEOUT seconds: call it outside a store transaction. */
clv_code clv_sector_verify(const clv_client *c, clv_err *err);

/* true if a change from old to c needs the document fetched again: c has a
 * sector_identifier_uri and it or the redirect URIs differ from old's (old NULL: new). */
bool clv_sector_changed(const clv_client *old, const clv_client *c);

#endif
