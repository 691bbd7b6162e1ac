/* SPDX-License-Identifier: MIT */
/* NetBIOS name resolution for the sender: an LMHOSTS-style static map, then
 * a NAME QUERY REQUEST (RFC 1002 §4.2.12) by broadcast (B node, §5.1.1.2)
 * or unicast to a WINS server, with retries inside one overall timeout. */
#include "mailslot/nbns.h"
#include "mailslot/nbns_resolve.h"

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
#include "sized.h"
#include "hex.h"
#include "mailslot/net.h"

#define NBNS_PORT 137
/* Sends of one query: the first and up to two retries (RFC 1002 §6:
 * BCAST_REQ_RETRY_COUNT 3). */
#define QUERY_SENDS 3
/* Datagrams read per query at most, so a flood of junk cannot keep us
 * looping past the deadline checks. */
#define MAX_READS 256

static uint8_t ascii_upper(uint8_t ch)
{
    return (ch >= 'a' && ch <= 'z') ? (uint8_t)(ch - 'a' + 'A') : ch;
}

/* One hosts line against the name; true and *ip on a match. */
static bool hosts_line_match(char *line, const ms_nb_name *name, uint32_t *ip)
{
    char *save = NULL;
    char *ipf = strtok_r(line, " \t\r\n", &save);
    if (!ipf || ipf[0] == '#')
        return false;
    char *nf = strtok_r(NULL, " \t\r\n", &save);
    if (!nf || nf[0] == '#')
        return false;
    struct in_addr a;
    if (inet_pton(AF_INET, ipf, &a) != 1)
        return false;

    size_t nl = strlen(nf);
    int suffix = -1;
    char *hash = strrchr(nf, '#');
    if (hash && hash != nf && strlen(hash) == 3 && ms_hexval(hash[1]) >= 0 && ms_hexval(hash[2]) >= 0) {
        suffix = ms_hexval(hash[1]) << 4 | ms_hexval(hash[2]);
        nl -= 3;
    }
    if (nl == 0 || nl > 15)
        return false;
    if (suffix >= 0 && (uint8_t)suffix != name->name[15])
        return false;
    uint8_t want[15];
    memset(want, ' ', sizeof want);
    memcpy(want, nf, nl);
    for (size_t i = 0; i < 15; i++)
        if (ascii_upper(want[i]) != ascii_upper(name->name[i]))
            return false;
    *ip = ntohl(a.s_addr);
    return true;
}

ms_status ms_nbns_hosts_lookup(const char *path, const ms_nb_name *name,
                               uint32_t *ip, char *err, size_t errlen)
{
    char text[128];
    ms_nb_name_format(name, text, sizeof text);
    if (!path || !name->valid) {
        ms_errf(err, errlen, "hosts lookup: %s", !path ? "no file given" : "name is not a valid NetBIOS name");
        return MS_ERR_INVALID_ARG;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        ms_errf(err, errlen, "cannot open hosts file %s: %s", path, strerror(errno));
        return MS_ERR_SYSTEM;
    }
    char line[1024];
    bool found = false;
    bool cont = false; /* inside an over-long line: skip its rest */
    while (!found && fgets(line, sizeof line, f)) {
        size_t l = strlen(line);
        bool whole = l > 0 && line[l - 1] == '\n';
        if (!cont && whole)
            found = hosts_line_match(line, name, ip);
        else if (!cont && feof(f))
            found = hosts_line_match(line, name, ip); /* last line, no newline */
        cont = !whole;
    }
    bool rerr = ferror(f);
    fclose(f);
    if (found)
        return MS_OK;
    if (rerr) {
        ms_errf(err, errlen, "cannot read hosts file %s", path);
        return MS_ERR_SYSTEM;
    }
    ms_errf(err, errlen, "%s not in hosts file %s", text, path);
    return MS_ERR_NOT_FOUND;
}

static uint16_t new_trn_id(void)
{
    uint16_t id = 0;
    /* Unpredictable ids make off-path spoofed answers harder; the clock is
     * the fallback when the kernel has no entropy call for us. */
    if (getentropy(&id, sizeof id) != 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        id = (uint16_t)(ts.tv_nsec ^ (ts.tv_nsec >> 16) ^ getpid());
    }
    return id;
}

