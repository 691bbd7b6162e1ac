/* SPDX-License-Identifier: MIT */
/* nmbd's unexpected-packet socket (src/transport/nmbd_unexpected.c,
 * nmbd_unexpected_wire.c). The wire part on records recorded from Samba
 * 4.17's nmbd (Debian 12, x86-64) and laid by hand: every prefix against
 * a guard page, and every field that tells another layout. The socket part
 * against a stand-in nmbd (a child process on a Unix socket in a
 * temporary directory) that plays the conversation nmbd plays, and a few
 * ways it can go wrong. The octets are those of an LP64 little-endian
 * ABI; on another ABI the wire tests that use them are skipped. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/nmbd_unexpected.h"

/* Two records as nmbd 4.17 wrote them: 192.0.2.20:138 wrote
 * \MAILSLOT\custom "unicast-custom" to LABPEER<20>, and broadcast
 * "bcast-othergrp" to OTHERGRP<00>. Header: length 184, type 1, padding,
 * time 0x6B177151, address C0000214, port 138. */
static const char REC_UNICAST[] =
    "b80000000000000001000000000000005171176b00000000c00002148a000000"
    "1002cab8c0000214008a00aa0000204641454645464643454945504644464543"
    "4143414341434143414341434141410020454d45424543464145464546464343"
    "414341434143414341434143414341434100ff534d4225000000001804000000"
    "000000000000000000000000fffe000000001100000e00020000000000020000"
    "0000000000000058000e005800030001000000020021005c4d41494c534c4f54"
    "5c637573746f6d000000756e69636173742d637573746f6d";
static const char REC_BCAST[] =
    "b80000000000000001000000000000005271176b00000000c00002148a000000"
    "1102d147c0000214008a00aa0000204641454645464643454945504644464543"
    "4143414341434143414341434141410020455046454549454646434548464346"
    "414341434143414341434143414341414100ff534d4225000000001804000000"
    "000000000000000000000000fffe000000001100000e00020000000000020000"
    "0000000000000058000e005800030001000000020021005c4d41494c534c4f54"
    "5c637573746f6d00000062636173742d6f74686572677270";

#define REC_LEN 216
#define HDR_LEN 32

static bool lp64_le(void)
{
    const uint16_t one = 1;
    return ms_nmbd_record_header_size() == HDR_LEN && *(const uint8_t *)&one == 1;
}

static size_t rec(const char *hex, uint8_t *out)
{
    return hex_to_bytes(hex, out, 2048);
}

/* ---- the query ---------------------------------------------------------- */

START_TEST(query_is_datagrams_without_a_name)
{
    uint8_t q[64];
    size_t n = 0;
    ck_assert_int_eq(ms_nmbd_query_build(q, sizeof q, &n), MS_OK);
    ck_assert_uint_eq(n, ms_nmbd_query_size());
    if (!lp64_le())
        return;
    /* type 1 (datagrams), padding, name length 0, transaction id -1,
     * trailing padding: 24 octets. */
    static const uint8_t want[24] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                      0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0 };
    ck_assert_uint_eq(n, sizeof want);
    ck_assert_mem_eq(q, want, sizeof want);
}
END_TEST

