/* SPDX-License-Identifier: MIT */
/* One record through the layers (src/capture/frame.c): every record lands
 * in exactly one counter, the port selection, and every prefix and many
 * mutations of a frame of each link type against a guard page. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "capture_files.h"
#include "frame.h"
#include "guard.h"
#include "ipv4_reasm.h"

START_TEST(ethernet_basic)
{
    const char *p = tmp_path("eth.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX], u[FRAME_MAX];
    size_t n;
    wr_open(p, DLT_EN10MB, false);
    n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);       /* 1 */
    wr_add(f, n);
    n = mk_eth_udp(f, sizeof f, 5000, 138, HELLO, HELLO_N);      /* 2 */
    wr_add(f, n);
    n = mk_eth_udp(f, sizeof f, 138, 5000, HELLO, HELLO_N);      /* 3 */
    wr_add(f, n);
    n = mk_eth_udp(f, sizeof f, 53, 53, HELLO, HELLO_N);         /* 4 other port */
    wr_add(f, n);
    ipspec s = ip_default();
    s.proto = 6;
    size_t un = mk_udp(u, sizeof u, 138, 138, HELLO, HELLO_N);   /* looks like UDP */
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 5 TCP */
    uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
    n = mk_eth(f, sizeof f, 0x0806, arp, sizeof arp);
    wr_add(f, n);                                                /* 6 ARP */
    uint8_t v6[40] = { 0x60 };
    n = mk_eth(f, sizeof f, 0x86DD, v6, sizeof v6);
    wr_add(f, n);                                                /* 7 IPv6 */
    n = mk_eth_udp(f, sizeof f, 138, 138, "abcd", 4);            /* 8 padded */
    ck_assert_uint_eq(n, 60);
    wr_add(f, n);
    wr_add(f, 10);                                               /* 9 runt */
    s = ip_default();
    s.ihl = 4;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 10 IHL 4 */
    s = ip_default();
    s.version = 5;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 11 version 5 */
    s = ip_default();
    s.total = 16;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 12 total < IHL */
    un = mk_udp_l(u, sizeof u, 138, 138, 4, HELLO, HELLO_N);
    s = ip_default();
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 13 UDP length 4 */
    n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    wr_add_full(f, n, 14 + 10, 1000000013L, 0);                  /* 14 IP header cut */
    wr_add_full(f, n, 14 + 20 + 6, 1000000014L, 0);              /* 15 UDP header cut */
    s = ip_default();
    s.proto = 1;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, "\x08\0\0\0\0\0\0\0", 8));
    wr_add(f, n);                                                /* 16 ICMP */
    un = mk_udp(u, sizeof u, 138, 138, HELLO, HELLO_N);
    s = ip_default();
    s.total = 20 + 6;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 17 IP payload < 8 */
    wr_close();

    run *r = read_all(p, NULL, 0);
    ck_assert_int_eq(r->rc, MS_ERR_END);
    ck_assert_str_eq(r->err, "");
    ck_assert_str_eq(r->link, "EN10MB");
    ck_assert_uint_eq(r->n, 4);
    expect_hello(&r->g[0], 1);
    ck_assert_uint_eq(r->g[0].d.sport, 138);
    ck_assert_uint_eq(r->g[0].d.dport, 138);
    ck_assert_uint_eq(r->g[0].d.ip_src, SRC_IP);
    ck_assert_uint_eq(r->g[0].d.ip_dst, DST_IP);
    ck_assert_int_eq(r->g[0].d.ts_sec, 1000000000);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 0);
    ck_assert(!r->g[0].d.reassembled);
    expect_hello(&r->g[1], 2);
    ck_assert_uint_eq(r->g[1].d.sport, 5000);
    expect_hello(&r->g[2], 3);
    ck_assert_uint_eq(r->g[2].d.dport, 5000);
    /* Ethernet padding after the IP datagram is not payload. */
    ck_assert_uint_eq(r->g[3].d.frame, 8);
    ck_assert_uint_eq(r->g[3].d.len, 4);
    ck_assert_mem_eq(r->g[3].head, "abcd", 4);
    ck_assert(!r->g[3].d.truncated);
    expect_stats(r, 17, 4, 2, 2, 1, 5, 3, 0, 0);
}
END_TEST

START_TEST(port_set)
{
    const char *p = tmp_path("ports.pcap");
    uint8_t f[FRAME_MAX];
    static const uint16_t pairs[][2] = { { 138, 138 }, { 137, 137 }, { 1024, 53 },
                                         { 5353, 5353 }, { 0, 65535 } };
    wr_open(p, DLT_EN10MB, false);
    for (size_t i = 0; i < 5; i++)
        wr_add(f, mk_eth_udp(f, sizeof f, pairs[i][0], pairs[i][1], HELLO, HELLO_N));
    wr_close();

    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_uint_eq(r->st.other_port, 4);

    static const uint16_t two[] = { 137, 53 };
    r = read_all(p, two, 2);
    ck_assert_uint_eq(r->n, 2);
    ck_assert_uint_eq(r->g[0].d.frame, 2);
    ck_assert_uint_eq(r->g[1].d.frame, 3);
    ck_assert_uint_eq(r->st.other_port, 3);

    static const uint16_t edge[] = { 0, 65535 };
    r = read_all(p, edge, 2);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_uint_eq(r->g[0].d.frame, 5);

    uint16_t many[40];
    for (size_t i = 0; i < 40; i++)
        many[i] = (uint16_t)(5320 + i); /* includes 5353 */
    r = read_all(p, many, 40);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_uint_eq(r->g[0].d.frame, 4);

    r = read_all(p, two, 0); /* n == 0: every port */
    ck_assert_uint_eq(r->n, 5);
}
END_TEST

