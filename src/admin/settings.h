/* settings — the server's policy as administrators need to see it (docs/API.md
 * "Settings"): what `clavis serve` was started with for client ID metadata documents,
 * open registration and the server's own fetches. Read-only (flags and CLAVIS_*
 * variables set it), never a secret. */
#ifndef CLV_ADMIN_SETTINGS_H
#define CLV_ADMIN_SETTINGS_H

#include <jansson.h>

#include "admin/operation.h"
#include "base/err.h"
#include "core/app.h"

/* GET /admin/v1/settings; any administrator (the answer is the same for every one). */
clv_code clv_admin_settings_get(clv_app *app, const clv_admin_args *args, json_t **out,
                                clv_err *err);

#endif
