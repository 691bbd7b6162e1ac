/* SPDX-License-Identifier: MIT */
/* The NetBIOS name service of a node (RFC 1001 §15, RFC 1002 §4.2, §5.1):
 * registers names before it claims them, then answers name queries and
 * node status requests for them, defends its unique names, obeys (or, by
 * choice, ignores) conflict demands, refreshes names held by a WINS
 * server and releases every name when it is closed. It runs on an
 * ms_loop (the server's, or the caller's own); UDP 137.
 *
 * Registration, without a WINS server (B node, §5.1.1.1): three broadcast
 * NAME REGISTRATION REQUESTs 250 ms apart; a negative response refuses
 * the name; silence claims it, announced by a NAME OVERWRITE DEMAND.
 * With a WINS server (H node): a unicast registration, retried, waiting
 * out WACKs; the server's answer decides, and its TTL sets the refresh
 * (at half the TTL). A server that never answers leaves the broadcast
 * registration (as an H node falls back to B).
 *
 * Every registration, refusal, defence, conflict, refresh and release is
 * reported through the event callback, one event each. */
#ifndef MAILSLOT_NAME_SERVICE_H
#define MAILSLOT_NAME_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailslot/loop.h"
#include "mailslot/nbns.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ms_name_service ms_name_service;

/* Most names one service holds. */
#define MS_NAME_SERVICE_MAX_NAMES 16

typedef enum ms_name_state {
    MS_NAME_REGISTERING,    /* requests in flight: not ours yet, not answered */
    MS_NAME_ACTIVE,         /* ours: queries answered, unique names defended */
    MS_NAME_REFUSED,        /* someone else holds it: never ours */
    MS_NAME_CONFLICT,       /* was ours, given up (conflict demand, WINS refresh refused) */
    MS_NAME_RELEASED,       /* released (ms_name_service_release / close) */
} ms_name_state;

typedef enum ms_name_event_kind {
    MS_NAME_EV_REGISTERED,        /* claimed; wins: by the WINS server, ttl granted */
    MS_NAME_EV_REFUSED,           /* a negative registration response: peer sent it, owner holds the name */
    MS_NAME_EV_DEFENDED,          /* peer tried to register our unique name: refused with ACT_ERR */
    MS_NAME_EV_CONFLICT,          /* a conflict demand from peer was obeyed, or WINS refused a refresh: the name is given up */
    MS_NAME_EV_CONFLICT_IGNORED,  /* a conflict demand from peer was not obeyed (note says why) */
    MS_NAME_EV_REFRESHED,         /* the WINS server accepted a refresh; ttl granted */
    MS_NAME_EV_REFRESH_FAILED,    /* the WINS server did not answer a refresh; tried again later */
    MS_NAME_EV_WINS_SILENT,       /* the WINS server did not answer the registration: broadcast instead */
    MS_NAME_EV_RELEASED,          /* released (broadcast, and to the WINS server when it held it) */
} ms_name_event_kind;

typedef struct ms_name_event {
    ms_name_event_kind kind;
    const ms_nb_name *name;
    bool group;
    bool wins;              /* concerns the WINS server */
    uint32_t peer_ip;       /* who sent the packet behind the event (0: nobody) */
    uint32_t owner_ip;      /* REFUSED: the address the name is held by (0: not known) */
    uint32_t ttl;           /* REGISTERED, REFRESHED with WINS: seconds granted */
    uint8_t rcode;          /* REFUSED, CONFLICT: the response's RCODE */
    const char *note;       /* a few words more, or "" */
} ms_name_event;

typedef void (*ms_name_event_fn)(const ms_name_event *ev, void *ctx);

typedef struct ms_name_service_opts {
    size_t size;            /* sizeof; ms_name_service_opts_init sets it */
    uint32_t our_ip;        /* the address registered and answered (required) */
    uint32_t bind_ip;       /* 0 = any: needed to hear broadcast queries */
    uint16_t port;          /* our UDP port; 0 = 137 (tests use others) */
    uint16_t peer_port;     /* where requests go (broadcast, WINS); 0 = 137 */
    uint32_t bcast_ip;      /* broadcast address for B-node registration and
                             * release; 0 = none (only a WINS server) */
    uint32_t netmask;       /* our subnet: conflict demands from on-link
                             * sources are obeyed; 0 = none is on-link */
    uint32_t wins_ip;       /* 0, or the WINS server to register with */
    uint32_t ttl;           /* seconds asked of the WINS server (default 300000) */
    bool ignore_conflict_demand; /* keep names whoever demands them */
    uint8_t mac[6];         /* UNIT_ID of node status answers */
    int bcast_interval_ms;  /* between broadcast requests (default 250) */
    int bcast_count;        /* broadcast requests before claiming (default 3) */
    int wins_timeout_ms;    /* wait for the WINS server per try (default 1500) */
    int wins_tries;         /* tries per request to the WINS server (default 3) */
    ms_name_event_fn on_event; /* may be NULL */
    void *ctx;
    char ifname[16];        /* "" or an interface: the socket hears and sends
                             * only there (SO_BINDTODEVICE), so one service per
                             * interface can share the port */
} ms_name_service_opts;

