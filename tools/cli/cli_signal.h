/* SPDX-License-Identifier: MIT */
/* SIGINT/SIGTERM for the commands that read or write files: the loops stop
 * at the next datagram, the command prints its counters and drops the
 * output file it had not finished (cli_outfile_abort). */
#ifndef MS_TOOLS_CLI_SIGNAL_H
#define MS_TOOLS_CLI_SIGNAL_H

#include <signal.h>

#include "mailslot/capture.h"

/* 0, or the number of the signal that asked us to stop. */
extern volatile sig_atomic_t cli_stop_signal;

/* Install the handlers (no SA_RESTART: a blocked read returns). A capture
 * given here is woken by the handler (live captures block in libpcap). */
void cli_signals_install(ms_capture *wake);

/* Wake the capture given to cli_signals_install after `seconds` (a live
 * capture's --timeout); it then ends as at a signal, but not interrupted. */
void cli_alarm_after(double seconds);

/* The exit status after a stop by signal: 128 + its number. */
int cli_signal_status(void);

#endif
