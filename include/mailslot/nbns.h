/* SPDX-License-Identifier: MIT */
/* NetBIOS Name Service (RFC 1002 §4.2, UDP 137) — just what a mailslot
 * sender and receiver need: name query requests and responses (to resolve
 * \\HOST and \\DOMAIN targets), and the positive/negative answers and
 * registration defence of a B-node responder for our own names.
 * Codec: pure, no allocation, caller-owned buffers. Resolver and responder:
 * edge pieces (sockets, time) built on src/net. */
#ifndef MAILSLOT_NBNS_H
#define MAILSLOT_NBNS_H

#include "mailslot/netbios.h"
#include "mailslot/status.h"
#include "mailslot/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most NB address entries a decoded record keeps (WINS holds up to 25 for
 * a <1c> internet group). */
#define MS_NBNS_MAX_ADDRS 25
/* Most label pointers followed while expanding one name. Pointers must also
 * go strictly backwards (below the start of the labels that led to them),
 * so a loop is impossible anyway; this only bounds the work. */
#define MS_NBNS_MAX_HOPS 8
/* TTL (seconds) our responder puts in positive answers: what Windows sends
 * (300 000 s, about 3.5 days). */
#define MS_NBNS_DEFAULT_TTL 300000u
/* RFC 1002 §4.2.1: the largest NBNS packet a conforming node sends. */
#define MS_NBNS_MAX_PACKET 576

typedef struct ms_nbns_addr {
    uint16_t nb_flags;      /* G bit 0x8000, ONT 0x6000 */
    uint32_t ip;            /* host order */
} ms_nbns_addr;

#define MS_NBNS_NB_GROUP 0x8000u
#define MS_NBNS_NB_ONT_MASK 0x6000u

/* A name in an NBNS packet. `name` is the expanded name (pointers
 * followed). On the wire it was `name_inline` octets of name.wire written
 * in place and then, when name_ptr != 0, the 2-octet label pointer
 * name_ptr (0xC000 | offset). Builders set name_ptr = 0: the whole name is
 * written inline. */
typedef struct ms_nbns_question {
    ms_nb_name name;
    size_t name_inline;
    uint16_t name_ptr;
    uint16_t type;          /* 0x0020 NB, 0x0021 NBSTAT */
    uint16_t klass;         /* 0x0001 IN */
} ms_nbns_question;

typedef struct ms_nbns_rr {
    ms_nb_name name;        /* expanded; see ms_nbns_question */
    size_t name_inline;
    uint16_t name_ptr;
    uint16_t type;          /* NB, or NULL (0x000A) in a negative query response */
    uint16_t klass;
    uint32_t ttl;
    /* RDATA. For type NB, class IN and a length that is a multiple of 6 the
     * entries are in addrs[] (at most MS_NBNS_MAX_ADDRS) and rdata is empty;
     * otherwise (or with more than MS_NBNS_MAX_ADDRS entries, when addrs[]
     * holds the first ones) rdata borrows the exact octets. The encoder
     * writes rdata when it is non-empty, else the address entries. */
    size_t naddrs;
    ms_nbns_addr addrs[MS_NBNS_MAX_ADDRS];
    ms_bytes rdata;
} ms_nbns_rr;

/* One NBNS packet as far as we use it: header, at most one question and at
 * most one resource record (answer, authority or additional — the counts
 * say which), which covers every packet RFC 1002 §4.2 defines except a
 * node status response's multi-name RDATA (kept raw). The counts are as on
 * the wire and tell the encoder which sections to write: qdcount 0 or 1,
 * ancount + nscount + arcount 0 or 1. */
typedef struct ms_nbns_packet {
    uint16_t trn_id;
    uint16_t flags;         /* R, OPCODE, AA, TC, RD, RA, B, RCODE as on the wire */
    uint16_t qdcount, ancount, nscount, arcount;
    ms_nbns_question q;     /* when qdcount == 1 */
    ms_nbns_rr rr;          /* when ancount + nscount + arcount == 1 */
    ms_bytes trailing;      /* octets after the last section (borrowed) */
} ms_nbns_packet;

/* Flags field helpers (RFC 1002 §4.2.1.1). */
#define MS_NBNS_RESPONSE 0x8000u
#define MS_NBNS_OPCODE(f) (((f) >> 11) & 0x0Fu)
#define MS_NBNS_OPCODE_FLAGS(op) ((uint16_t)(((op) & 0x0Fu) << 11))
#define MS_NBNS_OP_QUERY 0x0u
#define MS_NBNS_OP_REGISTRATION 0x5u
#define MS_NBNS_OP_RELEASE 0x6u
#define MS_NBNS_OP_WACK 0x7u
#define MS_NBNS_OP_REFRESH 0x8u
#define MS_NBNS_OP_MULTIHOMED 0xFu
#define MS_NBNS_AA 0x0400u
#define MS_NBNS_TC 0x0200u
#define MS_NBNS_RD 0x0100u
#define MS_NBNS_RA 0x0080u
#define MS_NBNS_BROADCAST 0x0010u
#define MS_NBNS_RCODE(f) ((f) & 0x0Fu)
#define MS_NBNS_RCODE_FMT_ERR 0x1u
#define MS_NBNS_RCODE_SRV_ERR 0x2u
#define MS_NBNS_RCODE_NAM_ERR 0x3u   /* query: no such name */
#define MS_NBNS_RCODE_IMP_ERR 0x4u
#define MS_NBNS_RCODE_RFS_ERR 0x5u
#define MS_NBNS_RCODE_ACT_ERR 0x6u   /* registration: name in use */
#define MS_NBNS_RCODE_CFT_ERR 0x7u

