/* libFuzzer target: RFC 7591 client metadata as POST /register and PUT /register/{id}
 * read it (clv_register_client, src/oauth/register_map.c), on the JSON object the HTTP
 * layer hands over.
 *
 * Checks: a failure is a CLV_INVALID (or CLV_NOMEM) with a reason, and one naming a field
 * has an RFC 7591 §3.2.2 error name; a registered client is valid under the admin API's
 * rules, and the metadata Clavis then shows for it (RFC 7591 §3.2.1) registers again
 * unchanged in type, as a PUT of what a GET returned (RFC 7592 §2.2). The same metadata
 * is also tried as a PUT on a public, a confidential and an m2m client, each of which
 * keeps its type when the update succeeds. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "core/client_json.h"
#include "oauth/register.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SERVICE_ID "svc_fuzz"

static clv_config cfg;
static clv_client *current[3];

static void checked_failure(clv_code rc, const clv_err *err)
{
    if ((rc != CLV_INVALID && rc != CLV_NOMEM) || err->detail[0] == '\0' ||
        (rc == CLV_INVALID && err->field[0] != '\0' && clv_register_error_name(err) == NULL))
        abort();
}

/* Registers md (current: NULL for POST); on success checks the client, sets *out. */
static clv_code reg(const json_t *md, const clv_client *cur, clv_client **out)
{
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    *out = NULL;
    rc = clv_register_client(md, cur, cur == NULL ? SERVICE_ID : NULL, &cfg, out, &err);
    if (rc != CLV_OK) {
        checked_failure(rc, &err);
        return rc;
    }
    if (clv_client_validate(*out, &cfg, NULL) != CLV_OK ||
        (cur != NULL && (*out)->type != cur->type))
        abort();
    return rc;
}

static clv_client *registered(const char *json, const char *client_id)
{
    json_t *md = json_loads(json, 0, NULL);
    clv_client *c = NULL;

    if (md == NULL || reg(md, NULL, &c) != CLV_OK || (c->client_id = strdup(client_id)) == NULL)
        abort();
    c->created_at = 1700000000;
    json_decref(md);
    return c;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (clv_config_init(&cfg, false, NULL) != CLV_OK)
        abort();
    current[0] = registered("{\"token_endpoint_auth_method\":\"none\","
                            "\"redirect_uris\":[\"https://app.example/cb\"]}",
                            "fuzzRegisterPublic0001");
    current[1] = registered("{\"redirect_uris\":[\"https://app.example/cb\"],"
                            "\"scope\":\"openid profile\"}",
                            "fuzzRegisterConfid0001");
    current[2] = registered("{\"grant_types\":[\"client_credentials\"]}", "fuzzRegisterM2m0000001");
    return 0;
}

/* What a GET shows for c registers again, as the same type. */
static void round_trip(clv_client *c)
{
    json_t *shown;
    clv_client *again = NULL;

    if ((c->client_id = strdup("fuzzRegisterNew000001")) == NULL)
        abort();
    c->created_at = 1700000000;
    if ((shown = clv_register_metadata_json(c)) == NULL)
        abort();
    if (reg(shown, c, &again) != CLV_OK)
        abort();
    clv_client_free(again);
    json_decref(shown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *md = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    clv_client *c = NULL;

    if (!json_is_object(md)) { /* the HTTP layer refuses anything else before */
        json_decref(md);
        return 0;
    }
    if (reg(md, NULL, &c) == CLV_OK)
        round_trip(c);
    clv_client_free(c);
    for (int i = 0; i < 3; i++) {
        c = NULL;
        reg(md, current[i], &c);
        clv_client_free(c);
    }
    json_decref(md);
    return 0;
}
