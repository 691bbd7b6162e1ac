/* SPDX-License-Identifier: MIT */
/* The lookup and the node status query (src/transport/nbns_lookup.c,
 * nbns_status_query.c, nbns_xchg.c) over 127.0.0.1 only, against a fake
 * peer in a child process: a few UDP sockets that answer each request
 * with canned packets built by the codec (several answers, a group with
 * three entries, a negative answer, a wrong transaction ID, garbage, a
 * node status response). The peer checks the request itself and stays
 * silent when it is not the one expected, so a wrong request fails the
 * test by timing out. */
#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/nbns.h"
#include "mailslot/nbns_resolve.h"
#include "nbns_peer.h"

/* ---- the fake peer -------------------------------------------------------- */

#define PEER_SOCKS 4

typedef struct peer {
    int fd[PEER_SOCKS];     /* fd[0] receives the requests */
    uint16_t port[PEER_SOCKS];
    pid_t pid;
} peer;

typedef struct reply_to {
    const peer *p;
    const ms_nbns_packet *q; /* the request */
    struct sockaddr_in from;
} reply_to;

/* What the peer does with one request. */
typedef void (*peer_script)(const reply_to *r);

static void send_raw(const reply_to *r, int sock, const uint8_t *b, size_t n)
{
    sendto(r->p->fd[sock], b, n, 0, (const struct sockaddr *)&r->from, sizeof r->from);
}

static void send_pkt(const reply_to *r, int sock, const ms_nbns_packet *pkt)
{
    uint8_t out[4096];
    size_t n;
    if (ms_nbns_encode(pkt, out, sizeof out, &n) == MS_OK)
        send_raw(r, sock, out, n);
}

/* A positive answer with these entries; ttl carries the request's flags
 * back, so the test sees what went on the wire. */
static ms_nbns_packet positive(const reply_to *r, const ms_nbns_addr *e, size_t n)
{
    ms_nbns_packet a;
    ms_nbns_positive_response(&a, r->q, e[0].ip, e[0].nb_flags, r->q->flags);
    for (size_t i = 0; i < n; i++)
        a.rr.addrs[i] = e[i];
    a.rr.naddrs = n;
    return a;
}

static ms_nbns_packet negative(const reply_to *r, unsigned rcode)
{
    ms_nbns_packet a;
    ms_nbns_positive_response(&a, r->q, 0, 0, 0);
    a.flags |= (uint16_t)rcode;
    a.rr.type = MS_NBNS_TYPE_NULL;
    a.rr.naddrs = 0;
    return a;
}

static bool is_name_query(const ms_nbns_packet *q, const char *text, uint8_t suffix)
{
    ms_nb_name want = mkname(text, suffix, NULL);
    return q->qdcount == 1 && q->q.type == MS_NBNS_TYPE_NB && q->q.klass == MS_NBNS_CLASS_IN &&
           !(q->flags & MS_NBNS_RESPONSE) && ms_nbns_name_equal(&q->q.name, &want);
}

static void peer_serve(const peer *p, peer_script script, int ms)
{
    int64_t end = now_ms() + ms;
    for (int reads = 0; now_ms() < end && reads < 1000;) {
        struct pollfd pfd = { .fd = p->fd[0], .events = POLLIN };
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        uint8_t in[600];
        reply_to r = { .p = p };
        socklen_t fl = sizeof r.from;
        ssize_t got = recvfrom(p->fd[0], in, sizeof in, 0, (struct sockaddr *)&r.from, &fl);
        reads++;
        ms_nbns_packet q;
        if (got <= 0 || ms_nbns_decode(in, (size_t)got, &q, NULL) != MS_OK)
            continue;
        r.q = &q;
        script(&r);
    }
}

static peer peer_start(peer_script script)
{
    peer p;
    for (int i = 0; i < PEER_SOCKS; i++) {
        p.fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
        ck_assert_int_ge(p.fd[i], 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LOOPBACK) };
        ck_assert_int_eq(bind(p.fd[i], (struct sockaddr *)&a, sizeof a), 0);
        socklen_t al = sizeof a;
        ck_assert_int_eq(getsockname(p.fd[i], (struct sockaddr *)&a, &al), 0);
        p.port[i] = ntohs(a.sin_port);
    }
    p.pid = fork();
    ck_assert_int_ge(p.pid, 0);
    if (p.pid == 0) {
        peer_serve(&p, script, 8000);
        _exit(0);
    }
    for (int i = 0; i < PEER_SOCKS; i++)
        close(p.fd[i]);
    return p;
}

