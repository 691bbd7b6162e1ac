/* SPDX-License-Identifier: MIT */
/* Live benchmark load generator and sender floor (issue 6, live part).
 *
 * Builds one valid NBDS DIRECT_UNIQUE datagram carrying an SMB mailslot
 * write to \MAILSLOT\BENCH with the library's client (ms_client_build,
 * build only, no socket of its own), then sends copies with sendmmsg:
 *
 *   live_gen rate DST PORT RATE SECONDS   paced: RATE datagrams/s for
 *       SECONDS; each copy carries a fresh 8-hex-digit counter in its data,
 *       so the listener's duplicate filter keeps every one
 *   live_gen burst DST PORT COUNT         the sender floor: COUNT copies of
 *       the same datagram, 32 per sendmmsg, as fast as the kernel takes them
 *
 * Prints "sent N seconds S rate R" on stdout. Every loop is bounded in
 * count and time (SECONDS <= 60, RATE <= 5 M, COUNT <= 10 M). */
#define _GNU_SOURCE /* sendmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mailslot/client.h"
#include "mailslot/net.h"

#define BATCH 32
#define DATA_LEN 100
#define MARK "live-bench seq="

static uint8_t bufs[BATCH][1024];
static size_t dlen;
static size_t seq_off; /* offset of the 8 hex digits in the datagram */

static void patch_seq(uint8_t *p, uint32_t v)
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)hx[v & 15];
        v >>= 4;
    }
}

static int build(const char *dst, uint16_t port)
{
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.no_socket = true;
    o.dest_name = "BENCH<00>";
    o.from = "LIVEGEN";
    o.dport = port;
    char err[512];
    ms_client *c;
    if (ms_client_open(dst, "\\MAILSLOT\\BENCH", &o, &c, err, sizeof err) != MS_OK) {
        fprintf(stderr, "live_gen: %s\n", err);
        return -1;
    }
    char data[DATA_LEN + 1];
    memset(data, 'x', DATA_LEN);
    memcpy(data, MARK "00000000 ", sizeof MARK - 1 + 9);
    ms_write_result res;
    ms_status st = ms_client_build(c, data, DATA_LEN, bufs[0], sizeof bufs[0], &res, err, sizeof err);
    ms_client_close(c);
    if (st != MS_OK) {
        fprintf(stderr, "live_gen: %s\n", err);
        return -1;
    }
    dlen = res.payload_len;
    uint8_t *m = memmem(bufs[0], dlen, MARK, sizeof MARK - 1);
    if (!m) {
        fprintf(stderr, "live_gen: marker not found\n");
        return -1;
    }
    seq_off = (size_t)(m - bufs[0]) + sizeof MARK - 1;
    for (int i = 1; i < BATCH; i++)
        memcpy(bufs[i], bufs[0], dlen);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    bool paced = argc == 6 && !strcmp(argv[1], "rate");
    bool burst = argc == 5 && !strcmp(argv[1], "burst");
    if (!paced && !burst) {
        fprintf(stderr, "usage: live_gen rate DST PORT RATE SECONDS | burst DST PORT COUNT\n");
        return 2;
    }
    uint32_t ip;
    long port = strtol(argv[3], NULL, 10);
    double rate = paced ? strtod(argv[4], NULL) : 0, secs = paced ? strtod(argv[5], NULL) : 60;
    long count = burst ? strtol(argv[4], NULL, 10) : 0;
    if (ms_ip_parse(argv[2], &ip) != MS_OK || port < 1 || port > 65535 ||
        (paced && !(rate >= 1 && rate <= 5e6 && secs > 0 && secs <= 60)) ||
        (burst && !(count >= 1 && count <= 10000000))) {
        fprintf(stderr, "live_gen: bad arguments\n");
        return 2;
    }
    if (build(argv[2], (uint16_t)port) != 0)
        return 1;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("live_gen: socket");
        return 1;
    }
    int wbuf = 4 << 20;
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &wbuf, sizeof wbuf);
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(ip);
    sa.sin_port = htons((uint16_t)port);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("live_gen: connect");
        return 1;
    }
    struct mmsghdr mm[BATCH];
    struct iovec iov[BATCH];
    memset(mm, 0, sizeof mm);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = dlen;
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    uint64_t sent = 0, errors = 0;
    uint32_t seq = 0;
    double t0 = now_s(), end = t0 + secs, t = t0;
    while (t < end && (!burst || sent < (uint64_t)count)) {
        uint64_t want = burst ? (uint64_t)count : (uint64_t)((t - t0) * rate) + 1;
        if (want <= sent) {
            /* Ahead of schedule: sleep until the next datagram is due. */
            double due = t0 + (double)(sent + 1) / rate;
            double d = due - t;
            if (d > 0) {
                struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };
                nanosleep(&ts, NULL);
            }
            t = now_s();
            continue;
        }
        uint64_t n = want - sent;
        if (n > BATCH)
            n = BATCH;
        if (paced)
            for (uint64_t i = 0; i < n; i++)
                patch_seq(bufs[i] + seq_off, seq++);
        int r = sendmmsg(fd, mm, (unsigned)n, 0);
        if (r < 0) {
            if (errno != EINTR && errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED) {
                perror("live_gen: sendmmsg");
                return 1;
            }
            /* Not sent: with paced mode, the counters are taken again. */
            if (paced)
                seq -= (uint32_t)n;
            if (++errors > 1000000)
                break;
        } else {
            if (paced && (uint64_t)r < n)
                seq -= (uint32_t)(n - (uint64_t)r);
            sent += (uint64_t)r;
        }
        t = now_s();
    }
    double el = now_s() - t0;
    if (paced && el > secs)
        el = secs; /* the schedule's length: the last batch left before it ended */
    printf("sent %llu seconds %.3f rate %.0f\n", (unsigned long long)sent, el,
           el > 0 ? (double)sent / el : 0.0);
    close(fd);
    return 0;
}
