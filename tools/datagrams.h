/* SPDX-License-Identifier: MIT */
/* The loop decode and check share: capture file -> UDP datagrams -> decoded
 * messages (+ the transport findings the validator cannot see). */
#ifndef MS_TOOLS_DATAGRAMS_H
#define MS_TOOLS_DATAGRAMS_H

#include "mailslot/capture.h"
#include "mailslot/message.h"
#include "mailslot/nbds_reasm.h"
#include "mailslot/validate.h"

#define DG_MAX_PORTS 16
#define DG_MAX_FRAGMENTS 64

typedef struct dg_options {
    const char *sub;            /* subcommand name, for messages */
    const char *path;
    uint16_t ports[DG_MAX_PORTS];
    size_t nports;
    ms_nbds_reasm_limits reasm; /* zero fields: the library's defaults */
} dg_options;

typedef struct dg_item {
    const ms_udp_datagram *d;   /* for a reassembled datagram: its payload */
    const ms_message *m;
    ms_frame_info info;         /* what ms_validate needs */
    bool reassembled;           /* NBDS fragments joined */
    const uint64_t *fragments;  /* their frame numbers */
    size_t nfragments;
    const ms_report *findings;  /* F- findings raised at this datagram */
    bool at_eof;                /* no datagram: findings about fragment sets
                                 * still incomplete at the end of the input
                                 * (d->frame = their last fragment, m NULL) */
} dg_item;

typedef void (*dg_fn)(void *ctx, const dg_item *it);

/* Runs the loop. Returns EXIT_OK, EXIT_INPUT (unreadable input; everything
 * readable was handed over first) or EXIT_SYSTEM. *stats receives the
 * capture counters. */
int dg_run(const dg_options *o, dg_fn fn, void *ctx, ms_capture_stats *stats,
           char *linktype, size_t linktype_len);

/* Parse --reasm-timeout/--reasm-sets/--reasm-bytes values into o. */
int dg_set_reasm(dg_options *o, int opt, const char *arg);

/* Parse --port N into o (138 is always there). Returns 0 or prints why. */
int dg_add_port(dg_options *o, const char *arg);

/* The stderr summary line shared by decode and check. */
void dg_print_capture_summary(const dg_options *o, const ms_capture_stats *s,
                              const char *linktype);

#endif
