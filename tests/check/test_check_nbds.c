/* SPDX-License-Identifier: MIT */
/* N- rules (src/check/check_nbds.c): for each, one frame that breaks it
 * and one that just passes it, and the parser CVEs of PROTOCOL.md §9.1
 * that end in an N- finding.
 * Every frame is built here (encoders or raw octets; no captured octets)
 * and goes through decode, the full field walk and the validator on a
 * guarded copy (tests/support/battery.c), so an over-read faults.
 * coverage_every_rule (last) fails when one of these rules lacks a
 * breaking or a passing assertion here.
 *
 * Rule -> tests (break / pass). "@n" is the expected UDP payload offset.
 *  N-01 n01_short_header (9, 13 octets; 0x13 of 12; 0x14 trailing / cut) / n01_boundaries (0x13 of 11, 0x10 of 14, 0x14 exact)
 *  N-02 n02_type (0x17 @0, 0x0f) / n02_type (0x16)
 *  N-03 n03_reserved_flag (0x1a: bit 0x10 @1) / n03_reserved_flag (0x0e)
 *  N-04 n04_offset (F=1 M=0, PACKET_OFFSET 1 @12) / n04_offset (0; a second fragment at 196)
 *  N-05 n05_fragment (0x03, 0x00 @1) / n05_fragment (0x02)
 *  N-06 n06_dgm_length (header-inclusive, Impacket style @10) / n06_dgm_length (exact; a fragment)
 *  N-07 n07_names (letter 'Q', first label 31, first label 0, 256 octets, cut label) / n07_names (255 octets exactly)
 *  N-08 n08_labels (pointer in src @14, pointer in dst scope @81, 0x40 label @47, 0x80) / n08_labels (63-octet label)
 *  N-09 n09_scope (src @14, dst @48) / n09_scope (unscoped)
 *  N-10 n10_n11_broadcast (0x12 to LABHOST<00>, to "*<20>" @48) / n10_n11_broadcast ('*' + 15 NUL, also scoped)
 *  N-11 n10_n11_broadcast (0x12 @0) / n10_n11_broadcast (0x11)
 *  N-12 n12_flags (0x1a @1) / n12_flags (0x02, 0x06, 0x0a, 0x0e)
 *  N-13 n13_ports (SOURCE_PORT 137 @8, UDP 138->50138, SOURCE_IP != IP source @4) / n13_ports (all 138, same IP)
 *  N-14 n14_source_suffix (<1d> @14) / n14_source_suffix (<20>, <00>)
 *  N-15 n15_error (code 0x81/0x85 @10, F bit @1) / n15_error (0x82..0x84, FLAGS 0)
 *  N-16 size_594_595 (payload 595: @594) / size_594_595 (594); D-11, D-12 and D-13
 *       break and pass at the same two lengths
 * CVE / advisory (PROTOCOL.md §9.1) -> test, rule expected:
 *  CVE-2020-14303   cve_2020_14303_empty           0-octet UDP payload: N-01
 *  CVE-2017-12893   cve_2017_12893_label_past_end  scope label length past the captured octets: N-07
 *  zeek #5488       zeek_5488_short_payload        every payload of 0..13 octets: N-01
 *  zeek #5478       zeek_5478_short_first_label    first label 32 with 20 letters present: N-07
 *  wnpa-sec-2017-48 wnpa_2017_48_space_names       all-space names (trim to nothing): N-10, N-14
 * Each CVE frame, and every prefix of it, also runs through the guarded
 * decode + field walk + validate. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "battery.h"
#include "guard.h"

/* ------------------------------------------------------------------ */
/* N-: NBDS layer                                                     */
/* ------------------------------------------------------------------ */

/* A 0x13..0x16 datagram: 10-octet common header, then `rest`. */
static size_t short_type(uint8_t *out, uint8_t type, uint8_t flags, const uint8_t *rest, size_t n)
{
    static const uint8_t hdr[10] = { 0, 0, 0x4d, 0x53, 192, 168, 56, 10, 0, 138 };
    memcpy(out, hdr, 10);
    out[0] = type;
    out[1] = flags;
    memcpy(out + 10, rest, n);
    return 10 + n;
}

