/* SPDX-License-Identifier: MIT */
/* Receiving remote mailslot writes, the way CreateMailslot / ReadFile /
 * GetMailslotInfo / SetMailslotInfo work on Windows (PROTOCOL.md §5.5).
 *
 * An ms_server owns one UDP socket (port 138 by default) and serves any
 * number of open mailslots. Each datagram is read, reassembled when it is an
 * NBDS fragment, decoded by the codec (ms_message_decode) and queued on the
 * mailslot it names only when it is a clean mailslot write (MSG_TYPE
 * 0x10..0x12, SMB_COM_TRANSACTION, opcode 1, data where DataOffset points)
 * to a mailslot that is open; everything else is dropped and counted.
 *
 * Queues are bounded (messages and octets per mailslot). When a queue is
 * full the NEW message is dropped and counted (drop-newest): what waits
 * keeps its order, and a flood cannot push out what came before it.
 *
 * Duplicates: a repeat of the same (NBDS source name with scope, DGM_ID,
 * mailslot name case-insensitively, data) within the dedup window (default
 * 2000 ms, like Netlogon's MailslotDuplicateTimeout) is dropped and counted:
 * Windows writes each message once per transport it is bound to.
 *
 * Use it blocking (ms_mailslot_read waits up to the mailslot's timeout) or
 * non-blocking: poll ms_server_fd() for POLLIN, call ms_server_pump(), then
 * read with timeout 0. Not thread-safe. */
#ifndef MAILSLOT_SERVER_H
#define MAILSLOT_SERVER_H

#include "mailslot/local.h"
#include "mailslot/message.h"
#include "mailslot/netbios.h"
#include "mailslot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MS_MAILSLOT_WAIT_FOREVER 0xFFFFFFFFu /* read timeout: block */
#define MS_MAILSLOT_NO_MESSAGE 0xFFFFFFFFu   /* info: queue empty */

typedef struct ms_server_opts {
    uint32_t bind_ip;        /* 0 = any (needed to hear broadcasts) */
    uint16_t port;           /* 0 = 138 */
    int fd;                  /* >= 0: use this bound UDP socket (taken over
                              * when ms_server_open succeeds, closed by
                              * ms_server_close; IP_PKTINFO on to learn
                              * destinations); -1: open one */
    bool reuse;              /* SO_REUSEADDR (share 138 with nmbd: README) */
    int rcvbuf;              /* SO_RCVBUF wish, 0 = 1 MiB */
    size_t queue_max;        /* messages per mailslot, 0 = 256 */
    size_t queue_max_bytes;  /* data octets per mailslot, 0 = 1 MiB */
    int dedup_window_ms;     /* 0 = 2000; < 0 = no duplicate suppression */
    size_t dedup_entries;    /* remembered messages, 0 = 1024 */
    int ifindex;             /* > 0: drop datagrams that came in on another
                              * interface (IP_PKTINFO) */
    bool no_socket;          /* no socket: datagrams come by ms_server_inject
                              * (e.g. from a pcap handle) */
} ms_server_opts;

/* Defaults as above (fd -1, reuse true). */
MS_EXTERN void ms_server_opts_init(ms_server_opts *o);

typedef struct ms_server ms_server;
typedef struct ms_mailslot ms_mailslot;

typedef struct ms_server_stats {
    uint64_t datagrams;      /* read from the socket */
    uint64_t queued;         /* messages queued on a mailslot */
    uint64_t truncated;      /* longer than the receive buffer */
    uint64_t malformed;      /* did not decode as NBDS + transaction */
    uint64_t not_mailslot;   /* other NBDS types, other SMB, other opcode */
    uint64_t no_mailslot;    /* clean write to a mailslot nobody opened */
    uint64_t too_big;        /* over the mailslot's max message size */
    uint64_t queue_full;     /* dropped newest: queue at its bound */
    uint64_t duplicates;     /* dropped by duplicate suppression */
    uint64_t fragments;      /* NBDS fragments offered to reassembly */
    uint64_t reassembled;    /* datagrams rebuilt from fragments */
    uint64_t frag_dropped;   /* fragments lost (timeout, eviction, overlap,
                              * repeats, ...); fragments = those in
                              * reassembled datagrams + these + held */
    uint64_t other_iface;    /* arrived on another interface than ifindex */
} ms_server_stats;

MS_EXTERN ms_server *ms_server_open(const ms_server_opts *o, char *err, size_t errlen);
MS_EXTERN void ms_server_close(ms_server *s);    /* closes every mailslot too */
MS_EXTERN int ms_server_fd(const ms_server *s);  /* pollable for POLLIN; -1 with no_socket */
MS_EXTERN uint16_t ms_server_port(const ms_server *s);

/* Read every datagram waiting on the socket (never blocks) and queue what
 * passes. Returns the number of messages queued, -1 on a socket error. */
MS_EXTERN int ms_server_pump(ms_server *s);
/* Offer one UDP payload received elsewhere (a pcap handle); it goes
 * through the same checks. Returns 1 when it was queued. */
MS_EXTERN int ms_server_inject(ms_server *s, const uint8_t *payload, size_t len, uint32_t src_ip,
                               uint16_t src_port, uint32_t dst_ip);
/* The same, with the time it arrived (ns since the epoch, e.g. the capture
 * time libpcap gave; 0 = now), which the message then carries. */
MS_EXTERN int ms_server_inject_at(ms_server *s, const uint8_t *payload, size_t len, uint32_t src_ip,
                                  uint16_t src_port, uint32_t dst_ip, uint64_t time_ns);
