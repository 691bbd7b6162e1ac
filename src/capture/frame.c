/* SPDX-License-Identifier: MIT */
/* One record through the layers. Each early return names the one counter
 * the record lands in, so the counters partition the records. */
#include "frame.h"

#include "ipv4.h"

#define NS_PER_SEC 1000000000LL

/* pcapng timestamps can exceed what int64 nanoseconds hold; saturate, the
 * value only orders fragments for the timeout. */
static int64_t ts_ns(int64_t sec, uint32_t nsec)
{
    if (sec >= INT64_MAX / NS_PER_SEC)
        return INT64_MAX;
    if (sec <= INT64_MIN / NS_PER_SEC)
        return INT64_MIN;
    return sec * NS_PER_SEC + (int64_t)nsec;
}

static bool selected(const ms_portset *ps, uint16_t sport, uint16_t dport)
{
    return ms_portset_has(ps, sport) || ms_portset_has(ps, dport);
}

/* The first fragment decides whether a fragmented datagram is worth its
 * buffer; with fewer than 4 octets the ports are unknown, so keep it. */
static bool want_ports(const uint8_t *data, size_t present, void *arg)
{
    uint16_t sport, dport;
    if (!ms_udp_ports(data, present, &sport, &dport))
        return true;
    return selected(arg, sport, dport);
}

/* A whole IP payload (from one frame or rebuilt) that holds UDP. An
 * unselected datagram is "other port" whatever else is wrong with it. */
static ms_frame_verdict udp(const ms_frame_ctx *ctx, const ms_record *rec, const ms_ipv4 *ip,
                            const uint8_t *p, size_t present, size_t ip_len, bool snapped,
                            bool reassembled, ms_udp_datagram *out)
{
    uint16_t sport, dport;
    if (ms_udp_ports(p, present, &sport, &dport) && !selected(ctx->ports, sport, dport))
        return MS_FRAME_OTHER_PORT;
    ms_udp u;
    switch (ms_udp_parse(p, present, ip_len, &u)) {
    case MS_HDR_OK: break;
    case MS_HDR_TRUNCATED: return MS_FRAME_TRUNCATED_HEADER;
    case MS_HDR_BAD: return MS_FRAME_BAD_HEADER;
    }
    out->frame = rec->frame;
    out->ts_sec = rec->ts_sec;
    out->ts_nsec = rec->ts_nsec;
    out->ip_src = ip->src;
    out->ip_dst = ip->dst;
    out->sport = u.sport;
    out->dport = u.dport;
    out->udp_length = u.length;
    out->payload = u.payload;
    out->len = u.len;
    out->orig_len = u.orig_len;
    /* Short of what the UDP header claims because the snaplen cut the
     * record; a header that merely lies (no cut) is not "truncated". */
    out->truncated = u.len < u.orig_len && snapped;
    out->reassembled = reassembled;
    return MS_FRAME_DATAGRAM;
}

ms_frame_verdict ms_frame_process(const ms_frame_ctx *ctx, const ms_record *rec,
                                  ms_udp_datagram *out)
{
    ms_rcur ipc;
    switch (ms_link_ipv4(ctx->link, rec->data, rec->caplen, &ipc)) {
    case MS_LINK_OK_IPV4: break;
    case MS_LINK_NOT_IPV4: return MS_FRAME_NOT_IPV4;
    case MS_LINK_TRUNCATED: return MS_FRAME_TRUNCATED_HEADER;
    case MS_LINK_BAD: return MS_FRAME_BAD_HEADER;
    case MS_LINK_UNSUPPORTED_TYPE: return MS_FRAME_UNSUPPORTED_LINK;
    }

    ms_ipv4 ip;
    switch (ms_ipv4_parse(&ipc, &ip)) {
    case MS_HDR_OK: break;
    case MS_HDR_TRUNCATED: return MS_FRAME_TRUNCATED_HEADER;
    case MS_HDR_BAD: return MS_FRAME_BAD_HEADER;
    }
    if (ip.proto != MS_IPPROTO_UDP)
        return MS_FRAME_NOT_UDP; /* fragments of other protocols too: never held */
    if (!ms_ipv4_is_fragment(&ip))
        return udp(ctx, rec, &ip, ip.payload, ip.present, ip.payload_len,
                   ip.present < ip.payload_len && rec->caplen < rec->wirelen, false, out);

    ms_frag f = {
        .src = ip.src, .dst = ip.dst, .id = ip.id, .proto = ip.proto,
        .hdr_len = ip.hdr_len, .offset = ip.frag_offset, .more = ip.more_frags,
        .data = ip.payload, .present = ip.present, .len = ip.payload_len,
        .ts_ns = ts_ns(rec->ts_sec, rec->ts_nsec),
    };
    const uint8_t *whole;
    size_t whole_len;
    switch (ms_reasm_add(ctx->reasm, &f, want_ports, (void *)ctx->ports, &whole, &whole_len)) {
    case MS_REASM_HELD: return MS_FRAME_FRAGMENT;
    case MS_REASM_BAD: return MS_FRAME_BAD_HEADER;
    case MS_REASM_UNWANTED: return MS_FRAME_OTHER_PORT;
    case MS_REASM_COMPLETE: break;
    }
    return udp(ctx, rec, &ip, whole, whole_len, whole_len, false, true, out);
}

void ms_frame_count(ms_capture_stats *st, ms_frame_verdict v)
{
    switch (v) {
    case MS_FRAME_DATAGRAM: st->datagrams++; break;
    case MS_FRAME_NOT_IPV4: st->not_ipv4++; break;
    case MS_FRAME_NOT_UDP: st->not_udp++; break;
    case MS_FRAME_OTHER_PORT: st->other_port++; break;
    case MS_FRAME_BAD_HEADER: st->bad_header++; break;
    case MS_FRAME_TRUNCATED_HEADER: st->truncated_header++; break;
    case MS_FRAME_FRAGMENT: st->fragments++; break;
    case MS_FRAME_UNSUPPORTED_LINK: st->unsupported_link++; break;
    }
}