static const char *rcode_name(unsigned rc)
{
    switch (rc) {
    case MS_NBNS_RCODE_FMT_ERR: return "FMT_ERR";
    case MS_NBNS_RCODE_SRV_ERR: return "SRV_ERR";
    case MS_NBNS_RCODE_NAM_ERR: return "NAM_ERR";
    case MS_NBNS_RCODE_IMP_ERR: return "IMP_ERR";
    case MS_NBNS_RCODE_RFS_ERR: return "RFS_ERR";
    case MS_NBNS_RCODE_ACT_ERR: return "ACT_ERR";
    case MS_NBNS_RCODE_CFT_ERR: return "CFT_ERR";
    default: return "unknown";
    }
}

/* Outcome of one received datagram. */
enum { RX_IGNORE, RX_POSITIVE, RX_NEGATIVE };

static int classify(const uint8_t *buf, size_t len, uint16_t trn_id, const ms_nb_name *name,
                    ms_nbns_packet *p)
{
    if (ms_nbns_decode(buf, len, p, NULL) != MS_OK)
        return RX_IGNORE;
    if (!(p->flags & MS_NBNS_RESPONSE) || p->trn_id != trn_id ||
        MS_NBNS_OPCODE(p->flags) != MS_NBNS_OP_QUERY || p->ancount != 1)
        return RX_IGNORE;
    if (!ms_nbns_name_equal(&p->rr.name, name))
        return RX_IGNORE;
    if (MS_NBNS_RCODE(p->flags) != 0)
        return RX_NEGATIVE;
    if (p->rr.type != MS_NBNS_TYPE_NB || p->rr.klass != MS_NBNS_CLASS_IN || p->rr.naddrs == 0)
        return RX_IGNORE;
    return RX_POSITIVE;
}

/* One name query in flight: its packet, socket, destination and clock. */
typedef struct query {
    const ms_nb_name *name;
    char text[128];          /* the name, for messages */
    bool bcast;
    uint32_t dst_ip;
    char dtext[16];
    uint16_t port, trn_id;
    uint8_t buf[MS_NBNS_MAX_PACKET];
    size_t len;
    int fd;
    int timeout, sends, reads;
    int64_t start;
} query;

static int64_t now_ms(void)
{
    return (int64_t)(ms_monotonic_ns() / 1000000u);
}

/* The packet and a socket to send it from. */
static ms_status query_open(query *q, const ms_resolve_opts *o, char *err, size_t errlen)
{
    q->bcast = o->wins_ip == 0;
    q->dst_ip = q->bcast ? o->bcast_ip : o->wins_ip;
    q->port = o->port ? o->port : NBNS_PORT;
    ms_ip_format(q->dst_ip, q->dtext, sizeof q->dtext);
    if (q->dst_ip == 0) {
        ms_errf(err, errlen, "resolve %s: no broadcast or WINS address to ask", q->text);
        return MS_ERR_INVALID_ARG;
    }
    q->timeout = o->timeout_ms > 0 ? o->timeout_ms : 1500;
    ms_nbns_packet p;
    q->trn_id = new_trn_id();
    ms_nbns_query(&p, q->trn_id, q->name, q->bcast);
    if (ms_nbns_encode(&p, q->buf, sizeof q->buf, &q->len) != MS_OK) {
        ms_errf(err, errlen, "resolve %s: name too long for a query", q->text);
        return MS_ERR_INVALID_ARG;
    }
    ms_udp_opts uo;
    ms_udp_opts_init(&uo);
    uo.addr = o->bind_ip;
    uo.broadcast = q->bcast;
    char why[200];
    if (ms_udp_open(&uo, &q->fd, why, sizeof why) != MS_OK) {
        ms_errf(err, errlen, "resolve %s: %s", q->text, why);
        return MS_ERR_SYSTEM;
    }
    return MS_OK;
}

/* When the next send is due: retries spread evenly over the timeout. */
static int64_t next_send(const query *q)
{
    return q->start + (int64_t)q->timeout * q->sends / QUERY_SENDS;
}

static ms_status send_due(query *q, int64_t now, char *err, size_t errlen)
{
    if (q->sends >= QUERY_SENDS || now < next_send(q))
        return MS_OK;
    if (ms_udp_sendto(q->fd, q->dst_ip, q->port, q->buf, q->len) != MS_OK) {
        ms_errf(err, errlen, "resolve %s: send to %s:%u: %s", q->text, q->dtext, q->port,
                strerror(errno));
        return MS_ERR_SYSTEM;
    }
    q->sends++;
    return MS_OK;
}

