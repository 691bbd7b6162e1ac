/* SPDX-License-Identifier: MIT */
/* The client's source port (client.h, "The source port"): never a share
 * of a port another program holds. Linux gives each unicast datagram to
 * one UDP socket, so sharing 138 with nmbd or a listener would take their
 * datagrams; holding it alone would keep them from starting. So: a raw
 * socket that binds no port (CAP_NET_RAW), or a port of our own. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client_sock.h"

static bool connect_to(int fd, uint32_t ip, uint16_t port)
{
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(ip);
    sa.sin_port = htons(port);
    return connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
}

/* From 138 through a raw socket bound to our address (the route's when
 * SOURCE_IP is set to one that is not ours: the pseudo-header must name
 * the address the packet leaves with); replies through a second raw
 * socket unless send_only. */
static ms_status open_raw(client_sock *s, const ms_client_opts *o, const ms_client_info *in,
                          char *err, size_t errlen)
{
    uint32_t src = in->src_ip;
    if (!src && ms_net_route_src(in->dst_ip, &src) != MS_OK) {
        snprintf(err, errlen, "no source address for a raw socket (no route to the "
                              "destination)");
        errno = EADDRNOTAVAIL;
        return MS_ERR_SYSTEM;
    }
    ms_status st = ms_raw_udp_open_send(src, &s->fd, err, errlen);
    if (st != MS_OK && errno == EADDRNOTAVAIL && ms_net_route_src(in->dst_ip, &src) == MS_OK)
        st = ms_raw_udp_open_send(src, &s->fd, err, errlen);
    if (st != MS_OK)
        return st;
    if (!o->send_only && (st = ms_raw_udp_open_recv(MS_NBDS_PORT, &s->rx, err, errlen)) != MS_OK) {
        int e = errno;
        close(s->fd);
        s->fd = -1;
        errno = e;
        return st;
    }
    ms_iface ifc;
    char e2[8];
    bool have = ms_net_iface_by_addr(src, &ifc, e2, sizeof e2) == MS_OK;
    s->filter = (ms_raw_udp_filter){ MS_NBDS_PORT, src, have ? ifc.bcast : 0 };
    s->connected = o->send_only && connect_to(s->fd, in->dst_ip, 0);
    s->route = (ms_raw_udp_route){ src, MS_NBDS_PORT, in->dst_ip, in->dport, s->connected };
    s->mode = MS_SPORT_MODE_RAW;
    return MS_OK;
}

/* A UDP socket on `port` (0: the kernel picks), never SO_REUSEADDR,
 * bound to our own address when we have one. Blocking sends: a burst
 * waits for room instead of failing with EAGAIN; receives use
 * MSG_DONTWAIT. */
static ms_status open_udp(client_sock *s, const ms_client_opts *o, const ms_client_info *in,
                          uint16_t port, char *err, size_t errlen)
{
    ms_udp_opts uo;
    ms_udp_opts_init(&uo);
    uo.broadcast = true;
    uo.pktinfo = true;
    uo.port = port;
    uo.addr = in->src_ip;
    ms_status st = ms_udp_open(&uo, &s->fd, err, errlen);
    if (st != MS_OK && uo.addr && errno == EADDRNOTAVAIL) {
        uo.addr = 0;
        st = ms_udp_open(&uo, &s->fd, err, errlen);
    }
    if (st != MS_OK)
        return st;
    s->connected = o->send_only && connect_to(s->fd, in->dst_ip, in->dport);
    return MS_OK;
}

static ms_status open_bound(client_sock *s, const ms_client_opts *o, ms_client_info *in,
                            char *err, size_t errlen)
{
    uint16_t port = (uint16_t)o->sport;
    if (open_udp(s, o, in, port, err, errlen) == MS_OK) {
        s->mode = MS_SPORT_MODE_BOUND;
        snprintf(in->note, sizeof in->note,
                 "port %u bound as asked, not shared: no other program can bind it while "
                 "we hold it", port);
        return MS_OK;
    }
    if (errno != EADDRINUSE)
        return MS_ERR_SYSTEM;
    char who[96];
    if (ms_udp_port_holder(port, who, sizeof who) == MS_OK)
        snprintf(err, errlen, "port %u is in use by %s", port, who);
    else
        snprintf(err, errlen, "port %u is in use", port);
    return MS_ERR_EXISTS;
}

