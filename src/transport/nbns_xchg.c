/* SPDX-License-Identifier: MIT */
/* One NBNS request and its responses: send with retries inside one
 * timeout, read bounded, keep only responses to our transaction. */
#include "nbns_xchg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "errf.h"
#include "mailslot/net.h"

#define NBNS_PORT 137
/* Room for any response we take: a node status response naming 255 names
 * is 57 + 255 × 18 + 46 octets; longer datagrams are cut and then fail to
 * decode. */
#define RX_BUF 8192

uint16_t nbns_trn_id(void)
{
    uint16_t id = 0;
    /* Unpredictable IDs make off-path spoofed answers harder; the clock is
     * the fallback when the kernel has no entropy call for us. */
    if (getentropy(&id, sizeof id) != 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        id = (uint16_t)(ts.tv_nsec ^ (ts.tv_nsec >> 16) ^ getpid());
    }
    return id;
}

static int64_t now_ms(void)
{
    return (int64_t)(ms_monotonic_ns() / 1000000u);
}

/* The state of one run. */
typedef struct run {
    nbns_xchg *x;
    uint8_t pkt[MS_NBNS_MAX_PACKET];
    size_t len;
    uint16_t trn_id, port;
    int fd, timeout;
    int64_t start;
    char dtext[16];
} run;

static int64_t next_send(const run *r)
{
    /* Retries spread evenly over the timeout. */
    return r->start + (int64_t)r->timeout * r->x->st.sends / NBNS_XCHG_SENDS;
}

static ms_status send_due(run *r, int64_t now, char *err, size_t errlen)
{
    nbns_xchg *x = r->x;
    if (x->st.sends >= NBNS_XCHG_SENDS || now < next_send(r))
        return MS_OK;
    if (ms_udp_sendto(r->fd, x->dst_ip, r->port, r->pkt, r->len) != MS_OK) {
        ms_errf(err, errlen, "%s: send to %s:%u: %s", x->what, r->dtext, r->port,
                strerror(errno));
        return MS_ERR_SYSTEM;
    }
    x->st.sends++;
    return MS_OK;
}

/* One datagram: dropped, ignored, or handed to the caller. */
static xchg_verdict take(run *r, const uint8_t *buf, size_t len, uint32_t src, uint16_t sport)
{
    nbns_xchg *x = r->x;
    ms_nbns_packet p;
    if (ms_nbns_decode(buf, len, &p, NULL) != MS_OK) {
        x->st.malformed++;
        return XCHG_SKIP;
    }
    /* Ours: a response, to this transaction, from the address asked when
     * it was not a broadcast. WACK (opcode 7) and the rest are not. */
    bool ours = (p.flags & MS_NBNS_RESPONSE) && p.trn_id == r->trn_id &&
                MS_NBNS_OPCODE(p.flags) == MS_NBNS_OP_QUERY &&
                (x->broadcast || src == x->dst_ip);
    xchg_verdict v = ours ? x->on_response(x->ctx, &p, src, sport,
                                           (unsigned)(now_ms() - r->start))
                          : XCHG_SKIP;
    if (v == XCHG_SKIP)
        x->st.unmatched++;
    return v;
}

/* Read what is waiting (bounded). MS_OK: the caller's function said
 * done; MS_ERR_AGAIN: nothing more now; MS_ERR_TIMEOUT: the read bound. */
static ms_status drain(run *r)
{
    nbns_xchg *x = r->x;
    while (x->st.datagrams < NBNS_XCHG_MAX_READS) {
        uint8_t buf[RX_BUF];
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t got = recvfrom(r->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (got < 0)
            return MS_ERR_AGAIN; /* EAGAIN, or an ICMP error: keep waiting */
        x->st.datagrams++;
        if (take(r, buf, (size_t)got, ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)) ==
            XCHG_DONE)
            return MS_OK;
    }
    return MS_ERR_TIMEOUT;
}

