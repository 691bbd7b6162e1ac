/* SPDX-License-Identifier: MIT */
/* The event loop: poll(2) over the watched descriptors and a self-pipe,
 * timers kept in the same list (there are few of either). */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailslot/loop.h"
#include "mailslot/net.h"

struct ms_loop_watch {
    ms_loop *loop;
    bool timer;
    bool removed;        /* taken out during a round: freed after it */
    int fd;
    unsigned events;
    ms_loop_fd_fn fd_fn;
    ms_loop_timer_fn timer_fn;
    void *ctx;
    uint64_t due_ns, period_ns;
};

struct ms_loop {
    ms_loop_watch **w;
    size_t n, cap;
    struct pollfd *pfd;
    ms_loop_watch **pfd_w;  /* the watch behind pfd[i] (NULL: the self-pipe) */
    size_t pfd_cap;
    int wake[2];            /* self-pipe: ms_loop_stop writes, poll wakes */
    volatile sig_atomic_t stop;
    bool running;           /* inside a round: removal is deferred */
};

ms_status ms_loop_new(ms_loop **out)
{
    *out = NULL;
    ms_loop *l = calloc(1, sizeof *l);
    if (!l)
        return MS_ERR_NO_MEMORY;
    if (pipe2(l->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        free(l);
        return MS_ERR_SYSTEM;
    }
    *out = l;
    return MS_OK;
}

void ms_loop_free(ms_loop *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->w[i]);
    free(l->w);
    free(l->pfd);
    free(l->pfd_w);
    close(l->wake[0]);
    close(l->wake[1]);
    free(l);
}

static ms_status add(ms_loop *l, ms_loop_watch *w, ms_loop_watch **out)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        ms_loop_watch **nw = realloc(l->w, cap * sizeof *nw);
        if (!nw) {
            free(w);
            return MS_ERR_NO_MEMORY;
        }
        l->w = nw;
        l->cap = cap;
    }
    w->loop = l;
    l->w[l->n++] = w;
    if (out)
        *out = w;
    return MS_OK;
}

ms_status ms_loop_add_fd(ms_loop *l, int fd, unsigned events, ms_loop_fd_fn fn, void *ctx,
                         ms_loop_watch **out)
{
    if (fd < 0 || !fn)
        return MS_ERR_INVALID_ARG;
    for (size_t i = 0; i < l->n; i++)
        if (!l->w[i]->timer && !l->w[i]->removed && l->w[i]->fd == fd)
            return MS_ERR_EXISTS;
    ms_loop_watch *w = calloc(1, sizeof *w);
    if (!w)
        return MS_ERR_NO_MEMORY;
    w->fd = fd;
    w->events = events;
    w->fd_fn = fn;
    w->ctx = ctx;
    return add(l, w, out);
}

ms_status ms_loop_set_events(ms_loop_watch *w, unsigned events)
{
    if (!w || w->timer)
        return MS_ERR_INVALID_ARG;
    w->events = events;
    return MS_OK;
}

ms_status ms_loop_add_timer(ms_loop *l, uint64_t first_ms, uint64_t period_ms,
                            ms_loop_timer_fn fn, void *ctx, ms_loop_watch **out)
{
    if (!fn)
        return MS_ERR_INVALID_ARG;
    ms_loop_watch *w = calloc(1, sizeof *w);
    if (!w)
        return MS_ERR_NO_MEMORY;
    w->timer = true;
    w->fd = -1;
    w->timer_fn = fn;
    w->ctx = ctx;
    w->due_ns = ms_monotonic_ns() + first_ms * 1000000u;
    w->period_ns = period_ms * 1000000u;
    return add(l, w, out);
}

ms_status ms_loop_timer_reset(ms_loop_watch *w, uint64_t ms)
{
    if (!w || !w->timer || w->removed)
        return MS_ERR_INVALID_ARG;
    w->due_ns = ms_monotonic_ns() + ms * 1000000u;
    return MS_OK;
}

/* Drop removed watches from the list (between rounds only: a round holds
 * pointers to them). */
static void purge(ms_loop *l)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->w[i]->removed)
            free(l->w[i]);
        else
            l->w[k++] = l->w[i];
    }
    l->n = k;
}

void ms_loop_remove(ms_loop_watch *w)
{
    if (!w || w->removed)
        return;
    w->removed = true;
    if (!w->loop->running)
        purge(w->loop);
}

void ms_loop_stop(ms_loop *l)
{
    l->stop = 1;
    char c = 1;
    ssize_t r = write(l->wake[1], &c, 1); /* full pipe: already awake */
    (void)r;
}

