/* admin_commands — what the admin commands (service, client, user, login) share: a table that
 * describes each command and its flags, the parser that reads argv against it, the
 * credentials and admin token, calls to the admin API, and the output for people and
 * for scripts (docs/DESIGN.md I3, R21, R23).
 *
 * Exit codes: CLV_EXIT_OK, CLV_EXIT_REFUSED (the server refused, or could not be
 * reached), CLV_EXIT_USAGE (bad usage, found before any request is sent). */
#ifndef CLV_CLI_ADMIN_COMMANDS_H
#define CLV_CLI_ADMIN_COMMANDS_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli/cli_http.h"

enum { CLV_EXIT_OK = 0, CLV_EXIT_REFUSED = 1, CLV_EXIT_USAGE = 2 };
enum { CLV_CLI_MAX_POS = 2 };

typedef enum {
    CLV_OPT_STR,  /* --flag VALUE, once */
    CLV_OPT_LIST, /* --flag VALUE, repeatable; collected into an array */
    CLV_OPT_BOOL, /* --flag, no value; true when given */
    CLV_OPT_INT,  /* --flag N, an integer in [min, max] (any integer for CLV_NUM) */
} clv_cli_opt_kind;

/* One flag of a command. key is the JSON body (or query) key it fills, or NULL when
 * the command reads the value itself. choices, when set, lists the accepted values. */
typedef struct {
    const char *name; /* without the leading "--" */
    clv_cli_opt_kind kind;
    const char *key;
    const char *meta; /* the value's placeholder in the usage (NULL for a BOOL) */
    const char *help;
    bool required;
    const char *const *choices; /* NULL-terminated, or NULL for any value */
    long long min, max;         /* bounds of an INT */
} clv_cli_opt;

#define CLV_STR(n, k, m, h)                                                                        \
    {                                                                                              \
        n, CLV_OPT_STR, k, m, h, false, NULL, 0, 0                                                 \
    }
#define CLV_REQ(n, k, m, h)                                                                        \
    {                                                                                              \
        n, CLV_OPT_STR, k, m, h, true, NULL, 0, 0                                                  \
    }
#define CLV_LIST(n, k, m, h)                                                                       \
    {                                                                                              \
        n, CLV_OPT_LIST, k, m, h, false, NULL, 0, 0                                                \
    }
#define CLV_BOOL(n, k, h)                                                                          \
    {                                                                                              \
        n, CLV_OPT_BOOL, k, NULL, h, false, NULL, 0, 0                                             \
    }
#define CLV_INT(n, k, m, h, lo, hi)                                                                \
    {                                                                                              \
        n, CLV_OPT_INT, k, m, h, false, NULL, lo, hi                                               \
    }
/* An integer whose range the server decides (its bounds are configurable, docs/OPERATIONS.md):
 * the CLI checks only that it is a number, so that no bound of the CLI differs from the
 * server's, which names the field and its range when the value is out of it. */
#define CLV_NUM(n, k, m, h) CLV_INT(n, k, m, h, LLONG_MIN, LLONG_MAX)
#define CLV_CHOICE(n, k, m, h, req, ch)                                                            \
    {                                                                                              \
        n, CLV_OPT_STR, k, m, h, req, ch, 0, 0                                                     \
    }
#define CLV_OPT_END                                                                                \
    {                                                                                              \
        NULL, CLV_OPT_STR, NULL, NULL, NULL, false, NULL, 0, 0                                     \
    }

typedef struct clv_cli_ctx clv_cli_ctx;
typedef struct clv_cli_group clv_cli_group;

/* One command of a group, or (sub set) a nested group such as `client secret`. */
typedef struct {
    const char *name;
    const char *args; /* positional arguments for the usage, e.g. "CLIENT_ID" ("" for none) */
    int npos;         /* how many positional arguments it takes */
    const char *summary;
    const char *about;       /* a paragraph for --help, or NULL */
    const clv_cli_opt *opts; /* ends with CLV_OPT_END */
    int (*run)(clv_cli_ctx *ctx);
    const clv_cli_group *sub;
} clv_cli_cmd;

