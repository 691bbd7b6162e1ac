/* SPDX-License-Identifier: MIT */
/* Live benchmark through the library's API (issue 6, live part).
 *
 *   live_lib recv PORT MAX_SECONDS
 *       ms_server_open on PORT (receive buffer 32 MiB, like the floor;
 *       everything else the library's defaults: duplicate filter, queue
 *       bounds), a catch-all mailslot "*", then ms_server_read_any in a
 *       loop. Stops like live_floor (MAX_SECONDS, or 0.5 s after the last
 *       message). Prints "received N datagrams D dropped X cpu_s C ...", X
 *       the server's own drops (queue full, duplicates, malformed, ...).
 *   live_lib send DST PORT COUNT
 *       ms_client_open to DST (an address, destination name BENCH<00>),
 *       then COUNT x ms_client_write of the same 100 octets. Prints
 *       "sent N seconds S rate R".
 *   live_lib send-many DST PORT COUNT
 *       the same with one ms_client_write_many (sendmmsg, 32 per call). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "mailslot/client.h"
#include "mailslot/net.h"
#include "mailslot/server.h"

static double now_s(void)
{
    return (double)ms_monotonic_ns() / 1e9;
}

static int do_recv(long port, double max_s)
{
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.port = (uint16_t)port;
    o.rcvbuf = 32 << 20;
    char err[512];
    ms_server *s;
    if (ms_server_open(&o, &s, err, sizeof err) != MS_OK) {
        fprintf(stderr, "live_lib: %s\n", err);
        return 1;
    }
    ms_mailslot *any;
    if (ms_mailslot_create(s, "*", 0, 0, &any) != MS_OK) {
        fprintf(stderr, "live_lib: cannot create the catch-all mailslot\n");
        return 1;
    }
    uint64_t got = 0, octets = 0;
    double t0 = now_s(), last = 0;
    for (;;) {
        ms_mailslot_msg msg;
        ms_status st = ms_server_read_any(s, 100, NULL, &msg);
        double t = now_s();
        if (st == MS_OK) {
            got++;
            octets += msg.len;
            last = t;
        } else if (st != MS_ERR_TIMEOUT) {
            fprintf(stderr, "live_lib: read: %s\n", ms_strerror(st));
            return 1;
        }
        if (t - t0 > max_s || (got && t - last > 0.5))
            break;
    }
    ms_server_stats sst = MS_SIZED(ms_server_stats), *ss = &sst;
    ms_server_get_stats(s, ss);
    uint64_t dropped = ss->datagrams - ss->queued;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("received %llu datagrams %llu dropped %llu cpu_s %.3f queue_full %llu duplicates "
           "%llu octets %llu\n",
           (unsigned long long)got, (unsigned long long)ss->datagrams,
           (unsigned long long)dropped, cpu, (unsigned long long)ss->queue_full,
           (unsigned long long)ss->duplicates, (unsigned long long)octets);
    ms_server_close(s);
    return 0;
}

static int do_send(const char *dst, long port, long count, bool many)
{
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.dest_name = "BENCH<00>";
    o.from = "LIVELIB";
    o.dport = (uint16_t)port;
    o.sport = MS_CLIENT_SPORT_EPHEMERAL;
    char err[512];
    ms_client *c;
    if (ms_client_open(dst, "\\MAILSLOT\\BENCH", &o, &c, err, sizeof err) != MS_OK) {
        fprintf(stderr, "live_lib: %s\n", err);
        return 1;
    }
    char data[100];
    memset(data, 'x', sizeof data);
    double t0 = now_s();
    long sent = 0;
    ms_status st;
    if (many) {
        size_t n = 0;
        st = ms_client_write_many(c, data, sizeof data, (size_t)count, NULL, &n, err,
                                  sizeof err);
        sent = (long)n;
        if (st != MS_OK)
            fprintf(stderr, "live_lib: %s\n", err);
    } else {
        for (; sent < count; sent++) {
            st = ms_client_write(c, data, sizeof data, NULL, err, sizeof err);
            if (st != MS_OK) {
                fprintf(stderr, "live_lib: %s\n", err);
                break;
            }
        }
    }
    double el = now_s() - t0;
    printf("sent %ld seconds %.3f rate %.0f\n", sent, el, el > 0 ? (double)sent / el : 0.0);
    ms_client_close(c);
    return sent == count ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "recv")) {
        long port = strtol(argv[2], NULL, 10);
        double max_s = strtod(argv[3], NULL);
        if (port < 1 || port > 65535 || !(max_s > 0 && max_s <= 120))
            return 2;
        return do_recv(port, max_s);
    }
    if (argc == 5 && (!strcmp(argv[1], "send") || !strcmp(argv[1], "send-many"))) {
        long port = strtol(argv[3], NULL, 10), count = strtol(argv[4], NULL, 10);
        if (port < 1 || port > 65535 || count < 1 || count > 10000000)
            return 2;
        return do_send(argv[2], port, count, !strcmp(argv[1], "send-many"));
    }
    fprintf(stderr, "usage: live_lib recv PORT MAX_SECONDS | send|send-many DST PORT COUNT\n");
    return 2;
}
