/* SPDX-License-Identifier: MIT */
/* The ways replies to port 138 reach `dcping` and `browse`, best first
 * (reply_path.h): a running mailslotd (it owns 138 and hands us what
 * answers our request), nmbd's unexpected-packet socket when nmbd holds
 * 138 (as Samba's own clients read it), raw copies, or 138 itself when
 * nobody holds it. The first two work unprivileged and take nothing from
 * the program holding the port. */
#include "reply_path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "mailslot/daemon_link.h"
#include "mailslot/net.h"
#include "mailslot/raw_udp.h"

/* mailslotd answers: send through it, and it hands us the replies to our
 * reply mailslot or Token (client_daemon.c). */
static bool via_daemon(const rp_opts *ro, ms_client_opts *o, reply_path *rp)
{
    ms_daemon_hello h = { .size = sizeof h };
    char err[256];
    ms_status st = ms_daemon_probe(o->daemon_dir, o->daemon_timeout_ms, &h, err, sizeof err);
    if (st != MS_OK) {
        /* None runs (or not for us): quietly the next way. One that runs
         * but answers wrong is worth a word. */
        if (st != MS_ERR_NOT_FOUND && !(st == MS_ERR_SYSTEM && (errno == EACCES || errno == EPERM)))
            cli_error(ro->cmd, "mailslotd: %s; not going through it", err);
        return false;
    }
    rp->way = RP_DAEMON;
    o->daemon = MS_DAEMON_REQUIRE;
    o->sport = MS_CLIENT_SPORT_DEFAULT;
    if (!ro->user_from && h.nnames > 0) {
        /* The daemon sends only from names the host holds. */
        size_t n = strcspn(h.names[0], "<");
        snprintf(rp->host_name, sizeof rp->host_name, "%.*s", (int)(n < 15 ? n : 15), h.names[0]);
        o->from = rp->host_name;
    }
    snprintf(rp->line, sizeof rp->line, "sending through mailslotd (%.150s) from its port 138; "
             "replies to port 138 come back through it", h.path);
    return true;
}

/* nmbd holds 138 here: we send from an ephemeral port (nmbd's replies come
 * back to it) and read what nmbd passes on for the rest. A socket file
 * alone is not enough: an nmbd of another network namespace may have made
 * it, and then it never sees our replies. holder "" means /proc did not
 * say whose the port is (another user's process). */
static bool via_nmbd(const rp_opts *ro, const char *holder, ms_client_opts *o, reply_path *rp)
{
    if (holder[0] && strncmp(holder, "nmbd", 4))
        return false;
    if (ms_nmbd_socket_path(ro->nmbd_dir, rp->nmbd_path, sizeof rp->nmbd_path) != MS_OK)
        return false;
    struct stat sb;
    if (stat(rp->nmbd_path, &sb) != 0 || !S_ISSOCK(sb.st_mode))
        return false;
    ms_nmbd_opts no;
    ms_nmbd_opts_init(&no);
    no.socket_dir = ro->nmbd_dir;
    char err[256];
    if (ms_nmbd_reader_open(&no, &rp->nmbd, err, sizeof err) != MS_OK) {
        cli_error(ro->cmd, "nmbd's socket %s: %s", rp->nmbd_path, err);
        rp->nmbd = NULL;
        return false;
    }
    rp->way = RP_NMBD;
    o->daemon = MS_DAEMON_NEVER;
    o->sport = MS_CLIENT_SPORT_EPHEMERAL;
    bool renamed = ro->not_nmbd_name && !ro->user_from;
    if (renamed) {
        char host[16];
        ms_default_netbios_name(host);
        snprintf(rp->host_name, sizeof rp->host_name, "%.13s-B", o->from ? o->from : host);
        o->from = rp->host_name;
    }
    snprintf(rp->line, sizeof rp->line, "%s holds port 138: sending from an ephemeral port%s%s%s; "
             "replies to port 138 read from nmbd's unexpected-packet socket (%s)%s",
             holder[0] ? holder : "nmbd", renamed ? " as " : "", renamed ? rp->host_name : "",
             renamed ? "<00> (nmbd keeps browser replies to its own names)" : "",
             rp->nmbd_path, ro->not_nmbd_name && !renamed ? ", but nmbd keeps those addressed "
                                                            "to one of its names"
                                                          : "");
    return true;
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

/* Whether a UDP socket of this network namespace is bound to port 138:
 * /proc/net/udp is readable by anyone, though whose socket it is may not
 * be (ms_udp_port_holder then says nothing). */
static bool port_bound(void)
{
    FILE *f = fopen("/proc/net/udp", "r");
    if (!f)
        return false;
    char ln[256];
    bool bound = false;
    while (!bound && fgets(ln, sizeof ln, f)) {
        unsigned ip, port;
        bound = sscanf(ln, " %*u: %8x:%4x", &ip, &port) == 2 && port == MS_NBDS_PORT;
    }
    fclose(f);
    return bound;
}

/* The way, chosen before the client is opened (opening resolves names,
 * which should happen once). */
static void choose(const rp_opts *ro, reply_path *rp, ms_client_opts *o)
{
    char holder[128] = "";
    bool held = ms_udp_port_holder(MS_NBDS_PORT, holder, sizeof holder) == MS_OK || port_bound();
    const char *who = holder[0] ? holder : "another user's program";
    if (via_daemon(ro, o, rp) || (held && via_nmbd(ro, holder, o, rp)))
        return;
    o->daemon = MS_DAEMON_NEVER;
    if (can_raw()) {
        rp->way = RP_RAW;
        o->sport = MS_CLIENT_SPORT_RAW;
        snprintf(rp->line, sizeof rp->line, "replies to port 138 read as copies from a raw socket "
                 "(CAP_NET_RAW)%s%s%s", held ? "; " : "", held ? who : "",
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
                 "replies sent to port 138 cannot reach this command: no mailslotd answers, no "
                 "CAP_NET_RAW for a raw socket, port 138 %s%s%s. Only replies to the request's "
                 "own port are seen (nmbd's are; Windows' are not)",
                 held ? "is held by " : "needs CAP_NET_BIND_SERVICE", held ? who : "",
                 held && (!holder[0] || !strncmp(holder, "nmbd", 4)) ? ", no nmbd socket to read"
                                                                      : "");
    }
}

int rp_open(const rp_opts *ro, const char *target, const char *slot, ms_client_opts *o,
            ms_client **c, reply_path *rp)
{
    memset(rp, 0, sizeof *rp);
    if (ro->user_sport) {
        rp->way = RP_CHOSEN;
        o->daemon = MS_DAEMON_NEVER;
    } else {
        choose(ro, rp, o);
    }
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
    rp_close(rp);
    cli_error(ro->cmd, "%s", err);
    switch (st) {
    case MS_ERR_NOT_FOUND: return EXIT_NEGATIVE;
    case MS_ERR_INVALID_ARG: return EXIT_USAGE;
    default: return EXIT_SYSTEM;
    }
}

void rp_close(reply_path *rp)
{
    ms_nmbd_reader_close(rp->nmbd);
    rp->nmbd = NULL;
}
