/* SPDX-License-Identifier: MIT */
/* Link layers (src/capture/link_layer.c): DLT numbers to the kinds read,
 * and the IPv4 header found behind each kind's header, directly and in
 * small pcap files read back through ms_capture_*: Ethernet with VLAN tags
 * and LLC/SNAP, Linux cooked v1/v2, raw IP under its several numbers,
 * BSD loopback, and a link type not read. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "capture_files.h"
#include "cursor.h"
#include "guard.h"
#include "link_layer.h"

START_TEST(dlt_mapping)
{
    static const struct {
        int dlt;
        ms_link_kind kind;
        const char *name;
    } v[] = {
        { DLT_EN10MB, MS_LINK_ETHERNET, "EN10MB" },
        { DLT_LINUX_SLL, MS_LINK_SLL, "LINUX_SLL" },
        { DLT_LINUX_SLL2, MS_LINK_SLL2, "LINUX_SLL2" },
        { DLT_RAW, MS_LINK_RAW, "RAW" },
        { 101, MS_LINK_RAW, "RAW" },
        { 14, MS_LINK_RAW, "RAW" },
        { DLT_IPV4, MS_LINK_IPV4, "IPV4" },
        { DLT_NULL, MS_LINK_NULL, "NULL" },
        { DLT_LOOP, MS_LINK_LOOP, "LOOP" },
        { DLT_PPP, MS_LINK_UNSUPPORTED, NULL },
        { 65000, MS_LINK_UNSUPPORTED, NULL },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        ck_assert_int_eq(ms_link_from_dlt(v[i].dlt), v[i].kind);
        if (v[i].name)
            ck_assert_str_eq(ms_link_kind_name(v[i].kind), v[i].name);
        else
            ck_assert_ptr_null(ms_link_kind_name(v[i].kind));
    }
}
END_TEST

/* ms_link_ipv4 on its own: the cursor starts at the IPv4 header and covers
 * the rest of the frame; each result for a frame that has none. */
START_TEST(ipv4_behind_the_header)
{
    uint8_t ip[FRAME_MAX], f[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
                                DLT_IPV4,   DLT_NULL,      DLT_LOOP };
    for (size_t k = 0; k < sizeof dlts / sizeof dlts[0]; k++) {
        size_t n = wrap_link(dlts[k], f, sizeof f, ip, in);
        ms_rcur c;
        ck_assert_int_eq(ms_link_ipv4(ms_link_from_dlt(dlts[k]), guarded_copy(f, n), n, &c),
                         MS_LINK_OK_IPV4);
        ck_assert_uint_eq(ms_rcur_left(&c), in);
        ck_assert_int_eq(ms_rcur_peek(&c, 0), 0x45);
    }
    size_t n = mk_eth(f, sizeof f, 0x0806, ip, 28);
    ms_rcur c;
    ck_assert_int_eq(ms_link_ipv4(MS_LINK_ETHERNET, f, n, &c), MS_LINK_NOT_IPV4);
    ck_assert_int_eq(ms_link_ipv4(MS_LINK_ETHERNET, guarded_copy(f, 13), 13, &c),
                     MS_LINK_TRUNCATED);
    ck_assert_int_eq(ms_link_ipv4(MS_LINK_UNSUPPORTED, f, n, &c), MS_LINK_UNSUPPORTED_TYPE);
}
END_TEST

START_TEST(vlan_tags)
{
    const char *p = tmp_path("vlan.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    static const uint16_t q[] = { 0x8100 };
    static const uint16_t ad[] = { 0x88a8, 0x8100 };
    static const uint16_t old[] = { 0x9100, 0x8100 };
    static const uint16_t deep[] = { 0x88a8, 0x9100, 0x8100, 0x8100 };
    wr_open(p, DLT_EN10MB, false);
    wr_add(f, mk_eth_tags(f, sizeof f, q, 1, 0x0800, ip, in));
    wr_add(f, mk_eth_tags(f, sizeof f, ad, 2, 0x0800, ip, in));
    wr_add(f, mk_eth_tags(f, sizeof f, old, 2, 0x0800, ip, in));
    wr_add(f, mk_eth_tags(f, sizeof f, deep, 4, 0x0800, ip, in));
    wr_add(f, mk_eth_tags(f, sizeof f, q, 1, 0x0806, ip, 28));   /* ARP in a VLAN */
    size_t n = mk_eth_tags(f, sizeof f, ad, 2, 0x0800, ip, in);
    wr_add_full(f, n, 14 + 4 + 2, 1000000005L, 0); /* cut inside the tags */
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 4);
    for (size_t i = 0; i < 4; i++)
        expect_hello(&r->g[i], i + 1);
    expect_stats(r, 6, 4, 1, 0, 0, 0, 1, 0, 0);
}
END_TEST