START_TEST(query_no_space)
{
    uint8_t q[64];
    size_t n = 99;
    ck_assert_int_eq(ms_nmbd_query_build(q, ms_nmbd_query_size() - 1, &n), MS_ERR_NO_SPACE);
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- records ------------------------------------------------------------ */

START_TEST(parse_recorded)
{
    if (!lp64_le())
        return;
    uint8_t b[2048];
    size_t len = rec(REC_UNICAST, b);
    ck_assert_uint_eq(len, REC_LEN);
    ms_nmbd_record r;
    size_t used = 0;
    ck_assert_int_eq(ms_nmbd_record_parse(b, len, &r, &used, NULL, 0), MS_OK);
    ck_assert_uint_eq(used, REC_LEN);
    ck_assert_uint_eq(r.src_ip, 0xC0000214u);
    ck_assert_uint_eq(r.src_port, 138);
    ck_assert_int_eq(r.time_s, 0x6B177151);
    ck_assert_ptr_eq(r.dgram, b + HDR_LEN);
    ck_assert_uint_eq(r.len, 184);
    ck_assert_uint_eq(r.dgram[0], 0x10); /* DIRECT_UNIQUE */
    ck_assert_mem_eq(r.dgram + r.len - 14, "unicast-custom", 14);
}
END_TEST

/* Two records back to back: the first parse uses exactly the first. */
START_TEST(parse_back_to_back)
{
    if (!lp64_le())
        return;
    uint8_t b[4096];
    size_t a = rec(REC_UNICAST, b);
    size_t n = a + rec(REC_BCAST, b + a);
    ms_nmbd_record r;
    size_t used = 0;
    ck_assert_int_eq(ms_nmbd_record_parse(b, n, &r, &used, NULL, 0), MS_OK);
    ck_assert_uint_eq(used, a);
    ck_assert_int_eq(ms_nmbd_record_parse(b + used, n - used, &r, &used, NULL, 0), MS_OK);
    ck_assert_uint_eq(r.dgram[0], 0x11); /* DIRECT_GROUP */
    ck_assert_int_eq(r.time_s, 0x6B177152);
}
END_TEST

/* Every prefix, its last octet against a guard page: wait for more. */
START_TEST(parse_every_prefix)
{
    if (!lp64_le())
        return;
    uint8_t b[2048];
    size_t len = rec(REC_UNICAST, b);
    size_t cut = (size_t)_i;
    const uint8_t *g = guarded_copy(b, cut);
    ms_nmbd_record r;
    size_t used = 7;
    ms_status st = ms_nmbd_record_parse(g, cut, &r, &used, NULL, 0);
    if (cut == len) {
        ck_assert_int_eq(st, MS_OK);
        ck_assert_uint_eq(used, len);
    } else {
        ck_assert_int_eq(st, MS_ERR_TRUNCATED);
        ck_assert_uint_eq(used, 0);
    }
}
END_TEST

/* Each field that another layout (or garbage) would break, changed in
 * a recorded record: refused, with the words the daemon logs. */
static void expect_mismatch(const uint8_t *b, size_t len, const char *field)
{
    ms_nmbd_record r;
    size_t used = 0;
    char err[256] = "";
    const uint8_t *g = guarded_copy(b, len);
    ck_assert_int_eq(ms_nmbd_record_parse(g, len, &r, &used, err, sizeof err), MS_ERR_VERSION);
    ck_assert_msg(strstr(err, "nmbd's unexpected-packet format not recognised (Samba 4.17 "
                              "layout expected)"),
                  "%s", err);
    ck_assert_msg(strstr(err, field), "'%s' does not name %s", err, field);
    ck_assert_uint_eq(used, 0);
}

static void put(uint8_t *b, size_t at, const void *v, size_t n)
{
    memcpy(b + at, v, n);
}

START_TEST(parse_refuses_other_layouts)
{
    if (!lp64_le())
        return;
    uint8_t b[2048], t[2048];
    size_t len = rec(REC_UNICAST, b);
    int32_t i32;
    uint64_t u64;
    int64_t s64;
    uint16_t be;
    /* type: NMB_PACKET (0), and 2 */
    for (i32 = 0; i32 <= 2; i32 += 2) {
        memcpy(t, b, len);
        put(t, 8, &i32, 4);
        expect_mismatch(t, len, "record type");
    }
    /* length: 13, 1025, and 2^40 (a length that would mean waiting for
     * a terabyte) */
    const uint64_t lens[] = { 13, 1025, 1ull << 40 };
    for (size_t k = 0; k < 3; k++) {
        memcpy(t, b, len);
        u64 = lens[k];
        put(t, 0, &u64, 8);
        expect_mismatch(t, len, "datagram length");
    }
    /* port: -1, 65536 */
    const int32_t ports[] = { -1, 65536 };
    for (size_t k = 0; k < 2; k++) {
        memcpy(t, b, len);
        put(t, 28, &ports[k], 4);
        expect_mismatch(t, len, "source port");
    }
    /* a time before the epoch */
    memcpy(t, b, len);
    s64 = -5;
    put(t, 16, &s64, 8);
    expect_mismatch(t, len, "arrival time");
    /* DGM_LENGTH one more than what follows the header */
    memcpy(t, b, len);
    be = (uint16_t)((184 - 14 + 1) << 8 | (184 - 14 + 1) >> 8);
    put(t, HDR_LEN + 10, &be, 2);
    expect_mismatch(t, len, "DGM_LENGTH");
}
END_TEST

/* The same record laid out by a 32-bit nmbd (size_t and time_t of 4
 * octets: a 20-octet header) is refused, not misread. */
START_TEST(parse_refuses_ilp32_layout)
{
    if (!lp64_le())
        return;
    uint8_t b[2048], t[2048];
    size_t len = rec(REC_UNICAST, b);
    const uint32_t h[5] = { 184, 1, 0x6B177151, 0x140200C0u, 138 };
    memcpy(t, h, sizeof h);
    memcpy(t + sizeof h, b + HDR_LEN, len - HDR_LEN);
    expect_mismatch(t, sizeof h + len - HDR_LEN, "record type");
}
END_TEST

/* ---- the socket, against a stand-in nmbd -------------------------------- */

static char dir[64];
static char sock_path[128];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/ms-nmbd-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(ms_nmbd_socket_path(dir, sock_path, sizeof sock_path), MS_OK);
}

