/* SPDX-License-Identifier: MIT */
/* One line per event: on standard error (in the foreground, and under
 * systemd, whose journal takes it), or to syslog once detached. */
#ifndef MD_LOG_H
#define MD_LOG_H

#include <stdbool.h>

void md_log_to_syslog(bool on);
void md_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
