/* SPDX-License-Identifier: MIT */
/* mailslotd's log lines. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static bool to_syslog;

void md_log_to_syslog(bool on)
{
    if (on && !to_syslog)
        openlog("mailslotd", LOG_PID, LOG_DAEMON);
    to_syslog = on;
}

void md_log(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (to_syslog)
        syslog(LOG_INFO, "%s", line);
    else
        fprintf(stderr, "mailslotd: %s\n", line);
}
