/* SPDX-License-Identifier: MIT */
/* Receiving beside Samba: the NetBIOS datagrams that nmbd does not consume
 * itself, read from its "unexpected packet" Unix stream socket instead of
 * from UDP 138, which nmbd holds. No privilege is needed (nmbd makes the
 * socket 0777 in a 0755 directory).
 *
 * The conversation (as Samba 4.17 on Debian 12 speaks it; established by
 * reading Samba's source3/libsmb/unexpected.c and nmbd, and by tests
 * against that nmbd, README "Beside Samba"):
 *   - we connect to DIR/unexpected and send a query: the host C ABI's
 *     { int packet type; size_t mailslot name length; int transaction id }
 *     with its padding (24 octets on x86-64), then the name's octets. We
 *     ask for datagrams (type 1) with no name: every datagram nmbd passes
 *     on (with a name nmbd would compare it case-sensitively);
 *   - nmbd answers with one octet, 0;
 *   - then, for each datagram, a header in the host C ABI
 *     { size_t length; int type; time_t arrival; struct in_addr source
 *     (network order); int source port } (32 octets on x86-64) and
 *     `length` octets: the datagram as nmbd re-encoded it from its parse
 *     (the NBDS header keeps node type, F and M of the flags and gets a
 *     recomputed DGM_LENGTH; names are re-encoded, space-padded except
 *     "*"), at most what nmbd read: 576 octets of the UDP payload;
 *   - we must never write again: nmbd drops a reader that does.
 * The format has no version field. Each record is checked (type 1, a
 * length 14..1024, a port up to 65535, DGM_LENGTH = length - 14 as nmbd
 * writes it); a record that fails is MS_ERR_VERSION with "nmbd's
 * unexpected-packet format not recognised (Samba 4.17 layout expected)",
 * and the reader is unusable from then on: the stream's framing is lost.
 *
 * What arrives, and what nmbd keeps, is in README "Beside Samba". In
 * short: nmbd keeps \MAILSLOT\BROWSE, \MAILSLOT\LANMAN, \MAILSLOT\NET\NETLOGON
 * and \MAILSLOT\NET\NTLOGON (any case) addressed to its own names, and
 * drops what it cannot take apart when addressed to them (fragments,
 * datagrams over 576 octets); it passes on everything else, cut to 576
 * octets, with an arrival time in whole seconds.
 *
 * Read at once, always. nmbd's code skips a reader more than 10 records
 * behind, but its end of the connection is a blocking socket: once the
 * reader's buffer is full (some 200 KB) nmbd blocks in the write and stops
 * altogether (name service and browsing too) until the reader reads. So a
 * program that cannot keep up drops on its own side, never by leaving the
 * socket unread.
 *
 * Addresses and ports in host order. */
#ifndef MAILSLOT_NMBD_UNEXPECTED_H
#define MAILSLOT_NMBD_UNEXPECTED_H

#include "mailslot/net.h"
#include "mailslot/status.h"
#include "mailslot/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Debian's compiled-in nmbd socket directory (smb.conf "nmbd:socket dir"
 * moves it): the socket is /run/samba/nmbd/unexpected. */
#define MS_NMBD_DEFAULT_SOCKET_DIR "/run/samba/nmbd"
#define MS_NMBD_SOCKET_NAME "unexpected"
/* nmbd reads at most this many octets of a UDP datagram. */
#define MS_NMBD_MAX_READ 576
/* The largest datagram a record may carry (nmbd builds it in a buffer of
 * this size). */
#define MS_NMBD_RECORD_MAX 1024

/* ---- the octets (pure: no I/O) ---- */

/* Octets of the query and of a record's header in this build's ABI. */
MS_EXTERN size_t ms_nmbd_query_size(void);
MS_EXTERN size_t ms_nmbd_record_header_size(void);

/* The query for every datagram (no mailslot name) into buf.
 * MS_ERR_NO_SPACE when cap < ms_nmbd_query_size(). */
MS_EXTERN ms_status ms_nmbd_query_build(uint8_t *buf, size_t cap, size_t *len);

