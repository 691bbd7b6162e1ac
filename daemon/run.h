/* SPDX-License-Identifier: MIT */
/* mailslotd's life: start (bind, register, drop privilege, listen), run
 * until a signal, read the configuration again on SIGHUP, stop (release
 * the names, remove the control socket). */
#ifndef MD_RUN_H
#define MD_RUN_H

#include <signal.h>

#include "md.h"

/* Set by the signal handlers; the loop is stopped so that they are seen. */
extern volatile sig_atomic_t md_got_term, md_got_hup;
/* The loop a signal stops (from the moment md_start made it). */
extern ms_loop *volatile md_signal_loop;

/* Everything up to a running daemon; on failure err says what (and *d is
 * stopped). Exit status 1 or 2 in *rc for the caller. */
ms_status md_start(md *d, const md_cli *cli, const md_settings *set, char *err, size_t errlen,
                   int *rc);
/* Until SIGTERM or SIGINT (MS_OK), or an error of the loop. */
ms_status md_run(md *d);
/* Read the configuration file again and apply what can change while
 * running (names, workgroup, queue); say what cannot. */
void md_reload(md *d);
void md_stop(md *d);

#endif
