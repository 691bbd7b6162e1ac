/* SPDX-License-Identifier: MIT */
/* Beside Samba, the host's names are nmbd's (its `netbios name`,
 * `netbios aliases`, the workgroup and the browser's names): mailslotd
 * registers none and learns nmbd's by a node status query to nmbd (UDP
 * 137 at the interface's address, from a port of its own; when, is
 * beside.c's). Routing then treats them as the host's, as it treats the
 * names the daemon holds itself: the datagrams nmbd passes on do not say
 * to which address they came, so the destination name decides. */
#ifndef MD_NMBD_NAMES_H
#define MD_NMBD_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "mailslot/nbns.h"
#include "route.h"

typedef struct md_nmbd_names {
    md_name_set set;        /* every active name of nmbd's (at most 16) */
    uint8_t host[16];       /* the name SEND uses by default */
    char workgroup[16];     /* "" when nmbd listed no group <00> name */
} md_nmbd_names;

/* From a node status answer: the active names (neither conflicting nor
 * being released), once each; host: our_host when nmbd holds it (nmbd's
 * `netbios name` is the host name unless smb.conf says otherwise), else
 * the first unique <00> name nmbd lists, else our_host; the workgroup: the first group <00> name. Pure. */
void md_nmbd_names_take(const ms_nbns_node_status *st, const uint8_t our_host[16],
                        md_nmbd_names *out);

/* Ask nmbd at ip:port (waiting at most timeout_ms) and take its answer.
 * MS_ERR_NOT_FOUND when no answer came; err says why. Blocks. */
ms_status md_nmbd_names_query(uint32_t ip, uint16_t port, int timeout_ms,
                              const uint8_t our_host[16], md_nmbd_names *out, char *err,
                              size_t errlen);

#endif