static ms_status open_ephemeral(client_sock *s, const ms_client_opts *o, ms_client_info *in,
                                char *err, size_t errlen)
{
    ms_status st = open_udp(s, o, in, 0, err, errlen);
    if (st != MS_OK)
        return st;
    s->mode = MS_SPORT_MODE_EPHEMERAL;
    uint32_t a;
    ms_udp_local(s->fd, &a, &in->sport);
    snprintf(in->note, sizeof in->note, "sending from ephemeral port %u as asked", in->sport);
    return MS_OK;
}

static ms_status open_default(client_sock *s, const ms_client_opts *o, ms_client_info *in,
                              char *err, size_t errlen)
{
    char why[200];
    if (open_raw(s, o, in, why, sizeof why) == MS_OK) {
        in->sport = MS_NBDS_PORT;
        snprintf(in->note, sizeof in->note,
                 "sending from port 138 through a raw socket: no port is bound, so the "
                 "program holding 138 keeps every datagram sent to it%s",
                 o->send_only ? "" : "; replies are read as copies");
        return MS_OK;
    }
    bool perm = errno == EPERM || errno == EACCES;
    if (o->sport == MS_CLIENT_SPORT_RAW) {
        snprintf(err, errlen, "cannot send from port 138 through a raw socket: %s", why);
        return MS_ERR_SYSTEM;
    }
    ms_status st = open_ephemeral(s, o, in, err, errlen);
    if (st != MS_OK)
        return st;
    in->sport_fallback = true;
    snprintf(in->note, sizeof in->note,
             "%.150s; sending from ephemeral port %u: replies addressed to port 138 (Windows "
             "answers some requests there) do not reach us",
             perm ? "no CAP_NET_RAW for a raw socket from port 138" : why, in->sport);
    return MS_OK;
}

ms_status client_sock_open(client_sock *s, const ms_client_opts *o, ms_client_info *in,
                           char *err, size_t errlen)
{
    *s = (client_sock){ .mode = MS_SPORT_MODE_NONE, .fd = -1, .rx = -1,
                        .dst_ip = in->dst_ip, .dport = in->dport };
    in->sport = o->sport > 0 ? (uint16_t)o->sport : MS_NBDS_PORT;
    in->note[0] = '\0';
    ms_status st;
    if (o->sport > 0)
        st = open_bound(s, o, in, err, errlen);
    else if (o->sport == MS_CLIENT_SPORT_EPHEMERAL)
        st = open_ephemeral(s, o, in, err, errlen);
    else
        st = open_default(s, o, in, err, errlen);
    in->sport_mode = s->mode;
    return st;
}

void client_sock_close(client_sock *s)
{
    if (s->fd >= 0)
        close(s->fd);
    if (s->rx >= 0)
        close(s->rx);
    s->fd = s->rx = -1;
}

ms_status client_sock_send(client_sock *s, const uint8_t *const *bufs, const size_t *lens,
                           size_t n, size_t *sent)
{
    *sent = 0;
    if (s->mode == MS_SPORT_MODE_RAW)
        return ms_raw_udp_send_batch(s->fd, &s->route, bufs, lens, n, sent);
    uint16_t port = s->connected ? 0 : s->dport;
    if (n != 1)
        return ms_udp_send_batch(s->fd, s->dst_ip, port, bufs, lens, n, sent);
    ms_status st = ms_udp_sendto(s->fd, s->dst_ip, port, bufs[0], lens[0]);
    *sent = st == MS_OK;
    return st;
}

ms_status client_sock_recv(client_sock *s, ms_udp_dgram *d, size_t n, size_t *got)
{
    *got = 0;
    if (s->mode == MS_SPORT_MODE_RAW)
        return s->rx < 0 ? MS_ERR_INVALID_ARG
                         : ms_raw_udp_recv_batch(s->rx, &s->filter, d, n, got);
    return s->fd < 0 ? MS_ERR_INVALID_ARG : ms_udp_recv_batch(s->fd, d, n, got);
}

int client_sock_reply_fd(const client_sock *s)
{
    return s->mode == MS_SPORT_MODE_RAW ? s->rx : s->fd;
}
