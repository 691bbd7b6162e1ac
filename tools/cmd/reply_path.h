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
#include "mailslot/nmbd_unexpected.h"

typedef enum rp_way {
    RP_DAEMON,    /* through a running mailslotd */
    RP_NMBD,      /* from an ephemeral port; replies to 138 from nmbd's
                   * unexpected-packet socket */
    RP_RAW,       /* copies read from a raw socket (CAP_NET_RAW) */
    RP_BOUND,     /* port 138 bound alone, it being free */
    RP_EPHEMERAL, /* none of these: replies to 138 are lost */
    RP_CHOSEN     /* --sport said how */
} rp_way;

typedef struct rp_opts {
    const char *cmd;        /* "dcping" or "browse", for messages */
    bool user_sport;        /* --sport given: it wins, no daemon */
    bool user_from;         /* --from given: through mailslotd it must be
                             * one of the host's names */
    const char *nmbd_dir;   /* --nmbd-socket-dir, NULL: the default */
    bool not_nmbd_name;     /* the replies are \MAILSLOT\BROWSE ones, which
                             * nmbd keeps when they are addressed to one of
                             * its names: through nmbd without --from, send
                             * from a name of ours that nmbd does not hold */
} rp_opts;

typedef struct reply_path {
    rp_way way;
    char line[512];         /* which way, and what it means for replies */
    ms_nmbd_reader *nmbd;   /* RP_NMBD: read it while waiting, then close
                             * it (rp_close): nmbd blocks on a full reader */
    char nmbd_path[128];    /* its socket */
    char host_name[16];     /* RP_DAEMON: the daemon's host name; RP_NMBD
                             * with not_nmbd_name: ours, "HOST-B"; our
                             * source name unless --from */
} reply_path;

/* Open *c for target and slot with o, its source port chosen so that
 * replies to port 138 reach us, unless ro->user_sport (the user's --sport
 * wins). Through mailslotd without --from, o->from becomes the daemon's
 * host name (rp->host_name). Returns an exit status, having said why on
 * failure. */
int rp_open(const rp_opts *ro, const char *target, const char *slot, ms_client_opts *o,
            ms_client **c, reply_path *rp);

/* Stop reading nmbd's socket (when the replies are all in). */
void rp_close(reply_path *rp);

#endif
