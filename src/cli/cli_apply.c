/* cli_apply — `clavis export` and `clavis apply -f FILE [--dry-run] [--prune]` (docs/CLI.md,
 * docs/DESIGN.md D12): a tenant's services and clients as a file, and a file made true
 * through the admin API. The file and the plan are apply_plan.c's; this file fetches the
 * state, prints the plan and carries it out, one admin request per action. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/admin_commands.h"
#include "cli/apply_plan.h"
#include "cli/commands.h"
#include "crypto/hash.h"

enum { TENANT_MAX = 256 };

static const clv_cli_opt export_opts[] = {
    CLV_STR("tenant-id", NULL, "ID", "the tenant to export (platform admins; default your own)"),
    CLV_OPT_END};

static const clv_cli_opt apply_opts[] = {
    CLV_REQ("file", NULL, "FILE",
            "the file to apply, as export writes it (-f FILE; - reads stdin)"),
    CLV_BOOL("dry-run", NULL, "print the plan and change nothing"),
    CLV_BOOL("prune", NULL,
             "also delete (softly, restorable) the services and clients the file does not name; "
             "never a protected client"),
    CLV_STR("tenant-id", NULL, "ID",
            "the tenant to apply it to (platform admins; default your own)"),
    CLV_OPT_END};

/* ---- the state of a tenant ---- */

/* The tenant: --tenant-id, else the admin client's own (its client object's tenant_id). */
static int tenant_of(clv_cli_ctx *ctx, char *buf, size_t cap)
{
    const char *t = clv_cli_str(ctx, "tenant-id");
    json_t *me = NULL;
    clv_cli_path p;
    int rc;

    if (t == NULL) {
        if ((rc = clv_cli_token(ctx, false)) >= 0)
            return rc;
        p = clv_cli_client_path(ctx->client_id, NULL);
        if ((rc = clv_cli_api(ctx, "GET", &p, NULL, NULL, &me)) != CLV_EXIT_OK)
            return rc;
        t = json_string_value(json_object_get(me, "tenant_id"));
    }
    rc = t != NULL && strlen(t) < cap ? -1 : CLV_EXIT_REFUSED;
    if (rc < 0)
        snprintf(buf, cap, "%s", t);
    else
        fputs("clavis: the server did not say which tenant the admin client is in\n", stderr);
    json_decref(me);
    return rc;
}

/* Every item of the list at base (+ ?tenant_id=T&limit=100) into *out. */
static int list_all(clv_cli_ctx *ctx, const char *base, const char *tenant, json_t **out)
{
    clv_cli_path p = {0};
    json_t *page = NULL;
    int rc;

    clv_cli_path_add(&p, base);
    clv_cli_path_query(&p, "tenant_id", tenant);
    clv_cli_path_query(&p, "limit", "100");
    rc = clv_cli_list(ctx, &p, true, &page);
    *out = rc == CLV_EXIT_OK ? json_incref(json_object_get(page, "items")) : NULL;
    json_decref(page);
    return rc == CLV_EXIT_OK && *out == NULL ? CLV_EXIT_REFUSED : rc;
}

/* The tenant's services (not deleted), each with "clients", its clients (not deleted); the
 * tenant's id into tenant (TENANT_MAX bytes). */
static int fetch_state(clv_cli_ctx *ctx, json_t **state, char *tenant)
{
    json_t *services = NULL, *clients = NULL, *s, *c;
    size_t i, j;
    int rc;

    *state = NULL;
    if ((rc = tenant_of(ctx, tenant, TENANT_MAX)) >= 0 ||
        (rc = list_all(ctx, "/admin/v1/services", tenant, &services)) != CLV_EXIT_OK ||
        (rc = list_all(ctx, "/admin/v1/clients", tenant, &clients)) != CLV_EXIT_OK)
        goto done;
    json_array_foreach(services, i, s) {
        json_t *mine = json_array();
        json_array_foreach(clients, j, c) {
            if (json_equal(json_object_get(c, "service_id"), json_object_get(s, "id")))
                json_array_append(mine, c);
        }
        json_object_set_new(s, "clients", mine);
    }
    *state = json_incref(services);
    rc = CLV_EXIT_OK;
done:
    json_decref(services);
    json_decref(clients);
    return rc < 0 ? CLV_EXIT_REFUSED : rc;
}