/* SIGKILL: the child inherits Check's SIGTERM handler. */
static void peer_stop(peer *p)
{
    kill(p->pid, SIGKILL);
    int status;
    waitpid(p->pid, &status, 0);
}

/* ---- scripts --------------------------------------------------------------- */

static const ms_nbns_addr ONE = { MS_NBNS_ONT_B, 0x0A010203u };             /* 10.1.2.3 */
static const ms_nbns_addr TWO = { MS_NBNS_ONT_H, 0x0A010204u };             /* 10.1.2.4 */
static const ms_nbns_addr GROUP3[3] = { { MS_NBNS_NB_GROUP | MS_NBNS_ONT_B, 0x0A000001u },
                                        { MS_NBNS_NB_GROUP | MS_NBNS_ONT_B, 0x0A000002u },
                                        { MS_NBNS_NB_GROUP | MS_NBNS_ONT_P, 0x0A000003u } };

/* Noise first, then the answers: for LABPEER<00> two holders and a
 * refusal from three sockets; for MSLAB<1e> one answer with three group
 * entries; for BIGGROUP<1c> one with 30 entries; for GHOST<00> only a
 * negative answer; for anything else nothing. */
static void script_names(const reply_to *r)
{
    static const uint8_t garbage[] = { 0x12, 0x34, 0x85 };
    send_raw(r, 0, garbage, sizeof garbage);
    ms_nbns_packet a = positive(r, &(ms_nbns_addr){ 0, 0x0A090909u }, 1);
    a.trn_id ^= 0x5555; /* someone else's transaction */
    send_pkt(r, 0, &a);
    ms_nbns_packet echo = *r->q; /* a request is no answer */
    send_pkt(r, 0, &echo);
    a = positive(r, &ONE, 1);
    a.flags = (uint16_t)((a.flags & ~MS_NBNS_OPCODE_FLAGS(0xF)) | MS_NBNS_OPCODE_FLAGS(MS_NBNS_OP_WACK));
    send_pkt(r, 0, &a); /* WACK */
    if (is_name_query(r->q, "LABPEER", 0x00)) {
        a = positive(r, &ONE, 1);
        a.rr.name = mkname("OTHER", 0x00, NULL); /* another name */
        send_pkt(r, 0, &a);
        a = positive(r, &ONE, 1);
        send_pkt(r, 1, &a);
        a = positive(r, &TWO, 1);
        send_pkt(r, 2, &a);
        a = negative(r, MS_NBNS_RCODE_NAM_ERR);
        send_pkt(r, 3, &a);
    } else if (is_name_query(r->q, "MSLAB", 0x1e)) {
        a = positive(r, GROUP3, 3);
        send_pkt(r, 1, &a);
    } else if (is_name_query(r->q, "BIGGROUP", 0x1c)) {
        uint8_t rd[30 * 6];
        for (size_t i = 0; i < 30; i++) {
            uint8_t e[6] = { 0x80, 0, 10, 0, 1, (uint8_t)(i + 1) };
            memcpy(rd + 6 * i, e, 6);
        }
        a = positive(r, &ONE, 1);
        a.rr.naddrs = 0;
        a.rr.rdata.p = rd;
        a.rr.rdata.len = sizeof rd;
        send_pkt(r, 1, &a);
    } else if (is_name_query(r->q, "GHOST", 0x00)) {
        a = negative(r, MS_NBNS_RCODE_NAM_ERR);
        send_pkt(r, 0, &a);
    }
}

