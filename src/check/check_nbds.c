/* SPDX-License-Identifier: MIT */
/* N- rules: the NetBIOS Datagram Service header and its names (PROTOCOL.md
 * §8.1). Offsets are from the start of the UDP payload. */
#include <string.h>

#include "validator.h"

static bool unfragmented(uint8_t flags)
{
    return (flags & 0x03) == MS_NBDS_FLAG_FIRST;
}

static inline void name_rules(vctx *v, const ms_nb_name *n, const char *key, size_t off)
{
    if (n->wire_len && !n->valid) {
        if (n->wire[0] != 32)
            ADD(v->r, "N-07", key, off, "first label is %u octets, not 32", n->wire[0]);
        else
            ADD(v->r, "N-07", key, off, "first-level encoding has a letter outside A..P");
    }
}

/* Which name a decoding failure lies in. ms_dgram_decode stops at the first
 * name that fails, and the offset alone cannot tell "the source name's last
 * label" from "the destination name's first octet", so decode the source
 * name again on its own. */
static const char *failed_name_key(const vctx *v)
{
    if (!ms_dgram_has_data(v->m->dgram.type))
        return "nbdgm.dst_name";
    ms_nb_name src;
    size_t used;
    return ms_nb_name_decode(v->p + 14, v->len - 14, &src, &used) != MS_OK ? "nbdgm.src_name"
                                                                           : "nbdgm.dst_name";
}

/* A name that did not decode: N-08 for label pointers and reserved label
 * types, N-01 or N-07 for one that runs off the end, N-07 otherwise. */
static void name_failure(vctx *v, bool cut)
{
    const ms_message *m = v->m;
    const char *key = failed_name_key(v);
    if (m->status == MS_ERR_NAME_POINTER || m->status == MS_ERR_NAME_LABEL)
        ADD(v->r, "N-08", key, m->err_off, "label octet 0x%02x: %s", v->p[m->err_off],
            m->status == MS_ERR_NAME_POINTER ? "a label pointer" : "a reserved label type");
    else if (m->status == MS_ERR_TRUNCATED && cut)
        ; /* the snapshot length cut the name: P-01 */
    else if (m->status == MS_ERR_TRUNCATED && !ms_dgram_has_data(m->dgram.type))
        ADD(v->r, "N-01", key, m->err_off, "payload ends inside the name (%zu octets)", v->len);
    else if (m->status == MS_ERR_TRUNCATED)
        /* 0x10-0x12: N-01 asks only for the 14-octet header; a name that
         * runs off the end does not decode (N-07). */
        ADD(v->r, "N-07", key, m->err_off, "payload ends inside the name (%zu octets)", v->len);
    else
        ADD(v->r, "N-07", key, m->err_off, "%s", ms_strerror(m->status));
}

/* 0x10-0x12 whose names decoded: names, fragments, lengths, flags. */
static void data_header_rules(vctx *v)
{
    const ms_dgram *d = &v->m->dgram;
    ms_report *r = v->r;
    name_rules(v, &d->src, "nbdgm.src_name", 14);
    name_rules(v, &d->dst, "nbdgm.dst_name", 14 + d->src.wire_len);
    if (d->src.wire_len != 34 || d->dst.wire_len != 34)
        ADD(r, "N-09", d->src.wire_len != 34 ? "nbdgm.src_name" : "nbdgm.dst_name",
            d->src.wire_len != 34 ? 14 : 14 + d->src.wire_len,
            "scoped name: %zu + %zu octets of names, USER_DATA at offset %zu",
            d->src.wire_len, d->dst.wire_len, ms_message_smb_offset(v->m));
    if ((d->flags & 0x03) == MS_NBDS_FLAG_FIRST && d->packet_offset != 0)
        ADD(r, "N-04", "nbdgm.offset", 12, "unfragmented datagram with PACKET_OFFSET %u", d->packet_offset);
    if (!unfragmented(d->flags))
        ADD(r, "N-05", "nbdgm.flags", 1, "a fragment (FLAGS 0x%02x: F=%u M=%u)", d->flags,
            (d->flags >> 1) & 1u, d->flags & 1u);
    else if (d->dgm_length != v->wire_len - 14)
        ADD(r, "N-06", "nbdgm.length", 10, "DGM_LENGTH %u, octets after the header %zu (off by %+ld)",
            d->dgm_length, v->wire_len - 14, (long)d->dgm_length - (long)(v->wire_len - 14));
    if (d->type == MS_NBDS_BROADCAST) {
        static const uint8_t star[16] = { '*' };
        if (!d->dst.valid || memcmp(d->dst.name, star, 16) != 0)
            ADD(r, "N-10", "nbdgm.dst_name", 14 + d->src.wire_len,
                "BROADCAST datagram not addressed to '*'");
        ADD(r, "N-11", "nbdgm.type", 0, "BROADCAST (0x12): Windows and Samba send mailslots as 0x10/0x11");
    }
    if (d->flags != 0x02 && d->flags != 0x06 && d->flags != 0x0A && d->flags != 0x0E)
        ADD(r, "N-12", "nbdgm.flags", 1, "FLAGS 0x%02x is not 0x02, 0x06, 0x0a or 0x0e", d->flags);
    if (d->src.valid && d->src.name[15] != 0x00 && d->src.name[15] != 0x20)
        ADD(r, "N-14", "nbdgm.src_name", 14, "source name suffix 0x%02x", d->src.name[15]);
    size_t budget = 14 + d->src.wire_len + d->dst.wire_len + 512;
    if (v->wire_len > budget)
        ADD(r, "N-16", "payload", budget, "payload %zu octets > %zu (names + 512) by %zu",
            v->wire_len, budget, v->wire_len - budget);
}

