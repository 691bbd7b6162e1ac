/* SPDX-License-Identifier: MIT */
/* Beside Samba (mailslotd(8), "BESIDE SAMBA"). The rule: mailslotd binds
 * UDP 138 without sharing it; when another program holds the port and
 * nmbd's unexpected-packet socket answers (nmbd may be restarting: a
 * socket file that refuses is tried for a few seconds), the daemon runs
 * beside nmbd for as long as it runs:
 *   - it binds neither 137 nor 138 and registers no name: the host's
 *     names are nmbd's, learnt by node status (nmbd_names.h);
 *   - it receives what nmbd passes on (nmbd_src.h) and pushes it through
 *     the same pipeline and routing as the socket's datagrams (VIA 1);
 *   - it sends from a UDP port of its own (unprivileged): replies to that
 *     port come to it directly, replies to 138 through nmbd;
 *   - when nmbd goes away it connects again when nmbd is back, and never
 *     takes the ports meanwhile (nmbd could not start again).
 * A record of a layout we do not know stops the daemon (exit 1). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "md.h"
#include "run.h"
#include "values.h"

/* A socket file that refuses: nmbd restarting. Tried this long. */
#define RESTART_WAIT_MS 5000
#define NAMES_TICK_MS 2000        /* asking again while nmbd lists no name */
#define NAMES_REFRESH_TICKS 30    /* then once a minute */
#define NAMES_TIMEOUT_MS 300      /* the loop waits at most this long */
#define NAMES_FAST_TICKS 10       /* after a (re)start: every tick for 20 s */

static void on_dgram(void *ctx, const ms_udp_dgram *g)
{
    md *d = ctx;
    md_rx_dgram in = { g->buf, g->len, g->orig_len, g->src_ip, 0, g->src_port, MS_NBDS_PORT,
                       0, g->time_ns, MS_CTL_VIA_NMBD };
    md_rx_push(d, &in);
    md_clients_sweep(d);
}

static void names_text(const md_name_set *set, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < set->count; i++) {
        char t[24];
        size_t len = strlen(out);
        md_nbname_text(set->n[i].raw, t, sizeof t);
        snprintf(out + len, cap - len, "%s%s%s", i ? ", " : "", t, set->n[i].group ? " (group)" : "");
    }
}

/* Ask nmbd for its names; log when they change. */
static void ask_names(md *d)
{
    if (!d->names.nifs)
        return;
    md_nmbd_names nn;
    char err[200];
    if (md_nmbd_names_query(d->names.ifs[0].ifc.addr, d->cli.name_port, NAMES_TIMEOUT_MS, d->host,
                            &nn, err, sizeof err) != MS_OK)
        return; /* asked again at the next tick while nothing is known */
    /* An nmbd that has just started lists no active name for a few
     * seconds: its names are still the host's. */
    if (!nn.set.count && d->names.held.count)
        return;
    if (nn.set.count == d->names.held.count &&
        !memcmp(&nn.set, &d->names.held, sizeof nn.set) && !memcmp(nn.host, d->host, 16))
        return;
    d->names.held = nn.set;
    memcpy(d->host, nn.host, 16);
    if (nn.workgroup[0])
        memcpy(d->names.workgroup, nn.workgroup, sizeof d->names.workgroup);
    char line[600], host[24];
    names_text(&nn.set, line, sizeof line);
    md_nbname_text(d->host, host, sizeof host);
    md_log("nmbd's names, the host's for routing: %s; sending as %s", line[0] ? line : "none yet",
           host);
}

static void on_names_tick(void *ctx)
{
    md *d = ctx;
    bool fast = d->nmbd_names_fast > 0;
    if (fast)
        d->nmbd_names_fast--;
    if (fast || !d->names.held.count || ++d->nmbd_names_ticks >= NAMES_REFRESH_TICKS) {
        d->nmbd_names_ticks = 0;
        ask_names(d);
    }
}

static void on_event(void *ctx, md_nmbd_event ev, ms_status st, const char *text)
{
    md *d = ctx;
    (void)st;
    if (ev == MD_NMBD_LOST) {
        md_log("nmbd closed its unexpected-packet socket %s: connecting again when it is back",
               d->nmbd.path);
    } else if (ev == MD_NMBD_BACK) {
        md_log("nmbd's unexpected-packet socket %s answers again", text);
        /* smb.conf may have changed, and nmbd registers its names one
         * by one: ask at every tick for a while (the names known stay
         * until nmbd lists active ones). */
        d->nmbd_names_fast = NAMES_FAST_TICKS;
    } else {
        md_log("nmbd's unexpected-packet socket %s: %s: stopping", d->nmbd.path, text);
        d->fatal = true;
        ms_loop_stop(d->loop);
    }
}

static bool socket_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISSOCK(sb.st_mode);
}

/* Connect to nmbd: at once, or for a few seconds while the socket file is
 * there but nobody accepts. */
static ms_status find_nmbd(md *d, char *err, size_t errlen)
{
    md_nmbd_src *s = &d->nmbd;
    s->on_dgram = on_dgram;
    s->on_event = on_event;
    s->ctx = d;
    uint64_t end = ms_monotonic_ns() + (uint64_t)RESTART_WAIT_MS * 1000000u;
    for (;;) {
        ms_status st = md_nmbd_src_open(s, d->loop, d->set.nmbd_dir, 2000, err, errlen);
        if (st != MS_ERR_NOT_FOUND || !socket_file(s->path) || ms_monotonic_ns() >= end ||
            md_got_term)
            return st;
        struct timespec ts = { 0, 200000000 };
        nanosleep(&ts, NULL);
    }
}

ms_status md_beside_start(md *d, const char *held_err_in, char *err, size_t errlen)
{
    char why[300], held_err[200];
    snprintf(held_err, sizeof held_err, "%s", held_err_in);
    char *cut = strstr(held_err, ": mailslotd cannot");
    if (cut)
        *cut = '\0';
    ms_status st = find_nmbd(d, why, sizeof why);
    if (st == MS_ERR_VERSION) {
        snprintf(err, errlen, "%s; nmbd's socket %s: %s", held_err, d->nmbd.path, why);
        return st;
    }
    if (st != MS_OK) { /* no nmbd: the port's holder is all there is to say */
        if (socket_file(d->nmbd.path))
            snprintf(err, errlen, "%s (and nmbd's socket %s: %s)", held_err_in, d->nmbd.path, why);
        else
            snprintf(err, errlen, "%s", held_err_in);
        return MS_ERR_EXISTS;
    }
    d->beside = true;
    st = md_rx_open(d, err, errlen);
    if (st == MS_OK)
        st = md_names_ifaces(&d->names, &d->set, d->host, err, errlen);
    if (st == MS_OK &&
        ms_loop_add_timer(d->loop, NAMES_TICK_MS, NAMES_TICK_MS, on_names_tick, d,
                          &d->nmbd_names_timer) != MS_OK) {
        snprintf(err, errlen, "out of memory");
        st = MS_ERR_NO_MEMORY;
    }
    if (st != MS_OK)
        return st;
    md_log("beside nmbd: %s; receiving through %s, sending from UDP %u, the names are nmbd's",
           held_err, d->nmbd.path, d->port);
    d->nmbd_names_fast = NAMES_FAST_TICKS; /* nmbd may have just started */
    ask_names(d);
    return MS_OK;
}

void md_beside_stop(md *d)
{
    if (!d->beside)
        return;
    ms_loop_remove(d->nmbd_names_timer);
    d->nmbd_names_timer = NULL;
    md_nmbd_src_close(&d->nmbd);
}
