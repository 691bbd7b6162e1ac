/* SPDX-License-Identifier: MIT */
/* UDP sockets, interfaces, privilege drop: the only place that talks to
 * the kernel's network stack for the datagram service. */
#define _GNU_SOURCE /* recvmmsg, sendmmsg, struct in_pktinfo */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mailslot/net.h"
#include "sized.h"

static void fill_iface(const struct ifaddrs *a, ms_iface *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", a->ifa_name);
    out->addr = ntohl(((const struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr);
    if (a->ifa_netmask)
        out->netmask = ntohl(((const struct sockaddr_in *)a->ifa_netmask)->sin_addr.s_addr);
    if ((a->ifa_flags & IFF_BROADCAST) && a->ifa_broadaddr)
        out->bcast = ntohl(((const struct sockaddr_in *)a->ifa_broadaddr)->sin_addr.s_addr);
    else
        out->bcast = out->addr | ~out->netmask;
    out->index = (int)if_nametoindex(a->ifa_name);
    out->loopback = (a->ifa_flags & IFF_LOOPBACK) != 0;
}

/* The MAC address of out->name: its AF_PACKET entry in the same list. */
static void fill_mac(const struct ifaddrs *list, ms_iface *out)
{
    for (const struct ifaddrs *a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_PACKET ||
            strcmp(a->ifa_name, out->name) != 0)
            continue;
        const struct sockaddr_ll *ll = (const struct sockaddr_ll *)a->ifa_addr;
        if (ll->sll_halen == sizeof out->mac) {
            memcpy(out->mac, ll->sll_addr, sizeof out->mac);
            out->has_mac = true;
        }
        return;
    }
}

static ms_status find_iface(const char *name, uint32_t addr, ms_iface *out, char *err,
                            size_t errlen)
{
    struct ifaddrs *list;
    if (getifaddrs(&list) != 0) {
        snprintf(err, errlen, "getifaddrs: %s", strerror(errno));
        return MS_ERR_SYSTEM;
    }
    bool found = false;
    for (struct ifaddrs *a = list; a && !found; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET)
            continue;
        if (name) {
            if (strcmp(a->ifa_name, name) != 0)
                continue;
        } else if (addr) {
            if (ntohl(((const struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr) != addr)
                continue;
        } else if (!(a->ifa_flags & IFF_UP) || (a->ifa_flags & IFF_LOOPBACK)) {
            continue;
        }
        fill_iface(a, out);
        fill_mac(list, out);
        found = true;
    }
    freeifaddrs(list);
    if (found)
        return MS_OK;
    if (!name && (addr >> 24) == 127)
        return find_iface("lo", 0, out, err, errlen);
    if (name)
        snprintf(err, errlen, "interface %s has no IPv4 address (or does not exist)", name);
    else if (addr)
        snprintf(err, errlen, "no interface holds address %u.%u.%u.%u", addr >> 24,
                 (addr >> 16) & 255, (addr >> 8) & 255, addr & 255);
    else
        snprintf(err, errlen, "no interface is up with an IPv4 address (give -i IFACE)");
    return MS_ERR_NOT_FOUND;
}

ms_status ms_net_iface(const char *name, ms_iface *out, char *err, size_t errlen)
{
    return find_iface(name, 0, out, err, errlen);
}

ms_status ms_net_iface_by_addr(uint32_t addr, ms_iface *out, char *err, size_t errlen)
{
    if (!addr) {
        snprintf(err, errlen, "no address given");
        return MS_ERR_INVALID_ARG;
    }
    return find_iface(NULL, addr, out, err, errlen);
}

void ms_udp_opts_init(ms_udp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
}

/* The error text, where the caller wants one. */
static void say(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, a, b);
}

ms_status ms_udp_open(const ms_udp_opts *oin, int *out, char *err, size_t errlen)
{
    *out = -1;
    if (!oin || oin->size < sizeof oin->size)
        return MS_ERR_INVALID_ARG;
    ms_udp_opts opts;
    ms_udp_opts_init(&opts);
    ms_sized_read(&opts, sizeof opts, oin);
    const ms_udp_opts *o = &opts;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | (o->nonblock ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) {
        say(err, errlen, "socket: %s%s", strerror(errno), "");
        return MS_ERR_SYSTEM;
    }
    int one = 1;
    if ((o->reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) ||
        (o->broadcast && setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0) ||
        (o->pktinfo && setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) != 0)) {
        int e = errno;
        say(err, errlen, "setsockopt: %s%s", strerror(e), "");
        close(fd);
        errno = e;
        return MS_ERR_SYSTEM;
    }
    /* Receiving sockets learn when each datagram arrived (the kernel's
     * time), not when we got round to reading it. Not fatal. */
    if (o->pktinfo)
        (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    if (o->rcvbuf > 0) {
        /* SO_RCVBUFFORCE passes the rmem_max cap when privileged; a plain
         * SO_RCVBUF otherwise. A small buffer is not fatal. */
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &o->rcvbuf, sizeof o->rcvbuf) != 0)
            (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf, sizeof o->rcvbuf);
    }
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(o->addr);
    sa.sin_port = htons(o->port);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        char where[32];
        ms_ip_format(o->addr, where, 16);
        snprintf(where + strlen(where), sizeof where - strlen(where), ":%u", o->port);
        say(err, errlen, "bind %s: %s", where, strerror(e));
        if (e == EACCES && err && errlen > strlen(err))
            snprintf(err + strlen(err), errlen - strlen(err),
                     " (ports below 1024 need root or CAP_NET_BIND_SERVICE)");
        close(fd);
        errno = e;
        return MS_ERR_SYSTEM;
    }
    *out = fd;
    return MS_OK;
}

