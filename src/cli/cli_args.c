/* cli_args — the command tables of the admin commands read against argv: dispatch to a
 * command, flags and positional arguments, usage and --help (see admin_commands.h). Everything
 * here runs before any request, so a mistake costs exit code 2 and sends nothing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/model.h"
#include "cli/admin_commands.h"
#include "cli/commands.h"
#include "crypto/hash.h"

static const char global_help[] =
    "Global options:\n"
    "  --url URL               the server (else CLAVIS_URL, else the profile of clavis login)\n"
    "  --client-id ID          an admin client (else CLAVIS_CLIENT_ID, else the profile)\n"
    "  --client-secret SECRET  its secret (else CLAVIS_CLIENT_SECRET, else the profile)\n"
    "  --json                  print the API's JSON instead of a table\n"
    "  --help                  show this help\n"
    "Exit codes: 0 success, 1 the server refused (its reason is printed) or could not be\n"
    "reached, 2 bad usage (nothing was sent).\n";

/* ---- usage ---- */

static int opt_left(const clv_cli_opt *o, char *left, size_t cap)
{
    return snprintf(left, cap, "--%s%s%s", o->name, o->meta ? " " : "", o->meta ? o->meta : "");
}

static void opt_usage(FILE *f, const clv_cli_opt *o, int width)
{
    char left[96];

    opt_left(o, left, sizeof left);
    fprintf(f, "  %-*s  %s", width, left, o->help);
    if (o->choices != NULL) {
        fputs(" (", f);
        for (size_t i = 0; o->choices[i] != NULL; i++)
            fprintf(f, "%s%s", i ? ", " : "", o->choices[i]);
        fputc(')', f);
    }
    fprintf(f, "%s%s\n", o->kind == CLV_OPT_LIST ? "; repeat for more" : "",
            o->required ? " [required]" : "");
}

static void cmd_usage(FILE *f, const clv_cli_group *g, const clv_cli_cmd *c)
{
    fprintf(f, "Usage: clavis %s%s%s%s%s", g->path, g->path[0] ? " " : "", c->name,
            c->args[0] ? " " : "", c->args);
    for (const clv_cli_opt *o = c->opts; o->name != NULL; o++)
        if (o->required)
            fprintf(f, " --%s %s", o->name, o->meta);
    fprintf(f, " [OPTIONS]\n%s.\n", c->summary);
    if (c->about != NULL)
        fprintf(f, "\n%s\n", c->about);
    if (c->opts[0].name != NULL) {
        char left[96];
        int width = 22, n;
        for (const clv_cli_opt *o = c->opts; o->name != NULL; o++)
            if ((n = opt_left(o, left, sizeof left)) > width)
                width = n;
        fputs("\nOptions:\n", f);
        for (const clv_cli_opt *o = c->opts; o->name != NULL; o++)
            opt_usage(f, o, width);
    }
    fprintf(f, "\n%s", global_help);
}

static void group_usage(FILE *f, const clv_cli_group *g)
{
    fprintf(f, "Usage: clavis %s COMMAND [ARGS] [OPTIONS]\n%s.\n\nCommands:\n", g->path,
            g->summary);
    for (const clv_cli_cmd *c = g->cmds; c->name != NULL; c++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", c->name, c->args[0] ? " " : "", c->args);
        fprintf(f, "  %-24s  %s\n", left, c->summary);
    }
    fprintf(f, "\nRun 'clavis %s COMMAND --help' for the options of a command.\n", g->path);
}

int clv_cli_usage_error(const clv_cli_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    fputs("clavis: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    /* One line and where to read more: the whole usage would bury the line. */
    fprintf(stderr, "\nTry 'clavis %s%s%s --help'.\n", ctx->group->path,
            ctx->group->path[0] ? " " : "", ctx->cmd->name);
    return CLV_EXIT_USAGE;
}

/* ---- suggestions for typos ---- */

/* Levenshtein distance of a and b, capped: long words are never "close". */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[40];

    if (la >= 39 || lb >= 39)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0], tmp;
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            tmp = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = tmp;
        }
    }
    return row[lb];
}

static const char *closest_cmd(const clv_cli_group *g, const char *word)
{
    const char *best = NULL;
    size_t bd = 3; /* at most two edits away */

    for (const clv_cli_cmd *c = g->cmds; c->name != NULL; c++) {
        size_t d = distance(word, c->name);
        if (d < bd) {
            bd = d;
            best = c->name;
        }
    }
    return best;
}

