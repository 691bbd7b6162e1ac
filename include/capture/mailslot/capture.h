/* SPDX-License-Identifier: MIT */
/* Capture input through libpcap, from a file (pcap, pcapng) or a live
 * interface: link layer -> IPv4 (with bounded fragment reassembly) -> UDP.
 * Hands up one UDP payload at a time and knows nothing of NetBIOS. This is
 * an edge module: it does I/O and allocates (a bounded reassembly table) —
 * the codec layers do neither.
 *
 * Functions that can fail return an ms_status (status.h); those that open
 * something take an optional buffer err/errlen (NULL/0 allowed) for a
 * one-line reason. An ms_capture belongs to its caller until
 * ms_capture_close; it is not thread-safe (but see ms_capture_break). */
#ifndef MAILSLOT_CAPTURE_H
#define MAILSLOT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mailslot/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ms_capture ms_capture;

typedef struct ms_udp_datagram {
    uint64_t frame;          /* 1-based frame number in the file; for a
                              * datagram rebuilt from IP fragments, the frame
                              * of its last fragment (as tshark counts) */
    int64_t ts_sec;          /* capture time, seconds since the epoch */
    uint32_t ts_nsec;        /* and nanoseconds */
    uint32_t ip_src, ip_dst; /* host byte order */
    uint16_t sport, dport;
    uint16_t udp_length;     /* the UDP header's length field */
    const uint8_t *payload;  /* valid until the next ms_capture_next or
                              * ms_capture_close call */
    size_t len;              /* octets of UDP payload present: the smaller
                              * of orig_len and what the IP datagram holds */
    size_t orig_len;         /* octets the UDP header says there are
                              * (udp_length - 8) */
    bool truncated;          /* the snaplen cut the datagram (then len <
                              * orig_len). len < orig_len without it means
                              * the UDP length field claims more than the
                              * IP datagram carries. */
    bool reassembled;        /* rebuilt from IPv4 fragments */
} ms_udp_datagram;

/* Why frames were not handed up. Every record read lands in exactly one of
 * datagrams, not_ipv4, not_udp, other_port, bad_header, truncated_header,
 * fragments and unsupported_link, so those eight sum to `frames`.
 * frag_dropped is not part of that partition: it counts, among the records
 * already in `fragments`, those whose octets were thrown away. A datagram
 * rebuilt from fragments is counted once, at the fragment that completed it
 * (in datagrams, other_port or bad_header); its earlier fragments are in
 * `fragments`. Read with ms_capture_get_stats into the caller's structure,
 * whose size field the caller sets (MS_SIZED(ms_capture_stats)). */
typedef struct ms_capture_stats {
    size_t size;              /* sizeof(ms_capture_stats) */
    uint64_t frames;          /* records read from the file or interface */
    uint64_t datagrams;       /* UDP datagrams handed up */
    uint64_t not_ipv4;        /* link payload is not IPv4 (ARP, IPv6, ...) */
    uint64_t not_udp;         /* IPv4 but another protocol (fragments of
                               * other protocols too: never held) */
    uint64_t other_port;      /* UDP on none of the selected ports (with a
                               * live dport: not sent to that port) */
    uint64_t bad_header;      /* malformed link/IPv4/UDP header, or a
                               * fragment that cannot be part of a datagram */
    uint64_t truncated_header;/* snaplen cut inside a header */
    uint64_t fragments;       /* IPv4 fragments of UDP absorbed by reassembly
                               * without completing a datagram: held, exact
                               * duplicates, or dropped */
    uint64_t frag_dropped;    /* fragments dropped: overlap, set or memory
                               * limit, 30 s timeout, cut by the snaplen, or
                               * still incomplete at end of input */
    uint64_t unsupported_link;/* records of a link type we do not read */
    uint64_t filtered;        /* records the BPF filter rejected (not in
                               * frames' other counters; frames counts them) */
} ms_capture_stats;