ms_status ms_udp_local(int fd, uint32_t *addr, uint16_t *port)
{
    struct sockaddr_in sa;
    socklen_t l = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &l) != 0 || sa.sin_family != AF_INET) {
        *addr = 0;
        *port = 0;
        return MS_ERR_SYSTEM;
    }
    *addr = ntohl(sa.sin_addr.s_addr);
    *port = ntohs(sa.sin_port);
    return MS_OK;
}

#define BATCH_MAX 32

ms_status ms_udp_recv_batch(int fd, ms_udp_dgram *d, size_t n, size_t *got)
{
    *got = 0;
    struct mmsghdr mm[BATCH_MAX];
    struct iovec iov[BATCH_MAX];
    struct sockaddr_in from[BATCH_MAX];
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(struct timespec))];
    } ctl[BATCH_MAX];
    if (n > BATCH_MAX)
        n = BATCH_MAX;
    memset(mm, 0, sizeof(mm[0]) * n);
    for (size_t i = 0; i < n; i++) {
        iov[i].iov_base = d[i].buf;
        iov[i].iov_len = d[i].cap;
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
        mm[i].msg_hdr.msg_name = &from[i];
        mm[i].msg_hdr.msg_namelen = sizeof from[i];
        mm[i].msg_hdr.msg_control = &ctl[i];
        mm[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
    }
    int r;
    do
        r = recvmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT | MSG_TRUNC, NULL);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? MS_OK : MS_ERR_SYSTEM;
    for (int i = 0; i < r; i++) {
        ms_udp_dgram *g = &d[i];
        /* With MSG_TRUNC, msg_len is the datagram's real length. */
        g->orig_len = mm[i].msg_len;
        g->truncated = (mm[i].msg_hdr.msg_flags & MSG_TRUNC) || g->orig_len > g->cap;
        g->len = g->orig_len > g->cap ? g->cap : g->orig_len;
        g->src_ip = ntohl(from[i].sin_addr.s_addr);
        g->src_port = ntohs(from[i].sin_port);
        g->dst_ip = 0;
        g->ifindex = 0;
        g->time_ns = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mm[i].msg_hdr); c;
             c = CMSG_NXTHDR(&mm[i].msg_hdr, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                struct in_pktinfo pi;
                memcpy(&pi, CMSG_DATA(c), sizeof pi);
                g->dst_ip = ntohl(pi.ipi_addr.s_addr);
                g->ifindex = pi.ipi_ifindex;
            } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(c), sizeof ts);
                g->time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
            }
        }
    }
    *got = (size_t)r;
    return MS_OK;
}

