/* SPDX-License-Identifier: MIT */
/* Live benchmark receive floor (issue 6, live part): a plain blocking
 * recvmmsg loop, 64 datagrams per call, on a UDP socket with a 32 MiB
 * receive buffer (SO_RCVBUFFORCE). It only counts: nothing can receive
 * with less work.
 *
 *   live_floor PORT MAX_SECONDS
 *
 * Stops MAX_SECONDS after starting, or 0.5 s after the last datagram once
 * one came. Prints "received N drops D cpu_s C" on stdout: D is the
 * socket's own overflow count (SO_RXQ_OVFL), C user+system CPU seconds. */
#define _GNU_SOURCE /* recvmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define CAP 2048

static uint8_t bufs[BATCH][CAP];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: live_floor PORT MAX_SECONDS\n");
        return 2;
    }
    long port = strtol(argv[1], NULL, 10);
    double max_s = strtod(argv[2], NULL);
    if (port < 1 || port > 65535 || !(max_s > 0 && max_s <= 120)) {
        fprintf(stderr, "live_floor: bad arguments\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int rb = 32 << 20, one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rb, sizeof rb) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) != 0) {
        perror("live_floor: socket");
        return 1;
    }
    struct timeval tv = { 0, 100000 };
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("live_floor: bind");
        return 1;
    }
    struct mmsghdr mm[BATCH];
    struct iovec iov[BATCH];
    union {
        struct cmsghdr align;
        char b[CMSG_SPACE(sizeof(uint32_t))];
    } ctl[BATCH];
    uint64_t got = 0;
    uint32_t drops = 0;
    double t0 = now_s(), last = 0;
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = CAP;
            memset(&mm[i].msg_hdr, 0, sizeof mm[i].msg_hdr);
            mm[i].msg_hdr.msg_iov = &iov[i];
            mm[i].msg_hdr.msg_iovlen = 1;
            mm[i].msg_hdr.msg_control = &ctl[i];
            mm[i].msg_hdr.msg_controllen = sizeof ctl[i].b;
        }
        int r = recvmmsg(fd, mm, BATCH, MSG_WAITFORONE, NULL);
        double t = now_s();
        if (r > 0) {
            got += (uint64_t)r;
            last = t;
            struct cmsghdr *c = CMSG_FIRSTHDR(&mm[r - 1].msg_hdr);
            if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
                memcpy(&drops, CMSG_DATA(c), sizeof drops);
        } else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            perror("live_floor: recvmmsg");
            return 1;
        }
        if (t - t0 > max_s || (got && t - last > 0.5))
            break;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("received %llu drops %u cpu_s %.3f\n", (unsigned long long)got, drops, cpu);
    close(fd);
    return 0;
}