static ms_nbns_node_status table(void)
{
    ms_nbns_node_status st;
    memset(&st, 0, sizeof st);
    static const struct { const char *n; uint8_t sfx; uint16_t fl; } rows[] = {
        { "LABPEER", 0x00, MS_NBNS_NAME_ACT | MS_NBNS_ONT_B },
        { "LABPEER", 0x20, MS_NBNS_NAME_ACT | MS_NBNS_NAME_PRM },
        { "MSLAB", 0x1e, MS_NBNS_NB_GROUP | MS_NBNS_NAME_ACT },
        { "MSLAB", 0x1d, MS_NBNS_NAME_CNF | MS_NBNS_ONT_H },
        { "OLDNAME", 0x00, MS_NBNS_NAME_DRG | MS_NBNS_ONT_M },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ck_assert_int_eq(ms_nb_name_pad(st.names[i].name, rows[i].n, strlen(rows[i].n),
                                          rows[i].sfx), MS_OK);
        st.names[i].flags = rows[i].fl;
    }
    st.nnames = sizeof rows / sizeof rows[0];
    static const uint8_t mac[6] = { 0x02, 0x00, 0xc0, 0x00, 0x02, 0x0a };
    memcpy(st.unit_id, mac, 6);
    return st;
}

static bool is_status_query(const ms_nbns_packet *q)
{
    static const uint8_t star[16] = { '*' };
    return q->qdcount == 1 && q->q.type == MS_NBNS_TYPE_NBSTAT &&
           q->q.klass == MS_NBNS_CLASS_IN && q->q.name.valid && q->flags == 0 &&
           !memcmp(q->q.name.name, star, 16);
}

/* Garbage, a response to another transaction, a name query response, then
 * the table. */
static void script_status(const reply_to *r)
{
    if (!is_status_query(r->q))
        return;
    static const uint8_t garbage[] = { 0xff };
    send_raw(r, 0, garbage, sizeof garbage);
    ms_nbns_node_status st = table();
    uint8_t rd[1024];
    size_t n;
    ck_assert_int_eq(ms_nbns_node_status_encode(&st, rd, sizeof rd, &n), MS_OK);
    ms_nbns_packet a;
    ms_nbns_status_response(&a, r->q, rd, 1 + 18); /* one name, no statistics */
    a.trn_id ^= 1;
    send_pkt(r, 0, &a);
    ms_nbns_packet nb = positive(r, &ONE, 1);
    send_pkt(r, 0, &nb);
    ms_nbns_status_response(&a, r->q, rd, n);
    send_pkt(r, 0, &a);
}

/* A table that ends inside its third name. */
static void script_status_cut(const reply_to *r)
{
    if (!is_status_query(r->q))
        return;
    ms_nbns_node_status st = table();
    uint8_t rd[1024];
    size_t n;
    ck_assert_int_eq(ms_nbns_node_status_encode(&st, rd, sizeof rd, &n), MS_OK);
    ms_nbns_packet a;
    ms_nbns_status_response(&a, r->q, rd, 1 + 18 * 2 + 7);
    send_pkt(r, 0, &a);
}

static void script_silent(const reply_to *r)
{
    (void)r;
}

/* ---- helpers ------------------------------------------------------------------ */

static ms_lookup_opts lopts(ms_lookup_mode mode, uint16_t port, int timeout)
{
    ms_lookup_opts o;
    ms_lookup_opts_init(&o);
    o.mode = mode;
    o.dst_ip = LOOPBACK;
    o.bind_ip = LOOPBACK;
    o.port = port;
    o.timeout_ms = timeout;
    return o;
}

static const ms_lookup_answer *by_addr(const ms_lookup_answer *a, size_t n, uint32_t ip)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].naddrs && a[i].addrs[0].ip == ip)
            return &a[i];
    return NULL;
}

static void one_line(const char *err)
{
    ck_assert_msg(err[0] && !strchr(err, '\n'), "one-line reason wanted: '%s'", err);
}

/* ---- tests -------------------------------------------------------------------- */

/* Broadcast: every answer within the timeout, the noise dropped, the
 * retries' repeats counted once. */
