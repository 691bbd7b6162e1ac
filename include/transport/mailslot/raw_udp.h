/* SPDX-License-Identifier: MIT */
/* UDP over raw IPv4 sockets (Linux, CAP_NET_RAW): send from a port that
 * no socket of ours holds, and read copies of the datagrams that arrive
 * for that port without taking them from the program that holds it.
 *
 * Why: Linux hands each unicast datagram to one UDP socket only (an exact
 * address bind first, then the newest). A sender that binds 138 beside
 * nmbd or a listener takes their datagrams for as long as it lives; one
 * that binds 138 without sharing keeps them from starting. A raw socket
 * binds no port at all.
 *
 * Sending: socket(AF_INET, SOCK_RAW, IPPROTO_UDP) without IP_HDRINCL. We
 * write the UDP header (its checksum over the IPv4 pseudo-header) and the
 * payload, the kernel writes the IP header (and fragments). The socket is
 * bound to the source address, so the pseudo-header and the packet agree.
 *
 * Receiving: a raw IPPROTO_UDP socket gets a copy of every UDP datagram
 * the host takes in, whether or not a socket holds its port; the program
 * that holds the port still gets the datagram. A kernel filter keeps only
 * the datagrams to one destination port and drops the copies of the
 * host's own broadcasts looped back to it; each packet is then parsed
 * (IPv4, UDP, their lengths, with the bounds-checked cursor) and its
 * destination address checked. The UDP checksum is not verified: with
 * checksum offload, datagrams between local sockets and over veth carry
 * only a partial sum.
 *
 * Addresses and ports in host order. */
#ifndef MAILSLOT_RAW_UDP_H
#define MAILSLOT_RAW_UDP_H

#include "mailslot/net.h"
#include "mailslot/status.h"
#include "mailslot/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MS_UDP_HDR_LEN 8
/* 65535 octets of IPv4 packet less its 20-octet header and the UDP one. */
#define MS_RAW_UDP_MAX_PAYLOAD 65507

/* The 8-octet UDP header for `len` octets of payload from src_ip:sport to
 * dst_ip:dport (RFC 768): ports, length, and the checksum over the
 * pseudo-header (addresses, protocol 17, length), the header and the
 * payload; a sum of 0 is sent as 0xFFFF. MS_ERR_TOO_BIG over
 * MS_RAW_UDP_MAX_PAYLOAD. */
MS_EXTERN ms_status ms_udp_header_build(uint32_t src_ip, uint16_t sport, uint32_t dst_ip,
                                        uint16_t dport, const uint8_t *payload, size_t len,
                                        uint8_t out[MS_UDP_HDR_LEN]);

/* One IPv4 packet holding a UDP datagram, as a raw socket reads it. */
typedef struct ms_raw_udp_packet {
    uint32_t src_ip, dst_ip;
    uint16_t sport, dport;
    size_t payload_off;      /* where the UDP payload starts (IP header with
                              * its options + 8) */
    size_t payload_len;      /* payload octets present in the buffer */
    size_t orig_payload_len; /* the UDP length field less 8 */
    bool truncated;          /* payload_len < orig_payload_len: the
                              * buffer was shorter than the packet */
} ms_raw_udp_packet;

/* Parse the `len` octets of pkt as IPv4 (version 4, header length 20..60
 * with its options, protocol 17, not a fragment) + UDP (length 8 or more,
 * within the IP packet). MS_ERR_TRUNCATED: the headers are cut short;
 * MS_ERR_BAD_INPUT: a field says it is not such a packet, or the lengths
 * disagree. A total length over `len` is a truncated payload, not an
 * error (the caller's buffer was short); octets past the total length
 * are ignored. */
MS_EXTERN ms_status ms_raw_udp_parse(const uint8_t *pkt, size_t len, ms_raw_udp_packet *out);

/* Which copies a reader keeps. */
typedef struct ms_raw_udp_filter {
    uint16_t port;  /* destination port */
    uint32_t addr;  /* destination: this address (0 = any address) ... */
    uint32_t bcast; /* ... or this broadcast address (0 = none), or
                     * 255.255.255.255 */
} ms_raw_udp_filter;

/* Whether p is for f: its destination port and address. */
MS_EXTERN bool ms_raw_udp_match(const ms_raw_udp_packet *p, const ms_raw_udp_filter *f);

/* A raw socket to send UDP from, bound to src_ip (our address: the
 * pseudo-header's), with SO_BROADCAST; it keeps nothing it would
 * receive (a kernel filter drops every copy). MS_ERR_SYSTEM with errno
 * (EPERM without CAP_NET_RAW, EADDRNOTAVAIL when src_ip is not ours) and
 * err filled. */
MS_EXTERN ms_status ms_raw_udp_open_send(uint32_t src_ip, int *fd, char *err, size_t errlen);

/* A raw socket that reads copies of the UDP datagrams to `port` (any
 * address; ms_raw_udp_recv_batch checks the address), with arrival times
 * (SO_TIMESTAMPNS) and a 1 MiB receive buffer where allowed. MS_ERR_SYSTEM
 * with errno (EPERM without CAP_NET_RAW) and err filled. */
MS_EXTERN ms_status ms_raw_udp_open_recv(uint16_t port, int *fd, char *err, size_t errlen);

/* Where the datagrams of ms_raw_udp_send_batch go. */
typedef struct ms_raw_udp_route {
    uint32_t src_ip;  /* the address the socket is bound to */
    uint16_t sport;
    uint32_t dst_ip;
    uint16_t dport;
    bool connected;   /* the socket is connect(2)ed to dst_ip: no address
                       * per datagram, no route lookup */
} ms_raw_udp_route;

/* Send n payloads (bufs[i], lens[i] octets) along r: a UDP header built
 * for each and sent with it as [header, payload], up to 32 per
 * sendmmsg(2). *sent: how many went out, also on failure (MS_ERR_SYSTEM,
 * errno set for the first that did not; EMSGSIZE for a short send,
 * MS_ERR_TOO_BIG for a payload over MS_RAW_UDP_MAX_PAYLOAD). On a
 * connected socket an ICMP port unreachable from the peer for an earlier
 * datagram does not fail the send. */
MS_EXTERN ms_status ms_raw_udp_send_batch(int fd, const ms_raw_udp_route *r,
                                          const uint8_t *const *bufs, const size_t *lens,
                                          size_t n, size_t *sent);

/* Read up to n datagrams that match f with one recvmmsg (MSG_DONTWAIT)
 * from a socket of ms_raw_udp_open_recv. Each d[i].buf receives the IP
 * packet, then holds only its UDP payload (moved to the start); the other
 * fields as ms_udp_recv_batch fills them (dst_ip from the IP header,
 * ifindex 0). Packets that do not parse or do not match are skipped: *got
 * (0 when nothing is waiting) counts the datagrams kept, d[0..*got).
 * MS_ERR_SYSTEM (errno) when the read failed. */
MS_EXTERN ms_status ms_raw_udp_recv_batch(int fd, const ms_raw_udp_filter *f, ms_udp_dgram *d,
                                          size_t n, size_t *got);

#ifdef __cplusplus
}
#endif
#endif
