/* SPDX-License-Identifier: MIT */
/* Builders for the NBNS packets a node sends (RFC 1002 §4.2): each fills a
 * whole ms_nbns_packet, names written inline but for the RR_NAME of the
 * request packets, which points at the question name as the RFC asks. */
#include "mailslot/nbns.h"

#include <string.h>

/* The question name starts right after the 12-octet header. */
#define QUESTION_NAME_PTR (0xC000u | 12u)

static void question(ms_nbns_packet *p, const ms_nb_name *name, uint16_t type)
{
    p->qdcount = 1;
    p->q.name = *name;
    p->q.name_inline = name->wire_len;
    p->q.type = type;
    p->q.klass = MS_NBNS_CLASS_IN;
}

/* One NB record for name: inline, or as a pointer to the question. */
static void nb_record(ms_nbns_packet *p, const ms_nb_name *name, bool point_at_question,
                      uint32_t ttl, uint16_t nb_flags, uint32_t ip)
{
    p->rr.name = *name;
    p->rr.name_inline = point_at_question ? 0 : name->wire_len;
    p->rr.name_ptr = point_at_question ? QUESTION_NAME_PTR : 0;
    p->rr.type = MS_NBNS_TYPE_NB;
    p->rr.klass = MS_NBNS_CLASS_IN;
    p->rr.ttl = ttl;
    p->rr.naddrs = 1;
    p->rr.addrs[0].nb_flags = nb_flags;
    p->rr.addrs[0].ip = ip;
}

void ms_nbns_query(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name, bool broadcast)
{
    memset(p, 0, sizeof *p);
    p->trn_id = trn_id;
    /* §4.2.12: RD set; B when broadcast. */
    p->flags = (uint16_t)(MS_NBNS_RD | (broadcast ? MS_NBNS_BROADCAST : 0));
    question(p, name, MS_NBNS_TYPE_NB);
}

void ms_nbns_positive_response(ms_nbns_packet *p, const ms_nbns_packet *query, uint32_t ip,
                               uint16_t nb_flags, uint32_t ttl)
{
    memset(p, 0, sizeof *p);
    p->trn_id = query->trn_id;
    /* §4.2.13: R, OPCODE 0, AA, RD; RA is for NBNS servers, not B nodes. */
    p->flags = (uint16_t)(MS_NBNS_RESPONSE | MS_NBNS_AA | MS_NBNS_RD);
    p->ancount = 1;
    nb_record(p, ms_nbns_subject(query), false, ttl, nb_flags, ip);
}

/* The request packets of §4.2.2–4.2.4 and §4.2.9 share one layout:
 * question + additional record pointing at it; they differ in opcode and
 * flags. */
static void request(ms_nbns_packet *p, uint16_t trn_id, uint16_t flags, const ms_nb_name *name,
                    uint32_t ip, uint16_t nb_flags, uint32_t ttl)
{
    memset(p, 0, sizeof *p);
    p->trn_id = trn_id;
    p->flags = flags;
    question(p, name, MS_NBNS_TYPE_NB);
    p->arcount = 1;
    nb_record(p, name, true, ttl, nb_flags, ip);
}

void ms_nbns_registration(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name, uint32_t ip,
                          uint16_t nb_flags, uint32_t ttl, bool broadcast)
{
    /* §4.2.2: OPCODE 5, RD, B when broadcast. */
    request(p, trn_id,
            (uint16_t)(MS_NBNS_OPCODE_FLAGS(MS_NBNS_OP_REGISTRATION) | MS_NBNS_RD |
                       (broadcast ? MS_NBNS_BROADCAST : 0)),
            name, ip, nb_flags, ttl);
}

void ms_nbns_overwrite(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name, uint32_t ip,
                       uint16_t nb_flags)
{
    /* §4.2.3: a broadcast registration without RD, which nobody answers:
     * it tells every node the name is now ours. TTL 0 as for any B node. */
    request(p, trn_id,
            (uint16_t)(MS_NBNS_OPCODE_FLAGS(MS_NBNS_OP_REGISTRATION) | MS_NBNS_BROADCAST), name,
            ip, nb_flags, 0);
}

void ms_nbns_refresh(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name, uint32_t ip,
                     uint16_t nb_flags, uint32_t ttl)
{
    /* §4.2.4, unicast to the NBNS. The RFC's diagram says OPCODE 9, its
     * opcode table 8; Windows and Samba send 8 and accept both. */
    request(p, trn_id, MS_NBNS_OPCODE_FLAGS(MS_NBNS_OP_REFRESH), name, ip, nb_flags, ttl);
}

void ms_nbns_release(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name, uint32_t ip,
                     uint16_t nb_flags, bool broadcast)
{
    /* §4.2.9: OPCODE 6, B when broadcast, TTL 0. */
    request(p, trn_id,
            (uint16_t)(MS_NBNS_OPCODE_FLAGS(MS_NBNS_OP_RELEASE) |
                       (broadcast ? MS_NBNS_BROADCAST : 0)),
            name, ip, nb_flags, 0);
}

void ms_nbns_defend(ms_nbns_packet *p, const ms_nbns_packet *registration, uint32_t our_ip,
                    uint16_t nb_flags)
{
    memset(p, 0, sizeof *p);
    p->trn_id = registration->trn_id;
    /* §4.2.6: R, OPCODE 5, AA, RD, RA, RCODE ACT_ERR; the record names the
     * current owner. */
    p->flags = (uint16_t)(MS_NBNS_RESPONSE | MS_NBNS_OPCODE_FLAGS(MS_NBNS_OP_REGISTRATION) |
                          MS_NBNS_AA | MS_NBNS_RD | MS_NBNS_RA | MS_NBNS_RCODE_ACT_ERR);
    p->ancount = 1;
    nb_record(p, ms_nbns_subject(registration), false, 0, nb_flags, our_ip);
}

void ms_nbns_conflict_demand(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name)
{
    memset(p, 0, sizeof *p);
    p->trn_id = trn_id;
    /* §4.2.8: a negative registration response with RCODE CFT_ERR, TTL 0,
     * a unique B-node entry with address 0. */
    p->flags = (uint16_t)(MS_NBNS_RESPONSE | MS_NBNS_OPCODE_FLAGS(MS_NBNS_OP_REGISTRATION) |
                          MS_NBNS_AA | MS_NBNS_RD | MS_NBNS_RA | MS_NBNS_RCODE_CFT_ERR);
    p->ancount = 1;
    nb_record(p, name, false, 0, 0, 0);
}

void ms_nbns_status_query(ms_nbns_packet *p, uint16_t trn_id, const ms_nb_name *name)
{
    memset(p, 0, sizeof *p);
    p->trn_id = trn_id;
    /* §4.2.17: OPCODE 0, no flags, NBSTAT question. */
    question(p, name, MS_NBNS_TYPE_NBSTAT);
}

void ms_nbns_status_response(ms_nbns_packet *p, const ms_nbns_packet *query,
                             const uint8_t *rdata, size_t rdata_len)
{
    memset(p, 0, sizeof *p);
    p->trn_id = query->trn_id;
    /* §4.2.18: R, OPCODE 0, AA; one NBSTAT record, TTL 0. */
    p->flags = (uint16_t)(MS_NBNS_RESPONSE | MS_NBNS_AA);
    p->ancount = 1;
    p->rr.name = *ms_nbns_subject(query);
    p->rr.name_inline = p->rr.name.wire_len;
    p->rr.type = MS_NBNS_TYPE_NBSTAT;
    p->rr.klass = MS_NBNS_CLASS_IN;
    p->rr.rdata.p = rdata;
    p->rr.rdata.len = rdata_len;
}
