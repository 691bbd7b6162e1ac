/* SPDX-License-Identifier: MIT */
/* The octets of UDP over raw sockets: the UDP header we write (RFC 768,
 * checksum over the IPv4 pseudo-header) and the IPv4 + UDP headers of the
 * copies we read (RFC 791), parsed with the cursor. */
#include <string.h>

#include "cursor.h"
#include "mailslot/raw_udp.h"

#define IPPROTO_UDP_NUM 17
#define IPV4_MIN_HDR 20
#define IP_MF 0x2000
#define IP_OFFSET_MASK 0x1FFF

/* The one's complement sum (RFC 1071) of the octets as 16-bit words, as
 * a big-endian value. The sum does not depend on byte order (§2(B)), so
 * it is taken over native 32-bit words, four octets a step (65535 octets
 * cannot overflow 64 bits), and the folded native result read back as
 * big-endian octets. */
static uint32_t sum16(const uint8_t *p, size_t n)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t w;
        memcpy(&w, p + i, 4);
        acc += w;
    }
    uint8_t tail[4] = { 0, 0, 0, 0 }; /* an odd octet is padded with a zero */
    if (i < n)
        memcpy(tail, p + i, n - i);
    uint32_t w;
    memcpy(&w, tail, 4);
    acc += w;
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    uint16_t folded = (uint16_t)acc;
    uint8_t be[2];
    memcpy(be, &folded, 2);
    return (uint32_t)(be[0] << 8 | be[1]);
}

/*  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |    source port  |  destination    |
 * +--------+--------+--------+--------+
 * |     length      |    checksum     |
 * +--------+--------+--------+--------+
 * checksum over: source address, destination address, zero, protocol 17,
 * UDP length (the pseudo-header), then the header and the payload. */
ms_status ms_udp_header_build(uint32_t src_ip, uint16_t sport, uint32_t dst_ip, uint16_t dport,
                              const uint8_t *payload, size_t len, uint8_t out[MS_UDP_HDR_LEN])
{
    if (len > MS_RAW_UDP_MAX_PAYLOAD)
        return MS_ERR_TOO_BIG;
    uint16_t ulen = (uint16_t)(len + MS_UDP_HDR_LEN);
    uint64_t acc = (src_ip >> 16) + (src_ip & 0xFFFF) + (dst_ip >> 16) + (dst_ip & 0xFFFF) +
                   IPPROTO_UDP_NUM + ulen;        /* pseudo-header */
    acc += (uint32_t)sport + dport + ulen;       /* header, checksum 0 */
    acc += sum16(payload, len);
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    uint16_t sum = (uint16_t)~acc;
    if (sum == 0)
        sum = 0xFFFF; /* 0 would mean "no checksum" */
    ms_wcur w = ms_wcur_make(out, MS_UDP_HDR_LEN);
    ms_wcur_be16(&w, sport);
    ms_wcur_be16(&w, dport);
    ms_wcur_be16(&w, ulen);
    ms_wcur_be16(&w, sum);
    return w.err;
}

/* IPv4 header (RFC 791 §3.1), then UDP:
 * +-------+-------+---------------+-------------------------------+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|     Fragment Offset     |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                 Options (IHL > 5)                             |
 * +---------------------------------------------------------------+ */
ms_status ms_raw_udp_parse(const uint8_t *pkt, size_t len, ms_raw_udp_packet *out)
{
    static const ms_raw_udp_packet zero;
    *out = zero;
    ms_rcur c = ms_rcur_make(pkt, len);
    int first = ms_rcur_peek(&c, 0);
    if (first < 0)
        return MS_ERR_TRUNCATED;
    size_t hdr_len = ((size_t)first & 0x0F) * 4u;
    if ((first >> 4) != 4 || hdr_len < IPV4_MIN_HDR)
        return MS_ERR_BAD_INPUT;
    ms_rcur h = ms_rcur_sub(&c, hdr_len); /* options: skipped with it */
    (void)ms_rcur_be16(&h);               /* version, IHL, TOS */
    uint16_t total = ms_rcur_be16(&h);
    (void)ms_rcur_be16(&h); /* identification */
    uint16_t frag = ms_rcur_be16(&h);
    (void)ms_rcur_u8(&h); /* TTL */
    uint8_t proto = ms_rcur_u8(&h);
    (void)ms_rcur_be16(&h); /* header checksum: the kernel checked it */
    out->src_ip = ms_rcur_be32(&h);
    out->dst_ip = ms_rcur_be32(&h);
    if (h.err)
        return MS_ERR_TRUNCATED;
    if (proto != IPPROTO_UDP_NUM || (frag & (IP_MF | IP_OFFSET_MASK)) ||
        total < hdr_len + MS_UDP_HDR_LEN)
        return MS_ERR_BAD_INPUT;
    out->sport = ms_rcur_be16(&c);
    out->dport = ms_rcur_be16(&c);
    uint16_t ulen = ms_rcur_be16(&c);
    (void)ms_rcur_be16(&c); /* checksum: often partial (offload), see the header */
    if (c.err)
        return MS_ERR_TRUNCATED;
    if (ulen < MS_UDP_HDR_LEN || ulen > total - hdr_len)
        return MS_ERR_BAD_INPUT;
    out->payload_off = c.pos;
    out->orig_payload_len = (size_t)ulen - MS_UDP_HDR_LEN;
    size_t left = ms_rcur_left(&c);
    out->payload_len = left < out->orig_payload_len ? left : out->orig_payload_len;
    out->truncated = out->payload_len < out->orig_payload_len;
    return MS_OK;
}

bool ms_raw_udp_match(const ms_raw_udp_packet *p, const ms_raw_udp_filter *f)
{
    if (p->dport != f->port)
        return false;
    return !f->addr || p->dst_ip == f->addr || p->dst_ip == 0xFFFFFFFFu ||
           (f->bcast && p->dst_ip == f->bcast);
}
