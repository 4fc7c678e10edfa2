/* cimd — clients named by a client ID metadata document (draft-ietf-oauth-client-id-
 * metadata-document-03; docs/AGENTS.md, docs/DESIGN.md D16): a client_id that is an
 * https URL is the address of the client's RFC 7591 metadata. When the operator turns it
 * on (--metadata-document-service), Clavis fetches that document (net/fetch.h rules:
 * ≤ 5 KiB, ≤ 5 s, kept by its cache headers within 1 min..24 h, fetched again when
 * stale), validates it, and keeps the client as an ordinary stored client of that
 * service whose client_id is the URL — so it is listed, audited, deactivated like any
 * other. The document is mapped by the rules of dynamic registration (oauth/register.h);
 * such a client is never first-party and always meets the consent page. A deactivated
 * or deleted one stays refused whatever its document says. */
#ifndef CLV_OAUTH_CIMD_H
#define CLV_OAUTH_CIMD_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "base/model.h"
#include "core/app.h"

/* CLV_CIMD_DRAFT and CLV_CIMD_MAX_BYTES: base/config.h */
enum { CLV_CIMD_TIMEOUT = 5 };

/* true when the server accepts metadata document client_ids. */
bool clv_cimd_enabled(const clv_app *app);

/* The shape rules of a client ID URL (draft §3): https in lower case, a lower-case host
 * without user information, a path without "." or ".." segments, no query, no fragment,
 * ASCII only (an internationalised host in its A-label form), at most CLV_CLIENT_ID_MAX
 * characters; and, when hosts is not NULL, a host the list admits. CLV_INVALID with the
 * reason otherwise. Pure. */
clv_code clv_cimd_url_check(const char *url, const char *hosts, clv_err *err);

/* true if host (lower case) is admitted by hosts, a comma-separated list of host names
 * and "*.domain" patterns (a pattern admits every name under domain, not domain itself);
 * case-insensitive, blanks around items ignored. Pure. */
bool clv_cimd_host_allowed(const char *host, const char *hosts);

/* Checks a --metadata-document-hosts list: comma-separated items, each a DNS name
 * (letters, digits, '-' and '.', not starting or ending with '.') or "*." and one; blanks
 * around items ignored, at least one item. CLV_INVALID naming the first bad item. Pure. */
clv_code clv_cimd_hosts_check(const char *hosts, clv_err *err);

/* The document's own rules (draft §4): an object whose client_id equals url, with
 * redirect_uris, without client_secret or client_secret_expires_at, and whose
 * token_endpoint_auth_method (default none) is none or private_key_jwt. On CLV_OK *md is
 * the RFC 7591 metadata to register (a new reference): the document without client_id,
 * sector_identifier_uri and subject_type, with token_endpoint_auth_method and (when it
 * had none) client_name = the URL's host and scope "openid profile email". Pure. */
clv_code clv_cimd_document_check(const char *url, const json_t *doc, json_t **md, clv_err *err);

/* Makes the stored client of client_id agree with its document before a protocol
 * endpoint reads it: nothing for a client_id that is not a URL. For a URL: CLV_NOT_FOUND
 * when metadata documents are off; else the document is taken from the cache or fetched
 * and checked once when it arrives (core/doc_cache.h keeps the checked metadata, or the
 * failure), and the client created or updated (audited, actor registration
 * "metadata_document") when it was fetched anew — or, with ensure_stored, when the client
 * is missing (a database read: /authorize asks for it, the token path does not). A
 * document that cannot be fetched or is refused (also when storing it fails, e.g. a change
 * of the client's type) is CLV_INVALID_CLIENT with the reason, and so answered without a
 * fetch for 10 s after the fetch that brought it; a refetch that fails keeps the last good
 * document (docs/DESIGN.md D15). No fetch slot free: CLV_UNAVAILABLE; addr (the caller's
 * address, NULL: none) throttled for fetches, or for new clients (counted with anonymous
 * registrations, core/throttle.h clv_throttle_register_rule; nothing stored):
 * CLV_THROTTLED — both with err->retry_after, neither remembered. Blocks for up to
 * CLV_CIMD_TIMEOUT seconds when fetching. */
clv_code clv_cimd_sync(clv_app *app, const char *client_id, bool ensure_stored,
                       const char *addr, clv_err *err);

/* The host of a metadata document client (for the consent page) into out (size n); false
 * for another client. */
bool clv_cimd_client_host(const clv_client *c, char *out, size_t n);

#endif