static void remove_dir(void)
{
    unlink(sock_path);
    rmdir(dir);
}

static int listen_at(const char *path)
{
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    ck_assert_uint_lt(strlen(path), sizeof a.sun_path);
    memcpy(a.sun_path, path, strlen(path) + 1);
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(s, 4), 0);
    return s;
}

/* What the stand-in does after the query. */
enum script { S_NORMAL, S_BAD_ACK, S_CLOSE, S_SILENT, S_BAD_SECOND };

static void write_all(int fd, const uint8_t *p, size_t n, size_t step)
{
    for (size_t i = 0; i < n; i += step) {
        size_t k = n - i < step ? n - i : step;
        if (write(fd, p + i, k) != (ssize_t)k)
            _exit(0); /* the reader went away: fine, it may */
        if (step < n)
            usleep(2000);
    }
}

/* The child: accept one reader, check its query, then play the script.
 * Exits 0 when the query was the one nmbd expects. */
static void stand_in(int ls, enum script s)
{
    signal(SIGPIPE, SIG_IGN);
    int c = accept(ls, NULL, NULL);
    if (c < 0)
        _exit(10);
    uint8_t q[64], want[64];
    size_t wn = 0;
    ms_nmbd_query_build(want, sizeof want, &wn);
    size_t got = 0;
    while (got < wn) {
        ssize_t k = read(c, q + got, wn - got);
        if (k <= 0)
            _exit(11);
        got += (size_t)k;
    }
    /* The loop above filled q[0..wn) or exited. */
    // cppcheck-suppress uninitvar
    if (memcmp(q, want, wn) != 0)
        _exit(12);
    uint8_t b[4096];
    size_t n = 0;
    b[n++] = s == S_BAD_ACK ? 1 : 0;
    n += hex_to_bytes(REC_UNICAST, b + n, sizeof b - n);
    size_t second = n;
    n += hex_to_bytes(REC_BCAST, b + n, sizeof b - n);
    if (s == S_BAD_SECOND)
        b[second + 8] = 7; /* the second record's type */
    if (s == S_CLOSE)
        _exit(0);
    if (s == S_BAD_ACK) {
        write_all(c, b, 1, 1);
        usleep(100000);
        _exit(0);
    }
    if (s == S_SILENT) {
        usleep(500000);
        _exit(0);
    }
    /* The answer alone first, then the records in small pieces: the
     * reader must put records together across reads. */
    write_all(c, b, 1, 1);
    usleep(20000);
    write_all(c, b + 1, n - 1, 37);
    usleep(50000);
    _exit(0);
}

static pid_t start_stand_in(enum script s)
{
    make_dir();
    int ls = listen_at(sock_path);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        stand_in(ls, s);
    close(ls);
    return pid;
}

