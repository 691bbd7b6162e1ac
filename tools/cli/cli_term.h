/* SPDX-License-Identifier: MIT */
/* What a terminal gets that a pipe does not: colour and a progress line. */
#ifndef MS_TOOLS_CLI_TERM_H
#define MS_TOOLS_CLI_TERM_H

#include <stdbool.h>
#include <stdio.h>

/* --color=WHEN for output f: 1 colour, 0 none, -1 WHEN is not auto,
 * always or never. auto: f is a terminal, NO_COLOR is unset or empty and
 * TERM is not "dumb". */
int cli_color_choice(const char *when, FILE *f);

/* The --color entry of an option table (cli_opts.h), with its key. */
#define CLI_COLOR_OPT(key)                                                              \
    { "color", (key), 0, "WHEN", "colour the text: auto (a terminal, no NO_COLOR),\nalways, never", \
      "auto always never" }

/* A progress line on stderr: stderr is a terminal and stdout is not (the
 * output would scroll it away). */
bool cli_progress_wanted(void);

#endif
