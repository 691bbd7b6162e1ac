/* SPDX-License-Identifier: MIT */
/* UDP 138: read in batches, push each datagram through the receive
 * pipeline (decoded once, NBDS fragments reassembled, repeats dropped),
 * route each clean mailslot write and deliver it. md_rx_push is where any
 * other source of datagrams (nmbd's unexpected-packet socket) joins. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "md.h"

#define RX_CAP 65536
#define TICK_MS 1000
#define SUMMARY_TICKS 60
#define DEDUP_WINDOW_MS 2000

static void deliver(md *d, const ms_rx_item *it, const md_target *t)
{
    md_client *c = t->slot ? t->slot->owner : md_client_by_id(d, t->client);
    if (!c || c->dead)
        return;
    md_qacct *acct = t->slot ? &t->slot->q : &c->replies;
    const ms_trans *tr = &it->m->trans;
    ms_ctl_msg m;
    ms_ctl_init(&m, MS_CTL_DELIVER);
    m.slot = (ms_bytes){ tr->name.p, tr->name.len };
    m.datagram = (ms_bytes){ it->d->payload, it->d->len };
    m.src_ip = it->d->ip_src;
    m.src_port = it->d->sport;
    m.dst_ip = it->d->ip_dst;
    m.dst_port = it->d->dport;
    m.time_ns = d->cur.time_ns;
    m.ifindex = d->cur.ifindex > 0 ? (uint32_t)d->cur.ifindex : 0;
    m.via = d->cur.via;
    m.flags = t->flags;
    m.dropped = acct->dropped;
    m.have = MS_CTL_BIT(MS_CTL_A_SLOT) | MS_CTL_BIT(MS_CTL_A_DATAGRAM) |
             MS_CTL_BIT(MS_CTL_A_SRC_IP) | MS_CTL_BIT(MS_CTL_A_SRC_PORT) |
             MS_CTL_BIT(MS_CTL_A_DST_IP) | MS_CTL_BIT(MS_CTL_A_DST_PORT) |
             MS_CTL_BIT(MS_CTL_A_TIME_NS) | MS_CTL_BIT(MS_CTL_A_VIA) |
             MS_CTL_BIT(MS_CTL_A_DROPPED) | (m.ifindex ? MS_CTL_BIT(MS_CTL_A_IFINDEX) : 0) |
             (m.flags ? MS_CTL_BIT(MS_CTL_A_FLAGS) : 0);
    ms_status st = md_client_put(c, acct, &m);
    if (st == MS_ERR_TOO_MANY || st == MS_ERR_NO_MEMORY)
        d->n.queue_full++;
    else if (st == MS_OK && (t->flags & MS_CTL_F_COPY))
        d->n.monitor_copies++;
    else if (st == MS_OK && (t->flags & MS_CTL_F_REPLY))
        d->n.token_replies++;
    else if (st == MS_OK)
        d->n.delivered++;
}

static void on_item(void *ctx, const ms_rx_item *it)
{
    md *d = ctx;
    if (it->verdict != MS_RX_WRITE || !it->m)
        return;
    d->n.writes++;
    md_target t[MD_MAX_TARGETS];
    md_verdict v;
    size_t n = md_route(it->m, &d->names.held, &d->slots, &d->tokens, ms_monotonic_ns(), t, &v);
    if (v == MD_NO_MAILSLOT)
        d->n.no_mailslot++;
    else if (v == MD_NOT_OURS)
        d->n.not_ours++;
    for (size_t i = 0; i < n; i++)
        deliver(d, it, &t[i]);
}

void md_rx_push(md *d, const md_rx_dgram *g)
{
    d->n.datagrams++;
    if (g->via == MS_CTL_VIA_NMBD)
        d->n.via_nmbd++;
    d->cur = (md_rx_ctx){ g->ifindex, g->via, g->time_ns ? g->time_ns : ms_realtime_ns() };
    ms_udp_datagram u;
    memset(&u, 0, sizeof u);
    u.frame = ++d->frame;
    u.ts_sec = (int64_t)(d->cur.time_ns / 1000000000u);
    u.ts_nsec = (uint32_t)(d->cur.time_ns % 1000000000u);
    u.ip_src = g->src_ip;
    u.ip_dst = g->dst_ip;
    u.sport = g->src_port;
    u.dport = g->dst_port;
    u.payload = g->payload;
    u.len = g->len;
    u.orig_len = g->orig_len > g->len ? g->orig_len : g->len;
    u.udp_length = (uint16_t)(u.orig_len + 8 > 65535 ? 65535 : u.orig_len + 8);
    u.truncated = u.orig_len > u.len;
    ms_pipeline_push(d->pipe, &u, ms_monotonic_ns());
}

/* Served: any interface when none was named, else those named (and
 * loopback, where only this host's programs write). */
static bool served(const md *d, const ms_udp_dgram *g)
{
    if (!d->set.nifaces || (g->dst_ip >> 24) == 127)
        return true;
    for (size_t i = 0; i < d->names.nifs; i++)
        if (d->names.ifs[i].ifc.index == g->ifindex)
            return true;
    return false;
}

