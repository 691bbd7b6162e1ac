/* SPDX-License-Identifier: MIT */
/* IPv4 fragment reassembly (src/reassembly/ipv4_reasm.c): datagrams cut
 * into fragments, written to pcap files and read back through the capture
 * path (in order, out of order, repeated, overlapping, never completed,
 * more sets than the table holds, unselected ports, timeout, bad and cut
 * fragments, the largest datagram), and the table on its own (byte budget,
 * eviction order, refused fragments, unwanted datagrams, signed time). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "capture_files.h"
#include "guard.h"
#include "ipv4_reasm.h"

START_TEST(frag_in_order)
{
    const char *p = tmp_path("frag1.pcap");
    fr_make(138, 138, 3000, 1); /* 3008 octets: 1480 + 1480 + 48 */
    wr_open(p, DLT_EN10MB, false);
    fr_add(7, 0, 1480);
    fr_add(7, 1480, 1480);
    fr_add(7, 2960, 48);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    expect_fr_dgram(&r->g[0], 3);
    ck_assert_int_eq(r->g[0].d.ts_sec, 1000000000);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 2000);
    ck_assert_uint_eq(r->g[0].d.ip_src, SRC_IP);
    expect_stats(r, 3, 1, 0, 0, 0, 0, 0, 2, 0);
    ck_assert_uint_eq(r->st.frag_dropped, 0);
}
END_TEST

START_TEST(frag_out_of_order)
{
    const char *p = tmp_path("frag2.pcap");
    fr_make(2000, 138, 3000, 2);
    wr_open(p, DLT_EN10MB, false);
    fr_add(8, 2960, 48); /* last first */
    fr_add(8, 0, 1480);
    fr_add(9, 0, 1480);  /* an interleaved second datagram */
    fr_add(8, 1480, 1480);
    fr_add(9, 2960, 48);
    fr_add(9, 1480, 1480);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 2);
    expect_fr_dgram(&r->g[0], 4);
    expect_fr_dgram(&r->g[1], 6);
    expect_stats(r, 6, 2, 0, 0, 0, 0, 0, 4, 0);
}
END_TEST

/* Exact re-sends are harmless, before and after completion. */
START_TEST(frag_duplicate)
{
    const char *p = tmp_path("frag3.pcap");
    fr_make(138, 138, 3000, 3);
    wr_open(p, DLT_EN10MB, false);
    fr_add(10, 0, 1480);
    fr_add(10, 0, 1480);
    fr_add(10, 2960, 48);
    fr_add(10, 2960, 48);
    fr_add(10, 1480, 1480); /* completes */
    fr_add(10, 1480, 1480); /* late copy: starts a set that never completes */
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    expect_fr_dgram(&r->g[0], 5);
    expect_stats(r, 6, 1, 0, 0, 0, 0, 0, 5, 0);
    ck_assert_uint_eq(r->st.frag_dropped, 1);
}
END_TEST

START_TEST(frag_overlap)
{
    const char *p = tmp_path("frag4.pcap");
    fr_make(138, 138, 3000, 4);
    wr_open(p, DLT_EN10MB, false);
    fr_add(11, 0, 1480);
    fr_add(11, 1000, 1480); /* partial overlap: drops both */
    fr_add(11, 1480, 1480);
    fr_add(11, 2960, 48);   /* no first fragment any more */
    /* Same range, different octets. */
    fr_add(12, 0, 1480);
    fr_dgram[20] ^= 0xFF;
    fr_add(12, 0, 1480);
    fr_dgram[20] ^= 0xFF;
    fr_add(12, 1480, 1480);
    fr_add(12, 2960, 48);
    /* Two last fragments that disagree on the end. */
    fr_add(13, 0, 1480);
    fr_add(13, 2960, 48);
    fr_add_mf(13, 17, 2960, 40, false, 1000000000L, 10);
    fr_add(13, 1480, 1480);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 0);
    expect_stats(r, 12, 0, 0, 0, 0, 0, 0, 12, 0);
    ck_assert_uint_eq(r->st.frag_dropped, 12);
}
END_TEST

START_TEST(frag_never_completed)
{
    const char *p = tmp_path("frag5.pcap");
    fr_make(138, 138, 3000, 5);
    wr_open(p, DLT_EN10MB, false);
    fr_add(14, 0, 1480);
    fr_add(14, 2960, 48);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 0);
    expect_stats(r, 2, 0, 0, 0, 0, 0, 0, 2, 0);
    ck_assert_uint_eq(r->st.frag_dropped, 2);
}
END_TEST

/* 65 datagrams in flight: the oldest is evicted, the rest still complete
 * where their set survived. */
