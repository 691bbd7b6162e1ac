/* SPDX-License-Identifier: MIT */
/* The loop decode and check share: capture file -> UDP datagrams -> decoded
 * messages (+ the transport findings the validator cannot see). */
#ifndef MS_TOOLS_DATAGRAMS_H
#define MS_TOOLS_DATAGRAMS_H

#include "mailslot/capture.h"
#include "mailslot/message.h"
#include "mailslot/nbds_reasm.h"
#include "mailslot/pipeline.h"
#include "mailslot/validate.h"

#include "dg_filter.h"

#define DG_MAX_PORTS 16
#define DG_BPF_MAX 2048

typedef struct dg_options {
    const char *sub;            /* subcommand name, for messages */
    const char *path;           /* -r FILE or the first operand */
    const char *iface;          /* -i IFACE: a live capture instead */
    const char *write_path;     /* -w FILE: copy the records shown */
    char bpf[DG_BPF_MAX];       /* the operands after FILE, joined */
    uint16_t ports[DG_MAX_PORTS];
    size_t nports;
    ms_nbds_reasm_limits reasm; /* zero fields: the library's defaults */
    dg_filter filter;           /* --slot, --type, --name */
    uint64_t count;             /* -c N: stop after N datagrams; 0 = all */
    double timeout_s;           /* live: stop after this long; 0 = never */
    bool validate;              /* the validator's findings on every item */
    unsigned report_flags;      /* MS_REPORT_NO_TEXT: findings counted only */
    int validate_as;            /* an ms_layout for X-04 (check --as); -1: none */
    bool progress;              /* a progress line on stderr (a terminal) */
} dg_options;

/* What a run saw, for the summaries. */
typedef struct dg_result {
    ms_capture_stats cs;
    char linktype[64];
    uint64_t shown;             /* items handed to the callback */
    uint64_t filtered_out;      /* datagrams --slot/--type/--name rejected */
    bool interrupted;           /* SIGINT/SIGTERM before the end of a file */
} dg_result;

/* One item of the receive pipeline (pipeline.h): a datagram, a datagram
 * rebuilt from NBDS fragments (kind MS_RX_REASSEMBLED), or, at the end of
 * the input, the findings of a fragment set that never completed (kind
 * MS_RX_INCOMPLETE: no datagram, d->frame = its last fragment, m NULL). */
typedef ms_rx_item dg_item;

typedef void (*dg_fn)(void *ctx, const dg_item *it);

/* Runs the loop. Returns EXIT_OK, EXIT_INPUT (unreadable input; everything
 * readable was handed over first) or EXIT_SYSTEM; after SIGINT/SIGTERM,
 * what was read so far, with res->interrupted set (a file) or not (a live
 * capture, which a signal ends normally). */
int dg_run(const dg_options *o, dg_fn fn, void *ctx, dg_result *res);

/* Options decode, check and hosts share, for their cli_opt tables. */
enum { DG_KEY_PORT = 'p', DG_KEY_RTIMEOUT = 'T', DG_KEY_RSETS = 'N', DG_KEY_RBYTES = 'B',
       DG_KEY_SLOT = 300, DG_KEY_TYPE, DG_KEY_NAME, DG_KEY_TIMEOUT };
#define DG_CLI_INPUT_OPTS                                                                   \
    { "read", 'r', 'r', "FILE", "read the capture FILE ('-' = standard input)", "file" }, \
    { "interface", 'i', 'i', "IFACE",                                                    \
      "capture live on IFACE through libpcap (root or\nCAP_NET_RAW) until -c, SIGINT or SIGTERM", \
      "iface" },                                                                          \
    { "count", 'c', 'c', "N", "stop after N datagrams (counted after the filters)", NULL }, \
    { "timeout", DG_KEY_TIMEOUT, 0, "S", "with -i: stop after S seconds", NULL }
#define DG_CLI_FILTER_OPTS                                                                  \
    { "slot", DG_KEY_SLOT, 0, "NAME", "only writes to this mailslot (repeatable)", NULL },  \
    { "type", DG_KEY_TYPE, 0, "T",                                                          \
      "only this NBDS message type (repeatable): unique,\ngroup, broadcast, error, query, " \
      "positive, negative", DG_FILTER_TYPE_WORDS },                                         \
    { "name", DG_KEY_NAME, 0, "NAME",                                                       \
      "only datagrams from or to this NetBIOS name,\nNAME or NAME<xx> (repeatable)", NULL }, \
    { "port", DG_KEY_PORT, 0, "N", "also take UDP port N (either side); repeatable", NULL }
#define DG_CLI_REASM_OPTS                                                                   \
    { "reasm-timeout", DG_KEY_RTIMEOUT, 0, "S",                                             \
      "NBDS fragment sets complete within S seconds of\ncapture time (default 2, RFC 1002 " \
      "FRAGMENT_TO)", NULL },                                                               \
    { "reasm-sets", DG_KEY_RSETS, 0, "N", "at most N fragment sets in flight (default 64)",  \
      NULL },                                                                               \
    { "reasm-bytes", DG_KEY_RBYTES, 0, "N",                                                 \
      "at most N octets of fragments held (default\n262144; the oldest set goes first)", NULL }

/* Takes one of those options; 1 when key was one, 0 when it was not, -1
 * after printing why the value is bad. */
int dg_option(dg_options *o, int key, const char *arg);

/* The input: -r FILE, -i IFACE or the first operand; the operands after it
 * (all of them with -r or -i) are the BPF filter expression. 0, or -1 after
 * printing why (then the caller exits with EXIT_USAGE). */
int dg_take_input(dg_options *o, int argc, char **argv, int optind_now);

/* The stderr summary line shared by decode, check and hosts. */
void dg_print_capture_summary(const dg_options *o, const dg_result *r);

/* The text for "BPF filter" and "filters" in usage notes. */
#define DG_FILTER_NOTES                                                          \
    "Operands after FILE (all operands with -r or -i) form a BPF filter in\n"  \
    "libpcap's syntax (pcap-filter(7)), applied before anything is decoded,\n" \
    "e.g. 'host 192.0.2.1'. --slot, --type and --name look at the decoded\n"   \
    "datagram: options of one kind are alternatives, kinds combine.\n"

#endif
