/* SPDX-License-Identifier: MIT */
/* Receiving remote mailslot writes, the way CreateMailslot / ReadFile /
 * GetMailslotInfo / SetMailslotInfo work on Windows (PROTOCOL.md §5.5).
 *
 * An ms_server receives on one UDP socket (port 138 by default), or
 * passively through libpcap beside another program that holds the port
 * (opts.pcap_iface), and serves any number of open mailslots. Every
 * datagram goes through the receive pipeline (pipeline.h): decoded once,
 * reassembled when it is an NBDS fragment, filtered for duplicates,
 * authenticated when keys are given, and queued on the mailslot it names
 * only when it is a clean mailslot write (MSG_TYPE 0x10..0x12,
 * SMB_COM_TRANSACTION, opcode 1, data where DataOffset points) to a
 * mailslot that is open; everything else is dropped and counted. A queued
 * message keeps its octets and their decode: reading decodes nothing.
 *
 * Queues are bounded (messages and octets per mailslot). When a queue is
 * full the NEW message is dropped and counted (drop-newest): what waits
 * keeps its order, and a flood cannot push out what came before it.
 *
 * Duplicates: a repeat of the same (NBDS source name with scope, DGM_ID,
 * mailslot name case-insensitively, data) within the dedup window (default
 * 2000 ms, like Netlogon's MailslotDuplicateTimeout) is dropped and counted,
 * whether or not a mailslot would take it: Windows writes each message once
 * per transport it is bound to.
 *
 * Authentication (opts.keys; auth.h, docs/AUTH.md): only writes whose
 * trailer verifies are queued, without the trailer; the message says which
 * key and when. The rest are counted by reason.
 *
 * The server runs on an event loop (loop.h): its own, or the caller's
 * (opts.loop), which then also serves the caller's descriptors and timers.
 * Reading blocks by running that loop (ms_mailslot_read waits up to the
 * mailslot's timeout); the socket is read only when a reader finds nothing
 * queued (or the caller runs the loop), so a burst waits in the kernel's
 * large buffer rather than overflowing the bounded queues. Non-blocking
 * use: poll ms_server_fd() and call ms_server_pump(), then read with
 * timeout 0. Not thread-safe. Allocated by the library.
 *
 * With mailslotd (daemon_link.h; opts.daemon, default MS_DAEMON_AUTO): when
 * its control socket answers at ms_server_open, a server for network
 * mailslots (no pcap_iface, no fd of the caller's, port 138, no bind_ip)
 * binds no UDP socket. Every mailslot it creates is registered with the
 * daemon ("*" as a monitor, which gets a copy of every message; a name
 * another program registered is MS_ERR_EXISTS), and the daemon's
 * deliveries take the same pipeline as datagrams read from a socket, with
 * the sender's addresses and the daemon's arrival time. A no_socket server
 * attaches too, for its local mailslots (\\.\mailslot\x) only, which
 * then also take network writes. When the daemon goes away the server
 * keeps its mailslots, retries on its loop (MS_DAEMON_RETRY_MIN_MS, then
 * twice as late each time up to MS_DAEMON_RETRY_MAX_MS) and registers them
 * all again once it is back; opts.on_daemon hears of it. Without a daemon
 * (or MS_DAEMON_NEVER) everything is as above. */
#ifndef MAILSLOT_SERVER_H
#define MAILSLOT_SERVER_H

#include "mailslot/auth.h"
#include "mailslot/capture.h"
#include "mailslot/daemon_link.h"
#include "mailslot/local.h"
#include "mailslot/loop.h"
#include "mailslot/message.h"
#include "mailslot/netbios.h"
#include "mailslot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MS_MAILSLOT_WAIT_FOREVER 0xFFFFFFFFu /* read timeout: block */
#define MS_MAILSLOT_NO_MESSAGE 0xFFFFFFFFu   /* info: queue empty */

/* Which mailslots of an ms_server get a local socket (local.h):
 * ms_mailslot_create(s, "\\\\.\\mailslot\\x", ...) makes a mailslot
 * reachable locally as well as from the network (when the server has a
 * socket): one queue for both, as on Windows. Local messages come out of
 * ms_mailslot_read / ms_server_read_any with m == NULL, type 0, addresses
 * 0, slot = the mailslot's name, payload == data. */
