/* SPDX-License-Identifier: MIT */
/* What the name service answers (RFC 1002 §5.1.1.5, incoming packets):
 * name queries and node status requests for the names it holds, from
 * anywhere (a WINS server checking that we still hold a name may be on
 * another subnet); registrations of its unique names by others, which it
 * refuses; conflict demands, obeyed only from the WINS server or an
 * on-link node unless told to ignore them all. */
#include <string.h>

#include "name_service_int.h"

ns_name *ns_find(ms_name_service *ns, const ms_nb_name *name)
{
    for (size_t i = 0; i < ns->nnames; i++)
        if (ms_nbns_name_equal(&ns->names[i].name, name))
            return &ns->names[i];
    return NULL;
}

static ns_name *find_active(ms_name_service *ns, const ms_nb_name *name)
{
    ns_name *n = ns_find(ns, name);
    return n && n->state == MS_NAME_ACTIVE ? n : NULL;
}

static void answer_query(ms_name_service *ns, const ms_nbns_packet *p, uint32_t src,
                         uint16_t sport)
{
    ns_name *n = find_active(ns, &p->q.name);
    if (!n) {
        ns->stats.ignored++; /* silent about names we do not hold */
        return;
    }
    ms_nbns_packet r;
    ms_nbns_positive_response(&r, p, ns->o.our_ip, ns_nb_flags(ns, n), ns->o.ttl);
    if (ns_send(ns, &r, src, sport))
        ns->stats.queries_answered++;
}

/* "*" padded with NULs (or spaces): the name every node answers status for. */
static bool is_star(const ms_nb_name *n)
{
    if (!n->valid || n->name[0] != '*')
        return false;
    for (size_t i = 1; i < 15; i++)
        if (n->name[i] != 0 && n->name[i] != ' ')
            return false;
    return true;
}

static void answer_status(ms_name_service *ns, const ms_nbns_packet *p, uint32_t src,
                          uint16_t sport)
{
    if (!is_star(&p->q.name) && !find_active(ns, &p->q.name)) {
        ns->stats.ignored++;
        return;
    }
    static ms_nbns_node_status st; /* 4.6 KB: off the stack; the loop is one thread */
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < ns->nnames; i++) {
        const ns_name *n = &ns->names[i];
        if (n->state != MS_NAME_ACTIVE && n->state != MS_NAME_CONFLICT)
            continue;
        ms_nbns_status_name *e = &st.names[st.nnames++];
        memcpy(e->name, n->name.name, 16);
        e->flags = (uint16_t)(ns_nb_flags(ns, n) | (n->state == MS_NAME_ACTIVE
                                                        ? MS_NBNS_NAME_ACT
                                                        : MS_NBNS_NAME_CNF));
    }
    memcpy(st.unit_id, ns->o.mac, sizeof st.unit_id);
    uint8_t rdata[MS_NBNS_MAX_PACKET];
    size_t rlen;
    if (ms_nbns_node_status_encode(&st, rdata, sizeof rdata, &rlen) != MS_OK)
        return;
    ms_nbns_packet r;
    ms_nbns_status_response(&r, p, rdata, rlen);
    if (ns_send(ns, &r, src, sport))
        ns->stats.status_answered++;
}

/* Someone registers one of our unique names: refuse (§4.2.6). Our own
 * requests come back to us as broadcasts; they claim our address. */
static void defend(ms_name_service *ns, const ms_nbns_packet *p, uint32_t src, uint16_t sport)
{
    ns_name *n = find_active(ns, &p->q.name);
    uint32_t claimant = p->arcount && p->rr.naddrs ? p->rr.addrs[0].ip : src;
    if (!n || n->group || claimant == ns->o.our_ip) {
        ns->stats.ignored++;
        return;
    }
    ms_nbns_packet r;
    ms_nbns_defend(&r, p, ns->o.our_ip, ns_nb_flags(ns, n));
    if (ns_send(ns, &r, src, sport)) {
        ns->stats.defended++;
        ns_emit(ns, n, MS_NAME_EV_DEFENDED, claimant, 0, "");
    }
}

void ns_answer_request(ms_name_service *ns, const ms_nbns_packet *p, uint32_t src, uint16_t sport)
{
    unsigned op = MS_NBNS_OPCODE(p->flags);
    if (p->qdcount != 1 || p->q.klass != MS_NBNS_CLASS_IN) {
        ns->stats.ignored++;
        return;
    }
    if (op == MS_NBNS_OP_QUERY && p->q.type == MS_NBNS_TYPE_NB)
        answer_query(ns, p, src, sport);
    else if (op == MS_NBNS_OP_QUERY && p->q.type == MS_NBNS_TYPE_NBSTAT)
        answer_status(ns, p, src, sport);
    else if (op == MS_NBNS_OP_REGISTRATION || op == MS_NBNS_OP_MULTIHOMED)
        defend(ns, p, src, sport);
    else
        ns->stats.ignored++; /* releases, refreshes: for name servers */
}

void ns_conflict_demand(ns_name *n, const ms_nbns_packet *p, uint32_t src)
{
    (void)p;
    ms_name_service *ns = n->ns;
    bool from_wins = ns->o.wins_ip && src == ns->o.wins_ip;
    bool on_link = ns->o.netmask && ((src ^ ns->o.our_ip) & ns->o.netmask) == 0;
    if (ns->o.ignore_conflict_demand || (!from_wins && !on_link)) {
        ns->stats.conflicts_ignored++;
        ns_emit(ns, n, MS_NAME_EV_CONFLICT_IGNORED, src, 0,
                ns->o.ignore_conflict_demand ? "conflict demands are ignored by request"
                                             : "not from the WINS server or an on-link node");
        return;
    }
    ns_cancel(n); /* no more refreshes */
    n->phase = PH_IDLE;
    n->state = MS_NAME_CONFLICT;
    n->rcode = MS_NBNS_RCODE_CFT_ERR;
    ns->stats.conflicts++;
    ns_emit(ns, n, MS_NAME_EV_CONFLICT, src, 0,
            from_wins ? "conflict demand from the WINS server"
                      : "conflict demand from an on-link node");
}