START_TEST(broadcast_collects_all)
{
    peer p = peer_start(script_names);
    ms_lookup_opts o = lopts(MS_LOOKUP_BROADCAST, p.port[0], 600);
    ms_nb_name name = mkname("labpeer", 0x00, NULL); /* the case does not matter */
    ms_lookup_answer a[8];
    size_t n = 8;
    ms_lookup_stats st = MS_SIZED(ms_lookup_stats);
    char err[256] = "";
    int64_t t0 = now_ms();
    ms_status s = ms_nbns_lookup(&name, &o, a, &n, &st, err, sizeof err);
    int64_t took = now_ms() - t0;
    ck_assert_msg(s == MS_OK, "%s", err);
    ck_assert_msg(took >= 590 && took < 1500, "broadcast took %lld ms", (long long)took);
    ck_assert_uint_eq(n, 3);
    const ms_lookup_answer *x = by_addr(a, n, ONE.ip), *y = by_addr(a, n, TWO.ip);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    ck_assert_uint_eq(x->from_ip, LOOPBACK);
    ck_assert_uint_eq(x->from_port, p.port[1]);
    ck_assert_uint_eq(y->from_port, p.port[2]);
    ck_assert_uint_eq(x->naddrs, 1);
    ck_assert_uint_eq(x->naddrs_total, 1);
    ck_assert_uint_eq(x->addrs[0].nb_flags, MS_NBNS_ONT_B);
    ck_assert_uint_eq(y->addrs[0].nb_flags, MS_NBNS_ONT_H);
    /* The request had RD and B (the peer put its flags in the TTL). */
    ck_assert_uint_eq(x->ttl, MS_NBNS_RD | MS_NBNS_BROADCAST);
    ck_assert_uint_eq(MS_NBNS_RCODE(x->flags), 0);
    ck_assert(x->flags & MS_NBNS_AA);
    size_t neg = 0;
    for (size_t i = 0; i < n; i++)
        if (MS_NBNS_RCODE(a[i].flags) != 0) {
            neg++;
            ck_assert_uint_eq(MS_NBNS_RCODE(a[i].flags), MS_NBNS_RCODE_NAM_ERR);
            ck_assert_uint_eq(a[i].from_port, p.port[3]);
            ck_assert_uint_eq(a[i].naddrs, 0);
        }
    ck_assert_uint_eq(neg, 1);
    /* Three sends; per send: garbage (malformed), wrong ID, echoed
     * request, WACK, other name (unmatched), three answers. */
    ck_assert_uint_eq(st.sends, 3);
    ck_assert_uint_eq(st.datagrams, 3 * 8);
    ck_assert_uint_eq(st.malformed, 3);
    ck_assert_uint_eq(st.unmatched, 3 * 4);
    ck_assert_uint_eq(st.duplicates, 2 * 3);
    ck_assert_uint_eq(st.overflow, 0);
    ck_assert_uint_ge(st.elapsed_ms, 590);
    peer_stop(&p);
}
END_TEST

/* A group: one answer with three entries, each with its NB_FLAGS; an
 * answer with more entries than kept says how many there were. */
START_TEST(group_entries)
{
    peer p = peer_start(script_names);
    ms_lookup_opts o = lopts(MS_LOOKUP_BROADCAST, p.port[0], 300);
    ms_nb_name name = mkname("MSLAB", 0x1e, NULL);
    ms_lookup_answer a[4];
    size_t n = 4;
    char err[256] = "";
    ck_assert_msg(ms_nbns_lookup(&name, &o, a, &n, NULL, err, sizeof err) == MS_OK, "%s", err);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(a[0].naddrs, 3);
    ck_assert_uint_eq(a[0].naddrs_total, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(a[0].addrs[i].ip, GROUP3[i].ip);
        ck_assert_uint_eq(a[0].addrs[i].nb_flags, GROUP3[i].nb_flags);
        ck_assert(a[0].addrs[i].nb_flags & MS_NBNS_NB_GROUP);
    }
    name = mkname("BIGGROUP", 0x1c, NULL);
    n = 4;
    ck_assert_msg(ms_nbns_lookup(&name, &o, a, &n, NULL, err, sizeof err) == MS_OK, "%s", err);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(a[0].naddrs, MS_NBNS_MAX_ADDRS);
    ck_assert_uint_eq(a[0].naddrs_total, 30);
    ck_assert_uint_eq(a[0].addrs[24].ip, 0x0A000119u);
    peer_stop(&p);
}
END_TEST

/* Unicast (WINS, host): no B bit, the first answer ends it; a negative
 * answer is NOT_FOUND at once, and is reported. */