/* ---- export ---- */

static int run_export(clv_cli_ctx *ctx)
{
    json_t *state = NULL, *doc = NULL;
    char *text = NULL, why[CLV_ERR_TEXT_MAX];
    clv_err err;
    char tenant[TENANT_MAX];
    int rc = fetch_state(ctx, &state, tenant);

    if (rc == CLV_EXIT_OK && ((doc = clv_apply_export(state)) == NULL ||
                              (text = json_dumps(doc, JSON_INDENT(2))) == NULL))
        rc = CLV_EXIT_REFUSED;
    if (rc == CLV_EXIT_OK) {
        puts(text);
        clv_err_init(&err);
        if (clv_apply_check(doc, &err) != CLV_OK) /* names the server holds twice */
            fprintf(stderr,
                    "clavis: warning: %s; apply refuses this file until the names are unique\n",
                    clv_err_text(&err, why, sizeof why));
    }
    free(text);
    json_decref(doc);
    json_decref(state);
    return rc;
}

/* ---- apply ---- */

/* Reads and checks the file; CLV_EXIT_USAGE with its position or JSON path when it is bad. */
static int load_file(const char *path, json_t **doc)
{
    json_error_t jerr;
    clv_err err;
    char why[CLV_ERR_TEXT_MAX];
    bool in = strcmp(path, "-") == 0;

    *doc = in ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr)
              : json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (*doc == NULL) {
        if (jerr.line > 0) /* line:column as compilers print them */
            fprintf(stderr, "clavis: %s:%d:%d: %s\n", in ? "<stdin>" : path, jerr.line, jerr.column,
                    jerr.text);
        else
            fprintf(stderr, "clavis: %s: %s\n", in ? "<stdin>" : path, jerr.text);
        return CLV_EXIT_USAGE;
    }
    clv_err_init(&err);
    if (clv_apply_check(*doc, &err) != CLV_OK) {
        fprintf(stderr, "clavis: %s: %s\n", in ? "<stdin>" : path,
                clv_err_text(&err, why, sizeof why));
        json_decref(*doc);
        *doc = NULL;
        return CLV_EXIT_USAGE;
    }
    return -1;
}

typedef struct {
    clv_cli_ctx *ctx;
    json_t *ids;     /* service name → id; "service\nclient" → client_id (made by this run) */
    json_t *created; /* what the run made: {kind, service, name, id, client_secret?} */
    size_t done;
    char tenant[TENANT_MAX]; /* the tenant's id: new services go there */
} runner;

/* The id of the action's object: its own, else the one this run gave it. */
static const char *object_id(const runner *R, const json_t *a)
{
    const char *id = json_string_value(json_object_get(a, "id"));
    const char *service = json_string_value(json_object_get(a, "service"));
    const char *name = json_string_value(json_object_get(a, "name"));
    char key[1024];

    if (id != NULL)
        return id;
    if (strcmp(json_string_value(json_object_get(a, "kind")), "service") == 0)
        return json_string_value(json_object_get(R->ids, service));
    snprintf(key, sizeof key, "%s\n%s", service, name);
    return json_string_value(json_object_get(R->ids, key));
}

static clv_cli_path object_path(const char *kind, const char *id, const char *action)
{
    clv_cli_path p = {0};

    clv_cli_path_add(&p, strcmp(kind, "service") == 0 ? "/admin/v1/services" : "/admin/v1/clients");
    if (id != NULL) {
        clv_cli_path_add(&p, "/");
        clv_cli_path_id(&p, id);
    }
    if (action != NULL) {
        clv_cli_path_add(&p, "/");
        clv_cli_path_add(&p, action);
    }
    return p;
}

