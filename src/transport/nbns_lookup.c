/* SPDX-License-Identifier: MIT */
/* A name lookup that reports every answer (RFC 1002 §4.2.12-4.2.14): by
 * broadcast it listens for the whole timeout, since each holder of the
 * name answers for itself; by unicast the first answer ends it. */
#include "mailslot/nbns.h"
#include "mailslot/nbns_resolve.h"

#include <string.h>

#include "errf.h"
#include "mailslot/net.h"
#include "nbns_xchg.h"
#include "sized.h"

typedef struct lookup_ctx {
    const ms_nb_name *name;
    ms_lookup_answer *a;
    size_t cap, n;
    size_t positive;
    bool unicast;           /* the first answer ends the lookup */
    ms_lookup_stats *st;    /* the exchange's counters */
} lookup_ctx;

static void fill(ms_lookup_answer *a, const ms_nbns_packet *p, uint32_t src, uint16_t sport,
                 unsigned at_ms)
{
    memset(a, 0, sizeof *a);
    a->from_ip = src;
    a->from_port = sport;
    a->flags = p->flags;
    a->at_ms = at_ms;
    if (MS_NBNS_RCODE(p->flags) != 0)
        return; /* a negative answer's record says nothing more */
    a->ttl = p->rr.ttl;
    a->naddrs = p->rr.naddrs;
    /* More entries than addrs[] holds: the decoder kept the octets too. */
    a->naddrs_total = p->rr.rdata.len ? p->rr.rdata.len / 6 : p->rr.naddrs;
    memcpy(a->addrs, p->rr.addrs, a->naddrs * sizeof a->addrs[0]);
}

/* The same answer again: what a responder sends for each retry. */
static bool seen(const lookup_ctx *c, const ms_lookup_answer *a)
{
    for (size_t i = 0; i < c->n; i++) {
        const ms_lookup_answer *b = &c->a[i];
        if (b->from_ip == a->from_ip && b->from_port == a->from_port &&
            MS_NBNS_RCODE(b->flags) == MS_NBNS_RCODE(a->flags) &&
            b->naddrs_total == a->naddrs_total && b->naddrs == a->naddrs &&
            !memcmp(b->addrs, a->addrs, a->naddrs * sizeof a->addrs[0]))
            return true;
    }
    return false;
}

static xchg_verdict on_answer(void *vc, const ms_nbns_packet *p, uint32_t src, uint16_t sport,
                              unsigned at_ms)
{
    lookup_ctx *c = vc;
    nbns_answer kind = nbns_answer_kind(p, c->name);
    if (kind == NBNS_ANSWER_NONE)
        return XCHG_SKIP;
    ms_lookup_answer a;
    fill(&a, p, src, sport, at_ms);
    if (seen(c, &a))
        c->st->duplicates++;
    else if (c->n < c->cap) {
        c->a[c->n++] = a;
        c->positive += kind == NBNS_ANSWER_POSITIVE;
    } else
        c->st->overflow++;
    return c->unicast ? XCHG_DONE : XCHG_MORE;
}

/* Why nothing positive came: the first refusal, or the silence. */
static void not_found(const lookup_ctx *c, const nbns_xchg *x, const char *text, char *err,
                      size_t errlen)
{
    if (c->n == 0) {
        char why[160];
        nbns_xchg_silence(x, why, sizeof why);
        ms_errf(err, errlen, "%s: %s", text, why);
        return;
    }
    char from[16];
    ms_ip_format(c->a[0].from_ip, from, sizeof from);
    unsigned rc = MS_NBNS_RCODE(c->a[0].flags);
    if (c->n == 1)
        ms_errf(err, errlen, "%s: negative answer from %s (rcode %u %s)", text, from, rc,
                ms_nbns_rcode_name(rc));
    else
        ms_errf(err, errlen, "%s: negative answers only, the first from %s (rcode %u %s)", text,
                from, rc, ms_nbns_rcode_name(rc));
}

void ms_lookup_opts_init(ms_lookup_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->mode = MS_LOOKUP_BROADCAST;
}

ms_status ms_nbns_lookup(const ms_nb_name *name, const ms_lookup_opts *oin,
                         ms_lookup_answer *answers, size_t *n, ms_lookup_stats *stats, char *err,
                         size_t errlen)
{
    ms_lookup_opts o;
    ms_lookup_opts_init(&o);
    bool have_o = oin && oin->size >= sizeof oin->size;
    if (have_o)
        ms_sized_read(&o, sizeof o, oin);
    char text[128] = "lookup";
    if (name)
        ms_nb_name_format(name, text, sizeof text);
    if (!name || !name->valid || !answers || !n || *n == 0 || !have_o ||
        (o.mode != MS_LOOKUP_BROADCAST && o.mode != MS_LOOKUP_WINS && o.mode != MS_LOOKUP_HOST)) {
        ms_errf(err, errlen, "%s: invalid argument", text);
        if (n)
            *n = 0;
        return MS_ERR_INVALID_ARG;
    }
    bool bcast = o.mode == MS_LOOKUP_BROADCAST;
    nbns_xchg x = { .what = text, .dst_ip = o.dst_ip, .port = o.port, .bind_ip = o.bind_ip,
                    .broadcast = bcast, .timeout_ms = o.timeout_ms, .on_response = on_answer };
    lookup_ctx c = { .name = name, .a = answers, .cap = *n, .unicast = !bcast, .st = &x.st };
    x.ctx = &c;
    ms_nbns_packet q;
    ms_nbns_query(&q, 0, name, bcast);
    ms_status st = nbns_xchg_run(&x, &q, err, errlen);
    *n = c.n;
    if (stats && stats->size >= sizeof stats->size)
        ms_sized_write(stats, &x.st, sizeof x.st);
    if (st != MS_OK && st != MS_ERR_TIMEOUT)
        return st;
    if (c.positive == 0) {
        not_found(&c, &x, text, err, errlen);
        return MS_ERR_NOT_FOUND;
    }
    return MS_OK;
}
