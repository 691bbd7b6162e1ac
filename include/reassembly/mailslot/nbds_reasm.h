/* SPDX-License-Identifier: MIT */
/* NBDS fragment reassembly (RFC 1002 §4.4.2, §5.3.1, §5.3.3; PROTOCOL.md
 * §2.4, §2.9). No deployed stack sends NBDS fragments, so this follows the
 * one reading that has an implementation (Hertel's): PACKET_OFFSET is where
 * this fragment's octets sit in the original USER_DATA, DGM_LENGTH is per
 * fragment (and, like everywhere else, not trusted: the UDP length bounds a
 * fragment's data).
 *
 * A datagram of type 0x10..0x12 is a fragment unless FLAGS has F=1, M=0.
 * F (0x02) marks the first fragment, which must have PACKET_OFFSET 0; every
 * other fragment must not. M (0x01) says more follow; M=0 is the last one.
 * A set is keyed by DGM_ID + SOURCE_IP + the source name's wire octets, so
 * two senders that pick the same DGM_ID (or one IP with two names) are kept
 * apart. Fragments may come in any order and in any number. The set is
 * complete when the first and the last fragment are in and [0, end) is
 * covered. The result is an ordinary unfragmented UDP payload: the first
 * fragment's header with FLAGS F=1,M=0 (SNT and reserved bits as the first
 * fragment had them), PACKET_OFFSET 0, DGM_LENGTH recomputed, the names, the
 * joined USER_DATA.
 *
 * Memory: the caller provides one block of ms_nbds_reasm_size() octets
 * (aligned like malloc's); the library never allocates. It holds the set
 * table (about 1.1 KiB per set: two names and a block map), the fragment
 * descriptors (24 octets each: 16 + an 8-octet frame slot) and the data pool
 * of max_bytes rounded down to MS_NBDS_REASM_BLOCK-octet blocks. Nothing
 * grows after init. A set takes pool blocks only for the offsets its
 * fragments cover.
 *
 * When a limit is reached (a new set and no free slot, no free descriptor,
 * not enough free blocks) the oldest other set is evicted (EVICTED), until
 * the new fragment fits. A set that could not fit even alone (more blocks
 * than the pool, more fragments than max_frags) is refused (TOO_BIG).
 * Sets are timed from their first-arrived fragment, first or not (RFC
 * FRAGMENT_TO): elapsed > timeout_ns expires them (TIMEOUT); elapsed ==
 * timeout_ns is still in time. Time running backwards counts as no time.
 *
 * A fragment that conflicts with its set throws the whole set away with it
 * (reason OVERLAP or INCONSISTENT): the sender's octets disagree with each
 * other, so no version of the datagram is trusted. A fragment that is
 * malformed by itself (see INCONSISTENT) is dropped alone; its set, if any,
 * is not touched, and the caller may still decode that datagram on its own.
 *
 * Not thread-safe; one instance per capture or socket. */
#ifndef MAILSLOT_NBDS_REASM_H
#define MAILSLOT_NBDS_REASM_H

#include "mailslot/netbios.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MS_NBDS_REASM_DEFAULT_SETS 64
#define MS_NBDS_REASM_DEFAULT_FRAGS 256
#define MS_NBDS_REASM_DEFAULT_BYTES (256u * 1024u)
#define MS_NBDS_REASM_DEFAULT_TIMEOUT_NS 2000000000ull /* RFC 1002 FRAGMENT_TO */

/* Pool granule, and the largest accepted limits (16-bit indices inside). */
#define MS_NBDS_REASM_BLOCK 256u
#define MS_NBDS_REASM_MAX_SETS 65535u
#define MS_NBDS_REASM_MAX_FRAGS 65535u
#define MS_NBDS_REASM_MAX_BYTES (65535u * MS_NBDS_REASM_BLOCK)

/* Largest reassembled datagram: header + a DGM_LENGTH of 0xFFFF. An output
 * buffer this big never fails with NO_SPACE. */
#define MS_NBDS_REASM_OUT_MAX (14u + 0xFFFFu)

/* The memory limits. Begins with its size (types.h, MS_SIZED):
 * ms_nbds_reasm_limits_init fills in the size and the defaults. A field
 * left 0 takes its default; NULL limits = all defaults. */
typedef struct ms_nbds_reasm_limits {
    size_t size;         /* sizeof(ms_nbds_reasm_limits) */
    size_t max_sets;     /* sets pending at once */
    size_t max_frags;    /* fragments held, all sets together */
    size_t max_bytes;    /* pool octets, all sets together */
    uint64_t timeout_ns; /* from a set's first-arrived fragment */
} ms_nbds_reasm_limits;

