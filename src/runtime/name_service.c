/* SPDX-License-Identifier: MIT */
/* The name service's socket and lifetime: open, add, wait, release,
 * close; reading UDP 137 and handing each packet to the registration
 * (responses) or the answering side (requests). */
#define _GNU_SOURCE /* getrandom */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errf.h"
#include "mailslot/net.h"
#include "name_service_int.h"
#include "sized.h"

#define NBNS_PORT 137
/* Datagrams read per wakeup: bounded work for one loop round. */
#define MAX_PER_CALL 64

void ms_name_service_opts_init(ms_name_service_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->ttl = MS_NBNS_DEFAULT_TTL;
    o->bcast_interval_ms = 250;
    o->bcast_count = 3;
    o->wins_timeout_ms = 1500;
    o->wins_tries = 3;
}

uint16_t ns_new_trn(ms_name_service *ns)
{
    return ++ns->next_trn;
}

bool ns_send(ms_name_service *ns, const ms_nbns_packet *p, uint32_t ip, uint16_t port)
{
    uint8_t buf[MS_NBNS_MAX_PACKET];
    size_t len;
    if (ms_nbns_encode(p, buf, sizeof buf, &len) != MS_OK)
        return false;
    struct sockaddr_in to = { .sin_family = AF_INET };
    to.sin_addr.s_addr = htonl(ip);
    to.sin_port = htons(port ? port : ns->o.peer_port);
    return sendto(ns->fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)len;
}

uint16_t ns_nb_flags(const ms_name_service *ns, const ns_name *n)
{
    return (uint16_t)((n->group ? MS_NBNS_NB_GROUP : 0) | ns->ont);
}

void ns_event(const ns_name *n, ms_name_event_kind kind, uint32_t peer, uint32_t owner,
              const char *note, ms_name_event *ev)
{
    *ev = (ms_name_event){
        .kind = kind, .name = &n->name, .group = n->group, .wins = n->wins,
        .peer_ip = peer, .owner_ip = owner, .ttl = n->ttl, .rcode = n->rcode,
        .note = note ? note : "",
    };
}

void ns_emit(ms_name_service *ns, const ns_name *n, ms_name_event_kind kind, uint32_t peer,
             uint32_t owner, const char *note)
{
    if (!ns->o.on_event)
        return;
    ms_name_event ev;
    ns_event(n, kind, peer, owner, note, &ev);
    ns->o.on_event(&ev, ns->o.ctx);
}

void ns_cancel(ns_name *n)
{
    ms_loop_remove(n->timer);
    n->timer = NULL;
}

/* fn must begin with ns_fired: a one-shot timer removes itself once it
 * fired, and the name must not keep it. */
void ns_after(ns_name *n, uint64_t ms, ms_loop_timer_fn fn)
{
    ns_cancel(n);
    if (ms_loop_add_timer(n->ns->loop, ms, 0, fn, n, &n->timer) != MS_OK)
        n->timer = NULL; /* out of memory: the step is lost, the name stays as it is */
}

/* One datagram: decode, route. Malformed ones are counted and dropped
 * (never spin on them). */
static void handle(ms_name_service *ns, const uint8_t *buf, size_t len,
                   const struct sockaddr_in *from)
{
    ms_nbns_packet p;
    if (ms_nbns_decode(buf, len, &p, NULL) != MS_OK) {
        ns->stats.ignored++;
        return;
    }
    uint32_t src = ntohl(from->sin_addr.s_addr);
    if (p.flags & MS_NBNS_RESPONSE)
        ns_register_response(ns, &p, src);
    else
        ns_answer_request(ns, &p, src, ntohs(from->sin_port));
}

static void on_readable(void *ctx, int fd, unsigned events)
{
    (void)events;
    ms_name_service *ns = ctx;
    for (int i = 0; i < MAX_PER_CALL; i++) {
        uint8_t buf[2048];
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t got = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (got < 0) {
            if (errno == EINTR || errno == ECONNREFUSED || errno == EHOSTUNREACH ||
                errno == ENETUNREACH)
                continue; /* an ICMP echo of an earlier send, or a signal */
            return;       /* EAGAIN: all read; anything else: try next round */
        }
        if (fl < sizeof from || from.sin_family != AF_INET) {
            ns->stats.ignored++;
            continue;
        }
        handle(ns, buf, (size_t)got, &from);
    }
}

