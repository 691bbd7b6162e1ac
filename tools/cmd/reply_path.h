/* SPDX-License-Identifier: MIT */
/* How `dcping` and `browse` get the replies Windows sends to UDP port 138
 * whatever port asked (PROTOCOL.md §2.4, §7.1): the ways to get them, best
 * first, and the one line that says which way was taken or why none was
 * possible. */
#ifndef MS_TOOLS_REPLY_PATH_H
#define MS_TOOLS_REPLY_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "mailslot/client.h"

typedef enum rp_way {
    RP_DAEMON,    /* through a running mailslotd (not in this build yet) */
    RP_NMBD,      /* through nmbd's unexpected-packet socket (not yet) */
    RP_RAW,       /* copies read from a raw socket (CAP_NET_RAW) */
    RP_BOUND,     /* port 138 bound alone, it being free */
    RP_EPHEMERAL, /* none of these: replies to 138 are lost */
    RP_CHOSEN     /* --sport said how */
} rp_way;

typedef struct reply_path {
    rp_way way;
    char line[512];   /* which way, and what it means for replies */
} reply_path;

/* Open *c for target and slot with o, its source port chosen so that
 * replies to port 138 reach us, unless user_sport (the user's --sport
 * wins). Returns an exit status, having said why on failure. */
int rp_open(const char *cmd, const char *target, const char *slot, ms_client_opts *o,
            bool user_sport, ms_client **c, reply_path *rp);

#endif
