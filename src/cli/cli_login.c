/* cli_login — `clavis login` checks an admin client's credentials against a server (by
 * fetching an admin token) and keeps them in the profile (mode 0600) that the admin
 * commands read when no flag or CLAVIS_* variable says otherwise (docs/DESIGN.md R21);
 * `clavis logout` removes it and the cached token. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/admin_commands.h"
#include "cli/commands.h"
#include "crypto/hash.h"

bool clv_cli_read_line(const char *prompt, bool secret, char *buf, size_t cap)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO), hide = secret && tty && tcgetattr(STDIN_FILENO, &old) == 0;
    bool ok;
    size_t n;

    if (tty)
        fputs(prompt, stderr);
    if (hide) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    ok = fgets(buf, (int)cap, stdin) != NULL;
    if (hide) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!ok)
        return false;
    n = strcspn(buf, "\r\n");
    buf[n] = '\0';
    return n > 0;
}

/* *dst = flag, else the variable env, else a line read from stdin. */
static bool ask(char **dst, const char *flag, const char *env, const char *prompt, bool secret)
{
    const char *v = flag != NULL ? flag : getenv(env);
    char line[2048];

    if (v != NULL && v[0] != '\0')
        return (*dst = strdup(v)) != NULL;
    if (!clv_cli_read_line(prompt, secret, line, sizeof line))
        return false;
    *dst = strdup(line);
    clv_wipe(line, sizeof line);
    return *dst != NULL;
}

static int save_profile(clv_cli_ctx *ctx)
{
    char path[4096];
    json_t *p;
    bool ok;

    if (!clv_cli_profile_path(path, sizeof path, false)) {
        fputs("clavis: no place for the profile: set CLAVIS_PROFILE or HOME\n", stderr);
        return CLV_EXIT_REFUSED;
    }
    p = json_pack("{s:s, s:s, s:s}", "url", ctx->url, "client_id", ctx->client_id, "client_secret",
                  ctx->client_secret);
    ok = p != NULL && clv_cli_write_private(path, p);
    json_decref(p);
    if (!ok) {
        fprintf(stderr, "clavis: cannot write %s: %s\n", path, strerror(errno));
        return CLV_EXIT_REFUSED;
    }
    if (ctx->json) {
        p = json_pack("{s:s, s:s, s:s}", "url", ctx->url, "client_id", ctx->client_id, "profile",
                      path);
        clv_cli_print_json(ctx, p);
        json_decref(p);
    } else {
        printf("Logged in to %s as %s.\nThe credentials are in %s (mode 0600).\n", ctx->url,
               ctx->client_id, path);
    }
    return CLV_EXIT_OK;
}

static int run_login(clv_cli_ctx *ctx)
{
    size_t n;
    int rc;

    if (!ask(&ctx->url, ctx->flag_url, "CLAVIS_URL", "Server URL: ", false) ||
        !ask(&ctx->client_id, ctx->flag_client_id, "CLAVIS_CLIENT_ID", "Client ID: ", false) ||
        !ask(&ctx->client_secret, ctx->flag_client_secret, "CLAVIS_CLIENT_SECRET",
             "Client secret: ", true))
        return clv_cli_usage_error(ctx, "login needs a URL, a client id and a client secret");
    n = strlen(ctx->url);
    while (n > 0 && ctx->url[n - 1] == '/')
        ctx->url[--n] = '\0';
    if (strncmp(ctx->url, "http://", 7) != 0 && strncmp(ctx->url, "https://", 8) != 0)
        return clv_cli_usage_error(ctx, "the URL must start with http:// or https://");
    /* Proves the credentials (and that they may administer) before keeping them. */
    if ((rc = clv_cli_token(ctx, true)) >= 0)
        return rc;
    return save_profile(ctx);
}

static int run_logout(clv_cli_ctx *ctx)
{
    char path[4096];
    bool removed = false;

    for (int k = 0; k < 2; k++) {
        if (!clv_cli_profile_path(path, sizeof path, k == 1))
            continue;
        if (unlink(path) == 0)
            removed = true;
        else if (errno != ENOENT)
            fprintf(stderr, "clavis: cannot remove %s: %s\n", path, strerror(errno));
    }
    if (!ctx->json)
        puts(removed ? "Logged out: the profile and the cached token are removed."
                     : "Not logged in.");
    return CLV_EXIT_OK;
}

static const clv_cli_opt no_opts[] = {CLV_OPT_END};

const clv_cli_cmd clv_cli_login_cmds[] = {
    {"login", "", 0, "Check an admin client's credentials and keep them in the profile",
     "Takes the server and the credentials from --url, --client-id and --client-secret, else\n"
     "from CLAVIS_URL, CLAVIS_CLIENT_ID and CLAVIS_CLIENT_SECRET, else asks for them (the\n"
     "secret without echo). The profile is CLAVIS_PROFILE, else\n"
     "~/.config/clavis/profile.json; the admin token is cached in token.json beside it.",
     no_opts, run_login, NULL},
    {"logout", "", 0, "Remove the profile and the cached admin token", NULL, no_opts, run_logout,
     NULL},
    {NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL}};

static const clv_cli_group top_group = {"", "", clv_cli_login_cmds};

int clv_cmd_login(int argc, char **argv)
{
    return clv_cli_cmd_run(&top_group, &clv_cli_login_cmds[0], argc - 1, argv + 1);
}

int clv_cmd_logout(int argc, char **argv)
{
    return clv_cli_cmd_run(&top_group, &clv_cli_login_cmds[1], argc - 1, argv + 1);
}
