/* SPDX-License-Identifier: MIT */
/* The client through mailslotd (src/runtime/client_daemon.c) against the
 * fake daemon (tests/support/fake_mailslotd.c): SEND with what the daemon
 * needs, NETLOGON requests with a reply mailslot of ours (the request's
 * own name, or a fresh \MAILSLOT\NET\GETDCxxxxxxxx written into it),
 * browser requests with their Token, replies read back, when it goes
 * directly instead, a daemon that died or stalls between writes. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_mailslotd.h"
#include "guard.h"
#include "mailslot/client.h"
#include "mailslot/message.h"
#include "mailslot/net.h"
#include "mailslot/netlogon.h"
#include "mailslot/server.h"

/* LOGON_PRIMARY_QUERY WKS12, reply \MAILSLOT\NET\GETDC123 (NT form). */
#define PQ_NT                                                              \
    "0700574b533132005c4d41494c534c4f545c4e45545c47455444433132330000" \
    "57004b0053003100320000000b000000ffffffff"

static char dir[64], err[512];

static void setup(void)
{
    fake_dir(dir, sizeof dir);
    setenv("MAILSLOTD_DIR", dir, 1);
}

static void teardown(void)
{
    fake_dir_remove(dir);
}

static ms_client *open_client(const char *slot, bool send_only, const char *from,
                              ms_status want)
{
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.dest_name = "PDC<1b>";
    o.send_only = send_only;
    o.from = from;
    ms_client *c = NULL;
    ms_status st = ms_client_open("192.0.2.9", slot, &o, &c, err, sizeof err);
    ck_assert_msg(st == want, "%s: %s", ms_strerror(st), err);
    return c;
}

/* The last SEND's datagram, decoded. */
static const ms_message *last_sent(fake_daemon *f, fake_send *s)
{
    static ms_message m;
    ck_assert(fake_last_send(f, s));
    ck_assert_int_eq(ms_message_decode(s->datagram, s->len, &m), MS_OK);
    return &m;
}

START_TEST(send_fields)
{
    fake_daemon *f = fake_start(dir, false);
    ms_client *c = open_client("\\MAILSLOT\\app", true, NULL, MS_OK);
    const ms_client_info *in = ms_client_get_info(c);
    ck_assert_int_eq(in->sport_mode, MS_SPORT_MODE_DAEMON);
    ck_assert_uint_eq(in->sport, 138);
    ck_assert_ptr_nonnull(strstr(in->note, "through mailslotd"));
    ck_assert_int_ge(ms_client_fd(c), 0);
    ms_write_result r;
    ck_assert_msg(ms_client_write(c, "hello", 5, &r, err, sizeof err) == MS_OK, "%s", err);
    fake_send s;
    const ms_message *m = last_sent(f, &s);
    ck_assert_uint_eq(s.len, r.payload_len);
    ck_assert_uint_eq(s.dst_ip, 0xC0000209u);
    ck_assert_uint_eq(s.dst_port, 138);
    ck_assert(!s.has_token);
    ck_assert(!s.has_src_name);
    ck_assert_uint_eq(m->trans.data.len, 5);
    ck_assert_mem_eq(m->trans.data.p, "hello", 5);
    ck_assert_uint_eq(m->dgram.id, r.dgm_id);
    ck_assert_uint_eq(m->dgram.src_port, 138);
    /* What the daemon says it sent with, from now on. */
    char name[64];
    ms_nb_name_format(&in->src, name, sizeof name);
    ck_assert_str_eq(name, "FAKEHOST<00>");
    ck_assert_uint_eq(in->src_ip, 0xC0000201u);
    ms_client_close(c);
    /* --from: SRC_NAME asks for it; the daemon decides. */
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.from = "ME";
    o.dest_name = "X<00>";
    o.dport = 1138;
    ck_assert_int_eq(ms_client_open("192.0.2.9", "\\MAILSLOT\\app", &o, &c, err, sizeof err),
                     MS_OK);
    size_t sent = 0;
    ck_assert_int_eq(ms_client_write_many(c, "x", 1, 5, NULL, &sent, err, sizeof err), MS_OK);
    ck_assert_uint_eq(sent, 5);
    ck_assert_int_eq(fake_count(f, MS_CTL_SEND), 6);
    m = last_sent(f, &s);
    ck_assert(s.has_src_name);
    ck_assert_str_eq(s.src_name, "ME<00>");
    ck_assert_uint_eq(s.dst_port, 1138);
    ms_client_close(c);
    fake_stop(f);
}
END_TEST

