/* SPDX-License-Identifier: MIT */
/* The validator's entry point and its report (src/check/validate.c): the
 * P- and Z- rules it applies itself, each broken and just passed, frames
 * that pass everything, and the report functions.
 * Every frame is built here (encoders or raw octets; no captured octets)
 * and goes through decode, the full field walk and the validator on a
 * guarded copy (tests/support/battery.c), so an over-read faults.
 * coverage_every_rule (last) fails when one of these rules lacks a
 * breaking or a passing assertion here.
 *
 * Rule -> tests (break / pass). "@n" is the expected UDP payload offset.
 *  P-01 p01_p02_capture (snaplen cut @len; cut inside a name: nothing else) / p01_p02_capture (not cut)
 *  P-02 p01_p02_capture (UDP length != IPv4 @0) / p01_p02_capture (equal)
 *  P-03 p03_decodes (65 backup names, NETLOGON opcode 0x0030, 17 DB changes, 1-octet NETLOGON) / p03_decodes (64 names)
 *  Z-01 size_576_577 (577 @576) / size_576_577 (576)
 *  Z-02 size_548_549 (549 @548) / size_548_549 (548)
 * The report: report_texts (finding texts exactly as snprintf writes them),
 * report_counts (must, dropped, IDs not in the catalogue ignored),
 * report_without_text (MS_REPORT_NO_TEXT). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "battery.h"
#include "guard.h"
#include "vectors.h"

/* ------------------------------------------------------------------ */
/* Baselines: what passes everything                                  */
/* ------------------------------------------------------------------ */

