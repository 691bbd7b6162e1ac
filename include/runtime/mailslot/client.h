/* SPDX-License-Identifier: MIT */
/* Writing to remote mailslots, as CreateFile("\\\\X\\mailslot\\y") +
 * WriteFile do on Windows (PROTOCOL.md §2.8, §5.3, §5.4).
 *
 * Targets and what goes on the wire:
 *   \\HOST    HOST<00>, 0x10 DIRECT_UNIQUE, unicast to HOST's address
 *             (hosts file, then NBNS: WINS if given, else broadcast query);
 *   \\DOMAIN  DOMAIN<00>, 0x11 DIRECT_GROUP, to the subnet broadcast — a
 *             name is taken as a domain when it equals the workgroup or the
 *             type is forced to group/broadcast;
 *   \\*       WORKGROUP<00>, 0x11 DIRECT_GROUP, to the subnet broadcast;
 *   A.B.C.D   the destination name must be given (dest_name); 0x10 to a
 *             unicast address, 0x11 to a broadcast address;
 *   \\.       local: delivered over a Unix socket, no network (local.h).
 * 0x12 BROADCAST (destination "*" + 15 x 0x00, whatever dest_name says
 * but its scope) is sent only when asked for.
 *
 * Each datagram: a fresh DGM_ID, FLAGS first and no more with the node
 * type of the layout (below), SOURCE_IP our interface address, SOURCE_PORT the UDP source port (below),
 * source name FROM<00>.
 *
 * The source port (opts.sport), and where replies come from. Linux hands a
 * unicast datagram to one UDP socket only, so a socket on 138 beside nmbd
 * or a listener would take their datagrams; the client never shares 138:
 *   MS_CLIENT_SPORT_DEFAULT   with CAP_NET_RAW: from 138 through a raw
 *       socket (raw_udp.h), no port bound; replies are copies read from a
 *       raw socket, and whatever program holds 138 gets them too. Without
 *       it: as EPHEMERAL, and info.note says so (sport_fallback);
 *   MS_CLIENT_SPORT_RAW       the raw way or an error (MS_ERR_SYSTEM);
 *   MS_CLIENT_SPORT_EPHEMERAL a UDP socket on a port the kernel picks:
 *       replies sent to 138 (Windows answers some requests there) miss us;
 *   N > 0                     a UDP socket bound to exactly N, not shared
 *       (no SO_REUSEADDR): MS_ERR_EXISTS when N is in use, err naming the
 *       holder where /proc shows it ("port 138 is in use by nmbd (pid
 *       1234)"); while the client lives no other program can bind N.
 * ms_client_recv_replies reads the replies the same way in every mode.
 *
 * Through mailslotd (daemon_link.h; opts.daemon, default MS_DAEMON_AUTO):
 * when its control socket answers and sport is MS_CLIENT_SPORT_DEFAULT (a
 * chosen port, no_socket and local targets go directly), the client
 * opens no socket: each datagram is handed to the daemon (SEND), which
 * sends it from its port 138 with the host's name as the source name (the
 * one from names, if the host holds it). info.sport_mode is
 * MS_SPORT_MODE_DAEMON. Replies come back through the daemon to the
 * mailslot they name, so unless send_only: a NETLOGON request's reply
 * mailslot is created with the daemon before the request goes (the name
 * the request gives when nobody holds it, else \MAILSLOT\NET\GETDC + 8
 * hex digits, written into the request as Windows' clients name theirs;
 * info.reply_slot), and a GetBackupListRequest's Token goes with it, so
 * the responses that carry it come back to us as well as to BROWSE's
 * creator. Other replies go to whoever created the mailslot they name.
 * When the daemon went away, the next write finds it again (once). After
 * each write info.src and src_ip are what the daemon says it sent with.
 *
 * Layout (layout.h, docs/LAYOUTS.md): by default each frame is laid out as
 * Windows lays out that kind: the browser service's shape for
 * \MAILSLOT\BROWSE, \MAILSLOT\LANMAN and \MAILSLOT\NET\... (Timeout 1000, no
 * pad; priority 0 for a Host/LocalMasterAnnouncement from a <20> name,
 * else 1), the redirector's (what a WriteFile on a \\X\mailslot\y handle
 * sends: MaxParameterCount 2, Flags NO_RESPONSE, data 4-aligned) for any
 * other mailslot. opts.layout picks another sender's shape, opts.node_type
 * the node type in FLAGS (default B, 0x02; samba-nmbd M, samba-ad H).
 *
 * Size rules (§5.4), refused with MS_ERR_TOO_BIG unless force_size, err
 * naming every rule broken and its excess: the whole SMB message within
 * 512 octets (512 − DataOffset for the data), and group and broadcast
 * writes at most 424 data octets. A
 * datagram over 576 octets of UDP payload is sent but flagged (Samba nmbd
 * reads 576 octets and drops the rest). */
