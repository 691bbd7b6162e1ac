/* SPDX-License-Identifier: MIT */
/* The receive pipeline: every received UDP payload takes the same path,
 * whoever received it: the server (UDP socket, libpcap), `mailslot
 * decode`, `check`, `hosts` (capture files and interfaces) and `listen`.
 *
 * For each datagram pushed, in order:
 *  1. it is decoded once (ms_message_decode);
 *  2. an NBDS fragment goes to reassembly (bounded, nbds_reasm.h); a set it
 *     completes is decoded once and delivered right after it, as a second
 *     item (kind MS_RX_REASSEMBLED) whose payload is the whole datagram;
 *  3. reassembly events (overlap, timeout, ...) become F- findings on the
 *     item being delivered; with opts.validate, the validator's findings
 *     follow them (ms_validate);
 *  4. a clean mailslot write (verdict MS_RX_WRITE: the transaction decoded,
 *     opcode 1, \MAILSLOT\ name, the data where DataOffset says) goes
 *     through the duplicate filter when opts.dedup_window_ms > 0 (verdict
 *     MS_RX_DUPLICATE for a repeat), then, when opts.keys is set, through
 *     authentication (auth.h): the trailer is verified (verdict
 *     MS_RX_AUTH_FAILED when it does not) and stripped, and the item
 *     carries the datagram the sender meant: the stripped octets, decoded
 *     (a different octet string, so decoded on its own);
 *  5. the callback gets the item. Pointers in it are valid only during the
 *     call; what a receiver keeps it copies (ms_message_move helps).
 *
 * Time: push takes now_ns, the clock reassembly timeouts and the duplicate
 * window run on: capture time when reading a file, CLOCK_MONOTONIC when
 * listening. The arrival time of a datagram is its own time_ns / ts_*.
 *
 * Allocated by the library (it owns the reassembly, duplicate-filter and
 * replay memory its options size). Not thread-safe. */
#ifndef MAILSLOT_PIPELINE_H
#define MAILSLOT_PIPELINE_H

#include "mailslot/auth.h"
#include "mailslot/capture.h"
#include "mailslot/message.h"
#include "mailslot/validate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ms_rx_kind {
    MS_RX_DATAGRAM,     /* a datagram as pushed */
    MS_RX_REASSEMBLED,  /* the whole datagram a fragment set made */
    MS_RX_INCOMPLETE    /* from ms_pipeline_finish: a set that never completed;
                         * no datagram (d has only the frame of its last
                         * fragment, m is NULL), one F- finding */
} ms_rx_kind;

/* What a receiver of mailslot messages makes of the item. */
typedef enum ms_rx_verdict {
    MS_RX_WRITE,        /* a clean mailslot write: deliverable */
    MS_RX_FRAGMENT,     /* an NBDS fragment: it reaches receivers as part
                         * of the whole (or an incomplete set) */
    MS_RX_NOT_MAILSLOT, /* another NBDS type, not SMB, another command or
                         * opcode */
    MS_RX_MALFORMED,    /* does not decode as NBDS + mailslot write */
    MS_RX_TRUNCATED,    /* cut: longer than the receive buffer or the
                         * capture's snapshot length */
    MS_RX_DUPLICATE,    /* a repeat within the duplicate window */
    MS_RX_AUTH_FAILED,  /* authentication asked for and not passed
                         * (auth_result says why) */
    MS_RX_VERDICT__COUNT
} ms_rx_verdict;

/* "write", "fragment", "not_mailslot", "malformed", "truncated",
 * "duplicate", "auth_failed"; NULL outside the enum. */
MS_EXTERN const char *ms_rx_verdict_name(ms_rx_verdict v);

typedef struct ms_rx_item {
    ms_rx_kind kind;
    ms_rx_verdict verdict;
    const ms_udp_datagram *d;  /* addresses, time, frame, payload (for a
                                * REASSEMBLED item: the whole datagram; with
                                * authentication: without its trailer) */
    const ms_message *m;       /* d->payload decoded; NULL for INCOMPLETE */
    ms_frame_info info;        /* what ms_validate was given */
    const uint64_t *fragments; /* REASSEMBLED: frame tags of the fragments,
                                * in data order */
    size_t nfragments;
    const ms_report *findings; /* never NULL: F- findings raised here, then
                                * the validator's (opts.validate) */
    bool authenticated;        /* the trailer verified and was stripped */
    ms_auth_result auth_result;/* with opts.keys and a clean write */
    ms_auth_trailer trailer;   /* when authenticated (else not set) */
} ms_rx_item;