START_TEST(n01_short_header)
{
    bt_spec s = bt_spec_default();
    bt_build(&s, &F);
    run_bytes(F.b, 9);
    BT_HAS("N-01", "payload", 0);
    run_bytes(F.b, 13);
    BT_HAS("N-01", "payload", 13);
    uint8_t q[64], name[40];
    size_t nl = bt_name_wire(name, "MSLAB<00>");
    uint8_t code[2] = { 0x82, 0x00 };
    run_bytes(q, short_type(q, 0x13, 0x00, code, 2)); /* 12 octets */
    BT_HAS("N-01", "payload", 11);
    run_bytes(q, short_type(q, 0x13, 0x00, code, 0)); /* 10: no ERROR_CODE */
    BT_HAS("N-01", "payload", 10);
    name[nl] = 0x55; /* one octet after the name */
    run_bytes(q, short_type(q, 0x14, 0x02, name, nl + 1));
    BT_HAS("N-01", "nbdgm.trailing", 44);
    run_bytes(q, short_type(q, 0x14, 0x02, name, 20)); /* name cut */
    BT_HAS("N-01", "nbdgm.dst_name", 10);
    BT_LACKS("N-07");
}
END_TEST

START_TEST(n01_boundaries)
{
    uint8_t q[64], name[40];
    uint8_t code = 0x84;
    run_bytes(q, short_type(q, 0x13, 0x00, &code, 1));
    BT_LACKS("N-01");
    BT_CLEAN();
    size_t nl = bt_name_wire(name, "MSLAB<00>");
    run_bytes(q, short_type(q, 0x14, 0x02, name, nl));
    BT_LACKS("N-01");
    BT_CLEAN();
    bt_spec s = bt_spec_default();
    bt_build(&s, &F);
    run_bytes(F.b, 14); /* the header is whole; the source name is missing */
    BT_LACKS("N-01");
    BT_HAS("N-07", "nbdgm.src_name", 14);
}
END_TEST

START_TEST(n02_type)
{
    bt_spec s = bt_spec_default();
    bt_build(&s, &F);
    bt_u8(&F, 0, 0x17);
    bt_run(&F);
    BT_HAS("N-02", "nbdgm.type", 0);
    bt_u8(&F, 0, 0x0F);
    bt_run(&F);
    BT_HAS("N-02", "nbdgm.type", 0);
    uint8_t q[64], name[40];
    size_t nl = bt_name_wire(name, "MSLAB<00>");
    run_bytes(q, short_type(q, 0x16, 0x02, name, nl));
    BT_LACKS("N-02");
}
END_TEST

START_TEST(n03_reserved_flag)
{
    bt_spec s = bt_spec_default();
    s.flags = 0x1A; /* Windows NT 4.0 */
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("N-03", "nbdgm.flags", 1);
    ck_assert_uint_eq(bt_run(&F)->must, 0); /* reported, never a rejection */
    s.flags = 0x0E;
    bt_build(&s, &F);
    bt_run(&F);
    BT_LACKS("N-03");
}
END_TEST

START_TEST(n04_offset)
{
    bt_spec s = bt_spec_default();
    bt_build(&s, &F);
    bt_be16(&F, 12, 1);
    bt_run(&F);
    BT_HAS("N-04", "nbdgm.offset", 12);
    bt_be16(&F, 12, 0);
    bt_run(&F);
    BT_LACKS("N-04");
    s.flags = 0x00; /* a second fragment may carry an offset */
    bt_build(&s, &F);
    bt_be16(&F, 12, 196);
    bt_run(&F);
    BT_LACKS("N-04");
    BT_HAS("N-05", "nbdgm.flags", 1);
}
END_TEST

START_TEST(n05_fragment)
{
    bt_spec s = bt_spec_default();
    s.flags = 0x03;
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("N-05", "nbdgm.flags", 1);
    s.flags = 0x00;
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("N-05", "nbdgm.flags", 1);
    s.flags = 0x02;
    bt_build(&s, &F);
    bt_run(&F);
    BT_LACKS("N-05");
}
END_TEST

START_TEST(n06_dgm_length)
{
    bt_spec s = bt_spec_default();
    bt_build(&s, &F);
    bt_be16(&F, 10, (uint16_t)F.len); /* counts the 14-octet header */
    bt_run(&F);
    BT_HAS("N-06", "nbdgm.length", 10);
    BT_LACKS("D-01"); /* §9.2 item 1: the D rules use the octets present */
    bt_be16(&F, 10, (uint16_t)(F.len - BT_SMB)); /* Impacket: no names */
    bt_run(&F);
    BT_HAS("N-06", "nbdgm.length", 10);
    bt_be16(&F, 10, (uint16_t)(F.len - 14));
    bt_run(&F);
    BT_LACKS("N-06");
    s.flags = 0x03; /* fragments: DGM_LENGTH has other meanings (2.9) */
    bt_build(&s, &F);
    bt_be16(&F, 10, 999);
    bt_run(&F);
    BT_LACKS("N-06");
}
END_TEST

