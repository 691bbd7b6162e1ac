/* SPDX-License-Identifier: MIT */
/* The socket edge, kept apart from the codec: UDP sockets for the NetBIOS
 * datagram (138) and name (137) services, interface lookup, batched
 * receive, privilege drop, a monotonic clock. Addresses in host order.
 * Linux (recvmmsg, IP_PKTINFO). */
#ifndef MAILSLOT_NET_H
#define MAILSLOT_NET_H

#include "mailslot/status.h"
#include "mailslot/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MS_NBDS_PORT 138
#define MS_NBNS_PORT 137

/* One IPv4 interface. */
typedef struct ms_iface {
    char name[32];
    uint32_t addr, netmask, bcast; /* bcast: IFF_BROADCAST's, else addr|~mask */
    int index;
    bool loopback;
    bool has_mac;
    uint8_t mac[6];     /* the link-layer address, when it is an Ethernet-like one */
} ms_iface;

/* Look up interface `name` (its first IPv4 address), or with name NULL the
 * first interface that is up, not loopback and has IPv4. */
MS_EXTERN ms_status ms_net_iface(const char *name, ms_iface *out, char *err, size_t errlen);
/* The interface that holds address `addr` (127.x.y.z maps to lo). */
MS_EXTERN ms_status ms_net_iface_by_addr(uint32_t addr, ms_iface *out, char *err, size_t errlen);

typedef struct ms_udp_opts {
    size_t size;        /* sizeof; ms_udp_opts_init sets it */
    uint32_t addr;      /* bind address, 0 = any */
    uint16_t port;      /* 0 = ephemeral */
    bool reuse;         /* SO_REUSEADDR: share a port (see README) */
    bool broadcast;     /* SO_BROADCAST: may send to broadcast addresses */
    bool pktinfo;       /* IP_PKTINFO: learn each datagram's destination,
                         * and SO_TIMESTAMPNS its arrival time */
    int rcvbuf;         /* SO_RCVBUF wish in octets, 0 = system default */
    bool nonblock;
} ms_udp_opts;

/* Every option off, any address, an ephemeral port. */
MS_EXTERN void ms_udp_opts_init(ms_udp_opts *o);
/* Open and bind a socket into *fd. MS_ERR_SYSTEM with errno set
 * (EADDRINUSE when the port is taken, EACCES when it needs privilege) and
 * err filled. */
MS_EXTERN ms_status ms_udp_open(const ms_udp_opts *o, int *fd, char *err, size_t errlen);
/* Local address and port of a bound socket (MS_ERR_SYSTEM: not one). */
MS_EXTERN ms_status ms_udp_local(int fd, uint32_t *addr, uint16_t *port);

/* One received datagram. buf/cap are the caller's; the rest is filled. */
typedef struct ms_udp_dgram {
    uint8_t *buf;
    size_t cap;
    size_t len;          /* octets in buf */
    size_t orig_len;     /* octets the datagram had (MSG_TRUNC) */
    bool truncated;      /* orig_len > cap: the tail is lost */
    uint32_t src_ip, dst_ip; /* dst_ip 0 when IP_PKTINFO is off */
    uint16_t src_port;
    int ifindex;
    uint64_t time_ns;    /* arrival, ns since the epoch (CLOCK_REALTIME): the
                          * kernel's receive time (SO_TIMESTAMPNS); 0 when
                          * unknown */
} ms_udp_dgram;

/* Receive up to n datagrams with one recvmmsg (MSG_DONTWAIT): MS_OK and
 * *got (0 when nothing is waiting), MS_ERR_SYSTEM (errno). */
MS_EXTERN ms_status ms_udp_recv_batch(int fd, ms_udp_dgram *d, size_t n, size_t *got);
/* Send one datagram; MS_ERR_SYSTEM (errno) when it did not go. Port 0: the
 * socket is connected (connect(2)) and the datagram goes to its peer, with
 * no route lookup. */
MS_EXTERN ms_status ms_udp_sendto(int fd, uint32_t ip, uint16_t port, const uint8_t *buf,
                                  size_t len);
/* Send n datagrams (bufs[i], lens[i] octets) to ip:port (port 0: to the
 * connected socket's peer) with sendmmsg, up to 32 per system call. *sent:
 * how many went out, also on failure (MS_ERR_SYSTEM, errno set for the
 * first that did not; EMSGSIZE for a short send). */
MS_EXTERN ms_status ms_udp_send_batch(int fd, uint32_t ip, uint16_t port,
                                      const uint8_t *const *bufs, const size_t *lens, size_t n,
                                      size_t *sent);
/* Who holds UDP `port` on this host (this network namespace): "nmbd (pid
 * 1234)" in out, for the first process found with a descriptor on a
 * socket bound to it (/proc/net/udp and udp6, then /proc/PID/fd).
 * MS_ERR_NOT_FOUND (out "") when no socket is bound to the port or /proc
 * does not show whose it is (another user's process, without privilege). */
MS_EXTERN ms_status ms_udp_port_holder(uint16_t port, char *out, size_t outlen);
/* The source address the kernel would use to reach ip (route lookup by a
 * connected throw-away socket); MS_ERR_NOT_FOUND when there is no route. */
MS_EXTERN ms_status ms_net_route_src(uint32_t ip, uint32_t *src);

/* When running as root: setgroups(0), setgid, setuid to `user` (NULL =
 * "nobody") and check that root cannot be regained. Does nothing for a
 * non-root user (*dropped = false). */
MS_EXTERN ms_status ms_net_drop_privileges(const char *user, bool *dropped, char *err, size_t errlen);

/* Dotted quad <-> host-order address. */
/* MS_ERR_INVALID_ARG when s is not a dotted quad. */
MS_EXTERN ms_status ms_ip_parse(const char *s, uint32_t *ip);
MS_EXTERN void ms_ip_format(uint32_t ip, char *out, size_t cap);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in nanoseconds. */
MS_EXTERN uint64_t ms_monotonic_ns(void);
MS_EXTERN uint64_t ms_realtime_ns(void);

#ifdef __cplusplus
}
#endif
#endif
