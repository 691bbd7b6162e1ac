/* SPDX-License-Identifier: MIT */
/* Resolving NetBIOS names (RFC 1002 §4.2.12, §5.1.1.2): an LMHOSTS-style
 * hosts file, then a name query to a WINS server or the subnet broadcast. */
#ifndef MAILSLOT_NBNS_RESOLVE_H
#define MAILSLOT_NBNS_RESOLVE_H

#include "mailslot/nbns.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ms_resolve_opts {
    size_t size;            /* sizeof; ms_resolve_opts_init sets it */
    uint32_t bcast_ip;      /* broadcast address to query (B-node), host order */
    uint32_t wins_ip;       /* 0, or a WINS/NBNS server to ask by unicast */
    uint32_t bind_ip;       /* local address to send from (0 = any) */
    int timeout_ms;         /* total wait, e.g. 1500; retries inside it */
    const char *hosts_file; /* NULL, or an LMHOSTS-style map: "IP NAME[#xx]" */
    uint16_t port;          /* destination UDP port; 0 = 137 (tests use others) */
} ms_resolve_opts;

/* Everything 0: broadcast to nobody (set bcast_ip or wins_ip), 1500 ms. */
MS_EXTERN void ms_resolve_opts_init(ms_resolve_opts *o);

/* Resolve a NetBIOS name to IPv4 addresses: the static map first, then a
 * name query (unicast to wins_ip if set, else broadcast to bcast_ip), sent
 * up to three times inside timeout_ms. The first positive response for the
 * name wins. Fills up to *n addresses (in: capacity ≥ 1, out: count).
 * MS_ERR_NOT_FOUND when nobody answers in time or a negative response
 * comes; err gets a one-line reason. A hosts file that cannot be read is
 * an error (MS_ERR_SYSTEM), not a miss. */
MS_EXTERN ms_status ms_nbns_resolve(const ms_nb_name *name, const ms_resolve_opts *o,
                                    uint32_t *ips, size_t *n, char *err, size_t errlen);

/* Look a name up in an LMHOSTS-style file only. Rule:
 *  - A line whose first non-blank character is '#' is a comment; so is
 *    everything from a blank-separated field starting with '#' after the
 *    name (LMHOSTS keywords such as #PRE, #DOM:x are ignored).
 *  - Otherwise the line is "IP NAME": IP a dotted IPv4 address, NAME up to
 *    15 octets, optionally ending in "#xx" (two hex digits) = the suffix.
 *  - NAME matches the queried name's 15 name octets (space-padded) without
 *    regard to ASCII case. With "#xx" the suffix must equal the queried
 *    suffix; without it the entry matches any suffix. The queried scope is
 *    not looked at.
 *  - The first matching line wins; malformed lines are skipped.
 * MS_ERR_NOT_FOUND when no line matches, MS_ERR_SYSTEM when the file cannot
 * be read. */
MS_EXTERN ms_status ms_nbns_hosts_lookup(const char *path, const ms_nb_name *name,
                                         uint32_t *ip, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
