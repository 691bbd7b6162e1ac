/* SPDX-License-Identifier: MIT */
/* A program's connection to mailslotd (dlink.h). The daemon answers
 * requests in order, one answer each, and may slip DELIVERs in between;
 * so the link keeps its requests in a FIFO and pairs each answer with the
 * oldest. Anything it cannot pair or read drops the connection: once the
 * pairing is in doubt no answer can be trusted, and a fresh connection
 * (with every mailslot registered again) is the one safe state. */
#define _GNU_SOURCE /* program_invocation_short_name */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlink.h"
#include "errf.h"
#include "mailslot/ctl_sock.h"
#include "mailslot/net.h"
#include "sized.h"

#define TICK_MS 500 /* how often deadlines are looked at */

typedef struct pending {
    uint16_t answer;         /* the type that answers it */
    dlink_done_fn fn;
    void *ctx;
    uint64_t tag;
    uint64_t deadline_ns;
} pending;

struct dlink {
    char path[108];
    char who[64];
    int fd;
    int timeout_ms;
    ms_loop *loop;
    ms_loop_watch *w_fd, *w_tick;
    dlink_hooks h;
    bool up;                 /* welcomed on this connection */
    bool opening;            /* inside dlink_open / dlink_reconnect */
    unsigned gen;            /* connections lost so far */
    uint64_t retry_ms, next_try_ns;
    pending *q;              /* ring of requests awaiting their answer */
    size_t qhead, qlen, qcap;
    ms_daemon_hello hello;
    uint64_t attaches, detaches, delivered, refused;
    ms_status refusal_st;    /* the daemon's answer when it refused HELLO */
    char refusal[204];
    char why[160];           /* why the last connection was lost */
    uint8_t rbuf[MS_CTL_MAX_PACKET];
    uint8_t wbuf[MS_CTL_MAX_PACKET];
};

static uint16_t answer_type(uint16_t req)
{
    switch (req) {
    case MS_CTL_HELLO: return MS_CTL_WELCOME;
    case MS_CTL_STATUS: return MS_CTL_STATUS_REPLY;
    default: return MS_CTL_RESULT;
    }
}

static uint64_t deadline_after(int ms)
{
    return ms_monotonic_ns() + (uint64_t)ms * 1000000u;
}

/* ---- the FIFO ---- */

static bool q_push(dlink *l, const pending *p)
{
    if (l->qlen == l->qcap) {
        size_t cap = l->qcap ? 2 * l->qcap : 16;
        pending *n = malloc(cap * sizeof *n);
        if (!n)
            return false;
        for (size_t i = 0; i < l->qlen; i++)
            n[i] = l->q[(l->qhead + i) % l->qcap];
        free(l->q);
        l->q = n;
        l->qcap = cap;
        l->qhead = 0;
    }
    l->q[(l->qhead + l->qlen) % l->qcap] = *p;
    l->qlen++;
    return true;
}

static pending q_pop(dlink *l)
{
    pending p = l->q[l->qhead];
    l->qhead = (l->qhead + 1) % l->qcap;
    l->qlen--;
    return p;
}

/* ---- losing the connection ---- */

/* The next attempt: soon after a connection that worked, else twice as
 * late as the last one, at most MS_DAEMON_RETRY_MAX_MS. */
static void schedule_retry(dlink *l, bool fresh)
{
    if (fresh)
        l->retry_ms = MS_DAEMON_RETRY_MIN_MS;
    else
        l->retry_ms = l->retry_ms * 2 > MS_DAEMON_RETRY_MAX_MS ? MS_DAEMON_RETRY_MAX_MS
                                                                : l->retry_ms * 2;
    l->next_try_ns = deadline_after((int)l->retry_ms);
    ms_loop_timer_reset(l->w_tick, l->retry_ms);
}

/* Close the connection, fail what waits with st, tell the owner, and on a
 * loop schedule the first retry. Safe to call from any callback. */
static void link_fail(dlink *l, ms_status st, const char *why)
{
    if (l->fd < 0)
        return;
    bool was_up = l->up;
    snprintf(l->why, sizeof l->why, "%s", why);
    close(l->fd);
    l->fd = -1;
    l->up = false;
    l->gen++;
    ms_loop_remove(l->w_fd);
    l->w_fd = NULL;
    if (was_up)
        l->detaches++;
    /* Callbacks may post again: they see the link down and fail at once. */
    while (l->qlen) {
        pending p = q_pop(l);
        if (p.fn)
            p.fn(p.ctx, p.tag, st, NULL);
    }
    if (l->loop)
        schedule_retry(l, was_up);
    if (was_up && !l->opening && l->h.down)
        l->h.down(l->h.ctx, why);
}