/* 802.3 length + LLC/SNAP (RFC 1042) carrying IPv4; other LLC payloads. */
START_TEST(llc_snap)
{
    const char *p = tmp_path("snap.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX], l[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    static const uint8_t snap[] = { 0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00 };
    memcpy(l, snap, 8);
    memcpy(l + 8, ip, in);
    wr_open(p, DLT_EN10MB, false);
    wr_add(f, mk_eth(f, sizeof f, (uint16_t)(8 + in), l, 8 + in));
    /* The 802.3 length bounds the frame: padding after it is ignored. */
    size_t n = mk_eth(f, sizeof f, (uint16_t)(8 + in), l, 8 + in);
    memset(f + n, 0xEE, 20);
    wr_add(f, n + 20);
    /* NetBEUI (DSAP/SSAP F0) */
    static const uint8_t netbeui[] = { 0xF0, 0xF0, 0x03, 1, 2, 3, 4 };
    wr_add(f, mk_eth(f, sizeof f, sizeof netbeui, netbeui, sizeof netbeui));
    /* SNAP with a vendor OUI: protocol id is not an Ethertype */
    l[5] = 0x07;
    wr_add(f, mk_eth(f, sizeof f, (uint16_t)(8 + in), l, 8 + in));
    /* 802.3 length shorter than the LLC header */
    l[5] = 0;
    wr_add(f, mk_eth(f, sizeof f, 2, l, 8 + in));
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 2);
    expect_hello(&r->g[0], 1);
    expect_hello(&r->g[1], 2);
    expect_stats(r, 5, 2, 2, 0, 0, 1, 0, 0, 0);
}
END_TEST