/* One record, borrowing the caller's octets. */
typedef struct ms_nmbd_record {
    uint32_t src_ip;        /* the UDP source nmbd read it from */
    uint16_t src_port;
    int64_t time_s;         /* when nmbd read it, seconds since the epoch */
    const uint8_t *dgram;   /* the datagram (NBDS header first) */
    size_t len;
} ms_nmbd_record;

/* Parse the record at the start of buf (len octets). MS_OK: *out and
 * *used (header + datagram). MS_ERR_TRUNCATED: buf holds only part of a
 * record (read more). MS_ERR_VERSION: not a record of the layout we know
 * (err says which field). */
MS_EXTERN ms_status ms_nmbd_record_parse(const uint8_t *buf, size_t len, ms_nmbd_record *out,
                                         size_t *used, char *err, size_t errlen);

/* ---- the socket ---- */

typedef struct ms_nmbd_opts {
    size_t size;            /* sizeof; ms_nmbd_opts_init sets it */
    const char *socket_dir; /* nmbd's socket directory (NULL:
                             * MS_NMBD_DEFAULT_SOCKET_DIR) */
    int ack_timeout_ms;     /* how long ms_nmbd_reader_open waits for
                             * nmbd's answer to the query (default 2000;
                             * 0: not at all, the first receive takes it) */
} ms_nmbd_opts;

MS_EXTERN void ms_nmbd_opts_init(ms_nmbd_opts *o);

/* dir/unexpected into out (dir NULL: the default). MS_ERR_NO_SPACE when
 * it does not fit, or is too long for a Unix socket (107 octets). */
MS_EXTERN ms_status ms_nmbd_socket_path(const char *dir, char *out, size_t cap);

typedef struct ms_nmbd_reader ms_nmbd_reader;

/* Connect, send the query and (ack_timeout_ms > 0) wait for nmbd's answer.
 * MS_ERR_NOT_FOUND: no nmbd there (no socket file, or nobody accepts on
 * it); MS_ERR_TIMEOUT: no answer in time; MS_ERR_END: nmbd closed the
 * connection (it refused the query); MS_ERR_VERSION: the answer is not
 * the one octet 0; MS_ERR_SYSTEM (errno) otherwise. err says which. The
 * descriptor is non-blocking and close-on-exec. */
MS_EXTERN ms_status ms_nmbd_reader_open(const ms_nmbd_opts *o, ms_nmbd_reader **out, char *err,
                                        size_t errlen);
/* The descriptor to wait on (readable: call ms_nmbd_reader_recv). */
MS_EXTERN int ms_nmbd_reader_fd(const ms_nmbd_reader *r);

/* Read what waits without blocking and hand up to n datagrams out, each
 * into d[i].buf (d[i].cap octets; a longer one is cut: truncated, and
 * orig_len the record's length): src_ip, src_port, time_ns (whole seconds:
 * nmbd's resolution); dst_ip 0 and ifindex 0 (nmbd does not say). *got:
 * how many (0: nothing complete yet). Records already read stay in the
 * reader: when *got == n, call again before waiting on the descriptor.
 * MS_ERR_END: nmbd closed the connection (it stopped); MS_ERR_VERSION:
 * a record of another layout, or an answer octet other than 0;
 * MS_ERR_SYSTEM (errno). Records read before a failure are handed out
 * first (MS_OK); the call with nothing left to hand out returns the
 * failure, and so does every call after it: close the reader (and, after
 * MS_ERR_END, open a new one when nmbd is back). */
MS_EXTERN ms_status ms_nmbd_reader_recv(ms_nmbd_reader *r, ms_udp_dgram *d, size_t n,
                                        size_t *got, char *err, size_t errlen);

typedef struct ms_nmbd_stats {
    size_t size;            /* sizeof, set by the caller (MS_SIZED) */
    uint64_t records;       /* datagrams handed out */
    uint64_t cut;           /* of those, longer than the caller's buffer */
    uint64_t octets;        /* octets read from the socket */
} ms_nmbd_stats;

MS_EXTERN ms_status ms_nmbd_reader_get_stats(const ms_nmbd_reader *r, ms_nmbd_stats *out);
/* Close the connection and free the reader. NULL is allowed. */
MS_EXTERN void ms_nmbd_reader_close(ms_nmbd_reader *r);

#ifdef __cplusplus
}
#endif
#endif
