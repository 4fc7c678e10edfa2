/* discovery — RFC 8414 / OpenID Discovery metadata, built once per issuer. */
#ifndef CLV_OAUTH_DISCOVERY_H
#define CLV_OAUTH_DISCOVERY_H

#include <jansson.h>

#include "core/app.h"

/* The metadata document (oidc: OpenID Provider metadata, else RFC 8414). New reference. */
json_t *clv_discovery_doc(const clv_app *app, bool oidc);

#endif