static ms_status open_socket(ms_name_service *ns, char *err, size_t errlen)
{
    uint16_t port = ns->o.port ? ns->o.port : NBNS_PORT;
    ns->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (ns->fd < 0) {
        ms_errf(err, errlen, "name service: socket: %s", strerror(errno));
        return MS_ERR_SYSTEM;
    }
    int one = 1;
    /* REUSEADDR: share 137 with a name server bound to another address;
     * BROADCAST: B-node registrations and releases are broadcasts. */
    if (setsockopt(ns->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        setsockopt(ns->fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0) {
        ms_errf(err, errlen, "name service: setsockopt: %s", strerror(errno));
        return MS_ERR_SYSTEM;
    }
    size_t iflen = strnlen(ns->o.ifname, sizeof ns->o.ifname);
    if (iflen == sizeof ns->o.ifname) {
        ms_errf(err, errlen, "name service: interface name not terminated");
        errno = EINVAL;
        return MS_ERR_INVALID_ARG;
    }
    if (iflen && setsockopt(ns->fd, SOL_SOCKET, SO_BINDTODEVICE, ns->o.ifname,
                            (socklen_t)iflen) != 0) {
        int e = errno;
        ms_errf(err, errlen, "name service: bind to interface %s: %s", ns->o.ifname,
                strerror(e));
        errno = e;
        return MS_ERR_SYSTEM;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(ns->o.bind_ip);
    if (bind(ns->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        char ip[16];
        ms_ip_format(ns->o.bind_ip, ip, sizeof ip);
        ms_errf(err, errlen, "name service: bind %s:%u: %s%s", ip, port, strerror(e),
                (e == EACCES && port < 1024) ? " (port below 1024 needs privilege)" : "");
        errno = e;
        return MS_ERR_SYSTEM;
    }
    return MS_OK;
}

ms_status ms_name_service_open(ms_loop *loop, const ms_name_service_opts *o,
                               ms_name_service **out, char *err, size_t errlen)
{
    *out = NULL;
    const char *bad = !loop                        ? "no loop"
                      : !o || o->size < sizeof *o      ? "options not initialised"
                      : !o->our_ip                     ? "no address to register (our_ip)"
                      : !o->bcast_ip && !o->wins_ip    ? "neither a broadcast address nor a WINS server"
                      : o->bcast_count < 1 || o->wins_tries < 1 ? "no requests to send"
                                                       : NULL;
    if (bad) {
        ms_errf(err, errlen, "name service: %s", bad);
        return MS_ERR_INVALID_ARG;
    }
    ms_name_service *ns = calloc(1, sizeof *ns);
    if (!ns) {
        ms_errf(err, errlen, "name service: out of memory");
        return MS_ERR_NO_MEMORY;
    }
    ns->o = *o;
    ns->o.peer_port = o->peer_port ? o->peer_port : NBNS_PORT;
    ns->loop = loop;
    ns->ont = o->wins_ip ? MS_NBNS_ONT_H : MS_NBNS_ONT_B;
    ns->stats.size = sizeof ns->stats;
    /* Transaction IDs from a random start: a late answer to an earlier
     * run must not match this one's requests. */
    if (getrandom(&ns->next_trn, sizeof ns->next_trn, GRND_NONBLOCK) != sizeof ns->next_trn)
        ns->next_trn = (uint16_t)(ms_monotonic_ns() >> 10);
    ms_status st = open_socket(ns, err, errlen);
    if (st == MS_OK && ms_loop_add_fd(loop, ns->fd, MS_LOOP_IN, on_readable, ns, &ns->watch) !=
                           MS_OK) {
        ms_errf(err, errlen, "name service: out of memory");
        st = MS_ERR_NO_MEMORY;
    }
    if (st != MS_OK) {
        int e = errno;
        if (ns->fd >= 0)
            close(ns->fd);
        free(ns);
        errno = e;
        return st;
    }
    *out = ns;
    return MS_OK;
}

ms_status ms_name_service_add(ms_name_service *ns, const ms_nb_name *name, bool group)
{
    if (!name->valid)
        return MS_ERR_INVALID_ARG;
    ns_name *n = ns_find(ns, name);
    if (n && n->state != MS_NAME_RELEASED)
        return MS_ERR_EXISTS;
    /* A released entry is taken again: its own name first, else any. */
    for (size_t i = 0; !n && i < ns->nnames; i++)
        if (ns->nnames >= MS_NAME_SERVICE_MAX_NAMES && ns->names[i].state == MS_NAME_RELEASED)
            n = &ns->names[i];
    if (!n && ns->nnames >= MS_NAME_SERVICE_MAX_NAMES)
        return MS_ERR_TOO_MANY;
    if (!n)
        n = &ns->names[ns->nnames++];
    ns_cancel(n);
    memset(n, 0, sizeof *n);
    n->ns = ns;
    n->name = *name;
    n->group = group;
    n->state = MS_NAME_REGISTERING;
    ns_register_start(n);
    return MS_OK;
}

static bool registering(const ms_name_service *ns)
{
    for (size_t i = 0; i < ns->nnames; i++)
        if (ns->names[i].state == MS_NAME_REGISTERING)
            return true;
    return false;
}

/* The first refused name, in the words of its event. */
static ms_status refused(const ms_name_service *ns, char *err, size_t errlen)
{
    for (size_t i = 0; i < ns->nnames; i++) {
        const ns_name *n = &ns->names[i];
        if (n->state != MS_NAME_REFUSED)
            continue;
        ms_name_event ev;
        ns_event(n, MS_NAME_EV_REFUSED, n->refused_by, n->owner, n->why, &ev);
        if (err && errlen)
            ms_name_event_format(&ev, err, errlen);
        return MS_ERR_EXISTS;
    }
    return MS_OK;
}

ms_status ms_name_service_wait(ms_name_service *ns, int timeout_ms, char *err, size_t errlen)
{
    uint64_t end = timeout_ms < 0 ? UINT64_MAX
                                  : ms_monotonic_ns() + (uint64_t)timeout_ms * 1000000u;
    while (registering(ns)) {
        uint64_t now = ms_monotonic_ns();
        if (now >= end) {
            ms_errf(err, errlen, "name registration did not finish in %d ms", timeout_ms);
            return MS_ERR_TIMEOUT;
        }
        uint64_t left = end == UINT64_MAX ? 1000 : (end - now) / 1000000u + 1;
        ms_status st = ms_loop_run_once(ns->loop, left > 1000 ? 1000 : (int)left);
        if (st == MS_ERR_STOPPED) {
            ms_errf(err, errlen, "stopped while registering names");
            return st;
        }
        if (st != MS_OK) {
            ms_errf(err, errlen, "name service: %s", ms_strerror(st));
            return st;
        }
    }
    return refused(ns, err, errlen);
}

ms_status ms_name_service_name(const ms_name_service *ns, size_t i, ms_name_info *out)
{
    if (i >= ns->nnames)
        return MS_ERR_NOT_FOUND;
    const ns_name *n = &ns->names[i];
    memset(out, 0, sizeof *out);
    out->name = n->name;
    out->group = n->group;
    out->wins = n->wins;
    out->state = n->state;
    out->ttl = n->ttl;
    return MS_OK;
}

void ms_name_service_get_stats(const ms_name_service *ns, ms_name_stats *out)
{
    ms_sized_write(out, &ns->stats, sizeof ns->stats);
}

static bool releasing(const ms_name_service *ns)
{
    for (size_t i = 0; i < ns->nnames; i++)
        if (ns->names[i].phase == PH_WINS_RELEASE)
            return true;
    return false;
}

/* After the releases went out: the WINS server's answers, when some are
 * awaited. */
static void finish_releases(ms_name_service *ns, bool wait)
{
    /* The WINS server's answers: a bounded wait on the loop (which also
     * retries). Inside one of the loop's callbacks it cannot run; then
     * the releases went out once, unconfirmed. */
    uint64_t end = ms_monotonic_ns() +
                   (uint64_t)ns->o.wins_timeout_ms * (uint64_t)ns->o.wins_tries * 1000000u;
    while (wait && releasing(ns) && ms_monotonic_ns() < end) {
        ms_status st = ms_loop_run_once(ns->loop, 100);
        if (st != MS_OK && st != MS_ERR_STOPPED)
            break;
    }
    for (size_t i = 0; i < ns->nnames; i++) {
        ns_name *n = &ns->names[i];
        if (n->phase == PH_WINS_RELEASE) {
            ns_cancel(n);
            n->phase = PH_IDLE;
            n->state = MS_NAME_RELEASED;
            ns->stats.released++;
            ns_emit(ns, n, MS_NAME_EV_RELEASED, 0, 0, "the WINS server did not confirm");
        }
    }
}

ms_status ms_name_service_release(ms_name_service *ns)
{
    bool wait = false;
    for (size_t i = 0; i < ns->nnames; i++)
        wait |= ns_release_send(&ns->names[i]);
    finish_releases(ns, wait);
    return MS_OK;
}

ms_status ms_name_service_remove(ms_name_service *ns, const ms_nb_name *name)
{
    ns_name *n = ns_find(ns, name);
    if (!n || n->state == MS_NAME_RELEASED)
        return MS_ERR_NOT_FOUND;
    if (n->state == MS_NAME_ACTIVE) {
        finish_releases(ns, ns_release_send(n));
        return MS_OK;
    }
    /* Never ours (registering, refused, given up): nothing to tell the
     * network; a registration in flight just stops. */
    ns_cancel(n);
    n->phase = PH_IDLE;
    n->state = MS_NAME_RELEASED;
    return MS_OK;
}

void ms_name_service_close(ms_name_service *ns)
{
    if (!ns)
        return;
    ms_name_service_release(ns);
    for (size_t i = 0; i < ns->nnames; i++)
        ns_cancel(&ns->names[i]);
    ms_loop_remove(ns->watch);
    close(ns->fd);
    free(ns);
}