/* Wait up to timeout_ms (-1 forever) for the socket, then pump. */
MS_EXTERN int ms_server_wait(ms_server *s, int timeout_ms);
MS_EXTERN const ms_server_stats *ms_server_get_stats(const ms_server *s);

/* Open a mailslot: name as ms_mailslot_name_normalize takes it, or "*" for
 * a catch-all that gets every clean write no other open mailslot takes.
 * max_size: largest message data accepted (0 = any). read_timeout_ms: 0,
 * N, or MS_MAILSLOT_WAIT_FOREVER. NULL with *st = MS_ERR_EXISTS when the
 * name is open already, MS_ERR_INVALID_ARG for a bad name. */
MS_EXTERN ms_mailslot *ms_mailslot_create(ms_server *s, const char *name, uint32_t max_size,
                                          uint32_t read_timeout_ms, ms_status *st);
MS_EXTERN void ms_mailslot_close(ms_mailslot *m);

/* What came with a message. Pointers stay valid until the next read from
 * the same mailslot (or its close). */
typedef struct ms_mailslot_msg {
    const uint8_t *data;     /* the mailslot data */
    size_t len;
    const char *slot;        /* the name as written on the wire */
    uint8_t type;            /* 0x10 unique, 0x11 group, 0x12 broadcast */
    uint16_t dgm_id;
    ms_nb_name src, dst;     /* NBDS source and destination names */
    uint32_t nbds_src_ip;    /* SOURCE_IP / SOURCE_PORT: the sender's claim */
    uint16_t nbds_src_port;
    uint32_t src_ip;         /* UDP source (where replies go) */
    uint16_t src_port;
    uint32_t dst_ip;         /* IP destination (unicast or broadcast) */
    uint64_t time_ns;        /* arrival, CLOCK_REALTIME ns: the kernel's receive
                              * time (SO_TIMESTAMPNS), the capture time given to
                              * ms_server_inject_at, else when it was queued.
                              * Linux turns receive stamps on a moment after the
                              * first socket asks: until then (only when no
                              * other socket has them on) a datagram carries the
                              * time it was read */
    bool reassembled;        /* rebuilt from NBDS fragments */
    const uint8_t *payload;  /* the whole (reassembled) UDP payload */
    size_t payload_len;
    const ms_message *m;     /* its decode, borrowing payload */
} ms_mailslot_msg;

/* ReadFile: the oldest message, waiting up to the mailslot's timeout.
 * MS_ERR_TIMEOUT when none came; MS_ERR_SYSTEM on a socket error. */
MS_EXTERN ms_status ms_mailslot_read(ms_mailslot *m, ms_mailslot_msg *out);
/* The oldest message of any open mailslot (arrival order), waiting up to
 * timeout_ms (-1 forever); *from says whose it was (may be NULL). */
MS_EXTERN ms_status ms_server_read_any(ms_server *s, int timeout_ms, ms_mailslot **from,
                                       ms_mailslot_msg *out);

/* GetMailslotInfo. Pumps the socket first (non-blocking). next_size is
 * MS_MAILSLOT_NO_MESSAGE when the queue is empty. */
typedef struct ms_mailslot_info {
    uint32_t max_size;
    uint32_t next_size;
    uint32_t count;
    uint32_t read_timeout_ms;
    uint64_t queue_full;     /* this mailslot's drops: queue at its bound */
    uint64_t too_big;        /* over max_size */
} ms_mailslot_info;
MS_EXTERN ms_status ms_mailslot_get_info(ms_mailslot *m, ms_mailslot_info *out);
/* SetMailslotInfo. */
MS_EXTERN void ms_mailslot_set_timeout(ms_mailslot *m, uint32_t read_timeout_ms);
MS_EXTERN const char *ms_mailslot_name(const ms_mailslot *m);

/* Which mailslots of an ms_server get a local socket. */
typedef enum ms_local_scope {
    MS_LOCAL_NAMED = 0,      /* default: names given as \\.\mailslot\x */
    MS_LOCAL_ALL,            /* every named mailslot (not "*") */
    MS_LOCAL_OFF             /* none */
} ms_local_scope;

/* ---- through ms_server / ms_client (server.c, client.c) ----
 *
 * ms_mailslot_create(s, "\\\\.\\mailslot\\x", ...) makes the mailslot
 * reachable locally as well as from the network (when the server has a
 * socket): one queue for both, as on Windows. A server opened with
 * opts.no_socket = true binds nothing on the network. Local messages come
 * out of ms_mailslot_read / ms_server_read_any with m == NULL, type 0,
 * addresses 0, slot = the mailslot's name, payload == data.
 * ms_client_open(".", slot) / ms_client_open_path("\\\\.\\mailslot\\x")
 * write locally (ms_client_write; ms_client_build and ms_client_fd do not
 * apply: MS_ERR_INVALID_ARG and -1). Of ms_client_info only slot and
 * max_data (the server's max size, else the kernel's limit) mean anything
 * for a local client; the network options (auth_key included: no trailer
 * is added, the file permissions guard a local mailslot) are not used. */
MS_EXTERN void ms_server_set_local(ms_server *s, ms_local_scope scope, ms_local_access access);
/* The local socket of a mailslot, -1 when it has none. */
MS_EXTERN int ms_mailslot_local_fd(const ms_mailslot *m);
/* Every local socket of the server (for a poll loop beside ms_server_fd);
 * returns how many there are (may be > cap). */
MS_EXTERN size_t ms_server_local_fds(const ms_server *s, int *fds, size_t cap);


#ifdef __cplusplus
}
#endif
#endif
