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
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "hex.h"

#define NBNS_PORT 137
/* Sends of one query: the first and up to two retries (RFC 1002 §6:
 * BCAST_REQ_RETRY_COUNT 3). */
#define QUERY_SENDS 3
/* Datagrams read per query at most, so a flood of junk cannot keep us
 * looping past the deadline checks. */
#define MAX_READS 256

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void ip_text(uint32_t ip, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
        errf(err, errlen, "hosts lookup: %s", !path ? "no file given" : "name is not a valid NetBIOS name");
        return MS_ERR_INVALID_ARG;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        errf(err, errlen, "cannot open hosts file %s: %s", path, strerror(errno));
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
        errf(err, errlen, "cannot read hosts file %s", path);
        return MS_ERR_SYSTEM;
    }
    errf(err, errlen, "%s not in hosts file %s", text, path);
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

ms_status ms_nbns_resolve(const ms_nb_name *name, const ms_resolve_opts *o,
                          uint32_t *ips, size_t *n, char *err, size_t errlen)
{
    char text[128];
    ms_nb_name_format(name, text, sizeof text);
    if (!ips || !n || *n == 0 || !o || !name->valid) {
        errf(err, errlen, "resolve %s: invalid argument", text);
        if (n)
            *n = 0;
        return MS_ERR_INVALID_ARG;
    }
    size_t cap = *n;
    *n = 0;

    if (o->hosts_file) {
        ms_status st = ms_nbns_hosts_lookup(o->hosts_file, name, &ips[0], err, errlen);
        if (st == MS_OK) {
            *n = 1;
            return MS_OK;
        }
        if (st != MS_ERR_NOT_FOUND)
            return st;
    }

    bool bcast = o->wins_ip == 0;
    uint32_t dst_ip = bcast ? o->bcast_ip : o->wins_ip;
    uint16_t port = o->port ? o->port : NBNS_PORT;
    char dtext[16];
    ip_text(dst_ip, dtext);
    if (dst_ip == 0) {
        errf(err, errlen, "resolve %s: no broadcast or WINS address to ask", text);
        return MS_ERR_INVALID_ARG;
    }
    int timeout = o->timeout_ms > 0 ? o->timeout_ms : 1500;

    ms_nbns_packet q;
    uint8_t qbuf[MS_NBNS_MAX_PACKET];
    size_t qlen;
    uint16_t trn_id = new_trn_id();
    ms_nbns_query(&q, trn_id, name, bcast);
    if (ms_nbns_encode(&q, qbuf, sizeof qbuf, &qlen) != MS_OK) {
        errf(err, errlen, "resolve %s: name too long for a query", text);
        return MS_ERR_INVALID_ARG;
    }

    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        errf(err, errlen, "resolve %s: socket: %s", text, strerror(errno));
        return MS_ERR_SYSTEM;
    }
    int one = 1;
    if (bcast && setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0) {
        errf(err, errlen, "resolve %s: SO_BROADCAST: %s", text, strerror(errno));
        close(fd);
        return MS_ERR_SYSTEM;
    }
    struct sockaddr_in local = { .sin_family = AF_INET };
    local.sin_addr.s_addr = htonl(o->bind_ip);
    if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
        char btext[16];
        ip_text(o->bind_ip, btext);
        errf(err, errlen, "resolve %s: bind %s: %s", text, btext, strerror(errno));
        close(fd);
        return MS_ERR_SYSTEM;
    }
    struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(port) };
    dst.sin_addr.s_addr = htonl(dst_ip);

    int64_t start = now_ms(), deadline = start + timeout;
    int sends = 0, reads = 0;
    ms_status result = MS_ERR_NOT_FOUND;
    bool done = false;
    while (!done) {
        int64_t now = now_ms();
        if (now >= deadline)
            break;
        /* Retries spread evenly over the timeout. */
        if (sends < QUERY_SENDS && now >= start + (int64_t)timeout * sends / QUERY_SENDS) {
            if (sendto(fd, qbuf, qlen, 0, (struct sockaddr *)&dst, sizeof dst) < 0) {
                errf(err, errlen, "resolve %s: send to %s:%u: %s", text, dtext, port, strerror(errno));
                result = MS_ERR_SYSTEM;
                break;
            }
            sends++;
        }
        int64_t wake = deadline;
        if (sends < QUERY_SENDS) {
            int64_t next = start + (int64_t)timeout * sends / QUERY_SENDS;
            if (next < wake)
                wake = next;
        }
        int wait = (int)(wake > now ? wake - now : 0);
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int pr = poll(&pfd, 1, wait);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            errf(err, errlen, "resolve %s: poll: %s", text, strerror(errno));
            result = MS_ERR_SYSTEM;
            break;
        }
        if (pr == 0)
            continue;
        /* Drain what is there, bounded. */
        while (reads < MAX_READS) {
            uint8_t rbuf[2048];
            struct sockaddr_in from;
            socklen_t fl = sizeof from;
            ssize_t got = recvfrom(fd, rbuf, sizeof rbuf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
            if (got < 0)
                break; /* EAGAIN, or an ICMP error: keep waiting */
            reads++;
            /* A WINS answer must come from the server we asked. */
            if (!bcast && ntohl(from.sin_addr.s_addr) != dst_ip)
                continue;
            ms_nbns_packet r;
            int kind = classify(rbuf, (size_t)got, trn_id, name, &r);
            if (kind == RX_POSITIVE) {
                size_t k = 0;
                for (size_t i = 0; i < r.rr.naddrs && k < cap; i++)
                    ips[k++] = r.rr.addrs[i].ip;
                *n = k;
                result = MS_OK;
                done = true;
                break;
            }
            if (kind == RX_NEGATIVE) {
                char ftext[16];
                ip_text(ntohl(from.sin_addr.s_addr), ftext);
                unsigned rc = MS_NBNS_RCODE(r.flags);
                errf(err, errlen, "%s: negative name query response from %s (rcode %u %s)",
                     text, ftext, rc, rcode_name(rc));
                result = MS_ERR_NOT_FOUND;
                done = true;
                break;
            }
        }
        if (reads >= MAX_READS && !done) {
            errf(err, errlen, "%s: no answer among %d datagrams from %s:%u", text, reads, dtext, port);
            done = true;
            result = MS_ERR_NOT_FOUND;
        }
    }
    close(fd);
    if (result == MS_ERR_NOT_FOUND && !done)
        errf(err, errlen, "%s: no answer from %s:%u within %d ms (%d queries)", text, dtext, port,
             timeout, sends);
    return result;
}
