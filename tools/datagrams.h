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

/* Options decode and check share: -r, --port, --reasm-*. Their getopt
 * codes: 'r', 'p', 'T', 'N', 'B'. Returns 1 when ch was one of them,
 * 0 when it was not, -1 after printing why the value is bad. */
#define DG_LONG_OPTIONS                                          \
    { "port", required_argument, NULL, 'p' },                    \
    { "reasm-timeout", required_argument, NULL, 'T' },           \
    { "reasm-sets", required_argument, NULL, 'N' },              \
    { "reasm-bytes", required_argument, NULL, 'B' }
int dg_option(dg_options *o, int ch, const char *arg);

/* The input file: -r FILE or one positional argument. 0, or -1 after
 * printing why (then the caller exits with EXIT_USAGE). */
int dg_take_input(dg_options *o, int argc, char **argv, int optind_now);


/* The stderr summary line shared by decode and check. */
void dg_print_capture_summary(const dg_options *o, const ms_capture_stats *s,
                              const char *linktype);

#endif
