/* SPDX-License-Identifier: MIT */
/* mailslotd's bounds, in one place: what keeps its memory bounded under a
 * flood and a crowd of clients (mailslotd(8), "LIMITS"). */
#ifndef MD_LIMITS_H
#define MD_LIMITS_H

#define MD_MAX_NAMES 8             /* --name / name = (besides the host name) */
#define MD_MAX_IFACES 8            /* -i / interface = */
#define MD_IFNAME_MAX 15           /* IFNAMSIZ - 1 */
#define MD_USER_MAX 32             /* --user / user = */
#define MD_QUEUE_DEFAULT 64        /* messages a mailslot's queue holds */
#define MD_QUEUE_MAX 4096          /* the most --queue allows */
#define MD_MAX_CLIENTS 256         /* programs attached at once */
#define MD_MAX_SLOTS_PER_CLIENT 64 /* mailslots one program creates */
#define MD_MAX_SLOTS 1024          /* mailslots (and monitors) in all */
#define MD_MAX_MONITORS 16         /* monitors in all */
#define MD_QUEUE_BYTES (64u << 20) /* octets queued for all clients together */
#define MD_PENDING_REPLIES 64      /* answers queued before a client's requests wait */
#define MD_TOKENS_MAX 256          /* browser Tokens remembered */
#define MD_TOKEN_TTL_MS 15000      /* how long a Token's replies are routed */
#define MD_RCVBUF (32 << 20)       /* UDP 138 receive buffer asked for (--rcvbuf) */
#define MD_RCVBUF_MIN 65536        /* the least --rcvbuf allows */
#define MD_RCVBUF_MAX (1 << 30)    /* the most */
#define MD_CLIENT_SNDBUF (16 << 20) /* each program's socket, the daemon's
                                     * side: what a reader may fall behind by
                                     * before its mailslot's queue ... */
#define MD_CLIENT_SNDBUF_ALL (256 << 20) /* ... and all of them together */
#define MD_RX_BATCH 32             /* datagrams per recvmmsg */
#define MD_RX_BATCHES 4            /* batches per loop round: others get a turn */
#define MD_DIR_MAX 95              /* --nmbd-socket-dir: + "/unexpected" fits sun_path */
#define MD_CONF_MAX_BYTES 65536    /* a configuration file */
#define MD_CONF_MAX_LINE 1024      /* one line of it */
#define MD_DEFAULT_CONF "/etc/mailslot/mailslotd.conf"

#endif