START_TEST(frag_in_flight_bound)
{
    const char *p = tmp_path("frag6.pcap");
    fr_make(138, 138, 2000, 6); /* 1480 + 528 */
    wr_open(p, DLT_EN10MB, false);
    for (uint16_t id = 1; id <= 65; id++)
        fr_add(id, 0, 1480);      /* the 65th evicts id 1 */
    fr_add(65, 1480, 528);        /* frame 66: completes */
    fr_add(2, 1480, 528);         /* frame 67: completes */
    fr_add(1, 1480, 528);         /* id 1 was evicted: a new set, evicts nothing */
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 2);
    expect_fr_dgram(&r->g[0], 66);
    expect_fr_dgram(&r->g[1], 67);
    expect_stats(r, 68, 2, 0, 0, 0, 0, 0, 66, 0);
    /* id 1's first half on eviction; at the end 62 sets + id 1's last half. */
    ck_assert_uint_eq(r->st.frag_dropped, 1 + 62 + 1);
}
END_TEST

/* Unselected ports (known from the first fragment, wherever it comes),
 * other protocols, timeout, bad fragments, snaplen-cut fragments. */
START_TEST(frag_misc)
{
    const char *p = tmp_path("frag7.pcap");
    wr_open(p, DLT_EN10MB, false);
    fr_make(53, 53, 2000, 7);
    fr_add(20, 0, 1480);               /* 1 */
    fr_add(20, 1480, 528);             /* 2 other_port */
    fr_add(21, 1480, 528);             /* 3 */
    fr_add(21, 0, 1480);               /* 4 other_port (first arrives last) */
    fr_add_ts(22, 1, 0, 1480, 1000000004L); /* 5 ICMP fragments: not_udp */
    fr_add_ts(22, 1, 1480, 528, 1000000005L); /* 6 */
    fr_make(138, 138, 2000, 8);
    fr_add_ts(23, 17, 0, 1480, 1000000100L); /* 7 */
    fr_add_ts(23, 17, 1480, 528, 1000000131L); /* 8: 31 s later, set expired */
    fr_add_ts(24, 17, 0, 1480, 1000000200L); /* 9 */
    fr_add_ts(24, 17, 1480, 528, 1000000229L); /* 10: 29 s, completes */
    /* 11: MF with a length that is not a multiple of 8 */
    fr_add(25, 0, 1484 - 4 + 3);
    /* 12: offset + length past 65535 */
    {
        uint8_t f[FRAME_MAX], ip[FRAME_MAX];
        ipspec s = ip_default();
        s.id = 26;
        s.frag = (uint16_t)(65520 / 8);
        size_t n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, fr_dgram, 100));
        wr_add(f, n);
    }
    /* 13, 14: a first fragment cut by the snaplen, then the rest */
    {
        uint8_t f[FRAME_MAX], ip[FRAME_MAX];
        ipspec s = ip_default();
        s.id = 27;
        s.frag = IP_MF;
        size_t n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, fr_dgram, 1480));
        wr_add_full(f, n, 200, 1000000300L, 0);
    }
    fr_add(27, 1480, 528);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    expect_fr_dgram(&r->g[0], 10);
    expect_stats(r, 14, 1, 0, 2, 2, 2, 0, 7, 0);
    /* 7 and 8 (expired, then incomplete), 13 (cut), 14 (incomplete) */
    ck_assert_uint_eq(r->st.frag_dropped, 4);
}
END_TEST

/* A datagram of the largest size IPv4 allows, in 45 fragments, reversed. */
START_TEST(frag_max_size)
{
    const char *p = tmp_path("frag8.pcap");
    fr_make(138, 138, 65535 - 20 - 8, 9);
    ck_assert_uint_eq(fr_len, 65515);
    wr_open(p, DLT_EN10MB, false);
    size_t offs[64], nf = 0;
    for (size_t off = 0; off < fr_len; off += 1480)
        offs[nf++] = off;
    for (size_t i = nf; i-- > 0;) {
        size_t len = offs[i] + 1480 <= fr_len ? 1480 : fr_len - offs[i];
        fr_add(30, offs[i], len);
    }
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    expect_fr_dgram(&r->g[0], nf);
    ck_assert_uint_eq(r->st.fragments, nf - 1);
}
END_TEST

/* The table on its own: byte budget and eviction order. */
static bool want_all(const uint8_t *d, size_t n, void *arg)
{
    (void)d, (void)n, (void)arg;
    return true;
}

START_TEST(reasm_budget)
{
    ms_reasm_limits lim = { 4, 8192, 30LL * 1000000000LL };
    ms_reasm *ra = ms_reasm_new(&lim);
    ck_assert_ptr_nonnull(ra);
    static uint8_t data[8192];
    const uint8_t *out;
    size_t outn;
    ms_frag f = { SRC_IP, DST_IP, 1, 17, 20, 0, true, data, 4096, 4096, 0 };
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    f.id = 2;
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    f.id = 3; /* over budget: id 1 goes */
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).dropped, 1);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).in_flight, 2);
    f.id = 2, f.offset = 4096, f.more = false, f.len = f.present = 100;
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_COMPLETE);
    ck_assert_uint_eq(outn, 4196);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).dropped, 2); /* growing id 2 evicted id 3 */
    f.id = 1; /* the evicted one: a new set */
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    /* A set larger than the whole budget cannot be held. */
    f.id = 9, f.offset = 8192, f.more = true, f.len = f.present = 8;
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    /* ids 1 and 3 evicted for budget, then the new id 1 set, then the
     * oversize fragment itself */
    ck_assert_uint_eq(ms_reasm_get_stats(ra).dropped, 4);
    ms_reasm_flush(ra);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).in_flight, 0);
    ms_reasm_free(ra);
}
END_TEST