/* ---- reading ---- */

static void take_welcome(dlink *l, const ms_ctl_msg *m)
{
    ms_daemon_hello *h = &l->hello;
    memset(h, 0, sizeof *h);
    h->size = sizeof *h;
    h->version = MS_CTL_HAS(m, MS_CTL_A_VERSION) ? m->version : MS_CTL_VERSION;
    snprintf(h->path, sizeof h->path, "%s", l->path);
    for (size_t i = 0; i < m->nnames; i++) {
        size_t n = m->names[i].len < MS_DAEMON_NAME_TEXT - 1 ? m->names[i].len
                                                              : MS_DAEMON_NAME_TEXT - 1;
        memcpy(h->names[h->nnames], m->names[i].p, n);
        h->names[h->nnames++][n] = 0;
    }
    size_t t = m->text.len < sizeof h->text - 1 ? m->text.len : sizeof h->text - 1;
    if (t)
        memcpy(h->text, m->text.p, t);
    h->text[t] = 0;
}

static void on_welcome(void *ctx, uint64_t tag, ms_status st, const ms_ctl_msg *m)
{
    (void)tag;
    dlink *l = ctx;
    if (!m)
        return; /* the link failed first */
    if (st != MS_OK) {
        /* Refused (a RESULT to HELLO): say why, and try again later. */
        l->refusal_st = st;
        snprintf(l->refusal, sizeof l->refusal, "%.*s",
                 (int)(m->text.len > 200 ? 200 : m->text.len), (const char *)m->text.p);
        link_fail(l, st, "mailslotd refused our HELLO");
        return;
    }
    take_welcome(l, m);
    l->up = true;
    l->attaches++;
    l->retry_ms = MS_DAEMON_RETRY_MIN_MS;
    if (!l->opening && l->h.up)
        l->h.up(l->h.ctx);
}

/* An answer for the oldest request; a RESULT may also answer HELLO or
 * STATUS: the daemon refusing them. */
static void take_answer(dlink *l, const ms_ctl_msg *m)
{
    if (!l->qlen || (l->q[l->qhead].answer != m->type && m->type != MS_CTL_RESULT)) {
        l->refused++;
        char why[96];
        snprintf(why, sizeof why, "mailslotd sent a %s that answers no request of ours",
                 ms_ctl_type_name(m->type));
        link_fail(l, MS_ERR_BAD_INPUT, why);
        return;
    }
    pending p = q_pop(l);
    ms_status st = MS_OK;
    if (m->type == MS_CTL_RESULT)
        st = MS_CTL_HAS(m, MS_CTL_A_STATUS) ? (ms_status)m->status : MS_ERR_BAD_INPUT;
    if (m->type == MS_CTL_RESULT && p.answer != MS_CTL_RESULT && st == MS_OK)
        st = MS_ERR_BAD_INPUT; /* "OK" is no WELCOME */
    if (p.fn)
        p.fn(p.ctx, p.tag, st, m);
}

/* One packet: MS_ERR_AGAIN when none waits. */
static ms_status read_one(dlink *l)
{
    ms_ctl_msg m;
    ms_status st = ms_ctl_recv(l->fd, l->rbuf, sizeof l->rbuf, &m);
    if (st == MS_ERR_AGAIN)
        return st;
    if (st == MS_ERR_END || st == MS_ERR_SYSTEM) {
        char why[160];
        snprintf(why, sizeof why, "mailslotd closed the connection%s%s",
                 st == MS_ERR_SYSTEM ? ": " : "", st == MS_ERR_SYSTEM ? strerror(errno) : "");
        link_fail(l, MS_ERR_END, why);
        return st;
    }
    if (st != MS_OK) {
        l->refused++;
        char why[160];
        snprintf(why, sizeof why, "mailslotd sent a packet we cannot read (%s)",
                 ms_strerror(st));
        link_fail(l, MS_ERR_BAD_INPUT, why);
        return st;
    }
    switch (m.type) {
    case MS_CTL_DELIVER:
        l->delivered++;
        if (l->h.deliver)
            l->h.deliver(l->h.ctx, &m);
        break;
    case MS_CTL_WELCOME:
    case MS_CTL_RESULT:
    case MS_CTL_STATUS_REPLY:
        take_answer(l, &m);
        break;
    default:
        l->refused++; /* a request, or a newer type: nothing to answer */
        break;
    }
    return MS_OK;
}

