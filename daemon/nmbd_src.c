/* SPDX-License-Identifier: MIT */
/* nmbd's unexpected-packet socket on the loop: drain, hand on, connect
 * again when nmbd comes back. */
#include "nmbd_src.h"

#include <stdio.h>
#include <string.h>

static void on_readable(void *ctx, int fd, unsigned events);
static void on_retry(void *ctx);

static void drop_reader(md_nmbd_src *s)
{
    ms_loop_remove(s->w);
    s->w = NULL;
    ms_nmbd_reader_close(s->r);
    s->r = NULL;
}

static ms_status connect_once(md_nmbd_src *s, int ack_ms, char *err, size_t errlen)
{
    ms_nmbd_opts o;
    ms_nmbd_opts_init(&o);
    o.socket_dir = s->dir;
    o.ack_timeout_ms = ack_ms;
    ms_status st = ms_nmbd_reader_open(&o, &s->r, err, errlen);
    if (st != MS_OK)
        return st;
    if (ms_loop_add_fd(s->loop, ms_nmbd_reader_fd(s->r), MS_LOOP_IN, on_readable, s, &s->w) !=
        MS_OK) {
        drop_reader(s);
        snprintf(err, errlen, "out of memory");
        return MS_ERR_NO_MEMORY;
    }
    return MS_OK;
}

static void schedule_retry(md_nmbd_src *s)
{
    if (ms_loop_add_timer(s->loop, s->retry_ms, 0, on_retry, s, &s->retry) != MS_OK)
        s->retry = NULL;
    s->retry_ms = s->retry_ms * 2 > MD_NMBD_RETRY_MAX_MS ? MD_NMBD_RETRY_MAX_MS : s->retry_ms * 2;
}

static void on_retry(void *ctx)
{
    md_nmbd_src *s = ctx;
    s->retry = NULL; /* a one-shot timer removes itself */
    char err[256] = "";
    /* No wait for nmbd's answer here: the loop must not stop; the first
     * receive takes it (and a wrong one is MS_ERR_VERSION there). */
    ms_status st = connect_once(s, 0, err, sizeof err);
    if (st == MS_OK) {
        s->reconnects++;
        s->retry_ms = MD_NMBD_RETRY_FIRST_MS;
        if (s->on_event)
            s->on_event(s->ctx, MD_NMBD_BACK, MS_OK, s->path);
        return;
    }
    if (st == MS_ERR_VERSION) {
        s->fatal = true;
        if (s->on_event)
            s->on_event(s->ctx, MD_NMBD_FATAL, st, err);
        return;
    }
    schedule_retry(s); /* not there yet */
}

static void on_readable(void *ctx, int fd, unsigned events)
{
    (void)fd;
    (void)events;
    md_nmbd_src *s = ctx;
    char err[256] = "";
    size_t got;
    ms_status st;
    do {
        for (size_t i = 0; i < MD_NMBD_BATCH; i++)
            s->d[i] = (ms_udp_dgram){ .buf = s->bufs[i], .cap = sizeof s->bufs[i] };
        got = 0;
        st = ms_nmbd_reader_recv(s->r, s->d, MD_NMBD_BATCH, &got, err, sizeof err);
        for (size_t i = 0; i < got; i++) {
            s->datagrams++;
            s->on_dgram(s->ctx, &s->d[i]);
        }
    } while (st == MS_OK && got == MD_NMBD_BATCH);
    if (st == MS_OK)
        return;
    drop_reader(s);
    if (st == MS_ERR_END) {
        if (s->on_event)
            s->on_event(s->ctx, MD_NMBD_LOST, st, err);
        s->retry_ms = MD_NMBD_RETRY_FIRST_MS;
        schedule_retry(s);
        return;
    }
    s->fatal = true;
    if (s->on_event)
        s->on_event(s->ctx, MD_NMBD_FATAL, st, err);
}

ms_status md_nmbd_src_open(md_nmbd_src *s, ms_loop *loop, const char *dir, int ack_ms,
                           char *err, size_t errlen)
{
    s->loop = loop;
    s->r = NULL;
    s->w = s->retry = NULL;
    s->fatal = false;
    s->retry_ms = MD_NMBD_RETRY_FIRST_MS;
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if (ms_nmbd_socket_path(s->dir, s->path, sizeof s->path) != MS_OK) {
        snprintf(err, errlen, "%s: too long for a socket path", dir);
        return MS_ERR_INVALID_ARG;
    }
    return connect_once(s, ack_ms, err, errlen);
}

bool md_nmbd_src_up(const md_nmbd_src *s)
{
    return s->r != NULL;
}

void md_nmbd_src_close(md_nmbd_src *s)
{
    drop_reader(s);
    ms_loop_remove(s->retry);
    s->retry = NULL;
}
