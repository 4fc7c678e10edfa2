/* cli_completion — `clavis completion bash|zsh|fish`: a completion script made from the
 * command table (clv_cli_commands, cli_main.c) and the flag tables of each command, so that
 * whatever command or flag the table gains, completion offers it (docs/CLI.md
 * "Completion"). Completes commands, subcommands, flags and the fixed values of flags
 * (choices, file names); never ids, which would need a request. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/server_options.h"

enum { PATH_CAP = 160 };

static const char *const globals[] = {"url", "client-id", "client-secret", "json", "help", NULL};
static const char *const file_flags[] = {"db", "key-dir", NULL}; /* serve, init, purge */
/* The fixed values of the options of serve, init and purge (their getopt table has none). */
static const char *const server_choices[][2] = {{"token-alg", "RS256 ES256 EdDSA"},
                                                {"log-format", "json text"}};

static bool in(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* ---- walking the table ---- */

/* A command without subcommands: its path ("client secret add"), its flags (admin commands),
 * or the server options it takes (1 or 2), or neither (completion: --help only). */
typedef struct {
    const char *path;
    const char *summary;
    const clv_cli_opt *opts;
    int server;
    const char *const *words;
} leaf;

typedef void (*leaf_fn)(FILE *f, const leaf *l);
typedef void (*group_fn)(FILE *f, const clv_cli_group *g);

static void group_leaves(FILE *f, const clv_cli_group *g, leaf_fn fn)
{
    char path[PATH_CAP];

    for (const clv_cli_cmd *c = g->cmds; c->name != NULL; c++) {
        if (c->sub != NULL) {
            group_leaves(f, c->sub, fn);
            continue;
        }
        snprintf(path, sizeof path, "%s %s", g->path, c->name);
        fn(f, &(leaf){path, c->summary, c->opts, 0, NULL});
    }
}

static void each_leaf(FILE *f, leaf_fn fn)
{
    for (const clv_cli_top *t = clv_cli_commands; t->name != NULL; t++) {
        if (t->group != NULL)
            group_leaves(f, t->group, fn);
        else
            fn(f, &(leaf){t->name, t->summary, t->cmd ? t->cmd->opts : NULL, t->server, t->words});
    }
}

static void group_groups(FILE *f, const clv_cli_group *g, group_fn fn)
{
    fn(f, g);
    for (const clv_cli_cmd *c = g->cmds; c->name != NULL; c++)
        if (c->sub != NULL)
            group_groups(f, c->sub, fn);
}

static void each_group(FILE *f, group_fn fn)
{
    for (const clv_cli_top *t = clv_cli_commands; t->name != NULL; t++)
        if (t->group != NULL)
            group_groups(f, t->group, fn);
}

/* The flags of l, space-separated with their "--". */
static void flag_words(FILE *f, const leaf *l)
{
    const char *name;

    for (const clv_cli_opt *o = l->opts; o != NULL && o->name != NULL; o++)
        fprintf(f, "--%s ", o->name);
    for (size_t i = 0; l->opts != NULL && globals[i] != NULL; i++)
        fprintf(f, "--%s ", globals[i]);
    for (size_t i = 0; l->server > 0 && (name = clv_cli_server_flag(i, l->server == 2, NULL)); i++)
        fprintf(f, "--%s ", name);
    if (l->opts == NULL && l->server == 0)
        fputs("--help ", f);
}

/* The fixed values of server option name, "@files" for a file, else "@any". */
static const char *server_values(const char *name)
{
    for (size_t i = 0; i < sizeof server_choices / sizeof server_choices[0]; i++)
        if (strcmp(server_choices[i][0], name) == 0)
            return server_choices[i][1];
    return in(file_flags, name) ? "@files" : "@any";
}

/* What the value of flag o takes: "" none, "@files" a file name, "@any" anything, else its
 * choices. (zsh's echo would swallow a lone "-".) */
static void opt_values(FILE *f, const clv_cli_opt *o)
{
    if (o->kind == CLV_OPT_BOOL)
        return;
    if (o->choices != NULL) {
        for (size_t i = 0; o->choices[i] != NULL; i++)
            fprintf(f, "%s%s", i ? " " : "", o->choices[i]);
        return;
    }
    fputs(o->meta != NULL && strcmp(o->meta, "FILE") == 0 ? "@files" : "@any", f);
}

/* ---- bash (and zsh through bashcompinit) ---- */

static void bash_sub(FILE *f, const clv_cli_group *g)
{
    fprintf(f, "    '%s') echo '", g->path);
    for (const clv_cli_cmd *c = g->cmds; c->name != NULL; c++)
        fprintf(f, "%s%s", c == g->cmds ? "" : " ", c->name);
    fputs("' ;;\n", f);
}

static void bash_flags(FILE *f, const leaf *l)
{
    fprintf(f, "    '%s') echo '", l->path);
    flag_words(f, l);
    fputs("' ;;\n", f);
}

static void bash_values(FILE *f, const leaf *l)
{
    const char *name;
    bool value;

    for (const clv_cli_opt *o = l->opts; o != NULL && o->name != NULL; o++) {
        fprintf(f, "    '%s --%s') echo '", l->path, o->name);
        opt_values(f, o);
        fputs("' ;;\n", f);
    }
    for (size_t i = 0; l->server > 0 && (name = clv_cli_server_flag(i, l->server == 2, &value));
         i++)
        fprintf(f, "    '%s --%s') echo '%s' ;;\n", l->path, name,
                value ? server_values(name) : "");
    if (l->words != NULL) {
        fprintf(f, "    '%s ') echo '", l->path);
        for (size_t i = 0; l->words[i] != NULL; i++)
            fprintf(f, "%s%s", i ? " " : "", l->words[i]);
        fputs("' ;;\n", f);
    }
}

static void bash_script(FILE *f)
{
    fputs("# bash completion for clavis, made by `clavis completion bash` from its command table.\n"
          "# Install: clavis completion bash > /usr/share/bash-completion/completions/clavis\n"
          "# (or: source <(clavis completion bash) in ~/.bashrc).\n"
          "_clavis_sub() {\n    case \"$1\" in\n    '') echo '",
          f);
    for (const clv_cli_top *t = clv_cli_commands; t->name != NULL; t++)
        fprintf(f, "%s ", t->name);
    fputs("help' ;;\n", f);
    each_group(f, bash_sub);
    fputs("    esac\n}\n_clavis_flags() {\n    case \"$1\" in\n"
          "    '') echo '--version --url --client-id --client-secret --json --help' ;;\n",
          f);
    each_leaf(f, bash_flags);
    fputs("    esac\n}\n"
          "# The value of flag $2 of command $1 ('' none, '@any', '@files', or the words);\n"
          "# \"$1 \" alone: the words of its argument.\n"
          "_clavis_values() {\n    case \"$1 $2\" in\n",
          f);
    each_leaf(f, bash_values);
    fputs("    *' --json' | *' --help' | *' --version' | *' ') ;;\n"
          "    *) echo '@any' ;;\n    esac\n}\n",
          f);
    fputs("_clavis() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
          "    local cpath='' w i subs values\n"
          "    COMPREPLY=()\n"
          "    # The command path: the words that name a command; a flag's value is skipped.\n"
          "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
          "        w=${COMP_WORDS[i]}\n"
          "        if [[ $w == --* ]]; then\n"
          "            [[ $w != *=* && $(_clavis_values \"$cpath\" \"$w\") != '' ]] && ((i++))\n"
          "            continue\n"
          "        fi\n"
          "        subs=\" $(_clavis_sub \"$cpath\") \"\n"
          "        [[ $subs == *\" $w \"* ]] || break\n"
          "        cpath=${cpath:+$cpath }$w\n"
          "    done\n"
          "    if [[ $prev == --* && $cur != -* && $COMP_CWORD -gt 1 ]]; then\n"
          "        values=$(_clavis_values \"$cpath\" \"$prev\")\n"
          "        case \"$values\" in\n"
          "        '') ;;\n"
          "        '@any') return ;;\n"
          "        '@files') COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
          "        *) COMPREPLY=($(compgen -W \"$values\" -- \"$cur\")); return ;;\n"
          "        esac\n"
          "    fi\n"
          "    subs=$(_clavis_sub \"$cpath\")\n"
          "    [[ -z $subs ]] && subs=$(_clavis_values \"$cpath\" '')\n"
          "    if [[ $cur != -* && -n $subs ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
          "    elif [[ $cur == -* || -z $cur ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$(_clavis_flags \"$cpath\")\" -- \"$cur\"))\n"
          "    fi\n"
          "}\n"
          "complete -F _clavis clavis\n",
          f);
}

/* ---- fish ---- */

/* s in single quotes for fish ('\' and '\'' escaped), newlines as spaces. */
static void fish_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s != '\0'; s++) {
        if (*s == '\'' || *s == '\\')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('\'', f);
}

