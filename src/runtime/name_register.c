/* SPDX-License-Identifier: MIT */
/* Registering, refreshing and releasing our names (RFC 1002 §5.1.1.1 B
 * node, §5.1.2 P node, which an H node follows first), one state machine
 * per name driven by the loop's timers and the responses that match its
 * request in flight. */
#include <string.h>

#include "name_service_int.h"

/* A WACK asks us to wait its TTL; a hostile one must not park us for days. */
#define WACK_MAX_S 120u
/* Refresh no oftener than this, whatever TTL the server grants. */
#define REFRESH_MIN_MS 1000u

static void bcast_step(void *ctx);
static void wins_step(void *ctx);
static void refresh_start(void *ctx);

static void claimed(ns_name *n, const char *how)
{
    n->state = MS_NAME_ACTIVE;
    n->phase = PH_IDLE;
    n->ns->stats.registered++;
    ns_emit(n->ns, n, MS_NAME_EV_REGISTERED, n->wins ? n->ns->o.wins_ip : 0, 0, how);
}

static void refuse(ns_name *n, uint32_t by, uint32_t owner, uint8_t rcode, const char *why)
{
    ns_cancel(n);
    n->state = MS_NAME_REFUSED;
    n->phase = PH_IDLE;
    n->refused_by = by;
    n->owner = owner;
    n->rcode = rcode;
    n->why = why;
    n->ns->stats.refused++;
    ns_emit(n->ns, n, MS_NAME_EV_REFUSED, by, owner, why);
}

static void bcast_start(ns_name *n)
{
    n->wins = false;
    n->phase = PH_BCAST;
    n->trn = ns_new_trn(n->ns);
    n->sent = 0;
    bcast_step(n);
}

/* Three broadcast requests (one transaction), then the overwrite demand. */
static void bcast_step(void *ctx)
{
    ns_name *n = ns_fired(ctx);
    ms_name_service *ns = n->ns;
    ms_nbns_packet p;
    if (n->sent < ns->o.bcast_count) {
        ms_nbns_registration(&p, n->trn, &n->name, ns->o.our_ip, ns_nb_flags(ns, n), ns->o.ttl,
                             true);
        ns_send(ns, &p, ns->o.bcast_ip, 0);
        n->sent++;
        ns_after(n, (uint64_t)ns->o.bcast_interval_ms, bcast_step);
        return;
    }
    ms_nbns_overwrite(&p, ns_new_trn(ns), &n->name, ns->o.our_ip, ns_nb_flags(ns, n));
    ns_send(ns, &p, ns->o.bcast_ip, 0);
    claimed(n, "by broadcast: nobody objected");
}

static void wins_start(ns_name *n)
{
    n->wins = true; /* the server decides (until it is found silent) */
    n->phase = PH_WINS_REG;
    n->trn = ns_new_trn(n->ns);
    n->sent = 0;
    wins_step(n);
}

static void wins_step(void *ctx)
{
    ns_name *n = ns_fired(ctx);
    ms_name_service *ns = n->ns;
    if (n->sent < ns->o.wins_tries) {
        ms_nbns_packet p;
        ms_nbns_registration(&p, n->trn, &n->name, ns->o.our_ip, ns_nb_flags(ns, n), ns->o.ttl,
                             false);
        ns_send(ns, &p, ns->o.wins_ip, 0);
        n->sent++;
        ns_after(n, (uint64_t)ns->o.wins_timeout_ms, wins_step);
        return;
    }
    /* An H node whose server is silent falls back to broadcast. */
    ns_emit(ns, n, MS_NAME_EV_WINS_SILENT, ns->o.wins_ip, 0,
            ns->o.bcast_ip ? "registering by broadcast" : "and there is no broadcast address");
    if (ns->o.bcast_ip)
        bcast_start(n);
    else
        refuse(n, 0, 0, 0, "the WINS server did not answer");
}

void ns_register_start(ns_name *n)
{
    if (n->ns->o.wins_ip)
        wins_start(n);
    else
        bcast_start(n);
}

static void schedule_refresh(ns_name *n, uint32_t ttl_s, unsigned divisor)
{
    uint64_t ms = (uint64_t)ttl_s * 1000u / divisor;
    ns_after(n, ms < REFRESH_MIN_MS ? REFRESH_MIN_MS : ms, refresh_start);
}

