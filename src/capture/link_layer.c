/* SPDX-License-Identifier: MIT */
/* Link layers -> start of the IPv4 header. Every octet is read through the
 * bounds-checked cursor; a header cut by the snaplen is "truncated". */
#include "link_layer.h"

#include <pcap/dlt.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_VLAN 0x8100   /* 802.1Q */
#define ETHERTYPE_QINQ 0x88a8   /* 802.1ad service tag */
#define ETHERTYPE_QINQ_OLD 0x9100 /* pre-standard QinQ */
#define ETH_MAX_LENGTH 1500     /* type/length <= this is an 802.3 length */
#define ETH_MIN_TYPE 0x0600     /* type/length >= this is an Ethertype */
#define SLL_PROTO_LLC 0x0004    /* SLL: frame starts with an 802.2 LLC header */
#define ARPHRD_NETLINK 824      /* SLL: "protocol" is a netlink family */
#define AF_INET_ALL 2           /* AF_INET is 2 on every BSD and on Linux */

ms_link_kind ms_link_from_dlt(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB: return MS_LINK_ETHERNET;
    case DLT_LINUX_SLL: return MS_LINK_SLL;
    case DLT_LINUX_SLL2: return MS_LINK_SLL2;
    case DLT_RAW: return MS_LINK_RAW;
    case 101: return MS_LINK_RAW; /* LINKTYPE_RAW; libpcap maps it to DLT_RAW,
                                   * accepted in case it does not */
    case DLT_IPV4: return MS_LINK_IPV4;
    case DLT_NULL: return MS_LINK_NULL;
    case DLT_LOOP: return MS_LINK_LOOP;
    default: break;
    }
    /* 12 and 14 have each been DLT_RAW on some platform, and libpcap passes
     * such a file's link type through unchanged; unless the number is this
     * platform's DLT_LOOP (OpenBSD: 12) it is raw IP. */
    if (dlt == 12 || dlt == 14)
        return MS_LINK_RAW;
    return MS_LINK_UNSUPPORTED;
}

const char *ms_link_kind_name(ms_link_kind kind)
{
    switch (kind) {
    case MS_LINK_ETHERNET: return "EN10MB";
    case MS_LINK_SLL: return "LINUX_SLL";
    case MS_LINK_SLL2: return "LINUX_SLL2";
    case MS_LINK_RAW: return "RAW";
    case MS_LINK_IPV4: return "IPV4";
    case MS_LINK_NULL: return "NULL";
    case MS_LINK_LOOP: return "LOOP";
    case MS_LINK_UNSUPPORTED: break;
    }
    return NULL;
}

static ms_link_result rest_is_ipv4(ms_rcur *c, ms_rcur *ip)
{
    *ip = ms_rcur_sub(c, ms_rcur_left(c));
    return MS_LINK_OK_IPV4;
}

/* 802.2 LLC, and SNAP behind it. `avail` octets belong to the LLC frame;
 * `by_length` says an 802.3 length field (not the snaplen) set that bound,
 * so running out of octets means a bad frame rather than a cut one. */
static ms_link_result llc(ms_rcur *c, size_t avail, int by_length, ms_rcur *ip)
{
    ms_rcur l = ms_rcur_sub(c, avail);
    uint8_t dsap = ms_rcur_u8(&l);
    uint8_t ssap = ms_rcur_u8(&l);
    uint8_t ctrl = ms_rcur_u8(&l);
    if (l.err)
        return by_length ? MS_LINK_BAD : MS_LINK_TRUNCATED;
    if (dsap != 0xAA || ssap != 0xAA || ctrl != 0x03)
        return MS_LINK_NOT_IPV4; /* NetBEUI, IPX, STP, ... */
    const uint8_t *oui = ms_rcur_take(&l, 3);
    uint16_t type = ms_rcur_be16(&l);
    if (l.err)
        return by_length ? MS_LINK_BAD : MS_LINK_TRUNCATED;
    /* OUI 00-00-00 (RFC 1042) and 00-00-F8 (802.1H) carry an Ethertype;
     * any other OUI's protocol id means something else. */
    if (oui[0] != 0 || oui[1] != 0 || (oui[2] != 0 && oui[2] != 0xF8))
        return MS_LINK_NOT_IPV4;
    if (type != ETHERTYPE_IPV4)
        return MS_LINK_NOT_IPV4;
    return rest_is_ipv4(&l, ip);
}

/* What follows an Ethernet type/length field: VLAN tags (any depth; each
 * costs 4 octets, so the loop ends with the frame), then IPv4, an 802.3
 * length with LLC, or another protocol. */
