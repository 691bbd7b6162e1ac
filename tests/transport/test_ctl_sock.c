/* SPDX-License-Identifier: MIT */
/* mailslotd's control socket (src/transport/ctl_sock.c) in a temporary
 * directory: listen, connect, the peer's credentials, one message per
 * packet both ways, stale and live socket files, a full buffer, a packet
 * too big, the peer going away. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/ctl_sock.h"

static char dir[64], path[128];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/ms-ctl-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(ms_ctl_path(dir, path, sizeof path), MS_OK);
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
}

static uint8_t buf[MS_CTL_MAX_PACKET];

START_TEST(paths)
{
    char p[200];
    setenv("MAILSLOTD_DIR", "/tmp/elsewhere", 1);
    ck_assert_str_eq(ms_ctl_dir(), "/tmp/elsewhere");
    ck_assert_int_eq(ms_ctl_path(NULL, p, sizeof p), MS_OK);
    ck_assert_str_eq(p, "/tmp/elsewhere/control");
    setenv("MAILSLOTD_DIR", "", 1);
    ck_assert_str_eq(ms_ctl_dir(), MS_CTL_DEFAULT_DIR);
    unsetenv("MAILSLOTD_DIR");
    ck_assert_str_eq(ms_ctl_dir(), "/run/mailslotd");
    char longdir[200];
    memset(longdir, 'd', sizeof longdir - 1);
    longdir[sizeof longdir - 1] = 0;
    ck_assert_int_eq(ms_ctl_path(longdir, p, sizeof p), MS_ERR_NO_SPACE);
    ck_assert_int_eq(ms_ctl_path("/tmp", p, 8), MS_ERR_NO_SPACE);
}
END_TEST

START_TEST(round_trip_and_credentials)
{
    int l, c, s;
    char err[200] = "";
    ck_assert_int_eq(ms_ctl_connect(path, &c, err, sizeof err), MS_ERR_NOT_FOUND);
    ck_assert_int_eq(ms_ctl_listen(path, 0660, &l, err, sizeof err), MS_OK);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0660);
    ms_ctl_peer peer;
    ck_assert_int_eq(ms_ctl_accept(l, &s, &peer), MS_ERR_AGAIN);
    ck_assert_int_eq(ms_ctl_connect(path, &c, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_ctl_accept(l, &s, &peer), MS_OK);
    ck_assert_int_eq(peer.pid, getpid());
    ck_assert_int_eq(peer.uid, getuid());

    ms_ctl_msg m, d;
    ck_assert_int_eq(ms_ctl_recv(s, buf, sizeof buf, &d), MS_ERR_AGAIN);
    ms_ctl_init(&m, MS_CTL_CREATE);
    m.slot = (ms_bytes){ (const uint8_t *)"\\MAILSLOT\\ONE", 13 };
    m.have = MS_CTL_BIT(MS_CTL_A_SLOT) | MS_CTL_BIT(MS_CTL_A_VERSION);
    ck_assert_int_eq(ms_ctl_send(c, &m, buf, sizeof buf), MS_OK);
    ms_ctl_init(&m, MS_CTL_STATUS);
    ck_assert_int_eq(ms_ctl_send(c, &m, buf, sizeof buf), MS_OK);
    /* Two packets, two messages: boundaries kept. */
    static uint8_t in[MS_CTL_MAX_PACKET];
    ck_assert_int_eq(ms_ctl_recv(s, in, sizeof in, &d), MS_OK);
    ck_assert_uint_eq(d.type, MS_CTL_CREATE);
    ck_assert_mem_eq(d.slot.p, "\\MAILSLOT\\ONE", 13);
    ck_assert_int_eq(ms_ctl_recv(s, in, sizeof in, &d), MS_OK);
    ck_assert_uint_eq(d.type, MS_CTL_STATUS);

    /* A packet bigger than the buffer: consumed, refused. */
    ms_ctl_init(&m, MS_CTL_RESULT);
    m.text = (ms_bytes){ (const uint8_t *)"0123456789012345678901234567890123456789", 40 };
    m.have = MS_CTL_BIT(MS_CTL_A_TEXT);
    ck_assert_int_eq(ms_ctl_send(s, &m, buf, sizeof buf), MS_OK);
    ck_assert_int_eq(ms_ctl_recv(c, in, 20, &d), MS_ERR_TOO_BIG);
    ck_assert_int_eq(ms_ctl_recv(c, in, sizeof in, &d), MS_ERR_AGAIN);

    /* Garbage is the decoder's refusal, not a crash. */
    ck_assert_int_eq(send(s, "XYZ\1\0\1\0\0", 8, 0), 8);
    ck_assert_int_eq(ms_ctl_recv(c, in, sizeof in, &d), MS_ERR_BAD_INPUT);

    /* A full buffer: MS_ERR_AGAIN, bounded. */
    ms_ctl_init(&m, MS_CTL_DELIVER);
    static uint8_t big[60000];
    m.datagram = (ms_bytes){ big, sizeof big };
    m.have = MS_CTL_BIT(MS_CTL_A_DATAGRAM);
    ms_status r = MS_OK;
    int sent = 0;
    for (; sent < 10000 && r == MS_OK; sent++)
        r = ms_ctl_send(s, &m, buf, sizeof buf);
    ck_assert_int_eq(r, MS_ERR_AGAIN);

    /* The peer goes away. */
    close(c);
    ck_assert_int_eq(ms_ctl_send(s, &m, buf, sizeof buf), MS_ERR_END);
    close(s);
    ck_assert_int_eq(ms_ctl_connect(path, &c, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_ctl_accept(l, &s, &peer), MS_OK);
    close(c);
    ck_assert_int_eq(ms_ctl_recv(s, in, sizeof in, &d), MS_ERR_END);
    close(s);

    /* A live socket is not taken over. */
    int l2;
    ck_assert_int_eq(ms_ctl_listen(path, 0600, &l2, err, sizeof err), MS_ERR_EXISTS);
    ck_assert_ptr_nonnull(strstr(err, "another mailslotd is running"));
    close(l);
    /* A stale one is. */
    ck_assert_int_eq(ms_ctl_connect(path, &c, err, sizeof err), MS_ERR_NOT_FOUND);
    ck_assert_int_eq(ms_ctl_listen(path, 0600, &l2, err, sizeof err), MS_OK);
    close(l2);
}
END_TEST

START_TEST(not_a_socket)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    int l;
    char err[200] = "";
    ck_assert_int_eq(ms_ctl_listen(path, 0600, &l, err, sizeof err), MS_ERR_EXISTS);
    ck_assert_ptr_nonnull(strstr(err, "is not a socket"));
    unlink(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ctl_sock");
    TCase *t = tcase_create("ctl_sock");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, paths);
    tcase_add_test(t, round_trip_and_credentials);
    tcase_add_test(t, not_a_socket);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
