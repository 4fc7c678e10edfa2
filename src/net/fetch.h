/* fetch — the server's own outgoing HTTP: one GET of a small document a client's metadata
 * points to (docs/DESIGN.md R6 sector_identifier_uri), through the one HTTP client
 * (net/http_client.h). Bounded in every way a hostile URL could abuse: http and https
 * only, no redirects, a 5 s timeout, a 64 KiB body cap; a failure's text says what kind
 * it was, never which address was tried. */
#ifndef CLV_NET_FETCH_H
#define CLV_NET_FETCH_H

#include <stddef.h>

#include "base/err.h"

enum { CLV_FETCH_MAX = 64 * 1024, CLV_FETCH_TIMEOUT = 5 };

/* GETs url and, on a 200 answer, sets *body (malloc'd, NUL-terminated) and *len. Any other
 * outcome — unreachable, timeout, another status, a redirect, a body over CLV_FETCH_MAX —
 * is CLV_INVALID with the reason in err (field left for the caller to name). */
clv_code clv_fetch_get(const char *url, char **body, size_t *len, clv_err *err);

#endif