typedef struct ms_name_stats {
    size_t size;            /* sizeof, set by the caller (MS_SIZED) */
    uint64_t queries_answered;  /* positive name query responses sent */
    uint64_t status_answered;   /* node status responses sent */
    uint64_t defended;          /* registrations of our unique names refused */
    uint64_t conflicts;         /* names given up */
    uint64_t conflicts_ignored; /* conflict demands not obeyed */
    uint64_t registered, refused, refreshed, released;
    uint64_t ignored;           /* packets not for us, or malformed */
} ms_name_stats;

typedef struct ms_name_info {
    ms_nb_name name;
    bool group;
    bool wins;              /* held by the WINS server */
    ms_name_state state;
    uint32_t ttl;           /* granted by the WINS server */
} ms_name_info;

MS_EXTERN void ms_name_service_opts_init(ms_name_service_opts *o);

/* Bind UDP port (SO_REUSEADDR, SO_BROADCAST, non-blocking) and watch it on
 * loop. Registers nothing yet: see ms_name_service_add. MS_ERR_INVALID_ARG
 * (no our_ip), MS_ERR_SYSTEM (errno; port 137 needs privilege),
 * MS_ERR_NO_MEMORY. */
MS_EXTERN ms_status ms_name_service_open(ms_loop *loop, const ms_name_service_opts *o,
                                         ms_name_service **out, char *err, size_t errlen);
/* Start registering a name (a unique name unless group). Its requests go
 * out from the loop's timers; the name is answered once ACTIVE.
 * MS_ERR_TOO_MANY past MS_NAME_SERVICE_MAX_NAMES names not released,
 * MS_ERR_EXISTS when the name is there already (and not released),
 * MS_ERR_INVALID_ARG for an invalid name. */
MS_EXTERN ms_status ms_name_service_add(ms_name_service *ns, const ms_nb_name *name, bool group);
/* Run the loop until no name is REGISTERING, at most timeout_ms (-1: no
 * limit). MS_OK when every name is ACTIVE; MS_ERR_EXISTS when one was
 * refused (err: which, and who holds it); MS_ERR_TIMEOUT; MS_ERR_STOPPED
 * when ms_loop_stop ended the wait; MS_ERR_INVALID_ARG from inside a
 * callback of the same loop. */
MS_EXTERN ms_status ms_name_service_wait(ms_name_service *ns, int timeout_ms, char *err,
                                         size_t errlen);
/* Name i (in the order added): MS_ERR_NOT_FOUND past the last. */
MS_EXTERN ms_status ms_name_service_name(const ms_name_service *ns, size_t i, ms_name_info *out);
MS_EXTERN void ms_name_service_get_stats(const ms_name_service *ns, ms_name_stats *out);
/* Release every ACTIVE name: a broadcast NAME RELEASE REQUEST each, and a
 * unicast one to the WINS server for those it holds, whose answers are
 * awaited (running the loop, at most wins_timeout_ms in all). Names are
 * RELEASED afterwards and no longer answered. */
MS_EXTERN ms_status ms_name_service_release(ms_name_service *ns);
/* Give up one name (as ms_name_service_release does for all): an ACTIVE
 * name is released, one still registering is abandoned. It is then
 * RELEASED; ms_name_service_add may take it again. MS_ERR_NOT_FOUND when
 * the service has no such name (or it is released already). */
MS_EXTERN ms_status ms_name_service_remove(ms_name_service *ns, const ms_nb_name *name);
/* Release (when not done yet), stop watching, close, free. NULL is
 * allowed. Close it before the loop it runs on is freed (on a server's
 * loop: before ms_server_close). */
MS_EXTERN void ms_name_service_close(ms_name_service *ns);

/* Short names for the JSON output: "registered", "refused", "defended",
 * "conflict", "conflict_ignored", "refreshed", "refresh_failed",
 * "wins_silent", "released". */
MS_EXTERN const char *ms_name_event_kind_name(ms_name_event_kind k);
MS_EXTERN const char *ms_name_state_name(ms_name_state s);
/* One line of text for an event (no newline), e.g. "registered HOST<00>
 * (broadcast, nobody objected)". Returns the length it needed
 * (snprintf-like). */
MS_EXTERN size_t ms_name_event_format(const ms_name_event *ev, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
