/* SPDX-License-Identifier: MIT */
/* Live benchmark through mailslotd (issue 14, point 8): a program that
 * receives through the daemon the library's normal way. ms_server_open
 * with MS_DAEMON_REQUIRE (the daemon at $MAILSLOTD_DIR) binds no socket of
 * its own; the mailslot it creates is registered with the daemon, whose
 * DELIVERs take the library's pipeline; ms_mailslot_read in a loop.
 *
 *   live_daemon SLOT MAX_SECONDS
 *
 * Stops MAX_SECONDS after starting, or 0.5 s after the last message once
 * one came. Prints "received N daemon_dropped D queue_full Q cpu_s C": D
 * what the daemon said it dropped for the mailslot, Q the library's own
 * queue drops, C this program's user+system CPU seconds. Prints "ready"
 * on stderr once the mailslot is registered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "mailslot/net.h"
#include "mailslot/server.h"

static double now_s(void)
{
    return (double)ms_monotonic_ns() / 1e9;
}

int main(int argc, char **argv)
{
    double max_s = argc == 3 ? strtod(argv[2], NULL) : 0;
    if (argc != 3 || !(max_s > 0 && max_s <= 120)) {
        fprintf(stderr, "usage: live_daemon SLOT MAX_SECONDS\n");
        return 2;
    }
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.daemon = MS_DAEMON_REQUIRE;
    char err[512];
    ms_server *s;
    if (ms_server_open(&o, &s, err, sizeof err) != MS_OK) {
        fprintf(stderr, "live_daemon: %s\n", err);
        return 1;
    }
    ms_mailslot *slot;
    ms_status st = ms_mailslot_create(s, argv[1], 0, 100, &slot);
    if (st != MS_OK) {
        fprintf(stderr, "live_daemon: %s: %s\n", argv[1], ms_strerror(st));
        return 1;
    }
    fprintf(stderr, "ready\n");
    uint64_t got = 0;
    double t0 = now_s(), last = 0;
    for (;;) {
        ms_mailslot_msg msg;
        st = ms_mailslot_read(slot, &msg);
        double t = now_s();
        if (st == MS_OK) {
            got++;
            last = t;
        } else if (st != MS_ERR_TIMEOUT) {
            fprintf(stderr, "live_daemon: read: %s\n", ms_strerror(st));
            return 1;
        }
        if (t - t0 > max_s || (got && t - last > 0.5))
            break;
    }
    ms_mailslot_info mi = MS_SIZED(ms_mailslot_info);
    ms_mailslot_get_info(slot, &mi);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("received %llu daemon_dropped %llu queue_full %llu cpu_s %.3f\n",
           (unsigned long long)got, (unsigned long long)mi.daemon_dropped,
           (unsigned long long)mi.queue_full, cpu);
    ms_server_close(s);
    return 0;
}
