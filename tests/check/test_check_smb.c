/* SPDX-License-Identifier: MIT */
/* S-, T-, D- and X- rules (src/check/check_smb.c): for each, one frame
 * that breaks it and one that just passes it, and the parser CVEs of
 * PROTOCOL.md §9.1 that end in one of them.
 * Every frame is built here (encoders or raw octets; no captured octets)
 * and goes through decode, the full field walk and the validator on a
 * guarded copy (tests/support/battery.c), so an over-read faults.
 * coverage_every_rule (last) fails when one of these rules lacks a
 * breaking or a passing assertion here.
 *
 * Rule -> tests (break / pass). "@n" is the expected UDP payload offset.
 *  S-01 s01_user_data (80 octets @82; 0 octets) / s01_user_data (81)
 *  S-02 s02_protocol (FE 'SMB' @82, command 0x72 @86) / s02_protocol (FF 'SMB' 0x25)
 *  S-03 s03_header (Status @87, Flags @91, Flags2 @92, PIDLow @108, TID @94) / s03_header (redirector and zero headers)
 *  S-04 s04_unicode_reply (Flags2 0x8004 @92, Flags 0x98 @91) / s04_unicode_reply (Flags2 0x7fff, Flags 0x7f)
 *  T-01 t01_word_count (16 @114, SetupCount 4 @141, 13, 40 with words cut) / t01_word_count (17/3)
 *  T-02 t02_opcode (2 @143) / t02_opcode (1)
 *  T-03 t03_t04_class (3 @147, 0, class 1 in 0x11) / t03_t04_class (class 1 in 0x10)
 *  T-04 t03_t04_class (1 @147) / t03_t04_class (2)
 *  T-05 t05_t06_priority (10 @145) / t05_t06_priority (9)
 *  T-06 t05_t06_priority (2) / t05_t06_priority (0, 1)
 *  T-07 t07_params (ParameterCount @133, TotalParameterCount @115) / t07_params (0, 0)
 *  T-08 t08_total_data (DataCount + 1 @117) / t08_total_data (equal)
 *  T-09 t09_reserved (MaxDataCount @121, MaxSetupCount @123, Reserved1 @124, Reserved2 @131, Reserved3 @142) / t09_reserved (zeros)
 *  T-10 t10_max_param (1 @119) / t10_max_param (0, 2)
 *  T-11 t11_t12_flags (0x0004 @125) / t11_t12_flags (0x0003)
 *  T-12 t11_t12_flags (0x0001 @125, Timeout 999 @127) / t11_t12_flags (2 + 1000, 0 + 0)
 *  T-13 t13_param_offset (DataOffset + 1 and - 1 @135) / t13_param_offset (0, DataOffset)
 *  D-01 d01_byte_count (ByteCount +1 and -1 @149) / d01_byte_count (exact)
 *  D-02 d02_unterminated (name cut @151; NUL past ByteCount) / d02_unterminated (ByteCount = name + NUL exactly)
 *  D-03 d03_d04_name ("\MAILSLOT\", "\MAILSLOX\...", "\PIPE\LANMAN" @151) / d03_d04_name ("\MAILSLOT\X", lower case)
 *  D-04 d03_d04_name (lower-case prefix, 0x01 in the name @151) / d03_d04_name (0x20 and 0x7e in the name)
 *  D-05 d05_data_offset (name end + 4, into the NUL, one past the end @139) / d05_data_offset (name end + 0..3)
 *  D-06 d06_pad (0x01 pad octet @169) / d06_pad (zero pad)
 *  D-07 d07_alignment (unpadded DataOffset 87 @139; §4.6 example A) / d07_alignment (padded 88)
 *  D-08 d05_data_offset (DataOffset one past the end), d08_data_count (DataCount + 1 @137) / d08_data_count (exact; DataOffset at the end, 0 octets)
 *  D-09 d09_trailing (1 octet after the data @178) / d09_trailing (none)
 *  D-10 d10_empty (DataCount 0 @137) / d10_empty (1)
 *  D-11 d11_trailing (S 513 by a trailing octet @594), d12_name_plus_data (S 513 by a pad octet) / d12_name_plus_data (S 512)
 *  D-12 d12_name_plus_data (444 @137) / d12_name_plus_data (443; 443 with a pad octet while D-11 fires)
 *  D-13 d13_group (425 in 0x11 @137) / d13_group (424; 425 in 0x10)
 *       d13_direct_tail17 (NET\GETDC0A0B0C0D: 413 padded, 416 unpadded) / (412 padded, 415 unpadded)
 *       d13_direct_tail12 (NET\GETDC123: 421) / (420)
 *  X-01 x01_header_inclusive (DGM_LENGTH = payload @10; ByteCount + 1 @149) / x01_header_inclusive (consistent)
 *  X-02 x02_data_end (trailing octet @139) / x02_data_end (payload = 82 + DataOffset + DataCount)
 *  X-03 x03_shape (redirector with ParameterOffset 0 @82) / x03_shape (browser, Samba, redirector shapes)
 *  X-04 x04_layout (Timeout, FLAGS against --as windows; header, pad against samba-nmbd) / x04_layout (Windows' own frame; not asked)
 * CVE / advisory (PROTOCOL.md §9.1) -> test, rule expected:
 *  CVE-2007-4572    cve_2007_4572_logon_names      SAM logon request with a 200-character name: D-13, D-11
 *  CVE-2007-6015    cve_2007_6015_long_reply_slot  0x07 with a 400-octet reply mailslot: Z-01, D-13
 *  CVE-2006-3942    cve_2006_3942_name_no_nul      transaction Name without NUL: D-02
 *  CVE-2018-16451   cve_2018_16451_trans_name      "\MAILSLOT\BROWSE" without NUL at the end: D-02
 * Each CVE frame, and every prefix of it, also runs through the guarded
 * decode + field walk + validate. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "battery.h"
#include "guard.h"
#include "vectors.h"

/* ------------------------------------------------------------------ */
/* Sizes: D-11, D-12, D-13                                            */
/* ------------------------------------------------------------------ */

