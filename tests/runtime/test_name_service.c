/* SPDX-License-Identifier: MIT */
/* The name service (src/runtime/name_*.c) over 127.0.0.1 only, against a
 * scripted peer on the same loop that plays the subnet (where the
 * "broadcasts" go) and the WINS server: the B-node registration's packets
 * and timing, refusal, answers to queries and node status, defence,
 * conflict demands obeyed and ignored, WINS registration with a WACK,
 * refresh, refusal with the owner asked for, a silent server, release. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/name_service.h"
#include "mailslot/net.h"
#include "nbns_peer.h"

#define US 0x7F000002u      /* the address the service registers (data only) */
#define OTHER 0x0A090909u   /* another node's address (data only) */
#define MAX_LOG 64

typedef struct peer peer;
/* What the peer does with one packet from the service. */
typedef void (*script_fn)(peer *pr, const ms_nbns_packet *p);

struct peer {
    int fd;
    uint16_t port;          /* the peer's port */
    uint16_t ns_port;       /* the service's port */
    script_fn script;
    size_t n;               /* packets received */
    uint8_t raw[MAX_LOG][600];
    size_t len[MAX_LOG];
    uint64_t at_ns[MAX_LOG];
    int events[16];
    size_t nevents;
    char last_event[400];
};

static peer P;

static void peer_send(peer *pr, const ms_nbns_packet *p)
{
    uint8_t b[600];
    size_t l;
    ck_assert_int_eq(ms_nbns_encode(p, b, sizeof b, &l), MS_OK);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(pr->ns_port) };
    to.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(sendto(pr->fd, b, l, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)l);
}

/* Packet i the peer got, decoded (borrows from the log). */
static void got(size_t i, ms_nbns_packet *p)
{
    ck_assert_uint_lt(i, P.n);
    ck_assert_int_eq(ms_nbns_decode(P.raw[i], P.len[i], p, NULL), MS_OK);
}

static void on_peer(void *ctx, int fd, unsigned ev)
{
    (void)ev;
    peer *pr = ctx;
    uint8_t b[600];
    ssize_t l;
    while ((l = recv(fd, b, sizeof b, MSG_DONTWAIT)) > 0) {
        ck_assert_uint_lt(pr->n, MAX_LOG);
        memcpy(pr->raw[pr->n], b, (size_t)l);
        pr->len[pr->n] = (size_t)l;
        pr->at_ns[pr->n] = ms_monotonic_ns();
        ms_nbns_packet p;
        ck_assert_int_eq(ms_nbns_decode(b, (size_t)l, &p, NULL), MS_OK);
        pr->n++;
        if (pr->script)
            pr->script(pr, &p);
    }
}

static void on_event(const ms_name_event *ev, void *ctx)
{
    peer *pr = ctx;
    if (pr->nevents < 16)
        pr->events[pr->nevents++] = (int)ev->kind;
    ms_name_event_format(ev, pr->last_event, sizeof pr->last_event);
}

static ms_loop *L;