#ifndef MAILSLOT_CLIENT_H
#define MAILSLOT_CLIENT_H

#include "mailslot/auth.h"
#include "mailslot/layout.h"
#include "mailslot/daemon_link.h"
#include "mailslot/net.h"
#include "mailslot/netbios.h"
#include "mailslot/smb.h"
#include "mailslot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MS_GROUP_MAX_DATA 424    /* \\DOMAIN, \\*: CreateMailslot remarks */
#define MS_SMB_MAX 512           /* whole SMB write: MS-MAIL note <2> */
#define MS_SAMBA_MAX_PAYLOAD 576 /* nmbd's receive buffer */

#define MS_CLIENT_SPORT_DEFAULT 0    /* raw from 138, else ephemeral */
#define MS_CLIENT_SPORT_EPHEMERAL -1 /* a port the kernel picks */
#define MS_CLIENT_SPORT_RAW -2       /* raw from 138, or fail */
#define MS_CLIENT_STYLE_AUTO -1

typedef struct ms_client_opts {
    size_t size;             /* sizeof; ms_client_opts_init sets it */
    const char *from;        /* our NetBIOS name (<= 15 octets); NULL: the
                              * host name upper-cased, cut at the first dot */
    const char *dest_name;   /* "NAME<xx>[.scope]": destination name; needed
                              * for an IP address target */
    const char *workgroup;   /* NULL = "WORKGROUP" */
    const char *iface;       /* NULL: the route's source address (unicast),
                              * the first up non-loopback one (broadcast) */
    uint8_t type;            /* 0 = by target; else MS_NBDS_DIRECT_UNIQUE,
                              * MS_NBDS_DIRECT_GROUP or MS_NBDS_BROADCAST */
    int sport;               /* MS_CLIENT_SPORT_*, or a port to bind exactly
                              * (see the top of this file) */
    uint16_t dport;          /* 0 = 138 */
    int style;               /* MS_CLIENT_STYLE_AUTO (the default: layout
                              * decides), or an ms_trans_style (older
                              * callers; see layout) */
    bool force_size;         /* send oversize messages (interop tests) */
    bool no_socket;          /* build only (pcap output): no socket opened */
    uint32_t wins_ip;        /* resolve \\HOST by unicast to this server */
    const char *hosts_file;  /* LMHOSTS-style map, looked up first */
    int resolve_timeout_ms;  /* 0 = 1500 */
    uint32_t src_ip;         /* SOURCE_IP override, 0 = our address */
    const ms_auth_key *auth_key; /* non-NULL: append the authentication
                              * trailer (auth.h, docs/AUTH.md) to every
                              * message; copied by ms_client_open. Needs
                              * MAILSLOT_AUTH. The trailer counts against
                              * the size limit. */
    bool send_only;          /* the caller never reads replies: the socket
                              * is connected to the destination, which
                              * spares the kernel a route lookup per
                              * datagram (datagrams from other addresses
                              * are then not received; the raw way opens
                              * no socket for replies at all) */
    int layout;              /* an ms_layout: MS_LAYOUT_WINDOWS (0, the
                              * default) or one sender's shape. A style
                              * other than MS_CLIENT_STYLE_AUTO wins (older
                              * callers): BROWSER = windows-browser,
                              * REDIRECTOR = windows-redirector, SAMBA =
                              * samba-nmbd */
    int node_type;           /* an ms_node_type for the NBDS FLAGS;
                              * MS_NODE_DEFAULT (0): the layout's own */
    ms_daemon_use daemon;    /* through mailslotd: MS_DAEMON_AUTO (when it
                              * answers), _NEVER, _REQUIRE (daemon_link.h) */
    const char *daemon_dir;  /* its directory; NULL: ms_ctl_dir() */
    int daemon_timeout_ms;   /* its answers' deadline, 0 =
                              * MS_DAEMON_TIMEOUT_MS */
} ms_client_opts;

