/* SPDX-License-Identifier: MIT */
/* A client's output queue (daemon/outq.c) over a real socket pair: sent at
 * once while the socket takes it, queued in order once it is full, the
 * newest dropped and counted when its mailslot's queue is at its bound
 * (the other mailslots' messages untouched), answers never dropped, the
 * global octet bound, purge, a peer that went away. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "outq.h"

static int fds[2];
static md_outq Q;
static md_qbound B;

static void setup(void)
{
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds), 0);
    int small = 4096; /* the kernel makes its least of it: a few packets */
    setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    memset(&Q, 0, sizeof Q);
    B = (md_qbound){ 0, 1 << 20, 0 };
}

static void teardown(void)
{
    md_outq_clear(&Q, &B);
    ck_assert_uint_eq(B.total, 0);
    close(fds[0]);
    close(fds[1]);
}

static uint8_t pkt[300];

static ms_status put(md_qacct *a, uint8_t tag, uint16_t seq)
{
    pkt[0] = tag;
    pkt[1] = (uint8_t)(seq >> 8);
    pkt[2] = (uint8_t)seq;
    return md_outq_put(&Q, fds[0], a, pkt, sizeof pkt, 0, &B);
}

/* Fill the socket until a packet is queued: how many went straight out. */
static unsigned fill(md_qacct *a, uint8_t tag)
{
    unsigned n = 0;
    while (Q.n == 0) {
        ck_assert_int_eq(put(a, tag, (uint16_t)n), MS_OK);
        n++;
        ck_assert_uint_lt(n, 10000);
    }
    return n - 1;
}

/* Read what the peer has: count per tag, and check each tag's order. */
static void drain(unsigned *count_a, unsigned *count_b)
{
    uint8_t b[400];
    int last[256];
    memset(last, -1, sizeof last);
    ssize_t n;
    while ((n = recv(fds[1], b, sizeof b, MSG_DONTWAIT)) > 0) {
        ck_assert_int_eq(n, sizeof pkt);
        int seq = b[1] << 8 | b[2];
        ck_assert_int_gt(seq, last[b[0]]);
        last[b[0]] = seq;
        if (b[0] == 'a')
            (*count_a)++;
        else if (b[0] == 'b')
            (*count_b)++;
    }
}

START_TEST(full_socket_queues_then_drops_newest)
{
    md_qacct a = { .max = 5 }, b = { .max = 5 };
    unsigned direct = fill(&a, 'a');
    ck_assert_uint_gt(direct, 0);
    ck_assert_uint_eq(a.delivered, direct);
    ck_assert_uint_eq(a.queued, 1);
    /* Up to its bound, then each new one dropped and counted. */
    for (uint16_t i = 1; i < 5; i++)
        ck_assert_int_eq(put(&a, 'a', (uint16_t)(direct + i)), MS_OK);
    ck_assert_uint_eq(a.queued, 5);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(put(&a, 'a', 9000), MS_ERR_TOO_MANY);
    ck_assert_uint_eq(a.dropped, 3);
    /* Another mailslot's messages still queue: its own bound. */
    for (uint16_t i = 0; i < 5; i++)
        ck_assert_int_eq(put(&b, 'b', i), MS_OK);
    ck_assert_int_eq(put(&b, 'b', 99), MS_ERR_TOO_MANY);
    ck_assert_uint_eq(b.dropped, 1);
    /* Answers are never dropped. */
    ck_assert_int_eq(put(NULL, 'r', 0), MS_OK);
    ck_assert_uint_eq(Q.replies, 1);
    ck_assert_uint_eq(Q.n, 11);
    ck_assert_uint_eq(B.total, 11 * sizeof pkt);
    /* The reader reads: everything queued comes out, in order. */
    unsigned ca = 0, cb = 0;
    for (int round = 0; round < 100 && Q.n; round++) {
        drain(&ca, &cb);
        ms_status st = md_outq_flush(&Q, fds[0], &B);
        ck_assert(st == MS_OK || st == MS_ERR_AGAIN);
    }
    drain(&ca, &cb);
    ck_assert_uint_eq(Q.n, 0);
    ck_assert_uint_eq(ca, direct + 5);
    ck_assert_uint_eq(cb, 5);
    ck_assert_uint_eq(a.delivered, direct + 5);
    ck_assert_uint_eq(a.queued, 0);
    ck_assert_uint_eq(b.delivered, 5);
    ck_assert_uint_eq(B.total, 0);
}
END_TEST

START_TEST(purge_one_mailslot)
{
    md_qacct a = { .max = 50 }, b = { .max = 50 };
    fill(&a, 'a');
    for (uint16_t i = 0; i < 4; i++) {
        ck_assert_int_eq(put(&b, 'b', i), MS_OK);
        ck_assert_int_eq(put(&a, 'a', (uint16_t)(5000 + i)), MS_OK);
    }
    ck_assert_uint_eq(Q.n, 9);
    md_outq_purge(&Q, &a, &B);
    ck_assert_uint_eq(Q.n, 4);
    ck_assert_uint_eq(a.queued, 0);
    ck_assert_uint_eq(B.total, 4 * sizeof pkt);
    ck_assert_ptr_eq(Q.tail->acct, &b);
}
END_TEST

START_TEST(global_bound)
{
    md_qacct a = { .max = 1000 };
    fill(&a, 'a');
    B.max = B.total + 3 * sizeof pkt; /* room for three more */
    for (uint16_t i = 0; i < 3; i++)
        ck_assert_int_eq(put(&a, 'a', (uint16_t)(5000 + i)), MS_OK);
    ck_assert_int_eq(put(&a, 'a', 6000), MS_ERR_NO_MEMORY);
    ck_assert_uint_eq(B.over, 1);
    ck_assert_uint_eq(a.dropped, 1);
    ck_assert_uint_eq(B.total, B.max);
}
END_TEST

/* A queued packet's DROPPED value is the count when it finally goes. */
START_TEST(dropped_rewritten_when_sent)
{
    md_qacct a = { .max = 2 };
    fill(&a, 'a');
    memset(pkt + 8, 0, 8);
    ck_assert_int_eq(md_outq_put(&Q, fds[0], &a, pkt, sizeof pkt, 8, &B), MS_OK);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(md_outq_put(&Q, fds[0], &a, pkt, sizeof pkt, 8, &B), MS_ERR_TOO_MANY);
    ck_assert_uint_eq(a.dropped, 5);
    uint8_t b[400], last[400];
    ssize_t n;
    for (int round = 0; round < 100 && Q.n; round++) {
        while ((n = recv(fds[1], b, sizeof b, MSG_DONTWAIT)) > 0)
            memcpy(last, b, sizeof last);
        md_outq_flush(&Q, fds[0], &B);
    }
    while ((n = recv(fds[1], b, sizeof b, MSG_DONTWAIT)) > 0)
        memcpy(last, b, sizeof last);
    ck_assert_mem_eq(last + 8, "\0\0\0\0\0\0\0\5", 8);
}
END_TEST

START_TEST(peer_gone)
{
    md_qacct a = { .max = 5 };
    close(fds[1]);
    fds[1] = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    ck_assert_int_eq(put(&a, 'a', 0), MS_ERR_END);
    ck_assert_uint_eq(Q.n, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("daemon_outq");
    TCase *t = tcase_create("outq");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, full_socket_queues_then_drops_newest);
    tcase_add_test(t, purge_one_mailslot);
    tcase_add_test(t, global_bound);
    tcase_add_test(t, dropped_rewritten_when_sent);
    tcase_add_test(t, peer_gone);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
