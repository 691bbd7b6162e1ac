/* SPDX-License-Identifier: MIT */
/* Raw IPv4 sockets for UDP (raw_udp.h): sending from a port no socket
 * holds, reading copies of what arrives for it. */
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mailslot/raw_udp.h"

#define BATCH_MAX 32
#define RECV_BUF (1 << 20)

static void say_errno(char *err, size_t errlen, const char *what, int e)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s%s", what, strerror(e),
                 e == EPERM || e == EACCES ? " (raw sockets need root or CAP_NET_RAW)" : "");
}

/* A classic BPF program over the packet from its IP header on (a raw
 * socket's view). `port` 0: keep nothing. Otherwise keep the datagrams to
 * `port`, except the copies of our own host's broadcasts that the kernel
 * loops back (packet type PACKET_LOOPBACK). The IP header length comes
 * from the packet (4 * IHL, BPF's MSH load); the kernel has checked it. */
static int attach_filter(int fd, uint16_t port)
{
    struct sock_filter keep_port[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (__u32)(SKF_AD_OFF + SKF_AD_PKTTYPE)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_LOOPBACK, 3, 0),
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2), /* UDP destination port */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, 0),
        BPF_STMT(BPF_RET | BPF_K, 0x40000),
    };
    struct sock_filter keep_none[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
    struct sock_fprog prog = { port ? sizeof keep_port / sizeof keep_port[0] : 1,
                               port ? keep_port : keep_none };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

static int raw_socket(char *err, size_t errlen)
{
    int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0)
        say_errno(err, errlen, "raw socket", errno);
    return fd;
}

static ms_status fail(int fd, char *err, size_t errlen, const char *what)
{
    int e = errno;
    say_errno(err, errlen, what, e);
    close(fd);
    errno = e;
    return MS_ERR_SYSTEM;
}

ms_status ms_raw_udp_open_send(uint32_t src_ip, int *out, char *err, size_t errlen)
{
    *out = -1;
    int fd = raw_socket(err, errlen);
    if (fd < 0)
        return MS_ERR_SYSTEM;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0)
        return fail(fd, err, errlen, "setsockopt SO_BROADCAST");
    /* This socket would also queue a copy of every UDP datagram to
     * src_ip; it reads none, so it keeps none. */
    if (attach_filter(fd, 0) != 0)
        return fail(fd, err, errlen, "setsockopt SO_ATTACH_FILTER");
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(src_ip);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        char ip[16], what[24];
        ms_ip_format(src_ip, ip, sizeof ip);
        snprintf(what, sizeof what, "bind %s", ip);
        return fail(fd, err, errlen, what);
    }
    *out = fd;
    return MS_OK;
}