static const char *closest_opt(const clv_cli_opt *opts, const char *word)
{
    static const char *const globals[] = {"url", "client-id", "client-secret", "json", "help"};
    const char *best = NULL;
    size_t bd = 3, d;

    for (const clv_cli_opt *o = opts; o->name != NULL; o++)
        if ((d = distance(word, o->name)) < bd) {
            bd = d;
            best = o->name;
        }
    for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++)
        if ((d = distance(word, globals[i])) < bd) {
            bd = d;
            best = globals[i];
        }
    return best;
}

/* ---- flags ---- */

static const clv_cli_opt *find_opt(const clv_cli_opt *opts, const char *name, size_t len)
{
    for (const clv_cli_opt *o = opts; o->name != NULL; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

static bool in_choices(const char *const *choices, const char *v)
{
    for (size_t i = 0; choices[i] != NULL; i++)
        if (strcmp(choices[i], v) == 0)
            return true;
    return false;
}

/* The number of an int option into *v; -1 or the usage exit code. */
static int int_value(clv_cli_ctx *ctx, const clv_cli_opt *o, const char *value, json_t **v)
{
    long long n;
    char *end;
    bool bad;

    errno = 0;
    n = strtoll(value, &end, 10);
    bad = errno != 0 || end == value || *end != '\0';
    if (bad && o->min == LLONG_MIN && o->max == LLONG_MAX) /* CLV_NUM: the server's range */
        return clv_cli_usage_error(ctx, "--%s must be a whole number", o->name);
    if (bad || n < o->min || n > o->max)
        return clv_cli_usage_error(ctx, "--%s must be a number from %lld to %lld", o->name,
                                   o->min, o->max);
    *v = json_integer(n);
    return -1;
}

/* The JSON value of an option's text; -1 or the usage exit code. */
static int option_value(clv_cli_ctx *ctx, const clv_cli_opt *o, const char *value, json_t **v)
{
    if (o->kind == CLV_OPT_INT)
        return int_value(ctx, o, value, v);
    if (o->kind == CLV_OPT_BOOL) {
        *v = json_true();
        return -1;
    }
    if ((*v = json_string(value)) == NULL)
        return clv_cli_usage_error(ctx, "--%s must be valid UTF-8", o->name);
    return -1;
}

/* Stores value for o in ctx->vals; returns -1 or the usage exit code. */
static int store(clv_cli_ctx *ctx, const clv_cli_opt *o, const char *value)
{
    json_t *v = NULL, *list;
    int rc;

    if (o->kind != CLV_OPT_LIST && json_object_get(ctx->vals, o->name) != NULL)
        return clv_cli_usage_error(ctx, "--%s is given twice", o->name);
    if (o->choices != NULL && !in_choices(o->choices, value))
        return clv_cli_usage_error(ctx, "--%s cannot be '%s'", o->name, value);
    if ((rc = option_value(ctx, o, value, &v)) >= 0)
        return rc;
    if (o->kind == CLV_OPT_LIST) {
        if ((list = json_object_get(ctx->vals, o->name)) == NULL) {
            list = json_array();
            json_object_set_new(ctx->vals, o->name, list);
        }
        return json_array_append_new(list, v) == 0 ? -1 : CLV_EXIT_REFUSED;
    }
    return json_object_set_new(ctx->vals, o->name, v) == 0 ? -1 : CLV_EXIT_REFUSED;
}

/* The address a global flag that takes a value fills, or NULL when name is none. */
static const char **global_slot(clv_cli_ctx *ctx, const char *name)
{
    if (strcmp(name, "url") == 0)
        return &ctx->flag_url;
    if (strcmp(name, "client-id") == 0)
        return &ctx->flag_client_id;
    if (strcmp(name, "client-secret") == 0)
        return &ctx->flag_client_secret;
    return NULL;
}

/* The value of the flag at argv[*i]: after its '=', else the next argument. */
static int take_value(clv_cli_ctx *ctx, int argc, char **argv, int *i, const char *eq,
                      const char *name, const char **value)
{
    if (eq != NULL) {
        *value = eq + 1;
        return -1;
    }
    if (*i + 1 >= argc)
        return clv_cli_usage_error(ctx, "--%s needs a value", name);
    *value = argv[++*i];
    return -1;
}

static int unknown_flag(clv_cli_ctx *ctx, const char *name)
{
    const char *near = closest_opt(ctx->cmd->opts, name);

    if (near != NULL)
        return clv_cli_usage_error(ctx, "unknown option --%s (did you mean --%s?)", name, near);
    return clv_cli_usage_error(ctx, "unknown option --%s", name);
}

/* Reads the flag at argv[*i] (which starts with "--"); returns -1 or an exit code. */
static int read_flag(clv_cli_ctx *ctx, int argc, char **argv, int *i)
{
    const char *arg = argv[*i] + 2, *eq = strchr(arg, '='), *value = NULL, **slot;
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const clv_cli_opt *o = find_opt(ctx->cmd->opts, arg, len);
    char name[64];
    int rc;

    snprintf(name, sizeof name, "%.*s", (int)(len < 60 ? len : 60), arg);
    if ((o != NULL && o->kind == CLV_OPT_BOOL) || (o == NULL && strcmp(name, "json") == 0)) {
        if (eq != NULL)
            return clv_cli_usage_error(ctx, "--%s takes no value", name);
        if (o == NULL) {
            ctx->json = true;
            return -1;
        }
        return store(ctx, o, "");
    }
    slot = o == NULL ? global_slot(ctx, name) : NULL;
    if (o == NULL && slot == NULL)
        return unknown_flag(ctx, name);
    if ((rc = take_value(ctx, argc, argv, i, eq, name, &value)) >= 0)
        return rc;
    if (slot != NULL) {
        *slot = value;
        return -1;
    }
    return store(ctx, o, value);
}

/* A client_id is 22 base64url characters and may start with '-' (even "--"). An argument
 * that starts with '-' yet cannot be a flag (no '=', 16 characters or more, a character
 * no flag name has) is such an id. Flag names are lowercase words joined by '-'. */
static bool looks_like_id(const char *a)
{
    return strchr(a, '=') == NULL && strlen(a) >= 16 &&
           a[strspn(a, "-abcdefghijklmnopqrstuvwxyz")] != '\0';
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

/* Checks the positional count and the required flags. */
static int check_complete(clv_cli_ctx *ctx, int npos)
{
    char missing[64];
    const char *p = ctx->cmd->args;

    if (npos < ctx->cmd->npos) {
        for (int k = 0; k < npos && p != NULL; k++) /* name the first missing argument */
            if ((p = strchr(p, ' ')) != NULL)
                p++;
        snprintf(missing, sizeof missing, "%.*s", (int)strcspn(p ? p : "", " "), p ? p : "");
        return clv_cli_usage_error(ctx, "missing %s", missing);
    }
    for (const clv_cli_opt *o = ctx->cmd->opts; o->name != NULL; o++)
        if (o->required && json_object_get(ctx->vals, o->name) == NULL)
            return clv_cli_usage_error(ctx, "--%s is required", o->name);
    return -1;
}

/* A positional argument (an id); -1 or the usage exit code. */
static int positional(clv_cli_ctx *ctx, const char *a, int *npos)
{
    if (*npos >= ctx->cmd->npos)
        return clv_cli_usage_error(ctx, "unexpected argument '%s'", a);
    /* a client ID metadata document's client_id is its URL (docs/AGENTS.md): the path
     * encodes it (clv_cli_path_id) */
    const char *bad = clv_client_id_is_url(a) ? " \t\r\n" : "/?#%\\ \t\r\n";

    if (a[0] == '\0' || a[strcspn(a, bad)] != '\0')
        return clv_cli_usage_error(ctx, "'%s' is not an id", a);
    ctx->pos[(*npos)++] = a;
    return -1;
}

int clv_cli_parse(clv_cli_ctx *ctx, int argc, char **argv)
{
    bool only_pos = false;
    int npos = 0, rc;

    if (wants_help(argc, argv)) {
        cmd_usage(stdout, ctx->group, ctx->cmd);
        return CLV_EXIT_OK;
    }
    if ((ctx->vals = json_object()) == NULL)
        return CLV_EXIT_REFUSED;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = true;
        } else if (!only_pos && a[0] == '-' && a[1] != '\0' &&
                   !(npos < ctx->cmd->npos && looks_like_id(a))) {
            if (a[1] != '-')
                return clv_cli_usage_error(ctx, "unknown option %s (options start with --)", a);
            if ((rc = read_flag(ctx, argc, argv, &i)) >= 0)
                return rc;
        } else if ((rc = positional(ctx, a, &npos)) >= 0) {
            return rc;
        }
    }
    return check_complete(ctx, npos);
}

/* ---- values ---- */

const char *clv_cli_str(const clv_cli_ctx *ctx, const char *name)
{
    return json_string_value(json_object_get(ctx->vals, name));
}

bool clv_cli_has(const clv_cli_ctx *ctx, const char *name)
{
    return json_object_get(ctx->vals, name) != NULL;
}

int clv_cli_put_flags(const clv_cli_ctx *ctx, json_t *obj)
{
    int n = 0;
    json_t *v;

    for (const clv_cli_opt *o = ctx->cmd->opts; o->name != NULL; o++) {
        if (o->key == NULL || (v = json_object_get(ctx->vals, o->name)) == NULL)
            continue;
        if (json_object_set(obj, o->key, v) != 0)
            return -1;
        n++;
    }
    return n;
}

void clv_cli_ctx_cleanup(clv_cli_ctx *ctx)
{
    json_decref(ctx->vals);
    clv_free_secret(ctx->client_secret);
    clv_free_secret(ctx->token);
    free(ctx->url);
    free(ctx->client_id);
    clv_free_secret(ctx->raw); /* may hold a secret shown once */
    free(ctx->etag);
    clv_net_client_free(ctx->http);
    memset(ctx, 0, sizeof *ctx);
}

/* ---- dispatch ---- */

/* How many words the global option at a takes (1 or 2), or 0 when a is none. */
static int global_words(const char *a)
{
    static const char *const valued[] = {"--url", "--client-id", "--client-secret"};
    size_t len = strcspn(a, "=");

    if (strcmp(a, "--json") == 0)
        return 1;
    for (size_t i = 0; i < sizeof valued / sizeof valued[0]; i++)
        if (strlen(valued[i]) == len && strncmp(a, valued[i], len) == 0)
            return a[len] == '=' ? 1 : 2;
    return 0;
}

int clv_cli_hoist_globals(int argc, char **argv)
{
    int k = 1, n, end, o = 1;
    char **moved;

    while (k < argc && (n = global_words(argv[k])) > 0) {
        if (k + n > argc) {
            fprintf(stderr, "clavis: %s needs a value\nTry 'clavis --help'.\n", argv[k]);
            return CLV_EXIT_USAGE;
        }
        k += n;
    }
    if (k < argc && argv[k][0] == '-' && strcmp(argv[k], "--help") != 0 &&
        strcmp(argv[k], "-h") != 0 && strcmp(argv[k], "--version") != 0) {
        fprintf(stderr, "clavis: unknown option %.*s\nTry 'clavis --help'.\n",
                (int)strcspn(argv[k], "="), argv[k]);
        return CLV_EXIT_USAGE;
    }
    if (k == 1)
        return -1;
    if (k == argc) {
        fprintf(stderr, "clavis: a command is missing after the options\n"
                        "Try 'clavis --help'.\n");
        return CLV_EXIT_USAGE;
    }
    for (end = k; end < argc && strcmp(argv[end], "--") != 0; end++)
        ;
    if ((moved = malloc(sizeof *moved * (size_t)(k - 1))) == NULL)
        return CLV_EXIT_REFUSED;
    memcpy(moved, argv + 1, sizeof *moved * (size_t)(k - 1));
    for (int i = k; i < end; i++) /* the command and its arguments, then the globals */
        argv[o++] = argv[i];
    memcpy(argv + o, moved, sizeof *moved * (size_t)(k - 1));
    free(moved);
    return -1;
}

static bool is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0;
}

