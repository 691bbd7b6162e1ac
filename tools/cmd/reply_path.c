/* SPDX-License-Identifier: MIT */
/* The ways replies to port 138 reach `dcping` and `browse`, best first
 * (reply_path.h). mailslotd and nmbd's unexpected-packet socket would take
 * nothing from anyone and work unprivileged; their readers come with the
 * daemon link and the nmbd socket reader, and slot in at via_daemon() and
 * via_nmbd(). Until then: raw copies, or 138 itself when nobody holds it. */
#include "reply_path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mailslot/net.h"
#include "mailslot/raw_udp.h"

/* A running mailslotd would hand us the datagrams for our reply mailslot.
 * Hook: false until the library can ask it (then: set the client to use
 * it and describe it in rp->line). */
static bool via_daemon(reply_path *rp)
{
    (void)rp;
    return false;
}

/* nmbd queues datagrams it does not handle on its unexpected-packet
 * socket, as Samba's own clients read them. Hook, as via_daemon. */
static bool via_nmbd(const char *holder, reply_path *rp)
{
    (void)holder;
    (void)rp;
    return false;
}

static bool can_raw(void)
{
    int fd;
    char err[64];
    if (ms_raw_udp_open_recv(MS_NBDS_PORT, &fd, err, sizeof err) != MS_OK)
        return false;
    close(fd);
    return true;
}

/* Port 138 free, and ours to bind (root or CAP_NET_BIND_SERVICE). */
static bool can_bind_138(void)
{
    ms_udp_opts uo;
    ms_udp_opts_init(&uo);
    uo.port = MS_NBDS_PORT;
    int fd;
    char err[64];
    if (ms_udp_open(&uo, &fd, err, sizeof err) != MS_OK)
        return false;
    close(fd);
    return true;
}

/* The way, chosen before the client is opened (opening resolves names,
 * which should happen once). */
static void choose(reply_path *rp, ms_client_opts *o)
{
    char holder[128] = "";
    bool held = ms_udp_port_holder(MS_NBDS_PORT, holder, sizeof holder) == MS_OK;
    if (via_daemon(rp) || (held && via_nmbd(holder, rp)))
        return;
    if (can_raw()) {
        rp->way = RP_RAW;
        o->sport = MS_CLIENT_SPORT_RAW;
        snprintf(rp->line, sizeof rp->line, "replies to port 138 read as copies from a raw socket "
                 "(CAP_NET_RAW)%s%s%s", held ? "; " : "", held ? holder : "",
                 held ? " keeps its datagrams" : "");
    } else if (!held && can_bind_138()) {
        rp->way = RP_BOUND;
        o->sport = MS_NBDS_PORT;
        snprintf(rp->line, sizeof rp->line, "replies to port 138 read on port 138, bound while "
                 "this runs (nobody else held it)");
    } else {
        rp->way = RP_EPHEMERAL;
        o->sport = MS_CLIENT_SPORT_EPHEMERAL;
        snprintf(rp->line, sizeof rp->line,
                 "replies sent to port 138 cannot reach this command: no CAP_NET_RAW for a raw "
                 "socket, and port 138 %s%s; no mailslotd or nmbd reader in this build. Only "
                 "replies to the request's own port are seen (nmbd's are; Windows' are not)",
                 held ? "is held by " : "needs CAP_NET_BIND_SERVICE",
                 held ? (holder[0] ? holder : "another program") : "");
    }
}

int rp_open(const char *cmd, const char *target, const char *slot, ms_client_opts *o,
            bool user_sport, ms_client **c, reply_path *rp)
{
    memset(rp, 0, sizeof *rp);
    if (user_sport)
        rp->way = RP_CHOSEN;
    else
        choose(rp, o);
    char err[512] = "";
    ms_status st = ms_client_open(target, slot, o, c, err, sizeof err);
    if (st == MS_OK) {
        const ms_client_info *in = ms_client_get_info(*c);
        if (rp->way == RP_CHOSEN)
            snprintf(rp->line, sizeof rp->line, "%s%s", in->note,
                     in->sport != MS_NBDS_PORT ? "; replies Windows sends to port 138 do not "
                                                 "reach this command"
                                               : "");
        return EXIT_OK;
    }
    cli_error(cmd, "%s", err);
    switch (st) {
    case MS_ERR_NOT_FOUND: return EXIT_NEGATIVE;
    case MS_ERR_INVALID_ARG: return EXIT_USAGE;
    default: return EXIT_SYSTEM;
    }
}