ms_status dlink_pump(dlink *l, size_t max)
{
    unsigned gen = l->gen;
    for (size_t i = 0; i < max && l->fd >= 0 && l->gen == gen; i++) {
        ms_status st = read_one(l);
        if (st == MS_ERR_AGAIN)
            return MS_OK;
        if (st != MS_OK)
            return st;
    }
    return l->fd >= 0 ? MS_OK : MS_ERR_END;
}

/* ---- waiting (bounded) ---- */

/* Up to max packets, none past the one that sets flag: an answer's
 * attributes point into rbuf, which a DELIVER read right behind it (a
 * reply that came quickly) would overwrite before the caller reads them. */
static void pump_until(dlink *l, const bool *flag, size_t max)
{
    unsigned gen = l->gen;
    for (size_t i = 0; i < max && !*flag && l->fd >= 0 && l->gen == gen; i++)
        if (read_one(l) != MS_OK)
            return;
}

/* Wait until *flag, reading what comes; events: POLLIN, and POLLOUT when
 * a send waits for room (then any room ends the wait). */
static ms_status wait_until(dlink *l, const bool *flag, uint64_t deadline, short events)
{
    while (!*flag) {
        if (l->fd < 0)
            return MS_ERR_END;
        uint64_t now = ms_monotonic_ns();
        if (now >= deadline) {
            char why[96];
            snprintf(why, sizeof why, "mailslotd did not answer within %d ms", l->timeout_ms);
            link_fail(l, MS_ERR_TIMEOUT, why);
            return MS_ERR_TIMEOUT;
        }
        struct pollfd p = { l->fd, events, 0 };
        int r = poll(&p, 1, (int)((deadline - now + 999999) / 1000000));
        if (r < 0 && errno != EINTR)
            return MS_ERR_SYSTEM;
        if (r > 0 && (p.revents & (POLLIN | POLLERR | POLLHUP)))
            pump_until(l, flag, 64);
        if (r > 0 && (p.revents & POLLOUT) && l->fd >= 0)
            return MS_OK;
    }
    return MS_OK;
}

/* Send one packet; deadline 0: do not wait for room. */
static ms_status link_send(dlink *l, const ms_ctl_msg *m, uint64_t deadline)
{
    for (;;) {
        if (l->fd < 0)
            return MS_ERR_END;
        ms_status st = ms_ctl_send(l->fd, m, l->wbuf, sizeof l->wbuf);
        if (st == MS_OK || st == MS_ERR_INVALID_ARG || st == MS_ERR_NO_SPACE)
            return st;
        if (st == MS_ERR_AGAIN && deadline) {
            bool never = false;
            st = wait_until(l, &never, deadline, POLLIN | POLLOUT);
            if (st != MS_OK)
                return st;
            continue;
        }
        link_fail(l, st == MS_ERR_AGAIN ? MS_ERR_TIMEOUT : MS_ERR_END,
                  st == MS_ERR_AGAIN ? "mailslotd stopped reading its control socket"
                                     : "mailslotd closed the connection");
        return st == MS_ERR_AGAIN ? MS_ERR_TIMEOUT : MS_ERR_END;
    }
}

ms_status dlink_post(dlink *l, const ms_ctl_msg *req, dlink_done_fn fn, void *ctx, uint64_t tag)
{
    ms_status st = link_send(l, req, 0);
    if (st != MS_OK)
        return st;
    pending p = { answer_type(req->type), fn, ctx, tag, deadline_after(l->timeout_ms) };
    if (!q_push(l, &p)) {
        link_fail(l, MS_ERR_NO_MEMORY, "out of memory");
        return MS_ERR_NO_MEMORY;
    }
    return MS_OK;
}

typedef struct sync_call {
    bool done;
    ms_status st;
    ms_ctl_msg answer;
} sync_call;

static void sync_done(void *ctx, uint64_t tag, ms_status st, const ms_ctl_msg *m)
{
    (void)tag;
    sync_call *c = ctx;
    c->done = true;
    c->st = st;
    if (m)
        c->answer = *m;
}

