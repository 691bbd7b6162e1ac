/* SPDX-License-Identifier: MIT */
/* NetBIOS Name Service codec (RFC 1002 §4.2): header, one question, one
 * resource record with NB address entries. Pure: no allocation, no I/O.
 *
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |         NAME_TRN_ID           |R| OPCODE|  NM_FLAGS   | RCODE |
 *  |           QDCOUNT             |           ANCOUNT             |
 *  |           NSCOUNT             |           ARCOUNT             |
 *  +---------------+---------------+---------------+---------------+
 *  question: QUESTION_NAME, QUESTION_TYPE(16), QUESTION_CLASS(16)
 *  record:   RR_NAME, RR_TYPE(16), RR_CLASS(16), TTL(32), RDLENGTH(16),
 *            RDATA (NB: RDLENGTH/6 × { NB_FLAGS(16), NB_ADDRESS(32) })
 */
#include "mailslot/nbns.h"

#include <string.h>

#include "cursor.h"

#define HEADER_LEN 12

static void set_err(size_t *err_off, size_t at)
{
    if (err_off)
        *err_off = at;
}

/* Read one name at c's position; pkt/len is the whole packet so pointers
 * can be followed. A pointer must point below the start of the labels that
 * led to it (so every hop goes strictly backwards and no loop is possible),
 * at most MS_NBNS_MAX_HOPS times; the expanded name obeys the same rules as
 * a datagram name (ms_nb_name_decode), including the 255-octet limit.
 * c is advanced past the in-place octets (and the pointer, if any). */
static ms_status read_name(const uint8_t *pkt, size_t len, ms_rcur *c, ms_nb_name *name,
                           size_t *name_inline, uint16_t *name_ptr, size_t *err_off)
{
    uint8_t exp[MS_NB_WIRE_MAX];
    size_t elen = 0;
    ms_rcur r = *c;
    size_t run_start = r.pos;
    bool jumped = false;
    unsigned hops = 0;

    *name_inline = 0;
    *name_ptr = 0;
    for (;;) {
        size_t at = r.pos;
        int l = ms_rcur_peek(&r, 0);
        if (l < 0) {
            set_err(err_off, at);
            return MS_ERR_TRUNCATED;
        }
        if ((l & 0xC0) == 0xC0) {
            uint16_t v = ms_rcur_be16(&r);
            if (r.err) {
                set_err(err_off, at);
                return MS_ERR_TRUNCATED;
            }
            size_t target = v & 0x3FFFu;
            if (!jumped) {
                *name_inline = elen;
                *name_ptr = v;
                c->pos = r.pos;
            }
            if (target >= run_start || ++hops > MS_NBNS_MAX_HOPS) {
                set_err(err_off, at);
                return MS_ERR_COMPRESSION;
            }
            /* Re-enter the packet at target through a fresh cursor, so the
             * jump is bounds-checked like any other read. */
            r = ms_rcur_make(pkt, len);
            if (!ms_rcur_take(&r, target)) {
                set_err(err_off, at);
                return MS_ERR_COMPRESSION;
            }
            run_start = target;
            jumped = true;
            continue;
        }
        if (l & 0xC0) {
            set_err(err_off, at);
            return MS_ERR_NAME_LABEL;
        }
        if (elen == 0 && l == 0) {
            set_err(err_off, at);
            return MS_ERR_NAME_FIRST_LABEL;
        }
        if (elen + 1 + (size_t)l > MS_NB_WIRE_MAX) {
            set_err(err_off, at);
            return MS_ERR_NAME_TOO_LONG;
        }
        const uint8_t *p = ms_rcur_take(&r, 1 + (size_t)l);
        if (!p) {
            set_err(err_off, at);
            return MS_ERR_TRUNCATED;
        }
        memcpy(exp + elen, p, 1 + (size_t)l);
        elen += 1 + (size_t)l;
        if (l == 0)
            break;
    }
    if (!jumped) {
        *name_inline = elen;
        c->pos = r.pos;
    }
    /* The expansion is a plain second-level name now: let the datagram-name
     * decoder fill the decoded view with exactly its rules. */
    size_t used;
    ms_status st = ms_nb_name_decode(exp, elen, name, &used);
    if (st != MS_OK || used != elen) {
        set_err(err_off, c->pos);
        return st != MS_OK ? st : MS_ERR_LAYOUT;
    }
    return MS_OK;
}

