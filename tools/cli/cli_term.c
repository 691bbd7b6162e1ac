/* SPDX-License-Identifier: MIT */
#include "cli_term.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_color_choice(const char *when, FILE *f)
{
    if (!strcmp(when, "always"))
        return 1;
    if (!strcmp(when, "never"))
        return 0;
    if (strcmp(when, "auto") != 0)
        return -1;
    const char *no = getenv("NO_COLOR"); /* https://no-color.org */
    const char *term = getenv("TERM");
    if (no && *no)
        return 0;
    if (!term || !strcmp(term, "dumb"))
        return 0;
    return isatty(fileno(f)) ? 1 : 0;
}

bool cli_progress_wanted(void)
{
    return isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO);
}
