/* cli_http — the admin command line's requests, on the one HTTP client of Clavis
 * (net/http_client.h) with the command line's own limits: 10 s to connect, 60 s for the
 * whole exchange, 16 MiB of answer at most, no redirect followed (a token is never resent
 * elsewhere). A failure's reason names where the command could not connect, for the
 * person who runs it. The JSON and the admin token are the callers' (cli_api.c,
 * cli_auth.c). */
#ifndef CLV_CLI_COMMANDS_HTTP_H
#define CLV_CLI_COMMANDS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "net/http_client.h"

/* Responses larger than this are refused (a growing buffer always has a maximum). */
enum { CLV_CLI_HTTP_MAX_BODY = 16 * 1024 * 1024 };

/* Sends method url through h with the given header lines ("Name: value", NULL-terminated;
 * may be NULL) and body (NULL for none). On a completed exchange (any status) fills *out
 * (release with clv_net_resp_cleanup) and returns true; on a transport failure (cannot
 * connect, timeout, oversized answer, out of memory) writes the reason into errbuf and
 * returns false, *out left empty. */
bool clv_cli_http_send(clv_net_client *h, const char *method, const char *url,
                       const char *const *headers, const char *body, clv_net_resp *out,
                       char *errbuf, size_t errcap);

#endif