static int reap(pid_t pid)
{
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    remove_dir();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

static ms_status open_reader(int ack_ms, ms_nmbd_reader **r, char *err, size_t errlen)
{
    ms_nmbd_opts o;
    ms_nmbd_opts_init(&o);
    o.socket_dir = dir;
    o.ack_timeout_ms = ack_ms;
    return ms_nmbd_reader_open(&o, r, err, errlen);
}

/* Receive until a failure (bounded: 5 s): the datagrams in d, their
 * count in *n; the failure's status. */
static ms_status receive_all(ms_nmbd_reader *r, ms_udp_dgram *d, size_t max, size_t *n,
                             char *err, size_t errlen)
{
    *n = 0;
    for (int i = 0; i < 500; i++) {
        struct pollfd p = { ms_nmbd_reader_fd(r), POLLIN, 0 };
        poll(&p, 1, 10);
        size_t got = 0;
        ms_status st = ms_nmbd_reader_recv(r, d + *n, max - *n, &got, err, errlen);
        *n += got;
        if (st != MS_OK)
            return st;
    }
    return MS_ERR_TIMEOUT;
}

START_TEST(socket_conversation)
{
    pid_t pid = start_stand_in(S_NORMAL);
    ms_nmbd_reader *r = NULL;
    char err[256] = "";
    ck_assert_int_eq(open_reader(2000, &r, err, sizeof err), MS_OK);
    uint8_t bufs[4][2048];
    ms_udp_dgram d[4];
    for (int i = 0; i < 4; i++)
        d[i] = (ms_udp_dgram){ .buf = bufs[i], .cap = sizeof bufs[i] };
    size_t n = 0;
    ck_assert_int_eq(receive_all(r, d, 4, &n, err, sizeof err), MS_ERR_END);
    ck_assert_msg(strstr(err, "closed"), "%s", err);
    ck_assert_uint_eq(n, lp64_le() ? 2 : n);
    if (lp64_le()) {
        ck_assert_uint_eq(d[0].len, 184);
        ck_assert_uint_eq(d[0].orig_len, 184);
        ck_assert(!d[0].truncated);
        ck_assert_uint_eq(d[0].src_ip, 0xC0000214u);
        ck_assert_uint_eq(d[0].src_port, 138);
        ck_assert_uint_eq(d[0].dst_ip, 0);
        ck_assert_uint_eq(d[0].time_ns, 0x6B177151ull * 1000000000ull);
        ck_assert_uint_eq(d[1].buf[0], 0x11);
        ms_nmbd_stats st = MS_SIZED(ms_nmbd_stats);
        ck_assert_int_eq(ms_nmbd_reader_get_stats(r, &st), MS_OK);
        ck_assert_uint_eq(st.records, 2);
        ck_assert_uint_eq(st.octets, 1 + 2 * REC_LEN);
    }
    /* The failure stays. */
    size_t got = 9;
    ck_assert_int_eq(ms_nmbd_reader_recv(r, d, 4, &got, NULL, 0), MS_ERR_END);
    ck_assert_uint_eq(got, 0);
    ms_nmbd_reader_close(r);
    ck_assert_int_eq(reap(pid), 0);
}
END_TEST

/* One datagram per call: the second waits in the reader, not in the
 * socket, and a call without waiting hands it out. A buffer too small
 * cuts the datagram and says so. */
START_TEST(socket_one_at_a_time_and_cut)
{
    if (!lp64_le())
        return;
    pid_t pid = start_stand_in(S_NORMAL);
    ms_nmbd_reader *r = NULL;
    ck_assert_int_eq(open_reader(0, &r, NULL, 0), MS_OK);
    usleep(300000); /* everything is in the socket by now */
    uint8_t small[100];
    ms_udp_dgram d = { .buf = small, .cap = sizeof small };
    size_t got = 0;
    ck_assert_int_eq(ms_nmbd_reader_recv(r, &d, 1, &got, NULL, 0), MS_OK);
    ck_assert_uint_eq(got, 1);
    ck_assert(d.truncated);
    ck_assert_uint_eq(d.len, sizeof small);
    ck_assert_uint_eq(d.orig_len, 184);
    ck_assert_int_eq(ms_nmbd_reader_recv(r, &d, 1, &got, NULL, 0), MS_OK);
    ck_assert_uint_eq(got, 1);
    ck_assert_uint_eq(small[0], 0x11);
    ms_nmbd_stats st = MS_SIZED(ms_nmbd_stats);
    ms_nmbd_reader_get_stats(r, &st);
    ck_assert_uint_eq(st.cut, 2);
    ms_nmbd_reader_close(r);
    ck_assert_int_eq(reap(pid), 0);
}
END_TEST

START_TEST(socket_bad_answer)
{
    pid_t pid = start_stand_in(S_BAD_ACK);
    ms_nmbd_reader *r = NULL;
    char err[256] = "";
    ck_assert_int_eq(open_reader(2000, &r, err, sizeof err), MS_ERR_VERSION);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err, "Samba 4.17 layout expected"), "%s", err);
    ck_assert_int_eq(reap(pid), 0);
}
END_TEST

START_TEST(socket_closed_before_answer)
{
    pid_t pid = start_stand_in(S_CLOSE);
    ms_nmbd_reader *r = NULL;
    char err[256] = "";
    ck_assert_int_eq(open_reader(2000, &r, err, sizeof err), MS_ERR_END);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(reap(pid), 0);
}
END_TEST