static void refresh_step(void *ctx)
{
    ns_name *n = ns_fired(ctx);
    ms_name_service *ns = n->ns;
    if (n->sent < ns->o.wins_tries) {
        ms_nbns_packet p;
        ms_nbns_refresh(&p, n->trn, &n->name, ns->o.our_ip, ns_nb_flags(ns, n), ns->o.ttl);
        ns_send(ns, &p, ns->o.wins_ip, 0);
        n->sent++;
        ns_after(n, (uint64_t)ns->o.wins_timeout_ms, refresh_step);
        return;
    }
    /* Keep the name (the server may be back soon) and try sooner. */
    n->phase = PH_IDLE;
    ns_emit(ns, n, MS_NAME_EV_REFRESH_FAILED, ns->o.wins_ip, 0, "trying again later");
    schedule_refresh(n, n->ttl, 4);
}

static void refresh_start(void *ctx)
{
    ns_name *n = ns_fired(ctx);
    n->phase = PH_WINS_REFRESH;
    n->trn = ns_new_trn(n->ns);
    n->sent = 0;
    refresh_step(n);
}

/* Who holds a name the WINS server refused: ask it. */
static void owner_timeout(void *ctx)
{
    ns_name *n = ns_fired(ctx);
    refuse(n, n->refused_by, 0, n->rcode, "the WINS server did not say who holds it");
}

static void wins_refused(ns_name *n, const ms_nbns_packet *p, uint32_t src)
{
    ms_name_service *ns = n->ns;
    uint8_t rcode = (uint8_t)MS_NBNS_RCODE(p->flags);
    if (p->rr.naddrs && p->rr.addrs[0].ip && p->rr.addrs[0].ip != ns->o.our_ip) {
        refuse(n, src, p->rr.addrs[0].ip, rcode, "negative registration response");
        return;
    }
    n->refused_by = src;
    n->rcode = rcode;
    n->phase = PH_WINS_OWNER;
    n->trn = ns_new_trn(ns);
    ms_nbns_packet q;
    ms_nbns_query(&q, n->trn, &n->name, false);
    ns_send(ns, &q, ns->o.wins_ip, 0);
    ns_after(n, (uint64_t)ns->o.wins_timeout_ms, owner_timeout);
}

static void wins_registered(ns_name *n, const ms_nbns_packet *p)
{
    n->wins = true;
    n->ttl = p->rr.ttl ? p->rr.ttl : n->ns->o.ttl;
    claimed(n, "by the WINS server");
    schedule_refresh(n, n->ttl, 2);
}

static void on_wins_reg(ns_name *n, const ms_nbns_packet *p, uint32_t src)
{
    unsigned op = MS_NBNS_OPCODE(p->flags);
    if (op == MS_NBNS_OP_WACK) {
        /* The server checks the current owner; wait as long as it says. */
        uint32_t s = p->rr.ttl < WACK_MAX_S ? p->rr.ttl : WACK_MAX_S;
        ns_after(n, (uint64_t)s * 1000u + (uint64_t)n->ns->o.wins_timeout_ms, wins_step);
    } else if (op == MS_NBNS_OP_REGISTRATION && MS_NBNS_RCODE(p->flags) == 0) {
        ns_cancel(n);
        wins_registered(n, p);
    } else if (op == MS_NBNS_OP_REGISTRATION) {
        ns_cancel(n);
        wins_refused(n, p, src);
    }
}

static void on_refresh(ns_name *n, const ms_nbns_packet *p)
{
    ms_name_service *ns = n->ns;
    ns_cancel(n);
    n->phase = PH_IDLE;
    if (MS_NBNS_RCODE(p->flags) != 0) {
        n->state = MS_NAME_CONFLICT;
        n->rcode = (uint8_t)MS_NBNS_RCODE(p->flags);
        ns->stats.conflicts++;
        ns_emit(ns, n, MS_NAME_EV_CONFLICT, ns->o.wins_ip, 0,
                "the WINS server refused the refresh");
        return;
    }
    n->ttl = p->rr.ttl ? p->rr.ttl : n->ttl;
    ns->stats.refreshed++;
    ns_emit(ns, n, MS_NAME_EV_REFRESHED, ns->o.wins_ip, 0, "");
    schedule_refresh(n, n->ttl, 2);
}

static void on_released(ns_name *n)
{
    ns_cancel(n);
    n->phase = PH_IDLE;
    n->state = MS_NAME_RELEASED;
    n->ns->stats.released++;
    ns_emit(n->ns, n, MS_NAME_EV_RELEASED, n->ns->o.wins_ip, 0, "the WINS server confirmed");
}

