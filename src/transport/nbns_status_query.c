/* SPDX-License-Identifier: MIT */
/* Asking a host for its name table: NODE STATUS REQUEST for "*" (RFC 1002
 * §4.2.17) and the decoded NODE STATUS RESPONSE (§4.2.18). */
#include "mailslot/nbns.h"
#include "mailslot/nbns_resolve.h"

#include <stdio.h>
#include <string.h>

#include "errf.h"
#include "mailslot/net.h"
#include "nbns_xchg.h"
#include "sized.h"

typedef struct status_ctx {
    ms_node_status_reply *out;
    bool got, refused, bad;
    size_t bad_off;         /* where the RDATA stopped decoding */
} status_ctx;

static xchg_verdict on_status(void *vc, const ms_nbns_packet *p, uint32_t src, uint16_t sport,
                              unsigned at_ms)
{
    (void)sport;
    (void)at_ms;
    status_ctx *c = vc;
    /* The record's name is the question's by the RFC, but some senders put
     * their own there; the transaction ID and the source identify it. */
    if (p->ancount != 1 || p->rr.type != MS_NBNS_TYPE_NBSTAT)
        return XCHG_SKIP;
    ms_node_status_reply *o = c->out;
    memset(o, 0, sizeof *o);
    o->from_ip = src;
    o->flags = p->flags;
    if (MS_NBNS_RCODE(p->flags) != 0) {
        c->refused = true;
        return XCHG_DONE;
    }
    if (ms_nbns_node_status_decode(p->rr.rdata.p, p->rr.rdata.len, &o->status, &c->bad_off) !=
        MS_OK) {
        c->bad = true;
        return XCHG_DONE;
    }
    /* The statistics point into the receive buffer, which is gone when we
     * return: keep a copy of their first octets. */
    o->stats_len = o->status.stats.len;
    size_t keep = o->stats_len < sizeof o->stats ? o->stats_len : sizeof o->stats;
    if (keep)
        memcpy(o->stats, o->status.stats.p, keep);
    o->status.stats.p = NULL;
    o->status.stats.len = 0;
    c->got = true;
    return XCHG_DONE;
}

void ms_node_status_opts_init(ms_node_status_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
}

ms_status ms_nbns_node_status_query(const ms_node_status_opts *oin, ms_node_status_reply *out,
                                    ms_lookup_stats *stats, char *err, size_t errlen)
{
    ms_node_status_opts o;
    ms_node_status_opts_init(&o);
    bool have_o = oin && oin->size >= sizeof oin->size;
    if (have_o)
        ms_sized_read(&o, sizeof o, oin);
    char text[48], ip[16];
    ms_ip_format(o.dst_ip, ip, sizeof ip);
    snprintf(text, sizeof text, "node status of %s", ip);
    if (!have_o || !out) {
        ms_errf(err, errlen, "node status: invalid argument");
        return MS_ERR_INVALID_ARG;
    }
    uint8_t star[16] = { '*' }; /* "*" and 15 NULs */
    ms_nb_name name;
    ms_nb_name_make(&name, star, NULL);
    status_ctx c = { .out = out };
    nbns_xchg x = { .what = text, .dst_ip = o.dst_ip, .port = o.port, .bind_ip = o.bind_ip,
                    .timeout_ms = o.timeout_ms, .on_response = on_status, .ctx = &c };
    ms_nbns_packet q;
    ms_nbns_status_query(&q, 0, &name);
    ms_status st = nbns_xchg_run(&x, &q, err, errlen);
    if (stats && stats->size >= sizeof stats->size)
        ms_sized_write(stats, &x.st, sizeof x.st);
    if (st == MS_ERR_TIMEOUT) {
        char why[160];
        nbns_xchg_silence(&x, why, sizeof why);
        ms_errf(err, errlen, "%s: %s", text, why);
        return MS_ERR_NOT_FOUND;
    }
    if (st != MS_OK)
        return st;
    if (c.refused) {
        unsigned rc = MS_NBNS_RCODE(out->flags);
        ms_errf(err, errlen, "%s: negative response (rcode %u %s)", text, rc,
                ms_nbns_rcode_name(rc));
        return MS_ERR_NOT_FOUND;
    }
    if (c.bad) {
        ms_errf(err, errlen, "%s: the name table in the response is cut short (offset %zu of "
                "its RDATA)", text, c.bad_off);
        return MS_ERR_BAD_INPUT;
    }
    return MS_OK;
}
