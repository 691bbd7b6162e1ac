/* SPDX-License-Identifier: MIT */
/* One option table per subcommand: getopt_long's tables, --help and the
 * bash completion are all made from it, so they cannot disagree. */
#ifndef MS_TOOLS_CLI_OPTS_H
#define MS_TOOLS_CLI_OPTS_H

#include <getopt.h> /* optarg, optind for the callers */
#include <stdio.h>

typedef struct cli_opt {
    const char *name;     /* long name; NULL ends the table */
    int key;              /* what cli_next returns: the short letter when
                           * `letter` is set, else any distinct code */
    char letter;          /* the short form (-r), 0 for none */
    const char *arg;      /* the argument's name in --help; NULL: none */
    const char *help;     /* '\n' starts a continuation line */
    const char *complete; /* completion of the argument: "file", "dir", "iface",
                           * or a word list "a b c"; NULL: nothing */
} cli_opt;

typedef struct cli_cmd {
    const char *name;     /* decode, check, ... */
    const char *summary;  /* one line, for `mailslot --help` */
    const char *usage;    /* the usage lines after "usage: " */
    const char *about;    /* text between the usage and the options */
    const cli_opt *opts;  /* -h and -V are added to every table */
    const char *notes;    /* text after the options (exit status, ...) */
    const char *operands; /* completion of operands: "file" or NULL */
} cli_cmd;

/* Keys of the options every subcommand has. */
enum { CLI_KEY_HELP = 'h', CLI_KEY_VERSION = 'V' };

/* cli_next's results besides an option's key. */
enum {
    CLI_END = 0,      /* options done; operands start at optind */
    CLI_EXIT_OK = -1, /* --help or --version printed: exit 0 */
    CLI_BAD = -2      /* a bad option, already reported: exit 2 */
};

/* getopt_long over the command's table (+ -h/--help, -V/--version, which
 * it answers itself). optarg and optind as getopt leaves them. The first
 * call of a run resets getopt. */
int cli_next(const cli_cmd *c, int argc, char **argv);

void cli_help(const cli_cmd *c, FILE *f);
void cli_version(FILE *f);

/* `mailslot completion bash`: a bash completion script for every command
 * of cmds (NULL-terminated, in the order `mailslot --help` lists them). */
int cmd_completion(const cli_cmd *const *cmds, int argc, char **argv);

#endif
