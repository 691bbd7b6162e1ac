/* SPDX-License-Identifier: MIT */
/* A server through mailslotd (server.h, daemon_link.h): whether to attach,
 * each mailslot registered (one creator per name), deliveries into the
 * receive pipeline as if read from a socket, and every mailslot registered
 * again when the daemon comes back. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "errf.h"
#include "server_int.h"
#include "sized.h"

#define PUMP_PACKETS 256 /* control packets per ms_server_pump */

/* Why a server cannot go through the daemon, or NULL when it can. */
static const char *cannot_attach(const ms_server_opts *o)
{
    if (o->fd >= 0)
        return "a UDP socket of the caller's";
    if (!o->no_socket && o->port != MS_NBDS_PORT)
        return "a port other than 138";
    if (!o->no_socket && o->bind_ip)
        return "a bound address";
    return NULL;
}

static void tell(ms_server *s, ms_daemon_event_kind kind, const char *slot, const char *text)
{
    if (!s->o.on_daemon)
        return;
    ms_daemon_event ev = { kind, slot, text };
    s->o.on_daemon(&ev, s->o.daemon_ctx);
}

static ms_mailslot *slot_by_did(ms_server *s, uint64_t did)
{
    for (ms_mailslot *m = s->slots; m; m = m->next)
        if (m->did == did)
            return m;
    return NULL;
}

/* The mailslot a DELIVER is for: a monitor's copy (F_COPY, or SLOT "*")
 * goes to our monitor, whatever SLOT says (the daemon may name the
 * mailslot written to); anything else to our creator of SLOT. */
static ms_mailslot *slot_for(ms_server *s, const ms_ctl_msg *c)
{
    const ms_bytes *name = &c->slot;
    bool copy = (MS_CTL_HAS(c, MS_CTL_A_FLAGS) && (c->flags & MS_CTL_F_COPY)) ||
                (name->len == 1 && name->p[0] == '*');
    for (ms_mailslot *m = s->slots; m; m = m->next) {
        if (m->reg == REG_NONE || m->reg == REG_LOST || m->any != copy)
            continue;
        if (copy || (strlen(m->name) == name->len &&
                     strncasecmp(m->name, (const char *)name->p, name->len) == 0))
            return m;
    }
    return NULL;
}

static void create_msg(const ms_server *s, const ms_mailslot *m, ms_ctl_msg *req)
{
    ms_ctl_init(req, MS_CTL_CREATE);
    req->slot = (ms_bytes){ (const uint8_t *)m->name, strlen(m->name) };
    req->mode = m->any ? MS_CTL_MODE_MONITOR : MS_CTL_MODE_CREATOR;
    size_t qmax = s->o.queue_max ? s->o.queue_max : 256;
    req->queue_max = qmax > UINT32_MAX ? UINT32_MAX : (uint32_t)qmax;
    req->have = MS_CTL_BIT(MS_CTL_A_VERSION) | MS_CTL_BIT(MS_CTL_A_SLOT) |
                MS_CTL_BIT(MS_CTL_A_MODE) | MS_CTL_BIT(MS_CTL_A_QUEUE_MAX);
}

/* ---- what the daemon sends ---- */

/* Its DROPPED counts from its start: what is new since the last one. */
static void take_dropped(ms_server *s, ms_mailslot *m, uint64_t said)
{
    uint64_t add = said >= m->dropped_seen ? said - m->dropped_seen : said;
    m->dropped_seen = said;
    m->daemon_dropped += add;
    s->d_dropped += add;
}

