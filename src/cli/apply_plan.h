/* apply_plan — the file of `clavis export` and `clavis apply` (docs/CLI.md "clavis export,
 * clavis apply", docs/apply.schema.json) and the plan that turns a tenant's services and
 * clients into what a file describes (docs/DESIGN.md D12). Pure: JSON in, JSON out, no
 * request; cli_apply.c fetches the state, prints the plan and carries it out.
 *
 * The file: {"version": 1, "services": [{"name", "description"?, "status"?, "clients"?:
 * [{"name", "type", "status"?, …the writable client fields (core/client_json.h)…}]}]}.
 * Services are matched by name within the tenant, clients by name within their service.
 * A field the file leaves out is left as it is; null resets it (as PATCH does).
 *
 * The state: the tenant as the admin API shows it — an array of service objects
 * (GET /admin/v1/services), each with "clients", the array of its client objects
 * (GET /admin/v1/clients), deleted ones left out.
 *
 * The plan: an array of actions, each {"op", "kind", "service", "name"?, …}:
 *   op "create"  kind service|client: "body" (the POST body without service_id)
 *   op "update"  kind service|client: "id", "body" (the PATCH), "changes" ({field: {from,
 *                to}}), "version" (a client's, for If-Match)
 *   op "activate"|"deactivate": "id" (null for an object created just before), "from"
 *   op "delete"  kind service|client (--prune): "id"; a service also "clients" (how many
 *                go with it)
 *   op "keep"    kind client: a protected client that --prune leaves alone ("reason")
 * in the order they are to be made: each service and then its clients, in the file's
 * order, the deletions last. */
#ifndef CLV_CLI_APPLY_PLAN_H
#define CLV_CLI_APPLY_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"

enum { CLV_APPLY_VERSION = 1 };

/* Checks the shape of a parsed file: the version, known keys only, names present and unique
 * (services in the file, clients in their service), statuses. The values of client fields
 * are checked by clv_apply_plan, which knows the clients they apply to. CLV_INVALID with
 * err->field the JSON path ("services[1].clients[0].redirect_uris"). */
clv_code clv_apply_check(const json_t *doc, clv_err *err);

/* The file that describes state: every service with its name, description and status, and
 * every client but the protected ones (the server's own, which apply leaves alone unless a
 * file names them) with its name, type, status and writable fields; sorted by name. New
 * reference, NULL when out of memory. */
json_t *clv_apply_export(const json_t *state);

/* The actions that make state match doc (a file clv_apply_check accepted); prune adds the
 * deletions of what doc does not name (never a protected client, nor a service that holds
 * one). Every client the plan would create or change is checked as the server would check
 * it (core/client_json.h; lifetimes only by the server, whose bounds are its own), so a
 * plan that fails, fails before anything is sent. On CLV_OK *plan is a new array (empty:
 * nothing to do). CLV_INVALID naming the JSON path for what the file cannot ask (a client
 * value the server would refuse, a type change, deactivating a protected client);
 * CLV_CONFLICT for names the server holds twice. */
clv_code clv_apply_plan(const json_t *state, const json_t *doc, bool prune, json_t **plan,
                        clv_err *err);

/* How many actions of plan change something (every op but "keep", and not the status of an
 * object the plan creates); into create, change and del when not NULL. */
size_t clv_apply_count(const json_t *plan, size_t *create, size_t *change, size_t *del);

/* Prints plan as a diff: "+ service NAME", "+ client SERVICE/NAME (TYPE)", "~ client
 * SERVICE/NAME" with "  ~ field: from → to" lines, "- client SERVICE/NAME"; values as JSON,
 * long ones cut. */
void clv_apply_print(FILE *f, const json_t *plan);

#endif
