/* SPDX-License-Identifier: MIT */
/* B- rules (src/check/check_browser.c): for each, one frame that breaks
 * it and one that just passes it, and the parser CVEs of PROTOCOL.md §9.1
 * that end in a B- finding.
 * Every frame is built here (encoders or raw octets; no captured octets)
 * and goes through decode, the full field walk and the validator on a
 * guarded copy (tests/support/battery.c), so an over-read faults.
 * coverage_every_rule (last) fails when one of these rules lacks a
 * breaking or a passing assertion here.
 *
 * Rule -> tests (break / pass). "@n" is the expected UDP payload offset.
 *  B-01 b01_opcode (0x03, 0x10 @170) / b01_opcode (0x02, 0x0f)
 *  B-02 b02_length (HostAnnouncement 32 and 31, GetBackupListRequest 7 and 5, ResetStateRequest 3 @170) / b02_length (33, 6, 15, 2)
 *  B-03 b03_server_name (16 characters @176; MachineGroup) / b03_server_name (15)
 *  B-04 b04_comment (44 with NUL @202; unterminated) / b04_comment (43)
 *  B-05 b05_signature (0xaa56 @200) / b05_signature (0xaa55; DomainAnnouncement with 0)
 *  B-06 b06_names (election 17 @184, BecomeBackup unterminated @171, LocalMasterBrowserName 21 @202) / b06_names (16)
 *  B-07 b07_backup_list (count 3 for 2 names @171, 1 for 2, last unterminated) / b07_backup_list (2 for 2, 0 for 0)
 *  B-08 b08_election (Unused @180, Version 0 with Criteria @171) / b08_election (Version 0 + Criteria 0; Version 1)
 *  B-09 b09_reset (3, 0 @171) / b09_reset (1, 2, 4)
 *  B-10 b10_browser_version (1.0 @198) / b10_browser_version (15.1, 21.4)
 *  B-11 b11_suffix (HostAnnouncement to <1e>, DomainAnnouncement to <1d> @48) / b11_suffix (<1d>, __MSBROWSE__<01>)
 *  B-12 b12_local_list_only (0x40000000 @194) / b12_local_list_only (every other bit)
 *  B-13 b13_periodicity (59999 @172, 900001, 0 with a ServerType) / b13_periodicity (60000, 900000, 0 going away)
 *  B-14 b14_lanman (11 octets, unterminated comment, 8 octets @170) / b14_lanman (12 octets)
 * CVE / advisory (PROTOCOL.md §9.1) -> test, rule expected:
 *  CVE-2014-3560    cve_2014_3560_browser_names    16-octet ServerName, 100-octet MasterBrowserServerName: B-03, B-06
 *  CVE-2011-0654    cve_2011_0654_election_name    RequestElection with a 300-octet ServerName: B-06
 * Each CVE frame, and every prefix of it, also runs through the guarded
 * decode + field walk + validate. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "battery.h"
#include "guard.h"

/* ------------------------------------------------------------------ */
/* B-: browser frames                                                 */
/* ------------------------------------------------------------------ */

static ms_browser host_ann(void)
{
    ms_browser b;
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_HOST_ANNOUNCEMENT;
    b.periodicity = 720000;
    memcpy(b.server_name, "LABHOST", 7);
    b.os_major = 10;
    b.server_type = 0x00011003;
    b.browser_major = 15;
    b.browser_minor = 1;
    b.signature = 0xAA55;
    b.comment.p = (const uint8_t *)"";
    b.comment.terminated = true;
    return b;
}

static void browser_raw(const char *dst, const uint8_t *data, size_t n)
{
    build_data(browse(dst), "\\MAILSLOT\\BROWSE", data, n);
}

START_TEST(b_baseline)
{
    ms_browser b = host_ann();
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    ck_assert_uint_eq(data_at(), BR);
    ck_assert(bt_msg()->payload_ok);
    BT_CLEAN();
}
END_TEST