START_TEST(netlogon_reply_slot)
{
    fake_daemon *f = fake_start(dir, false);
    uint8_t q[128];
    size_t qn = hex_to_bytes(PQ_NT, q, sizeof q);
    /* send_only: nothing is created, the request goes as it is. */
    ms_client *c = open_client("\\MAILSLOT\\NET\\NETLOGON", true, NULL, MS_OK);
    ck_assert_int_eq(ms_client_write(c, q, qn, NULL, err, sizeof err), MS_OK);
    ck_assert_int_eq(fake_count(f, MS_CTL_CREATE), 0);
    ms_client_close(c);
    /* Replies wanted: the request's own reply mailslot becomes ours. */
    c = open_client("\\MAILSLOT\\NET\\NETLOGON", false, NULL, MS_OK);
    ck_assert_int_eq(ms_client_write(c, q, qn, NULL, err, sizeof err), MS_OK);
    ck_assert(fake_holds(f, "\\MAILSLOT\\NET\\GETDC123"));
    ck_assert_str_eq(ms_client_get_info(c)->reply_slot, "\\MAILSLOT\\NET\\GETDC123");
    fake_send s;
    const ms_message *m = last_sent(f, &s);
    ck_assert_uint_eq(m->trans.data.len, qn);
    ck_assert_mem_eq(m->trans.data.p, q, qn);
    /* Its reply comes back as a reply of ours. */
    static const uint8_t resp[] = "not decoded here";
    fake_meta meta = { .src_ip = 0xC0000209u, .src_port = 138, .dst_ip = 0xC0000201u,
                       .dst_port = 138, .time_ns = 1234567890123ull, .ifindex = 3 };
    ck_assert_int_eq(fake_deliver(f, "\\MAILSLOT\\NET\\GETDC123", resp, sizeof resp, &meta,
                                  true), 1);
    uint8_t buf[600];
    ms_udp_dgram d = { .buf = buf, .cap = sizeof buf };
    size_t got = 0;
    for (int i = 0; i < 200 && !got; i++) {
        ck_assert_int_eq(ms_client_recv_replies(c, &d, 1, &got), MS_OK);
        if (!got)
            usleep(10000);
    }
    ck_assert_uint_eq(got, 1);
    ck_assert_uint_eq(d.len, sizeof resp);
    ck_assert_mem_eq(d.buf, resp, sizeof resp);
    ck_assert_uint_eq(d.src_ip, 0xC0000209u);
    ck_assert_uint_eq(d.src_port, 138);
    ck_assert_uint_eq(d.time_ns, 1234567890123ull);
    ck_assert_int_eq(d.ifindex, 3);
    /* A second request reuses it: one CREATE. */
    ck_assert_int_eq(ms_client_write(c, q, qn, NULL, err, sizeof err), MS_OK);
    ck_assert_int_eq(fake_count(f, MS_CTL_CREATE), 1);
    /* Another client: GETDC123 is taken, so it names a fresh one. */
    ms_client *c2 = open_client("\\MAILSLOT\\NET\\NETLOGON", false, NULL, MS_OK);
    ck_assert_int_eq(ms_client_write(c2, q, qn, NULL, err, sizeof err), MS_OK);
    const char *mine = ms_client_get_info(c2)->reply_slot;
    ck_assert_uint_eq(strlen(mine), strlen("\\MAILSLOT\\NET\\GETDC") + 8);
    ck_assert_int_eq(strncmp(mine, "\\MAILSLOT\\NET\\GETDC", 19), 0);
    ck_assert(fake_holds(f, mine));
    m = last_sent(f, &s);
    ms_netlogon n;
    ck_assert_int_eq(ms_netlogon_decode(m->trans.data.p, m->trans.data.len, &n, NULL), MS_OK);
    ck_assert_uint_eq(n.layout, MS_NL_LAYOUT_PRIMARY_QUERY);
    ck_assert_uint_eq(n.mailslot_name.len, strlen(mine));
    ck_assert_mem_eq(n.mailslot_name.p, mine, strlen(mine));
    ck_assert_uint_eq(n.nt_version, 0x0B); /* the rest as it was */
    ck_assert_uint_eq(n.unicode_computer_name.len, 10);
    ms_client_close(c2);
    ms_client_close(c);
    fake_stop(f);
}
END_TEST

START_TEST(browser_token)
{
    fake_daemon *f = fake_start(dir, false);
    uint8_t resp[600];
    /* GetBackupListResponse, token 0x01020304 */
    size_t rn = hex_to_bytes("0a01 04030201 504545520000", resp, sizeof resp);
    fake_reply_to_token(f, resp, rn);
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.dest_name = "WORKGROUP<1d>";
    ms_client *c;
    ck_assert_int_eq(ms_client_open("192.0.2.9", "\\MAILSLOT\\BROWSE", &o, &c, err, sizeof err),
                     MS_OK);
    uint8_t req[8];
    size_t n = hex_to_bytes("0904 04030201", req, sizeof req);
    ck_assert_int_eq(ms_client_write(c, req, n, NULL, err, sizeof err), MS_OK);
    /* The reply came right behind the RESULT: the source the RESULT gave
     * is still read right (its octets were not overwritten by the reply). */
    char name[64];
    ms_nb_name_format(&ms_client_get_info(c)->src, name, sizeof name);
    ck_assert_str_eq(name, "FAKEHOST<00>");
    ck_assert_uint_eq(ms_client_get_info(c)->src_ip, 0xC0000201u);
    fake_send s;
    ck_assert(fake_last_send(f, &s));
    ck_assert(s.has_token);
    ck_assert_uint_eq(s.token, 0x01020304u);
    uint8_t buf[600];
    ms_udp_dgram d = { .buf = buf, .cap = sizeof buf };
    size_t got = 0;
    for (int i = 0; i < 200 && !got; i++) {
        ms_client_recv_replies(c, &d, 1, &got);
        if (!got)
            usleep(10000);
    }
    ck_assert_uint_eq(got, 1);
    ck_assert_mem_eq(d.buf, resp, rn);
    /* Another browser frame carries no token. */
    n = hex_to_bytes("0200", req, sizeof req);
    ck_assert_int_eq(ms_client_write(c, req, n, NULL, err, sizeof err), MS_OK);
    ck_assert(fake_last_send(f, &s));
    ck_assert(!s.has_token);
    ms_client_close(c);
    fake_stop(f);
}
END_TEST

