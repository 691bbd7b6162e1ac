/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for mailslotd's configuration file parser
 * (daemon/conf.c): any octets parse or are refused with "line N: ..." for
 * a line the input has; what parses holds values within their bounds; the
 * error text always fits its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    static md_conf c;
    char err[200];
    memset(err, 'x', sizeof err);
    ms_status st = md_conf_parse((const char *)d, n, &c, err, sizeof err);
    if (st == MS_OK) {
        if (c.nnames > MD_MAX_NAMES || c.nifaces > MD_MAX_IFACES)
            abort();
        if (c.line_queue && (c.queue < 1 || c.queue > MD_QUEUE_MAX))
            abort();
        for (size_t i = 0; i < c.nnames; i++)
            for (size_t k = 0; k < 15; k++)
                if (c.names[i][k] < 0x20 || c.names[i][k] >= 0x7F ||
                    (c.names[i][k] >= 'a' && c.names[i][k] <= 'z'))
                    abort();
        for (size_t i = 0; i < c.nifaces; i++)
            if (!memchr(c.ifaces[i], '\0', sizeof c.ifaces[i]) || !c.ifaces[i][0])
                abort();
        if (strlen(c.workgroup) > 15 || strlen(c.user) > MD_USER_MAX)
            abort();
        return 0;
    }
    if (!memchr(err, '\0', sizeof err))
        abort();
    if (st == MS_ERR_TOO_BIG)
        return n > MD_CONF_MAX_BYTES ? 0 : (abort(), 0);
    if (st != MS_ERR_BAD_INPUT || strncmp(err, "line ", 5) != 0)
        abort();
    /* The line named is one the input has. */
    unsigned long line = strtoul(err + 5, NULL, 10);
    unsigned long lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += d[i] == '\n';
    if (line < 1 || line > lines)
        abort();
    return 0;
}