/* RR / question types and class. */
#define MS_NBNS_TYPE_NULL 0x000Au
#define MS_NBNS_TYPE_NB 0x0020u
#define MS_NBNS_TYPE_NBSTAT 0x0021u
#define MS_NBNS_CLASS_IN 0x0001u

/* The subject of a packet: the question name if there is one, else the
 * record's name. */
static inline const ms_nb_name *ms_nbns_subject(const ms_nbns_packet *p)
{
    return p->qdcount ? &p->q.name : &p->rr.name;
}

/* Decode one UDP payload. Names may use label pointers (bounded hops,
 * strictly backwards, inside the packet; MS_ERR_COMPRESSION otherwise).
 * More than one question or record: MS_ERR_TOO_MANY. Borrowed ranges point
 * into buf. On failure *err_off (if not NULL) is the offset where decoding
 * stopped. decode → encode gives back the same octets. */
ms_status ms_nbns_decode(const uint8_t *buf, size_t len, ms_nbns_packet *out, size_t *err_off);
ms_status ms_nbns_encode(const ms_nbns_packet *p, uint8_t *buf, size_t cap, size_t *out_len);

/* Builders for the packets we send. They fill *p completely (names inline).
 * Query: flags RD (+B when broadcast), NB/IN question.
 * Positive response (§4.2.13): flags R|AA|RD, one NB answer with the
 * query's name, owner flags G (when group) and ONT = B node, address ip. */
void ms_nbns_query(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name, bool broadcast);
void ms_nbns_positive_response(ms_nbns_packet *p, const ms_nbns_packet *query,
                               uint32_t ip, bool group, uint32_t ttl);
/* Name registration request (§4.2.2): question + additional record whose
 * name is the pointer 0xC00C to the question name, as the RFC asks. */
void ms_nbns_registration(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name,
                          uint32_t ip, bool group, uint32_t ttl, bool broadcast);
/* Defence of a registered unique name: negative registration response
 * (§4.2.6, flags R|AA|RD|RA, RCODE ACT_ERR) to a registration request for it
 * from someone else. The record carries the claimed name, TTL 0, and the
 * current owner: unique B-node flags (0) and our_ip. */
void ms_nbns_defend(ms_nbns_packet *p, const ms_nbns_packet *registration, uint32_t our_ip);

/* Same NetBIOS name for NBNS purposes: the 15 name octets compared without
 * regard to ASCII case, the suffix and the scope labels (ASCII case-
 * insensitively) exactly. Invalid (non-first-level) names never match. */
bool ms_nbns_name_equal(const ms_nb_name *a, const ms_nb_name *b);

/* ---- Resolver (edge: sockets, time) ---------------------------------- */

typedef struct ms_resolve_opts {
    uint32_t bcast_ip;      /* broadcast address to query (B-node), host order */
    uint32_t wins_ip;       /* 0, or a WINS/NBNS server to ask by unicast */
    uint32_t bind_ip;       /* local address to send from (0 = any) */
    int timeout_ms;         /* total wait, e.g. 1500; retries inside it */
    const char *hosts_file; /* NULL, or an LMHOSTS-style map: "IP NAME[#xx]" */
    uint16_t port;          /* destination UDP port; 0 = 137 (tests use others) */
} ms_resolve_opts;

/* Resolve a NetBIOS name to IPv4 addresses: the static map first, then a
 * name query (unicast to wins_ip if set, else broadcast to bcast_ip), sent
 * up to three times inside timeout_ms. The first positive response for the
 * name wins. Fills up to *n addresses (in: capacity ≥ 1, out: count).
 * MS_ERR_NOT_FOUND when nobody answers in time or a negative response
 * comes; err gets a one-line reason. A hosts file that cannot be read is
 * an error (MS_ERR_SYSTEM), not a miss. */
ms_status ms_nbns_resolve(const ms_nb_name *name, const ms_resolve_opts *o,
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
ms_status ms_nbns_hosts_lookup(const char *path, const ms_nb_name *name,
                               uint32_t *ip, char *err, size_t errlen);

/* ---- B-node responder for our own names (edge) ------------------------ */

typedef struct ms_nbns_responder ms_nbns_responder;

/* Most names one responder answers for. */
#define MS_NBNS_RESPONDER_MAX_NAMES 16

/* Bind UDP 137 on bind_ip (0 = any; SO_REUSEADDR, SO_BROADCAST,
 * non-blocking) and answer name queries for the given names with our_ip;
 * defend them against registrations by others. The names given here are
 * unique names; add group names with ms_nbns_responder_add. Needs privilege
 * for port 137 (port 0 means 137; tests pass another port). On Linux a
 * socket bound to a unicast bind_ip does not see subnet broadcasts, and B
 * node queries are broadcasts: bind 0 unless only unicast queries matter. */
ms_nbns_responder *ms_nbns_responder_open(uint32_t bind_ip, uint16_t port,
                                          uint32_t our_ip, const ms_nb_name *names,
                                          size_t nnames, char *err, size_t errlen);
/* Add one more name (group names are answered but never defended).
 * MS_ERR_TOO_MANY past MS_NBNS_RESPONDER_MAX_NAMES. */
ms_status ms_nbns_responder_add(ms_nbns_responder *r, const ms_nb_name *name, bool group);
int ms_nbns_responder_fd(const ms_nbns_responder *r);
/* Read and answer what is waiting on the socket (non-blocking, at most 64
 * datagrams per call): positive responses to NB queries for our names,
 * sent to the query's source address and port; negative registration
 * responses (ACT_ERR) to registrations of our unique names that claim
 * another address. Everything else is ignored. Returns the number of
 * packets answered, -1 on a socket error. */
int ms_nbns_responder_handle(ms_nbns_responder *r);
void ms_nbns_responder_close(ms_nbns_responder *r);

#ifdef __cplusplus
}
#endif
#endif