static void on_deliver(void *ctx, const ms_ctl_msg *c)
{
    ms_server *s = ctx;
    ms_mailslot *m = NULL;
    if (!MS_CTL_HAS(c, MS_CTL_A_SLOT) || !MS_CTL_HAS(c, MS_CTL_A_DATAGRAM) ||
        !(m = slot_for(s, c))) {
        dlink_refuse(s->link); /* malformed, or for no mailslot of ours */
        return;
    }
    if (MS_CTL_HAS(c, MS_CTL_A_DROPPED))
        take_dropped(s, m, c->dropped);
    if (s->o.ifindex > 0 && MS_CTL_HAS(c, MS_CTL_A_IFINDEX) && c->ifindex &&
        c->ifindex != (uint32_t)s->o.ifindex) {
        s->st.datagrams++;
        s->st.other_iface++;
        return;
    }
    uint64_t t = MS_CTL_HAS(c, MS_CTL_A_TIME_NS) ? c->time_ns : 0;
    ms_udp_datagram d = { .ts_sec = (int64_t)(t / 1000000000u),
                          .ts_nsec = (uint32_t)(t % 1000000000u),
                          .ip_src = c->src_ip, .ip_dst = c->dst_ip,
                          .sport = c->src_port,
                          .dport = MS_CTL_HAS(c, MS_CTL_A_DST_PORT) ? c->dst_port : s->port,
                          .udp_length = (uint16_t)(c->datagram.len + 8 > 65535
                                                       ? 65535 : c->datagram.len + 8),
                          .payload = c->datagram.p, .len = c->datagram.len,
                          .orig_len = c->datagram.len };
    s->hint = m;
    s->hint_via = c->via;
    server_push(s, &d);
    s->hint = NULL;
}

static void check_attached(ms_server *s)
{
    if (s->recreating || !dlink_up(s->link))
        return;
    char text[160];
    size_t n = 0;
    for (ms_mailslot *m = s->slots; m; m = m->next)
        n += m->reg == REG_DONE;
    snprintf(text, sizeof text, "attached to mailslotd at %s again, %zu mailslot%s registered",
             dlink_path(s->link), n, n == 1 ? "" : "s");
    tell(s, MS_DAEMON_EV_ATTACHED, NULL, text);
}

static void on_recreated(void *ctx, uint64_t did, ms_status st, const ms_ctl_msg *answer)
{
    ms_server *s = ctx;
    ms_mailslot *m = slot_by_did(s, did);
    if (s->recreating)
        s->recreating--;
    if (!m || !answer) /* closed meanwhile, or the link failed again */
        return;
    if (st == MS_OK) {
        m->reg = REG_DONE;
    } else {
        m->reg = REG_LOST;
        s->d_lost++;
        char said[210], text[500];
        snprintf(said, sizeof said, "%.*s", (int)(answer->text.len > 200 ? 200 : answer->text.len),
                 (const char *)answer->text.p);
        snprintf(text, sizeof text, "mailslotd refused %s again: %s", m->name,
                 said[0] ? said : ms_strerror(st));
        snprintf(s->d_refusal, sizeof s->d_refusal, "%.199s", said[0] ? said : ms_strerror(st));
        tell(s, MS_DAEMON_EV_LOST, m->name, text);
    }
    check_attached(s);
}

/* Back: register every mailslot again (not those another program took). */
static void on_up(void *ctx)
{
    ms_server *s = ctx;
    s->recreating = 0;
    for (ms_mailslot *m = s->slots; m && dlink_up(s->link); m = m->next) {
        if (m->reg != REG_PENDING)
            continue;
        ms_ctl_msg req;
        create_msg(s, m, &req);
        if (dlink_post(s->link, &req, on_recreated, s, m->did) == MS_OK)
            s->recreating++;
    }
    check_attached(s);
}

static void on_down(void *ctx, const char *why)
{
    ms_server *s = ctx;
    s->recreating = 0;
    for (ms_mailslot *m = s->slots; m; m = m->next)
        if (m->reg == REG_DONE)
            m->reg = REG_PENDING;
    char text[300];
    snprintf(text, sizeof text, "%s; re-attaching", why);
    tell(s, MS_DAEMON_EV_DETACHED, NULL, text);
}

/* ---- the server's calls ---- */

/* AUTO goes direct when no daemon is there or this user may not reach it. */
static bool absent(ms_status st, int e)
{
    return st == MS_ERR_NOT_FOUND ||
           (st == MS_ERR_SYSTEM && (e == EACCES || e == EPERM || e == ENOTDIR));
}