static void fish_path(FILE *f, const leaf *l)
{
    fprintf(f, " '%s'", l->path);
}

static void fish_group_path(FILE *f, const clv_cli_group *g)
{
    fprintf(f, " '%s'", g->path);
}

static void fish_sub(FILE *f, const clv_cli_group *g)
{
    for (const clv_cli_cmd *c = g->cmds; c->name != NULL; c++) {
        fprintf(f, "complete -c clavis -n \"__clavis_is '%s'\" -a %s -d ", g->path, c->name);
        fish_quote(f, c->summary);
        fputc('\n', f);
    }
}

static void fish_opt(FILE *f, const char *path, const char *name, const clv_cli_opt *o)
{
    fprintf(f, "complete -c clavis -n \"__clavis_is '%s'\" -l %s", path, name);
    if (o != NULL && o->choices != NULL) {
        fputs(" -x -a '", f);
        for (size_t i = 0; o->choices[i] != NULL; i++)
            fprintf(f, "%s%s", i ? " " : "", o->choices[i]);
        fputc('\'', f);
    } else if (o != NULL && o->kind != CLV_OPT_BOOL) {
        fputs(strcmp(o->meta, "FILE") == 0 ? " -r -F" : " -x", f);
    }
    if (o != NULL) {
        fputs(" -d ", f);
        fish_quote(f, o->help);
    }
    fputc('\n', f);
}