/* Open a capture file, pcap or pcapng ("-" = standard input), and hand
 * the new capture back through *out (NULL on failure). Timestamps keep
 * nanosecond precision when the file has it.
 * MS_OK; MS_ERR_INVALID_ARG: no path or no out; MS_ERR_NOT_FOUND: no such
 * file; MS_ERR_SYSTEM: it cannot be opened (permissions, ...);
 * MS_ERR_BAD_INPUT: not a pcap or pcapng file; MS_ERR_NO_MEMORY. err gets
 * "PATH: why".
 * Limitation: libpcap has one link type per file (for pcapng, the first
 * interface's); it stops with an error at an interface block of another
 * link type, so ms_capture_next returns MS_ERR_BAD_INPUT there. */
MS_EXTERN ms_status ms_capture_open(const char *path, ms_capture **out, char *err, size_t errlen);

/* How to capture from an interface. Begins with its size (types.h,
 * MS_SIZED): ms_capture_live_opts_init sets the size and the defaults. */
typedef struct ms_capture_live_opts {
    size_t size;      /* sizeof; ms_capture_live_opts_init sets it */
    bool promisc;     /* default true (decode -i); listen --pcap uses false */
    bool nonblock;    /* ms_capture_next answers MS_ERR_AGAIN instead of waiting */
    uint16_t dport;   /* nonzero: only UDP datagrams TO this port are handed
                       * up, and a kernel BPF filter "udp port N or IPv4
                       * fragments" is installed */
} ms_capture_live_opts;

/* size = sizeof, promisc = true, nonblock = false, dport = 0. */
MS_EXTERN void ms_capture_live_opts_init(ms_capture_live_opts *o);

/* Capture live from an interface through libpcap (immediate delivery,
 * nanosecond timestamps, whole frames; needs root or CAP_NET_RAW, so open
 * it before dropping privileges). o NULL: the defaults. The capture comes
 * back through *out (NULL on failure); close it with ms_capture_close.
 * Blocking (the default): ms_capture_next waits until a datagram arrives
 * or ms_capture_break is called. nonblock: it answers MS_ERR_AGAIN when
 * nothing waits; poll ms_capture_fd for POLLIN. dport: made for receiving
 * beside a service that holds the port (nmbd): selects that UDP port (as
 * ms_capture_set_ports would) and hands up only the datagrams sent to it,
 * not the service's replies from it; a link type the capture cannot read
 * is refused at open.
 * MS_OK; MS_ERR_INVALID_ARG: no interface, no out, or o->size is 0;
 * MS_ERR_NOT_FOUND: no such interface; MS_ERR_SYSTEM: libpcap refused it
 * (permissions, interface down, the kernel filter); MS_ERR_BAD_INPUT: a
 * link type not read (with dport); MS_ERR_NO_MEMORY. err gets
 * "IFACE: why". */
MS_EXTERN ms_status ms_capture_open_live(const char *iface, const ms_capture_live_opts *o,
                                         ms_capture **out, char *err, size_t errlen);

/* The pollable descriptor of a live capture (POLLIN when frames may be
 * waiting; libpcap may also hold frames already read, so a non-blocking
 * caller drains ms_capture_next until MS_ERR_AGAIN before it polls); -1
 * for a file. The capture owns it: do not close it. */
MS_EXTERN int ms_capture_fd(const ms_capture *c);

/* UDP ports to select (either side). Default: 138 only (with a live dport:
 * dport only). Any n; n == 0 (ports may then be NULL) selects every UDP
 * port. Applies to records read after the call. */
MS_EXTERN void ms_capture_set_ports(ms_capture *c, const uint16_t *ports, size_t n);