MS_EXTERN void ms_client_opts_init(ms_client_opts *o);

typedef enum ms_target_kind {
    MS_TARGET_HOST,
    MS_TARGET_DOMAIN,
    MS_TARGET_ALL,           /* \\* */
    MS_TARGET_ADDRESS
} ms_target_kind;

/* How the client sends (ms_client_info.sport_mode). */
typedef enum ms_client_sport_mode {
    MS_SPORT_MODE_NONE,      /* no socket: build only, or a local mailslot */
    MS_SPORT_MODE_RAW,       /* from 138 through a raw socket, no port bound */
    MS_SPORT_MODE_EPHEMERAL, /* a UDP socket on a port the kernel picked */
    MS_SPORT_MODE_BOUND,     /* a UDP socket bound to exactly opts.sport */
    MS_SPORT_MODE_DAEMON     /* through mailslotd, from its port 138 */
} ms_client_sport_mode;

/* What the client resolved and will send with. */
typedef struct ms_client_info {
    ms_target_kind kind;
    char slot[256];          /* \MAILSLOT\... */
    uint8_t type;
    ms_nb_name src, dst;
    uint32_t src_ip, dst_ip; /* dst_ip: where the datagrams go */
    uint16_t sport, dport;
    bool sport_fallback;     /* default sport, no raw socket (no
                              * CAP_NET_RAW): an ephemeral port instead */
    char note[320];          /* how the source port was chosen and what it
                              * means for replies; "" without a socket */
    size_t max_data;         /* the §5.4 limit for this target and slot */
    size_t auth_overhead;    /* MS_AUTH_TRAILER_LEN with auth_key, else 0:
                              * max_data - auth_overhead octets of the
                              * caller's data fit */
    ms_client_sport_mode sport_mode;
    ms_sender sender;        /* the shape the frames are laid out in */
    uint8_t nbds_flags;      /* the FLAGS octet they carry */
    char reply_slot[256];    /* through mailslotd: the mailslot NETLOGON
                              * replies come back to ("" until a request
                              * named one) */
} ms_client_info;

typedef struct ms_client ms_client;

/* target: "\\HOST", "\\DOMAIN", "\\*", "HOST", a dotted quad or "\\."
 * (local); slot: "\MAILSLOT\x" (see ms_mailslot_name_normalize). The plan
 * (names, type, destination, size limit) is made without I/O; then the
 * name is resolved when needed and the socket opened. MS_ERR_NOT_FOUND:
 * name not resolved or no such local mailslot; MS_ERR_INVALID_ARG;
 * MS_ERR_SYSTEM: socket; a one-line reason in err. */
MS_EXTERN ms_status ms_client_open(const char *target, const char *slot,
                                   const ms_client_opts *o, ms_client **out, char *err,
                                   size_t errlen);
/* The same from one path: "\\HOST\mailslot\x" ('/' works as '\'). */
MS_EXTERN ms_status ms_client_open_path(const char *path, const ms_client_opts *o,
                                        ms_client **out, char *err, size_t errlen);
MS_EXTERN void ms_client_close(ms_client *c);

MS_EXTERN const ms_client_info *ms_client_get_info(const ms_client *c);
/* The descriptor to poll for replies: the UDP socket, or in the raw way
 * the raw socket that replies are copied to (-1 with send_only there),
 * or mailslotd's control socket; -1 with no_socket. Read replies with
 * ms_client_recv_replies, not recv: a raw socket reads IP packets, and
 * through mailslotd replies that came while a write waited for the
 * daemon's answer are held in memory: call it before waiting on the
 * descriptor. */