static const clv_cli_opt fish_value = CLV_STR("", NULL, "VALUE", "");
static const clv_cli_opt fish_file = CLV_STR("", NULL, "FILE", "");

/* The options of serve, init or purge. */
static void fish_server_flags(FILE *f, const leaf *l)
{
    const char *name, *v;
    bool has;

    for (size_t i = 0; (name = clv_cli_server_flag(i, l->server == 2, &has)) != NULL; i++) {
        v = has ? server_values(name) : "";
        if (v[0] != '@' && v[0] != '\0')
            fprintf(f, "complete -c clavis -n \"__clavis_is '%s'\" -l %s -x -a '%s'\n", l->path,
                    name, v);
        else
            fish_opt(f, l->path, name,
                     !has                       ? NULL
                     : strcmp(v, "@files") == 0 ? &fish_file
                                                : &fish_value);
    }
}

static void fish_flags(FILE *f, const leaf *l)
{
    for (const clv_cli_opt *o = l->opts; o != NULL && o->name != NULL; o++)
        fish_opt(f, l->path, o->name, o);
    for (size_t i = 0; l->opts != NULL && globals[i] != NULL; i++)
        fish_opt(f, l->path, globals[i], i < 3 ? &fish_value : NULL);
    if (l->server > 0)
        fish_server_flags(f, l);
    if (l->opts == NULL && l->server == 0)
        fish_opt(f, l->path, "help", NULL);
    if (l->words != NULL) {
        fprintf(f, "complete -c clavis -n \"__clavis_is '%s'\" -a '", l->path);
        for (size_t i = 0; l->words[i] != NULL; i++)
            fprintf(f, "%s%s", i ? " " : "", l->words[i]);
        fputs("'\n", f);
    }
}

static void fish_script(FILE *f)
{
    fputs("# fish completion for clavis, made by `clavis completion fish` from its command table.\n"
          "# Install: clavis completion fish > ~/.config/fish/completions/clavis.fish\n"
          "set -g __clavis_paths",
          f);
    each_group(f, fish_group_path);
    each_leaf(f, fish_path);
    fputs("\n"
          "# The command path of the line so far: the words that name a command.\n"
          "function __clavis_path\n"
          "    set -l words (commandline -opc)\n"
          "    set -l path\n"
          "    set -l skip 0\n"
          "    for w in $words[2..-1]\n"
          "        if test $skip = 1\n"
          "            set skip 0\n"
          "            continue\n"
          "        end\n"
          "        switch $w\n"
          "            case --url --client-id --client-secret\n"
          "                set skip 1\n"
          "                continue\n"
          "            case '-*'\n"
          "                continue\n"
          "        end\n"
          "        set -l next (string join ' ' $path $w)\n"
          "        contains -- $next $__clavis_paths; or break\n"
          "        set path $path $w\n"
          "    end\n"
          "    string join ' ' $path\n"
          "end\n"
          "function __clavis_is\n"
          "    set -l p (__clavis_path)\n"
          "    test \"$p\" = \"$argv[1]\"\n"
          "end\n"
          "complete -c clavis -f\n"
          "complete -c clavis -n \"__clavis_is ''\" -l version -d 'print the version'\n",
          f);
    for (const clv_cli_top *t = clv_cli_commands; t->name != NULL; t++) {
        fprintf(f, "complete -c clavis -n \"__clavis_is ''\" -a %s -d ", t->name);
        fish_quote(f, t->summary);
        fputc('\n', f);
    }
    each_group(f, fish_sub);
    each_leaf(f, fish_flags);
}

int clv_cmd_completion(int argc, char **argv)
{
    const char *sh = argc == 2 ? argv[1] : NULL;

    if (sh != NULL && (strcmp(sh, "--help") == 0 || strcmp(sh, "-h") == 0)) {
        puts("Usage: clavis completion bash|zsh|fish\n"
             "Prints a completion script for the shell, made from the command table.\n\n"
             "  bash: clavis completion bash > /usr/share/bash-completion/completions/clavis\n"
             "  zsh:  clavis completion zsh > \"${fpath[1]}/_clavis\"\n"
             "  fish: clavis completion fish > ~/.config/fish/completions/clavis.fish\n\n"
             "Options:\n  --help  show this help");
        return 0;
    }
    if (sh == NULL ||
        (strcmp(sh, "bash") != 0 && strcmp(sh, "zsh") != 0 && strcmp(sh, "fish") != 0)) {
        fputs("clavis: completion needs a shell: bash, zsh or fish\n"
              "Try 'clavis completion --help'.\n",
              stderr);
        return 2;
    }
    if (strcmp(sh, "zsh") == 0)
        fputs("#compdef clavis\n"
              "# zsh completion for clavis: the bash completion through zsh's bashcompinit.\n"
              "autoload -U +X bashcompinit && bashcompinit\n",
              stdout);
    if (strcmp(sh, "fish") == 0)
        fish_script(stdout);
    else
        bash_script(stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}