/* Send, wait, read until done, the deadline or the read bound. */
static ms_status loop(run *r, char *err, size_t errlen)
{
    int64_t deadline = r->start + r->timeout;
    for (int64_t now; (now = now_ms()) < deadline;) {
        ms_status st = send_due(r, now, err, errlen);
        if (st != MS_OK)
            return st;
        int64_t wake = deadline;
        if (r->x->st.sends < NBNS_XCHG_SENDS && next_send(r) < wake)
            wake = next_send(r);
        struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
        int pr = poll(&pfd, 1, (int)(wake > now ? wake - now : 0));
        if (pr < 0 && errno != EINTR) {
            ms_errf(err, errlen, "%s: poll: %s", r->x->what, strerror(errno));
            return MS_ERR_SYSTEM;
        }
        if (pr > 0 && (st = drain(r)) != MS_ERR_AGAIN)
            return st;
    }
    return MS_ERR_TIMEOUT;
}

ms_status nbns_xchg_run(nbns_xchg *x, ms_nbns_packet *req, char *err, size_t errlen)
{
    memset(&x->st, 0, sizeof x->st);
    x->st.size = sizeof x->st;
    run r = { .x = x, .fd = -1 };
    r.port = x->port ? x->port : NBNS_PORT;
    r.timeout = x->timeout_ms > 0 ? x->timeout_ms : NBNS_XCHG_DEFAULT_TIMEOUT_MS;
    ms_ip_format(x->dst_ip, r.dtext, sizeof r.dtext);
    if (x->dst_ip == 0) {
        ms_errf(err, errlen, "%s: no address to ask", x->what);
        return MS_ERR_INVALID_ARG;
    }
    r.trn_id = req->trn_id = nbns_trn_id();
    if (ms_nbns_encode(req, r.pkt, sizeof r.pkt, &r.len) != MS_OK) {
        ms_errf(err, errlen, "%s: the name is too long for a request", x->what);
        return MS_ERR_INVALID_ARG;
    }
    ms_udp_opts uo;
    ms_udp_opts_init(&uo);
    uo.addr = x->bind_ip;
    uo.broadcast = x->broadcast;
    char why[200];
    if (ms_udp_open(&uo, &r.fd, why, sizeof why) != MS_OK) {
        ms_errf(err, errlen, "%s: %s", x->what, why);
        return MS_ERR_SYSTEM;
    }
    r.start = now_ms();
    ms_status st = loop(&r, err, errlen);
    x->st.elapsed_ms = (unsigned)(now_ms() - r.start);
    close(r.fd);
    return st;
}

void nbns_xchg_silence(const nbns_xchg *x, char *out, size_t cap)
{
    char d[16];
    ms_ip_format(x->dst_ip, d, sizeof d);
    unsigned port = x->port ? x->port : NBNS_PORT;
    if (x->st.datagrams >= NBNS_XCHG_MAX_READS)
        snprintf(out, cap, "no answer among %u datagrams from %s:%u", x->st.datagrams, d, port);
    else
        snprintf(out, cap, "no answer from %s:%u within %d ms (%u %s)", d, port,
                 x->timeout_ms > 0 ? x->timeout_ms : NBNS_XCHG_DEFAULT_TIMEOUT_MS, x->st.sends,
                 x->st.sends == 1 ? "query" : "queries");
}

nbns_answer nbns_answer_kind(const ms_nbns_packet *p, const ms_nb_name *name)
{
    if (p->ancount != 1 || !ms_nbns_name_equal(&p->rr.name, name))
        return NBNS_ANSWER_NONE;
    if (MS_NBNS_RCODE(p->flags) != 0)
        return NBNS_ANSWER_NEGATIVE;
    if (p->rr.type != MS_NBNS_TYPE_NB || p->rr.klass != MS_NBNS_CLASS_IN || p->rr.naddrs == 0)
        return NBNS_ANSWER_NONE;
    return NBNS_ANSWER_POSITIVE;
}