START_TEST(linux_sll)
{
    const char *p = tmp_path("sll.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    wr_open(p, DLT_LINUX_SLL, false);
    size_t n = wrap_link(DLT_LINUX_SLL, f, sizeof f, ip, in);
    wr_add(f, n);
    f[14] = 0x08, f[15] = 0x06; /* ARP */
    wr_add(f, n);
    /* protocol 0x8100: the VLAN tag is in the payload */
    uint8_t g[FRAME_MAX];
    memcpy(g, f, 14);
    g[14] = 0x81, g[15] = 0x00, g[16] = 0, g[17] = 5, g[18] = 0x08, g[19] = 0;
    memcpy(g + 20, ip, in);
    wr_add(g, 20 + in);
    /* protocol 4: 802.2 LLC, here SNAP with IPv4 */
    static const uint8_t snap[] = { 0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00 };
    g[14] = 0, g[15] = 4;
    memcpy(g + 16, snap, 8);
    memcpy(g + 24, ip, in);
    wr_add(g, 24 + in);
    /* netlink: the protocol field is a netlink family, never IPv4 */
    memcpy(g, f, n);
    g[2] = 0x03, g[3] = 0x38, g[14] = 0x08, g[15] = 0x00;
    wr_add(g, n);
    wr_add(f, 15); /* cut in the header */
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_str_eq(r->link, "LINUX_SLL");
    ck_assert_uint_eq(r->n, 3);
    expect_hello(&r->g[0], 1);
    expect_hello(&r->g[1], 3);
    expect_hello(&r->g[2], 4);
    expect_stats(r, 6, 3, 2, 0, 0, 0, 1, 0, 0);
}
END_TEST

START_TEST(linux_sll2)
{
    const char *p = tmp_path("sll2.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 5000, 138, HELLO, HELLO_N);
    wr_open(p, DLT_LINUX_SLL2, false);
    size_t n = wrap_link(DLT_LINUX_SLL2, f, sizeof f, ip, in);
    ck_assert_uint_eq(n, 20 + in);
    wr_add(f, n);
    f[0] = 0x86, f[1] = 0xDD; /* IPv6 */
    wr_add(f, n);
    wr_add(f, 19);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_str_eq(r->link, "LINUX_SLL2");
    ck_assert_uint_eq(r->n, 1);
    expect_hello(&r->g[0], 1);
    ck_assert_uint_eq(r->g[0].d.sport, 5000);
    expect_stats(r, 3, 1, 1, 0, 0, 0, 1, 0, 0);
}
END_TEST

/* Raw IP as LINKTYPE_RAW (101, what libpcap writes), and the old numbers 12
 * and 14 a file may carry; LINKTYPE_IPV4 (228) is IPv4 only. */
START_TEST(raw_ip)
{
    uint8_t ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    uint8_t v6[48] = { 0x60 };
    uint8_t junk[24] = { 0x00 };
    static const struct {
        int dlt;
        int patch;           /* file link type to force, or -1 */
        const char *name;
        uint64_t not_ipv4, bad;
    } v[] = {
        { DLT_RAW, -1, "RAW", 1, 1 },
        { DLT_RAW, 12, "RAW", 1, 1 },
        { DLT_RAW, 14, "RAW", 1, 1 },
        { DLT_IPV4, -1, "IPV4", 0, 2 },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        const char *p = tmp_path("raw.pcap");
        wr_open(p, v[i].dlt, false);
        wr_add(ip, in);
        wr_add(v6, sizeof v6);
        wr_add(junk, sizeof junk);
        wr_add(ip, 0);
        wr_close();
        if (v[i].patch >= 0)
            patch_linktype(p, (uint32_t)v[i].patch);
        run *r = read_all(p, NULL, 0);
        ck_assert_str_eq(r->link, v[i].name);
        ck_assert_uint_eq(r->n, 1);
        expect_hello(&r->g[0], 1);
        expect_stats(r, 4, 1, v[i].not_ipv4, 0, 0, v[i].bad, 1, 0, 0);
    }
}
END_TEST

/* DLT_NULL: the AF word in either byte order; DLT_LOOP: network order. */
START_TEST(loopback)
{
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    const char *p = tmp_path("null.pcap");
    wr_open(p, DLT_NULL, false);
    size_t n = wrap_link(DLT_NULL, f, sizeof f, ip, in);
    wr_add(f, n);
    uint8_t g[FRAME_MAX];
    memcpy(g, f, n);
    uint8_t t = g[0]; /* the other byte order */
    g[0] = g[3], g[3] = t;
    t = g[1], g[1] = g[2], g[2] = t;
    wr_add(g, n);
    g[0] = 0, g[1] = 0, g[2] = 0, g[3] = 0;
    g[0] = 24; /* an AF_INET6 (NetBSD/OpenBSD) */
    wr_add(g, n);
    wr_add(f, 3);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_str_eq(r->link, "NULL");
    ck_assert_uint_eq(r->n, 2);
    expect_hello(&r->g[0], 1);
    expect_hello(&r->g[1], 2);
    expect_stats(r, 4, 2, 1, 0, 0, 0, 1, 0, 0);

    p = tmp_path("loop.pcap");
    wr_open(p, DLT_LOOP, false);
    n = wrap_link(DLT_LOOP, f, sizeof f, ip, in);
    wr_add(f, n);
    memcpy(g, f, n);
    g[0] = 2, g[3] = 0; /* little-endian 2: not AF_INET in network order */
    wr_add(g, n);
    wr_close();
    r = read_all(p, NULL, 0);
    ck_assert_str_eq(r->link, "LOOP");
    ck_assert_uint_eq(r->n, 1);
    expect_hello(&r->g[0], 1);
    expect_stats(r, 2, 1, 1, 0, 0, 0, 0, 0, 0);
}
END_TEST

START_TEST(unsupported_link)
{
    const char *p = tmp_path("ppp.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    f[0] = 0xFF, f[1] = 0x03, f[2] = 0x00, f[3] = 0x21;
    memcpy(f + 4, ip, in);
    wr_open(p, DLT_PPP, false);
    wr_add(f, 4 + in);
    wr_add(f, 4 + in);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_int_eq(r->rc, MS_ERR_END);
    ck_assert_str_eq(r->link, "PPP");
    expect_stats(r, 2, 0, 0, 0, 0, 0, 0, 0, 2);
}
END_TEST

static Suite *link_layer_suite(void)
{
    Suite *s = suite_create("link_layer");
    TCase *tc = tcase_create("links");
    tcase_add_test(tc, dlt_mapping);
    tcase_add_test(tc, ipv4_behind_the_header);
    tcase_add_test(tc, vlan_tags);
    tcase_add_test(tc, llc_snap);
    tcase_add_test(tc, linux_sll);
    tcase_add_test(tc, linux_sll2);
    tcase_add_test(tc, raw_ip);
    tcase_add_test(tc, loopback);
    tcase_add_test(tc, unsupported_link);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (tmp_init("link") != 0)
        return 1;
    int status = run_suite(link_layer_suite(), NULL);
    tmp_remove();
    return status;
}
