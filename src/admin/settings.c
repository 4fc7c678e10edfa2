/* settings — the server's policy, read-only (see settings.h). */
#include "admin/settings.h"

#include <string.h>

#include "net/fetch.h"

/* "a, *.b" → ["a", "*.b"]; NULL → null (every host). */
static json_t *host_list(const char *hosts)
{
    json_t *a;

    if (hosts == NULL)
        return json_null();
    if ((a = json_array()) == NULL)
        return NULL;
    for (const char *p = hosts; *p != '\0';) {
        size_t n = strcspn(p, ","), skip = n + (p[n] == ',');
        while (n > 0 && (*p == ' ' || *p == '\t'))
            p++, n--, skip--;
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n > 0 && json_array_append_new(a, json_stringn(p, n)) != 0) {
            json_decref(a);
            return NULL;
        }
        p += skip;
    }
    return a;
}

static json_t *opt_str(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

clv_code clv_admin_settings_get(clv_app *app, const clv_admin_args *args, json_t **out,
                                clv_err *err)
{
    const clv_config *cfg = app->cfg;

    (void)args;
    *out = json_pack("{s:{s:b, s:o, s:o, s:s, s:i, s:i}, s:{s:b, s:o, s:o}, s:{s:b, s:b}}",
                     "metadata_documents", "enabled", cfg->metadata_document_service != NULL,
                     "service_id", opt_str(cfg->metadata_document_service), "hosts",
                     host_list(cfg->metadata_document_hosts), "draft", CLV_CIMD_DRAFT,
                     "max_bytes", CLV_CIMD_MAX_BYTES, "timeout_seconds", CLV_FETCH_TIMEOUT,
                     "open_registration", "enabled", cfg->open_registration_service != NULL,
                     "service_id", opt_str(cfg->open_registration_service),
                     "max_registered_clients",
                     cfg->max_registered_clients > 0 ? json_integer(cfg->max_registered_clients)
                                                     : json_null(),
                     "fetch",
                     "allow_loopback", cfg->fetch_allow_loopback, "extra_ca_file",
                     cfg->fetch_ca_file != NULL);
    return *out != NULL ? CLV_OK : clv_fail(err, CLV_NOMEM, "out of memory");
}