/* Name wire octets: 0x20 + the 32 letters of `text`, then labels. */
static size_t scoped(uint8_t *out, const char *text, const size_t *labels, size_t nlabels)
{
    size_t n = bt_name_wire(out, text) - 1; /* drop the final zero */
    for (size_t i = 0; i < nlabels; i++) {
        out[n++] = (uint8_t)labels[i];
        memset(out + n, 'A' + (int)i, labels[i]);
        n += labels[i];
    }
    out[n++] = 0;
    return n;
}

START_TEST(n07_names)
{
    bt_spec s = bt_spec_default();
    uint8_t src[300], dst[300];
    size_t dl = bt_name_wire(dst, "MSLAB<00>");

    bt_build(&s, &F);
    size_t sl = bt_name_wire(src, "LABHOST<00>");
    src[2] = 'Q'; /* nibble 16 */
    bt_set_names(&F, src, sl, dst, dl);
    bt_run(&F);
    BT_HAS("N-07", "nbdgm.src_name", 14);

    bt_build(&s, &F);
    sl = bt_name_wire(src, "LABHOST<00>");
    uint8_t d31[40];
    d31[0] = 31;
    memcpy(d31 + 1, dst + 1, 31);
    d31[32] = 0;
    bt_set_names(&F, src, sl, d31, 33);
    bt_run(&F);
    BT_HAS("N-07", "nbdgm.dst_name", 48);

    bt_build(&s, &F);
    uint8_t empty = 0; /* first label of length 0 */
    bt_set_names(&F, &empty, 1, dst, dl);
    bt_run(&F);
    BT_HAS("N-07", "nbdgm.src_name", 14);

    /* 255 octets counting every length octet and the final zero:
     * 33 + 3 x 64 + 29 + 1. One more octet in the last label: 256. */
    static const size_t l255[4] = { 63, 63, 63, 28 }, l256[4] = { 63, 63, 63, 29 };
    bt_build(&s, &F);
    sl = scoped(src, "LABHOST<00>", l256, 4);
    ck_assert_uint_eq(sl, 256);
    bt_set_names(&F, src, sl, dst, dl);
    bt_run(&F);
    BT_HAS("N-07", "nbdgm.src_name", 14 + 255); /* the final zero is octet 256 */
    BT_LACKS("N-08");

    bt_build(&s, &F);
    sl = scoped(src, "LABHOST<00>", l255, 4);
    ck_assert_uint_eq(sl, 255);
    bt_set_names(&F, src, sl, dst, dl);
    bt_run(&F);
    BT_LACKS("N-07");
    BT_HAS("N-09", "nbdgm.src_name", 14);
    ck_assert(bt_msg()->has_smb);

    /* A destination name that runs off the end of the payload. */
    bt_build(&s, &F);
    run_bytes(F.b, BT_DST + 20); /* its 32 letters are not all there */
    BT_HAS("N-07", "nbdgm.dst_name", BT_DST);
}
END_TEST

START_TEST(n08_labels)
{
    bt_spec s = bt_spec_default();
    uint8_t src[200], dst[200];
    size_t sl = bt_name_wire(src, "LABHOST<00>"), dl = bt_name_wire(dst, "MSLAB<00>");

    bt_build(&s, &F);
    static const uint8_t ptr[2] = { 0xC0, 0x0E };
    bt_set_names(&F, ptr, 2, dst, dl);
    bt_run(&F);
    BT_HAS("N-08", "nbdgm.src_name", 14);

    bt_build(&s, &F);
    memcpy(dst + 33, ptr, 2); /* pointer where the root label belongs */
    bt_set_names(&F, src, sl, dst, 35);
    bt_run(&F);
    BT_HAS("N-08", "nbdgm.dst_name", 48 + 33);

    /* A 64-octet label: 0x40 is the reserved label type 01xxxxxx. */
    bt_build(&s, &F);
    dl = bt_name_wire(dst, "MSLAB<00>");
    size_t n = sl - 1;
    src[n++] = 0x40;
    memset(src + n, 'L', 64);
    n += 64;
    src[n++] = 0;
    bt_set_names(&F, src, n, dst, dl);
    bt_run(&F);
    BT_HAS("N-08", "nbdgm.src_name", 14 + 33);

    bt_build(&s, &F);
    src[33] = 0x80;
    bt_set_names(&F, src, n, dst, dl);
    bt_run(&F);
    BT_HAS("N-08", "nbdgm.src_name", 14 + 33);

    bt_build(&s, &F); /* 63 octets: the longest label */
    src[33] = 0x3F;
    memset(src + 34, 'L', 63);
    src[97] = 0;
    bt_set_names(&F, src, 98, dst, dl);
    bt_run(&F);
    BT_LACKS("N-08");
    BT_LACKS("N-07");
}
END_TEST

