/* SPDX-License-Identifier: MIT */
/* The client's plan (private): from a target, a mailslot name, the options
 * and what is known of the interface, which names, which message type,
 * where the datagrams go and how large a message may be (§5.3, §5.4,
 * §2.8). Pure: no socket, no file, no clock, so every case is tested
 * without a network (tests/runtime/test_client_plan.c). */
#ifndef MS_RUNTIME_CLIENT_PLAN_H
#define MS_RUNTIME_CLIENT_PLAN_H

#include "mailslot/client.h"
#include "mailslot/net.h"

/* Where the datagrams go, once planned. */
typedef enum plan_dest {
    PLAN_DEST_LOCAL,      /* \\.: a local mailslot, no network */
    PLAN_DEST_ADDRESS,    /* info.dst_ip as given */
    PLAN_DEST_BROADCAST,  /* the interface's broadcast (info.dst_ip) */
    PLAN_DEST_RESOLVE     /* the address of info.dst, by NBNS */
} plan_dest;

typedef struct client_plan {
    ms_client_info info;  /* kind, slot, type, src, dst, dst_ip, max_data */
    plan_dest dest;
    ms_sender sender;     /* the shape chosen (also in info.sender) */
    char name[64];        /* the target's name as given (for messages) */
} client_plan;

/* The target as written: "\\." (local), an IPv4 address (*ip), "\\*", or a
 * NetBIOS name. Pure. MS_ERR_INVALID_ARG for an empty or over-long one. */
ms_status ms_client_target(const char *target, ms_target_kind *kind, bool *local, uint32_t *ip,
                           char *name, size_t cap, char *err, size_t errlen);

/* The plan for target and slot. ifc: the interface the datagrams leave
 * by (NULL when none is known: broadcast then goes to 255.255.255.255);
 * host: our NetBIOS name when o->from is NULL. Local targets stop after
 * the slot. MS_ERR_INVALID_ARG with a reason in err. */
ms_status ms_client_plan(const char *target, const char *slot, const ms_client_opts *o,
                         const ms_iface *ifc, const char *host, client_plan *out, char *err,
                         size_t errlen);

/* True when a broadcast goes out to the target: a domain, \\*, or a
 * host forced to type BROADCAST. */
bool ms_client_plan_broadcasts(ms_target_kind kind, uint8_t type);

#endif
