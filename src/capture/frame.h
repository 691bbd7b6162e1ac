/* SPDX-License-Identifier: MIT */
/* One capture record -> one verdict: link layer, IPv4 (through the fragment
 * table), UDP, port selection. No libpcap here, so tests can feed frames
 * straight from memory. */
#ifndef MS_CAPTURE_FRAME_H
#define MS_CAPTURE_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include "mailslot/capture.h"
#include "ipv4_reasm.h"
#include "link_layer.h"
#include "portset.h"

/* Exactly one per record; each maps to one ms_capture_stats counter. */
typedef enum ms_frame_verdict {
    MS_FRAME_DATAGRAM,         /* *out filled */
    MS_FRAME_NOT_IPV4,
    MS_FRAME_NOT_UDP,
    MS_FRAME_OTHER_PORT,
    MS_FRAME_BAD_HEADER,
    MS_FRAME_TRUNCATED_HEADER,
    MS_FRAME_FRAGMENT,         /* absorbed by reassembly */
    MS_FRAME_UNSUPPORTED_LINK,
} ms_frame_verdict;

typedef struct ms_record {
    uint64_t frame;       /* 1-based record number */
    int64_t ts_sec;
    uint32_t ts_nsec;
    const uint8_t *data;
    size_t caplen;        /* octets in the record */
    size_t wirelen;       /* octets the frame had on the wire */
} ms_record;

typedef struct ms_frame_ctx {
    ms_link_kind link;
    const ms_portset *ports;
    ms_reasm *reasm;
} ms_frame_ctx;

ms_frame_verdict ms_frame_process(const ms_frame_ctx *ctx, const ms_record *rec,
                                  ms_udp_datagram *out);

/* Add one verdict to the counters it belongs to. */
void ms_frame_count(ms_capture_stats *st, ms_frame_verdict v);

#endif