START_TEST(unicast_first_answer)
{
    peer p = peer_start(script_names);
    ms_nb_name name = mkname("LABPEER", 0x00, NULL);
    ms_lookup_answer a[4];
    char err[256] = "";
    for (int mode = MS_LOOKUP_WINS; mode <= MS_LOOKUP_HOST; mode++) {
        ms_lookup_opts o = lopts((ms_lookup_mode)mode, p.port[0], 3000);
        size_t n = 4;
        ms_lookup_stats st = MS_SIZED(ms_lookup_stats);
        int64_t t0 = now_ms();
        ms_status s = ms_nbns_lookup(&name, &o, a, &n, &st, err, sizeof err);
        ck_assert_msg(s == MS_OK, "%s", err);
        ck_assert_msg(now_ms() - t0 < 1000, "unicast did not end at the first answer");
        ck_assert_uint_eq(n, 1);
        ck_assert_uint_eq(a[0].addrs[0].ip, ONE.ip);
        ck_assert_uint_eq(a[0].ttl, MS_NBNS_RD); /* no B */
        ck_assert_uint_eq(st.sends, 1);
        ck_assert_uint_eq(st.malformed, 1);
        ck_assert_uint_eq(st.unmatched, 4);
    }
    ms_lookup_opts o = lopts(MS_LOOKUP_WINS, p.port[0], 3000);
    name = mkname("GHOST", 0x00, NULL);
    size_t n = 4;
    int64_t t0 = now_ms();
    ck_assert_int_eq(ms_nbns_lookup(&name, &o, a, &n, NULL, err, sizeof err), MS_ERR_NOT_FOUND);
    ck_assert_msg(now_ms() - t0 < 1000, "a negative answer did not end the lookup");
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(MS_NBNS_RCODE(a[0].flags), MS_NBNS_RCODE_NAM_ERR);
    one_line(err);
    ck_assert_msg(strstr(err, "GHOST<00>") && strstr(err, "negative") && strstr(err, "NAM_ERR") &&
                  strstr(err, "127.0.0.1"), "%s", err);
    peer_stop(&p);
}
END_TEST

/* Nobody answers: NOT_FOUND after the timeout, three sends. */
START_TEST(silence)
{
    peer p = peer_start(script_names);
    ms_nb_name name = mkname("NOBODY", 0x00, NULL);
    for (int mode = MS_LOOKUP_BROADCAST; mode <= MS_LOOKUP_HOST; mode++) {
        ms_lookup_opts o = lopts((ms_lookup_mode)mode, p.port[0], 450);
        ms_lookup_answer a[2];
        size_t n = 2;
        ms_lookup_stats st = MS_SIZED(ms_lookup_stats);
        char err[256] = "";
        int64_t t0 = now_ms();
        ck_assert_int_eq(ms_nbns_lookup(&name, &o, a, &n, &st, err, sizeof err),
                         MS_ERR_NOT_FOUND);
        int64_t took = now_ms() - t0;
        ck_assert_msg(took >= 440 && took < 1200, "took %lld ms", (long long)took);
        ck_assert_uint_eq(n, 0);
        ck_assert_uint_eq(st.sends, 3);
        ck_assert_uint_eq(st.malformed, 3); /* the peer's noise, nothing else */
        one_line(err);
        ck_assert_msg(strstr(err, "NOBODY<00>") && strstr(err, "no answer") &&
                      strstr(err, "450 ms"), "%s", err);
    }
    peer_stop(&p);
}
END_TEST

/* A caller's array too small: the first answers kept, the rest counted. */
START_TEST(overflow)
{
    peer p = peer_start(script_names);
    ms_lookup_opts o = lopts(MS_LOOKUP_BROADCAST, p.port[0], 300);
    ms_nb_name name = mkname("LABPEER", 0x00, NULL);
    ms_lookup_answer a[1];
    size_t n = 1;
    ms_lookup_stats st = MS_SIZED(ms_lookup_stats);
    char err[256] = "";
    ck_assert_msg(ms_nbns_lookup(&name, &o, a, &n, &st, err, sizeof err) == MS_OK ||
                  MS_NBNS_RCODE(a[0].flags) != 0, "%s", err);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_ge(st.overflow, 2);
    peer_stop(&p);
}
END_TEST