typedef enum ms_local_scope {
    MS_LOCAL_NAMED = 0,      /* default: names given as \\.\mailslot\x */
    MS_LOCAL_ALL,            /* every named mailslot (not "*") */
    MS_LOCAL_OFF             /* none */
} ms_local_scope;

typedef struct ms_server_opts {
    size_t size;             /* sizeof; ms_server_opts_init sets it */
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
                              * (or pcap_iface) */
    const char *pcap_iface;  /* receive passively through libpcap on this
                              * interface (datagrams TO port, not
                              * promiscuous; root or CAP_NET_RAW): works
                              * while another program (nmbd) holds the
                              * port. Implies no_socket. */
    ms_loop *loop;           /* run on this loop (NULL: one of the server's
                              * own, freed with it) */
    const ms_auth_keyring *keys; /* authenticated mailslots (copied) */
    uint32_t auth_window_ms; /* accepted clock difference, 0 = 30 s */
    size_t auth_cache;       /* replay cache entries, 0 = 4096 */
    ms_local_scope local_scope;   /* which mailslots get a local socket */
    ms_local_access local_access; /* and who may write to them */
    ms_daemon_use daemon;    /* through mailslotd: MS_DAEMON_AUTO (when it
                              * answers), _NEVER, _REQUIRE (daemon_link.h) */
    const char *daemon_dir;  /* its directory; NULL: ms_ctl_dir() */
    int daemon_timeout_ms;   /* its answers' deadline, 0 =
                              * MS_DAEMON_TIMEOUT_MS */
    ms_daemon_event_fn on_daemon; /* detached, attached again, a mailslot
                              * lost (may be NULL); runs on the loop */
    void *daemon_ctx;        /* for on_daemon */
} ms_server_opts;

/* Defaults as above (fd -1, reuse true). */
MS_EXTERN void ms_server_opts_init(ms_server_opts *o);

typedef struct ms_server ms_server;
typedef struct ms_mailslot ms_mailslot;

typedef struct ms_server_stats {
    size_t size;             /* sizeof, set by the caller (MS_SIZED) */
    uint64_t datagrams;      /* read from the socket, libpcap or injected */
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
    uint64_t auth_failed;    /* refused by authentication (by reason:
                              * ms_server_get_auth_stats) */
} ms_server_stats;

/* MS_ERR_SYSTEM with errno (EADDRINUSE: the port is taken; EACCES: it needs
 * privilege) and a reason in err; MS_ERR_INVALID_ARG for bad options
 * (keys without MAILSLOT_AUTH, ...); MS_ERR_NO_MEMORY. */
MS_EXTERN ms_status ms_server_open(const ms_server_opts *o, ms_server **out, char *err,
                                   size_t errlen);
MS_EXTERN void ms_server_close(ms_server *s); /* closes every mailslot too */
/* The UDP socket, pollable for reading; -1 without one (also when
 * attached to mailslotd: ms_server_get_daemon gives its socket). */
MS_EXTERN int ms_server_fd(const ms_server *s);
MS_EXTERN uint16_t ms_server_port(const ms_server *s);
/* The loop the server runs on (its own or opts.loop): add your own
 * descriptors and timers to it, and they run while a read waits. */
MS_EXTERN ms_loop *ms_server_loop(const ms_server *s);

/* Where the server stands with mailslotd, and what came through it
 * (state MS_DAEMON_STATE_NONE in direct mode). Re-attaching runs on the
 * loop's timers: a program that only polls and pumps finds the daemon
 * again when it calls ms_server_wait (ms_server_wait(s, 0) does). */
MS_EXTERN ms_status ms_server_get_daemon(const ms_server *s, ms_daemon_link_info *out);

/* Read every datagram waiting (never blocks) and queue what passes
 * (also what mailslotd delivered);
 * *queued (may be NULL) = messages queued. MS_ERR_SYSTEM on a socket or
 * libpcap error. */
MS_EXTERN ms_status ms_server_pump(ms_server *s, size_t *queued);
/* Offer one UDP datagram received elsewhere (its payload, addresses and
 * arrival time, ts 0 = now); it goes through the same pipeline. *queued
 * (may be NULL) says whether it was queued. */
MS_EXTERN ms_status ms_server_inject(ms_server *s, const ms_udp_datagram *d, bool *queued);
/* One round of the loop, waiting up to timeout_ms (-1: forever) for
 * datagrams or anything else on it. MS_ERR_STOPPED after ms_loop_stop. */