START_TEST(d11_trailing)
{
    sized(0x10, "\\MAILSLOT\\LABSLOT", false, 425);
    uint8_t extra = 0;
    bt_append(&F, &extra, 1); /* S = 513 by an octet after the data */
    bt_le16(&F, BT_BC, 18 + 425 + 1);
    bt_fix_length(&F);
    bt_run(&F);
    BT_HAS("D-11", "payload", BT_SMB + 512);
    BT_HAS("D-09", "trans.trailing", F.len - 1);
    BT_LACKS("D-13");
    BT_LACKS("D-12");
    BT_LACKS("D-01");
}
END_TEST

START_TEST(d12_name_plus_data)
{
    /* \MAILSLOT\LABS16 (n = 16): unpadded DataOffset 86, 17 + 426 = 443. */
    sized(0x10, "\\MAILSLOT\\LABS16", false, 426);
    bt_run(&F);
    BT_LACKS("D-12");
    BT_LACKS("D-11");
    sized(0x10, "\\MAILSLOT\\LABS16", false, 427);
    bt_run(&F);
    BT_HAS("D-12", "mailslot.size", BT_DC);
    /* With one pad octet, 443 still passes D-12 while S = 513 breaks D-11
     * (D-12 does not count the padding, §8.3). */
    bt_spec s = bt_spec_default();
    s.style = MS_STYLE_BROWSER;
    s.pad = 1;
    build_data(s, "\\MAILSLOT\\LABSL17", bt_fill(0, 'x', 425), 425); /* 18 + 425 */
    bt_run(&F);
    BT_LACKS("D-12");
    BT_HAS("D-11", "payload", BT_SMB + 512);
}
END_TEST

START_TEST(d13_group)
{
    /* \MAILSLOT\LAB (n = 13), padded: DataOffset 84, so 425 octets are
     * still within 512 (509) and only the group limit speaks. */
    sized(0x11, "\\MAILSLOT\\LAB", true, 424);
    bt_run(&F);
    ck_assert_uint_eq(bt_msg()->trans.data_offset, 84);
    BT_LACKS("D-13");
    sized(0x11, "\\MAILSLOT\\LAB", true, 425);
    bt_run(&F);
    BT_HAS("D-13", "mailslot.size", BT_DC);
    BT_LACKS("D-11");
    sized(0x10, "\\MAILSLOT\\LAB", true, 425);
    bt_run(&F);
    BT_LACKS("D-13");
}
END_TEST