/* Each verdict goes to its one counter. */
START_TEST(count_partition)
{
    static const ms_frame_verdict all[] = {
        MS_FRAME_DATAGRAM,         MS_FRAME_NOT_IPV4,   MS_FRAME_NOT_UDP,
        MS_FRAME_OTHER_PORT,       MS_FRAME_BAD_HEADER, MS_FRAME_TRUNCATED_HEADER,
        MS_FRAME_FRAGMENT,         MS_FRAME_UNSUPPORTED_LINK,
    };
    ms_capture_stats st = MS_SIZED(ms_capture_stats);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        for (size_t k = 0; k <= i; k++)
            ms_frame_count(&st, all[i]);
        st.frames += i + 1;
        check_partition(&st);
    }
    ck_assert_uint_eq(st.datagrams, 1);
    ck_assert_uint_eq(st.not_ipv4, 2);
    ck_assert_uint_eq(st.not_udp, 3);
    ck_assert_uint_eq(st.other_port, 4);
    ck_assert_uint_eq(st.bad_header, 5);
    ck_assert_uint_eq(st.truncated_header, 6);
    ck_assert_uint_eq(st.fragments, 7);
    ck_assert_uint_eq(st.unsupported_link, 8);
    ck_assert_uint_eq(st.frag_dropped + st.filtered, 0);
}
END_TEST

/* Every prefix of every sample frame, placed against a guard page, plus
 * single-octet mutations: no read outside the record, partition holds. */
START_TEST(guarded_prefixes)
{
    uint8_t ip[FRAME_MAX], u[FRAME_MAX], fr[FRAME_MAX];
    static const uint8_t rr[8] = { 7, 7, 4, 0, 0, 0, 0, 0 };
    size_t un = mk_udp(u, sizeof u, 138, 138, HELLO, HELLO_N);
    ipspec s = ip_default();
    s.opts = rr, s.optlen = sizeof rr;
    size_t in = mk_ip(ip, sizeof ip, &s, u, un);
    static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
                                DLT_IPV4,   DLT_NULL,      DLT_LOOP };
    ms_portset ports;
    ms_portset_clear(&ports);
    ports.all = true;
    for (size_t k = 0; k < sizeof dlts / sizeof dlts[0]; k++) {
        size_t n = wrap_link(dlts[k], fr, sizeof fr, ip, in);
        ms_reasm *ra = ms_reasm_new(NULL);
        ms_frame_ctx ctx = { ms_link_from_dlt(dlts[k]), &ports, ra };
        ck_assert_int_ne(ctx.link, MS_LINK_UNSUPPORTED);
        for (size_t cut = 0; cut <= n; cut++) {
            ms_record rec = { cut + 1, 0, 0, guarded_copy(fr, cut), cut, n };
            ms_udp_datagram d;
            ms_frame_verdict v = ms_frame_process(&ctx, &rec, &d);
            if (cut == n) {
                ck_assert_int_eq(v, MS_FRAME_DATAGRAM);
                ck_assert_mem_eq(d.payload, HELLO, HELLO_N);
            } else if (v == MS_FRAME_DATAGRAM) {
                ck_assert(d.truncated);
                ck_assert_uint_lt(d.len, HELLO_N);
            } else {
                ck_assert_int_eq(v, MS_FRAME_TRUNCATED_HEADER);
            }
        }
        /* Every octet set to a few telling values, every prefix length. */
        static const uint8_t vals[] = { 0x00, 0x05, 0x08, 0x20, 0x45, 0x81, 0xFF };
        uint8_t m[FRAME_MAX];
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < sizeof vals; j++) {
                memcpy(m, fr, n);
                m[i] = vals[j];
                for (size_t cut = n; cut + 30 >= n && cut > 0; cut -= 15) {
                    ms_record rec = { 1, 0, 0, guarded_copy(m, cut), cut, n };
                    ms_udp_datagram d;
                    if (ms_frame_process(&ctx, &rec, &d) == MS_FRAME_DATAGRAM)
                        ck_assert_uint_le(d.len, d.orig_len);
                }
            }
        }
        ms_reasm_free(ra);
    }
}
END_TEST

static Suite *frame_suite(void)
{
    Suite *s = suite_create("frame");
    TCase *tc = tcase_create("records");
    tcase_add_test(tc, ethernet_basic);
    tcase_add_test(tc, port_set);
    tcase_add_test(tc, count_partition);
    suite_add_tcase(s, tc);

    tc = tcase_create("robustness");
    tcase_add_test(tc, guarded_prefixes);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (tmp_init("frame") != 0)
        return 1;
    int status = run_suite(frame_suite(), NULL);
    tmp_remove();
    return status;
}
