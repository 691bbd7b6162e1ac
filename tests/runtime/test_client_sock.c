/* SPDX-License-Identifier: MIT */
/* The client's source port (src/runtime/client_sock.c), live, as root in
 * a network namespace of its own (unshare(CLONE_NEWNET), lo only), where
 * port 138 is ours to play with:
 *   - default with CAP_NET_RAW: from 138 through a raw socket; a program
 *     that binds 127.0.0.1:138 afterwards (even without SO_REUSEADDR) can,
 *     and gets every one of 50 replies sent there, while
 *     ms_client_recv_replies reads 50 copies;
 *   - --sport 138 while that program holds it: MS_ERR_EXISTS naming it;
 *     when free: bound, and then no one else can bind it;
 *   - ephemeral, and default without CAP_NET_RAW (dropped in a child):
 *     SOURCE_PORT = the socket's port, replies read from it, the note
 *     says why; MS_CLIENT_SPORT_RAW fails there.
 * Not root: skipped (skip_or_fail: fails under MAILSLOT_REQUIRE_ALL). */
#define _GNU_SOURCE /* unshare */
#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/client.h"
#include "mailslot/message.h"

#define LO 0x7F000001u
#define PEER_PORT 5000
#define N 50

static char err[512];

/* What a test opened, closed by the teardown also after a failed
 * assertion (which leaves the test early). */
static int fds[8];
static size_t nfds;
static ms_client *clients[4];
static size_t nclients;

/* In the child of no_cap_net_raw a failed ck_assert would go back into
 * a copy of the test runner: there a failure prints and exits instead. */