/* The next selected UDP datagram into *out.
 * MS_OK: *out filled (its payload valid until the next call);
 * MS_ERR_END: end of the file, or after ms_capture_break;
 * MS_ERR_AGAIN: a non-blocking live capture with nothing waiting (also
 *   after a long run of records none of which was handed up, so that the
 *   caller's loop gets its turn): call again later;
 * MS_ERR_BAD_INPUT: the file is damaged, e.g. cut mid-record
 *   (ms_capture_error says why; what was read before stays valid and
 *   counted);
 * MS_ERR_SYSTEM: a live capture failed (ms_capture_error says why).
 * After END, BAD_INPUT or SYSTEM every later call returns the same;
 * fragments still incomplete then count as dropped. */
MS_EXTERN ms_status ms_capture_next(ms_capture *c, ms_udp_datagram *out);

/* Why ms_capture_next failed, one line without the path (the caller
 * knows it), e.g. "truncated capture file: ends inside the record after
 * frame 2 (...)"; "" while nothing went wrong. Owned by the capture, valid
 * until it is closed. */
MS_EXTERN const char *ms_capture_error(const ms_capture *c);

/* libpcap's DLT name ("EN10MB", "LINUX_SLL", "RAW", ...), or "DLT_<n>".
 * Owned by the capture. */
MS_EXTERN const char *ms_capture_linktype_name(const ms_capture *c);

/* Copy the counters into *out, as far as out->size goes. MS_OK, or
 * MS_ERR_INVALID_ARG when c or out is NULL or out->size is 0. */
MS_EXTERN ms_status ms_capture_get_stats(const ms_capture *c, ms_capture_stats *out);

/* Close the input (and a dump file still open, flushed) and free
 * everything; NULL is ignored. */
MS_EXTERN void ms_capture_close(ms_capture *c);

/* Make a waiting or later ms_capture_next return MS_ERR_END. Safe in a
 * signal handler (it sets a flag: libpcap's pcap_breakloop). */
MS_EXTERN void ms_capture_break(ms_capture *c);

/* A BPF filter in libpcap's syntax (pcap-filter(7)), applied to every
 * record before anything else looks at it (in this process; a live dport
 * filter stays in the kernel in front of it). MS_OK; MS_ERR_INVALID_ARG:
 * no expression, or libpcap cannot compile it (err says why). */
MS_EXTERN ms_status ms_capture_set_filter(ms_capture *c, const char *expr, char *err,
                                          size_t errlen);

/* Copying records out: ms_capture_dump_open creates a pcap file ("-" =
 * standard output) with the input's link type and snapshot length;
 * ms_capture_dump_record appends the record that produced the datagram
 * ms_capture_next returned last (for an IPv4-reassembled datagram: its
 * last fragment); ms_capture_dump_close flushes and closes (MS_OK when no
 * dump file is open). ms_capture_close closes a dump file left open.
 * MS_OK; dump_open: MS_ERR_EXISTS (one is open already) or MS_ERR_SYSTEM
 * (cannot create it), err says why; dump_record: MS_ERR_INVALID_ARG when
 * no dump file is open or no datagram was read yet; dump_close:
 * MS_ERR_SYSTEM when writing failed, err says so. */
MS_EXTERN ms_status ms_capture_dump_open(ms_capture *c, const char *path, char *err, size_t errlen);
/* The same into a stream the caller opened and keeps (an output file
 * written safely by the caller): dump_close and ms_capture_close flush it
 * but never close it. */
MS_EXTERN ms_status ms_capture_dump_fopen(ms_capture *c, FILE *f, char *err, size_t errlen);
MS_EXTERN ms_status ms_capture_dump_record(ms_capture *c);
MS_EXTERN ms_status ms_capture_dump_close(ms_capture *c, char *err, size_t errlen);

/* How far a file has been read: *done and *total in octets (*total 0 when
 * the size is unknown: a pipe, standard input, a live capture). */
MS_EXTERN void ms_capture_position(const ms_capture *c, uint64_t *done, uint64_t *total);

#ifdef __cplusplus
}
#endif
#endif