ms_status ms_udp_sendto(int fd, uint32_t ip, uint16_t port, const uint8_t *buf, size_t len)
{
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(ip);
    sa.sin_port = htons(port);
    ssize_t r;
    int refused = 0;
    /* A connected socket reports an ICMP port unreachable for an earlier
     * datagram on the next send; a mailslot write is fire-and-forget, as
     * on an unconnected socket: the report is taken and the send retried. */
    do
        r = port ? sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof sa)
                 : send(fd, buf, len, 0);
    while (r < 0 && (errno == EINTR || (!port && errno == ECONNREFUSED && refused++ < 8)));
    if (r < 0)
        return MS_ERR_SYSTEM;
    if ((size_t)r != len) {
        errno = EMSGSIZE;
        return MS_ERR_SYSTEM;
    }
    return MS_OK;
}

ms_status ms_udp_send_batch(int fd, uint32_t ip, uint16_t port, const uint8_t *const *bufs,
                            const size_t *lens, size_t n, size_t *sent)
{
    size_t *done_out = sent;
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(ip);
    sa.sin_port = htons(port);
    struct mmsghdr mm[BATCH_MAX];
    struct iovec iov[BATCH_MAX];
    size_t done = 0;
    int refused = 0;
    while (done < n) {
        size_t k = n - done < BATCH_MAX ? n - done : BATCH_MAX;
        memset(mm, 0, sizeof(mm[0]) * k);
        for (size_t i = 0; i < k; i++) {
            iov[i].iov_base = (void *)bufs[done + i];
            iov[i].iov_len = lens[done + i];
            mm[i].msg_hdr.msg_name = port ? &sa : NULL;
            mm[i].msg_hdr.msg_namelen = port ? sizeof sa : 0;
            mm[i].msg_hdr.msg_iov = &iov[i];
            mm[i].msg_hdr.msg_iovlen = 1;
        }
        int r = sendmmsg(fd, mm, (unsigned)k, 0);
        if (r < 0 && (errno == EINTR || (!port && errno == ECONNREFUSED && refused++ < 64)))
            continue; /* ECONNREFUSED: as in ms_udp_sendto */
        if (r <= 0) {
            *done_out = done;
            return MS_ERR_SYSTEM;
        }
        for (int i = 0; i < r; i++) {
            if (mm[i].msg_len != iov[i].iov_len) {
                errno = EMSGSIZE;
                *done_out = done;
                return MS_ERR_SYSTEM;
            }
            done++;
        }
    }
    *done_out = done;
    return MS_OK;
}

ms_status ms_net_route_src(uint32_t ip, uint32_t *src_out)
{
    *src_out = 0;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return MS_ERR_SYSTEM;
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(ip);
    sa.sin_port = htons(MS_NBDS_PORT);
    uint32_t src = 0;
    int one = 1;
    /* Without SO_BROADCAST, connect() to a broadcast address fails. */
    (void)setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    /* connect() on UDP only looks up the route; nothing is sent. */
    uint16_t port;
    ms_status st = MS_ERR_NOT_FOUND;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        ms_udp_local(fd, &src, &port) == MS_OK && src)
        st = MS_OK;
    close(fd);
    *src_out = src;
    return st;
}

ms_status ms_net_drop_privileges(const char *user, bool *dropped, char *err, size_t errlen)
{
    if (dropped)
        *dropped = false;
    if (geteuid() != 0 && getuid() != 0)
        return MS_OK;
    if (!user)
        user = "nobody";
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "no such user '%s'%s", user, errno ? strerror(errno) : "");
        return MS_ERR_NOT_FOUND;
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
        snprintf(err, errlen, "dropping privileges to %s: %s", user, strerror(errno));
        return MS_ERR_SYSTEM;
    }
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        snprintf(err, errlen, "dropping privileges to %s: root could be regained", user);
        return MS_ERR_SYSTEM;
    }
    if (dropped)
        *dropped = true;
    return MS_OK;
}

ms_status ms_ip_parse(const char *s, uint32_t *ip)
{
    struct in_addr a;
    if (!s || inet_pton(AF_INET, s, &a) != 1)
        return MS_ERR_INVALID_ARG;
    *ip = ntohl(a.s_addr);
    return MS_OK;
}

void ms_ip_format(uint32_t ip, char *out, size_t cap)
{
    snprintf(out, cap, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t ms_monotonic_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

uint64_t ms_realtime_ns(void)
{
    return clock_ns(CLOCK_REALTIME);
}
