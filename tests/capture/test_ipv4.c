/* SPDX-License-Identifier: MIT */
/* IPv4 and UDP headers (src/capture/ipv4.c): the fields, the lengths that
 * decide what is payload, padding and what a snaplen cut, and the headers
 * that are refused, directly and through small pcap files (IPv4 options,
 * cut and lying lengths). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "capture_files.h"
#include "cursor.h"
#include "guard.h"
#include "ipv4.h"

START_TEST(ipv4_fields)
{
    uint8_t ip[FRAME_MAX], pl[1480] = { 0 };
    ipspec s = ip_default();
    s.id = 0xBEEF;
    s.frag = IP_MF | (1480 / 8);
    size_t n = mk_ip(ip, sizeof ip, &s, pl, sizeof pl);
    /* Ten octets of link padding after the datagram are not payload. */
    memset(ip + n, 0xEE, 10);
    ms_rcur c = ms_rcur_make(guarded_copy(ip, n + 10), n + 10);
    ms_ipv4 h;
    ck_assert_int_eq(ms_ipv4_parse(&c, &h), MS_HDR_OK);
    ck_assert_uint_eq(h.src, SRC_IP);
    ck_assert_uint_eq(h.dst, DST_IP);
    ck_assert_uint_eq(h.id, 0xBEEF);
    ck_assert_uint_eq(h.proto, MS_IPPROTO_UDP);
    ck_assert_uint_eq(h.hdr_len, 20);
    ck_assert_uint_eq(h.total_len, 20 + sizeof pl);
    ck_assert_uint_eq(h.frag_offset, 1480);
    ck_assert(h.more_frags);
    ck_assert(ms_ipv4_is_fragment(&h));
    ck_assert_uint_eq(h.payload_len, sizeof pl);
    ck_assert_uint_eq(h.present, sizeof pl);
    /* Cut by the capture: fewer present than the header says. */
    c = ms_rcur_make(guarded_copy(ip, 100), 100);
    ck_assert_int_eq(ms_ipv4_parse(&c, &h), MS_HDR_OK);
    ck_assert_uint_eq(h.present, 80);
    ck_assert_uint_eq(h.payload_len, sizeof pl);
    s.frag = 0;
    n = mk_ip(ip, sizeof ip, &s, pl, 8);
    c = ms_rcur_make(ip, n);
    ck_assert_int_eq(ms_ipv4_parse(&c, &h), MS_HDR_OK);
    ck_assert(!ms_ipv4_is_fragment(&h));
}
END_TEST

START_TEST(ipv4_refused)
{
    uint8_t ip[FRAME_MAX];
    ipspec s = ip_default();
    size_t n = mk_ip(ip, sizeof ip, &s, "12345678", 8);
    ms_ipv4 h;
    for (size_t cut = 0; cut < 20; cut++) {
        ms_rcur c = ms_rcur_make(guarded_copy(ip, cut), cut);
        ck_assert_int_eq(ms_ipv4_parse(&c, &h), MS_HDR_TRUNCATED);
    }
    s.version = 6;
    n = mk_ip(ip, sizeof ip, &s, "12345678", 8);
    ms_rcur c = ms_rcur_make(ip, n);
    ck_assert_int_eq(ms_ipv4_parse(&c, &h), MS_HDR_BAD);
    s = ip_default();
    s.ihl = 4;
    n = mk_ip(ip, sizeof ip, &s, "12345678", 8);
    c = ms_rcur_make(ip, n);
    ck_assert_int_eq(ms_ipv4_parse(&c, &h), MS_HDR_BAD);
    s = ip_default();
    s.total = 19;
    n = mk_ip(ip, sizeof ip, &s, "12345678", 8);
    c = ms_rcur_make(ip, n);
    ck_assert_int_eq(ms_ipv4_parse(&c, &h), MS_HDR_BAD);
}
END_TEST

