/* SPDX-License-Identifier: MIT */
/* Test program for tests/interop_nmbd_socket.sh: read nmbd's
 * unexpected-packet socket through the library's reader for a while and
 * print each datagram as one NDJSON object that `mailslot encode -w`
 * turns into a capture (time, source address and port, payload), so
 * `decode --json` can say what came through.
 * Usage: nmbd_dump SOCKET_DIR SECONDS
 * Exit: 0 (the time ran out or nmbd closed the connection), 1 when the
 * reader failed otherwise (the library's words on stderr), 2 usage. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "mailslot/nmbd_unexpected.h"

#define BATCH 8

static void print_one(const ms_udp_dgram *d)
{
    char src[16];
    ms_ip_format(d->src_ip, src, sizeof src);
    printf("{\"time\":%llu,\"ip\":{\"src\":\"%s\",\"dst\":\"0.0.0.0\"},"
           "\"udp\":{\"srcport\":%u,\"dstport\":138},\"len\":%zu,\"payload\":\"",
           (unsigned long long)(d->time_ns / 1000000000u), src, d->src_port, d->orig_len);
    for (size_t i = 0; i < d->len; i++)
        printf("%02x", d->buf[i]);
    printf("\"}\n");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: nmbd_dump SOCKET_DIR SECONDS\n");
        return 2;
    }
    ms_nmbd_opts o;
    ms_nmbd_opts_init(&o);
    o.socket_dir = argv[1];
    char err[256] = "";
    ms_nmbd_reader *r = NULL;
    if (ms_nmbd_reader_open(&o, &r, err, sizeof err) != MS_OK) {
        fprintf(stderr, "nmbd_dump: %s\n", err);
        return 1;
    }
    fprintf(stderr, "nmbd_dump: connected\n");
    uint64_t end = ms_monotonic_ns() + (uint64_t)(atof(argv[2]) * 1e9);
    static uint8_t bufs[BATCH][MS_NMBD_RECORD_MAX];
    ms_udp_dgram d[BATCH];
    ms_status st = MS_OK;
    while (st == MS_OK && ms_monotonic_ns() < end) {
        struct pollfd p = { ms_nmbd_reader_fd(r), POLLIN, 0 };
        poll(&p, 1, 100);
        size_t got;
        do {
            for (int i = 0; i < BATCH; i++)
                d[i] = (ms_udp_dgram){ .buf = bufs[i], .cap = sizeof bufs[i] };
            got = 0;
            st = ms_nmbd_reader_recv(r, d, BATCH, &got, err, sizeof err);
            for (size_t i = 0; i < got; i++)
                print_one(&d[i]);
        } while (st == MS_OK && got == BATCH);
        fflush(stdout);
    }
    ms_nmbd_stats s = MS_SIZED(ms_nmbd_stats);
    ms_nmbd_reader_get_stats(r, &s);
    fprintf(stderr, "nmbd_dump: %llu datagrams, %llu octets%s%s\n",
            (unsigned long long)s.records, (unsigned long long)s.octets,
            st == MS_OK ? "" : "; ", st == MS_OK ? "" : err);
    ms_nmbd_reader_close(r);
    return st == MS_OK || st == MS_ERR_END ? 0 : 1;
}