static ms_link_result ethertype(ms_rcur *c, uint16_t type, ms_rcur *ip)
{
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
        (void)ms_rcur_be16(c); /* TCI: priority, DEI, VLAN id */
        type = ms_rcur_be16(c);
        if (c->err)
            return MS_LINK_TRUNCATED;
    }
    if (type <= ETH_MAX_LENGTH) {
        /* The length bounds the LLC frame; Ethernet padding may follow. */
        size_t left = ms_rcur_left(c);
        if (type <= left)
            return llc(c, type, 1, ip);
        return llc(c, left, 0, ip);
    }
    if (type < ETH_MIN_TYPE)
        return MS_LINK_NOT_IPV4; /* 1501..1535: neither length nor type */
    if (type != ETHERTYPE_IPV4)
        return MS_LINK_NOT_IPV4;
    return rest_is_ipv4(c, ip);
}

static ms_link_result ethernet(ms_rcur *c, ms_rcur *ip)
{
    (void)ms_rcur_take(c, 12); /* destination, source */
    uint16_t type = ms_rcur_be16(c);
    if (c->err)
        return MS_LINK_TRUNCATED;
    return ethertype(c, type, ip);
}

/* The protocol field of both Linux cooked headers: an Ethertype, or below
 * 0x0600 one of Linux's pseudo-protocols (only LLC can hold IPv4). */
static ms_link_result sll_protocol(ms_rcur *c, uint16_t hatype, uint16_t proto, ms_rcur *ip)
{
    if (hatype == ARPHRD_NETLINK)
        return MS_LINK_NOT_IPV4;
    if (proto == SLL_PROTO_LLC)
        return llc(c, ms_rcur_left(c), 0, ip);
    if (proto < ETH_MIN_TYPE)
        return MS_LINK_NOT_IPV4;
    return ethertype(c, proto, ip);
}

static ms_link_result sll(ms_rcur *c, ms_rcur *ip)
{
    (void)ms_rcur_be16(c); /* packet type */
    uint16_t hatype = ms_rcur_be16(c);
    (void)ms_rcur_take(c, 2 + 8); /* address length, address */
    uint16_t proto = ms_rcur_be16(c);
    if (c->err)
        return MS_LINK_TRUNCATED;
    return sll_protocol(c, hatype, proto, ip);
}

static ms_link_result sll2(ms_rcur *c, ms_rcur *ip)
{
    uint16_t proto = ms_rcur_be16(c);
    (void)ms_rcur_take(c, 2 + 4); /* reserved, interface index */
    uint16_t hatype = ms_rcur_be16(c);
    (void)ms_rcur_take(c, 1 + 1 + 8); /* packet type, address length, address */
    if (c->err)
        return MS_LINK_TRUNCATED;
    return sll_protocol(c, hatype, proto, ip);
}

static ms_link_result raw(ms_rcur *c, int v6_allowed, ms_rcur *ip)
{
    int first = ms_rcur_peek(c, 0);
    if (first < 0)
        return MS_LINK_TRUNCATED;
    if ((first >> 4) == 4 || !v6_allowed)
        return rest_is_ipv4(c, ip); /* the IPv4 parser judges the version */
    if ((first >> 4) == 6)
        return MS_LINK_NOT_IPV4;
    return MS_LINK_BAD;
}

/* DLT_NULL's family is in the byte order of the host that captured, which
 * need not be ours: AF values are small, so a value with high bits set is
 * one in the other order. */
static ms_link_result null_loopback(ms_rcur *c, ms_rcur *ip)
{
    uint32_t af = ms_rcur_le32(c);
    if (c->err)
        return MS_LINK_TRUNCATED;
    if (af & 0xFFFF0000u)
        af = (af >> 24) | ((af >> 8) & 0xFF00u) | ((af << 8) & 0xFF0000u) | (af << 24);
    return af == AF_INET_ALL ? rest_is_ipv4(c, ip) : MS_LINK_NOT_IPV4;
}

static ms_link_result loop_loopback(ms_rcur *c, ms_rcur *ip)
{
    uint32_t af = ms_rcur_be32(c);
    if (c->err)
        return MS_LINK_TRUNCATED;
    return af == AF_INET_ALL ? rest_is_ipv4(c, ip) : MS_LINK_NOT_IPV4;
}

ms_link_result ms_link_ipv4(ms_link_kind kind, const uint8_t *frame, size_t caplen, ms_rcur *ip)
{
    ms_rcur c = ms_rcur_make(frame, caplen);
    switch (kind) {
    case MS_LINK_ETHERNET: return ethernet(&c, ip);
    case MS_LINK_SLL: return sll(&c, ip);
    case MS_LINK_SLL2: return sll2(&c, ip);
    case MS_LINK_RAW: return raw(&c, 1, ip);
    case MS_LINK_IPV4: return raw(&c, 0, ip);
    case MS_LINK_NULL: return null_loopback(&c, ip);
    case MS_LINK_LOOP: return loop_loopback(&c, ip);
    case MS_LINK_UNSUPPORTED: break;
    }
    return MS_LINK_UNSUPPORTED_TYPE;
}