ms_status ms_nbns_decode(const uint8_t *buf, size_t len, ms_nbns_packet *out, size_t *err_off)
{
    memset(out, 0, sizeof *out);
    set_err(err_off, 0);
    ms_rcur c = ms_rcur_make(buf, len);

    out->trn_id = ms_rcur_be16(&c);
    out->flags = ms_rcur_be16(&c);
    out->qdcount = ms_rcur_be16(&c);
    out->ancount = ms_rcur_be16(&c);
    out->nscount = ms_rcur_be16(&c);
    out->arcount = ms_rcur_be16(&c);
    if (c.err) {
        set_err(err_off, len);
        return MS_ERR_TRUNCATED;
    }
    uint32_t nrr = (uint32_t)out->ancount + out->nscount + out->arcount;
    if (out->qdcount > 1) {
        set_err(err_off, 4);
        return MS_ERR_TOO_MANY;
    }
    if (nrr > 1) {
        set_err(err_off, 6); /* ANCOUNT..ARCOUNT */
        return MS_ERR_TOO_MANY;
    }

    if (out->qdcount) {
        ms_nbns_question *q = &out->q;
        ms_status st = read_name(buf, len, &c, &q->name, &q->name_inline, &q->name_ptr, err_off);
        if (st != MS_OK)
            return st;
        size_t at = c.pos;
        q->type = ms_rcur_be16(&c);
        q->klass = ms_rcur_be16(&c);
        if (c.err) {
            set_err(err_off, at);
            return MS_ERR_TRUNCATED;
        }
    }

    if (nrr) {
        ms_nbns_rr *rr = &out->rr;
        ms_status st = read_name(buf, len, &c, &rr->name, &rr->name_inline, &rr->name_ptr, err_off);
        if (st != MS_OK)
            return st;
        size_t at = c.pos;
        rr->type = ms_rcur_be16(&c);
        rr->klass = ms_rcur_be16(&c);
        rr->ttl = ms_rcur_be32(&c);
        uint16_t rdlength = ms_rcur_be16(&c);
        if (c.err) {
            set_err(err_off, at);
            return MS_ERR_TRUNCATED;
        }
        at = c.pos;
        ms_rcur rd = ms_rcur_sub(&c, rdlength);
        if (rd.err) {
            set_err(err_off, at);
            return MS_ERR_TRUNCATED;
        }
        bool entries = rr->type == MS_NBNS_TYPE_NB && rr->klass == MS_NBNS_CLASS_IN &&
                       rdlength % 6 == 0;
        if (entries) {
            size_t total = rdlength / 6;
            size_t keep = total < MS_NBNS_MAX_ADDRS ? total : MS_NBNS_MAX_ADDRS;
            ms_rcur e = rd;
            for (size_t i = 0; i < keep; i++) {
                rr->addrs[i].nb_flags = ms_rcur_be16(&e);
                rr->addrs[i].ip = ms_rcur_be32(&e);
            }
            rr->naddrs = keep;
            if (total > keep)
                entries = false; /* addrs[] is only a prefix: keep the octets too */
        }
        if (!entries) {
            rr->rdata.p = rd.buf;
            rr->rdata.len = rd.len;
        }
    }

    size_t rest = ms_rcur_left(&c);
    out->trailing.p = rest ? ms_rcur_take(&c, rest) : NULL;
    out->trailing.len = rest;
    set_err(err_off, len);
    return MS_OK;
}