MS_EXTERN int ms_client_fd(const ms_client *c);

/* Read up to n replies waiting now (MSG_DONTWAIT): datagrams addressed to
 * our source port, whichever the mode — in the raw way copies addressed
 * to our address or a broadcast address, broadcasts sent from this host
 * (ours among them) left out; through mailslotd the DELIVERs of our reply
 * mailslot and of our Token. Each d[i] as ms_udp_recv_batch fills it (payload
 * in the caller's buf). *got: how many, 0 when none is waiting.
 * MS_ERR_INVALID_ARG without a socket for replies (no_socket, local, raw
 * with send_only); MS_ERR_SYSTEM (errno). */
MS_EXTERN ms_status ms_client_recv_replies(ms_client *c, ms_udp_dgram *d, size_t n, size_t *got);

typedef struct ms_write_result {
    size_t payload_len;      /* UDP payload octets */
    uint16_t dgm_id;
    bool over_576;           /* longer than Samba nmbd reads */
} ms_write_result;

/* Build the datagram for one message into buf (a fresh DGM_ID each
 * call). MS_ERR_TOO_BIG (err says which limit, by how much) unless
 * force_size. */
MS_EXTERN ms_status ms_client_build(ms_client *c, const void *data, size_t len, uint8_t *buf,
                                    size_t cap, ms_write_result *res, char *err, size_t errlen);
/* Build and send one message. */
MS_EXTERN ms_status ms_client_write(ms_client *c, const void *data, size_t len, ms_write_result *res,
                                    char *err, size_t errlen);

/* count x ms_client_write(c, data, len): the same datagrams (each with its
 * own DGM_ID, in order), built 32 at a time and handed to the kernel with
 * one sendmmsg per 32 instead of one sendto each. *sent (may be NULL) is
 * how many went out, also on failure; res (may be NULL) has room for count
 * results. To a local mailslot (\\.) it writes them one by one. */
MS_EXTERN ms_status ms_client_write_many(ms_client *c, const void *data, size_t len, size_t count,
                                         ms_write_result *res, size_t *sent, char *err, size_t errlen);

/* The size rules of §5.4 for one write: its NBDS type, the DataOffset of
 * its SMB message, len data octets plus a trailer of `trailer` octets
 * (the authentication trailer; 0 without). 0 when the write keeps them;
 * else how many it breaks (1 or 2: the SMB message over 512 octets; group
 * or broadcast data over 424), with one line in err naming each and its
 * excess. What ms_client_build refuses with MS_ERR_TOO_BIG. */
MS_EXTERN size_t ms_write_limits(uint8_t type, size_t data_offset, size_t len, size_t trailer,
                                 char *err, size_t errlen);

/* Send one UDP payload built elsewhere (a whole datagram, e.g. from
 * decode's JSON) to where the client sends, through its socket: no size
 * rule, no layout, no DGM_ID of ours. Through mailslotd it is handed over
 * as it is (the daemon sends it as the host's: its address and source
 * name); unless send_only, the replies it asks for come back to
 * ms_client_recv_replies without a change to it: the reply mailslot a
 * NETLOGON request names is created with the daemon under that very name
 * (MS_ERR_EXISTS, nothing sent, when another program holds it), and a
 * GetBackupListRequest's Token goes with it. MS_ERR_INVALID_ARG for a
 * local or build-only client; MS_ERR_SYSTEM (errno) when the send fails. */
MS_EXTERN ms_status ms_client_send_payload(ms_client *c, const uint8_t *payload, size_t len,
                                           char *err, size_t errlen);

/* True for a client of a local mailslot (\\.\mailslot\x, local.h). */
MS_EXTERN bool ms_client_is_local(const ms_client *c);

/* Our default NetBIOS name: the host name, upper-cased, cut at the first
 * dot, at most 15 octets. */
MS_EXTERN void ms_default_netbios_name(char out[16]);

#ifdef __cplusplus
}
#endif
#endif