MS_EXTERN ms_status ms_server_wait(ms_server *s, int timeout_ms);
MS_EXTERN ms_status ms_server_get_stats(const ms_server *s, ms_server_stats *out);
/* Authentication counters by result (all zero without keys). */
MS_EXTERN ms_status ms_server_get_auth_stats(const ms_server *s, ms_auth_stats *out);

/* Open a mailslot: name as ms_mailslot_name_normalize takes it, or "*" for
 * a catch-all that gets every clean write no other open mailslot takes.
 * max_size: largest message data accepted (0 = any). read_timeout_ms: 0,
 * N, or MS_MAILSLOT_WAIT_FOREVER. MS_ERR_EXISTS when the name is open
 * already (here, locally by another process, or, through mailslotd, by
 * another program), MS_ERR_INVALID_ARG for a bad name, MS_ERR_TIMEOUT when
 * mailslotd did not answer (it is then dropped and found again later). */
MS_EXTERN ms_status ms_mailslot_create(ms_server *s, const char *name, uint32_t max_size,
                                       uint32_t read_timeout_ms, ms_mailslot **out);
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
    uint16_t dst_port;       /* UDP destination port */
    uint64_t time_ns;        /* arrival, CLOCK_REALTIME ns: the kernel's receive
                              * time (SO_TIMESTAMPNS), the capture time (libpcap
                              * or ms_server_inject), else when it was queued.
                              * Linux turns receive stamps on a moment after the
                              * first socket asks: until then (only when no
                              * other socket has them on) a datagram carries the
                              * time it was read */
    bool reassembled;        /* rebuilt from NBDS fragments */
    bool authenticated;      /* its trailer verified (and was removed) */
    uint32_t auth_key_id;    /* when authenticated: the key ... */
    uint64_t auth_time_ms;   /* ... and the trailer's timestamp */
    const uint8_t *payload;  /* the whole (reassembled, trailer removed) UDP
                              * payload */
    size_t payload_len;
    const ms_message *m;     /* its decode, borrowing payload */
    bool via_daemon;         /* delivered by mailslotd ... */
    uint8_t daemon_via;      /* ... which received it by MS_CTL_VIA_* */
} ms_mailslot_msg;

/* ReadFile: the oldest message, waiting up to the mailslot's timeout (the
 * loop runs meanwhile). MS_ERR_TIMEOUT when none came, MS_ERR_STOPPED
 * when ms_loop_stop ended the wait, MS_ERR_SYSTEM on a socket error,
 * MS_ERR_INVALID_ARG from inside a callback of the server's own loop. */
MS_EXTERN ms_status ms_mailslot_read(ms_mailslot *m, ms_mailslot_msg *out);
/* The oldest message of any open mailslot (arrival order), waiting up to
 * timeout_ms (-1 forever); *from says whose it was (may be NULL). */
MS_EXTERN ms_status ms_server_read_any(ms_server *s, int timeout_ms, ms_mailslot **from,
                                       ms_mailslot_msg *out);

/* GetMailslotInfo. Serves what is ready first (one round of the loop that
 * does not wait). next_size is
 * MS_MAILSLOT_NO_MESSAGE when the queue is empty. */
typedef struct ms_mailslot_info {
    size_t size;             /* sizeof, set by the caller (MS_SIZED) */
    uint32_t max_size;
    uint32_t next_size;
    uint32_t count;
    uint32_t read_timeout_ms;
    uint64_t queue_full;     /* this mailslot's drops: queue at its bound */
    uint64_t too_big;        /* over max_size */
    uint64_t daemon_dropped; /* dropped by mailslotd (its queue for this
                              * mailslot was full) */
} ms_mailslot_info;
MS_EXTERN ms_status ms_mailslot_get_info(ms_mailslot *m, ms_mailslot_info *out);
/* SetMailslotInfo. */
MS_EXTERN void ms_mailslot_set_timeout(ms_mailslot *m, uint32_t read_timeout_ms);
MS_EXTERN const char *ms_mailslot_name(const ms_mailslot *m);
/* Which mailslots created from now on get a local socket, and who may
 * write to them (what opts.local_scope and opts.local_access set at
 * open). */
MS_EXTERN void ms_server_set_local(ms_server *s, ms_local_scope scope, ms_local_access access);
/* The local socket of a mailslot (local.h), -1 when it has none. */
MS_EXTERN int ms_mailslot_local_fd(const ms_mailslot *m);

#ifdef __cplusplus
}
#endif
#endif
