/* SPDX-License-Identifier: MIT */
/* The one way every subcommand reports bad usage and failures. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "cli.h"
#include "mailslot/client.h"

void cli_error(const char *sub, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mailslot %s: ", sub);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_parse_port(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > 65535)
        return -1;
    return (int)v;
}

int cli_parse_sport(const char *s, int *out)
{
    if (!strcasecmp(s, "raw"))
        *out = MS_CLIENT_SPORT_RAW;
    else if (!strcasecmp(s, "ephemeral"))
        *out = MS_CLIENT_SPORT_EPHEMERAL;
    else if ((*out = cli_parse_port(s)) < 0)
        return -1;
    return 0;
}
