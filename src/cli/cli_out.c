/* cli_out — what the admin commands print: aligned tables and "key: value" lines for
 * people, the API's own JSON for scripts (see admin_commands.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/admin_commands.h"

enum { CELL_MAX = 512, SHOW_MAX = 16384 };

/* Appends s to buf at *len, control characters as '?'. When it does not fit, ends buf
 * with "..." and marks it full (*len = cap - 1), so later appends add nothing. */
static void append(char *buf, size_t cap, size_t *len, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*len + 4 >= cap) {
            if (*len + 4 == cap)
                memcpy(buf + *len, "...", 4);
            *len = cap - 1;
            return;
        }
        buf[(*len)++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    }
    buf[*len] = '\0';
}

static void value_into(const json_t *v, char *buf, size_t cap, size_t *len)
{
    char num[32];
    char *dump;
    size_t i;
    json_t *e;

    switch (json_typeof(v)) {
    case JSON_STRING:
        append(buf, cap, len, json_string_value(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        append(buf, cap, len, num);
        break;
    case JSON_REAL:
        snprintf(num, sizeof num, "%g", json_real_value(v));
        append(buf, cap, len, num);
        break;
    case JSON_TRUE:
        append(buf, cap, len, "true");
        break;
    case JSON_FALSE:
        append(buf, cap, len, "false");
        break;
    case JSON_ARRAY:
        if (json_array_size(v) == 0)
            append(buf, cap, len, "-");
        json_array_foreach(v, i, e) {
            if (i > 0)
                append(buf, cap, len, ", ");
            value_into(e, buf, cap, len);
        }
        break;
    case JSON_OBJECT:
        if ((dump = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS)) != NULL)
            append(buf, cap, len, dump);
        free(dump);
        break;
    default:
        append(buf, cap, len, "-");
        break;
    }
}

void clv_cli_value(const json_t *v, char *buf, size_t cap)
{
    size_t len = 0;

    buf[0] = '\0';
    if (v == NULL)
        append(buf, cap, &len, "-");
    else
        value_into(v, buf, cap, &len);
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
    size_t w = 0;

    for (; *s != '\0'; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void pad(size_t n)
{
    while (n-- > 0)
        putchar(' ');
}

void clv_cli_table(const json_t *items, const clv_cli_col *cols)
{
    size_t w[16] = {0}, ncol = 0, i, k;
    char cell[CELL_MAX];
    json_t *row;

    for (; cols[ncol].title != NULL && ncol < 16; ncol++)
        w[ncol] = width(cols[ncol].title);
    json_array_foreach(items, i, row) {
        for (k = 0; k < ncol; k++) {
            clv_cli_value(json_object_get(row, cols[k].key), cell, sizeof cell);
            if (width(cell) > w[k])
                w[k] = width(cell);
        }
    }
    for (k = 0; k < ncol; k++) {
        fputs(cols[k].title, stdout);
        if (k + 1 < ncol)
            pad(w[k] - width(cols[k].title) + 2);
    }
    putchar('\n');
    json_array_foreach(items, i, row) {
        for (k = 0; k < ncol; k++) {
            clv_cli_value(json_object_get(row, cols[k].key), cell, sizeof cell);
            fputs(cell, stdout);
            if (k + 1 < ncol)
                pad(w[k] - width(cell) + 2);
        }
        putchar('\n');
    }
}

static bool skipped(const char *const *skip, const char *key)
{
    for (size_t i = 0; skip != NULL && skip[i] != NULL; i++)
        if (strcmp(skip[i], key) == 0)
            return true;
    return false;
}

void clv_cli_show(const json_t *obj, const char *const *skip)
{
    size_t kw = 0;
    const char *key;
    json_t *v;
    char *buf = malloc(SHOW_MAX);

    if (buf == NULL)
        return;
    json_object_foreach((json_t *)obj, key, v) {
        if (!skipped(skip, key) && strlen(key) > kw)
            kw = strlen(key);
    }
    json_object_foreach((json_t *)obj, key, v) {
        if (skipped(skip, key))
            continue;
        clv_cli_value(v, buf, SHOW_MAX);
        printf("%s:", key);
        pad(kw - strlen(key) + 1);
        printf("%s\n", buf);
    }
    free(buf);
}

void clv_cli_print_json(const clv_cli_ctx *ctx, const json_t *obj)
{
    char *text;

    if (ctx->raw != NULL && ctx->raw[0] != '\0') {
        fputs(ctx->raw, stdout);
        putchar('\n');
        return;
    }
    if (obj == NULL)
        return;
    if ((text = json_dumps(obj, JSON_COMPACT)) != NULL)
        puts(text);
    free(text);
}

void clv_cli_secret_warning(void)
{
    fputs("clavis: Store this secret now: it will not be shown again.\n", stderr);
}

int clv_cli_call_show(clv_cli_ctx *ctx, const char *method, const clv_cli_path *path,
                      const json_t *body, const char *done)
{
    json_t *out = NULL;
    int rc = clv_cli_api(ctx, method, path, body, NULL, &out);

    if (rc == CLV_EXIT_OK) {
        if (ctx->json)
            clv_cli_print_json(ctx, out);
        else if (out != NULL)
            clv_cli_show(out, NULL);
        else if (done != NULL)
            puts(done);
    }
    json_decref(out);
    return rc;
}

int clv_cli_run_list(clv_cli_ctx *ctx, clv_cli_path *path, const clv_cli_col *cols)
{
    json_t *out = NULL;
    char limit[24];
    int rc;

    if (clv_cli_has(ctx, "limit")) {
        snprintf(limit, sizeof limit, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(json_object_get(ctx->vals, "limit")));
        clv_cli_path_query(path, "limit", limit);
    }
    rc = clv_cli_list(ctx, path, clv_cli_has(ctx, "all"), &out);
    if (rc == CLV_EXIT_OK && ctx->json)
        clv_cli_print_json(ctx, out);
    else if (rc == CLV_EXIT_OK)
        clv_cli_table(json_object_get(out, "items"), cols);
    json_decref(out);
    return rc;
}