typedef void (*ms_pipeline_fn)(void *ctx, const ms_rx_item *it);

typedef struct ms_pipeline_opts {
    size_t size;             /* sizeof; ms_pipeline_opts_init sets it */
    size_t reasm_sets;       /* NBDS fragment sets in flight (0: 64) */
    size_t reasm_frags;      /* fragments held (0: 256) */
    size_t reasm_bytes;      /* octets held (0: 256 KiB) */
    uint64_t reasm_timeout_ns; /* a set completes within this of its first
                              * fragment (0: 2 s, RFC 1002 FRAGMENT_TO) */
    bool validate;           /* findings of the validator on every item */
    unsigned report_flags;   /* MS_REPORT_NO_TEXT: count findings only */
    int dedup_window_ms;     /* > 0: repeats of a write within this are
                              * MS_RX_DUPLICATE (dedup.h); 0: no filter */
    size_t dedup_entries;    /* writes remembered (0: 1024) */
    const ms_auth_keyring *keys; /* non-NULL: verify and strip the trailer of
                              * every clean write (keys are copied) */
    uint32_t auth_window_ms; /* accepted clock difference (0: 30 s) */
    size_t auth_cache;       /* replay cache entries (0: 4096) */
    int validate_as;         /* with validate: an ms_layout whose shape
                              * every write is also held to (X-04,
                              * ms_validate_layout); -1 (the default): none */
} ms_pipeline_opts;

MS_EXTERN void ms_pipeline_opts_init(ms_pipeline_opts *o);

typedef struct ms_pipeline ms_pipeline;

/* o may be NULL (defaults: no validation, no filter, no authentication).
 * fn gets every item. MS_ERR_INVALID_ARG (a limit out of range, keys
 * given without MAILSLOT_AUTH or empty), MS_ERR_NO_MEMORY. */
MS_EXTERN ms_status ms_pipeline_new(const ms_pipeline_opts *o, ms_pipeline_fn fn, void *ctx,
                                    ms_pipeline **out, char *err, size_t errlen);
MS_EXTERN void ms_pipeline_free(ms_pipeline *p);

/* One datagram (d->payload, d->len octets; the pipeline copies what it
 * keeps). now_ns: see above. The callback runs once or twice before this
 * returns. */
MS_EXTERN void ms_pipeline_push(ms_pipeline *p, const ms_udp_datagram *d, uint64_t now_ns);
/* Drop the fragment sets that have timed out at now_ns (their F-03
 * findings go to no item: a listener calls this from a timer). Returns
 * how many sets. */
MS_EXTERN size_t ms_pipeline_expire(ms_pipeline *p, uint64_t now_ns);
/* End of input: one MS_RX_INCOMPLETE item per set still pending. */
MS_EXTERN void ms_pipeline_finish(ms_pipeline *p);

/* Room for verdicts and authentication results in the statistics: fixed,
 * so that new values do not move the fields after them. */
#define MS_RX_STATS_SLOTS 16

typedef struct ms_pipeline_stats {
    size_t size;                 /* sizeof; set by the caller (MS_SIZED) */
    uint64_t datagrams;          /* pushed */
    uint64_t verdicts[MS_RX_STATS_SLOTS]; /* by ms_rx_verdict, of DATAGRAM and
                                  * REASSEMBLED items */
    uint64_t auth[MS_RX_STATS_SLOTS];     /* by ms_auth_result, with keys */
    uint64_t reassembled;        /* whole datagrams made from fragments */
    uint64_t frag_dropped;       /* fragments lost (timeout, eviction,
                                  * overlap, ...): fragments = those in
                                  * reassembled datagrams + these + held */
    uint64_t frag_held;          /* fragments waiting now */
} ms_pipeline_stats;

/* MS_ERR_INVALID_ARG when out->size is too small for its first field. */
MS_EXTERN ms_status ms_pipeline_get_stats(const ms_pipeline *p, ms_pipeline_stats *out);

#ifdef __cplusplus
}
#endif
#endif