/* A service on 127.0.0.1, the peer as its subnet (and WINS when wins). */
static ms_name_service *start(script_fn script, bool wins, void (*tweak)(ms_name_service_opts *))
{
    memset(&P, 0, sizeof P);
    P.script = script;
    ck_assert_int_eq(ms_loop_new(&L), MS_OK);
    P.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(bind(P.fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    getsockname(P.fd, (struct sockaddr *)&a, &al);
    P.port = ntohs(a.sin_port);
    ck_assert_int_eq(ms_loop_add_fd(L, P.fd, MS_LOOP_IN, on_peer, &P, NULL), MS_OK);

    ms_name_service_opts o;
    ms_name_service_opts_init(&o);
    o.our_ip = US;
    o.bind_ip = LOOPBACK;
    o.peer_port = P.port;
    o.bcast_ip = LOOPBACK;
    o.netmask = 0xFF000000u;
    o.wins_ip = wins ? LOOPBACK : 0;
    memcpy(o.mac, "\x02\x00\x5e\x10\x00\x01", 6);
    o.on_event = on_event;
    o.ctx = &P;
    if (tweak)
        tweak(&o);
    ms_name_service *ns = NULL;
    char err[256] = "";
    for (int tries = 0; tries < 5 && !ns; tries++) {
        o.port = free_port();
        ms_name_service_open(L, &o, &ns, err, sizeof err);
    }
    ck_assert_msg(ns != NULL, "%s", err);
    P.ns_port = o.port;
    return ns;
}

static void stop(ms_name_service *ns)
{
    ms_name_service_close(ns);
    ms_loop_free(L);
    close(P.fd);
}

/* Run the loop for ms milliseconds. */
static void pump(int ms)
{
    uint64_t end = ms_monotonic_ns() + (uint64_t)ms * 1000000u;
    while (ms_monotonic_ns() < end)
        ms_loop_run_once(L, 20);
}

static ms_name_state state_of(ms_name_service *ns, size_t i)
{
    ms_name_info info;
    ck_assert_int_eq(ms_name_service_name(ns, i, &info), MS_OK);
    return info.state;
}

static ms_nb_name labpeer(void)
{
    return mkname("LABPEER", 0x00, NULL);
}

/* ---- B node ---- */

START_TEST(broadcast_registration_claims_after_three_requests)
{
    ms_name_service *ns = start(NULL, false, NULL);
    ms_nb_name n = labpeer(), g = mkname("LABGROUP", 0x00, NULL);
    ck_assert_int_eq(ms_name_service_add(ns, &n, false), MS_OK);
    ck_assert_int_eq(ms_name_service_add(ns, &g, true), MS_OK);
    ck_assert_int_eq(ms_name_service_add(ns, &n, true), MS_ERR_EXISTS);
    ck_assert_int_eq(state_of(ns, 0), MS_NAME_REGISTERING);
    uint64_t t0 = ms_monotonic_ns();
    char err[256] = "";
    ck_assert_int_eq(ms_name_service_wait(ns, 5000, err, sizeof err), MS_OK);
    uint64_t took_ms = (ms_monotonic_ns() - t0) / 1000000u;
    ck_assert_uint_ge(took_ms, 700); /* requests at 0, 250, 500; claim at 750 */
    ck_assert_uint_lt(took_ms, 2000);
    ck_assert_int_eq(state_of(ns, 0), MS_NAME_ACTIVE);
    ck_assert_int_eq(state_of(ns, 1), MS_NAME_ACTIVE);
    pump(50);

    /* Per name: 3 registrations (one transaction, RD|B, TTL asked), then
     * one overwrite demand (B, no RD). */
    int regs = 0, overwrites = 0;
    uint16_t trn = 0;
    uint64_t first = 0, third = 0;
    for (size_t i = 0; i < P.n; i++) {
        ms_nbns_packet p;
        got(i, &p);
        if (!ms_nbns_name_equal(&p.q.name, &n))
            continue;
        ck_assert_uint_eq(MS_NBNS_OPCODE(p.flags), MS_NBNS_OP_REGISTRATION);
        ck_assert(p.flags & MS_NBNS_BROADCAST);
        ck_assert_uint_eq(p.rr.addrs[0].ip, US);
        ck_assert_uint_eq(p.rr.addrs[0].nb_flags, MS_NBNS_ONT_B);
        if (p.flags & MS_NBNS_RD) {
            ck_assert_int_eq(overwrites, 0);
            if (regs == 0) {
                trn = p.trn_id;
                first = P.at_ns[i];
            }
            ck_assert_uint_eq(p.trn_id, trn);
            if (++regs == 3)
                third = P.at_ns[i];
            ck_assert_uint_eq(p.rr.ttl, MS_NBNS_DEFAULT_TTL);
        } else {
            overwrites++;
            ck_assert_uint_ge(P.at_ns[i] - third, 200000000u);
        }
    }
    ck_assert_int_eq(regs, 3);
    ck_assert_int_eq(overwrites, 1);
    ck_assert_uint_ge(third - first, 450000000u);
    ck_assert_int_eq(P.events[0], MS_NAME_EV_REGISTERED);
    stop(ns);
}
END_TEST

/* The peer holds LABPEER: it refuses the first registration it sees. */
static void refuse_first(peer *pr, const ms_nbns_packet *p)
{
    if (pr->n != 1 || MS_NBNS_OPCODE(p->flags) != MS_NBNS_OP_REGISTRATION)
        return;
    ms_nbns_packet r;
    ms_nbns_defend(&r, p, OTHER, 0);
    peer_send(pr, &r);
}

START_TEST(negative_response_refuses)
{
    ms_name_service *ns = start(refuse_first, false, NULL);
    ms_nb_name n = labpeer();
    ck_assert_int_eq(ms_name_service_add(ns, &n, false), MS_OK);
    char err[256] = "";
    ck_assert_int_eq(ms_name_service_wait(ns, 5000, err, sizeof err), MS_ERR_EXISTS);
    ck_assert_int_eq(state_of(ns, 0), MS_NAME_REFUSED);
    ck_assert_str_eq(err, "refused LABPEER<00>: held by 10.9.9.9 (negative registration "
                          "response from 127.0.0.1, ACT_ERR)");
    ck_assert_str_eq(P.last_event, err);
    pump(900);
    ck_assert_uint_eq(P.n, 1); /* no more requests, no overwrite demand */

    /* Not ours: queries for it go unanswered. */
    ms_nbns_packet q;
    ms_nbns_query(&q, 77, &n, true);
    peer_send(&P, &q);
    pump(100);
    ck_assert_uint_eq(P.n, 1);
    ms_name_stats s = MS_SIZED(ms_name_stats);
    ms_name_service_get_stats(ns, &s);
    ck_assert_uint_eq(s.refused, 1);
    ck_assert_uint_eq(s.queries_answered, 0);
    stop(ns);
}
END_TEST

/* nmbd's way: the negative response echoes the requester's own entry. */
static void refuse_echo(peer *pr, const ms_nbns_packet *p)
{
    if (pr->n != 2 || MS_NBNS_OPCODE(p->flags) != MS_NBNS_OP_REGISTRATION)
        return;
    ms_nbns_packet r;
    ms_nbns_defend(&r, p, p->rr.addrs[0].ip, p->rr.addrs[0].nb_flags);
    peer_send(pr, &r);
}

START_TEST(echoed_negative_response_names_the_sender)
{
    ms_name_service *ns = start(refuse_echo, false, NULL);
    ms_nb_name n = labpeer();
    ck_assert_int_eq(ms_name_service_add(ns, &n, false), MS_OK);
    char err[256] = "";
    ck_assert_int_eq(ms_name_service_wait(ns, 5000, err, sizeof err), MS_ERR_EXISTS);
    ck_assert_str_eq(err, "refused LABPEER<00>: held by 127.0.0.1 (negative registration "
                          "response from 127.0.0.1, ACT_ERR)");
    stop(ns);
}
END_TEST

static ms_name_service *registered(script_fn script)
{
    ms_name_service *ns = start(script, false, NULL);
    ms_nb_name n = labpeer(), g = mkname("LABGROUP", 0x1e, NULL);
    ck_assert_int_eq(ms_name_service_add(ns, &n, false), MS_OK);
    ck_assert_int_eq(ms_name_service_add(ns, &g, true), MS_OK);
    char err[256] = "";
    ck_assert_int_eq(ms_name_service_wait(ns, 5000, err, sizeof err), MS_OK);
    pump(20);
    P.n = 0;
    return ns;
}

START_TEST(answers_queries_and_node_status)
{
    ms_name_service *ns = registered(NULL);
    ms_nb_name n = labpeer(), g = mkname("LABGROUP", 0x1e, NULL);
    ms_nb_name other = mkname("NOBODY", 0x00, NULL);
    ms_nbns_packet q, r;
    ms_nbns_query(&q, 0x101, &n, true);
    peer_send(&P, &q);
    ms_nbns_query(&q, 0x102, &g, false);
    peer_send(&P, &q);
    ms_nbns_query(&q, 0x103, &other, true);
    peer_send(&P, &q);
    uint8_t star[16] = { '*' };
    ms_nb_name any;
    ck_assert_int_eq(ms_nb_name_make(&any, star, NULL), MS_OK);
    ms_nbns_status_query(&q, 0x104, &any);
    peer_send(&P, &q);
    uint8_t junk[3] = { 1, 2, 3 };
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(P.ns_port) };
    to.sin_addr.s_addr = htonl(LOOPBACK);
    sendto(P.fd, junk, sizeof junk, 0, (struct sockaddr *)&to, sizeof to);
    pump(150);

    ck_assert_uint_eq(P.n, 3); /* NOBODY and the junk: silence */
    got(0, &r);
    ck_assert_uint_eq(r.trn_id, 0x101);
    ck_assert_uint_eq(r.flags, MS_NBNS_RESPONSE | MS_NBNS_AA | MS_NBNS_RD);
    ck_assert_uint_eq(r.rr.addrs[0].ip, US);
    ck_assert_uint_eq(r.rr.addrs[0].nb_flags, 0);
    got(1, &r);
    ck_assert_uint_eq(r.rr.addrs[0].nb_flags, MS_NBNS_NB_GROUP);
    got(2, &r);
    ck_assert_uint_eq(r.trn_id, 0x104);
    ck_assert_uint_eq(r.rr.type, MS_NBNS_TYPE_NBSTAT);
    static ms_nbns_node_status st;
    ck_assert_int_eq(ms_nbns_node_status_decode(r.rr.rdata.p, r.rr.rdata.len, &st, NULL), MS_OK);
    ck_assert_uint_eq(st.nnames, 2);
    ck_assert_mem_eq(st.names[0].name, "LABPEER        \x00", 16);
    ck_assert_uint_eq(st.names[0].flags, MS_NBNS_NAME_ACT);
    ck_assert_mem_eq(st.names[1].name, "LABGROUP       \x1e", 16);
    ck_assert_uint_eq(st.names[1].flags, MS_NBNS_NB_GROUP | MS_NBNS_NAME_ACT);
    ck_assert_mem_eq(st.unit_id, "\x02\x00\x5e\x10\x00\x01", 6);
    ck_assert_uint_eq(st.stats.len, MS_NBNS_STATS_LEN);

    ms_name_stats s = MS_SIZED(ms_name_stats);
    ms_name_service_get_stats(ns, &s);
    ck_assert_uint_eq(s.queries_answered, 2);
    ck_assert_uint_eq(s.status_answered, 1);
    ck_assert_uint_ge(s.ignored, 2);
    stop(ns);
}
END_TEST

START_TEST(defends_unique_names_only)
{
    ms_name_service *ns = registered(NULL);
    ms_nb_name n = labpeer(), g = mkname("LABGROUP", 0x1e, NULL);
    ms_nbns_packet q, r;
    ms_nbns_registration(&q, 0x201, &n, OTHER, 0, 0, true);      /* theirs: refused */
    peer_send(&P, &q);
    ms_nbns_registration(&q, 0x202, &g, OTHER, MS_NBNS_NB_GROUP, 0, true); /* group: fine */
    peer_send(&P, &q);
    ms_nbns_registration(&q, 0x203, &n, US, 0, 0, true);         /* our own echo */
    peer_send(&P, &q);
    ms_nbns_overwrite(&q, 0x204, &n, OTHER, 0);                  /* a demand: refused too */
    peer_send(&P, &q);
    pump(150);
    ck_assert_uint_eq(P.n, 2);
    got(0, &r);
    ck_assert_uint_eq(r.trn_id, 0x201);
    ck_assert_uint_eq(MS_NBNS_RCODE(r.flags), MS_NBNS_RCODE_ACT_ERR);
    ck_assert_uint_eq(r.rr.addrs[0].ip, US);
    got(1, &r);
    ck_assert_uint_eq(r.trn_id, 0x204);
    ck_assert_str_eq(P.last_event, "defended LABPEER<00>: refused its registration by 10.9.9.9");
    ck_assert_int_eq(state_of(ns, 0), MS_NAME_ACTIVE);
    stop(ns);
}
END_TEST

/* A conflict demand from 127.0.0.1: on-link (255.0.0.0) with 127.0.0.2. */
START_TEST(conflict_demand_from_on_link_is_obeyed)
{
    ms_name_service *ns = registered(NULL);
    ms_nb_name n = labpeer();
    ms_nbns_packet q, r;
    ms_nbns_conflict_demand(&q, 0x301, &n);
    peer_send(&P, &q);
    pump(100);
    ck_assert_int_eq(state_of(ns, 0), MS_NAME_CONFLICT);
    ck_assert_str_eq(P.last_event,
                     "gave up LABPEER<00>: conflict demand from an on-link node (127.0.0.1)");
    ms_nbns_query(&q, 0x302, &n, true);
    peer_send(&P, &q);
    uint8_t star[16] = { '*' };
    ms_nb_name any;
    ms_nb_name_make(&any, star, NULL);
    ms_nbns_status_query(&q, 0x303, &any);
    peer_send(&P, &q);
    pump(100);
    ck_assert_uint_eq(P.n, 1); /* the query: silence; the status: answered */
    got(0, &r);
    static ms_nbns_node_status st;
    ck_assert_int_eq(ms_nbns_node_status_decode(r.rr.rdata.p, r.rr.rdata.len, &st, NULL), MS_OK);
    ck_assert_uint_eq(st.names[0].flags, MS_NBNS_NAME_CNF);
    stop(ns);
}
END_TEST

static void off_link(ms_name_service_opts *o)
{
    o->netmask = 0xFFFFFF00u;
    o->our_ip = 0x7F000102u; /* 127.0.1.2/24: 127.0.0.1 is off-link */
}

static void ignore_all(ms_name_service_opts *o)
{
    o->ignore_conflict_demand = true;
}

START_TEST(conflict_demand_ignored_off_link_or_by_request)
{
    void (*tweaks[2])(ms_name_service_opts *) = { off_link, ignore_all };
    const char *why[2] = { "not from the WINS server or an on-link node",
                           "conflict demands are ignored by request" };
    for (int k = 0; k < 2; k++) {
        ms_name_service *ns = start(NULL, false, tweaks[k]);
        ms_nb_name n = labpeer();
        ck_assert_int_eq(ms_name_service_add(ns, &n, false), MS_OK);
        ck_assert_int_eq(ms_name_service_wait(ns, 5000, NULL, 0), MS_OK);
        ms_nbns_packet q;
        ms_nbns_conflict_demand(&q, 0x401, &n);
        peer_send(&P, &q);
        pump(100);
        ck_assert_int_eq(state_of(ns, 0), MS_NAME_ACTIVE);
        char want[300];
        snprintf(want, sizeof want,
                 "kept LABPEER<00>: conflict demand from 127.0.0.1 ignored: %s", why[k]);
        ck_assert_str_eq(P.last_event, want);
        ms_name_stats s = MS_SIZED(ms_name_stats);
        ms_name_service_get_stats(ns, &s);
        ck_assert_uint_eq(s.conflicts_ignored, 1);
        ck_assert_uint_eq(s.conflicts, 0);
        stop(ns);
    }
}
END_TEST

/* ---- WINS ---- */

/* A WINS server: WACK first (1 s), then yes with TTL 2; refreshes and
 * releases confirmed. */
static void wins_yes(peer *pr, const ms_nbns_packet *p)
{
    (void)pr;
    if (p->flags & MS_NBNS_BROADCAST)
        return;
    unsigned op = MS_NBNS_OPCODE(p->flags);
    ms_nbns_packet r;
    ms_nbns_positive_response(&r, p, p->rr.addrs[0].ip, p->rr.addrs[0].nb_flags, 2);
    r.flags = (uint16_t)(MS_NBNS_RESPONSE | MS_NBNS_OPCODE_FLAGS(op) | MS_NBNS_AA);
    if (op == MS_NBNS_OP_REGISTRATION && pr->n == 1) {
        r.flags = (uint16_t)(MS_NBNS_RESPONSE | MS_NBNS_OPCODE_FLAGS(MS_NBNS_OP_WACK) | MS_NBNS_AA);
        r.rr.ttl = 1;
    }
    peer_send(pr, &r);
}

START_TEST(wins_registration_wack_refresh_release)
{
    ms_name_service *ns = start(wins_yes, true, NULL);
    ms_nb_name n = labpeer();
    ck_assert_int_eq(ms_name_service_add(ns, &n, false), MS_OK);
    uint64_t t0 = ms_monotonic_ns();
    char err[256] = "";
    ck_assert_int_eq(ms_name_service_wait(ns, 10000, err, sizeof err), MS_OK);
    uint64_t took = (ms_monotonic_ns() - t0) / 1000000u;
    ck_assert_uint_ge(took, 1000); /* waited out the WACK's second */
    ms_nbns_packet p;
    got(0, &p);
    ck_assert(!(p.flags & MS_NBNS_BROADCAST));
    ck_assert_uint_eq(p.rr.addrs[0].nb_flags, MS_NBNS_ONT_H);
    ck_assert_uint_eq(P.n, 2); /* the request again after the WACK */
    ms_name_info info;
    ms_name_service_name(ns, 0, &info);
    ck_assert(info.wins);
    ck_assert_uint_eq(info.ttl, 2);
    ck_assert_str_eq(P.last_event,
                     "registered LABPEER<00> with WINS server 127.0.0.1, TTL 2 s");

    pump(2600); /* refreshes at TTL/2 = 1 s */
    int refreshes = 0;
    for (size_t i = 2; i < P.n; i++) {
        got(i, &p);
        if (MS_NBNS_OPCODE(p.flags) == MS_NBNS_OP_REFRESH)
            refreshes++;
    }
    ck_assert_int_ge(refreshes, 2);
    ck_assert_int_le(refreshes, 3);
    ms_name_stats s = MS_SIZED(ms_name_stats);
    ms_name_service_get_stats(ns, &s);
    ck_assert_uint_eq(s.refreshed, (uint64_t)refreshes);

    size_t before = P.n;
    ck_assert_int_eq(ms_name_service_release(ns), MS_OK);
    ck_assert_int_eq(state_of(ns, 0), MS_NAME_RELEASED);
    ck_assert_str_eq(P.last_event, "released LABPEER<00>: the WINS server confirmed");
    int bcast = 0, ucast = 0;
    for (size_t i = before; i < P.n; i++) {
        got(i, &p);
        ck_assert_uint_eq(MS_NBNS_OPCODE(p.flags), MS_NBNS_OP_RELEASE);
        ck_assert_uint_eq(p.rr.ttl, 0);
        if (p.flags & MS_NBNS_BROADCAST)
            bcast++;
        else
            ucast++;
    }
    ck_assert_int_eq(bcast, 1);
    ck_assert_int_eq(ucast, 1);

    /* Released: no longer answered. */
    before = P.n;
    ms_nbns_query(&p, 0x501, &n, true);
    peer_send(&P, &p);
    pump(100);
    ck_assert_uint_eq(P.n, before);
    stop(ns);
}
END_TEST

/* A WINS server that refuses, echoing our own address (as nmbd does),
 * and when asked says 10.9.9.9 holds the name. */
static void wins_no(peer *pr, const ms_nbns_packet *p)
{
    ms_nbns_packet r;
    if (MS_NBNS_OPCODE(p->flags) == MS_NBNS_OP_REGISTRATION) {
        ms_nbns_defend(&r, p, p->rr.addrs[0].ip, p->rr.addrs[0].nb_flags);
        peer_send(pr, &r);
    } else if (MS_NBNS_OPCODE(p->flags) == MS_NBNS_OP_QUERY) {
        ms_nbns_positive_response(&r, p, OTHER, 0, 100);
        peer_send(pr, &r);
    }
}

START_TEST(wins_refusal_names_the_holder)
{
    ms_name_service *ns = start(wins_no, true, NULL);
    ms_nb_name n = labpeer();
    ck_assert_int_eq(ms_name_service_add(ns, &n, false), MS_OK);
    char err[256] = "";
    ck_assert_int_eq(ms_name_service_wait(ns, 5000, err, sizeof err), MS_ERR_EXISTS);
    ck_assert_str_eq(err, "refused LABPEER<00>: held by 10.9.9.9 (negative registration "
                          "response from WINS server 127.0.0.1, ACT_ERR)");
    ck_assert_uint_eq(P.n, 2); /* the registration, the query */
    stop(ns);
}
END_TEST

static void quick_wins(ms_name_service_opts *o)
{
    o->wins_timeout_ms = 100;
    o->wins_tries = 2;
}

START_TEST(silent_wins_falls_back_to_broadcast)
{
    ms_name_service *ns = start(NULL, true, quick_wins);
    ms_nb_name n = labpeer();
    ck_assert_int_eq(ms_name_service_add(ns, &n, false), MS_OK);
    ck_assert_int_eq(ms_name_service_wait(ns, 5000, NULL, 0), MS_OK);
    ck_assert_int_eq(P.events[0], MS_NAME_EV_WINS_SILENT);
    ck_assert_int_eq(P.events[1], MS_NAME_EV_REGISTERED);
    pump(20);
    ck_assert_uint_eq(P.n, 2 + 3 + 1);
    ms_name_info info;
    ms_name_service_name(ns, 0, &info);
    ck_assert(!info.wins);
    stop(ns);
}
END_TEST

/* One name given up while the others stay: released on the wire and no
 * longer answered; taken again later; one still registering is dropped
 * silently. */
START_TEST(remove_one_name_and_take_it_again)
{
    ms_name_service *ns = registered(NULL);
    ms_nb_name n = labpeer(), g = mkname("LABGROUP", 0x1e, NULL);
    ms_nb_name other = mkname("NOBODY", 0x00, NULL);
    ck_assert_int_eq(ms_name_service_remove(ns, &other), MS_ERR_NOT_FOUND);
    ck_assert_int_eq(ms_name_service_remove(ns, &n), MS_OK);
    ck_assert_int_eq(state_of(ns, 0), MS_NAME_RELEASED);
    ck_assert_int_eq(state_of(ns, 1), MS_NAME_ACTIVE);
    ck_assert_int_eq(ms_name_service_remove(ns, &n), MS_ERR_NOT_FOUND);
    pump(50);
    ck_assert_uint_eq(P.n, 1);
    ms_nbns_packet r, q;
    got(0, &r);
    ck_assert_uint_eq(MS_NBNS_OPCODE(r.flags), MS_NBNS_OP_RELEASE);
    ck_assert(ms_nbns_name_equal(ms_nbns_subject(&r), &n));
    ck_assert_int_eq(P.events[P.nevents - 1], MS_NAME_EV_RELEASED);
    /* No longer answered; the group still is. */
    P.n = 0;
    ms_nbns_query(&q, 0x201, &n, true);
    peer_send(&P, &q);
    ms_nbns_query(&q, 0x202, &g, false);
    peer_send(&P, &q);
    pump(100);
    ck_assert_uint_eq(P.n, 1);
    got(0, &r);
    ck_assert_uint_eq(r.trn_id, 0x202);
    /* Taken again: registered anew in the same entry. */
    ck_assert_int_eq(ms_name_service_add(ns, &g, true), MS_ERR_EXISTS);
    ck_assert_int_eq(ms_name_service_add(ns, &n, false), MS_OK);
    ck_assert_int_eq(state_of(ns, 0), MS_NAME_REGISTERING);
    char err[256] = "";
    ck_assert_int_eq(ms_name_service_wait(ns, 5000, err, sizeof err), MS_OK);
    ck_assert_int_eq(state_of(ns, 0), MS_NAME_ACTIVE);
    ck_assert_int_eq(ms_name_service_name(ns, 2, &(ms_name_info){ 0 }), MS_ERR_NOT_FOUND);
    /* Removed while registering: its first request went out at once,
     * then nothing more, no release. */
    pump(50);
    P.n = 0;
    ck_assert_int_eq(ms_name_service_add(ns, &other, false), MS_OK);
    ck_assert_int_eq(ms_name_service_remove(ns, &other), MS_OK);
    ck_assert_int_eq(state_of(ns, 2), MS_NAME_RELEASED);
    pump(400);
    ck_assert_uint_eq(P.n, 1);
    got(0, &r);
    ck_assert_uint_eq(MS_NBNS_OPCODE(r.flags), MS_NBNS_OP_REGISTRATION);
    stop(ns);
}
END_TEST

/* Bound to an interface (SO_BINDTODEVICE): lo works (root or not, on
 * Linux 5.7 and later), an interface that does not exist is an error
 * naming it. */
static void on_lo(ms_name_service_opts *o)
{
    strcpy(o->ifname, "lo");
}

START_TEST(bound_to_an_interface)
{
    ms_name_service *ns = start(NULL, false, on_lo);
    ms_nb_name n = labpeer();
    ck_assert_int_eq(ms_name_service_add(ns, &n, false), MS_OK);
    char err[256] = "";
    ck_assert_int_eq(ms_name_service_wait(ns, 5000, err, sizeof err), MS_OK);
    ck_assert_uint_ge(P.n, 3);
    stop(ns);

    ck_assert_int_eq(ms_loop_new(&L), MS_OK);
    ms_name_service_opts o;
    ms_name_service_opts_init(&o);
    o.our_ip = US;
    o.bcast_ip = LOOPBACK;
    o.port = free_port();
    strcpy(o.ifname, "nosuchif0");
    ms_name_service *bad = (ms_name_service *)1;
    ck_assert_int_eq(ms_name_service_open(L, &o, &bad, err, sizeof err), MS_ERR_SYSTEM);
    ck_assert_ptr_null(bad);
    ck_assert_msg(strstr(err, "bind to interface nosuchif0") != NULL, "%s", err);
    ms_loop_free(L);
}
END_TEST

START_TEST(bad_options)
{
    ck_assert_int_eq(ms_loop_new(&L), MS_OK);
    ms_name_service_opts o;
    ms_name_service_opts_init(&o);
    ms_name_service *ns = (ms_name_service *)1;
    char err[200] = "";
    ck_assert_int_eq(ms_name_service_open(L, &o, &ns, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_ptr_null(ns);
    ck_assert_str_eq(err, "name service: no address to register (our_ip)");
    o.our_ip = US;
    ck_assert_int_eq(ms_name_service_open(L, &o, &ns, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_str_eq(err, "name service: neither a broadcast address nor a WINS server");
    ms_loop_free(L);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("name_service");
    TCase *t = tcase_create("name_service");
    tcase_set_timeout(t, 30);
    tcase_add_test(t, broadcast_registration_claims_after_three_requests);
    tcase_add_test(t, negative_response_refuses);
    tcase_add_test(t, echoed_negative_response_names_the_sender);
    tcase_add_test(t, answers_queries_and_node_status);
    tcase_add_test(t, defends_unique_names_only);
    tcase_add_test(t, conflict_demand_from_on_link_is_obeyed);
    tcase_add_test(t, conflict_demand_ignored_off_link_or_by_request);
    tcase_add_test(t, wins_registration_wack_refresh_release);
    tcase_add_test(t, wins_refusal_names_the_holder);
    tcase_add_test(t, silent_wins_falls_back_to_broadcast);
    tcase_add_test(t, bad_options);
    tcase_add_test(t, remove_one_name_and_take_it_again);
    tcase_add_test(t, bound_to_an_interface);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