static void on_readable(void *ctx, int fd, unsigned events)
{
    (void)events;
    md *d = ctx;
    for (int b = 0; b < MD_RX_BATCHES; b++) {
        size_t got = 0;
        if (ms_udp_recv_batch(fd, d->rx, MD_RX_BATCH, &got) != MS_OK || got == 0)
            break;
        for (size_t i = 0; i < got; i++) {
            const ms_udp_dgram *g = &d->rx[i];
            if (!served(d, g)) {
                d->n.other_iface++;
                continue;
            }
            md_rx_dgram in = { g->buf, g->len, g->orig_len, g->src_ip, g->dst_ip,
                               g->src_port, d->port, g->ifindex, g->time_ns,
                               MS_CTL_VIA_SOCKET };
            md_rx_push(d, &in);
        }
        if (got < MD_RX_BATCH)
            break;
    }
    md_clients_sweep(d);
}

/* Once a minute, when something was dropped: one line. */
static void summary(md *d)
{
    uint64_t now[3] = { d->n.no_mailslot, d->n.queue_full, d->qb.over };
    if (!memcmp(now, d->summary_drops, sizeof now))
        return;
    md_log("dropped in the last minute: %llu for mailslots nobody created, %llu on full "
           "queues (%llu over the daemon's queue bound)",
           (unsigned long long)(now[0] - d->summary_drops[0]),
           (unsigned long long)(now[1] - d->summary_drops[1]),
           (unsigned long long)(now[2] - d->summary_drops[2]));
    memcpy(d->summary_drops, now, sizeof now);
}

static void on_tick(void *ctx)
{
    md *d = ctx;
    static unsigned ticks;
    uint64_t now = ms_monotonic_ns();
    ms_pipeline_expire(d->pipe, now);
    md_tokens_expire(&d->tokens, now);
    if (++ticks % SUMMARY_TICKS == 0)
        summary(d);
}

static ms_status bind_port(md *d, char *err, size_t errlen)
{
    ms_udp_opts o;
    ms_udp_opts_init(&o);
    o.port = d->beside ? 0 : d->port; /* beside nmbd: a port of our own */
    o.broadcast = true;
    o.pktinfo = true;
    o.rcvbuf = (int)d->set.rcvbuf;
    o.nonblock = true;
    /* No SO_REUSEADDR: a program bound to one address of the port (nmbd
     * binds each interface's) must make this bind fail, not share it. */
    char why[256];
    uint32_t any;
    if (ms_udp_open(&o, &d->fd, why, sizeof why) == MS_OK) {
        /* Linux reports twice what it grants (its bookkeeping share). */
        int got = 0;
        socklen_t gl = sizeof got;
        if (getsockopt(d->fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) == 0 && got / 2 < o.rcvbuf)
            md_log("UDP %u: receive buffer %d octets, not the %d asked for (net.core.rmem_max "
                   "caps it without CAP_NET_ADMIN)",
                   d->port, got / 2, o.rcvbuf);
        return d->beside ? ms_udp_local(d->fd, &any, &d->port) : MS_OK;
    }
    int e = errno;
    char holder[128] = "";
    if (e == EADDRINUSE) {
        if (ms_udp_port_holder(d->port, holder, sizeof holder) != MS_OK)
            snprintf(holder, sizeof holder, "another program");
        snprintf(err, errlen, "UDP %u is held by %s: mailslotd cannot run beside it", d->port,
                 holder);
        return MS_ERR_EXISTS;
    }
    snprintf(err, errlen, "%s", why);
    return MS_ERR_SYSTEM;
}

ms_status md_rx_open(md *d, char *err, size_t errlen)
{
    ms_status st = bind_port(d, err, errlen);
    if (st != MS_OK)
        return st;
    d->rx = calloc(MD_RX_BATCH, sizeof *d->rx);
    d->rxbuf = malloc((size_t)MD_RX_BATCH * RX_CAP);
    if (!d->rx || !d->rxbuf) {
        snprintf(err, errlen, "out of memory");
        return MS_ERR_NO_MEMORY;
    }
    for (size_t i = 0; i < MD_RX_BATCH; i++) {
        d->rx[i].buf = d->rxbuf + i * RX_CAP;
        d->rx[i].cap = RX_CAP;
    }
    ms_pipeline_opts po;
    ms_pipeline_opts_init(&po);
    po.dedup_window_ms = DEDUP_WINDOW_MS;
    st = ms_pipeline_new(&po, on_item, d, &d->pipe, err, errlen);
    if (st == MS_OK &&
        (ms_loop_add_fd(d->loop, d->fd, MS_LOOP_IN, on_readable, d, &d->fd_watch) != MS_OK ||
         ms_loop_add_timer(d->loop, TICK_MS, TICK_MS, on_tick, d, &d->tick) != MS_OK)) {
        snprintf(err, errlen, "out of memory");
        st = MS_ERR_NO_MEMORY;
    }
    return st;
}

void md_rx_close(md *d)
{
    ms_loop_remove(d->fd_watch);
    ms_loop_remove(d->tick);
    d->fd_watch = d->tick = NULL;
    ms_pipeline_free(d->pipe);
    d->pipe = NULL;
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    free(d->rx);
    free(d->rxbuf);
    d->rx = NULL;
    d->rxbuf = NULL;
}