/* Prints "created client Shop/web" and the like for people. */
static void say(const runner *R, const char *op, const json_t *a, const char *id)
{
    const char *kind = json_string_value(json_object_get(a, "kind"));
    const char *name = json_string_value(json_object_get(a, "name"));

    if (R->ctx->json)
        return;
    /* every op is a verb ending in e: create, update, delete, activate, deactivate */
    printf("%sd %s %s%s%s", op, kind, json_string_value(json_object_get(a, "service")),
           strcmp(kind, "client") == 0 ? "/" : "", strcmp(kind, "client") == 0 ? name : "");
    if (id != NULL)
        printf(": %s", id);
    putchar('\n');
}

/* Keeps what a create made (and prints a new client's secret, this once). */
static void remember(runner *R, const json_t *a, json_t *out)
{
    const char *kind = json_string_value(json_object_get(a, "kind"));
    const char *service = json_string_value(json_object_get(a, "service"));
    bool client = strcmp(kind, "client") == 0;
    json_t *id = json_object_get(out, client ? "client_id" : "id");
    json_t *secret = json_object_get(out, "client_secret");
    char key[1024];
    json_t *made = json_pack("{s:s, s:s, s:O?}", "kind", kind, "service", service, "id", id);

    if (client) {
        snprintf(key, sizeof key, "%s\n%s", service, json_string_value(json_object_get(a, "name")));
        json_object_set(made, "name", json_object_get(a, "name"));
        if (secret != NULL)
            json_object_set(made, "client_secret", secret);
    }
    json_object_set(R->ids, client ? key : service, id);
    json_array_append_new(R->created, made);
    say(R, "create", a, json_string_value(id));
    if (secret != NULL && !R->ctx->json)
        printf("    client_secret: %s\n", json_string_value(secret));
}

/* Carries out one action; returns the exit code of its request. */
static int act(runner *R, const json_t *a)
{
    const char *op = json_string_value(json_object_get(a, "op"));
    const char *kind = json_string_value(json_object_get(a, "kind"));
    const char *id = object_id(R, a), *method = "POST", *action = op;
    json_t *body = json_deep_copy(json_object_get(a, "body")), *out = NULL;
    char etag[40] = "";
    clv_cli_path p;
    int rc;

    if (strcmp(op, "create") == 0) {
        id = action = NULL;
        if (strcmp(kind, "client") == 0)
            json_object_set(
                body, "service_id",
                json_object_get(R->ids, json_string_value(json_object_get(a, "service"))));
        else /* --tenant-id: the tenant apply works on, not the caller's */
            json_object_set_new(body, "tenant_id", json_string(R->tenant));
    } else if (strcmp(op, "update") == 0 || strcmp(op, "delete") == 0) {
        method = op[0] == 'u' ? "PATCH" : "DELETE";
        action = NULL;
        if (json_object_get(a, "version") != NULL) /* refused (412) if changed since the plan */
            snprintf(etag, sizeof etag, "\"%" JSON_INTEGER_FORMAT "\"",
                     json_integer_value(json_object_get(a, "version")));
    }
    p = object_path(kind, id, action);
    rc = clv_cli_api(R->ctx, method, &p, body, etag[0] ? etag : NULL, &out);
    if (rc == CLV_EXIT_OK && strcmp(op, "create") == 0)
        remember(R, a, out);
    else if (rc == CLV_EXIT_OK)
        say(R, op, a, NULL);
    json_decref(body);
    json_decref(out);
    return rc;
}

/* Carries out the plan in order; stops at the first refusal. */
static int execute(runner *R, const json_t *plan)
{
    size_t i, total = clv_apply_count(plan, NULL, NULL, NULL);
    json_t *a;
    int rc = CLV_EXIT_OK;

    json_array_foreach(plan, i, a) {
        if (strcmp(json_string_value(json_object_get(a, "op")), "keep") == 0)
            continue;
        if ((rc = act(R, a)) != CLV_EXIT_OK)
            break;
        if (!json_is_true(json_object_get(a, "new")))
            R->done++;
    }
    if (rc != CLV_EXIT_OK)
        fprintf(stderr,
                "clavis: apply stopped at a refused change: %zu of %zu changes were made (listed "
                "above), the rest were not; fix the cause and run apply again\n",
                R->done, total);
    else if (!R->ctx->json)
        printf("Done: %zu of %zu changes made.\n", R->done, total);
    return rc;
}

