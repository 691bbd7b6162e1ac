/* SPDX-License-Identifier: MIT */
/* NetBIOS names (src/netbios/name.c): first-level and second-level
 * encoding with byte-exact vectors, scopes, the text form, limits, every
 * prefix against a guard page. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "mailslot/netbios.h"

static void pad16(uint8_t out[16], const char *text, uint8_t suffix)
{
    ck_assert_int_eq(ms_nb_name_pad(out, text, strlen(text), suffix), MS_OK);
}

/* PROTOCOL.md §1.3 table. */
START_TEST(first_level_examples)
{
    static const struct {
        const char *text;
        uint8_t suffix;
        const char *enc;
    } v[] = {
        { "SERVER1", 0x00, "FDEFFCFGEFFCDBCACACACACACACACAAA" },
        { "WORKGROUP", 0x1D, "FHEPFCELEHFCEPFFFACACACACACACABN" },
        { "*", 0x00, "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        { "FRED", 0x20, "EGFCEFEECACACACACACACACACACACACA" },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t n16[16];
        ms_nb_name n;
        pad16(n16, v[i].text, v[i].suffix);
        ck_assert_int_eq(ms_nb_name_make(&n, n16, NULL), MS_OK);
        ck_assert_uint_eq(n.wire_len, 34);
        ck_assert_uint_eq(n.wire[0], 0x20);
        ck_assert_mem_eq(n.wire + 1, v[i].enc, 32);
        ck_assert_uint_eq(n.wire[33], 0);
        ms_nb_name back;
        size_t used;
        ck_assert_int_eq(ms_nb_name_decode(n.wire, n.wire_len, &back, &used), MS_OK);
        ck_assert_uint_eq(used, 34);
        ck_assert(back.valid);
        ck_assert_mem_eq(back.name, n16, 16);
    }
}
END_TEST

/* RFC 1002 §4.1: FRED in scope NETBIOS.COM. */
START_TEST(scope_example)
{
    uint8_t n16[16];
    ms_nb_name n;
    pad16(n16, "FRED", 0x20);
    ck_assert_int_eq(ms_nb_name_make(&n, n16, "NETBIOS.COM"), MS_OK);
    static const uint8_t tail[] = { 7, 'N', 'E', 'T', 'B', 'I', 'O', 'S', 3, 'C', 'O', 'M', 0 };
    ck_assert_uint_eq(n.wire_len, 33 + sizeof tail);
    ck_assert_mem_eq(n.wire + 33, tail, sizeof tail);
    char text[128];
    ms_nb_name_format(&n, text, sizeof text);
    ck_assert_str_eq(text, "FRED<20>.NETBIOS.COM");
    ms_nb_name back;
    ck_assert_int_eq(ms_nb_name_parse(&back, text, strlen(text)), MS_OK);
    ck_assert_uint_eq(back.wire_len, n.wire_len);
    ck_assert_mem_eq(back.wire, n.wire, n.wire_len);
}
END_TEST

START_TEST(format_like_tshark)
{
    static const struct {
        const char *text;
        uint8_t suffix;
        const char *want;
    } v[] = {
        { "SERVER1", 0x00, "SERVER1<00>" },
        { "WORKGROUP", 0x1d, "WORKGROUP<1d>" },
        { "*", 0x00, "*<00><00><00><00><00><00><00><00><00><00><00><00><00><00><00>" },
        { "A B", 0x20, "A B<20>" },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t n16[16];
        ms_nb_name n, back;
        char text[128];
        pad16(n16, v[i].text, v[i].suffix);
        ms_nb_name_make(&n, n16, NULL);
        ck_assert_uint_eq(ms_nb_name_format(&n, text, sizeof text), strlen(v[i].want));
        ck_assert_str_eq(text, v[i].want);
        ck_assert_int_eq(ms_nb_name_parse(&back, text, strlen(text)), MS_OK);
        ck_assert_mem_eq(back.name, n16, 16);
    }
    /* __MSBROWSE__ uses all 16 octets literally. */
    static const uint8_t msb[16] = { 1, 2, '_', '_', 'M', 'S', 'B', 'R', 'O', 'W', 'S', 'E', '_', '_', 2, 1 };
    ms_nb_name n;
    char text[128];
    ms_nb_name_make(&n, msb, NULL);
    ms_nb_name_format(&n, text, sizeof text);
    ck_assert_str_eq(text, "<01><02>__MSBROWSE__<02><01>");
    /* A short buffer still reports the full length and stays terminated. */
    ck_assert_uint_eq(ms_nb_name_format(&n, text, 5), strlen("<01><02>__MSBROWSE__<02><01>"));
    ck_assert_str_eq(text, "<01>");
}
END_TEST

START_TEST(bad_letters_are_kept)
{
    uint8_t n16[16];
    ms_nb_name n, d;
    size_t used;
    pad16(n16, "WORKGROUP", 0x1d);
    ms_nb_name_make(&n, n16, NULL);
    n.wire[1] = 0xB7; /* the tcpdump over-read reproducer's byte */
    ck_assert_int_eq(ms_nb_name_decode(n.wire, n.wire_len, &d, &used), MS_OK);
    ck_assert(!d.valid);
    ck_assert_uint_eq(used, 34);
    ck_assert_mem_eq(d.wire, n.wire, 34);
    n.wire[1] = 'Q'; /* letters above 'P' are not first-level encoding */
    ck_assert_int_eq(ms_nb_name_decode(n.wire, n.wire_len, &d, &used), MS_OK);
    ck_assert(!d.valid);
}
END_TEST

START_TEST(structural_errors)
{
    uint8_t w[300];
    ms_nb_name n;
    size_t used;
    /* Label pointer and reserved label types. */
    w[0] = 0xC0;
    w[1] = 0x0C;
    ck_assert_int_eq(ms_nb_name_decode(w, 2, &n, &used), MS_ERR_NAME_POINTER);
    ck_assert_uint_eq(used, 0);
    w[0] = 0x40; /* a 64-octet label is a reserved label type */
    ck_assert_int_eq(ms_nb_name_decode(w, 2, &n, &used), MS_ERR_NAME_LABEL);
    w[0] = 0x80;
    ck_assert_int_eq(ms_nb_name_decode(w, 2, &n, &used), MS_ERR_NAME_LABEL);
    w[0] = 0;
    ck_assert_int_eq(ms_nb_name_decode(w, 1, &n, &used), MS_ERR_NAME_FIRST_LABEL);
    /* Pointer in the scope part. */
    uint8_t n16[16];
    ms_nb_name ok;
    pad16(n16, "A", 0);
    ms_nb_name_make(&ok, n16, NULL);
    memcpy(w, ok.wire, 33);
    w[33] = 0xC0;
    w[34] = 0;
    ck_assert_int_eq(ms_nb_name_decode(w, 35, &n, &used), MS_ERR_NAME_POINTER);
    ck_assert_uint_eq(used, 33);
    /* 255 octets counting every length octet and the final zero: fits;
     * 256: too long. 33 + 3*63+3*1 ... build labels to reach the total. */
    size_t pos = 33;
    memcpy(w, ok.wire, 33);
    while (pos + 64 <= 254) {
        w[pos] = 63;
        memset(w + pos + 1, 'x', 63);
        pos += 64;
    }
    size_t last = 254 - pos - 1; /* final label so that the zero lands at 254 */
    w[pos] = (uint8_t)last;
    memset(w + pos + 1, 'y', last);
    pos += 1 + last;
    w[pos++] = 0;
    ck_assert_uint_eq(pos, 255);
    ck_assert_int_eq(ms_nb_name_decode(w, pos, &n, &used), MS_OK);
    ck_assert_uint_eq(used, 255);
    w[pos - 1 - last - 1] = (uint8_t)(last + 1);
    memset(w + pos - 1 - last, 'y', last + 1);
    w[pos] = 0;
    ck_assert_int_eq(ms_nb_name_decode(w, pos + 1, &n, &used), MS_ERR_NAME_TOO_LONG);
}
END_TEST

START_TEST(make_rejects_bad_scope)
{
    uint8_t n16[16];
    ms_nb_name n;
    char big[80];
    pad16(n16, "A", 0);
    memset(big, 'a', 64);
    big[64] = '\0';
    ck_assert_int_eq(ms_nb_name_make(&n, n16, big), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_nb_name_make(&n, n16, "a..b"), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_nb_name_pad(n16, "SIXTEENCHARSLONG", 16, 0), MS_ERR_INVALID_ARG);
}
END_TEST

START_TEST(name_prefixes)
{
    uint8_t n16[16];
    ms_nb_name n, d;
    size_t used;
    pad16(n16, "FRED", 0x20);
    ms_nb_name_make(&n, n16, "NETBIOS.COM");
    for (size_t len = 0; len < n.wire_len; len++) {
        const uint8_t *g = guarded_copy(n.wire, len);
        ck_assert_int_eq(ms_nb_name_decode(g, len, &d, &used), MS_ERR_TRUNCATED);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("name");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, first_level_examples);
    tcase_add_test(tc, scope_example);
    tcase_add_test(tc, format_like_tshark);
    tcase_add_test(tc, bad_letters_are_kept);
    tcase_add_test(tc, structural_errors);
    tcase_add_test(tc, make_rejects_bad_scope);
    tcase_add_test(tc, name_prefixes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