/* Milliseconds until the earliest timer (rounded up), or -1 for none. */
static int next_timer_ms(const ms_loop *l, uint64_t now)
{
    uint64_t best = UINT64_MAX;
    for (size_t i = 0; i < l->n; i++)
        if (l->w[i]->timer && !l->w[i]->removed && l->w[i]->due_ns < best)
            best = l->w[i]->due_ns;
    if (best == UINT64_MAX)
        return -1;
    if (best <= now)
        return 0;
    uint64_t ms = (best - now + 999999) / 1000000;
    return ms > 86400000u ? 86400000 : (int)ms;
}

static bool grow_pfd(ms_loop *l, size_t need)
{
    if (need <= l->pfd_cap)
        return true;
    struct pollfd *p = realloc(l->pfd, need * sizeof *p);
    if (!p)
        return false;
    l->pfd = p;
    ms_loop_watch **pw = realloc(l->pfd_w, need * sizeof *pw);
    if (!pw)
        return false;
    l->pfd_w = pw;
    l->pfd_cap = need;
    return true;
}

/* The descriptors to wait on: the self-pipe first, then every watch that
 * wants something. Returns how many, 0 when out of memory. */
static size_t build_pollfds(ms_loop *l)
{
    if (!grow_pfd(l, l->n + 1))
        return 0;
    size_t k = 0;
    l->pfd[k] = (struct pollfd){ l->wake[0], POLLIN, 0 };
    l->pfd_w[k++] = NULL;
    for (size_t i = 0; i < l->n; i++) {
        ms_loop_watch *w = l->w[i];
        if (w->timer || w->removed || !w->events)
            continue;
        short ev = (short)(((w->events & MS_LOOP_IN) ? POLLIN : 0) |
                           ((w->events & MS_LOOP_OUT) ? POLLOUT : 0));
        l->pfd[k] = (struct pollfd){ w->fd, ev, 0 };
        l->pfd_w[k++] = w;
    }
    return k;
}

static void dispatch_fds(ms_loop *l, size_t npfd)
{
    for (size_t i = 1; i < npfd; i++) {
        ms_loop_watch *w = l->pfd_w[i];
        short re = l->pfd[i].revents;
        if (!re || w->removed)
            continue;
        unsigned ev = ((re & POLLIN) ? MS_LOOP_IN : 0) | ((re & POLLOUT) ? MS_LOOP_OUT : 0) |
                      ((re & (POLLERR | POLLHUP | POLLNVAL)) ? MS_LOOP_ERR : 0);
        w->fd_fn(w->ctx, w->fd, ev);
    }
}

/* Timers due at the start of the dispatch; those a callback adds wait for
 * the next round. */
static void dispatch_timers(ms_loop *l)
{
    uint64_t now = ms_monotonic_ns();
    size_t n = l->n;
    for (size_t i = 0; i < n; i++) {
        ms_loop_watch *w = l->w[i];
        if (!w->timer || w->removed || w->due_ns > now)
            continue;
        if (w->period_ns)
            w->due_ns = now + w->period_ns;
        else
            w->removed = true;
        w->timer_fn(w->ctx);
    }
}

static bool take_stop(ms_loop *l)
{
    char buf[64];
    while (read(l->wake[0], buf, sizeof buf) > 0)
        ;
    if (!l->stop)
        return false;
    l->stop = 0;
    return true;
}

ms_status ms_loop_run_once(ms_loop *l, int timeout_ms)
{
    if (l->running)
        return MS_ERR_INVALID_ARG; /* from inside one of its own callbacks */
    if (l->stop && take_stop(l))
        return MS_ERR_STOPPED;
    int t = next_timer_ms(l, ms_monotonic_ns());
    if (t < 0 || (timeout_ms >= 0 && timeout_ms < t))
        t = timeout_ms;
    size_t npfd = build_pollfds(l);
    if (!npfd)
        return MS_ERR_NO_MEMORY;
    int r = poll(l->pfd, (nfds_t)npfd, t);
    if (r < 0 && errno != EINTR)
        return MS_ERR_SYSTEM;
    if (take_stop(l))
        return MS_ERR_STOPPED;
    l->running = true;
    if (r > 0)
        dispatch_fds(l, npfd);
    dispatch_timers(l);
    l->running = false;
    purge(l);
    return MS_OK;
}

ms_status ms_loop_run(ms_loop *l, int timeout_ms)
{
    uint64_t deadline = timeout_ms < 0 ? UINT64_MAX
                                       : ms_monotonic_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        int left = -1;
        if (deadline != UINT64_MAX) {
            uint64_t now = ms_monotonic_ns();
            if (now >= deadline)
                return MS_ERR_TIMEOUT;
            left = (int)((deadline - now + 999999) / 1000000);
        }
        ms_status st = ms_loop_run_once(l, left);
        if (st != MS_OK)
            return st;
    }
}
