/* SPDX-License-Identifier: MIT */
/* The command-line side of the capture loop, as decode, check and hosts
 * share it: the option loop around dg_option (with -q, --color and -w),
 * the input, and standard output. */
#ifndef MS_TOOLS_DG_CLI_H
#define MS_TOOLS_DG_CLI_H

#include <stdbool.h>

#include "cli_opts.h"
#include "datagrams.h"

/* The key of --color in their tables: CLI_COLOR_OPT(DG_KEY_COLOR). */
enum { DG_KEY_COLOR = 350 };

typedef struct dg_cli {
    dg_options o;      /* o.sub: the command's name */
    bool quiet;        /* -q */
    const char *color; /* --color WHEN ("auto") */
} dg_cli;

/* A command's own option: true when key is one of them. */
typedef bool (*dg_cli_opt_fn)(dg_cli *a, int key, const char *arg, void *ctx);

/* dg_cli_options' answer when the command goes on. */
enum { DG_CLI_GO = -1 };

/* Clears a (UDP port 138, colour "auto") and reads cmd's options: -q,
 * --color, -w and dg_option's here, every other key through own.
 * DG_CLI_GO, or the exit status (--help, --version, a bad option). */
int dg_cli_options(dg_cli *a, const cli_cmd *cmd, int argc, char **argv, dg_cli_opt_fn own,
                   void *ctx);

/* After the command's own checks: the input (dg_take_input), --color for
 * standard output (*color) and, unless -q, the progress line. 0, or -1
 * after printing why (then the caller exits with EXIT_USAGE). */
int dg_cli_input(dg_cli *a, int argc, char **argv, bool *color);

/* Standard output fully buffered, in a large buffer: many short lines. */
void dg_cli_buffer_stdout(void);

/* Flushes standard output: EXIT_OK, or EXIT_SYSTEM after saying that
 * writing it failed. */
int dg_cli_flush_stdout(const char *sub);

#endif
