/* SPDX-License-Identifier: MIT */
/* `listen` while mailslotd runs: become its client (a monitor, or the
 * creator of the mailslots named) or refuse, naming it; --direct keeps
 * the old way. Events and counters on stderr. */
#ifndef MS_LISTEN_DAEMON_H
#define MS_LISTEN_DAEMON_H

#include <stdbool.h>
#include <stdio.h>

#include "listen_names.h"
#include "mailslot/daemon_link.h"
#include "mailslot/server.h"

typedef struct listen_daemon {
    bool direct;             /* --direct: never through the daemon */
    bool via;                /* decided: through the daemon */
    ms_daemon_hello hello;   /* what it said (when via) */
} listen_daemon;

/* Before the server opens: is mailslotd there, and can this run go
 * through it? Sets so->daemon (and so's callback). what: the option that
 * cannot go with it ("--port", "--bind") or NULL. An exit status. */
int ld_decide(listen_daemon *ld, ms_server_opts *so, const char *what,
              const listen_names *names);
/* One line on stderr saying which way this run goes. */
void ld_announce(const listen_daemon *ld, size_t nslots, size_t nlocal);
/* The daemon would not create what (a mailslot, "the monitor"): say why
 * in its words. EXIT_SYSTEM. */
int ld_refused(const listen_daemon *ld, const ms_server *srv, const char *what, ms_status st);
/* --stats: what came through the daemon (nothing in direct mode). */
void ld_print_stats(const listen_daemon *ld, const ms_server *srv, FILE *f);

#endif
