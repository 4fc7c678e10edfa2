/* console_client — the web console's own OAuth clients (docs/DESIGN.md D13): one protected,
 * first-party public client in every tenant, whose redirect URIs follow the issuer. */
#ifndef CLV_CORE_CONSOLE_CLIENT_H
#define CLV_CORE_CONSOLE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "core/app.h"

/* The init tenant's console client_id, fixed like Keycloak's security-admin-console, so
 * that the console's assets can name it. Every other tenant's is
 * CLV_CONSOLE_CLIENT_ID "-" TENANT_ID (clv_console_client_id), so the assets can name it
 * from the tenant alone. */
#define CLV_CONSOLE_CLIENT_ID "clavis-console"

enum { CLV_CONSOLE_CLIENT_ID_MAX = 128 };

/* The console client_id of tenant_id, a tenant other than the init one. */
void clv_console_client_id(const char *tenant_id, char out[CLV_CONSOLE_CLIENT_ID_MAX]);

/* Makes sure every tenant's console client exists with redirect URI ISSUER/console/callback
 * and post-logout redirect URI ISSUER/console/ for this issuer: creates a missing one (a
 * tenant made before the console, or before consoles per tenant — then with the service
 * that holds it), or sets those two URIs when the issuer changed; otherwise writes nothing.
 * Safe when several nodes start at once. */
clv_code clv_console_client_ensure(clv_app *app, const char *issuer, clv_err *err);

/* Inside the caller's transaction: makes the console of the new tenant tenant_id — the
 * service "Clavis console" and in it the tenant's console client — audited as done by p
 * (NULL: the server). */
clv_code clv_console_tenant_add(clv_app *app, const clv_principal *p, const char *tenant_id,
                                const char *issuer, clv_err *err);

/* true if service_id holds the console client of its tenant tenant_id (not the init
 * tenant's, see admin/operation.h): it is never deactivated or deleted (docs/DESIGN.md R5).
 * Also true when the store cannot tell (fails closed). */
bool clv_console_holds(clv_app *app, const char *tenant_id, const char *service_id);

/* The init tenant's id into out (empty when it cannot be read): the console's page names
 * it, so that the app knows which tenant's client is CLV_CONSOLE_CLIENT_ID. Read from the
 * database once, then kept (it never changes). Thread-safe. */
void clv_console_init_tenant(clv_app *app, char *out, size_t n);

/* The name of the tenant tenant_id into out (empty when there is none, or it cannot be
 * read): the console's page names the tenant a link leads to before anyone signs in.
 * Kept in memory a short while (console_client.c). Thread-safe. */
void clv_console_tenant_name(clv_app *app, const char *tenant_id, char *out, size_t n);

#endif
