/* SPDX-License-Identifier: MIT */
/* `listen --register`: the name service on the server's loop, its events
 * on stderr (and in --json output), its counters for --stats. */
#ifndef MS_LISTEN_NAMES_H
#define MS_LISTEN_NAMES_H

#include <stdbool.h>
#include <stdio.h>

#include "json_out.h"
#include "mailslot/name_service.h"
#include "mailslot/net.h"

#define LISTEN_MAX_NAMES MS_NAME_SERVICE_MAX_NAMES

typedef struct listen_names {
    const char *text[LISTEN_MAX_NAMES];  /* as given */
    bool group[LISTEN_MAX_NAMES];
    size_t n;
    uint32_t wins_ip;                    /* --wins, 0 = none */
    bool ignore_conflict_demand;
    bool json;                           /* events also as JSON objects */
    json_out *j;
    ms_name_service *ns;
} listen_names;

/* One --register / --register-group argument (kept, parsed at open). */
int ln_add(listen_names *ln, const char *text, bool group);
/* Bind UDP 137 and start registering every name, on loop. our_ip: the
 * address registered; bind_ip: 0 to hear broadcasts. An exit status. */
int ln_open(listen_names *ln, ms_loop *loop, const ms_iface *ifc, uint32_t bind_ip,
            uint32_t our_ip);
/* Wait until every name is registered: EXIT_OK, 4 when one was refused
 * (the event said why), or -1 when a signal stopped the wait. */
int ln_wait(listen_names *ln);
void ln_print_stats(const listen_names *ln, FILE *f);
/* Release every name and close (NULL service allowed). */
void ln_close(listen_names *ln);

#endif
