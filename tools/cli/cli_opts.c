/* SPDX-License-Identifier: MIT */
#include "cli_opts.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef MAILSLOT_VERSION
#define MAILSLOT_VERSION "unknown"
#endif

#define MAX_OPTS 64
#define HELP_COLUMN 22

static const cli_opt common_opts[] = {
    { "help", CLI_KEY_HELP, 'h', NULL, "this text", NULL },
    { "version", CLI_KEY_VERSION, 'V', NULL, "the program's version", NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

static struct option longs[MAX_OPTS + 1];
static char shorts[2 * MAX_OPTS + 2];
static const cli_cmd *built_for;
static char **built_argv;

static void add_table(const cli_opt *t, size_t *nl, size_t *ns)
{
    for (; t->name; t++) {
        if (*nl >= MAX_OPTS)
            abort(); /* a table this long is a programming error */
        for (size_t i = 0; i < *nl; i++)
            if (longs[i].val == t->key)
                abort(); /* two options one key: the second would never be seen */
        longs[*nl].name = t->name;
        longs[*nl].has_arg = t->arg ? required_argument : no_argument;
        longs[*nl].flag = NULL;
        longs[*nl].val = t->key;
        (*nl)++;
        if (t->letter) {
            shorts[(*ns)++] = t->letter;
            if (t->arg)
                shorts[(*ns)++] = ':';
        }
    }
}

static void build(const cli_cmd *c)
{
    size_t nl = 0, ns = 0;
    shorts[ns++] = ':'; /* ':' for a missing argument, '?' for unknown */
    add_table(c->opts, &nl, &ns);
    add_table(common_opts, &nl, &ns);
    memset(&longs[nl], 0, sizeof longs[nl]);
    shorts[ns] = '\0';
}

static const cli_opt *find_key(const cli_cmd *c, int key)
{
    for (const cli_opt *t = c->opts; t->name; t++)
        if (t->key == key)
            return t;
    return NULL;
}

int cli_next(const cli_cmd *c, int argc, char **argv)
{
    if (built_for != c || built_argv != argv) {
        build(c);
        built_for = c;
        built_argv = argv;
        optind = 1;
    }
    opterr = 0;
    int prev = optind;
    int ch = getopt_long(argc, argv, shorts, longs, NULL);
    switch (ch) {
    case -1:
        built_for = NULL;
        return CLI_END;
    case CLI_KEY_HELP:
        if (!find_key(c, CLI_KEY_HELP)) {
            cli_help(c, stdout);
            return CLI_EXIT_OK;
        }
        return ch;
    case CLI_KEY_VERSION:
        if (!find_key(c, CLI_KEY_VERSION)) {
            cli_version(stdout);
            return CLI_EXIT_OK;
        }
        return ch;
    case ':':
    case '?': {
        const char *what = prev < argc ? argv[prev] : "";
        const cli_opt *t = find_key(c, optopt);
        if (ch == ':' && t && t->letter)
            cli_error(c->name, "option -%c/--%s needs an argument; try 'mailslot %s --help'",
                      t->letter, t->name, c->name);
        else if (ch == ':' && t)
            cli_error(c->name, "option --%s needs an argument; try 'mailslot %s --help'", t->name,
                      c->name);
        else if (ch == ':')
            cli_error(c->name, "option '-%c' needs an argument; try 'mailslot %s --help'", optopt,
                      c->name);
        else if (optopt && !(what[0] == '-' && what[1] == '-'))
            cli_error(c->name, "unknown option '-%c'; try 'mailslot %s --help'", optopt, c->name);
        else
            cli_error(c->name, "unknown option '%s'; try 'mailslot %s --help'", what, c->name);
        return CLI_BAD;
    }
    default:
        return ch;
    }
}

static void print_lines(FILE *f, const char *text, int indent)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(f, "%.*s\n", (int)n, p);
        p += n;
        if (*p == '\n') {
            p++;
            if (*p)
                fprintf(f, "%*s", indent, "");
        }
    }
}

static void help_table(FILE *f, const cli_opt *t)
{
    for (; t->name; t++) {
        char left[80];
        int n = snprintf(left, sizeof left, "  %s%c%s--%s%s%s", t->letter ? "-" : "  ",
                         t->letter ? t->letter : ' ', t->letter ? ", " : "  ", t->name,
                         t->arg ? " " : "", t->arg ? t->arg : "");
        if (!t->letter) /* "      --name": no short form */
            n = snprintf(left, sizeof left, "      --%s%s%s", t->name, t->arg ? " " : "",
                         t->arg ? t->arg : "");
        if (n >= HELP_COLUMN - 1)
            fprintf(f, "%s\n%*s", left, HELP_COLUMN, "");
        else
            fprintf(f, "%-*s", HELP_COLUMN, left);
        print_lines(f, t->help, HELP_COLUMN);
    }
}

void cli_help(const cli_cmd *c, FILE *f)
{
    fputs("usage: ", f);
    print_lines(f, c->usage, 7);
    if (c->about) {
        fputc('\n', f);
        fputs(c->about, f);
    }
    fputc('\n', f);
    help_table(f, c->opts);
    help_table(f, common_opts);
    if (c->notes) {
        fputc('\n', f);
        fputs(c->notes, f);
    }
}

void cli_version(FILE *f)
{
    fprintf(f, "mailslot %s\n", MAILSLOT_VERSION);
}