START_TEST(n09_scope)
{
    bt_spec s = bt_spec_default();
    s.src = "LABHOST<00>.LAB";
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("N-09", "nbdgm.src_name", 14);
    ck_assert_uint_eq(ms_message_smb_offset(bt_msg()), 86);
    s = bt_spec_default();
    s.dst = "MSLAB<00>.LAB.EXAMPLE";
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("N-09", "nbdgm.dst_name", 48);
    s = bt_spec_default();
    bt_build(&s, &F);
    bt_run(&F);
    BT_LACKS("N-09");
}
END_TEST

START_TEST(n10_n11_broadcast)
{
    bt_spec s = bt_spec_default();
    s.type = MS_NBDS_BROADCAST;
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("N-10", "nbdgm.dst_name", 48);
    BT_HAS("N-11", "nbdgm.type", 0);
    s.dst = "*<20>";
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("N-10", "nbdgm.dst_name", 48);
    s.dst = "*<00>";
    bt_build(&s, &F);
    ck_assert_uint_eq(F.b[49], 'C'); /* '*' = 0x2A -> "CK" */
    ck_assert_uint_eq(F.b[50], 'K');
    bt_run(&F);
    BT_LACKS("N-10");
    BT_HAS("N-11", "nbdgm.type", 0);
    s.dst = "*<00>.LAB";
    bt_build(&s, &F);
    bt_run(&F);
    BT_LACKS("N-10");
    s = bt_spec_default();
    s.type = MS_NBDS_DIRECT_GROUP;
    bt_build(&s, &F);
    bt_run(&F);
    BT_LACKS("N-11");
}
END_TEST

START_TEST(n12_flags)
{
    bt_spec s = bt_spec_default();
    s.flags = 0x1A;
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("N-12", "nbdgm.flags", 1);
    static const uint8_t ok[4] = { 0x02, 0x06, 0x0A, 0x0E };
    for (int i = 0; i < 4; i++) {
        s.flags = ok[i];
        bt_build(&s, &F);
        bt_run(&F);
        BT_LACKS("N-12");
        BT_CLEAN();
    }
}
END_TEST

START_TEST(n13_ports)
{
    bt_spec s = bt_spec_default();
    s.src_port = 137;
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("N-13", "nbdgm.src_port", 8);
    s = bt_spec_default();
    bt_build(&s, &F);
    ms_frame_info info = bt_info(F.b, F.len);
    info.dport = 50138;
    bt_run_info(F.b, F.len, &info);
    BT_HAS("N-13", "udp.dstport", 0);
    info = bt_info(F.b, F.len);
    info.sport = 50138;
    bt_run_info(F.b, F.len, &info);
    BT_HAS("N-13", "udp.srcport", 0);
    info = bt_info(F.b, F.len);
    info.ip_src = 0xC0A83801; /* relayed, or a reflector's victim */
    bt_run_info(F.b, F.len, &info);
    BT_HAS("N-13", "nbdgm.src_ip", 4);
    bt_run(&F);
    BT_LACKS("N-13");
}
END_TEST

START_TEST(n14_source_suffix)
{
    bt_spec s = bt_spec_default();
    s.src = "LABHOST<1d>";
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("N-14", "nbdgm.src_name", 14);
    s.src = "LABHOST<20>";
    bt_build(&s, &F);
    bt_run(&F);
    BT_LACKS("N-14");
    s.src = "LABHOST<00>";
    bt_build(&s, &F);
    bt_run(&F);
    BT_LACKS("N-14");
}
END_TEST