START_TEST(b01_opcode)
{
    uint8_t d[40] = { 0x03 };
    browser_raw("MSLAB<1d>", d, 6);
    bt_run(&F);
    BT_HAS("B-01", "browser.command", BR);
    d[0] = 0x10;
    browser_raw("MSLAB<1d>", d, 6);
    bt_run(&F);
    BT_HAS("B-01", "browser.command", BR);
    ms_browser b;
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_ANNOUNCEMENT_REQUEST;
    b.name = cstr("LABHOST", true);
    bt_build_browser(browse("MSLAB<1e>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-01");
    BT_CLEAN();
    b = host_ann();
    b.opcode = MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT;
    bt_build_browser(browse("MSLAB<1e>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-01");
}
END_TEST

START_TEST(b02_length)
{
    ms_browser b = host_ann();
    uint8_t d[64];
    size_t n;
    ck_assert_int_eq(ms_browser_encode(&b, d, sizeof d, &n), MS_OK);
    ck_assert_uint_eq(n, 33);
    browser_raw("MSLAB<1d>", d, 32); /* no room for the Comment's NUL */
    bt_run(&F);
    BT_HAS("B-02", "mailslot.size", BR);
    browser_raw("MSLAB<1d>", d, 31); /* fixed part cut: does not decode */
    bt_run(&F);
    BT_HAS("B-02", "mailslot.size", BR);
    BT_LACKS("P-03");
    browser_raw("MSLAB<1d>", d, 33);
    bt_run(&F);
    BT_LACKS("B-02");

    uint8_t gbl[8] = { 0x09, 4, 1, 0, 0, 0, 0x55 };
    browser_raw("MSLAB<1d>", gbl, 7);
    bt_run(&F);
    BT_HAS("B-02", "mailslot.size", BR);
    browser_raw("MSLAB<1d>", gbl, 5);
    bt_run(&F);
    BT_HAS("B-02", "mailslot.size", BR);
    BT_LACKS("P-03");
    browser_raw("MSLAB<1d>", gbl, 6);
    bt_run(&F);
    BT_LACKS("B-02");

    uint8_t reset[3] = { 0x0E, 0x01, 0x00 };
    browser_raw("MSLAB<1d>", reset, 3);
    bt_run(&F);
    BT_HAS("B-02", "mailslot.size", BR);
    browser_raw("MSLAB<1d>", reset, 2);
    bt_run(&F);
    BT_LACKS("B-02");

    uint8_t elect[15] = { 0x08, 1, 0x03, 0x0F, 0x01, 0x20 }; /* empty name: 15 octets */
    browser_raw("MSLAB<1e>", elect, 15);
    bt_run(&F);
    BT_LACKS("B-02");
    browser_raw("MSLAB<1e>", elect, 14);
    bt_run(&F);
    BT_HAS("B-02", "mailslot.size", BR);
}
END_TEST

START_TEST(b03_server_name)
{
    ms_browser b = host_ann();
    memcpy(b.server_name, "LABHOST-ABCDEFGH", 16);
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-03", "browser.server_name", BR + 6);
    b.opcode = MS_BRWS_DOMAIN_ANNOUNCEMENT;
    bt_build_browser(browse("<01><02>__MSBROWSE__<02><01>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-03", "browser.machine_group", BR + 6);
    b = host_ann();
    memcpy(b.server_name, "LABHOST-ABCDEFG", 15);
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-03");
}
END_TEST

START_TEST(b04_comment)
{
    static const char c43[] = "0123456789012345678901234567890123456789012";
    ms_browser b = host_ann();
    b.comment = cstr(c43, true); /* 43 + NUL */
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-04", "browser.comment", BR + 32);
    b.comment = cstr("LAB", false);
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-04", "browser.comment", BR + 32);
    b.comment = cstr(c43 + 1, true); /* 42 + NUL */
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-04");
}
END_TEST

START_TEST(b05_signature)
{
    ms_browser b = host_ann();
    b.signature = 0xAA56;
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-05", "browser.signature", BR + 30);
    b.signature = 0xAA55;
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-05");
    /* DomainAnnouncement: Windows leaves octets 28-31 uninitialised. */
    b.opcode = MS_BRWS_DOMAIN_ANNOUNCEMENT;
    b.signature = 0;
    b.browser_major = b.browser_minor = 0xCC;
    b.server_type = 0x80001000;
    bt_build_browser(browse("<01><02>__MSBROWSE__<02><01>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-05");
    BT_LACKS("B-10");
}
END_TEST

START_TEST(b06_names)
{
    ms_browser b;
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_REQUEST_ELECTION;
    b.version = 1;
    b.criteria = 0x20010F03;
    b.name = cstr("LABHOST-ABCDEFGH", true); /* 17 with the NUL */
    bt_build_browser(browse("MSLAB<1e>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-06", "browser.name", BR + 14);
    b.name = cstr("LABHOST-ABCDEFG", true); /* 16 */
    bt_build_browser(browse("MSLAB<1e>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-06");
    BT_CLEAN();

    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_BECOME_BACKUP;
    b.name = cstr("LABBK02", false);
    bt_build_browser(browse("MSLAB<1e>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-06", "browser.name", BR + 1);

    b = host_ann();
    b.opcode = MS_BRWS_DOMAIN_ANNOUNCEMENT;
    memcpy(b.server_name, "MSLAB\0\0\0\0\0\0\0\0\0\0", 16);
    b.comment = cstr("LABHOST-ABCDEFGHIJKL", true); /* 21 with the NUL */
    bt_build_browser(browse("<01><02>__MSBROWSE__<02><01>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-06", "browser.local_master_name", BR + 32);
}
END_TEST

static void backup_list(uint8_t count, const char *const *names, size_t n, bool last_terminated)
{
    ms_browser b;
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_GET_BACKUP_LIST_RESPONSE;
    b.count = count;
    b.token = 7;
    for (size_t i = 0; i < n; i++)
        b.names[i] = cstr(names[i], i + 1 < n || last_terminated);
    b.name_count = n;
    bt_spec s = browse("LABHOST<00>");
    s.type = MS_NBDS_DIRECT_UNIQUE;
    s.src = "MSLABLMB<00>";
    bt_build_browser(s, &b, &F);
    bt_run(&F);
}

START_TEST(b07_backup_list)
{
    static const char *const two[2] = { "LABDC01", "LABBK02" };
    backup_list(3, two, 2, true);
    BT_HAS("B-07", "browser.count", BR + 1);
    backup_list(1, two, 2, true);
    BT_HAS("B-07", "browser.count", BR + 1);
    backup_list(2, two, 2, false);
    BT_HAS("B-07", "browser.count", BR + 1);
    backup_list(2, two, 2, true);
    BT_LACKS("B-07");
    BT_CLEAN();
    backup_list(0, two, 0, true);
    BT_LACKS("B-07");
}
END_TEST

START_TEST(b08_election)
{
    ms_browser b;
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_REQUEST_ELECTION;
    b.version = 1;
    b.criteria = 0x20010F03;
    b.unused = 1;
    b.name = cstr("LABHOST", true);
    bt_build_browser(browse("MSLAB<1e>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-08", "browser.unused", BR + 10);
    b.unused = 0;
    b.version = 0;
    bt_build_browser(browse("MSLAB<1e>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-08", "browser.version", BR + 1);
    b.criteria = 0; /* a forced election */
    bt_build_browser(browse("MSLAB<1e>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-08");
    b.version = 1;
    b.criteria = 0x20010F03;
    bt_build_browser(browse("MSLAB<1e>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-08");
}
END_TEST

START_TEST(b09_reset)
{
    ms_browser b;
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_RESET_STATE_REQUEST;
    bt_spec s = browse("LABBK02<00>"); /* the target browser's unique name */
    s.type = MS_NBDS_DIRECT_UNIQUE;
    static const uint8_t bad[2] = { 0x03, 0x00 }, good[3] = { 0x01, 0x02, 0x04 };
    for (int i = 0; i < 2; i++) {
        b.reset_type = bad[i];
        bt_build_browser(s, &b, &F);
        bt_run(&F);
        BT_HAS("B-09", "browser.reset_type", BR + 1);
    }
    for (int i = 0; i < 3; i++) {
        b.reset_type = good[i];
        bt_build_browser(s, &b, &F);
        bt_run(&F);
        BT_LACKS("B-09");
    }
}
END_TEST

START_TEST(b10_browser_version)
{
    ms_browser b = host_ann();
    b.browser_major = 1; /* the OS 2.2 / browser 1.0 host */
    b.browser_minor = 0;
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-10", "browser.browser_major", BR + 28);
    b.browser_major = 21; /* Windows 95/98 */
    b.browser_minor = 4;
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-10");
    b.browser_major = 15;
    b.browser_minor = 1;
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-10");
}
END_TEST

START_TEST(b11_suffix)
{
    ms_browser b = host_ann();
    bt_build_browser(browse("MSLAB<1e>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-11", "nbdgm.dst_name", BT_DST);
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-11");
    b.opcode = MS_BRWS_DOMAIN_ANNOUNCEMENT;
    b.server_type = 0x80001000;
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-11", "nbdgm.dst_name", BT_DST);
    bt_build_browser(browse("<01><02>__MSBROWSE__<02><01>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-11");
}
END_TEST

START_TEST(b12_local_list_only)
{
    ms_browser b = host_ann();
    b.server_type = 0x40011003;
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-12", "browser.server_type", BR + 24);
    b.server_type = 0xBFFFFFFF;
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-12");
}
END_TEST

START_TEST(b13_periodicity)
{
    ms_browser b = host_ann();
    static const uint32_t bad[2] = { 59999, 900001 }, good[2] = { 60000, 900000 };
    for (int i = 0; i < 2; i++) {
        b.periodicity = bad[i];
        bt_build_browser(browse("MSLAB<1d>"), &b, &F);
        bt_run(&F);
        BT_HAS("B-13", "browser.periodicity", BR + 2);
        b.periodicity = good[i];
        bt_build_browser(browse("MSLAB<1d>"), &b, &F);
        bt_run(&F);
        BT_LACKS("B-13");
    }
    b.periodicity = 0; /* going away needs ServerType 0 */
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_HAS("B-13", "browser.periodicity", BR + 2);
    b.server_type = 0;
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    bt_run(&F);
    BT_LACKS("B-13");
}
END_TEST

START_TEST(b14_lanman)
{
    /* LM 2.x: 01, UpdateCount, ServerType, OS 4.9, Periodicity (s), names. */
    obuf o = { .n = 0 };
    o_u8(&o, 0x01);
    o_u8(&o, 0);
    o_le32(&o, 0x00000203);
    o_u8(&o, 4);
    o_u8(&o, 9);
    o_le16(&o, 720);
    size_t fixed = o.n;
    o_u8(&o, 0);
    o_u8(&o, 0); /* 12 octets: two empty strings */
    bt_spec s = browse("MSLAB<00>");
    build_data(s, "\\MAILSLOT\\LANMAN", o.b, o.n);
    bt_run(&F);
    ck_assert(bt_msg()->browser.lm_format);
    BT_LACKS("B-14");
    BT_CLEAN();
    build_data(s, "\\MAILSLOT\\LANMAN", o.b, 11);
    bt_run(&F);
    BT_HAS("B-14", "mailslot.data", BR);
    o.n = fixed;
    o_str(&o, "LABHOST");
    o_raw(&o, "Samba", 5); /* Comment without its NUL */
    build_data(s, "\\MAILSLOT\\LANMAN", o.b, o.n);
    bt_run(&F);
    BT_HAS("B-14", "mailslot.data", BR);
    /* Too short to decode at all: still B-14's, not the MS-BRWS rules'. */
    build_data(s, "\\MAILSLOT\\LANMAN", o.b, 8);
    bt_run(&F);
    BT_HAS("B-14", "mailslot.data", BR);
    BT_LACKS("B-02");
    BT_LACKS("P-03");
}
END_TEST

/* ------------------------------------------------------------------ */
/* CVEs of PROTOCOL.md §9.1: frames of their class                    */
/* ------------------------------------------------------------------ */

START_TEST(cve_2014_3560_browser_names)
{
    ms_browser b = host_ann();
    memcpy(b.server_name, "LABHOSTLABHOSTLA", 16);
    bt_build_browser(browse("MSLAB<1d>"), &b, &F);
    cve_frame();
    BT_HAS("B-03", "browser.server_name", BR + 6);
    char name[101];
    memset(name, 'M', 100);
    name[100] = 0;
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_MASTER_ANNOUNCEMENT;
    b.name = cstr(name, true);
    bt_spec s = browse("LABDMB<00>");
    s.type = MS_NBDS_DIRECT_UNIQUE;
    bt_build_browser(s, &b, &F);
    cve_frame();
    BT_HAS("B-06", "browser.name", BR + 1);
}
END_TEST

START_TEST(cve_2011_0654_election_name)
{
    char name[301];
    memset(name, 'E', 300);
    name[300] = 0;
    ms_browser b;
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_REQUEST_ELECTION;
    b.version = 1;
    b.criteria = 0x20010F03;
    b.name = cstr(name, true);
    bt_build_browser(browse("MSLAB<1e>"), &b, &F);
    cve_frame();
    BT_HAS("B-06", "browser.name", BR + 14);
}
END_TEST

START_TEST(coverage_every_rule)
{
    bt_coverage("check_browser");
}
END_TEST

static Suite *battery_suite(void)
{
    Suite *s = suite_create("check_browser");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, b_baseline);
    tcase_add_test(tc, b01_opcode);
    tcase_add_test(tc, b02_length);
    tcase_add_test(tc, b03_server_name);
    tcase_add_test(tc, b04_comment);
    tcase_add_test(tc, b05_signature);
    tcase_add_test(tc, b06_names);
    tcase_add_test(tc, b07_backup_list);
    tcase_add_test(tc, b08_election);
    tcase_add_test(tc, b09_reset);
    tcase_add_test(tc, b10_browser_version);
    tcase_add_test(tc, b11_suffix);
    tcase_add_test(tc, b12_local_list_only);
    tcase_add_test(tc, b13_periodicity);
    tcase_add_test(tc, b14_lanman);
    tcase_add_test(tc, cve_2014_3560_browser_names);
    tcase_add_test(tc, cve_2011_0654_election_name);
    /* Last: judges what all the tests above asserted. */
    tcase_add_test(tc, coverage_every_rule);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(battery_suite(), NULL);
}
