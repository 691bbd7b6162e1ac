/* SPDX-License-Identifier: MIT */
/* The text appender of src/common/strbuf.h (name text, summaries, labels,
 * finding texts): what it writes is what snprintf would, cut the same way,
 * and it counts what did not fit. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "guard.h"

/* The same text through the appender and through snprintf, for every
 * buffer size from 0 to past its length. */
static void same_as_snprintf(void (*put)(ms_strbuf *b), const char *want)
{
    size_t len = strlen(want);
    for (size_t cap = 0; cap <= len + 2; cap++) {
        char got[64], ref[64];
        memset(got, 'x', sizeof got);
        memset(ref, 'x', sizeof ref);
        ms_strbuf b = ms_sb_make(cap ? got : NULL, cap);
        put(&b);
        ck_assert_uint_eq(ms_sb_finish(&b), len);
        ck_assert_uint_eq(ms_sb_kept(&b), cap ? (len < cap ? len : cap - 1) : 0);
        int n = snprintf(ref, cap, "%s", want);
        ck_assert_int_eq(n, (int)len);
        if (cap)
            ck_assert_str_eq(got, ref);
        if (cap && cap < sizeof got)
            ck_assert_int_eq(got[cap], 'x'); /* nothing past the buffer */
    }
}

static void put_mixed(ms_strbuf *b)
{
    ms_sb_puts(b, "HostAnnouncement ");
    ms_sb_putc(b, '<');
    ms_sb_hex2(b, 0x1d);
    ms_sb_putc(b, '>');
    ms_sb_putn(b, " os ", 4);
    ms_sb_dec(b, 10);
    ms_sb_putc(b, '.');
    ms_sb_dec(b, 0);
}

START_TEST(cut_like_snprintf)
{
    same_as_snprintf(put_mixed, "HostAnnouncement <1d> os 10.0");
}
END_TEST

START_TEST(numbers)
{
    char got[64], want[64];
    static const uint64_t v[] = { 0, 1, 9, 10, 255, 4096, 0xDEADBEEF, UINT64_MAX };
    static const size_t mins[] = { 0, 1, 2, 8, 16 };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        ms_strbuf b = ms_sb_make(got, sizeof got);
        ms_sb_dec(&b, v[i]);
        ms_sb_finish(&b);
        snprintf(want, sizeof want, "%" PRIu64, v[i]);
        ck_assert_str_eq(got, want);
        for (size_t k = 0; k < sizeof mins / sizeof mins[0]; k++) {
            b = ms_sb_make(got, sizeof got);
            ms_sb_hex(&b, v[i], mins[k]);
            ms_sb_finish(&b);
            snprintf(want, sizeof want, "%0*" PRIx64, (int)mins[k], v[i]);
            ck_assert_str_eq(got, want);
        }
    }
    ms_strbuf b = ms_sb_make(got, sizeof got);
    for (unsigned o = 0; o < 256; o += 51)
        ms_sb_hex2(&b, (uint8_t)o);
    ms_sb_finish(&b);
    ck_assert_str_eq(got, "00336699ccff");
}
END_TEST

/* Octets go in as they are, NULs included; the text is terminated once. */
START_TEST(octets_and_termination)
{
    char got[8];
    memset(got, 'x', sizeof got);
    ms_strbuf b = ms_sb_make(got, sizeof got);
    ms_sb_putn(&b, "a\0b", 3);
    ck_assert_uint_eq(b.len, 3);
    ck_assert_int_eq(got[3], 'x'); /* not terminated before ms_sb_finish */
    ck_assert_uint_eq(ms_sb_finish(&b), 3);
    ck_assert_mem_eq(got, "a\0b\0", 4);
    ms_sb_puts(&b, "cdefghij");
    ck_assert_uint_eq(ms_sb_finish(&b), 11);
    ck_assert_uint_eq(ms_sb_kept(&b), 7);
    ck_assert_mem_eq(got, "a\0bcdef\0", 8);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("strbuf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, cut_like_snprintf);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, octets_and_termination);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