/* Read what is there (bounded). MS_OK with *n addresses: answered;
 * MS_ERR_NOT_FOUND: refused; MS_ERR_AGAIN: nothing yet. */
static ms_status drain(query *q, uint32_t *ips, size_t cap, size_t *n, char *err, size_t errlen)
{
    while (q->reads < MAX_READS) {
        uint8_t rbuf[2048];
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t got =
            recvfrom(q->fd, rbuf, sizeof rbuf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (got < 0)
            return MS_ERR_AGAIN; /* EAGAIN, or an ICMP error: keep waiting */
        q->reads++;
        uint32_t src = ntohl(from.sin_addr.s_addr);
        /* A WINS answer must come from the server we asked. */
        if (!q->bcast && src != q->dst_ip)
            continue;
        ms_nbns_packet r;
        int kind = classify(rbuf, (size_t)got, q->trn_id, q->name, &r);
        if (kind == RX_POSITIVE) {
            size_t k = 0;
            for (size_t i = 0; i < r.rr.naddrs && k < cap; i++)
                ips[k++] = r.rr.addrs[i].ip;
            *n = k;
            return MS_OK;
        }
        if (kind == RX_NEGATIVE) {
            char ftext[16];
            ms_ip_format(src, ftext, sizeof ftext);
            unsigned rc = MS_NBNS_RCODE(r.flags);
            ms_errf(err, errlen, "%s: negative name query response from %s (rcode %u %s)",
                    q->text, ftext, rc, rcode_name(rc));
            return MS_ERR_NOT_FOUND;
        }
    }
    ms_errf(err, errlen, "%s: no answer among %d datagrams from %s:%u", q->text, q->reads,
            q->dtext, q->port);
    return MS_ERR_NOT_FOUND;
}

/* Send, wait, read until an answer, a refusal or the deadline. */
static ms_status query_run(query *q, uint32_t *ips, size_t cap, size_t *n, char *err,
                           size_t errlen)
{
    q->start = now_ms();
    int64_t deadline = q->start + q->timeout;
    for (int64_t now; (now = now_ms()) < deadline;) {
        ms_status st = send_due(q, now, err, errlen);
        if (st != MS_OK)
            return st;
        int64_t wake = deadline;
        if (q->sends < QUERY_SENDS && next_send(q) < wake)
            wake = next_send(q);
        struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
        int pr = poll(&pfd, 1, (int)(wake > now ? wake - now : 0));
        if (pr < 0 && errno != EINTR) {
            ms_errf(err, errlen, "resolve %s: poll: %s", q->text, strerror(errno));
            return MS_ERR_SYSTEM;
        }
        if (pr > 0 && (st = drain(q, ips, cap, n, err, errlen)) != MS_ERR_AGAIN)
            return st;
    }
    ms_errf(err, errlen, "%s: no answer from %s:%u within %d ms (%d queries)", q->text,
            q->dtext, q->port, q->timeout, q->sends);
    return MS_ERR_NOT_FOUND;
}

void ms_resolve_opts_init(ms_resolve_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
}

ms_status ms_nbns_resolve(const ms_nb_name *name, const ms_resolve_opts *oin,
                          uint32_t *ips, size_t *n, char *err, size_t errlen)
{
    ms_resolve_opts opts;
    ms_resolve_opts_init(&opts);
    if (oin && oin->size >= sizeof oin->size)
        ms_sized_read(&opts, sizeof opts, oin);
    const ms_resolve_opts *o = oin && oin->size >= sizeof oin->size ? &opts : NULL;
    query q = { .name = name, .fd = -1 };
    ms_nb_name_format(name, q.text, sizeof q.text);
    if (!ips || !n || *n == 0 || !o || !name->valid) {
        ms_errf(err, errlen, "resolve %s: invalid argument", q.text);
        if (n)
            *n = 0;
        return MS_ERR_INVALID_ARG;
    }
    size_t cap = *n;
    *n = 0;
    if (o->hosts_file) {
        ms_status st = ms_nbns_hosts_lookup(o->hosts_file, name, &ips[0], err, errlen);
        if (st == MS_OK)
            *n = 1;
        if (st != MS_ERR_NOT_FOUND)
            return st;
    }
    ms_status st = query_open(&q, o, err, errlen);
    if (st == MS_OK)
        st = query_run(&q, ips, cap, n, err, errlen);
    if (q.fd >= 0)
        close(q.fd);
    return st;
}