ms_status server_daemon_open(ms_server *s, char *err, size_t errlen)
{
    const ms_server_opts *o = &s->o;
    if (o->daemon == MS_DAEMON_NEVER)
        return MS_OK;
    const char *why = cannot_attach(o);
    if (why && o->daemon == MS_DAEMON_REQUIRE) {
        ms_errf(err, errlen, "mailslotd does not go with %s", why);
        return MS_ERR_INVALID_ARG;
    }
    if (why || (o->daemon == MS_DAEMON_AUTO && o->no_socket && o->local_scope == MS_LOCAL_OFF))
        return MS_OK; /* direct, or nothing it would ever register */
    dlink_opts lo = { o->daemon_dir, NULL, s->loop, o->daemon_timeout_ms };
    dlink_hooks h = { on_deliver, on_up, on_down, s };
    ms_status st = dlink_open(&lo, &h, &s->link, err, errlen);
    int e = errno;
    if (st != MS_OK && o->daemon == MS_DAEMON_AUTO && absent(st, e)) {
        if (err && errlen)
            err[0] = 0;
        return MS_OK;
    }
    errno = e;
    return st;
}

void server_daemon_close(ms_server *s)
{
    dlink_close(s->link);
    s->link = NULL;
}

/* Is m one for the daemon? Everything of a network server; of a
 * no_socket server, what has a local socket. */
static bool wanted(const ms_server *s, const ms_mailslot *m)
{
    if (!s->link)
        return false;
    return !s->o.no_socket || (!m->any && m->local);
}

ms_status server_daemon_create(ms_server *s, ms_mailslot *m)
{
    m->did = ++s->next_did;
    if (!wanted(s, m))
        return MS_OK;
    m->reg = REG_PENDING;
    if (!dlink_up(s->link))
        return MS_OK; /* registered when the daemon is back (on_up) */
    ms_ctl_msg req;
    create_msg(s, m, &req);
    char why[300];
    ms_status st = dlink_call(s->link, &req, NULL, why, sizeof why);
    if (st == MS_OK)
        m->reg = REG_DONE;
    else if (st != MS_ERR_END) /* its words, without our "mailslotd: " */
        snprintf(s->d_refusal, sizeof s->d_refusal, "%.199s",
                 strncmp(why, "mailslotd: ", 11) ? why : why + 11);
    /* Gone meanwhile: registered when it is back, as after a restart. */
    return st == MS_ERR_END ? MS_OK : st;
}

void server_daemon_delete(ms_server *s, ms_mailslot *m)
{
    if (s->closing || !s->link || m->reg != REG_DONE || !dlink_up(s->link))
        return;
    ms_ctl_msg req;
    ms_ctl_init(&req, MS_CTL_DELETE);
    req.slot = (ms_bytes){ (const uint8_t *)m->name, strlen(m->name) };
    req.have = MS_CTL_BIT(MS_CTL_A_VERSION) | MS_CTL_BIT(MS_CTL_A_SLOT);
    dlink_post(s->link, &req, NULL, NULL, 0);
}

void server_daemon_pump(ms_server *s)
{
    if (s->link && dlink_fd(s->link) >= 0)
        dlink_pump(s->link, PUMP_PACKETS);
}

ms_status ms_server_get_daemon(const ms_server *s, ms_daemon_link_info *out)
{
    if (!out || out->size < sizeof out->size)
        return MS_ERR_INVALID_ARG;
    ms_daemon_link_info i;
    memset(&i, 0, sizeof i);
    i.size = sizeof i;
    i.fd = -1;
    if (s->link)
        dlink_info(s->link, &i);
    i.dropped = s->d_dropped;
    i.lost = s->d_lost;
    snprintf(i.refusal, sizeof i.refusal, "%s", s->d_refusal);
    ms_sized_write(out, &i, sizeof i);
    return MS_OK;
}
