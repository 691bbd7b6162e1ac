/* SPDX-License-Identifier: MIT */
/* IPv4 fragment reassembly with bounded memory. Sets are keyed by
 * (source, destination, id, protocol). Limits: sets in flight, octets of
 * buffered data, and a timeout in capture time; the oldest set is evicted
 * first (the set table is settable.h's, shared with NBDS reassembly). Any
 * overlap that is not an exact re-send of octets already held drops the
 * set (teardrop-style overlaps get no say in the result). */
#ifndef MS_CAPTURE_IPV4_REASM_H
#define MS_CAPTURE_IPV4_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ms_reasm ms_reasm;

typedef struct ms_reasm_limits {
    size_t max_sets;     /* datagrams in flight */
    size_t max_bytes;    /* buffered payload octets, all sets together */
    int64_t timeout_ns;  /* capture time from a set's first fragment */
} ms_reasm_limits;

#define MS_REASM_DEFAULT_SETS 64
#define MS_REASM_DEFAULT_BYTES (1u << 20)
#define MS_REASM_DEFAULT_TIMEOUT_NS (30LL * 1000000000LL)

typedef struct ms_frag {
    uint32_t src, dst;
    uint16_t id;
    uint8_t proto;
    uint8_t hdr_len;        /* IPv4 header octets (for the 65535 limit) */
    uint32_t offset;        /* octets */
    bool more;              /* MF */
    const uint8_t *data;    /* fragment payload present in the record */
    size_t present;
    size_t len;             /* payload octets per the IP total length */
    int64_t ts_ns;          /* capture time */
} ms_frag;

/* Asked once per set, with the offset-0 fragment's payload: does the caller
 * want this datagram? A "no" keeps only the coverage map, so unwanted
 * traffic costs no buffer. */
typedef bool (*ms_reasm_want_fn)(const uint8_t *data, size_t present, void *arg);

typedef enum ms_reasm_verdict {
    MS_REASM_HELD,      /* absorbed: held, an exact duplicate, or dropped */
    MS_REASM_COMPLETE,  /* this fragment completed a wanted datagram */
    MS_REASM_UNWANTED,  /* this fragment completed a datagram want() refused */
    MS_REASM_BAD,       /* not a usable fragment (odd length with MF, too
                         * long for 65535 octets); the table is untouched */
} ms_reasm_verdict;

typedef struct ms_reasm_stats {
    uint64_t dropped;   /* fragments thrown away: overlap, limits, timeout,
                         * snaplen-cut, or incomplete at ms_reasm_flush */
    uint64_t in_flight; /* sets held right now */
} ms_reasm_stats;

/* NULL limits = the defaults above. Allocates the set table once; payload
 * buffers grow per set within max_bytes. NULL on allocation failure. */
ms_reasm *ms_reasm_new(const ms_reasm_limits *limits);
void ms_reasm_free(ms_reasm *r);

/* Offer one fragment. On MS_REASM_COMPLETE *out / *out_len hold the
 * reassembled IP payload, valid until the next ms_reasm_add/_release/_free. */
ms_reasm_verdict ms_reasm_add(ms_reasm *r, const ms_frag *f, ms_reasm_want_fn want,
                              void *arg, const uint8_t **out, size_t *out_len);

/* Give back the buffer of the last completed datagram early. */
void ms_reasm_release(ms_reasm *r);

/* Drop every incomplete set (end of input), counting its fragments. */
void ms_reasm_flush(ms_reasm *r);

ms_reasm_stats ms_reasm_get_stats(const ms_reasm *r);

#endif
