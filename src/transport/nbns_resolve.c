/* SPDX-License-Identifier: MIT */
/* NetBIOS name resolution for the sender: an LMHOSTS-style static map
 * (nbns_hosts.c), then a NAME QUERY REQUEST (RFC 1002 §4.2.12) by
 * broadcast (B node, §5.1.1.2) or unicast to a WINS server; the first
 * answer decides. */
#include "mailslot/nbns.h"
#include "mailslot/nbns_resolve.h"

#include <string.h>

#include "errf.h"
#include "mailslot/net.h"
#include "nbns_xchg.h"
#include "sized.h"

typedef struct resolve_ctx {
    const ms_nb_name *name;
    uint32_t *ips;
    size_t cap, n;
    bool refused;           /* a negative answer came */
    uint32_t refused_by;
    unsigned rcode;
} resolve_ctx;

static xchg_verdict on_answer(void *vc, const ms_nbns_packet *p, uint32_t src, uint16_t sport,
                              unsigned at_ms)
{
    (void)sport;
    (void)at_ms;
    resolve_ctx *c = vc;
    switch (nbns_answer_kind(p, c->name)) {
    case NBNS_ANSWER_POSITIVE:
        for (size_t i = 0; i < p->rr.naddrs && c->n < c->cap; i++)
            c->ips[c->n++] = p->rr.addrs[i].ip;
        return XCHG_DONE;
    case NBNS_ANSWER_NEGATIVE:
        c->refused = true;
        c->refused_by = src;
        c->rcode = MS_NBNS_RCODE(p->flags);
        return XCHG_DONE;
    default:
        return XCHG_SKIP;
    }
}

/* The query and its outcome. */
static ms_status ask(resolve_ctx *c, const ms_resolve_opts *o, const char *text, char *err,
                     size_t errlen)
{
    bool bcast = o->wins_ip == 0;
    nbns_xchg x = { .what = text, .dst_ip = bcast ? o->bcast_ip : o->wins_ip, .port = o->port,
                    .bind_ip = o->bind_ip, .broadcast = bcast, .timeout_ms = o->timeout_ms,
                    .on_response = on_answer, .ctx = c };
    ms_nbns_packet q;
    ms_nbns_query(&q, 0, c->name, bcast);
    ms_status st = nbns_xchg_run(&x, &q, err, errlen);
    if (st == MS_OK && c->refused) {
        char from[16];
        ms_ip_format(c->refused_by, from, sizeof from);
        ms_errf(err, errlen, "%s: negative name query response from %s (rcode %u %s)", text, from,
                c->rcode, ms_nbns_rcode_name(c->rcode));
        return MS_ERR_NOT_FOUND;
    }
    if (st == MS_ERR_TIMEOUT) {
        char why[160];
        nbns_xchg_silence(&x, why, sizeof why);
        ms_errf(err, errlen, "%s: %s", text, why);
        return MS_ERR_NOT_FOUND;
    }
    return st;
}

void ms_resolve_opts_init(ms_resolve_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
}

ms_status ms_nbns_resolve(const ms_nb_name *name, const ms_resolve_opts *oin,
                          uint32_t *ips, size_t *n, char *err, size_t errlen)
{
    ms_resolve_opts o;
    ms_resolve_opts_init(&o);
    bool have_o = oin && oin->size >= sizeof oin->size;
    if (have_o)
        ms_sized_read(&o, sizeof o, oin);
    char text[128];
    ms_nb_name_format(name, text, sizeof text);
    if (!ips || !n || *n == 0 || !have_o || !name->valid) {
        ms_errf(err, errlen, "resolve %s: invalid argument", text);
        if (n)
            *n = 0;
        return MS_ERR_INVALID_ARG;
    }
    size_t cap = *n;
    *n = 0;
    if (o.hosts_file) {
        ms_status st = ms_nbns_hosts_lookup(o.hosts_file, name, &ips[0], err, errlen);
        if (st == MS_OK)
            *n = 1;
        if (st != MS_ERR_NOT_FOUND)
            return st;
    }
    if ((o.wins_ip ? o.wins_ip : o.bcast_ip) == 0) {
        ms_errf(err, errlen, "resolve %s: no broadcast or WINS address to ask", text);
        return MS_ERR_INVALID_ARG;
    }
    resolve_ctx c = { .name = name, .ips = ips, .cap = cap };
    ms_status st = ask(&c, &o, text, err, errlen);
    *n = st == MS_OK ? c.n : 0;
    return st;
}
