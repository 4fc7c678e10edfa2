/* cli_audit — `clavis audit list`: the audit trail through the admin API (docs/DESIGN.md R10,
 * docs/API.md "Audit"), for people a table with each event's field changes under it. */
#include <stdio.h>
#include <string.h>

#include "cli/admin_commands.h"
#include "cli/commands.h"

enum { CELL = 300, NCOL = 4 };

static const clv_cli_opt list_opts[] = {
    CLV_STR("target", NULL, "ID", "only events about this object (a client's client_id, …)"),
    CLV_STR("actor", NULL, "ID", "only events by this actor (a client's client_id, usr_…)"),
    CLV_STR("since", NULL, "TIME",
            "only events at or after TIME (RFC 3339, e.g. 2026-12-01T00:00:00Z)"),
    CLV_STR("tenant-id", NULL, "ID", "only events of this tenant (platform admins)"),
    CLV_INT("limit", NULL, "N", "at most N per page", 1, 100),
    CLV_BOOL("all", NULL, "follow every page (else the first only)"),
    CLV_OPT_END};

static const char *const titles[NCOL] = {"AT", "ACTION", "ACTOR", "TARGET"};

/* Column k of event e for people: at, action, "type:id" of actor and target. */
static void cell(const json_t *e, int k, char *buf, size_t cap)
{
    static const char *const keys[NCOL] = {"at", "action", "actor", "target"};
    const json_t *v = json_object_get(e, keys[k]);
    char type[64], id[CELL];

    if (!json_is_object(v)) {
        clv_cli_value(v, buf, cap);
        return;
    }
    clv_cli_value(json_object_get(v, "type"), type, sizeof type);
    clv_cli_value(json_object_get(v, "id"), id, sizeof id);
    snprintf(buf, cap, "%s:%s", type, id);
}

static void print_changes(const json_t *changes)
{
    char from[CELL], to[CELL];
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)changes, key, v) {
        clv_cli_value(json_object_get(v, "from"), from, sizeof from);
        clv_cli_value(json_object_get(v, "to"), to, sizeof to);
        printf("    %s: %s → %s\n", key, from, to);
    }
}

static void print_events(const json_t *items)
{
    size_t w[NCOL] = {0}, i;
    char buf[CELL];
    json_t *e;
    int k;

    for (k = 0; k < NCOL; k++)
        w[k] = strlen(titles[k]);
    json_array_foreach(items, i, e) {
        for (k = 0; k < NCOL; k++) {
            cell(e, k, buf, sizeof buf);
            w[k] = strlen(buf) > w[k] ? strlen(buf) : w[k];
        }
    }
    for (k = 0; k < NCOL; k++)
        printf("%-*s%s", k + 1 < NCOL ? (int)w[k] : 0, titles[k], k + 1 < NCOL ? "  " : "\n");
    json_array_foreach(items, i, e) {
        for (k = 0; k < NCOL; k++) {
            cell(e, k, buf, sizeof buf);
            printf("%-*s%s", k + 1 < NCOL ? (int)w[k] : 0, buf, k + 1 < NCOL ? "  " : "\n");
        }
        print_changes(json_object_get(e, "changes"));
    }
}

static int run_list(clv_cli_ctx *ctx)
{
    clv_cli_path p = {0};
    json_t *out = NULL;
    char limit[24];
    int rc;

    clv_cli_path_add(&p, "/admin/v1/audit");
    clv_cli_path_query(&p, "target", clv_cli_str(ctx, "target"));
    clv_cli_path_query(&p, "actor", clv_cli_str(ctx, "actor"));
    clv_cli_path_query(&p, "since", clv_cli_str(ctx, "since"));
    clv_cli_path_query(&p, "tenant_id", clv_cli_str(ctx, "tenant-id"));
    if (clv_cli_has(ctx, "limit")) {
        snprintf(limit, sizeof limit, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(json_object_get(ctx->vals, "limit")));
        clv_cli_path_query(&p, "limit", limit);
    }
    rc = clv_cli_list(ctx, &p, clv_cli_has(ctx, "all"), &out);
    if (rc == CLV_EXIT_OK && ctx->json)
        clv_cli_print_json(ctx, out);
    else if (rc == CLV_EXIT_OK)
        print_events(json_object_get(out, "items"));
    json_decref(out);
    return rc;
}

static const clv_cli_cmd audit_cmds[] = {
    {"list", "", 0, "List audit events, newest first, each with its field changes",
     "Each event is a line (time, action, actor and target as type:id), then one line per\n"
     "changed field: '    field: from → to'. Secrets' values never appear.",
     list_opts, run_list, NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

const clv_cli_group clv_cli_audit_group = {
    "audit", "Reads the audit trail: every change, who made it and what it changed", audit_cmds};