START_TEST(socket_no_answer_in_time)
{
    pid_t pid = start_stand_in(S_SILENT);
    ms_nmbd_reader *r = NULL;
    char err[256] = "";
    ck_assert_int_eq(open_reader(100, &r, err, sizeof err), MS_ERR_TIMEOUT);
    ck_assert_msg(strstr(err, "100 ms"), "%s", err);
    ck_assert_int_eq(reap(pid), 0);
}
END_TEST

/* A record of another layout after a good one: the good one comes out,
 * then the refusal, for good. */
START_TEST(socket_mismatch_mid_stream)
{
    if (!lp64_le())
        return;
    pid_t pid = start_stand_in(S_BAD_SECOND);
    ms_nmbd_reader *r = NULL;
    char err[256] = "";
    ck_assert_int_eq(open_reader(2000, &r, err, sizeof err), MS_OK);
    uint8_t bufs[4][2048];
    ms_udp_dgram d[4];
    for (int i = 0; i < 4; i++)
        d[i] = (ms_udp_dgram){ .buf = bufs[i], .cap = sizeof bufs[i] };
    size_t n = 0;
    ck_assert_int_eq(receive_all(r, d, 4, &n, err, sizeof err), MS_ERR_VERSION);
    ck_assert_uint_eq(n, 1);
    ck_assert_msg(strstr(err, "record type"), "%s", err);
    size_t got = 0;
    ck_assert_int_eq(ms_nmbd_reader_recv(r, d, 4, &got, NULL, 0), MS_ERR_VERSION);
    ms_nmbd_reader_close(r);
    ck_assert_int_eq(reap(pid), 0);
}
END_TEST

START_TEST(socket_nobody_there)
{
    make_dir();
    ms_nmbd_reader *r = NULL;
    char err[256] = "";
    ck_assert_int_eq(open_reader(100, &r, err, sizeof err), MS_ERR_NOT_FOUND);
    ck_assert_msg(strstr(err, sock_path), "%s", err);
    /* A socket file nobody accepts on (nmbd died) is the same. */
    int ls = listen_at(sock_path);
    close(ls);
    ck_assert_int_eq(open_reader(100, &r, err, sizeof err), MS_ERR_NOT_FOUND);
    remove_dir();
}
END_TEST

START_TEST(socket_path)
{
    char p[200];
    ck_assert_int_eq(ms_nmbd_socket_path(NULL, p, sizeof p), MS_OK);
    ck_assert_str_eq(p, "/run/samba/nmbd/unexpected");
    char longdir[120];
    memset(longdir, 'd', sizeof longdir - 1);
    longdir[0] = '/';
    longdir[sizeof longdir - 1] = 0;
    ck_assert_int_eq(ms_nmbd_socket_path(longdir, p, sizeof p), MS_ERR_NO_SPACE);
    ms_nmbd_opts o;
    ms_nmbd_opts_init(&o);
    o.socket_dir = longdir;
    ms_nmbd_reader *r = NULL;
    ck_assert_int_eq(ms_nmbd_reader_open(&o, &r, NULL, 0), MS_ERR_NO_SPACE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nmbd_unexpected");
    TCase *t = tcase_create("wire");
    tcase_add_test(t, query_is_datagrams_without_a_name);
    tcase_add_test(t, query_no_space);
    tcase_add_test(t, parse_recorded);
    tcase_add_test(t, parse_back_to_back);
    tcase_add_loop_test(t, parse_every_prefix, 0, REC_LEN + 1);
    tcase_add_test(t, parse_refuses_other_layouts);
    tcase_add_test(t, parse_refuses_ilp32_layout);
    suite_add_tcase(s, t);
    TCase *k = tcase_create("socket");
    tcase_set_timeout(k, 20);
    tcase_add_test(k, socket_conversation);
    tcase_add_test(k, socket_one_at_a_time_and_cut);
    tcase_add_test(k, socket_bad_answer);
    tcase_add_test(k, socket_closed_before_answer);
    tcase_add_test(k, socket_no_answer_in_time);
    tcase_add_test(k, socket_mismatch_mid_stream);
    tcase_add_test(k, socket_nobody_there);
    tcase_add_test(k, socket_path);
    suite_add_tcase(s, k);
    return run_suite(s, lp64_le() ? NULL
                                  : "test_nmbd_unexpected: recorded octets are LP64 "
                                    "little-endian; the tests that use them did not run");
}