/* The request's answer, or why there is none, in err. */
static ms_status call_text(const dlink *l, const sync_call *c, ms_status st, char *err,
                           size_t errlen)
{
    if (st == MS_ERR_TIMEOUT)
        ms_errf(err, errlen, "mailslotd at %s did not answer within %d ms", l->path,
                l->timeout_ms);
    else if (st == MS_ERR_END)
        ms_errf(err, errlen, "mailslotd at %s went away", l->path);
    else if (st == MS_ERR_BAD_INPUT && !MS_CTL_HAS(&c->answer, MS_CTL_A_STATUS))
        ms_errf(err, errlen, "mailslotd at %s answered what we cannot read", l->path);
    else if (c->answer.text.len)
        ms_errf(err, errlen, "mailslotd: %.*s", (int)(c->answer.text.len > 300
                                                          ? 300 : c->answer.text.len),
                (const char *)c->answer.text.p);
    else
        ms_errf(err, errlen, "mailslotd: %s", ms_strerror(st));
    return st;
}

ms_status dlink_call(dlink *l, const ms_ctl_msg *req, ms_ctl_msg *answer, char *err,
                     size_t errlen)
{
    sync_call c;
    memset(&c, 0, sizeof c);
    uint64_t deadline = deadline_after(l->timeout_ms);
    ms_status st = link_send(l, req, deadline);
    if (st == MS_OK) {
        pending p = { answer_type(req->type), sync_done, &c, 0, deadline };
        st = q_push(l, &p) ? wait_until(l, &c.done, deadline, POLLIN) : MS_ERR_NO_MEMORY;
    }
    if (st == MS_OK)
        st = c.st;
    if (answer && c.done)
        *answer = c.answer;
    return st == MS_OK ? MS_OK : call_text(l, &c, st, err, errlen);
}

/* ---- connecting ---- */

static void hello_msg(const dlink *l, ms_ctl_msg *m)
{
    ms_ctl_init(m, MS_CTL_HELLO);
    m->pid = (uint32_t)getpid();
    m->text = (ms_bytes){ (const uint8_t *)l->who, strlen(l->who) };
    m->have = MS_CTL_BIT(MS_CTL_A_VERSION) | MS_CTL_BIT(MS_CTL_A_PID) |
              MS_CTL_BIT(MS_CTL_A_TEXT);
}

static void on_fd(void *ctx, int fd, unsigned ev)
{
    (void)fd;
    (void)ev;
    dlink_pump(ctx, 64);
}

/* Connect and post HELLO; WELCOME comes later (on_welcome). */
static ms_status start(dlink *l, char *err, size_t errlen)
{
    ms_status st = ms_ctl_connect(l->path, &l->fd, err, errlen);
    if (st != MS_OK)
        return st;
    if (l->loop && ms_loop_add_fd(l->loop, l->fd, MS_LOOP_IN, on_fd, l, &l->w_fd) != MS_OK) {
        close(l->fd);
        l->fd = -1;
        return MS_ERR_NO_MEMORY;
    }
    ms_ctl_msg m;
    hello_msg(l, &m);
    st = dlink_post(l, &m, on_welcome, l, 0);
    if (st != MS_OK)
        ms_errf(err, errlen, "mailslotd at %s: cannot say hello: %s", l->path, ms_strerror(st));
    return st;
}

/* Connect, HELLO, and wait for WELCOME; the owner is not told (it asked). */
static ms_status attach(dlink *l, char *err, size_t errlen)
{
    l->opening = true;
    l->refusal_st = MS_OK;
    ms_status st = start(l, err, errlen);
    if (st == MS_OK) {
        st = wait_until(l, &l->up, deadline_after(l->timeout_ms), POLLIN);
        if (st == MS_OK && !l->up)
            st = MS_ERR_END;
        if (st != MS_OK && l->refusal_st != MS_OK) {
            st = l->refusal_st;
            ms_errf(err, errlen, "mailslotd at %s refused us: %s", l->path,
                    l->refusal[0] ? l->refusal : ms_strerror(st));
        } else if (st == MS_ERR_TIMEOUT) {
            ms_errf(err, errlen, "mailslotd at %s did not answer HELLO within %d ms", l->path,
                    l->timeout_ms);
        } else if (st != MS_OK && strstr(l->why, "cannot read")) {
            ms_errf(err, errlen, "mailslotd at %s answered HELLO with a packet we cannot read",
                    l->path);
        } else if (st != MS_OK) {
            ms_errf(err, errlen, "mailslotd at %s went away before it answered HELLO",
                    l->path);
        }
    }
    if (st != MS_OK && l->fd >= 0)
        link_fail(l, st, "attach failed");
    l->opening = false;
    return st;
}