START_TEST(bad_arguments)
{
    ms_nb_name name = mkname("LABPEER", 0x00, NULL);
    ms_lookup_answer a[1];
    size_t n = 1;
    char err[128] = "";
    ms_lookup_opts o = lopts(MS_LOOKUP_BROADCAST, 9, 100);
    size_t zero = 0;
    ck_assert_int_eq(ms_nbns_lookup(&name, &o, a, &zero, NULL, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_nbns_lookup(&name, NULL, a, &n, NULL, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_uint_eq(n, 0);
    n = 1;
    o.mode = (ms_lookup_mode)7;
    ck_assert_int_eq(ms_nbns_lookup(&name, &o, a, &n, NULL, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    o = lopts(MS_LOOKUP_WINS, 9, 100);
    o.dst_ip = 0;
    n = 1;
    ck_assert_int_eq(ms_nbns_lookup(&name, &o, a, &n, NULL, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    one_line(err);
    ms_node_status_opts so;
    ms_node_status_opts_init(&so);
    ms_node_status_reply r;
    ck_assert_int_eq(ms_nbns_node_status_query(&so, &r, NULL, err, sizeof err),
                     MS_ERR_INVALID_ARG); /* no address */
    ck_assert_int_eq(ms_nbns_node_status_query(&so, NULL, NULL, NULL, 0), MS_ERR_INVALID_ARG);
}
END_TEST

static ms_node_status_opts sopts(uint16_t port, int timeout)
{
    ms_node_status_opts o;
    ms_node_status_opts_init(&o);
    o.dst_ip = LOOPBACK;
    o.bind_ip = LOOPBACK;
    o.port = port;
    o.timeout_ms = timeout;
    return o;
}

/* Node status: the request for "*", the table of the matching response. */
START_TEST(node_status)
{
    peer p = peer_start(script_status);
    ms_node_status_opts o = sopts(p.port[0], 3000);
    static ms_node_status_reply r;
    ms_lookup_stats st = MS_SIZED(ms_lookup_stats);
    char err[256] = "";
    ms_status s = ms_nbns_node_status_query(&o, &r, &st, err, sizeof err);
    ck_assert_msg(s == MS_OK, "%s", err);
    ms_nbns_node_status want = table();
    ck_assert_uint_eq(r.from_ip, LOOPBACK);
    ck_assert(r.flags & MS_NBNS_RESPONSE);
    ck_assert_uint_eq(r.status.nnames, want.nnames);
    for (size_t i = 0; i < want.nnames; i++) {
        ck_assert_mem_eq(r.status.names[i].name, want.names[i].name, 16);
        ck_assert_uint_eq(r.status.names[i].flags, want.names[i].flags);
    }
    ck_assert(r.status.has_unit_id);
    ck_assert_mem_eq(r.status.unit_id, want.unit_id, 6);
    ck_assert_uint_eq(r.stats_len, MS_NBNS_STATS_LEN);
    ck_assert_mem_eq(r.stats, want.unit_id, 6);
    ck_assert_ptr_null(r.status.stats.p);
    ck_assert_uint_eq(st.sends, 1);
    ck_assert_uint_eq(st.malformed, 1);
    ck_assert_uint_eq(st.unmatched, 2);
    peer_stop(&p);

    p = peer_start(script_status_cut);
    o = sopts(p.port[0], 3000);
    ck_assert_int_eq(ms_nbns_node_status_query(&o, &r, NULL, err, sizeof err), MS_ERR_BAD_INPUT);
    one_line(err);
    ck_assert_msg(strstr(err, "offset 37"), "%s", err);
    peer_stop(&p);

    p = peer_start(script_silent);
    o = sopts(p.port[0], 300);
    int64_t t0 = now_ms();
    ck_assert_int_eq(ms_nbns_node_status_query(&o, &r, &st, err, sizeof err), MS_ERR_NOT_FOUND);
    ck_assert_msg(now_ms() - t0 >= 290, "gave up early");
    ck_assert_uint_eq(st.sends, 3);
    one_line(err);
    ck_assert_msg(strstr(err, "node status of 127.0.0.1") && strstr(err, "no answer"), "%s", err);
    peer_stop(&p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("nbns_lookup");
    TCase *tc = tcase_create("loopback");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, broadcast_collects_all);
    tcase_add_test(tc, group_entries);
    tcase_add_test(tc, unicast_first_answer);
    tcase_add_test(tc, silence);
    tcase_add_test(tc, overflow);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, node_status);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