struct clv_cli_group {
    const char *path; /* "client", "client secret" */
    const char *summary;
    const clv_cli_cmd *cmds; /* ends with an entry whose name is NULL */
};

/* The state of one command run. pos and the flag values borrow from argv. */
struct clv_cli_ctx {
    const clv_cli_group *group;
    const clv_cli_cmd *cmd;
    const char *pos[CLV_CLI_MAX_POS];
    json_t *vals; /* flag name → string, array of strings, true or integer */
    bool json;
    const char *flag_url, *flag_client_id, *flag_client_secret;
    /* Resolved at the first request (owned). */
    char *url, *client_id, *client_secret, *token;
    bool token_fresh; /* the token was fetched by this process, not read from the cache */
    clv_net_client *http;
    char *raw;  /* the body of the last successful response (owned) */
    char *etag; /* its ETag header, or NULL (owned) */
};

/* Runs group g on argv (argv[0] is the group's name): picks the command, parses its
 * flags, runs it. Returns the exit code. */
int clv_cli_group_run(const clv_cli_group *g, int argc, char **argv);

/* Runs command c of g on argv (the arguments after the command's name). */
int clv_cli_cmd_run(const clv_cli_group *g, const clv_cli_cmd *c, int argc, char **argv);

/* Parses argv (after the command name) for ctx->cmd into ctx. Returns -1 to go on, else
 * the exit code (0 after --help, CLV_EXIT_USAGE after a message and a hint). */
int clv_cli_parse(clv_cli_ctx *ctx, int argc, char **argv);

/* Prints "clavis: <msg>" and a hint ("Try 'clavis client create --help'.") to stderr, never
 * the whole usage; returns CLV_EXIT_USAGE. */
