/* SPDX-License-Identifier: MIT */
/* Which process holds a UDP port (src/transport/port_holder.c): a socket
 * of this test on 127.0.0.1 and one on the wildcard are found as this
 * process; a closed one is not. Needs no privilege: /proc shows a
 * process its own descriptors. */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/net.h"

static int bound(uint32_t addr, uint16_t *port)
{
    ms_udp_opts o;
    ms_udp_opts_init(&o);
    o.addr = addr;
    int fd = -1;
    char err[128];
    ck_assert_msg(ms_udp_open(&o, &fd, err, sizeof err) == MS_OK, "%s", err);
    uint32_t a;
    ck_assert_int_eq(ms_udp_local(fd, &a, port), MS_OK);
    return fd;
}

static void found_then_gone(uint32_t addr)
{
    uint16_t port;
    int fd = bound(addr, &port);
    char who[96], want[96];
    /* /proc/PID/comm: the program name, cut at 15 octets. */
    snprintf(want, sizeof want, "test_port_holde (pid %ld)", (long)getpid());
    ck_assert_int_eq(ms_udp_port_holder(port, who, sizeof who), MS_OK);
    ck_assert_str_eq(who, want);
    close(fd);
    ck_assert_int_eq(ms_udp_port_holder(port, who, sizeof who), MS_ERR_NOT_FOUND);
    ck_assert_str_eq(who, "");
}

START_TEST(own_socket_exact)
{
    found_then_gone(0x7F000001u);
}
END_TEST

START_TEST(own_socket_wildcard)
{
    found_then_gone(0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("port_holder");
    TCase *t = tcase_create("proc");
    tcase_add_test(t, own_socket_exact);
    tcase_add_test(t, own_socket_wildcard);
    suite_add_tcase(s, t);
    return run_suite(s, NULL);
}
