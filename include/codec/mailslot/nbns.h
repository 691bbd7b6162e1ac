/* SPDX-License-Identifier: MIT */
/* NetBIOS Name Service packets (RFC 1002 §4.2, UDP 137): the codec for
 * name queries, registrations, releases and their responses, and builders
 * for the packets a mailslot sender and receiver send. Pure: no
 * allocation, caller-owned buffers. The resolver that uses it is in the
 * transport layer (nbns_resolve.h), the name service in the runtime
 * (name_service.h). */
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
/* TTL (seconds) the name service asks for and answers with: what Windows sends
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
 * node status response's multi-name RDATA (kept raw; ms_nbns_node_status_decode
 * reads it). The counts are as on the wire and tell the encoder which
 * sections to write: qdcount 0 or 1, ancount + nscount + arcount 0 or 1. */
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
MS_EXTERN ms_status ms_nbns_decode(const uint8_t *buf, size_t len, ms_nbns_packet *out, size_t *err_off);
MS_EXTERN ms_status ms_nbns_encode(const ms_nbns_packet *p, uint8_t *buf, size_t cap, size_t *out_len);

/* NB_FLAGS owner node type (ONT, RFC 1002 §4.2.1.3). RFC 1002 reserves
 * 0x6000; Microsoft uses it for the H node (WINS first, then broadcast). */
#define MS_NBNS_ONT_B 0x0000u
#define MS_NBNS_ONT_P 0x2000u
#define MS_NBNS_ONT_M 0x4000u
#define MS_NBNS_ONT_H 0x6000u

/* Builders for the packets a node sends. They fill *p completely; names
 * are inline but for the RR_NAME of a request, which is the pointer 0xC00C
 * to the question name as §4.2.2 asks. nb_flags is the whole NB_FLAGS
 * field of the address entry: MS_NBNS_NB_GROUP for a group name, or'ed
 * with the owner node type (MS_NBNS_ONT_*).
 *
 * Query (§4.2.12): flags RD (+B when broadcast), NB/IN question. */
MS_EXTERN void ms_nbns_query(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name,
                             bool broadcast);
/* Positive query response (§4.2.13): flags R|AA|RD, one NB answer with the
 * query's name and the address ip. */
MS_EXTERN void ms_nbns_positive_response(ms_nbns_packet *p, const ms_nbns_packet *query,
                                         uint32_t ip, uint16_t nb_flags, uint32_t ttl);
/* Name registration request (§4.2.2): OPCODE 5, RD (+B when broadcast). */
MS_EXTERN void ms_nbns_registration(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name,
                                    uint32_t ip, uint16_t nb_flags, uint32_t ttl, bool broadcast);
/* Name overwrite request & demand (§4.2.3): the broadcast registration
 * without RD that ends a B node's claim; TTL 0. */
MS_EXTERN void ms_nbns_overwrite(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name,
                                 uint32_t ip, uint16_t nb_flags);
/* Name refresh request (§4.2.4), unicast to the NBNS: OPCODE 8. */
MS_EXTERN void ms_nbns_refresh(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name,
                               uint32_t ip, uint16_t nb_flags, uint32_t ttl);
/* Name release request & demand (§4.2.9): OPCODE 6 (+B when broadcast),
 * TTL 0. */
MS_EXTERN void ms_nbns_release(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name,
                               uint32_t ip, uint16_t nb_flags, bool broadcast);
/* Defence of a unique name: negative registration response (§4.2.6,
 * flags R|AA|RD|RA, RCODE ACT_ERR) to someone else's registration of it.
 * The record carries the claimed name, TTL 0 and the current owner:
 * nb_flags and our_ip. */
MS_EXTERN void ms_nbns_defend(ms_nbns_packet *p, const ms_nbns_packet *registration,
                              uint32_t our_ip, uint16_t nb_flags);
/* Name conflict demand (§4.2.8): a negative registration response with
 * RCODE CFT_ERR, TTL 0, address 0. */
MS_EXTERN void ms_nbns_conflict_demand(ms_nbns_packet *p, uint16_t trn_id,
                                       const ms_nb_name *name);
/* Node status request (§4.2.17): OPCODE 0, no flags, an NBSTAT question
 * for name (usually "*" padded with NULs, which any node answers). */
MS_EXTERN void ms_nbns_status_query(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name);
/* Node status response (§4.2.18): flags R|AA, one NBSTAT record with the
 * question's name, TTL 0 and rdata (borrowed; see
 * ms_nbns_node_status_encode). */
MS_EXTERN void ms_nbns_status_response(ms_nbns_packet *p, const ms_nbns_packet *query,
                                       const uint8_t *rdata, size_t rdata_len);

/* NAME_FLAGS of a node status entry (§4.2.18): G and ONT as in NB_FLAGS,
 * then DRG (being released), CNF (in conflict), ACT (active), PRM (the
 * permanent node name). */
#define MS_NBNS_NAME_DRG 0x1000u
#define MS_NBNS_NAME_CNF 0x0800u
#define MS_NBNS_NAME_ACT 0x0400u
#define MS_NBNS_NAME_PRM 0x0200u
/* NUM_NAMES is one octet. */
#define MS_NBNS_STATUS_MAX_NAMES 255
/* The statistics block: UNIT_ID (6 octets) and 40 octets of counters. */
#define MS_NBNS_STATS_LEN 46

typedef struct ms_nbns_status_name {
    uint8_t name[16];       /* 15 octets as on the wire (not encoded) + suffix */
    uint16_t flags;         /* MS_NBNS_NB_GROUP, MS_NBNS_ONT_*, MS_NBNS_NAME_* */
} ms_nbns_status_name;

/* The RDATA of a node status response. */
typedef struct ms_nbns_node_status {
    size_t nnames;
    ms_nbns_status_name names[MS_NBNS_STATUS_MAX_NAMES];
    bool has_unit_id;       /* decode: the statistics held at least 6 octets */
    uint8_t unit_id[6];     /* UNIT_ID: the sender's MAC address, by custom */
    ms_bytes stats;         /* decode: the statistics octets as received
                             * (borrowed); encode: ignored */
} ms_nbns_node_status;

/* Decode the RDATA of a node status response (ms_nbns_packet.rr.rdata of
 * an NBSTAT record). The statistics are whatever follows the names: the
 * RFC says 46 octets, senders vary, so any length is kept as it came.
 * MS_ERR_TRUNCATED when the names run past the end (*err_off where). */
MS_EXTERN ms_status ms_nbns_node_status_decode(const uint8_t *rdata, size_t len,
                                               ms_nbns_node_status *out, size_t *err_off);
/* Encode the RDATA: the names and a 46-octet statistics block holding
 * unit_id and zeros. 1 + 18 × nnames + 46 octets. */
MS_EXTERN ms_status ms_nbns_node_status_encode(const ms_nbns_node_status *st, uint8_t *buf,
                                               size_t cap, size_t *out_len);

/* The RCODE's name: "FMT_ERR", "SRV_ERR", "NAM_ERR", "IMP_ERR", "RFS_ERR",
 * "ACT_ERR", "CFT_ERR"; "OK" for 0, "unknown" for the rest. */
MS_EXTERN const char *ms_nbns_rcode_name(unsigned rcode);

/* Same NetBIOS name for NBNS purposes: the 15 name octets compared without
 * regard to ASCII case, the suffix and the scope labels (ASCII case-
 * insensitively) exactly. Invalid (non-first-level) names never match. */
MS_EXTERN bool ms_nbns_name_equal(const ms_nb_name *a, const ms_nb_name *b);

#ifdef __cplusplus
}
#endif
#endif