START_TEST(baselines_clean)
{
    bt_spec s = bt_spec_default();
    bt_build(&s, &F);
    ck_assert_uint_eq(F.len, 178); /* 82 + DataOffset 88 + 8 */
    bt_run(&F);
    BT_CLEAN();
    ck_assert_uint_eq(bt_msg()->trans.data_offset, 88);
    ck_assert_uint_gt(bt_touched(), 100);

    uint8_t v[600];
    size_t n = hex_to_bytes(VEC_EXAMPLE_B, v, sizeof v);
    run_bytes(v, n);
    BT_CLEAN();
    n = hex_to_bytes(VEC_NETLOGON_PING, v, sizeof v);
    run_bytes(v, n);
    BT_CLEAN();
    /* Browser-service and Samba shapes: only the unpadded data is reported. */
    s.style = MS_STYLE_BROWSER;
    bt_build(&s, &F);
    bt_run(&F);
    ck_assert_uint_eq(bt_run(&F)->count, 1);
    BT_HAS("D-07", "trans.data_offset", BT_DO);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Z-: size limits                                                    */
/* ------------------------------------------------------------------ */

START_TEST(size_548_549)
{
    sized(0x10, "\\MAILSLOT\\LABSLOT", false, 379); /* 82 + 87 + 379 */
    bt_run(&F);
    ck_assert_uint_eq(F.len, 548);
    BT_LACKS("Z-02");
    sized(0x10, "\\MAILSLOT\\LABSLOT", false, 380);
    bt_run(&F);
    BT_HAS("Z-02", "payload", 548);
    BT_LACKS("Z-01");
}
END_TEST

START_TEST(size_576_577)
{
    sized(0x10, "\\MAILSLOT\\LABSLOT", false, 407);
    bt_run(&F);
    ck_assert_uint_eq(F.len, 576);
    BT_LACKS("Z-01");
    BT_HAS("Z-02", "payload", 548);
    sized(0x10, "\\MAILSLOT\\LABSLOT", false, 408);
    bt_run(&F);
    BT_HAS("Z-01", "payload", 576);
    BT_LACKS("D-11");
}
END_TEST

/* ------------------------------------------------------------------ */
/* P-: capture and decoding                                           */
/* ------------------------------------------------------------------ */

START_TEST(p01_p02_capture)
{
    base_frame();
    ms_frame_info info = bt_info(F.b, F.len);
    info.truncated = true;
    bt_run_info(F.b, 120, &info); /* the snapshot length kept 120 of 178 */
    BT_HAS("P-01", "payload", 120);
    BT_LACKS("D-08");
    BT_LACKS("N-06");
    bt_run_info(F.b, 30, &info); /* cut inside the source name */
    BT_HAS("P-01", "payload", 30);
    BT_LACKS("N-07");
    BT_LACKS("N-01");
    bt_run(&F);
    BT_LACKS("P-01");

    info = bt_info(F.b, F.len);
    info.orig_len = F.len + 1;
    bt_run_info(F.b, F.len, &info);
    BT_HAS("P-02", "udp", 0);
    bt_run(&F);
    BT_LACKS("P-02");
}
END_TEST

START_TEST(p03_decodes)
{
    /* More backup names than the decoder holds (64): nothing in §8 is
     * broken, but the datagram does not decode completely. */
    obuf o = { .n = 0 };
    o_u8(&o, 0x0A);
    o_u8(&o, 65);
    o_le32(&o, 7);
    for (int i = 0; i < 65; i++)
        o_str(&o, "B");
    bt_spec s = browse("LABHOST<00>");
    s.type = MS_NBDS_DIRECT_UNIQUE;
    build_data(s, "\\MAILSLOT\\BROWSE", o.b, o.n);
    bt_run(&F);
    BT_HAS("P-03", "payload", BR + 6 + 64 * 2);
    BT_LACKS("B-07");
    o.b[1] = 64;
    build_data(s, "\\MAILSLOT\\BROWSE", o.b, o.n - 2);
    bt_run(&F);
    BT_LACKS("P-03");
    BT_CLEAN();

    /* NETLOGON opcode 0x0030 is not defined. */
    o.n = 0;
    o_le16(&o, 0x0030);
    o_trailer(&o, 0x0B);
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("P-03", "payload", NL);

    /* NETLOGON_DB_CHANGE with 17 database entries (the decoder holds 16). */
    o.n = 0;
    o_le16(&o, 0x000A);
    o_fill(&o, 0, 16);
    o_str(&o, "LABDC01");
    o_str(&o, "MSLAB"); /* ends at 32: even */
    o_u16(&o, "LABDC01");
    o_u16(&o, "MSLAB");
    size_t count_at = o.n;
    o_le32(&o, 17);
    o_fill(&o, 0, 17 * 20);
    o_le32(&o, 0);     /* DomainSidSize */
    o_trailer(&o, 1);  /* MessageFormatVersion 1, MessageToken */
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("P-03", "payload", NL + count_at);

    /* One octet of NETLOGON data cannot hold an opcode. */
    build_data(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", (const uint8_t *)"\x13", 1);
    bt_run(&F);
    BT_HAS("P-03", "payload", NL);
}
END_TEST
/* ------------------------------------------------------------------ */
/* The report                                                          */
/* ------------------------------------------------------------------ */

static ms_report R;

/* The text of one finding is what snprintf makes of the same format, the
 * formatter of validate.c's own conversions and vsnprintf's alike. */
static void text_like_snprintf(const char *got, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void text_like_snprintf(const char *got, const char *fmt, ...)
{
    char want[MS_FINDING_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(want, sizeof want, fmt, ap);
    va_end(ap);
    ck_assert_str_eq(got, want);
}

#define ADD_LIKE(fmt, ...)                                                   \
    do {                                                                     \
        ms_report_add(&R, "D-13", NULL, 7, fmt, __VA_ARGS__);                \
        text_like_snprintf(R.items[R.count - 1].text, fmt, __VA_ARGS__);     \
    } while (0)

START_TEST(report_texts)
{
    const char *volatile none = NULL; /* glibc prints "(null)" */
    ms_report_reset(&R, 0);
    ADD_LIKE("%u %zu %llu", 0u, (size_t)18446744073709551615u, 12345678901234567890ull);
    ADD_LIKE("0x%02x 0x%04x 0x%08x %x", 0xAu, 0xBEEFu, 0xDEADBEEFu, 0u);
    ADD_LIKE("%016llx|%s|%s", 0x1ull, "text", none);
    ADD_LIKE("%%%u%%", 5u);
    ADD_LIKE("off by %+ld, %c", -3L, 'x'); /* not ours: vsnprintf */
    char long_text[300];
    memset(long_text, 'y', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    ADD_LIKE("%s and %u", long_text, 42u); /* cut at MS_FINDING_TEXT - 1 */
    ck_assert_uint_eq(strlen(R.items[R.count - 1].text), MS_FINDING_TEXT - 1);
    ADD_LIKE("%zu%s", (size_t)1, "");
    ck_assert_uint_eq(R.count, 7);
    /* The field defaults to the rule's; the offset is kept as given. */
    ck_assert_str_eq(R.items[0].field, ms_rule_find("D-13")->field);
    ck_assert_uint_eq(R.items[0].offset, 7);
    ck_assert_ptr_eq(R.items[0].rule, ms_rule_find("D-13"));
}
END_TEST

START_TEST(report_counts)
{
    ms_report_reset(&R, 0);
    ms_report_add(&R, "N-02", "nbdgm.type", 0, "MUST");
    ms_report_add(&R, "N-03", NULL, 1, "COMMON");
    ms_report_add(&R, "Q-01", NULL, 0, "no such rule");
    ms_report_add(&R, "N-2", NULL, 0, "no such rule either");
    ck_assert_uint_eq(R.count, 2);
    ck_assert_uint_eq(R.must, 1);
    ck_assert_str_eq(R.items[0].field, "nbdgm.type");
    /* Beyond MS_REPORT_MAX: dropped, and still counted as must. */
    for (int i = 0; i < MS_REPORT_MAX + 5; i++)
        ms_report_add(&R, "N-01", NULL, (size_t)i, "%d", i);
    ck_assert_uint_eq(R.count, MS_REPORT_MAX);
    ck_assert_uint_eq(R.dropped, 7);
    ck_assert_uint_eq(R.must, 1 + MS_REPORT_MAX + 5);
    ms_report_clear(&R);
    ck_assert_uint_eq(R.count + R.dropped + R.must + R.flags, 0);
}
END_TEST

/* MS_REPORT_NO_TEXT: everything but the text, which stays empty. */
START_TEST(report_without_text)
{
    ms_report_reset(&R, MS_REPORT_NO_TEXT);
    ck_assert_uint_eq(R.flags, MS_REPORT_NO_TEXT);
    ms_report_add(&R, "B-02", "mailslot.size", 170, "%s is %zu octets", "HostAnnouncement", (size_t)32);
    ck_assert_uint_eq(R.count, 1);
    ck_assert_uint_eq(R.must, 1);
    ck_assert_str_eq(R.items[0].text, "");
    ck_assert_str_eq(R.items[0].rule->id, "B-02");
    ck_assert_str_eq(R.items[0].field, "mailslot.size");
    ck_assert_uint_eq(R.items[0].offset, 170);
    /* And ms_validate honours it too. */
    bt_spec s = bt_spec_default();
    s.style = MS_STYLE_BROWSER;
    bt_build(&s, &F);
    ms_message m;
    ms_report_reset(&R, MS_REPORT_NO_TEXT);
    ck_assert_int_eq(ms_message_decode(F.b, F.len, &m), MS_OK);
    ms_frame_info info = bt_info(F.b, F.len);
    ms_validate(F.b, F.len, &m, &info, &R);
    ck_assert_uint_eq(R.count, 1);
    ck_assert_str_eq(R.items[0].rule->id, "D-07");
    ck_assert_str_eq(R.items[0].text, "");
}
END_TEST


START_TEST(coverage_every_rule)
{
    bt_coverage("validate");
}
END_TEST

static Suite *battery_suite(void)
{
    Suite *s = suite_create("validate");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, baselines_clean);
    tcase_add_test(tc, size_548_549);
    tcase_add_test(tc, size_576_577);
    tcase_add_test(tc, p01_p02_capture);
    tcase_add_test(tc, p03_decodes);
    tcase_add_test(tc, report_texts);
    tcase_add_test(tc, report_counts);
    tcase_add_test(tc, report_without_text);
    /* Last: judges what all the tests above asserted. */
    tcase_add_test(tc, coverage_every_rule);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(battery_suite(), NULL);
}
