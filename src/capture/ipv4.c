/* SPDX-License-Identifier: MIT */
/* IPv4 + UDP headers. Lengths from the wire are only ever compared against
 * what the cursor holds, never trusted to index memory. */
#include "ipv4.h"

#define IPV4_MIN_HDR 20
#define IP_MF 0x2000
#define IP_OFFSET_MASK 0x1FFF
#define UDP_HDR 8

ms_hdr_result ms_ipv4_parse(ms_rcur *c, ms_ipv4 *out)
{
    int first = ms_rcur_peek(c, 0);
    if (first < 0)
        return MS_HDR_TRUNCATED;
    unsigned version = (unsigned)first >> 4;
    unsigned hdr_len = ((unsigned)first & 0x0F) * 4u;
    if (version != 4 || hdr_len < IPV4_MIN_HDR)
        return MS_HDR_BAD;

    ms_rcur h = ms_rcur_sub(c, hdr_len); /* options included, not parsed */
    (void)ms_rcur_u8(&h);                /* version, IHL */
    (void)ms_rcur_u8(&h);                /* DSCP, ECN */
    uint16_t total = ms_rcur_be16(&h);
    uint16_t id = ms_rcur_be16(&h);
    uint16_t frag = ms_rcur_be16(&h);
    (void)ms_rcur_u8(&h);                /* TTL */
    uint8_t proto = ms_rcur_u8(&h);
    (void)ms_rcur_be16(&h);              /* checksum: not verified, as tshark */
    uint32_t src = ms_rcur_be32(&h);
    uint32_t dst = ms_rcur_be32(&h);
    if (h.err)
        return MS_HDR_TRUNCATED;
    if (total < hdr_len)
        return MS_HDR_BAD;

    out->src = src;
    out->dst = dst;
    out->id = id;
    out->proto = proto;
    out->hdr_len = (uint8_t)hdr_len;
    out->total_len = total;
    out->frag_offset = (uint32_t)(frag & IP_OFFSET_MASK) * 8u;
    out->more_frags = (frag & IP_MF) != 0;
    out->payload_len = (size_t)total - hdr_len;
    /* Octets past total_len are link padding (Ethernet's 60-octet minimum);
     * fewer than total_len means the snaplen (or a lying header) cut it. */
    size_t left = ms_rcur_left(c);
    out->present = left < out->payload_len ? left : out->payload_len;
    out->payload = ms_rcur_take(c, out->present);
    return MS_HDR_OK;
}

bool ms_udp_ports(const uint8_t *p, size_t present, uint16_t *sport, uint16_t *dport)
{
    ms_rcur c = ms_rcur_make(p, present);
    *sport = ms_rcur_be16(&c);
    *dport = ms_rcur_be16(&c);
    return c.err == MS_OK;
}

ms_hdr_result ms_udp_parse(const uint8_t *p, size_t present, size_t ip_len, ms_udp *out)
{
    ms_rcur c = ms_rcur_make(p, present);
    out->sport = ms_rcur_be16(&c);
    out->dport = ms_rcur_be16(&c);
    out->length = ms_rcur_be16(&c);
    (void)ms_rcur_be16(&c); /* checksum: not verified */
    if (c.err)
        return ip_len < UDP_HDR ? MS_HDR_BAD : MS_HDR_TRUNCATED;
    if (out->length < UDP_HDR)
        return MS_HDR_BAD;
    out->orig_len = (size_t)out->length - UDP_HDR;
    size_t left = ms_rcur_left(&c);
    out->len = left < out->orig_len ? left : out->orig_len;
    out->payload = ms_rcur_take(&c, out->len);
    return MS_HDR_OK;
}
