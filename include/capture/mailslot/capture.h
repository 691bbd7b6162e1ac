/* SPDX-License-Identifier: MIT */
/* Capture input: pcap and pcapng through libpcap, link layer -> IPv4 (with
 * bounded fragment reassembly) -> UDP. Hands up one UDP payload at a time and
 * knows nothing of NetBIOS. This is an edge module: it does I/O and allocates
 * (a bounded reassembly table) — the codec layers do neither. */
#ifndef MAILSLOT_CAPTURE_H
#define MAILSLOT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailslot/status.h"

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
    const uint8_t *payload;  /* valid until the next ms_capture_next call */
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
 * `fragments`. */
typedef struct ms_capture_stats {
    uint64_t frames;          /* records read from the file */
    uint64_t datagrams;       /* UDP datagrams handed up */
    uint64_t not_ipv4;        /* link payload is not IPv4 (ARP, IPv6, ...) */
    uint64_t not_udp;         /* IPv4 but another protocol (fragments of
                               * other protocols too: never held) */
    uint64_t other_port;      /* UDP on none of the selected ports */
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

/* Open a capture file, pcap or pcapng ("-" = standard input). On failure
 * returns NULL and writes a one-line reason into err ("PATH: why").
 * Timestamps keep nanosecond precision when the file has it.
 * Limitation: libpcap has one link type per file (for pcapng, the first
 * interface's); it stops with an error at an interface block of another
 * link type, so ms_capture_next returns -1 there. */
MS_EXTERN ms_capture *ms_capture_open(const char *path, char *err, size_t errlen);

/* UDP ports to select (either side). Default: 138 only. Any n; n == 0
 * (ports may then be NULL) selects every UDP port. Applies to records read
 * after the call. */
MS_EXTERN void ms_capture_set_ports(ms_capture *c, const uint16_t *ports, size_t n);

/* Next selected UDP datagram: 1 = *out filled, 0 = end of file,
 * -1 = the file is damaged, e.g. cut mid-record (ms_capture_error says why;
 * what was read before stays valid and counted). After 0 or -1 every later
 * call returns the same; fragments still incomplete then count as dropped. */
MS_EXTERN int ms_capture_next(ms_capture *c, ms_udp_datagram *out);

/* Why ms_capture_next returned -1, one line without the path (the caller
 * knows it), e.g. "truncated capture file: ends inside the record after
 * frame 2 (...)"; "" while nothing went wrong. */
MS_EXTERN const char *ms_capture_error(const ms_capture *c);
/* libpcap's DLT name ("EN10MB", "LINUX_SLL", "RAW", ...), or "DLT_<n>". */
MS_EXTERN const char *ms_capture_linktype_name(const ms_capture *c);
MS_EXTERN const ms_capture_stats *ms_capture_get_stats(const ms_capture *c);
MS_EXTERN void ms_capture_close(ms_capture *c);

/* Capture live from an interface through libpcap (promiscuous, immediate
 * delivery; needs root or CAP_NET_RAW). ms_capture_next then blocks until
 * a datagram arrives or ms_capture_break is called (returns 0 then). */
MS_EXTERN ms_capture *ms_capture_open_live(const char *iface, char *err, size_t errlen);

/* Make a blocked or later ms_capture_next return 0. Safe in a signal
 * handler (it sets a flag; libpcap's pcap_breakloop). */
MS_EXTERN void ms_capture_break(ms_capture *c);

/* A BPF filter in libpcap's syntax (pcap-filter(7)), applied to every
 * record before anything else looks at it. 0, or -1 with libpcap's reason
 * in err. */
MS_EXTERN int ms_capture_set_filter(ms_capture *c, const char *expr, char *err, size_t errlen);

/* Copying records out: ms_capture_dump_open creates a pcap file ("-" =
 * standard output) with the input's link type and snapshot length;
 * ms_capture_dump_record appends the record that produced the datagram
 * ms_capture_next returned last (for an IPv4-reassembled datagram: its
 * last fragment); ms_capture_dump_close flushes and closes. Each returns 0,
 * or -1 with the reason in err (dump_record: from ms_capture_error). */
MS_EXTERN int ms_capture_dump_open(ms_capture *c, const char *path, char *err, size_t errlen);
MS_EXTERN int ms_capture_dump_record(ms_capture *c);
MS_EXTERN int ms_capture_dump_close(ms_capture *c, char *err, size_t errlen);

/* How far a file has been read: *done and *total in octets (*total 0 when
 * the size is unknown: a pipe, standard input, a live capture). */
MS_EXTERN void ms_capture_position(const ms_capture *c, uint64_t *done, uint64_t *total);

/* Passive receive through libpcap on an interface (not promiscuous, BPF
 * "udp port PORT" plus IPv4 fragments, non-blocking): works while another
 * process (nmbd) holds the port. Only datagrams TO the port are handed up.
 * Needs CAP_NET_RAW (root) to open; open it before dropping privileges. */
typedef struct ms_pcap_live ms_pcap_live;
MS_EXTERN ms_pcap_live *ms_pcap_live_open(const char *iface, uint16_t port, char *err, size_t errlen);
/* Pollable descriptor (POLLIN when frames may be waiting). */
MS_EXTERN int ms_pcap_live_fd(const ms_pcap_live *p);
/* Next UDP datagram to the port (IPv4 fragments rebuilt): 1 and *d filled
 * (payload valid until the next call), 0 when nothing waits, -1 on an
 * error (err says why). */
MS_EXTERN int ms_pcap_live_next(ms_pcap_live *p, ms_udp_datagram *d, char *err, size_t errlen);
MS_EXTERN void ms_pcap_live_close(ms_pcap_live *p);

#ifdef __cplusplus
}
#endif
#endif