START_TEST(d13_direct_tail17)
{
    /* NET\GETDC0A0B0C0D is a 17-character tail (n = 27, name end 97):
     * padded DataOffset 100 -> 412; unpadded 97 -> 415. */
    const char *slot = "\\MAILSLOT\\NET\\GETDC0A0B0C0D";
    sized(0x10, slot, true, 412);
    bt_run(&F);
    ck_assert_uint_eq(bt_msg()->trans.data_offset, 100);
    BT_LACKS("D-13");
    sized(0x10, slot, true, 413);
    bt_run(&F);
    BT_HAS("D-13", "mailslot.size", BT_DC);
    sized(0x10, slot, false, 415);
    bt_run(&F);
    ck_assert_uint_eq(bt_msg()->trans.data_offset, 97);
    BT_LACKS("D-13");
    sized(0x10, slot, false, 416);
    bt_run(&F);
    BT_HAS("D-13", "mailslot.size", BT_DC);
}
END_TEST

START_TEST(d13_direct_tail12)
{
    /* NET\GETDC123 is 12 characters: name end 92 is aligned, 420 either way. */
    const char *slot = "\\MAILSLOT\\NET\\GETDC123";
    for (int padded = 0; padded < 2; padded++) {
        sized(0x10, slot, padded, 420);
        bt_run(&F);
        ck_assert_uint_eq(bt_msg()->trans.data_offset, 92);
        BT_LACKS("D-13");
        sized(0x10, slot, padded, 421);
        bt_run(&F);
        BT_HAS("D-13", "mailslot.size", BT_DC);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* S- and T-: SMB header and transaction words                        */
/* ------------------------------------------------------------------ */

START_TEST(s01_user_data)
{
    bt_spec s = bt_spec_default();
    s.style = MS_STYLE_SAMBA;
    build_data(s, "\\MAILSLOT\\", NULL, 0); /* 69 + 11 = 80 */
    bt_run(&F);
    ck_assert_uint_eq(F.len - BT_SMB, 80);
    BT_HAS("S-01", "nbdgm.user_data", BT_SMB);
    run_bytes(F.b, BT_SMB); /* no USER_DATA at all */
    BT_HAS("S-01", "nbdgm.user_data", BT_SMB);
    BT_LACKS("P-03");
    build_data(s, "\\MAILSLOT\\X", NULL, 0); /* 81 */
    bt_run(&F);
    BT_LACKS("S-01");
}
END_TEST

START_TEST(s02_protocol)
{
    base_frame();
    bt_u8(&F, BT_SMB, 0xFE);
    bt_run(&F);
    BT_HAS("S-02", "smb.protocol", BT_SMB);
    base_frame();
    bt_u8(&F, BT_SMB + 4, 0x72);
    bt_run(&F);
    BT_HAS("S-02", "smb.command", BT_SMB + 4);
    base_frame();
    bt_run(&F);
    BT_LACKS("S-02");
}
END_TEST

START_TEST(s03_header)
{
    base_frame();
    bt_le32(&F, BT_STATUS, 0xC0000022);
    bt_run(&F);
    BT_HAS("S-03", "smb.status", BT_STATUS);
    base_frame();
    bt_u8(&F, BT_SFLAGS, 0x08);
    bt_run(&F);
    BT_HAS("S-03", "smb.flags", BT_SFLAGS);
    base_frame();
    bt_le16(&F, BT_SFLAGS2, 0x0001);
    bt_run(&F);
    BT_HAS("S-03", "smb.flags2", BT_SFLAGS2);
    base_frame();
    bt_le16(&F, BT_PIDLOW, 0x1234);
    bt_run(&F);
    BT_HAS("S-03", "smb.pid_low", BT_PIDLOW);
    base_frame();
    bt_le16(&F, BT_TID, 0xFFFF); /* MS-CIFS's TID, which nobody sends */
    bt_run(&F);
    BT_HAS("S-03", "smb", BT_SMB + 12);
    base_frame(); /* 0x18 / 0x0004 / 0xFEFF */
    bt_run(&F);
    BT_LACKS("S-03");
    bt_spec s = bt_spec_default();
    s.style = MS_STYLE_SAMBA; /* all zero */
    bt_build(&s, &F);
    bt_run(&F);
    BT_LACKS("S-03");
}
END_TEST

START_TEST(s04_unicode_reply)
{
    base_frame();
    bt_le16(&F, BT_SFLAGS2, 0x8004);
    bt_run(&F);
    BT_HAS("S-04", "smb.flags2", BT_SFLAGS2);
    base_frame();
    bt_u8(&F, BT_SFLAGS, 0x98);
    bt_run(&F);
    BT_HAS("S-04", "smb.flags", BT_SFLAGS);
    base_frame();
    bt_le16(&F, BT_SFLAGS2, 0x7FFF);
    bt_u8(&F, BT_SFLAGS, 0x7F);
    bt_run(&F);
    BT_LACKS("S-04");
    BT_HAS("S-03", "smb.flags", BT_SFLAGS);
}
END_TEST

START_TEST(t01_word_count)
{
    base_frame();
    bt_u8(&F, BT_WC, 16);
    bt_run(&F);
    BT_HAS("T-01", "trans.word_count", BT_WC);
    base_frame();
    bt_u8(&F, BT_SC, 4);
    bt_run(&F);
    BT_HAS("T-01", "trans.setup_count", BT_SC);
    base_frame();
    bt_u8(&F, BT_WC, 13); /* fewer than the 14 fixed words */
    bt_run(&F);
    BT_HAS("T-01", "trans.word_count", BT_WC);
    ck_assert(!bt_msg()->has_smb);
    base_frame();
    bt_u8(&F, BT_WC, 40); /* 35 + 80 octets needed, 96 present */
    bt_run(&F);
    BT_HAS("T-01", "trans.word_count", BT_WC);
    BT_LACKS("P-03");
    base_frame();
    bt_run(&F);
    BT_LACKS("T-01");
}
END_TEST

START_TEST(t02_opcode)
{
    base_frame();
    bt_le16(&F, BT_OPCODE, 2);
    bt_run(&F);
    BT_HAS("T-02", "mailslot.opcode", BT_OPCODE);
    bt_le16(&F, BT_OPCODE, 1);
    bt_run(&F);
    BT_LACKS("T-02");
}
END_TEST

START_TEST(t03_t04_class)
{
    base_frame();
    bt_le16(&F, BT_CLASS, 3);
    bt_run(&F);
    BT_HAS("T-03", "mailslot.class", BT_CLASS);
    BT_HAS("T-04", "mailslot.class", BT_CLASS);
    bt_le16(&F, BT_CLASS, 0);
    bt_run(&F);
    BT_HAS("T-03", "mailslot.class", BT_CLASS);
    bt_le16(&F, BT_CLASS, 1); /* reliable, direct: allowed, but unusual */
    bt_run(&F);
    BT_LACKS("T-03");
    BT_HAS("T-04", "mailslot.class", BT_CLASS);
    bt_spec s = bt_spec_default();
    s.type = MS_NBDS_DIRECT_GROUP;
    bt_build(&s, &F);
    bt_le16(&F, BT_CLASS, 1); /* reliable never goes to a group */
    bt_run(&F);
    BT_HAS("T-03", "mailslot.class", BT_CLASS);
    bt_le16(&F, BT_CLASS, 2);
    bt_run(&F);
    BT_LACKS("T-03");
    BT_LACKS("T-04");
}
END_TEST

START_TEST(t05_t06_priority)
{
    base_frame();
    bt_le16(&F, BT_PRIO, 10);
    bt_run(&F);
    BT_HAS("T-05", "mailslot.priority", BT_PRIO);
    bt_le16(&F, BT_PRIO, 9);
    bt_run(&F);
    BT_LACKS("T-05");
    BT_HAS("T-06", "mailslot.priority", BT_PRIO);
    bt_le16(&F, BT_PRIO, 2);
    bt_run(&F);
    BT_HAS("T-06", "mailslot.priority", BT_PRIO);
    for (uint16_t p = 0; p <= 1; p++) {
        bt_le16(&F, BT_PRIO, p);
        bt_run(&F);
        BT_LACKS("T-06");
        BT_LACKS("T-05");
    }
}
END_TEST

START_TEST(t07_params)
{
    base_frame();
    bt_le16(&F, BT_PC, 1);
    bt_run(&F);
    BT_HAS("T-07", "trans.param_count", BT_PC);
    base_frame();
    bt_le16(&F, BT_TPC, 1);
    bt_run(&F);
    BT_HAS("T-07", "trans.total_param_count", BT_TPC);
    base_frame();
    bt_run(&F);
    BT_LACKS("T-07");
}
END_TEST

START_TEST(t08_total_data)
{
    base_frame();
    bt_le16(&F, BT_TDC, 9);
    bt_run(&F);
    BT_HAS("T-08", "trans.total_data_count", BT_TDC);
    bt_le16(&F, BT_TDC, 8);
    bt_run(&F);
    BT_LACKS("T-08");
}
END_TEST

START_TEST(t09_reserved)
{
    static const struct {
        size_t off, width;
        const char *field;
    } r[5] = {
        { BT_MDC, 2, "trans.max_data_count" }, { BT_MSC, 1, "trans.max_setup_count" },
        { BT_RES1, 1, "trans.reserved1" },     { BT_RES2, 2, "trans.reserved2" },
        { BT_RES3, 1, "trans.reserved3" },
    };
    for (int i = 0; i < 5; i++) {
        base_frame();
        if (r[i].width == 2)
            bt_le16(&F, r[i].off, 1);
        else
            bt_u8(&F, r[i].off, 1);
        bt_run(&F);
        BT_HAS("T-09", r[i].field, r[i].off);
    }
    base_frame();
    bt_run(&F);
    BT_LACKS("T-09");
}
END_TEST

START_TEST(t10_max_param)
{
    base_frame();
    bt_le16(&F, BT_MPC, 1);
    bt_run(&F);
    BT_HAS("T-10", "trans.max_param_count", BT_MPC);
    bt_le16(&F, BT_MPC, 0);
    bt_run(&F);
    BT_LACKS("T-10");
    bt_le16(&F, BT_MPC, 2);
    bt_run(&F);
    BT_LACKS("T-10");
}
END_TEST

START_TEST(t11_t12_flags)
{
    base_frame();
    bt_le16(&F, BT_TFLAGS, 0x0004);
    bt_run(&F);
    BT_HAS("T-11", "trans.flags", BT_TFLAGS);
    bt_le16(&F, BT_TFLAGS, 0x0003);
    bt_run(&F);
    BT_LACKS("T-11");
    BT_HAS("T-12", "trans.flags", BT_TFLAGS);
    bt_le16(&F, BT_TFLAGS, 0x0001);
    bt_run(&F);
    BT_HAS("T-12", "trans.flags", BT_TFLAGS);
    base_frame();
    bt_le32(&F, BT_TIMEOUT, 999);
    bt_run(&F);
    BT_HAS("T-12", "trans.timeout", BT_TIMEOUT);
    bt_le32(&F, BT_TIMEOUT, 1000);
    bt_run(&F);
    BT_LACKS("T-12");
    bt_le16(&F, BT_TFLAGS, 0);
    bt_le32(&F, BT_TIMEOUT, 0);
    bt_run(&F);
    BT_LACKS("T-12");
}
END_TEST

START_TEST(t13_param_offset)
{
    base_frame();
    bt_le16(&F, BT_PO, 89);
    bt_run(&F);
    BT_HAS("T-13", "trans.param_offset", BT_PO);
    bt_le16(&F, BT_PO, 87);
    bt_run(&F);
    BT_HAS("T-13", "trans.param_offset", BT_PO);
    bt_le16(&F, BT_PO, 88);
    bt_run(&F);
    BT_LACKS("T-13");
    bt_le16(&F, BT_PO, 0);
    bt_run(&F);
    BT_LACKS("T-13");
}
END_TEST

/* ------------------------------------------------------------------ */
/* D-: name, padding, data                                            */
/* ------------------------------------------------------------------ */

/* Base frame: \MAILSLOT\LABSLOT (n = 17) ends at SMB 87, one pad octet,
 * DataOffset 88, 8 data octets: S = 96, ByteCount 27, payload 178. */
START_TEST(d01_byte_count)
{
    base_frame();
    ck_assert_uint_eq(F.b[BT_BC], 27);
    bt_le16(&F, BT_BC, 28);
    bt_run(&F);
    BT_HAS("D-01", "trans.byte_count", BT_BC);
    bt_le16(&F, BT_BC, 26);
    bt_run(&F);
    BT_HAS("D-01", "trans.byte_count", BT_BC);
    bt_le16(&F, BT_BC, 27);
    bt_run(&F);
    BT_LACKS("D-01");
}
END_TEST

START_TEST(d02_unterminated)
{
    base_frame();
    F.len = BT_NAME + 17; /* the name without its NUL, then nothing */
    bt_fix_length(&F);
    bt_run(&F);
    BT_HAS("D-02", "mailslot.name", BT_NAME);
    base_frame();
    bt_le16(&F, BT_BC, 17); /* the NUL lies past ByteCount */
    bt_run(&F);
    BT_HAS("D-02", "mailslot.name", BT_NAME);
    bt_spec s = bt_spec_default();
    s.style = MS_STYLE_SAMBA;
    build_data(s, "\\MAILSLOT\\LABSLOT", NULL, 0);
    bt_run(&F);
    ck_assert_uint_eq(F.b[BT_BC], 18); /* name + NUL exactly */
    BT_LACKS("D-02");
}
END_TEST

START_TEST(d03_d04_name)
{
    bt_spec s = bt_spec_default();
    static const char *const bad[3] = { "\\MAILSLOT\\", "\\MAILSLOX\\LABSLOT", "\\PIPE\\LANMAN" };
    for (int i = 0; i < 3; i++) {
        build_data(s, bad[i], s.data, s.dlen);
        bt_run(&F);
        BT_HAS("D-03", "mailslot.name", BT_NAME);
    }
    build_data(s, "\\MAILSLOT\\X", s.data, s.dlen);
    bt_run(&F);
    BT_LACKS("D-03");
    BT_LACKS("D-04");
    build_data(s, "\\mailslot\\labslot", s.data, s.dlen);
    bt_run(&F);
    BT_LACKS("D-03");
    BT_HAS("D-04", "mailslot.name", BT_NAME);
    build_data(s, "\\MAILSLOT\\LAB\x01SLOT", s.data, s.dlen);
    bt_run(&F);
    BT_HAS("D-04", "mailslot.name", BT_NAME);
    build_data(s, "\\MAILSLOT\\LAB ~SLOT", s.data, s.dlen);
    bt_run(&F);
    BT_LACKS("D-04");
}
END_TEST

START_TEST(d05_data_offset)
{
    bt_spec s = bt_spec_default();
    for (int pad = 0; pad <= 3; pad++) {
        s.pad = pad;
        bt_build(&s, &F);
        bt_run(&F);
        ck_assert_uint_eq(bt_msg()->trans.data_offset, 87 + pad);
        BT_LACKS("D-05");
    }
    s.pad = 4;
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("D-05", "trans.data_offset", BT_DO);
    base_frame();
    bt_le16(&F, BT_DO, 86); /* onto the name's NUL */
    bt_run(&F);
    BT_HAS("D-05", "trans.data_offset", BT_DO);
    base_frame();
    bt_le16(&F, BT_DO, 97); /* one past the end (S = 96) */
    bt_run(&F);
    ck_assert(!bt_msg()->trans.data_located);
    BT_HAS("D-05", "trans.data_offset", BT_DO);
    BT_HAS("D-08", "trans.data_count", BT_DC);
}
END_TEST

START_TEST(d06_pad)
{
    static const uint8_t one[1] = { 0x01 };
    bt_spec s = bt_spec_default();
    s.pad = 1;
    s.pad_bytes = one;
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("D-06", "trans.pad", BT_SMB + 87);
    s.pad = 3;
    s.pad_bytes = NULL;
    bt_build(&s, &F);
    bt_run(&F);
    BT_LACKS("D-06");
}
END_TEST

START_TEST(d07_alignment)
{
    bt_spec s = bt_spec_default();
    s.style = MS_STYLE_BROWSER;
    bt_build(&s, &F);
    bt_run(&F);
    BT_HAS("D-07", "trans.data_offset", BT_DO);
    uint8_t v[600];
    size_t n = hex_to_bytes(VEC_EXAMPLE_A, v, sizeof v);
    run_bytes(v, n);
    BT_HAS("D-07", "trans.data_offset", BT_DO); /* §8 Calibration: the only report */
    ck_assert_uint_eq(bt_run_info(v, n, NULL)->count, 1);
    base_frame();
    bt_run(&F);
    BT_LACKS("D-07");
}
END_TEST

START_TEST(d08_data_count)
{
    base_frame();
    bt_le16(&F, BT_DC, 9);
    bt_le16(&F, BT_TDC, 9);
    bt_run(&F);
    BT_HAS("D-08", "trans.data_count", BT_DC);
    bt_le16(&F, BT_DC, 8);
    bt_le16(&F, BT_TDC, 8);
    bt_run(&F);
    BT_LACKS("D-08");
    /* DataOffset exactly at the end with no data: nothing is out of range. */
    bt_spec s = bt_spec_default();
    s.style = MS_STYLE_SAMBA;
    build_data(s, "\\MAILSLOT\\LABSLOT", NULL, 0);
    bt_run(&F);
    ck_assert_uint_eq(bt_msg()->trans.data_offset, F.len - BT_SMB);
    BT_LACKS("D-08");
}
END_TEST

START_TEST(d09_trailing)
{
    base_frame();
    uint8_t extra = 0x55;
    bt_append(&F, &extra, 1);
    bt_le16(&F, BT_BC, 28);
    bt_fix_length(&F);
    bt_run(&F);
    BT_HAS("D-09", "trans.trailing", 178);
    base_frame();
    bt_run(&F);
    BT_LACKS("D-09");
}
END_TEST

START_TEST(d10_empty)
{
    bt_spec s = bt_spec_default();
    build_data(s, "\\MAILSLOT\\LABSLOT", NULL, 0);
    bt_run(&F);
    BT_HAS("D-10", "mailslot.size", BT_DC);
    build_data(s, "\\MAILSLOT\\LABSLOT", (const uint8_t *)"!", 1);
    bt_run(&F);
    BT_LACKS("D-10");
}
END_TEST

/* ------------------------------------------------------------------ */
/* X-: cross-layer                                                    */
/* ------------------------------------------------------------------ */

START_TEST(x01_header_inclusive)
{
    base_frame();
    bt_be16(&F, 10, (uint16_t)F.len);
    bt_run(&F);
    BT_HAS("X-01", "nbdgm.length", 10);
    base_frame();
    bt_le16(&F, BT_BC, 28);
    bt_run(&F);
    BT_HAS("X-01", "trans.byte_count", BT_BC);
    base_frame();
    bt_run(&F);
    BT_LACKS("X-01");
}
END_TEST

START_TEST(x02_data_end)
{
    base_frame();
    uint8_t extra = 0;
    bt_append(&F, &extra, 1);
    bt_le16(&F, BT_BC, 28);
    bt_fix_length(&F);
    bt_run(&F);
    BT_HAS("X-02", "payload", BT_DO);
    base_frame();
    bt_run(&F);
    BT_LACKS("X-02");
}
END_TEST

START_TEST(x03_shape)
{
    base_frame();
    bt_le16(&F, BT_PO, 0); /* a redirector that forgot ParameterOffset */
    bt_run(&F);
    BT_HAS("X-03", "trans", BT_SMB);
    BT_LACKS("T-13");
    static const ms_trans_style st[3] = { MS_STYLE_BROWSER, MS_STYLE_SAMBA, MS_STYLE_REDIRECTOR };
    for (int i = 0; i < 3; i++) {
        bt_spec s = bt_spec_default();
        s.style = st[i];
        bt_build(&s, &F);
        bt_run(&F);
        BT_LACKS("X-03");
    }
    bt_spec s = bt_spec_default();
    s.style = MS_STYLE_BROWSER;
    s.priority = 0; /* Host/LocalMasterAnnouncement priority */
    bt_build(&s, &F);
    bt_run(&F);
    BT_LACKS("X-03");
}
END_TEST

/* check --as: every field where the frame departs from the shape the
 * sender would have used, at its offset; nothing unless asked. */
START_TEST(x04_layout)
{
    base_frame(); /* the redirector's write, as Windows sends it */
    bt_validate_as = MS_LAYOUT_WINDOWS;
    bt_run(&F);
    BT_LACKS("X-04");
    bt_le32(&F, BT_TIMEOUT, 1000);
    F.b[1] = 0x0A;
    bt_run(&F);
    BT_HAS("X-04", "trans.timeout", BT_TIMEOUT);
    BT_HAS("X-04", "nbdgm.flags", 1);
    ck_assert_uint_eq(bt_run(&F)->count, 2); /* nothing else: both are common values */
    bt_validate_as = MS_LAYOUT_SAMBA_NMBD;
    bt_run(&F); /* nmbd: node M yes, Timeout 0, no pad, header zeros */
    BT_HAS("X-04", "smb.flags", BT_SFLAGS);
    BT_HAS("X-04", "trans.data_offset", BT_DO);
    bt_validate_as = -1;
    bt_run(&F);
    BT_LACKS("X-04");
}
END_TEST

/* ------------------------------------------------------------------ */
/* CVEs of PROTOCOL.md §9.1: frames of their class                    */
/* ------------------------------------------------------------------ */

START_TEST(cve_2007_4572_logon_names)
{
    char name[201];
    memset(name, 'N', 200);
    name[200] = 0;
    obuf o = { .n = 0 };
    o_le16(&o, 0x0012);
    o_le16(&o, 0);
    o_u16(&o, name);
    o_u16(&o, "ADMINISTRATOR");
    o_str(&o, "\\MAILSLOT\\NET\\GETDC123");
    o_le32(&o, 0);
    o_le32(&o, 0);
    o_trailer(&o, 0x0B);
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    cve_frame();
    BT_HAS("D-13", "mailslot.size", BT_DC);
    BT_HAS("D-11", "payload", BT_SMB + 512);
}
END_TEST

START_TEST(cve_2007_6015_long_reply_slot)
{
    char reply[401];
    memcpy(reply, "\\MAILSLOT\\", 10);
    memset(reply + 10, 'R', 390);
    reply[400] = 0;
    obuf o = { .n = 0 };
    o_le16(&o, 0x0007);
    o_str(&o, "LABHOST");
    o_str(&o, reply);
    while (o.n % 2)
        o_u8(&o, 0);
    o_u16(&o, "LABHOST");
    o_trailer(&o, 0x0B);
    bt_spec s = nl_request_spec();
    s.dst = "MSLAB<1b>";
    nl_frame(s, "\\MAILSLOT\\NET\\NETLOGON", &o);
    cve_frame();
    BT_HAS("Z-01", "payload", 576);
    BT_HAS("D-13", "mailslot.size", BT_DC);
}
END_TEST

START_TEST(cve_2006_3942_name_no_nul)
{
    base_frame();
    F.len = BT_NAME + 17;
    bt_le16(&F, BT_BC, 100);
    bt_fix_length(&F);
    cve_frame();
    BT_HAS("D-02", "mailslot.name", BT_NAME);
    ck_assert(!bt_msg()->trans.name.terminated);
}
END_TEST

START_TEST(cve_2018_16451_trans_name)
{
    bt_spec s = bt_spec_default();
    s.style = MS_STYLE_BROWSER;
    build_data(s, "\\MAILSLOT\\BROWSE", NULL, 0);
    F.len = BT_NAME + 16; /* "\MAILSLOT\BROWSE" and no NUL */
    bt_fix_length(&F);
    cve_frame();
    BT_HAS("D-02", "mailslot.name", BT_NAME);
    BT_LACKS("S-01");
}
END_TEST

START_TEST(coverage_every_rule)
{
    bt_coverage("check_smb");
}
END_TEST

static Suite *battery_suite(void)
{
    Suite *s = suite_create("check_smb");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, d11_trailing);
    tcase_add_test(tc, d12_name_plus_data);
    tcase_add_test(tc, d13_group);
    tcase_add_test(tc, d13_direct_tail17);
    tcase_add_test(tc, d13_direct_tail12);
    tcase_add_test(tc, s01_user_data);
    tcase_add_test(tc, s02_protocol);
    tcase_add_test(tc, s03_header);
    tcase_add_test(tc, s04_unicode_reply);
    tcase_add_test(tc, t01_word_count);
    tcase_add_test(tc, t02_opcode);
    tcase_add_test(tc, t03_t04_class);
    tcase_add_test(tc, t05_t06_priority);
    tcase_add_test(tc, t07_params);
    tcase_add_test(tc, t08_total_data);
    tcase_add_test(tc, t09_reserved);
    tcase_add_test(tc, t10_max_param);
    tcase_add_test(tc, t11_t12_flags);
    tcase_add_test(tc, t13_param_offset);
    tcase_add_test(tc, d01_byte_count);
    tcase_add_test(tc, d02_unterminated);
    tcase_add_test(tc, d03_d04_name);
    tcase_add_test(tc, d05_data_offset);
    tcase_add_test(tc, d06_pad);
    tcase_add_test(tc, d07_alignment);
    tcase_add_test(tc, d08_data_count);
    tcase_add_test(tc, d09_trailing);
    tcase_add_test(tc, d10_empty);
    tcase_add_test(tc, x01_header_inclusive);
    tcase_add_test(tc, x02_data_end);
    tcase_add_test(tc, x03_shape);
    tcase_add_test(tc, x04_layout);
    tcase_add_test(tc, cve_2007_4572_logon_names);
    tcase_add_test(tc, cve_2007_6015_long_reply_slot);
    tcase_add_test(tc, cve_2006_3942_name_no_nul);
    tcase_add_test(tc, cve_2018_16451_trans_name);
    /* Last: judges what all the tests above asserted. */
    tcase_add_test(tc, coverage_every_rule);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(battery_suite(), NULL);
}
