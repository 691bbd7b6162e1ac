/* SPDX-License-Identifier: MIT */
/* IPv4 and UDP header parsing over a bounds-checked cursor. No state: the
 * fragment table lives in ipv4_reasm.h. */
#ifndef MS_CAPTURE_IPV4_H
#define MS_CAPTURE_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cursor.h"

#define MS_IPPROTO_UDP 17

typedef enum ms_hdr_result {
    MS_HDR_OK,
    MS_HDR_TRUNCATED, /* the capture ends inside the header */
    MS_HDR_BAD,       /* the header contradicts itself */
} ms_hdr_result;

typedef struct ms_ipv4 {
    uint32_t src, dst;     /* host byte order */
    uint16_t id;
    uint8_t proto;
    uint8_t hdr_len;       /* octets, from IHL (options included) */
    uint16_t total_len;    /* the total length field */
    uint32_t frag_offset;  /* octets */
    bool more_frags;       /* MF */
    const uint8_t *payload;/* first octet after the header */
    size_t payload_len;    /* octets the header says follow it */
    size_t present;        /* octets of those in the record (<= payload_len);
                            * link padding past total_len is excluded */
} ms_ipv4;

static inline bool ms_ipv4_is_fragment(const ms_ipv4 *ip)
{
    return ip->more_frags || ip->frag_offset != 0;
}

/* Parse the IPv4 header at the cursor (which covers the rest of the frame). */
ms_hdr_result ms_ipv4_parse(ms_rcur *c, ms_ipv4 *out);

typedef struct ms_udp {
    uint16_t sport, dport;
    uint16_t length;       /* the length field */
    const uint8_t *payload;
    size_t len;            /* payload octets present:
                            * min(length - 8, octets present after the header) */
    size_t orig_len;       /* length - 8: payload octets the header claims */
} ms_udp;

/* The UDP ports only (first 4 octets); false when fewer are present. Used to
 * judge a first fragment before the rest of its datagram is in. */
bool ms_udp_ports(const uint8_t *p, size_t present, uint16_t *sport, uint16_t *dport);

/* Parse a UDP header. `present` octets of the IP payload are in memory out
 * of `ip_len` the IP layer says there are. MS_HDR_TRUNCATED: fewer than 8
 * present although the IP layer promises them; MS_HDR_BAD: the IP payload
 * itself is shorter than 8, or the length field is below 8. */
ms_hdr_result ms_udp_parse(const uint8_t *p, size_t present, size_t ip_len, ms_udp *out);

#endif