int clv_cli_usage_error(const clv_cli_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Releases what ctx owns (wiping the secret and the token). */
void clv_cli_ctx_cleanup(clv_cli_ctx *ctx);

/* Flag values: _str borrows a string (NULL if absent); _has says whether given. */
const char *clv_cli_str(const clv_cli_ctx *ctx, const char *name);
bool clv_cli_has(const clv_cli_ctx *ctx, const char *name);

/* Copies every given flag that has a key into obj (a JSON body). Returns how many, or -1
 * when out of memory. */
int clv_cli_put_flags(const clv_cli_ctx *ctx, json_t *obj);

/* ---- credentials and the admin token (cli_auth.c) ---- */

/* Fills ctx->url, client_id and client_secret from the flags, then CLAVIS_URL,
 * CLAVIS_CLIENT_ID and CLAVIS_CLIENT_SECRET, then the profile (docs/DESIGN.md R21). Returns -1 to
 * go on, else an exit code (CLV_EXIT_USAGE when something is missing; message printed). */
int clv_cli_credentials(clv_cli_ctx *ctx);

/* Makes sure ctx->token holds an admin token: the cached one unless fresh, else a new one
 * from POST /token (cached afterwards). Returns -1 to go on, else an exit code. */
int clv_cli_token(clv_cli_ctx *ctx, bool fresh);

/* The path of the profile (CLAVIS_PROFILE, else $XDG_CONFIG_HOME/clavis/profile.json, else
 * ~/.config/clavis/profile.json) or of the token cache beside it, into buf. false if it
 * does not fit or no home is known. */
bool clv_cli_profile_path(char *buf, size_t cap, bool token_cache);

/* Writes obj as JSON to path with mode 0600 (atomically: a temporary file, then rename),
 * creating the directory with mode 0700. false on failure (errno set). */
bool clv_cli_write_private(const char *path, const json_t *obj);

/* ---- the admin API (cli_api.c) ---- */

/* Appends text to a path; id segments are percent-encoded (RFC 3986 §2.3). */
typedef struct {
    char buf[2048];
    size_t len;
    bool overflow;
} clv_cli_path;

void clv_cli_path_add(clv_cli_path *p, const char *literal);
void clv_cli_path_id(clv_cli_path *p, const char *id);
/* Appends "?key=value" or "&key=value" (value percent-encoded); NULL value: nothing. */
void clv_cli_path_query(clv_cli_path *p, const char *key, const char *value);

/* Calls the admin API with the admin token (a 401 fetches a new token and retries once).
 * body: NULL or a JSON body; if_match: NULL or an ETag. On a 2xx returns CLV_EXIT_OK with
 * *out the parsed body (NULL for an empty one; caller decrefs) and ctx->raw, ctx->etag set.
 * Otherwise prints the server's reason ("clavis: 404 …" and each errors[] field) or the
 * transport failure and returns CLV_EXIT_REFUSED, or an exit code of the credentials. */
int clv_cli_api(clv_cli_ctx *ctx, const char *method, const clv_cli_path *path, const json_t *body,
                const char *if_match, json_t **out);

/* Prints the reason of a refused request: problem+json (RFC 9457), an RFC 6749 error or
 * the status line. what prefixes the message when not NULL. */
void clv_cli_print_refusal(const char *what, const clv_net_resp *r);

/* GETs a list at path (which has its filters), following next_cursor when all; *out is
 * {"items": […], "next_cursor": …}. Same codes as clv_cli_api. */
int clv_cli_list(clv_cli_ctx *ctx, const clv_cli_path *path, bool all, json_t **out);

/* ---- clients (cli_client.c, cli_secret.c) ---- */

/* /admin/v1/clients[/{client_id}[/action]] (client_id and action may be NULL). */
clv_cli_path clv_cli_client_path(const char *client_id, const char *action);

/* `clavis client secret …` */
extern const clv_cli_group clv_cli_secret_group;

/* `clavis service resource …` (cli_resource.c) */
extern const clv_cli_group clv_cli_resource_group;

/* ---- output (cli_out.c) ---- */

typedef struct {
    const char *title;
    const char *key;
} clv_cli_col;

/* Prints items (an array of objects) as a table with aligned columns; cols ends with
 * {NULL, NULL}. Control characters in values are shown as '?'. */
void clv_cli_table(const json_t *items, const clv_cli_col *cols);

/* A list command's whole run: adds --limit to path's query, fetches one page (every page
 * with --all), prints the JSON (--json) or a table of cols. Returns the exit code. */
int clv_cli_run_list(clv_cli_ctx *ctx, clv_cli_path *path, const clv_cli_col *cols);

/* Prints obj as "key: value" lines with aligned values, leaving out the keys in skip
 * (NULL-terminated, may be NULL). */
void clv_cli_show(const json_t *obj, const char *const *skip);

/* Prints the API's JSON: the raw body of the last response when it is what obj came
 * from, else obj dumped. */
void clv_cli_print_json(const clv_cli_ctx *ctx, const json_t *obj);

/* Formats v (a string, number, boolean, array or null) for people into buf. */
void clv_cli_value(const json_t *v, char *buf, size_t cap);

/* Prints "Store this secret now…" to stderr. */
void clv_cli_secret_warning(void);

/* The common shape of a command that calls one endpoint and shows the object it gets:
 * with --json the API's JSON, else clv_cli_show; an empty answer prints done (if not
 * NULL) for people. */
int clv_cli_call_show(clv_cli_ctx *ctx, const char *method, const clv_cli_path *path,
                      const json_t *body, const char *done);

/* Reads one line from stdin into buf (without the newline), without echo when secret and
 * stdin is a terminal, after printing prompt to stderr. false at end of input. */
bool clv_cli_read_line(const char *prompt, bool secret, char *buf, size_t cap);

#endif
