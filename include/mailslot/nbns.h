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

#ifdef __cplusplus
extern "C" {
#endif

/* One NBNS packet as far as we use it: header, one question or one
 * resource record (NB, class IN), its addresses. */
#define MS_NBNS_MAX_ADDRS 25

typedef struct ms_nbns_addr {
    uint16_t nb_flags;      /* G bit 0x8000, ONT 0x6000 */
    uint32_t ip;            /* host order */
} ms_nbns_addr;

typedef struct ms_nbns_packet {
    uint16_t trn_id;
    uint16_t flags;         /* R, OPCODE, AA, TC, RD, RA, B, RCODE as on the wire */
    uint16_t qdcount, ancount, nscount, arcount;
    ms_nb_name name;        /* question name, or the record's name */
    uint16_t type;          /* 0x0020 NB, 0x0021 NBSTAT */
    uint16_t klass;         /* 0x0001 IN */
    uint32_t ttl;           /* records only */
    size_t naddrs;
    ms_nbns_addr addrs[MS_NBNS_MAX_ADDRS];
} ms_nbns_packet;

/* Flags field helpers (RFC 1002 §4.2.1.1). */
#define MS_NBNS_RESPONSE 0x8000u
#define MS_NBNS_OPCODE(f) (((f) >> 11) & 0x0Fu)
#define MS_NBNS_OP_QUERY 0x0u
#define MS_NBNS_OP_REGISTRATION 0x5u
#define MS_NBNS_OP_RELEASE 0x6u
#define MS_NBNS_OP_REFRESH 0x8u
#define MS_NBNS_OP_MULTIHOMED 0xFu
#define MS_NBNS_AA 0x0400u
#define MS_NBNS_RD 0x0100u
#define MS_NBNS_RA 0x0080u
#define MS_NBNS_BROADCAST 0x0010u
#define MS_NBNS_RCODE(f) ((f) & 0x0Fu)
#define MS_NBNS_RCODE_ACT_ERR 0x6u   /* registration: name in use */

ms_status ms_nbns_decode(const uint8_t *buf, size_t len, ms_nbns_packet *out, size_t *err_off);
ms_status ms_nbns_encode(const ms_nbns_packet *p, uint8_t *buf, size_t cap, size_t *out_len);

/* Builders for the packets we send. */
void ms_nbns_query(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name, bool broadcast);
void ms_nbns_positive_response(ms_nbns_packet *p, const ms_nbns_packet *query,
                               uint32_t ip, bool group, uint32_t ttl);
/* Defence of a registered unique name: negative registration response
 * (RCODE ACT_ERR) to a registration request for it from someone else. */
void ms_nbns_defend(ms_nbns_packet *p, const ms_nbns_packet *registration, uint32_t our_ip);

/* ---- Resolver (edge: sockets, time) ---------------------------------- */

typedef struct ms_resolve_opts {
    uint32_t bcast_ip;      /* broadcast address to query (B-node), host order */
    uint32_t wins_ip;       /* 0, or a WINS/NBNS server to ask by unicast */
    uint32_t bind_ip;       /* local address to send from (0 = any) */
    int timeout_ms;         /* total wait, e.g. 1500; retries inside it */
    const char *hosts_file; /* NULL, or an LMHOSTS-style map: "IP NAME[#xx]" */
} ms_resolve_opts;

/* Resolve a NetBIOS name to IPv4 addresses: the static map first, then a
 * name query (unicast to wins_ip if set, else broadcast). Fills up to *n
 * addresses (in: capacity, out: count). MS_ERR_NOT_FOUND when nobody
 * answers in time (a negative response counts as not found); err gets a
 * one-line reason. */
ms_status ms_nbns_resolve(const ms_nb_name *name, const ms_resolve_opts *o,
                          uint32_t *ips, size_t *n, char *err, size_t errlen);

/* Look a name up in an LMHOSTS-style file only. */
ms_status ms_nbns_hosts_lookup(const char *path, const ms_nb_name *name,
                               uint32_t *ip, char *err, size_t errlen);

/* ---- B-node responder for our own names (edge) ------------------------ */

typedef struct ms_nbns_responder ms_nbns_responder;

/* Bind UDP 137 on bind_ip (0 = any; SO_REUSEADDR, SO_BROADCAST) and answer
 * name queries for the given names with our_ip; defend them against
 * registrations by others. Needs privilege for port 137 (or port != 0 for
 * tests: port 0 means 137). */
ms_nbns_responder *ms_nbns_responder_open(uint32_t bind_ip, uint16_t port,
                                          uint32_t our_ip, const ms_nb_name *names,
                                          size_t nnames, char *err, size_t errlen);
int ms_nbns_responder_fd(const ms_nbns_responder *r);
/* Read and answer what is waiting on the socket (non-blocking); returns
 * the number of queries answered, -1 on a socket error. */
int ms_nbns_responder_handle(ms_nbns_responder *r);
void ms_nbns_responder_close(ms_nbns_responder *r);

#ifdef __cplusplus
}
#endif
#endif