static void print_result(const runner *R, const json_t *plan)
{
    json_t *out = json_pack("{s:O, s:i, s:O}", "plan", plan, "done", (json_int_t)R->done, "created",
                            R->created);
    char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;

    if (text != NULL)
        puts(text);
    clv_free_secret(text);
    json_decref(out);
}

/* The plan's refusal: the file asks what cannot be (2), or the server holds a name twice (1). */
static int refuse_plan(const char *file, const clv_err *err)
{
    char why[CLV_ERR_TEXT_MAX];

    fprintf(stderr, "clavis: %s: %s\n", file, clv_err_text(err, why, sizeof why));
    fputs("clavis: nothing was changed\n", stderr);
    return err->code == CLV_INVALID ? CLV_EXIT_USAGE : CLV_EXIT_REFUSED;
}

/* The ids of the services the tenant has, by name. */
static void service_ids(json_t *ids, const json_t *state)
{
    size_t i;
    json_t *s;

    json_array_foreach(state, i, s) {
        json_object_set(ids, json_string_value(json_object_get(s, "name")),
                        json_object_get(s, "id"));
    }
}

static bool any_secret(const json_t *created)
{
    size_t i;
    json_t *c;

    json_array_foreach(created, i, c) {
        if (json_object_get(c, "client_secret") != NULL)
            return true;
    }
    return false;
}

static int run_apply(clv_cli_ctx *ctx)
{
    const char *file = clv_cli_str(ctx, "file");
    json_t *doc = NULL, *state = NULL, *plan = NULL;
    runner R = {ctx, json_object(), json_array(), 0, ""};
    clv_err err;
    int rc;

    clv_err_init(&err);
    if ((rc = load_file(file, &doc)) >= 0 ||
        (rc = fetch_state(ctx, &state, R.tenant)) != CLV_EXIT_OK)
        goto done;
    if (clv_apply_plan(state, doc, clv_cli_has(ctx, "prune"), &plan, &err) != CLV_OK) {
        rc = refuse_plan(strcmp(file, "-") == 0 ? "<stdin>" : file, &err);
        goto done;
    }
    if (!ctx->json)
        clv_apply_print(stdout, plan);
    service_ids(R.ids, state);
    if (!clv_cli_has(ctx, "dry-run") && clv_apply_count(plan, NULL, NULL, NULL) > 0)
        rc = execute(&R, plan);
    if (ctx->json)
        print_result(&R, plan);
    if (any_secret(R.created))
        clv_cli_secret_warning();
done:
    json_decref(doc);
    json_decref(state);
    json_decref(plan);
    json_decref(R.ids);
    json_decref(R.created);
    return rc;
}

const clv_cli_cmd clv_cli_apply_cmds[] = {
    {"export", "", 0, "Print the tenant's services and clients as a file for clavis apply",
     "JSON on stdout: {\"version\": 1, \"services\": [{\"name\", \"description\", \"status\",\n"
     "\"clients\": [{\"name\", \"type\", \"status\", ...every writable field}]}]}; never a\n"
     "secret. Deleted services and clients are left out.",
     export_opts, run_export, NULL},
    {"apply", "", 0, "Make the tenant's services and clients match a file",
     "Prints the plan as a diff (+ create, ~ field: from -> to, - delete), then carries it out\n"
     "unless --dry-run. Services are matched by name, clients by name within their service; a\n"
     "field the file leaves out is left as it is. New confidential and m2m clients get a\n"
     "secret, printed once; existing secrets are never touched. The whole file is checked\n"
     "before anything changes: a bad file is exit 2 with its line:column or JSON path.",
     apply_opts, run_apply, NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

static const clv_cli_group top = {"", "", clv_cli_apply_cmds};

int clv_cmd_export(int argc, char **argv)
{
    return clv_cli_cmd_run(&top, &clv_cli_apply_cmds[0], argc - 1, argv + 1);
}

int clv_cmd_apply(int argc, char **argv)
{
    /* -f is --file, as in kubectl apply -f */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-f") == 0)
            argv[i] = (char *)"--file";
    return clv_cli_cmd_run(&top, &clv_cli_apply_cmds[1], argc - 1, argv + 1);
}