START_TEST(udp_header)
{
    uint8_t u[FRAME_MAX];
    size_t n = mk_udp(u, sizeof u, 1234, 138, HELLO, HELLO_N);
    ms_udp h;
    ck_assert_int_eq(ms_udp_parse(guarded_copy(u, n), n, n, &h), MS_HDR_OK);
    ck_assert_uint_eq(h.sport, 1234);
    ck_assert_uint_eq(h.dport, 138);
    ck_assert_uint_eq(h.length, 8 + HELLO_N);
    ck_assert_uint_eq(h.len, HELLO_N);
    ck_assert_uint_eq(h.orig_len, HELLO_N);
    ck_assert_mem_eq(h.payload, HELLO, HELLO_N);
    /* Fewer octets than the length field claims: len is what is there. */
    ck_assert_int_eq(ms_udp_parse(guarded_copy(u, 12), 12, n, &h), MS_HDR_OK);
    ck_assert_uint_eq(h.len, 4);
    ck_assert_uint_eq(h.orig_len, HELLO_N);
    /* A cut header is truncated when the IP layer promises 8 octets, bad
     * when the IP payload itself is shorter. */
    ck_assert_int_eq(ms_udp_parse(guarded_copy(u, 7), 7, n, &h), MS_HDR_TRUNCATED);
    ck_assert_int_eq(ms_udp_parse(guarded_copy(u, 7), 7, 7, &h), MS_HDR_BAD);
    n = mk_udp_l(u, sizeof u, 138, 138, 7, HELLO, HELLO_N);
    ck_assert_int_eq(ms_udp_parse(u, n, n, &h), MS_HDR_BAD);
    uint16_t sp, dp;
    ck_assert(!ms_udp_ports(guarded_copy(u, 3), 3, &sp, &dp));
    ck_assert(ms_udp_ports(guarded_copy(u, 4), 4, &sp, &dp));
    ck_assert_uint_eq(sp, 138);
    ck_assert_uint_eq(dp, 138);
}
END_TEST

START_TEST(ip_options)
{
    const char *p = tmp_path("opts.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX], u[FRAME_MAX];
    size_t un = mk_udp(u, sizeof u, 138, 138, HELLO, HELLO_N);
    static const uint8_t nops[4] = { 1, 1, 1, 0 };
    uint8_t rr[40] = { 7, 39, 4 }; /* record route, 9 slots, + EOL */
    ipspec s = ip_default();
    wr_open(p, DLT_EN10MB, false);
    s.opts = nops, s.optlen = sizeof nops;
    size_t n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);
    s.opts = rr, s.optlen = sizeof rr; /* IHL 15 */
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    ck_assert_uint_eq(ip[0], 0x4F);
    wr_add(f, n);
    wr_add_full(f, n, 14 + 30, 1000000002L, 0); /* cut among the options */
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 2);
    expect_hello(&r->g[0], 1);
    expect_hello(&r->g[1], 2);
    expect_stats(r, 3, 2, 0, 0, 0, 0, 1, 0, 0);
}
END_TEST

START_TEST(snaplen_cut)
{
    const char *p = tmp_path("snap.pcap");
    uint8_t f[FRAME_MAX], pl[300], ip[FRAME_MAX], u[FRAME_MAX];
    for (size_t i = 0; i < sizeof pl; i++)
        pl[i] = (uint8_t)i;
    wr_open(p, DLT_EN10MB, false);
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, pl, sizeof pl);
    wr_add_full(f, n, 14 + 20 + 8 + 100, 1000000000L, 0);
    /* A UDP length claiming more than the datagram holds (no cut). */
    size_t un = mk_udp_l(u, sizeof u, 138, 138, 1000, pl, 100);
    ipspec s = ip_default();
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);
    /* An IP total length claiming more than the frame holds (no cut). */
    un = mk_udp(u, sizeof u, 138, 138, pl, 100);
    s.total = 20 + 8 + 200;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 3);
    const ms_udp_datagram *d = &r->g[0].d;
    ck_assert(d->truncated);
    ck_assert_uint_eq(d->len, 100);
    ck_assert_uint_eq(d->orig_len, 300);
    ck_assert_uint_eq(d->udp_length, 308);
    ck_assert_mem_eq(r->g[0].head, pl, 100);
    d = &r->g[1].d;
    ck_assert(!d->truncated);
    ck_assert_uint_eq(d->len, 100);
    ck_assert_uint_eq(d->orig_len, 992);
    d = &r->g[2].d;
    ck_assert(!d->truncated);
    ck_assert_uint_eq(d->len, 100);
    ck_assert_uint_eq(d->orig_len, 100);
}
END_TEST

static Suite *ipv4_suite(void)
{
    Suite *s = suite_create("ipv4");
    TCase *tc = tcase_create("headers");
    tcase_add_test(tc, ipv4_fields);
    tcase_add_test(tc, ipv4_refused);
    tcase_add_test(tc, udp_header);
    tcase_add_test(tc, ip_options);
    tcase_add_test(tc, snaplen_cut);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (tmp_init("ipv4") != 0)
        return 1;
    int status = run_suite(ipv4_suite(), NULL);
    tmp_remove();
    return status;
}
