/* SPDX-License-Identifier: MIT */
#include "nbns_peer.h"

#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
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

ms_nbns_responder *open_responder(uint16_t *port)
{
    ms_nb_name names[2] = { mkname("LABPEER", 0x00, NULL), mkname("LABPEER", 0x20, NULL) };
    char err[256] = "";
    ms_nbns_responder *r = NULL;
    for (int tries = 0; tries < 5 && !r; tries++) {
        *port = free_port();
        ms_nbns_responder_open(LOOPBACK, *port, OUR_IP, names, 2, &r, err, sizeof err);
    }
    ck_assert_msg(r != NULL, "%s", err);
    ms_nb_name g = mkname("LABGROUP", 0x00, NULL);
    ck_assert_int_eq(ms_nbns_responder_add(r, &g, true), MS_OK);
    return r;
}