static bool in_child;
#define REQUIRE(cond)                                                                    \
    do {                                                                                 \
        bool ok_ = (cond);                                                               \
        if (in_child && !ok_) {                                                          \
            fprintf(stderr, "%s:%d: child: %s failed (%s)\n", __FILE__, __LINE__, #cond, err); \
            _exit(20);                                                                   \
        }                                                                                \
        ck_assert_msg(ok_, "%s failed (%s)", #cond, err);                                \
    } while (0)

static void teardown(void)
{
    while (nfds)
        close(fds[--nfds]);
    while (nclients)
        ms_client_close(clients[--nclients]);
}

static int udp_on(uint32_t addr, uint16_t port, bool reuse)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int one = 1, size = 1 << 20;
    if (reuse)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(addr);
    sa.sin_port = htons(port);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (nfds < sizeof fds / sizeof fds[0])
        fds[nfds++] = fd;
    return fd;
}

static ms_client *open_client(int sport, bool send_only, ms_status *st)
{
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.from = "ASKER";
    o.dest_name = "PEER<00>";
    o.dport = PEER_PORT;
    o.sport = sport;
    o.send_only = send_only;
    ms_client *c = NULL;
    *st = ms_client_open("127.0.0.1", "\\MAILSLOT\\ports", &o, &c, err, sizeof err);
    if (c && nclients < sizeof clients / sizeof clients[0])
        clients[nclients++] = c;
    return c;
}

/* Waits up to 2 s for n datagrams on fd (recv) or through the client. */
static size_t count(int fd, ms_client *c, size_t n, uint16_t *src_port, uint16_t *nbds_port)
{
    static uint8_t bufs[8][2048];
    size_t total = 0;
    for (int rounds = 0; total < n && rounds < 200; rounds++) {
        struct pollfd p = { c ? ms_client_fd(c) : fd, POLLIN, 0 };
        if (poll(&p, 1, 10) <= 0)
            continue;
        ms_udp_dgram d[8];
        for (int i = 0; i < 8; i++)
            d[i] = (ms_udp_dgram){ .buf = bufs[i], .cap = sizeof bufs[i] };
        size_t got = 0;
        ms_status st = c ? ms_client_recv_replies(c, d, 8, &got) : ms_udp_recv_batch(fd, d, 8, &got);
        REQUIRE(st == MS_OK);
        for (size_t i = 0; i < got; i++) {
            static ms_message m;
            REQUIRE(ms_message_decode(d[i].buf, d[i].len, &m) == MS_OK);
            if (src_port)
                *src_port = d[i].src_port;
            if (nbds_port)
                *nbds_port = m.dgram.src_port;
        }
        total += got;
    }
    return total;
}

/* Send N; the peer gets each from want_port (SOURCE_PORT the same) and
 * answers it to where it came from. */
static void round_trip(ms_client *c, int peer, uint16_t want_port)
{
    size_t sent = 0;
    REQUIRE(ms_client_write_many(c, "ping", 4, N, NULL, &sent, err, sizeof err) == MS_OK);
    REQUIRE(sent == N);
    static uint8_t b[2048];
    static ms_message m;
    for (int i = 0; i < N; i++) {
        struct pollfd p = { peer, POLLIN, 0 };
        REQUIRE(poll(&p, 1, 2000) == 1);
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t r = recvfrom(peer, b, sizeof b, 0, (struct sockaddr *)&from, &fl);
        REQUIRE(r > 0);
        REQUIRE(ntohs(from.sin_port) == want_port);
        REQUIRE(ms_message_decode(b, (size_t)r, &m) == MS_OK);
        REQUIRE(m.dgram.src_port == want_port);
        REQUIRE(sendto(peer, b, (size_t)r, 0, (struct sockaddr *)&from, fl) == r);
    }

}

START_TEST(raw_default_takes_nothing)
{
    ms_status st;
    ms_client *c = open_client(MS_CLIENT_SPORT_DEFAULT, false, &st);
    ck_assert_msg(st == MS_OK, "%s", err);
    const ms_client_info *in = ms_client_get_info(c);
    ck_assert_int_eq(in->sport_mode, MS_SPORT_MODE_RAW);
    ck_assert_uint_eq(in->sport, 138);
    ck_assert(!in->sport_fallback);
    ck_assert_ptr_nonnull(strstr(in->note, "raw socket"));
    /* A program started after us binds 138 alone: nothing holds it. */
    int holder = udp_on(LO, 138, false);
    ck_assert_msg(holder >= 0, "bind 127.0.0.1:138 after the client: %s", strerror(errno));
    int peer = udp_on(LO, PEER_PORT, false);
    round_trip(c, peer, 138);
    ck_assert_uint_eq(count(holder, NULL, N, NULL, NULL), N);
    ck_assert_uint_eq(count(-1, c, N, NULL, NULL), N);
    /* --sport 138 while it is held: refused, naming the holder (us). */
    ms_status st2;
    ms_client *c2 = open_client(138, false, &st2);
    ck_assert_ptr_null(c2);
    ck_assert_int_eq(st2, MS_ERR_EXISTS);
    char want[64];
    snprintf(want, sizeof want, "port 138 is in use by test_client_soc (pid %ld)",
             (long)getpid());
    ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(raw_send_only_reads_nothing)
{
    ms_status st;
    ms_client *c = open_client(MS_CLIENT_SPORT_DEFAULT, true, &st);
    ck_assert_msg(st == MS_OK, "%s", err);
    ck_assert_int_eq(ms_client_get_info(c)->sport_mode, MS_SPORT_MODE_RAW);
    ck_assert_int_eq(ms_client_fd(c), -1);
    ms_udp_dgram d = { 0 };
    size_t got;
    ck_assert_int_eq(ms_client_recv_replies(c, &d, 1, &got), MS_ERR_INVALID_ARG);
    int peer = udp_on(LO, PEER_PORT, false);
    ck_assert_int_eq(ms_client_write(c, "x", 1, NULL, err, sizeof err), MS_OK);
    uint16_t sp = 0;
    ck_assert_uint_eq(count(peer, NULL, 1, &sp, NULL), 1);
    ck_assert_uint_eq(sp, 138);
}
END_TEST

START_TEST(explicit_port_bound_alone)
{
    ms_status st;
    ms_client *c = open_client(138, false, &st);
    ck_assert_msg(st == MS_OK, "%s", err);
    ck_assert_int_eq(ms_client_get_info(c)->sport_mode, MS_SPORT_MODE_BOUND);
    ck_assert_uint_eq(ms_client_get_info(c)->sport, 138);
    ck_assert_int_eq(udp_on(0, 138, true), -1); /* documented: held alone */
    ck_assert_int_eq(errno, EADDRINUSE);
    int peer = udp_on(LO, PEER_PORT, false);
    round_trip(c, peer, 138);
    ck_assert_uint_eq(count(-1, c, N, NULL, NULL), N);
}
END_TEST

static void ephemeral_round_trip(int sport, bool fallback)
{
    ms_status st;
    ms_client *c = open_client(sport, false, &st);
    REQUIRE(st == MS_OK);
    const ms_client_info *in = ms_client_get_info(c);
    REQUIRE(in->sport_mode == MS_SPORT_MODE_EPHEMERAL);
    REQUIRE(in->sport != 138);
    REQUIRE(in->sport_fallback == fallback);
    if (fallback)
        REQUIRE(strstr(in->note, "no CAP_NET_RAW") != NULL);
    int peer = udp_on(LO, PEER_PORT, false);
    round_trip(c, peer, in->sport);
    REQUIRE(count(-1, c, N, NULL, NULL) == N);
}

START_TEST(ephemeral_as_asked)
{
    ephemeral_round_trip(MS_CLIENT_SPORT_EPHEMERAL, false);
}
END_TEST

/* In a child without CAP_NET_RAW: the default falls back to an ephemeral
 * port and says why; MS_CLIENT_SPORT_RAW fails. */
START_TEST(no_cap_net_raw)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct cd[2];
        if (syscall(SYS_capget, &h, cd) != 0)
            _exit(10);
        cd[0].effective &= ~(1u << CAP_NET_RAW);
        cd[0].permitted &= ~(1u << CAP_NET_RAW);
        if (syscall(SYS_capset, &h, cd) != 0)
            _exit(11);
        in_child = true;
        ephemeral_round_trip(MS_CLIENT_SPORT_DEFAULT, true);
        ms_status st;
        ms_client *c = open_client(MS_CLIENT_SPORT_RAW, false, &st);
        _exit(!c && st == MS_ERR_SYSTEM && strstr(err, "CAP_NET_RAW") ? 0 : 12);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: status 0x%x", status);
}
END_TEST

/* A namespace of our own with lo up: 127.0.0.1:138 is nobody else's. */
static const char *private_net(void)
{
    if (geteuid() != 0)
        return "test_client_sock: not root (needs a network namespace and raw sockets)";
    if (unshare(CLONE_NEWNET) != 0)
        return "test_client_sock: unshare(CLONE_NEWNET) failed";
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq r;
    memset(&r, 0, sizeof r);
    snprintf(r.ifr_name, sizeof r.ifr_name, "lo");
    bool up = s >= 0 && ioctl(s, SIOCGIFFLAGS, &r) == 0 &&
              (r.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &r) == 0);
    if (s >= 0)
        close(s);
    return up ? NULL : "test_client_sock: cannot bring lo up in the new namespace";
}

int main(void)
{
    Suite *s = suite_create("client_sock");
    const char *skip = private_net();
    if (!skip) {
        TCase *t = tcase_create("ports");
        tcase_set_timeout(t, 30);
        tcase_add_checked_fixture(t, NULL, teardown);
        tcase_add_test(t, raw_default_takes_nothing);
        tcase_add_test(t, raw_send_only_reads_nothing);
        tcase_add_test(t, explicit_port_bound_alone);
        tcase_add_test(t, ephemeral_as_asked);
        tcase_add_test(t, no_cap_net_raw);
        suite_add_tcase(s, t);
    }
    return run_suite(s, skip);
}
