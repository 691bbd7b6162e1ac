/* SPDX-License-Identifier: MIT */
/* The server's insides (private): shared by server.c (queues, reading)
 * and server_daemon.c (mailslotd: registration and deliveries). */
#ifndef MS_RUNTIME_SERVER_INT_H
#define MS_RUNTIME_SERVER_INT_H

#include "dlink.h"
#include "mailslot/net.h"
#include "mailslot/pipeline.h"
#include "mailslot/server.h"

#define RECV_BATCH 32 /* datagrams per recvmmsg */
#define PUMP_MAX 512  /* datagrams per ms_server_pump */
#define RECV_CAP 65536
#define EXPIRE_MS 500 /* reassembly timeouts are looked at this often */
#define PCAP_POLL_MS 100 /* libpcap's descriptor can stay quiet while frames
                          * wait in its buffer: look now and then */
#define NODE_SMALL 1024  /* payload octets a pooled queue node holds */
#define POOL_MAX 64      /* freed small nodes kept for the next messages */

/* A mailslot's standing with mailslotd. */
typedef enum slot_reg {
    REG_NONE = 0,        /* not for the daemon (direct, or inject-only) */
    REG_PENDING,         /* to be registered when the daemon answers */
    REG_DONE,            /* registered */
    REG_LOST             /* refused on a re-attach: another program holds it */
} slot_reg;

/* A queued message: its octets and their decode, which borrows them. */
typedef struct qmsg {
    struct qmsg *next;
    uint64_t seq, time_ns;
    uint32_t src_ip, dst_ip;
    uint16_t src_port, dst_port;
    bool reassembled;
    bool local;          /* from the local socket: payload is the data */
    bool authenticated;
    bool daemon;         /* delivered by mailslotd ... */
    uint8_t via;         /* ... through MS_CTL_VIA_* */
    uint32_t auth_key_id;
    uint64_t auth_time_ms;
    size_t data_len;
    ms_message *m;       /* NULL for a local message */
    size_t len;
    size_t cap;          /* octets payload[] has room for (0: sized to len) */
    uint8_t payload[];
} qmsg;

struct ms_mailslot {
    ms_server *s;
    ms_mailslot *next;
    char name[MS_MAILSLOT_NAME_MAX + 1];
    bool any;
    uint32_t max_size, timeout;
    qmsg *head, *tail;
    size_t count, bytes;
    uint64_t queue_full, too_big;
    qmsg *last;          /* the message handed out by the last read */
    char last_name[MS_MAILSLOT_NAME_MAX + 1];
    ms_local_slot *local; /* \\.\mailslot\x: local socket (local.h) */
    ms_loop_watch *w_local;
    /* With mailslotd (server_daemon.c): */
    uint64_t did;        /* names the mailslot in requests still out */
    slot_reg reg;
    uint64_t daemon_dropped, dropped_seen; /* its DROPPED: ours, and as said */
};

struct ms_server {
    int fd;
    uint16_t port;
    ms_server_opts o;
    ms_mailslot *slots;
    ms_pipeline *pipe;
    ms_loop *loop;
    bool own_loop;
    ms_loop_watch *w_sock, *w_pcap, *w_pcap_timer, *w_expire;
    ms_capture *pcap;
    uint8_t *bufs;
    ms_udp_dgram d[RECV_BATCH];
    uint64_t seq;
    size_t batch;        /* datagrams asked of the next recvmmsg */
    bool last_full;      /* the last batch came back full: more may wait */
    qmsg *pool;          /* freed small nodes, reused: a queue of small
                          * messages costs no malloc per message */
    size_t npool;
    size_t queued;       /* by the pipeline callbacks of the current pump */
    bool io_error;       /* a socket or libpcap error in a loop callback */
    ms_server_stats st;
    /* With mailslotd (server_daemon.c): */
    dlink *link;         /* NULL: direct */
    uint64_t next_did;
    size_t recreating;   /* registrations still out after a re-attach */
    bool closing;        /* ms_server_close: no DELETE per mailslot */
    ms_mailslot *hint;   /* the mailslot a DELIVER named, while it is pushed */
    uint8_t hint_via;
    uint64_t d_dropped, d_lost;
    char d_refusal[200]; /* the daemon's last refusal, in its words */
};



/* server.c: a datagram in through the pipeline (counted). */
void server_push(ms_server *s, const ms_udp_datagram *d);

/* server_daemon.c */
/* Attach when the options allow and a daemon answers (s->link); an error
 * only when it must (REQUIRE) or the daemon misbehaves. */
ms_status server_daemon_open(ms_server *s, char *err, size_t errlen);
void server_daemon_close(ms_server *s);
/* Register a new mailslot (already in s->slots) when it is one for the
 * daemon: MS_ERR_EXISTS when another program holds the name. */
ms_status server_daemon_create(ms_server *s, ms_mailslot *m);
/* Unregister a mailslot being closed. */
void server_daemon_delete(ms_server *s, ms_mailslot *m);
/* Take what the daemon sent (route counts what it queues). */
void server_daemon_pump(ms_server *s);

#endif