/* N-13: SOURCE_PORT, the UDP ports and SOURCE_IP against the IP source. */
static void address_rules(vctx *v)
{
    const ms_dgram *d = &v->m->dgram;
    const ms_frame_info *info = v->info;
    if (d->src_port != 138)
        ADD(v->r, "N-13", "nbdgm.src_port", 8, "SOURCE_PORT %u, not 138", d->src_port);
    if (!info)
        return;
    if (info->sport != 138 || info->dport != 138)
        ADD(v->r, "N-13", info->sport != 138 ? "udp.srcport" : "udp.dstport", 0,
            "UDP ports %u -> %u, not 138 -> 138", info->sport, info->dport);
    if (d->src_ip != info->ip_src)
        ADD(v->r, "N-13", "nbdgm.src_ip", 4, "SOURCE_IP %u.%u.%u.%u differs from the IP source %u.%u.%u.%u",
            d->src_ip >> 24, (d->src_ip >> 16) & 255, (d->src_ip >> 8) & 255, d->src_ip & 255,
            info->ip_src >> 24, (info->ip_src >> 16) & 255, (info->ip_src >> 8) & 255,
            info->ip_src & 255);
}

void ms_check_nbds(vctx *v)
{
    const ms_message *m = v->m;
    const ms_dgram *d = &m->dgram;
    ms_report *r = v->r;
    /* Octets the capture cut off are P-01's, not the sender's: length rules
     * judge the length that was sent, and nothing is said about a name the
     * snapshot length cut. */
    bool cut = v->info && v->info->truncated;

    if (v->len < 10) {
        if (!cut || v->wire_len < 10)
            ADD(r, "N-01", "payload", 0, "payload is %zu octets, fewer than the 10 of the common header", v->wire_len);
        return;
    }
    if (!ms_dgram_type_name(d->type)) {
        ADD(r, "N-02", "nbdgm.type", 0, "MSG_TYPE 0x%02x is not a datagram service type", d->type);
        return;
    }
    if (d->flags & 0xF0)
        ADD(r, "N-03", "nbdgm.flags", 1, "FLAGS 0x%02x has reserved bits 0x%02x set", d->flags, d->flags & 0xF0);
    if (d->type == MS_NBDS_ERROR) {
        if (v->wire_len != 11)
            ADD(r, "N-01", "payload", v->wire_len < 11 ? v->wire_len : 11,
                "DATAGRAM ERROR is %zu octets, not 11", v->wire_len);
        if (v->len >= 11 && (d->error_code < 0x82 || d->error_code > 0x84))
            ADD(r, "N-15", "nbdgm.error_code", 10, "ERROR_CODE 0x%02x is not 0x82..0x84", d->error_code);
        if (d->flags & 0x03)
            ADD(r, "N-15", "nbdgm.flags", 1, "DATAGRAM ERROR with F/M bits set (FLAGS 0x%02x)", d->flags);
        return;
    }
    if (!ms_dgram_has_data(d->type)) {
        if (m->status == MS_OK && d->trailing.len)
            ADD(r, "N-01", "nbdgm.trailing", v->len - d->trailing.len,
                "%zu octets after the destination name", d->trailing.len);
    } else if (v->len < 14) {
        if (!cut || v->wire_len < 14)
            ADD(r, "N-01", "payload", v->len, "payload is %zu octets, fewer than the 14-octet header", v->wire_len);
        return;
    }
    if (m->status != MS_OK && m->err_layer == MS_LAYER_NBDGM) {
        name_failure(v, cut);
        return;
    }
    if (ms_dgram_has_data(d->type))
        data_header_rules(v);
    else
        name_rules(v, &d->dst, "nbdgm.dst_name", 10);
    address_rules(v);
}