START_TEST(direct_when_it_must)
{
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.dest_name = "X<00>";
    o.daemon = MS_DAEMON_REQUIRE;
    ms_client *c;
    ck_assert_int_eq(ms_client_open("127.0.0.1", "\\MAILSLOT\\a", &o, &c, err, sizeof err),
                     MS_ERR_NOT_FOUND);
    fake_daemon *f = fake_start(dir, false);
    o.sport = MS_CLIENT_SPORT_EPHEMERAL;
    ck_assert_int_eq(ms_client_open("127.0.0.1", "\\MAILSLOT\\a", &o, &c, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "chosen source port"));
    /* A chosen port goes directly in AUTO. */
    o.daemon = MS_DAEMON_AUTO;
    ck_assert_int_eq(ms_client_open("127.0.0.1", "\\MAILSLOT\\a", &o, &c, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_client_get_info(c)->sport_mode, MS_SPORT_MODE_EPHEMERAL);
    ms_client_close(c);
    o.sport = MS_CLIENT_SPORT_DEFAULT;
    o.daemon = MS_DAEMON_NEVER;
    ck_assert_int_eq(ms_client_open("127.0.0.1", "\\MAILSLOT\\a", &o, &c, err, sizeof err), MS_OK);
    ck_assert_int_ne(ms_client_get_info(c)->sport_mode, MS_SPORT_MODE_DAEMON);
    ms_client_close(c);
    o.daemon = MS_DAEMON_AUTO;
    o.no_socket = true;
    ck_assert_int_eq(ms_client_open("127.0.0.1", "\\MAILSLOT\\a", &o, &c, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_client_get_info(c)->sport_mode, MS_SPORT_MODE_NONE);
    ms_client_close(c);
    ck_assert_int_eq(fake_count(f, MS_CTL_HELLO), 0);
    fake_stop(f);
}
END_TEST

START_TEST(daemon_restart_between_writes)
{
    fake_daemon *f = fake_start(dir, false);
    uint8_t q[128];
    size_t qn = hex_to_bytes(PQ_NT, q, sizeof q);
    ms_client *c = open_client("\\MAILSLOT\\NET\\NETLOGON", false, NULL, MS_OK);
    ck_assert_int_eq(ms_client_write(c, q, qn, NULL, err, sizeof err), MS_OK);
    fake_stop(f);
    /* Gone, not back: an error, at once. */
    uint64_t t0 = ms_monotonic_ns();
    ck_assert_int_ne(ms_client_write(c, q, qn, NULL, err, sizeof err), MS_OK);
    ck_assert_ptr_nonnull(strstr(err, "mailslotd"));
    ck_assert_uint_lt((ms_monotonic_ns() - t0) / 1000000u, 1000);
    /* Back: found again, its reply mailslot with it. */
    f = fake_start(dir, false);
    ck_assert_msg(ms_client_write(c, q, qn, NULL, err, sizeof err) == MS_OK, "%s", err);
    ck_assert(fake_holds(f, "\\MAILSLOT\\NET\\GETDC123"));
    ck_assert_int_eq(fake_count(f, MS_CTL_SEND), 1);
    fake_stop(f);
    /* Back but stalled: a bounded wait, then an error. */
    f = fake_start(dir, true);
    ms_client_close(c);
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.dest_name = "X<00>";
    o.daemon_timeout_ms = 300;
    t0 = ms_monotonic_ns();
    ck_assert_int_eq(ms_client_open("192.0.2.9", "\\MAILSLOT\\a", &o, &c, err, sizeof err),
                     MS_ERR_TIMEOUT);
    ck_assert_uint_lt((ms_monotonic_ns() - t0) / 1000000u, 2000);
    fake_stop(f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("client_daemon");
    TCase *t = tcase_create("client_daemon");
    tcase_set_timeout(t, 30);
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, send_fields);
    tcase_add_test(t, netlogon_reply_slot);
    tcase_add_test(t, browser_token);
    tcase_add_test(t, direct_when_it_must);
    tcase_add_test(t, daemon_restart_between_writes);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    return run_suite(suite(), NULL);
}