START_TEST(n15_error)
{
    uint8_t q[16];
    uint8_t code = 0x81;
    run_bytes(q, short_type(q, 0x13, 0x00, &code, 1));
    BT_HAS("N-15", "nbdgm.error_code", 10);
    code = 0x85;
    run_bytes(q, short_type(q, 0x13, 0x00, &code, 1));
    BT_HAS("N-15", "nbdgm.error_code", 10);
    code = 0x83;
    run_bytes(q, short_type(q, 0x13, 0x02, &code, 1)); /* F must be clear */
    BT_HAS("N-15", "nbdgm.flags", 1);
    for (code = 0x82; code <= 0x84; code++) {
        run_bytes(q, short_type(q, 0x13, 0x00, &code, 1));
        BT_LACKS("N-15");
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* N-16 (with D-11, D-12 and D-13 at the same length)                 */
/* ------------------------------------------------------------------ */

/* n = 17, unpadded: DataOffset 87, so 425 data octets are S = 512, the
 * name + data = 443 and the direct limit 512 - 87 all at once. */
START_TEST(size_594_595)
{
    sized(0x10, "\\MAILSLOT\\LABSLOT", false, 425);
    bt_run(&F);
    ck_assert_uint_eq(F.len, 594);
    BT_LACKS("N-16");
    BT_LACKS("D-11");
    BT_LACKS("D-12");
    BT_LACKS("D-13");
    sized(0x10, "\\MAILSLOT\\LABSLOT", false, 426);
    bt_run(&F);
    BT_HAS("N-16", "payload", 594);
    BT_HAS("D-11", "payload", BT_SMB + 512);
    BT_HAS("D-12", "mailslot.size", BT_DC);
    BT_HAS("D-13", "mailslot.size", BT_DC);
}
END_TEST

/* ------------------------------------------------------------------ */
/* CVEs of PROTOCOL.md §9.1: frames of their class                    */
/* ------------------------------------------------------------------ */

START_TEST(cve_2020_14303_empty)
{
    F.len = 0;
    cve_frame();
    BT_HAS("N-01", "payload", 0);
}
END_TEST

START_TEST(cve_2017_12893_label_past_end)
{
    base_frame();
    /* Source name: a 63-octet scope label with only 4 octets behind it. */
    uint8_t src[40];
    size_t n = bt_name_wire(src, "LABHOST<00>") - 1;
    src[n++] = 0x3F;
    memcpy(src + n, "LABS", 4);
    n += 4;
    memcpy(F.b + 14, src, n);
    F.len = 14 + n;
    bt_fix_length(&F);
    cve_frame();
    BT_HAS("N-07", "nbdgm.src_name", 14 + 33);
}
END_TEST

START_TEST(zeek_5488_short_payload)
{
    base_frame();
    for (size_t n = 0; n < 14; n++) {
        run_bytes(F.b, n);
        BT_HAS("N-01", "payload", -1);
    }
}
END_TEST

START_TEST(zeek_5478_short_first_label)
{
    base_frame();
    F.len = 14 + 1 + 20; /* length octet 32, 20 letters */
    bt_fix_length(&F);
    cve_frame();
    BT_HAS("N-07", "nbdgm.src_name", 14);
}
END_TEST

START_TEST(wnpa_2017_48_space_names)
{
    /* Names whose octets are all spaces: a trailing-space trim that walks
     * before the start of its buffer is the bug class. */
    bt_spec s = bt_spec_default();
    s.type = MS_NBDS_BROADCAST;
    s.src = "               <1b>";
    s.dst = "*              <20>";
    bt_build(&s, &F);
    cve_frame();
    BT_HAS("N-10", "nbdgm.dst_name", BT_DST);
    BT_HAS("N-14", "nbdgm.src_name", BT_SRC);
    char text[64];
    ms_nb_name_format(&bt_msg()->dgram.src, text, sizeof text);
    ck_assert_str_eq(text, "<1b>");
}
END_TEST

START_TEST(coverage_every_rule)
{
    bt_coverage("check_nbds");
}
END_TEST

static Suite *battery_suite(void)
{
    Suite *s = suite_create("check_nbds");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, n01_short_header);
    tcase_add_test(tc, n01_boundaries);
    tcase_add_test(tc, n02_type);
    tcase_add_test(tc, n03_reserved_flag);
    tcase_add_test(tc, n04_offset);
    tcase_add_test(tc, n05_fragment);
    tcase_add_test(tc, n06_dgm_length);
    tcase_add_test(tc, n07_names);
    tcase_add_test(tc, n08_labels);
    tcase_add_test(tc, n09_scope);
    tcase_add_test(tc, n10_n11_broadcast);
    tcase_add_test(tc, n12_flags);
    tcase_add_test(tc, n13_ports);
    tcase_add_test(tc, n14_source_suffix);
    tcase_add_test(tc, n15_error);
    tcase_add_test(tc, size_594_595);
    tcase_add_test(tc, cve_2020_14303_empty);
    tcase_add_test(tc, cve_2017_12893_label_past_end);
    tcase_add_test(tc, zeek_5488_short_payload);
    tcase_add_test(tc, zeek_5478_short_first_label);
    tcase_add_test(tc, wnpa_2017_48_space_names);
    /* Last: judges what all the tests above asserted. */
    tcase_add_test(tc, coverage_every_rule);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(battery_suite(), NULL);
}
