/* server — the HTTP server (libmicrohttpd, epoll, a thread pool sized to the cores). */
#ifndef CLV_HTTP_SERVER_H
#define CLV_HTTP_SERVER_H

#include "base/err.h"
#include "core/app.h"

typedef struct clv_server clv_server;

/* Starts listening on app->cfg->listen ("HOST:PORT", IPv4 or [IPv6]) with
 * app->cfg->threads workers, serving every endpoint under the issuer's path (and at the
 * root, for a proxy that strips it). app must outlive the server. CLV_CONFLICT when the
 * address is in use and app->cfg->reuse_port is off (or the other server did not set it);
 * CLV_INVALID for a bad address; CLV_INTERNAL for other failures. */
clv_code clv_server_start(clv_app *app, clv_server **out, clv_err *err);

/* Stops accepting, finishes the requests in flight, frees. NULL is a no-op. */
void clv_server_stop(clv_server *srv);

#endif
