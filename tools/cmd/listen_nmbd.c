/* SPDX-License-Identifier: MIT */
/* `listen --nmbd`: each datagram nmbd passes on goes into the server's
 * pipeline as if read from UDP 138 (ms_server_inject). When the reader
 * fails (nmbd stopped, or its format is not the one we know) the loop
 * stops and listen ends with the library's words. */
#include "listen_nmbd.h"

#include <stdio.h>

#include "cli.h"

static void stop(listen_nmbd *n, const char *why)
{
    cli_error("listen", "nmbd: %s", why);
    n->failed = true;
    ms_loop_remove(n->w);
    n->w = NULL;
    ms_loop_stop(ms_server_loop(n->srv));
}

static void on_readable(void *ctx, int fd, unsigned ev)
{
    (void)fd;
    (void)ev;
    listen_nmbd *n = ctx;
    char err[256] = "";
    size_t got;
    ms_status st;
    do {
        for (size_t i = 0; i < LISTEN_NMBD_BATCH; i++)
            n->d[i] = (ms_udp_dgram){ .buf = n->bufs[i], .cap = sizeof n->bufs[i] };
        got = 0;
        st = ms_nmbd_reader_recv(n->r, n->d, LISTEN_NMBD_BATCH, &got, err, sizeof err);
        for (size_t i = 0; i < got; i++) {
            const ms_udp_dgram *g = &n->d[i];
            ms_udp_datagram d = { .ip_src = g->src_ip, .sport = g->src_port,
                                  .dport = MS_NBDS_PORT, .payload = g->buf, .len = g->len,
                                  .orig_len = g->orig_len, .truncated = g->truncated,
                                  .ts_sec = (int64_t)(g->time_ns / 1000000000u) };
            ms_server_inject(n->srv, &d, NULL);
        }
    } while (st == MS_OK && got == LISTEN_NMBD_BATCH);
    if (st != MS_OK)
        stop(n, err);
}

int lnm_open(listen_nmbd *n, ms_server *srv)
{
    ms_nmbd_opts o;
    ms_nmbd_opts_init(&o);
    o.socket_dir = n->dir;
    char err[256] = "";
    n->srv = srv;
    if (ms_nmbd_reader_open(&o, &n->r, err, sizeof err) != MS_OK) {
        cli_error("listen", "--nmbd: %s", err);
        return EXIT_SYSTEM;
    }
    if (ms_loop_add_fd(ms_server_loop(srv), ms_nmbd_reader_fd(n->r), MS_LOOP_IN, on_readable,
                       n, &n->w) != MS_OK) {
        cli_error("listen", "--nmbd: out of memory");
        return EXIT_SYSTEM;
    }
    return EXIT_OK;
}

void lnm_close(listen_nmbd *n)
{
    ms_loop_remove(n->w);
    n->w = NULL;
    ms_nmbd_reader_close(n->r);
    n->r = NULL;
}