ms_status dlink_reconnect(dlink *l, char *err, size_t errlen)
{
    if (l->fd >= 0 && l->up)
        return MS_OK;
    if (l->fd >= 0)
        link_fail(l, MS_ERR_END, "reconnecting");
    return attach(l, err, errlen);
}

/* The loop's tick: a retry when down, a deadline when up. */
static void on_tick(void *ctx)
{
    dlink *l = ctx;
    uint64_t now = ms_monotonic_ns();
    if (l->fd >= 0) {
        if (l->qlen && l->q[l->qhead].deadline_ns <= now) {
            char why[96];
            snprintf(why, sizeof why, "mailslotd did not answer within %d ms", l->timeout_ms);
            link_fail(l, MS_ERR_TIMEOUT, why);
        }
        return;
    }
    if (now < l->next_try_ns) {
        ms_loop_timer_reset(l->w_tick, (l->next_try_ns - now + 999999) / 1000000);
        return;
    }
    char err[8];
    if (start(l, err, sizeof err) == MS_OK)
        ms_loop_timer_reset(l->w_tick, TICK_MS);
    else if (l->fd >= 0)
        link_fail(l, MS_ERR_END, "hello failed"); /* schedules the next try */
    else
        schedule_retry(l, false);
}

ms_status dlink_open(const dlink_opts *o, const dlink_hooks *h, dlink **out, char *err,
                     size_t errlen)
{
    *out = NULL;
    dlink *l = calloc(1, sizeof *l);
    if (!l) {
        ms_errf(err, errlen, "out of memory");
        return MS_ERR_NO_MEMORY;
    }
    l->fd = -1;
    l->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : MS_DAEMON_TIMEOUT_MS;
    l->loop = o->loop;
    l->retry_ms = MS_DAEMON_RETRY_MIN_MS;
    if (h)
        l->h = *h;
    snprintf(l->who, sizeof l->who, "%s", o->who ? o->who : program_invocation_short_name);
    ms_status st = ms_ctl_path(o->dir, l->path, sizeof l->path);
    if (st != MS_OK)
        ms_errf(err, errlen, "the control socket's path is too long");
    if (st == MS_OK && l->loop &&
        ms_loop_add_timer(l->loop, TICK_MS, TICK_MS, on_tick, l, &l->w_tick) != MS_OK)
        st = MS_ERR_NO_MEMORY;
    if (st == MS_OK)
        st = attach(l, err, errlen);
    if (st != MS_OK) {
        int e = errno;
        dlink_close(l);
        errno = e;
        return st;
    }
    *out = l;
    return MS_OK;
}

void dlink_close(dlink *l)
{
    if (!l)
        return;
    ms_loop_remove(l->w_fd);
    ms_loop_remove(l->w_tick);
    if (l->fd >= 0)
        close(l->fd);
    free(l->q);
    free(l);
}

bool dlink_up(const dlink *l)
{
    return l->fd >= 0 && l->up;
}

int dlink_fd(const dlink *l)
{
    return l->fd;
}

const char *dlink_path(const dlink *l)
{
    return l->path;
}

void dlink_hello(const dlink *l, ms_daemon_hello *out)
{
    ms_sized_write(out, &l->hello, sizeof l->hello);
}

void dlink_refuse(dlink *l)
{
    l->refused++;
}

void dlink_info(const dlink *l, ms_daemon_link_info *out)
{
    ms_daemon_link_info i;
    memset(&i, 0, sizeof i);
    i.size = sizeof i;
    i.state = dlink_up(l) ? MS_DAEMON_STATE_UP : MS_DAEMON_STATE_DOWN;
    i.fd = dlink_up(l) ? l->fd : -1;
    snprintf(i.path, sizeof i.path, "%s", l->path);
    i.attaches = l->attaches;
    i.detaches = l->detaches;
    i.delivered = l->delivered;
    i.refused = l->refused;
    ms_sized_write(out, &i, sizeof i);
}
