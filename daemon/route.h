/* SPDX-License-Identifier: MIT */
/* Where a clean mailslot write goes (mailslotd(8), "ROUTING"):
 *
 *  - it is for this host when it is a BROADCAST datagram (0x12), or a
 *    DIRECT_UNIQUE / DIRECT_GROUP (0x10, 0x11) whose destination name,
 *    without scope, is one the host holds now: a unique name it
 *    registered or a group name it joined (the name's 15 octets compare
 *    without regard to ASCII case, the suffix exactly);
 *  - then it goes to the creator of the mailslot it names (one at most),
 *    and a GetBackupListResponse on \MAILSLOT\BROWSE also to the client
 *    whose request carried its Token, unless that client is the creator;
 *  - every monitor gets a copy of every clean write, for this host or
 *    not, as `mailslot listen` printed everything that reached UDP 138.
 *
 * Pure: the caller's tables, the caller's clock. */
#ifndef MD_ROUTE_H
#define MD_ROUTE_H

#include "md_limits.h"
#include "mailslot/message.h"
#include "mailslot/name_service.h"
#include "slots.h"
#include "tokens.h"

/* The names the host holds now (every interface's, once each). */
typedef struct md_name_set {
    struct {
        uint8_t raw[16];
        bool group;
    } n[MS_NAME_SERVICE_MAX_NAMES];
    size_t count;
} md_name_set;

typedef enum md_addr {
    MD_ADDR_OURS,           /* to one of the host's names */
    MD_ADDR_BROADCAST,      /* to everyone */
    MD_ADDR_OTHER           /* to somebody else */
} md_addr;

md_addr md_addressed(const md_name_set *ours, const ms_dgram *d);
/* Does the set hold raw (as md_addressed compares)? */
bool md_name_set_has(const md_name_set *ours, const uint8_t raw[16]);

typedef struct md_target {
    md_slot *slot;          /* the creator's or a monitor's entry; NULL for
                             * a Token's client */
    uint32_t client;        /* a Token's client (slot NULL) */
    uint32_t flags;         /* MS_CTL_F_COPY, MS_CTL_F_REPLY */
} md_target;

typedef enum md_verdict {
    MD_ROUTED,              /* to a creator or a Token's client */
    MD_NO_MAILSLOT,         /* for this host, but nobody created the mailslot */
    MD_NOT_OURS             /* not for this host */
} md_verdict;

#define MD_MAX_TARGETS (2 + MD_MAX_MONITORS)

/* The targets of one clean write m (decoded), into out (MD_MAX_TARGETS).
 * Returns how many; *v says why the creator did not get it. */
size_t md_route(const ms_message *m, const md_name_set *ours, const md_slots *slots,
                const md_tokens *tokens, uint64_t now_ns, md_target *out, md_verdict *v);

#endif