int clv_cli_cmd_run(const clv_cli_group *g, const clv_cli_cmd *c, int argc, char **argv)
{
    clv_cli_ctx ctx = {0};
    int rc;

    ctx.group = g;
    ctx.cmd = c;
    rc = clv_cli_parse(&ctx, argc, argv);
    if (rc < 0)
        rc = c->run(&ctx);
    clv_cli_ctx_cleanup(&ctx);
    fflush(stdout);
    return rc;
}

int clv_cli_group_run(const clv_cli_group *g, int argc, char **argv)
{
    const clv_cli_cmd *c = g->cmds;
    const char *near;

    if (argc < 2 || is_help(argv[1])) {
        group_usage(argc < 2 ? stderr : stdout, g);
        return argc < 2 ? CLV_EXIT_USAGE : CLV_EXIT_OK;
    }
    while (c->name != NULL && strcmp(c->name, argv[1]) != 0)
        c++;
    if (c->name == NULL) {
        near = closest_cmd(g, argv[1]);
        fprintf(stderr, "clavis %s: unknown command '%s'", g->path, argv[1]);
        if (near != NULL)
            fprintf(stderr, " (did you mean '%s'?)", near);
        fprintf(stderr, "\nTry 'clavis %s --help'.\n", g->path);
        return CLV_EXIT_USAGE;
    }
    if (c->sub != NULL)
        return clv_cli_group_run(c->sub, argc - 1, argv + 1);
    return clv_cli_cmd_run(g, c, argc - 2, argv + 2);
}