typedef enum ms_nbds_reasm_reason {
    MS_NBDS_REASON_NONE = 0,
    /* The set did not complete within timeout_ns (also a set whose F=1
     * fragment never came: out-of-order fragments are held, not refused). */
    MS_NBDS_REASON_TIMEOUT,
    /* The oldest set, dropped to make room for another (any limit). */
    MS_NBDS_REASON_EVICTED,
    /* The fragment overlaps octets held and is not an exact repeat (same
     * offset, length, M bit and octets): set and fragment dropped. */
    MS_NBDS_REASON_OVERLAP,
    /* An exact repeat: the fragment is ignored, the set lives on. */
    MS_NBDS_REASON_DUPLICATE,
    /* Against the set (set and fragment dropped): a second first fragment,
     * a second last fragment, data past the last fragment's end, the same
     * range with another M bit, MSG_TYPE, SOURCE_PORT, the SNT/reserved
     * FLAGS bits or DESTINATION_NAME unlike the set's earlier fragments.
     * By itself (only the fragment dropped): F=1 with PACKET_OFFSET != 0,
     * F=0 with PACKET_OFFSET 0, no data, names + PACKET_OFFSET + data past
     * 0xFFFF (the result could not carry its DGM_LENGTH), a name over 255. */
    MS_NBDS_REASON_INCONSISTENT,
    /* The set would need more than the whole pool or max_frags alone. */
    MS_NBDS_REASON_TOO_BIG,
    /* Complete, but out->buf could not hold it: the set is lost. */
    MS_NBDS_REASON_NO_SPACE,
    /* Only from ms_nbds_reasm_pending(): still waiting, not dropped. */
    MS_NBDS_REASON_PENDING,
    MS_NBDS_REASON__COUNT
} ms_nbds_reasm_reason;

/* "timeout", "evicted", "overlap", "duplicate", "inconsistent", "too_big",
 * "no_space", "pending"; "none" for NONE, NULL outside the enum. */
MS_EXTERN const char *ms_nbds_reasm_reason_name(ms_nbds_reasm_reason r);

/* One dropped set, one ignored or refused fragment, or one pending set.
 * Pointers are valid only during the callback. */
typedef struct ms_nbds_reasm_event {
    ms_nbds_reasm_reason reason;
    uint8_t type;            /* the set's MSG_TYPE */
    uint16_t id;             /* DGM_ID */
    uint32_t src_ip;         /* SOURCE_IP, host order */
    const uint8_t *src_wire; /* source name as on the wire */
    size_t src_wire_len;
    bool have_first;         /* the F=1 fragment was held */
    bool have_last;          /* an M=0 fragment was held */
    uint32_t end;            /* USER_DATA length, when have_last */
    uint32_t held;           /* USER_DATA octets held */
    uint64_t first_ns;       /* arrival of the set's earliest fragment */
    const uint64_t *frames;  /* frame tags of the fragments the set held, in
                              * data order: lost with it (none for DUPLICATE) */
    size_t nframes;
    bool offered;            /* the fragment of this call is dropped too ... */
    uint64_t frame;          /* ... and this is its tag (not in frames[]) */
} ms_nbds_reasm_event;

/* Must not call back into the same instance. */
typedef void (*ms_nbds_reasm_event_fn)(void *ctx, const ms_nbds_reasm_event *ev);

/* Read with ms_nbds_reasm_get_stats into the caller's structure, whose
 * size field the caller sets (MS_SIZED(ms_nbds_reasm_stats)). */
typedef struct ms_nbds_reasm_stats {
    size_t size;              /* sizeof(ms_nbds_reasm_stats) */
    uint64_t fragments;       /* fragments offered (not NOT_FRAGMENT) */
    uint64_t completed;       /* datagrams reassembled */
    uint64_t completed_frags; /* fragments that went into them */
    uint64_t sets_dropped[MS_NBDS_REASON__COUNT];  /* by reason */
    uint64_t frags_dropped[MS_NBDS_REASON__COUNT]; /* by reason; DUPLICATE
                                                    * counts ignored repeats */
    /* Always: fragments == completed_frags + sum(frags_dropped) + frags. */
    size_t sets, sets_high;   /* sets pending now, most at once */
    size_t frags, frags_high; /* fragments held */
    size_t bytes, bytes_high; /* pool octets in use (whole blocks) */
} ms_nbds_reasm_stats;

typedef struct ms_nbds_reasm ms_nbds_reasm;

