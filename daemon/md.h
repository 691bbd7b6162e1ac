/* SPDX-License-Identifier: MIT */
/* mailslotd's state: one of each, on one event loop, one thread. */
#ifndef MD_MD_H
#define MD_MD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "md_limits.h"
#include "mailslot/control.h"
#include "mailslot/ctl_sock.h"
#include "mailslot/loop.h"
#include "mailslot/net.h"
#include "mailslot/pipeline.h"
#include "names.h"
#include "nmbd_names.h"
#include "nmbd_src.h"
#include "opts.h"
#include "outq.h"
#include "route.h"
#include "slots.h"
#include "tokens.h"

typedef struct md md;

typedef struct md_client {
    md *d;
    int fd;
    ms_loop_watch *w;
    uint32_t id;            /* never 0; never reused while the daemon runs */
    ms_ctl_peer peer;
    bool hello;             /* said HELLO */
    bool dead;              /* gone: closed by md_clients_sweep */
    char who[40];           /* HELLO's TEXT, printable */
    size_t nslots;
    md_qacct replies;       /* Token-routed replies: bounded like a mailslot */
    md_outq q;
} md_client;

/* Counters, for STATUS and the drop summary. */
typedef struct md_counters {
    uint64_t datagrams;     /* handed to the pipeline, from any source */
    uint64_t via_nmbd;      /* of them from nmbd */
    uint64_t other_iface;   /* came in on an interface not served: dropped */
    uint64_t writes;        /* clean mailslot writes */
    uint64_t delivered;     /* DELIVERs to creators */
    uint64_t token_replies; /* DELIVERs to a Token's client */
    uint64_t monitor_copies;
    uint64_t no_mailslot;   /* for this host, nobody created the mailslot */
    uint64_t not_ours;      /* addressed to another host's name */
    uint64_t queue_full;    /* DELIVERs dropped: a mailslot's queue was full */
    uint64_t sent;          /* SENDs that went out */
    uint64_t send_refused;  /* SENDs refused (bad datagram, source name) */
    uint64_t send_failed;   /* SENDs the socket did not take */
    uint64_t clients;       /* attached since start */
    uint64_t clients_refused; /* turned away: too many */
    uint64_t bad_requests;  /* requests that did not decode or were refused */
} md_counters;

/* The datagram being routed: what the pipeline item does not carry. */
typedef struct md_rx_ctx {
    int ifindex;
    uint8_t via;
    uint64_t time_ns;
} md_rx_ctx;

struct md {
    md_cli cli;
    md_settings set;
    ms_loop *loop;
    uid_t uid;              /* ours, after dropping privileges */
    uint64_t started_mono_ns;
    uint8_t host[16];       /* HOST<00> */

    int fd;                 /* UDP 138 */
    uint16_t port;
    ms_loop_watch *fd_watch, *tick;
    ms_pipeline *pipe;
    ms_udp_dgram *rx;       /* MD_RX_BATCH receive slots */
    uint8_t *rxbuf;
    md_rx_ctx cur;
    uint64_t frame;

    md_names names;
    md_slots slots;
    md_tokens tokens;
    md_qbound qb;

    int sndbuf;             /* each client socket's send buffer now */
    int lfd;                /* the control socket */
    ms_loop_watch *lwatch;
    char ctl_path[108];
    md_client *clients[MD_MAX_CLIENTS];
    size_t nclients;
    uint32_t next_id;
    bool any_dead;

    /* Beside Samba (beside.c): nmbd holds 137 and 138; fd is a port of
     * our own, the names are nmbd's. */
    bool beside;
    bool fatal;             /* stop: exit 1 */
    md_nmbd_src nmbd;
    ms_loop_watch *nmbd_names_timer;
    unsigned nmbd_names_ticks;
    unsigned nmbd_names_fast;   /* ticks left to ask at every tick */

    md_counters n;
    uint64_t summary_drops[3]; /* no_mailslot, queue_full, over: at the last summary */
    uint8_t pkt[MS_CTL_MAX_PACKET];   /* encoding */
    uint8_t req[MS_CTL_MAX_PACKET];   /* a request read */
};

/* rx.c: UDP 138 and the routing of what comes in. */
ms_status md_rx_open(md *d, char *err, size_t errlen);
void md_rx_close(md *d);
/* One datagram from any source (the socket; nmbd's unexpected-packet
 * socket, via MS_CTL_VIA_NMBD): routed and delivered before this returns. */
typedef struct md_rx_dgram {
    const uint8_t *payload;
    size_t len;
    size_t orig_len;        /* > len: the tail is lost */
    uint32_t src_ip, dst_ip;
    uint16_t src_port, dst_port;
    int ifindex;
    uint64_t time_ns;       /* arrival, CLOCK_REALTIME; 0: now */
    uint8_t via;            /* MS_CTL_VIA_* */
} md_rx_dgram;
void md_rx_push(md *d, const md_rx_dgram *g);

/* beside.c: after md_rx_open found the port held (its words in
 * held_err): run beside nmbd when its socket answers; else MS_ERR_EXISTS
 * with err saying both. */
ms_status md_beside_start(md *d, const char *held_err, char *err, size_t errlen);
void md_beside_stop(md *d);

/* clients.c: the control socket and the clients on it. */
ms_status md_ctl_open(md *d, char *err, size_t errlen);
void md_ctl_close(md *d);
md_client *md_client_by_id(md *d, uint32_t id);
/* Encode m and send or queue it for c, charged to acct (NULL: an answer).
 * A client that is gone is marked dead. MS_ERR_TOO_MANY / NO_MEMORY:
 * dropped (counted by the outq). */
ms_status md_client_put(md_client *c, md_qacct *acct, const ms_ctl_msg *m);
/* Close the clients marked dead (outside any walk over them). */
void md_clients_sweep(md *d);

/* requests.c */
void md_request(md *d, md_client *c, const ms_ctl_msg *m);
/* An answer: RESULT with st (and text, slot when given). */
void md_result(md_client *c, ms_status st, const char *text, const char *slot);
/* sendpath.c */
void md_send_request(md *d, md_client *c, const ms_ctl_msg *m);
/* status.c: the STATUS JSON into out (at most cap - 1 octets, NUL-ended);
 * its length. */
size_t md_status_json(const md *d, char *out, size_t cap);

#endif