/* A response to the request in flight for n. */
static void in_flight(ns_name *n, const ms_nbns_packet *p, uint32_t src)
{
    ms_name_service *ns = n->ns;
    unsigned op = MS_NBNS_OPCODE(p->flags);
    uint8_t rcode = (uint8_t)MS_NBNS_RCODE(p->flags);
    if (n->phase == PH_BCAST) {
        /* Any node may object; nobody says yes to a broadcast. The owner
         * is in the record, but nmbd echoes our own entry there: then the
         * objector is the owner. */
        uint32_t owner = p->rr.naddrs ? p->rr.addrs[0].ip : 0;
        if (op == MS_NBNS_OP_REGISTRATION && rcode != 0)
            refuse(n, src, owner && owner != ns->o.our_ip ? owner : src, rcode,
                   "negative registration response");
        else
            ns->stats.ignored++;
        return;
    }
    if (src != ns->o.wins_ip) {
        ns->stats.ignored++; /* only the server answers its requests */
        return;
    }
    if (n->phase == PH_WINS_REG)
        on_wins_reg(n, p, src);
    else if (n->phase == PH_WINS_OWNER && op == MS_NBNS_OP_QUERY)
        refuse(n, n->refused_by, rcode == 0 && p->rr.naddrs ? p->rr.addrs[0].ip : 0, n->rcode,
               rcode == 0 && p->rr.naddrs ? "negative registration response"
                                          : "the WINS server did not say who holds it");
    else if (n->phase == PH_WINS_REFRESH &&
             (op == MS_NBNS_OP_REFRESH || op == MS_NBNS_OP_REFRESH + 1 ||
              op == MS_NBNS_OP_REGISTRATION))
        on_refresh(n, p);
    else if (n->phase == PH_WINS_RELEASE && op == MS_NBNS_OP_RELEASE)
        on_released(n);
    else
        ns->stats.ignored++;
}

void ns_register_response(ms_name_service *ns, const ms_nbns_packet *p, uint32_t src)
{
    ns_name *n = (p->qdcount || p->ancount + p->nscount + p->arcount)
                     ? ns_find(ns, ms_nbns_subject(p)) : NULL;
    if (!n) {
        ns->stats.ignored++;
        return;
    }
    if (n->phase != PH_IDLE && p->trn_id == n->trn) {
        in_flight(n, p, src);
        return;
    }
    /* A conflict demand (§4.2.8) comes unasked, with any transaction ID. */
    if (MS_NBNS_OPCODE(p->flags) == MS_NBNS_OP_REGISTRATION &&
        MS_NBNS_RCODE(p->flags) == MS_NBNS_RCODE_CFT_ERR && n->state == MS_NAME_ACTIVE)
        ns_conflict_demand(n, p, src);
    else
        ns->stats.ignored++;
}

static void release_step(void *ctx)
{
    ns_name *n = ns_fired(ctx);
    ms_name_service *ns = n->ns;
    if (n->sent >= ns->o.wins_tries)
        return; /* ms_name_service_release ends the wait */
    ms_nbns_packet p;
    ms_nbns_release(&p, n->trn, &n->name, ns->o.our_ip, ns_nb_flags(ns, n), false);
    ns_send(ns, &p, ns->o.wins_ip, 0);
    n->sent++;
    ns_after(n, (uint64_t)ns->o.wins_timeout_ms, release_step);
}

bool ns_release_send(ns_name *n)
{
    ms_name_service *ns = n->ns;
    if (n->state != MS_NAME_ACTIVE)
        return false;
    ns_cancel(n);
    if (ns->o.bcast_ip) {
        ms_nbns_packet p;
        ms_nbns_release(&p, ns_new_trn(ns), &n->name, ns->o.our_ip, ns_nb_flags(ns, n), true);
        ns_send(ns, &p, ns->o.bcast_ip, 0);
    }
    if (n->wins) {
        n->phase = PH_WINS_RELEASE;
        n->trn = ns_new_trn(ns);
        n->sent = 0;
        release_step(n);
        return true;
    }
    n->phase = PH_IDLE;
    n->state = MS_NAME_RELEASED;
    ns->stats.released++;
    ns_emit(ns, n, MS_NAME_EV_RELEASED, 0, 0, "by broadcast");
    return false;
}
