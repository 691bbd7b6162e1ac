/* SPDX-License-Identifier: MIT */
/* B-node name responder (RFC 1002 §5.1.1.5, incoming packet processing):
 * answers NAME QUERY REQUESTs for our names and defends our unique names
 * against NAME REGISTRATION REQUESTs from other hosts. It never registers
 * names itself and keeps no cache: a mailslot receiver only has to be
 * findable by \\NAME senders. */
#include "mailslot/nbns.h"
#include "mailslot/nbns_responder.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errf.h"

#define NBNS_PORT 137
/* Datagrams handled per call: bounded work for one poll() wakeup. */
#define MAX_PER_CALL 64

typedef struct our_name {
    ms_nb_name name;
    bool group;
} our_name;

struct ms_nbns_responder {
    int fd;
    uint32_t our_ip;
    size_t nnames;
    our_name names[MS_NBNS_RESPONDER_MAX_NAMES];
};

static ms_nbns_responder *responder_open(uint32_t bind_ip, uint16_t port, uint32_t our_ip,
                                         const ms_nb_name *names, size_t nnames, char *err,
                                         size_t errlen)
{
    if (nnames > MS_NBNS_RESPONDER_MAX_NAMES || (nnames && !names)) {
        ms_errf(err, errlen, "nbns responder: at most %d names", MS_NBNS_RESPONDER_MAX_NAMES);
        return NULL;
    }
    for (size_t i = 0; i < nnames; i++) {
        if (!names[i].valid) {
            ms_errf(err, errlen, "nbns responder: name %zu is not a valid NetBIOS name", i);
            return NULL;
        }
    }
    ms_nbns_responder *r = calloc(1, sizeof *r);
    if (!r) {
        ms_errf(err, errlen, "nbns responder: out of memory");
        return NULL;
    }
    r->our_ip = our_ip;
    for (size_t i = 0; i < nnames; i++) {
        r->names[i].name = names[i];
        r->names[i].group = false;
    }
    r->nnames = nnames;

    uint16_t p = port ? port : NBNS_PORT;
    char btext[16];
    snprintf(btext, sizeof btext, "%u.%u.%u.%u", bind_ip >> 24, (bind_ip >> 16) & 0xFF,
             (bind_ip >> 8) & 0xFF, bind_ip & 0xFF);
    r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (r->fd < 0) {
        ms_errf(err, errlen, "nbns responder: socket: %s", strerror(errno));
        free(r);
        return NULL;
    }
    int one = 1;
    /* REUSEADDR: share 137 with a local nmbd-style listener on another
     * address; BROADCAST: queries arrive as subnet broadcasts. */
    if (setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        setsockopt(r->fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0) {
        ms_errf(err, errlen, "nbns responder: setsockopt: %s", strerror(errno));
        close(r->fd);
        free(r);
        return NULL;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(p) };
    a.sin_addr.s_addr = htonl(bind_ip);
    if (bind(r->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        ms_errf(err, errlen, "nbns responder: bind %s:%u: %s%s", btext, p, strerror(e),
             (e == EACCES && p < 1024) ? " (port below 1024 needs privilege)" : "");
        close(r->fd);
        free(r);
        return NULL;
    }
    return r;
}

ms_status ms_nbns_responder_add(ms_nbns_responder *r, const ms_nb_name *name, bool group)
{
    if (!name->valid)
        return MS_ERR_INVALID_ARG;
    if (r->nnames >= MS_NBNS_RESPONDER_MAX_NAMES)
        return MS_ERR_TOO_MANY;
    r->names[r->nnames].name = *name;
    r->names[r->nnames].group = group;
    r->nnames++;
    return MS_OK;
}

int ms_nbns_responder_fd(const ms_nbns_responder *r)
{
    return r->fd;
}

static const our_name *find(const ms_nbns_responder *r, const ms_nb_name *n)
{
    for (size_t i = 0; i < r->nnames; i++)
        if (ms_nbns_name_equal(&r->names[i].name, n))
            return &r->names[i];
    return NULL;
}

/* Build the reply to one request, or return false to stay silent. */
static bool reply_for(const ms_nbns_responder *r, const ms_nbns_packet *in, ms_nbns_packet *out)
{
    if ((in->flags & MS_NBNS_RESPONSE) || in->qdcount != 1)
        return false;
    unsigned op = MS_NBNS_OPCODE(in->flags);
    if (in->q.type != MS_NBNS_TYPE_NB || in->q.klass != MS_NBNS_CLASS_IN)
        return false; /* NBSTAT (node status) is not served */
    const our_name *mine = find(r, &in->q.name);
    if (!mine)
        return false; /* B nodes stay silent about names they do not own */

    if (op == MS_NBNS_OP_QUERY) {
        ms_nbns_positive_response(out, in, r->our_ip, mine->group ? MS_NBNS_NB_GROUP : 0,
                                  MS_NBNS_DEFAULT_TTL);
        return true;
    }
    if (op == MS_NBNS_OP_REGISTRATION || op == MS_NBNS_OP_MULTIHOMED) {
        /* Defend only unique names, and only against a claim for another
         * address (our own registration echoed back is not a conflict). A
         * group registration of our unique name is a conflict too. */
        if (mine->group || in->arcount != 1 || in->rr.naddrs == 0)
            return false;
        if (in->rr.addrs[0].ip == r->our_ip)
            return false;
        ms_nbns_defend(out, in, r->our_ip, 0);
        return true;
    }
    return false;
}

static int responder_handle(ms_nbns_responder *r)
{
    int answered = 0;
    for (int i = 0; i < MAX_PER_CALL; i++) {
        uint8_t buf[2048];
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t got = recvfrom(r->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (got < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            if (errno == EINTR || errno == ECONNREFUSED || errno == EHOSTUNREACH ||
                errno == ENETUNREACH)
                continue; /* transient or an ICMP echo of an earlier send */
            return -1;
        }
        /* Zero-length and malformed datagrams are consumed and dropped
         * (CVE-2020-14303: never spin on them). */
        ms_nbns_packet in, out;
        if (ms_nbns_decode(buf, (size_t)got, &in, NULL) != MS_OK)
            continue;
        if (!reply_for(r, &in, &out))
            continue;
        uint8_t obuf[MS_NBNS_MAX_PACKET];
        size_t olen;
        if (ms_nbns_encode(&out, obuf, sizeof obuf, &olen) != MS_OK)
            continue;
        /* Responses go to the request's source address and port (§5.1). */
        if (sendto(r->fd, obuf, olen, 0, (struct sockaddr *)&from, fl) >= 0)
            answered++;
    }
    return answered;
}

ms_status ms_nbns_responder_open(uint32_t bind_ip, uint16_t port, uint32_t our_ip,
                                 const ms_nb_name *names, size_t nnames,
                                 ms_nbns_responder **out, char *err, size_t errlen)
{
    *out = responder_open(bind_ip, port, our_ip, names, nnames, err, errlen);
    return *out ? MS_OK : errno == ENOMEM ? MS_ERR_NO_MEMORY
                        : nnames > MS_NBNS_RESPONDER_MAX_NAMES ? MS_ERR_TOO_MANY
                                                               : MS_ERR_SYSTEM;
}

ms_status ms_nbns_responder_handle(ms_nbns_responder *r, size_t *answered)
{
    int n = responder_handle(r);
    if (answered)
        *answered = n > 0 ? (size_t)n : 0;
    return n < 0 ? MS_ERR_SYSTEM : MS_OK;
}

void ms_nbns_responder_close(ms_nbns_responder *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    free(r);
}
