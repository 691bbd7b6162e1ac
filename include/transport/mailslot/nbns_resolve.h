/* SPDX-License-Identifier: MIT */
/* Resolving NetBIOS names (RFC 1002 §4.2.12, §5.1.1.2): an LMHOSTS-style
 * hosts file, then a name query to a WINS server or the subnet broadcast;
 * a lookup that reports every answer, and the node status query. They
 * open a socket of their own and block until they are done. */
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

/* ---- Lookup: every answer to one name query ----------------------------
 *
 * Where ms_nbns_resolve wants one address to send to, a lookup reports
 * what the network says about a name: every positive answer within the
 * timeout (a broadcast query draws one from each holder of the name; a
 * group name's answer from a WINS server holds several entries), each with
 * its responder, its NB_FLAGS (group bit, owner node type) and addresses,
 * and the negative answers too. */

typedef enum ms_lookup_mode {
    /* Broadcast query (B and RD set) to a broadcast address; every answer
     * that arrives before the timeout is kept. */
    MS_LOOKUP_BROADCAST = 0,
    /* Unicast query (RD, no B) to a WINS server; the first answer from
     * that address, positive or negative, ends the lookup. WACK and
     * redirections are ignored. */
    MS_LOOKUP_WINS = 1,
    /* Unicast query (RD, no B) to one host, which answers for its own
     * names; as for WINS, its first answer ends the lookup. */
    MS_LOOKUP_HOST = 2
} ms_lookup_mode;

typedef struct ms_lookup_opts {
    size_t size;            /* sizeof; ms_lookup_opts_init sets it */
    ms_lookup_mode mode;    /* default MS_LOOKUP_BROADCAST */
    uint32_t dst_ip;        /* the broadcast address, WINS server or host to
                             * ask, host order; required */
    uint32_t bind_ip;       /* local address to send from (0 = any) */
    uint16_t port;          /* destination UDP port; 0 = 137 (tests use others) */
    int timeout_ms;         /* total wait; 0 = 1500. Three sends inside it. */
} ms_lookup_opts;

/* Broadcast mode, no destination (set dst_ip), port 137, 1500 ms. */
MS_EXTERN void ms_lookup_opts_init(ms_lookup_opts *o);

/* Counters of one lookup or node status query; optional. */
typedef struct ms_lookup_stats {
    size_t size;            /* sizeof; MS_SIZED(ms_lookup_stats) */
    unsigned sends;         /* requests sent (1 to 3) */
    unsigned datagrams;     /* datagrams read */
    unsigned malformed;     /* not a decodable NBNS packet: dropped */
    unsigned unmatched;     /* another transaction ID, name, opcode or kind,
                             * or (unicast) another source: ignored */
    unsigned duplicates;    /* repeats of an answer already kept (each
                             * responder answers every retry) */
    unsigned overflow;      /* answers that found no room in the caller's array */
    unsigned elapsed_ms;    /* from the first send to the end */
} ms_lookup_stats;

/* One answer: a NAME QUERY RESPONSE (RFC 1002 §4.2.13, §4.2.14). */
typedef struct ms_lookup_answer {
    uint32_t from_ip;       /* the responder (UDP source), host order */
    uint16_t from_port;
    uint16_t flags;         /* the response's header flags: AA, RD, RA, B and
                             * RCODE; MS_NBNS_RCODE(flags) != 0 is a negative
                             * answer, with no addresses */
    uint32_t ttl;
    unsigned at_ms;         /* arrival, in ms since the first send */
    size_t naddrs;          /* entries in addrs[] */
    size_t naddrs_total;    /* entries the answer carried; more than
                             * MS_NBNS_MAX_ADDRS: only the first are kept */
    ms_nbns_addr addrs[MS_NBNS_MAX_ADDRS]; /* NB_FLAGS (MS_NBNS_NB_GROUP,
                             * MS_NBNS_ONT_*) and address of each entry */
} ms_lookup_answer;

/* Ask for name as o says and fill answers[] (in: *n, its capacity, at
 * least 1; out: how many were kept) in arrival order, positive and
 * negative alike. Only responses to this query's transaction ID and name
 * are taken; what does not decode is dropped; the same answer from the
 * same responder (to a retry) is kept once. MS_OK when at least one
 * answer is positive; MS_ERR_NOT_FOUND when none is (nobody answered, or
 * only negatively: answers[] then holds the negative ones) with a
 * one-line reason in err; MS_ERR_INVALID_ARG, MS_ERR_SYSTEM. stats may be
 * NULL. Blocks for up to timeout_ms: the whole of it in broadcast mode. */
MS_EXTERN ms_status ms_nbns_lookup(const ms_nb_name *name, const ms_lookup_opts *o,
                                   ms_lookup_answer *answers, size_t *n,
                                   ms_lookup_stats *stats, char *err, size_t errlen);

/* ---- Node status (NBSTAT, RFC 1002 §4.2.17, §4.2.18) --------------------- */

typedef struct ms_node_status_opts {
    size_t size;            /* sizeof; ms_node_status_opts_init sets it */
    uint32_t dst_ip;        /* the host to ask, host order; required */
    uint32_t bind_ip;       /* local address to send from (0 = any) */
    uint16_t port;          /* destination UDP port; 0 = 137 */
    int timeout_ms;         /* total wait; 0 = 1500. Three sends inside it. */
} ms_node_status_opts;

/* No destination (set dst_ip), port 137, 1500 ms. */
MS_EXTERN void ms_node_status_opts_init(ms_node_status_opts *o);

typedef struct ms_node_status_reply {
    uint32_t from_ip;       /* the responder: dst_ip */
    uint16_t flags;         /* the response's header flags */
    ms_nbns_node_status status; /* the names with their flags and the unit
                             * ID; status.stats is left empty: the octets
                             * are copied to stats[] */
    size_t stats_len;       /* statistics octets received (46 by the RFC) */
    uint8_t stats[MS_NBNS_STATS_LEN]; /* the first of them, up to 46 */
} ms_node_status_reply;

/* Send a node status request for "*" (padded with NULs, which every node
 * answers) to dst_ip and decode the response from that address with this
 * transaction ID; other datagrams are ignored. MS_OK and *out;
 * MS_ERR_NOT_FOUND when no response came in time or it had a non-zero
 * RCODE; MS_ERR_BAD_INPUT when its RDATA does not decode (err says
 * where); MS_ERR_INVALID_ARG, MS_ERR_SYSTEM. stats may be NULL. */
MS_EXTERN ms_status ms_nbns_node_status_query(const ms_node_status_opts *o,
                                              ms_node_status_reply *out,
                                              ms_lookup_stats *stats, char *err,
                                              size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