static ms_status write_name(ms_wcur *w, const ms_nb_name *n, size_t name_inline, uint16_t ptr)
{
    if (n->wire_len == 0 || n->wire_len > MS_NB_WIRE_MAX)
        return MS_ERR_INVALID_ARG;
    if (ptr == 0) {
        ms_wcur_bytes(w, n->wire, n->wire_len);
        return MS_OK;
    }
    /* In-place labels then a pointer: the pointer replaces the rest. */
    if ((ptr & 0xC000u) != 0xC000u || name_inline >= n->wire_len)
        return MS_ERR_INVALID_ARG;
    ms_wcur_bytes(w, n->wire, name_inline);
    ms_wcur_be16(w, ptr);
    return MS_OK;
}

ms_status ms_nbns_encode(const ms_nbns_packet *p, uint8_t *buf, size_t cap, size_t *out_len)
{
    *out_len = 0;
    uint32_t nrr = (uint32_t)p->ancount + p->nscount + p->arcount;
    if (p->qdcount > 1 || nrr > 1)
        return MS_ERR_INVALID_ARG;
    ms_wcur w = ms_wcur_make(buf, cap);
    ms_wcur_be16(&w, p->trn_id);
    ms_wcur_be16(&w, p->flags);
    ms_wcur_be16(&w, p->qdcount);
    ms_wcur_be16(&w, p->ancount);
    ms_wcur_be16(&w, p->nscount);
    ms_wcur_be16(&w, p->arcount);

    if (p->qdcount) {
        ms_status st = write_name(&w, &p->q.name, p->q.name_inline, p->q.name_ptr);
        if (st != MS_OK)
            return st;
        ms_wcur_be16(&w, p->q.type);
        ms_wcur_be16(&w, p->q.klass);
    }
    if (nrr) {
        const ms_nbns_rr *rr = &p->rr;
        ms_status st = write_name(&w, &rr->name, rr->name_inline, rr->name_ptr);
        if (st != MS_OK)
            return st;
        ms_wcur_be16(&w, rr->type);
        ms_wcur_be16(&w, rr->klass);
        ms_wcur_be32(&w, rr->ttl);
        if (rr->rdata.len) {
            if (rr->rdata.len > 0xFFFFu || !rr->rdata.p)
                return MS_ERR_INVALID_ARG;
            ms_wcur_be16(&w, (uint16_t)rr->rdata.len);
            ms_wcur_bytes(&w, rr->rdata.p, rr->rdata.len);
        } else {
            if (rr->naddrs > MS_NBNS_MAX_ADDRS)
                return MS_ERR_INVALID_ARG;
            ms_wcur_be16(&w, (uint16_t)(rr->naddrs * 6));
            for (size_t i = 0; i < rr->naddrs; i++) {
                ms_wcur_be16(&w, rr->addrs[i].nb_flags);
                ms_wcur_be32(&w, rr->addrs[i].ip);
            }
        }
    }
    if (p->trailing.len) {
        if (!p->trailing.p)
            return MS_ERR_INVALID_ARG;
        ms_wcur_bytes(&w, p->trailing.p, p->trailing.len);
    }
    if (w.err)
        return w.err;
    *out_len = w.pos;
    return MS_OK;
}

static uint8_t ascii_upper(uint8_t ch)
{
    return (ch >= 'a' && ch <= 'z') ? (uint8_t)(ch - 'a' + 'A') : ch;
}

bool ms_nbns_name_equal(const ms_nb_name *a, const ms_nb_name *b)
{
    if (!a->valid || !b->valid || a->name[15] != b->name[15])
        return false;
    for (size_t i = 0; i < 15; i++)
        if (ascii_upper(a->name[i]) != ascii_upper(b->name[i]))
            return false;
    /* Scopes: the octets after the first label, final zero included. */
    if (a->scope_off > a->wire_len || b->scope_off > b->wire_len)
        return false;
    size_t sa = a->wire_len - a->scope_off, sb = b->wire_len - b->scope_off;
    if (sa != sb)
        return false;
    for (size_t i = 0; i < sa; i++)
        if (ascii_upper(a->wire[a->scope_off + i]) != ascii_upper(b->wire[b->scope_off + i]))
            return false;
    return true;
}
