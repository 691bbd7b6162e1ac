/* SPDX-License-Identifier: MIT */
/* The reading loop of dcping and browse (reply_wait.h): poll, read a batch,
 * push it through the pipeline, until the time is up. */
#include "reply_wait.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "cli.h"
#include "cli_signal.h"
#include "mailslot/net.h"

#define BATCH 8

static uint8_t bufs[BATCH][65536];

static void push_all(ms_pipeline *p, ms_udp_dgram *d, size_t n, uint16_t dport, uint64_t *frame)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t t = d[i].time_ns ? d[i].time_ns : ms_realtime_ns();
        ms_udp_datagram u = { .frame = ++*frame, .ts_sec = (int64_t)(t / 1000000000u),
                              .ts_nsec = (uint32_t)(t % 1000000000u), .ip_src = d[i].src_ip,
                              .ip_dst = d[i].dst_ip, .sport = d[i].src_port, .dport = dport,
                              .udp_length = (uint16_t)(d[i].len + 8), .payload = d[i].buf,
                              .len = d[i].len, .orig_len = d[i].orig_len,
                              .truncated = d[i].truncated };
        ms_pipeline_push(p, &u, ms_monotonic_ns());
    }
}

/* Everything nmbd has passed on by now: it blocks once our end is full. */
static int drain_nmbd(const char *cmd, ms_nmbd_reader *r, ms_pipeline *p, uint64_t *frame)
{
    ms_udp_dgram d[BATCH];
    size_t n;
    ms_status st;
    char err[256] = "";
    do {
        for (int i = 0; i < BATCH; i++)
            d[i] = (ms_udp_dgram){ .buf = bufs[i], .cap = sizeof bufs[i] };
        n = 0;
        st = ms_nmbd_reader_recv(r, d, BATCH, &n, err, sizeof err);
        push_all(p, d, n, MS_NBDS_PORT, frame);
    } while (st == MS_OK && n == BATCH);
    if (st == MS_OK)
        return EXIT_OK;
    cli_error(cmd, "nmbd's socket: %s", err);
    return EXIT_SYSTEM;
}

/* One poll round: whatever is waiting on any descriptor. */
static int read_round(const char *cmd, const reply_wait_opts *o, ms_pipeline *p, int timeout_ms,
                      uint64_t *frame)
{
    ms_udp_dgram d[BATCH];
    for (int i = 0; i < BATCH; i++)
        d[i] = (ms_udp_dgram){ .buf = bufs[i], .cap = sizeof bufs[i] };
    int cfd = o->c ? ms_client_fd(o->c) : -1;
    struct pollfd pfd[3];
    nfds_t nfd = 0;
    int fds[3] = { cfd, o->extra_fd, o->nmbd ? ms_nmbd_reader_fd(o->nmbd) : -1 };
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0)
            pfd[nfd++] = (struct pollfd){ fds[i], POLLIN, 0 };
    if (nfd > 0 && poll(pfd, nfd, timeout_ms) < 0 && errno != EINTR) {
        cli_error(cmd, "poll: %s", strerror(errno));
        return EXIT_SYSTEM;
    }
    size_t n = 0;
    if (cfd >= 0) {
        if (ms_client_recv_replies(o->c, d, BATCH, &n) != MS_OK) {
            cli_error(cmd, "receive: %s", strerror(errno));
            return EXIT_SYSTEM;
        }
        push_all(p, d, n, ms_client_get_info(o->c)->sport, frame);
    }
    if (o->extra_fd >= 0) {
        if (ms_udp_recv_batch(o->extra_fd, d, BATCH, &n) != MS_OK) {
            cli_error(cmd, "receive: %s", strerror(errno));
            return EXIT_SYSTEM;
        }
        push_all(p, d, n, o->extra_port, frame);
    }
    return o->nmbd ? drain_nmbd(cmd, o->nmbd, p, frame) : EXIT_OK;
}

int reply_wait(const char *cmd, const reply_wait_opts *o)
{
    ms_pipeline_opts po;
    ms_pipeline_opts_init(&po);
    po.validate = o->validate;
    ms_pipeline *p;
    char err[256];
    if (ms_pipeline_new(&po, o->fn, o->ctx, &p, err, sizeof err) != MS_OK) {
        cli_error(cmd, "%s", err);
        return EXIT_SYSTEM;
    }
    uint64_t deadline = ms_monotonic_ns() + (uint64_t)(o->seconds * 1e9), frame = 0;
    int status = EXIT_OK;
    for (uint64_t now; status == EXIT_OK && !cli_stop_signal && !(o->done && *o->done) &&
                       (now = ms_monotonic_ns()) < deadline;)
        status = read_round(cmd, o, p, (int)((deadline - now + 999999) / 1000000), &frame);
    ms_pipeline_free(p);
    return status;
}
