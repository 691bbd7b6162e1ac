/* SPDX-License-Identifier: MIT */
#include "nbns_peer.h"

#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"

ms_nb_name mkname(const char *text, uint8_t suffix, const char *scope)
{
    uint8_t n16[16];
    ms_nb_name n;
    ck_assert_int_eq(ms_nb_name_pad(n16, text, strlen(text), suffix), MS_OK);
    ck_assert_int_eq(ms_nb_name_make(&n, n16, scope), MS_OK);
    return n;
}

size_t hex(const char *h, uint8_t *out, size_t cap)
{
    return hex_to_bytes(h, out, cap);
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The kernel's pick, so parallel test runs do not collide on a fixed
 * number. */
uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* The child: a name service that registers our three names, says so on
 * the pipe, then answers until killed (or ms have passed). */
static void serve(uint16_t port, int ready_fd, int ms)
{
    ms_loop *loop;
    if (ms_loop_new(&loop) != MS_OK)
        _exit(2);
    ms_name_service_opts o;
    ms_name_service_opts_init(&o);
    o.our_ip = OUR_IP;
    o.bind_ip = LOOPBACK;
    o.port = port;
    o.bcast_ip = LOOPBACK;      /* the "subnet" is 127.0.0.1 ... */
    o.peer_port = free_port();  /* ... where nobody objects */
    o.bcast_interval_ms = 20;
    ms_name_service *ns;
    char err[200];
    ms_nb_name a = mkname("LABPEER", 0x00, NULL), b = mkname("LABPEER", 0x20, NULL),
               g = mkname("LABGROUP", 0x00, NULL);
    if (ms_name_service_open(loop, &o, &ns, err, sizeof err) != MS_OK ||
        ms_name_service_add(ns, &a, false) != MS_OK || ms_name_service_add(ns, &b, false) != MS_OK ||
        ms_name_service_add(ns, &g, true) != MS_OK ||
        ms_name_service_wait(ns, 3000, err, sizeof err) != MS_OK)
        _exit(3);
    if (write(ready_fd, "r", 1) != 1)
        _exit(4);
    ms_loop_run(loop, ms);
    _exit(0);
}

pid_t serve_names_in_child(uint16_t *port, int ms)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    *port = free_port();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(p[0]);
        serve(*port, p[1], ms);
    }
    close(p[1]);
    struct pollfd pfd = { .fd = p[0], .events = POLLIN };
    char c = 0;
    ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    close(p[0]);
    return pid;
}