typedef enum ms_nbds_reasm_verdict {
    MS_NBDS_REASM_NOT_FRAGMENT, /* not a fragment: decode it on its own */
    MS_NBDS_REASM_HELD,         /* kept, waiting for the rest */
    MS_NBDS_REASM_COMPLETE,     /* out->buf holds the whole datagram */
    MS_NBDS_REASM_DROPPED       /* out->reason says why (DUPLICATE: the
                                 * set is still pending) */
} ms_nbds_reasm_verdict;

typedef struct ms_nbds_reasm_out {
    uint8_t *buf;            /* in: room for a completed datagram ... */
    size_t cap;              /* ... MS_NBDS_REASM_OUT_MAX always suffices */
    size_t len;              /* COMPLETE: octets written */
    const uint64_t *frames;  /* COMPLETE: frame tags of the fragments, in
                              * data order; valid until the next call into
                              * the instance */
    size_t nframes;
    ms_nbds_reasm_reason reason; /* DROPPED: why */
} ms_nbds_reasm_out;

/* True when ms_nbds_reasm_add would not return NOT_FRAGMENT. */
static inline bool ms_nbds_is_fragment(const ms_dgram *d)
{
    return ms_dgram_has_data(d->type) &&
           (d->flags & (MS_NBDS_FLAG_FIRST | MS_NBDS_FLAG_MORE)) != MS_NBDS_FLAG_FIRST;
}

/* Size field and the MS_NBDS_REASM_DEFAULT_* values; lim may be NULL. */
MS_EXTERN void ms_nbds_reasm_limits_init(ms_nbds_reasm_limits *lim);

/* Octets of memory ms_nbds_reasm_init needs for lim (NULL: the defaults);
 * 0 when the limits are refused: a size field of 0, a limit above its
 * MS_NBDS_REASM_MAX_*, or max_bytes below one block. */
MS_EXTERN size_t ms_nbds_reasm_size(const ms_nbds_reasm_limits *lim);

/* Set up an instance inside mem and hand it back through *out. mem is the
 * caller's, aligned for any type (malloc's alignment), at least
 * ms_nbds_reasm_size(lim) octets, and must outlive the instance; the
 * instance lives in it and owns nothing else, so there is nothing to
 * destroy (free mem when done). lim is read during the call only. fn (may
 * be NULL) hears every drop, eviction, timeout and duplicate, with ctx.
 * MS_OK; MS_ERR_INVALID_ARG: out or mem NULL, mem misaligned, or the
 * limits refused (see ms_nbds_reasm_size); MS_ERR_NO_SPACE: len is too
 * small. On failure *out is NULL and err (NULL/0 allowed) says why. */
MS_EXTERN ms_status ms_nbds_reasm_init(void *mem, size_t len, const ms_nbds_reasm_limits *lim,
                                       ms_nbds_reasm_event_fn fn, void *ctx, ms_nbds_reasm **out,
                                       char *err, size_t errlen);

/* Offer one decoded datagram (d as filled by a successful ms_dgram_decode;
 * the data is copied, d may go away after the call). out may be NULL when
 * the caller only wants the verdict and events. now_ns is the capture
 * time when decoding a file, a monotonic clock when listening; sets older
 * than the timeout are expired first, whatever d is. frame is an opaque tag
 * handed back in out->frames and events (a capture record number, say).
 * The result is a verdict, not a failure: every fragment is either held,
 * completes its set, or is dropped for a reason the events and the
 * counters report. */
MS_EXTERN ms_nbds_reasm_verdict ms_nbds_reasm_add(ms_nbds_reasm *r, const ms_dgram *d, uint64_t now_ns,
                                                  uint64_t frame, ms_nbds_reasm_out *out);

/* Drop the sets that have timed out at now_ns (TIMEOUT events, oldest
 * first). Returns how many. Listeners call it from a timer. */
MS_EXTERN size_t ms_nbds_reasm_expire(ms_nbds_reasm *r, uint64_t now_ns);

/* Describe every pending set through fn (reason PENDING, oldest first)
 * without dropping anything: what never completed at the end of input.
 * Returns the number of sets. */
MS_EXTERN size_t ms_nbds_reasm_pending(ms_nbds_reasm *r, ms_nbds_reasm_event_fn fn, void *ctx);

/* Copy the counters into *out, as far as out->size goes. MS_OK, or
 * MS_ERR_INVALID_ARG when r or out is NULL or out->size is 0. */
MS_EXTERN ms_status ms_nbds_reasm_get_stats(const ms_nbds_reasm *r, ms_nbds_reasm_stats *out);

#ifdef __cplusplus
}
#endif
#endif