static ms_frag frag_at(uint16_t id, uint32_t offset, bool more, const uint8_t *data,
                       size_t len, int64_t ts_ns)
{
    ms_frag f = { SRC_IP, DST_IP, id, 17, 20, offset, more, data, len, len, ts_ns };
    return f;
}

/* Fragments no datagram can be made of leave the table untouched. */
START_TEST(reasm_refuses)
{
    ms_reasm *ra = ms_reasm_new(NULL);
    ck_assert_ptr_nonnull(ra);
    static uint8_t data[2048];
    const uint8_t *out;
    size_t outn;
    ms_frag bad[] = {
        frag_at(1, 0, false, data, 100, 0),      /* offset 0, no MF: not a fragment */
        frag_at(2, 0, true, data, 100, 0),       /* MF with a length not of 8s */
        frag_at(3, 8, true, data, 0, 0),         /* MF with no data */
        frag_at(4, 65528, false, data, 100, 0),  /* past 65535 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(ms_reasm_add(ra, &bad[i], want_all, NULL, &out, &outn), MS_REASM_BAD);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).in_flight, 0);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).dropped, 0);
    ms_reasm_free(ra);
}
END_TEST

static bool want_none(const uint8_t *d, size_t n, void *arg)
{
    (void)d, (void)n;
    ++*(int *)arg;
    return false;
}

/* A datagram the caller does not want is followed to its end (so that its
 * fragments are not mistaken for another's) without holding its octets. */
START_TEST(reasm_unwanted)
{
    ms_reasm *ra = ms_reasm_new(NULL);
    static uint8_t data[2048];
    const uint8_t *out;
    size_t outn;
    int asked = 0;
    ms_frag f = frag_at(5, 0, true, data, 1480, 0);
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_none, &asked, &out, &outn), MS_REASM_HELD);
    ck_assert_int_eq(asked, 1);
    f = frag_at(5, 0, true, data, 1480, 1); /* an exact repeat: still harmless */
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_none, &asked, &out, &outn), MS_REASM_HELD);
    ck_assert_int_eq(asked, 1);
    f = frag_at(5, 1480, false, data, 100, 2);
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_none, &asked, &out, &outn), MS_REASM_UNWANTED);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(outn, 0);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).in_flight, 0);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).dropped, 0);
    ms_reasm_free(ra);
}
END_TEST

/* Capture time is signed (a file may say 1969): the timeout still counts
 * from the first fragment across zero, and time running back is no time. */
START_TEST(reasm_signed_time)
{
    ms_reasm_limits lim = { 4, 1u << 20, 30LL * 1000000000LL };
    ms_reasm *ra = ms_reasm_new(&lim);
    static uint8_t data[2048];
    const uint8_t *out;
    size_t outn;
    const int64_t s = 1000000000LL;
    ms_frag f = frag_at(6, 0, true, data, 1480, -5 * s);
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    f = frag_at(6, 1480, false, data, 100, 24 * s); /* 29 s later */
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_COMPLETE);
    ck_assert_uint_eq(outn, 1580);
    f = frag_at(7, 0, true, data, 1480, -5 * s);
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    f = frag_at(8, 0, true, data, 1480, INT64_MIN); /* far back: expires nothing */
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).in_flight, 2);
    f = frag_at(7, 1480, false, data, 100, 26 * s); /* 31 s after its first */
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    /* id 7's first half and id 8 expired; id 7's second half is a new set */
    ck_assert_uint_eq(ms_reasm_get_stats(ra).dropped, 2);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).in_flight, 1);
    ms_reasm_free(ra);
}
END_TEST

static Suite *ipv4_reasm_suite(void)
{
    Suite *s = suite_create("ipv4_reasm");
    TCase *tc = tcase_create("fragments");
    tcase_add_test(tc, frag_in_order);
    tcase_add_test(tc, frag_out_of_order);
    tcase_add_test(tc, frag_duplicate);
    tcase_add_test(tc, frag_overlap);
    tcase_add_test(tc, frag_never_completed);
    tcase_add_test(tc, frag_in_flight_bound);
    tcase_add_test(tc, frag_misc);
    tcase_add_test(tc, frag_max_size);
    suite_add_tcase(s, tc);

    tc = tcase_create("table");
    tcase_add_test(tc, reasm_budget);
    tcase_add_test(tc, reasm_refuses);
    tcase_add_test(tc, reasm_unwanted);
    tcase_add_test(tc, reasm_signed_time);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (tmp_init("ipv4_reasm") != 0)
        return 1;
    int status = run_suite(ipv4_reasm_suite(), NULL);
    tmp_remove();
    return status;
}
