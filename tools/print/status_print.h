/* SPDX-License-Identifier: MIT */
/* What `mailslot status` prints: mailslotd's STATUS object as text (the
 * daemon, its names, mailslots and counters), or the object itself. */
#ifndef MS_TOOLS_STATUS_PRINT_H
#define MS_TOOLS_STATUS_PRINT_H

#include <stddef.h>
#include <stdio.h>

/* The object (len octets of JSON) as text. -1 when it does not parse or
 * lacks the daemon's keys (err says why). */
int status_print_text(FILE *f, const char *json, size_t len, char *err, size_t errlen);

#endif