ms_status ms_raw_udp_open_recv(uint16_t port, int *out, char *err, size_t errlen)
{
    *out = -1;
    int fd = raw_socket(err, errlen);
    if (fd < 0)
        return MS_ERR_SYSTEM;
    if (attach_filter(fd, port) != 0)
        return fail(fd, err, errlen, "setsockopt SO_ATTACH_FILTER");
    int one = 1, size = RECV_BUF;
    (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    /* Copies that arrived between socket() and the filter went past it:
     * ms_raw_udp_recv_batch checks every packet again anyway. */
    *out = fd;
    return MS_OK;
}

ms_status ms_raw_udp_send_batch(int fd, const ms_raw_udp_route *r, const uint8_t *const *bufs,
                                const size_t *lens, size_t n, size_t *sent)
{
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(r->dst_ip); /* the port is in our header */
    struct mmsghdr mm[BATCH_MAX];
    struct iovec iov[BATCH_MAX][2];
    uint8_t hdr[BATCH_MAX][MS_UDP_HDR_LEN];
    size_t done = 0;
    int refused = 0;
    *sent = 0;
    while (done < n) {
        size_t k = n - done < BATCH_MAX ? n - done : BATCH_MAX;
        memset(mm, 0, sizeof(mm[0]) * k);
        for (size_t i = 0; i < k; i++) {
            const uint8_t *p = bufs[done + i];
            size_t len = lens[done + i];
            if (ms_udp_header_build(r->src_ip, r->sport, r->dst_ip, r->dport, p, len, hdr[i]) !=
                MS_OK) {
                *sent = done;
                return MS_ERR_TOO_BIG;
            }
            iov[i][0] = (struct iovec){ hdr[i], MS_UDP_HDR_LEN };
            iov[i][1] = (struct iovec){ (void *)p, len };
            mm[i].msg_hdr.msg_name = r->connected ? NULL : &sa;
            mm[i].msg_hdr.msg_namelen = r->connected ? 0 : sizeof sa;
            mm[i].msg_hdr.msg_iov = iov[i];
            mm[i].msg_hdr.msg_iovlen = 2;
        }
        int got = sendmmsg(fd, mm, (unsigned)k, 0);
        /* Connected: the peer's ICMP port unreachable for an earlier
         * datagram comes back here; a mailslot write does not care. */
        if (got < 0 && (errno == EINTR ||
                        (r->connected && errno == ECONNREFUSED && refused++ < 64)))
            continue;
        if (got <= 0) {
            *sent = done;
            return MS_ERR_SYSTEM;
        }
        for (int i = 0; i < got; i++) {
            if (mm[i].msg_len != MS_UDP_HDR_LEN + iov[i][1].iov_len) {
                errno = EMSGSIZE;
                *sent = done;
                return MS_ERR_SYSTEM;
            }
            done++;
        }
    }
    *sent = done;
    return MS_OK;
}

/* The arrival time of one packet (SO_TIMESTAMPNS), 0 when not there. */
static uint64_t arrival_ns(struct msghdr *h)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
        }
    }
    return 0;
}

/* Keep packet g (its msg_len octets in g->buf) when it parses and
 * matches: only its payload stays in the buffer. */
static bool keep(ms_udp_dgram *g, size_t msg_len, const ms_raw_udp_filter *f)
{
    ms_raw_udp_packet p;
    size_t have = msg_len < g->cap ? msg_len : g->cap;
    if (ms_raw_udp_parse(g->buf, have, &p) != MS_OK || !ms_raw_udp_match(&p, f))
        return false;
    memmove(g->buf, g->buf + p.payload_off, p.payload_len);
    g->len = p.payload_len;
    g->orig_len = p.orig_payload_len;
    g->truncated = p.truncated;
    g->src_ip = p.src_ip;
    g->dst_ip = p.dst_ip;
    g->src_port = p.sport;
    g->ifindex = 0;
    return true;
}

ms_status ms_raw_udp_recv_batch(int fd, const ms_raw_udp_filter *f, ms_udp_dgram *d, size_t n,
                                size_t *got)
{
    *got = 0;
    struct mmsghdr mm[BATCH_MAX];
    struct iovec iov[BATCH_MAX];
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(struct timespec))];
    } ctl[BATCH_MAX];
    if (n > BATCH_MAX)
        n = BATCH_MAX;
    memset(mm, 0, sizeof(mm[0]) * n);
    for (size_t i = 0; i < n; i++) {
        iov[i] = (struct iovec){ d[i].buf, d[i].cap };
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
        mm[i].msg_hdr.msg_control = &ctl[i];
        mm[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
    }
    int r;
    do
        r = recvmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT, NULL);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? MS_OK : MS_ERR_SYSTEM;
    size_t k = 0;
    for (int i = 0; i < r; i++) {
        if (!keep(&d[i], mm[i].msg_len, f))
            continue;
        d[i].time_ns = arrival_ns(&mm[i].msg_hdr);
        if (k != (size_t)i) { /* close the gap: the kept one moves down */
            uint8_t *buf = d[k].buf;
            size_t cap = d[k].cap;
            if (d[i].len > cap) {
                d[i].len = cap;
                d[i].truncated = true;
            }
            memcpy(buf, d[i].buf, d[i].len);
            d[k] = d[i];
            d[k].buf = buf;
            d[k].cap = cap;
        }
        k++;
    }
    *got = k;
    return MS_OK;
}
