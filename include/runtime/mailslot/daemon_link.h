/* SPDX-License-Identifier: MIT */
/* Programs and mailslotd(8), the host's mailslot service (README "Local
 * mailslots", "Running the service").
 *
 * While mailslotd runs it owns the host's NetBIOS datagram endpoint (UDP
 * 138, or nmbd's unexpected-packet socket beside Samba). A server
 * (server.h) then binds nothing on the network: it attaches to the daemon
 * over its control socket (ctl_sock.h, control.h), registers each mailslot
 * it creates there (one creator per name, the Win32 rule: MS_ERR_EXISTS
 * when another program holds it; "*" becomes a monitor that gets a copy of
 * everything) and receives the messages the daemon delivers, with the
 * sender's names, addresses and arrival time. A client (client.h) hands
 * its datagrams to the daemon, which sends them from port 138 with the
 * host's name; replies come back the same way.
 *
 * Which way a server or client goes is its options' `daemon` field:
 *   MS_DAEMON_AUTO     (the default) through mailslotd when its control
 *                      socket answers, else directly as without it (no
 *                      socket file, or one this user may not connect to);
 *   MS_DAEMON_NEVER    directly, whatever runs (the behaviour before
 *                      mailslotd existed);
 *   MS_DAEMON_REQUIRE  through mailslotd, or MS_ERR_NOT_FOUND.
 * A daemon that accepts the connection but does not answer within the
 * request timeout (MS_DAEMON_TIMEOUT_MS) is an error (MS_ERR_TIMEOUT), never
 * a hang. The control socket is $MAILSLOTD_DIR/control, else
 * /run/mailslotd/control (ms_ctl_dir), unless the options name another
 * directory. */
#ifndef MAILSLOT_DAEMON_LINK_H
#define MAILSLOT_DAEMON_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailslot/control.h"
#include "mailslot/netbios.h"
#include "mailslot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How long the daemon has to answer one request. */
#define MS_DAEMON_TIMEOUT_MS 3000
/* Re-attaching after the daemon went away: the first retry after
 * MS_DAEMON_RETRY_MIN_MS, each next one twice as late, at most
 * MS_DAEMON_RETRY_MAX_MS apart. */
#define MS_DAEMON_RETRY_MIN_MS 100
#define MS_DAEMON_RETRY_MAX_MS 2000
/* Room for one host name as the daemon writes it: NAME<xx>[.scope]. */
#define MS_DAEMON_NAME_TEXT 80

typedef enum ms_daemon_use {
    MS_DAEMON_AUTO = 0,
    MS_DAEMON_NEVER,
    MS_DAEMON_REQUIRE
} ms_daemon_use;

/* Where a server stands with the daemon (ms_server_get_daemon). */
typedef enum ms_daemon_state {
    MS_DAEMON_STATE_NONE = 0, /* direct: the server does not use mailslotd */
    MS_DAEMON_STATE_UP,       /* attached, its mailslots registered */
    MS_DAEMON_STATE_DOWN      /* the daemon went away: re-attaching */
} ms_daemon_state;

/* What happened between a server and the daemon (ms_server_opts.on_daemon). */
typedef enum ms_daemon_event_kind {
    MS_DAEMON_EV_ATTACHED,  /* attached again after DETACHED; every mailslot
                             * registered again but those LOST */
    MS_DAEMON_EV_DETACHED,  /* the connection is gone (text: why) */
    MS_DAEMON_EV_LOST       /* a mailslot's name was refused when registered
                             * again (another program took it meanwhile):
                             * it stays open, but gets no network writes */
} ms_daemon_event_kind;

typedef struct ms_daemon_event {
    ms_daemon_event_kind kind;
    const char *slot;        /* LOST: the mailslot; else NULL */
    const char *text;        /* one line, in the library's words */
} ms_daemon_event;

typedef void (*ms_daemon_event_fn)(const ms_daemon_event *ev, void *ctx);

/* A server's link to the daemon (ms_server_get_daemon). */
typedef struct ms_daemon_link_info {
    size_t size;             /* sizeof, set by the caller (MS_SIZED) */
    ms_daemon_state state;
    int fd;                  /* the control socket (pollable for reading:
                              * ms_server_pump takes what it brings); -1
                              * when not attached. It changes across a
                              * re-attach. */
    char path[108];          /* the control socket's path ("" when NONE) */
    uint64_t attaches;       /* 1 + every re-attach */
    uint64_t detaches;       /* the daemon went away (or stopped answering) */
    uint64_t delivered;      /* messages the daemon delivered */
    uint64_t refused;        /* packets from the daemon refused (undecodable,
                              * unexpected, a DELIVER for no mailslot of ours
                              * or naming another one) */
    uint64_t dropped;        /* messages the daemon dropped for our mailslots
                              * (its queue for them was full) */
    uint64_t lost;           /* mailslots refused on a re-attach */
    char refusal[200];       /* the daemon's words when it last refused to
                              * create one of our mailslots ("" if never) */
} ms_daemon_link_info;

/* What the daemon said to HELLO (ms_daemon_probe). */
typedef struct ms_daemon_hello {
    size_t size;             /* sizeof, set by the caller (MS_SIZED) */
    uint16_t version;        /* the control protocol version it speaks */
    char path[108];          /* the control socket it answered on */
    size_t nnames;           /* the host's NetBIOS names (WELCOME's NAME) */
    char names[MS_CTL_MAX_NAMES][MS_DAEMON_NAME_TEXT];
    char text[160];          /* WELCOME's TEXT, "" without one */
} ms_daemon_hello;

/* Is mailslotd running? Connect to the control socket in dir (NULL:
 * ms_ctl_dir()), say HELLO, read WELCOME into *out, hang up. MS_OK;
 * MS_ERR_NOT_FOUND when no daemon listens there; MS_ERR_TIMEOUT when it
 * does not answer within timeout_ms (<= 0: MS_DAEMON_TIMEOUT_MS);
 * MS_ERR_BAD_INPUT, MS_ERR_VERSION, ... when what came back is not a
 * WELCOME we understand; MS_ERR_SYSTEM (errno: EACCES when this user may
 * not connect). A reason in err. */
MS_EXTERN ms_status ms_daemon_probe(const char *dir, int timeout_ms, ms_daemon_hello *out,
                                    char *err, size_t errlen);
/* The daemon's state as one JSON object (STATUS, STATUS_REPLY) into json
 * (NUL-terminated; MS_ERR_NO_SPACE when it does not fit). Errors as
 * ms_daemon_probe. */
MS_EXTERN ms_status ms_daemon_status(const char *dir, int timeout_ms, char *json, size_t cap,
                                     char *err, size_t errlen);
/* Is name one of the daemon's names (its 15 octets compared without
 * regard to ASCII case, the suffix and the scope as they are)? */
MS_EXTERN bool ms_daemon_holds_name(const ms_daemon_hello *h, const ms_nb_name *name);
/* "auto", "never", "require" or "unknown". */
MS_EXTERN const char *ms_daemon_use_name(ms_daemon_use u);

#ifdef __cplusplus
}
#endif
#endif
