/* SPDX-License-Identifier: MIT */
/* The NBNS responder (src/transport/nbns_responder.c) over 127.0.0.1 only:
 * it defends our names, answers queries, stays silent for everything else,
 * and says why it cannot open. */
#include <check.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/nbns.h"
#include "mailslot/nbns_resolve.h"
#include "mailslot/nbns_responder.h"
#include "nbns_peer.h"

static int client_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void send_to(int fd, uint16_t port, const uint8_t *b, size_t n)
{
    struct sockaddr_in d = { .sin_family = AF_INET, .sin_port = htons(port) };
    d.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(sendto(fd, b, n, 0, (struct sockaddr *)&d, sizeof d), (ssize_t)n);
}

/* Let the responder take what was sent: wait for readability (bounded),
 * then one handle() call. */
static int pump(ms_nbns_responder *r, int wait_ms)
{
    struct pollfd pfd = { .fd = ms_nbns_responder_fd(r), .events = POLLIN };
    if (poll(&pfd, 1, wait_ms) <= 0)
        return 0;
    size_t n = 0;
    return ms_nbns_responder_handle(r, &n) == MS_OK ? (int)n : -1;
}

static ssize_t recv_reply(int fd, uint8_t *b, size_t cap, int wait_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    if (poll(&pfd, 1, wait_ms) <= 0)
        return -1;
    return recv(fd, b, cap, 0);
}

START_TEST(responder_defends)
{
    uint16_t port;
    ms_nbns_responder *r = open_responder(&port);
    int c = client_socket();
    uint8_t b[600];
    size_t bl;
    ms_nbns_packet p, d;

    /* Another host claims LABPEER<00>: ACT_ERR back to it, naming us. */
    ms_nb_name ours = mkname("LabPeer", 0x00, NULL);
    ms_nbns_registration(&p, 0x4242, &ours, 0x0A090909, 0, 0, true);
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    ck_assert_int_eq(pump(r, 1000), 1);
    ssize_t got = recv_reply(c, b, sizeof b, 1000);
    ck_assert_int_gt(got, 0);
    ck_assert_int_eq(ms_nbns_decode(b, (size_t)got, &d, NULL), MS_OK);
    ck_assert_uint_eq(d.trn_id, 0x4242);
    ck_assert(d.flags & MS_NBNS_RESPONSE);
    ck_assert_uint_eq(MS_NBNS_OPCODE(d.flags), MS_NBNS_OP_REGISTRATION);
    ck_assert_uint_eq(MS_NBNS_RCODE(d.flags), MS_NBNS_RCODE_ACT_ERR);
    ck_assert(ms_nbns_name_equal(&d.rr.name, &ours));
    ck_assert_uint_eq(d.rr.naddrs, 1);
    ck_assert_uint_eq(d.rr.addrs[0].ip, OUR_IP);

    /* Silence for: our own claim echoed back, a group name of ours, a name
     * that is not ours, a response, NBSTAT, junk and an empty datagram. */
    ms_nbns_registration(&p, 1, &ours, OUR_IP, 0, 0, true);
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    ms_nb_name grp = mkname("LABGROUP", 0x00, NULL);
    ms_nbns_registration(&p, 2, &grp, 0x0A090909, MS_NBNS_NB_GROUP, 0, true);
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    ms_nb_name other = mkname("OTHER", 0x00, NULL);
    ms_nbns_query(&p, 3, &other, true);
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    bl = hex(POSITIVE_HEX, b, sizeof b);
    send_to(c, port, b, bl);
    ms_nbns_query(&p, 4, &ours, true);
    p.q.type = MS_NBNS_TYPE_NBSTAT;
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    send_to(c, port, (const uint8_t *)"\xff\xff\xff", 3);
    send_to(c, port, b, 0);
    int answered = pump(r, 1000);
    for (int i = 0; i < 4; i++)
        answered += pump(r, 50);
    ck_assert_int_eq(answered, 0);
    ck_assert_int_lt(recv_reply(c, b, sizeof b, 200), 0);

    /* And a plain query still gets its answer, to the sender's port. */
    ms_nbns_query(&p, 5, &ours, false);
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    ck_assert_int_eq(pump(r, 1000), 1);
    got = recv_reply(c, b, sizeof b, 1000);
    ck_assert_int_gt(got, 0);
    ck_assert_int_eq(ms_nbns_decode(b, (size_t)got, &d, NULL), MS_OK);
    ck_assert_uint_eq(d.trn_id, 5);
    ck_assert_uint_eq(d.flags, 0x8500);
    ck_assert_uint_eq(d.rr.ttl, MS_NBNS_DEFAULT_TTL);
    ck_assert_uint_eq(d.rr.addrs[0].ip, OUR_IP);

    close(c);
    ms_nbns_responder_close(r);
}
END_TEST

START_TEST(responder_open_errors)
{
    char err[256] = "";
    ms_nb_name bad;
    memset(&bad, 0, sizeof bad);
    ms_nbns_responder *r = (ms_nbns_responder *)1;
    ck_assert_int_ne(ms_nbns_responder_open(LOOPBACK, 1, OUR_IP, &bad, 1, &r, err, sizeof err),
                     MS_OK);
    ck_assert_ptr_null(r);
    ck_assert(err[0] && !strchr(err, '\n'));
    /* Binding a port someone holds without SO_REUSEADDR fails with a text. */
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    ms_nb_name n = mkname("X", 0, NULL);
    err[0] = 0;
    ck_assert_int_eq(ms_nbns_responder_open(LOOPBACK, ntohs(a.sin_port), OUR_IP, &n, 1, &r, err,
                                            sizeof err),
                     MS_ERR_SYSTEM);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err, "bind") != NULL, "%s", err);
    close(fd);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("nbns_responder");
    TCase *net = tcase_create("loopback");
    tcase_set_timeout(net, 30);
    tcase_add_test(net, responder_defends);
    tcase_add_test(net, responder_open_errors);
    suite_add_tcase(s, net);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
