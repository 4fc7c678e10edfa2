/* libFuzzer target: the opaque next_cursor of the list calls (src/store/store.c, base64url
 * of "<ts>:<id>"), decoded by every clv_store_*_list on a real store with a few rows.
 *
 * The first byte picks the list (tenants, services, clients, users, audit) and the mode.
 * Bit 3 clear: the rest is a cursor as a caller sends it; the list must answer CLV_OK or
 * CLV_INVALID naming "cursor", and the next_cursor of a page it answers must be accepted
 * in turn. Bit 3 set: the rest is 8 bytes of ts (little-endian) and an id, which
 * clv_store_cursor_encode writes; a cursor of a row that can exist (ts >= 0, an id of 1 to
 * 128 bytes) must be accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "store/store_impl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static clv_store *store;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    store = clv_fuzz_app()->store;
    /* two clients, and with them two audit events: pages of one row have a next_cursor */
    clv_client_free(clv_fuzz_client("fuzzCursorClient000001", "{\"name\":\"a\",\"type\":\"m2m\"}"));
    clv_client_free(clv_fuzz_client("fuzzCursorClient000002", "{\"name\":\"b\",\"type\":\"m2m\"}"));
    return 0;
}

static clv_code list(int kind, const char *cursor, clv_list *out, clv_err *err)
{
    clv_service_filter sf = {.status = -1, .cursor = cursor, .limit = 1};
    clv_client_filter cf = {.status = -1, .type = -1, .cursor = cursor, .limit = 1};
    clv_user_filter uf = {.cursor = cursor, .limit = 1};
    clv_audit_filter af = {.cursor = cursor, .limit = 1};

    switch (kind) {
    case 0:
        return clv_store_tenant_list(store, cursor, 1, out, err);
    case 1:
        return clv_store_service_list(store, &sf, out, err);
    case 2:
        return clv_store_client_list(store, &cf, out, err);
    case 3:
        return clv_store_user_list(store, &uf, out, err);
    default:
        return clv_store_audit_list(store, &af, out, err);
    }
}

/* Lists from cursor, then on from each next_cursor to the end; aborts unless every answer
 * is a page or (must_accept false, first page only) a refusal naming the cursor. */
static void list_checked(int kind, const char *cursor, bool must_accept)
{
    clv_list page = {0};
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    rc = list(kind, cursor, &page, &err);
    if (rc != CLV_OK && (rc != CLV_INVALID || strcmp(err.field, "cursor") != 0 || must_accept))
        abort();
    if (rc == CLV_OK && page.next_cursor != NULL)
        list_checked(kind, page.next_cursor, true); /* our own cursor is always accepted */
    clv_list_cleanup(&page);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int kind = data != NULL && size > 0 ? (data[0] & 7) % 5 : 0;
    char *text, *cursor;
    int64_t ts = 0;

    if (size == 0 || size > 1024)
        return 0;
    if ((data[0] & 8) == 0) {
        text = clv_fuzz_cstr(data + 1, size - 1);
        list_checked(kind, text, false);
        free(text);
        return 0;
    }
    if (size < 9)
        return 0;
    for (int i = 8; i >= 1; i--)
        ts = (int64_t)((uint64_t)ts << 8 | data[i]);
    text = clv_fuzz_cstr(data + 9, size - 9);
    cursor = clv_store_cursor_encode(ts, text);
    if (cursor != NULL)
        list_checked(kind, cursor, ts >= 0 && text[0] != '\0' && strlen(text) <= 128);
    free(cursor);
    free(text);
    return 0;
}
