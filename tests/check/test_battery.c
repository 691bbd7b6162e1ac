/* SPDX-License-Identifier: MIT */
/* The malformed-frame battery: for every rule of the validator's catalogue
 * (except F-01..F-05, raised by the NBDS reassembler) one frame that breaks
 * it and one that just passes it, plus one frame per parser CVE of
 * PROTOCOL.md §9.1 that concerns frames like ours. Every frame is built here
 * (encoders or raw octets; no captured octets) and goes through decode,
 * the full field walk and the validator on a guarded copy, so an over-read
 * faults. coverage_every_rule (last) fails when a catalogue rule lacks a
 * breaking or a passing assertion.
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
 *  N-16 size_594_595 (payload 595: @594) / size_594_595 (594)
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
 *  D-11 size_594_595 (S 513 @594), d11_trailing (S 513 by a trailing octet) / size_594_595 (S 512)
 *  D-12 d12_name_plus_data (444 @137) / d12_name_plus_data (443; 443 with a pad octet while D-11 fires)
 *  D-13 d13_group (425 in 0x11 @137) / d13_group (424; 425 in 0x10)
 *       d13_direct_tail17 (NET\GETDC0A0B0C0D: 413 padded, 416 unpadded) / (412 padded, 415 unpadded)
 *       d13_direct_tail12 (NET\GETDC123: 421) / (420)
 *  X-01 x01_header_inclusive (DGM_LENGTH = payload @10; ByteCount + 1 @149) / x01_header_inclusive (consistent)
 *  X-02 x02_data_end (trailing octet @139) / x02_data_end (payload = 82 + DataOffset + DataCount)
 *  X-03 x03_shape (redirector with ParameterOffset 0 @82) / x03_shape (browser, Samba, redirector shapes)
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
 *  L-01 l01_request_slot (0x12 on NET\GETDC123 @151) / l01_request_slot (NET\NETLOGON, NET\NTLOGON)
 *  L-02 l02_tokens (LmNtToken @252, Lm20Token @254, 9-octet 0x13) / l02_tokens (good; Windows 95 0x07 short form)
 *  L-03 l03_strings (UnicodeComputerName runs into the trailer @178; 0x0c) / l03_strings (terminated just before it)
 *  L-04 l04_pad (0x01 pad @207) / l04_pad (0)
 *  L-05 l05_sid (sizes 4, 72, 12 with 2 sub-authorities @223, 256 not present, unaligned) / l05_sid (0, 8, 68)
 *  L-06 l06_reply_slot ("NET\GETDC01" @196) / l06_reply_slot (lower-case \mailslot\)
 *  L-07 l07_nt_version (bit 0x20 @232) / l07_nt_version (0xf100001f)
 *  L-08 l08_layout (NtVersion 0, NT5 cut short, octets after EX) / l08_layout (NT40 with NtVersion 1; EX)
 *  L-09 l09_ex (Sbz @176, sin_family @252, sin_zero @260, DcSockAddrSize 15 @251, sockaddr without V5EP) / l09_ex (V5EP; neither)
 *  L-10 l10_compression (loop, forward, outside @209; 256-octet name; 65 pointer hops) / l10_compression (backward; 255 octets; 64 hops)
 *  L-11 l11_addressing (0x12 to <1d> @48; 0x17 as 0x11 @0) / l11_addressing (<1c>, <1b>, <00>; response 0x10)
 *  P-01 p01_p02_capture (snaplen cut @len; cut inside a name: nothing else) / p01_p02_capture (not cut)
 *  P-02 p01_p02_capture (UDP length != IPv4 @0) / p01_p02_capture (equal)
 *  P-03 p03_decodes (65 backup names, NETLOGON opcode 0x0030, 17 DB changes, 1-octet NETLOGON) / p03_decodes (64 names)
 *  Z-01 size_576_577 (577 @576) / size_576_577 (576)
 *  Z-02 size_548_549 (549 @548) / size_548_549 (548)
 * CVE / advisory (PROTOCOL.md §9.1) -> test, rule expected:
 *  CVE-2007-4572    cve_2007_4572_logon_names      SAM logon request with a 200-character name: D-13, D-11
 *  CVE-2007-6015    cve_2007_6015_long_reply_slot  0x07 with a 400-octet reply mailslot: Z-01, D-13
 *  CVE-2014-3560    cve_2014_3560_browser_names    16-octet ServerName, 100-octet MasterBrowserServerName: B-03, B-06
 *  CVE-2020-14303   cve_2020_14303_empty           0-octet UDP payload: N-01
 *  CVE-2011-0654    cve_2011_0654_election_name    RequestElection with a 300-octet ServerName: B-06
 *  CVE-2006-3942    cve_2006_3942_name_no_nul      transaction Name without NUL: D-02
 *  CVE-2017-12893   cve_2017_12893_label_past_end  scope label length past the captured octets: N-07
 *  CVE-2018-16451   cve_2018_16451_trans_name      "\MAILSLOT\BROWSE" without NUL at the end: D-02
 *  CVE-2018-16452   does not apply: nothing in these frames nests (the decoder has no recursion);
 *                   the nearest thing, compressed-name pointer chains, is l10_compression (65 hops: L-10)
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
#include "vectors.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static bt_frame F;

/* A small octet builder for hand-made payloads. */
typedef struct obuf {
    uint8_t b[BT_CAP];
    size_t n;
} obuf;

static void o_raw(obuf *o, const void *p, size_t n)
{
    ck_assert_uint_le(o->n + n, sizeof o->b);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}
static void o_u8(obuf *o, uint8_t v) { o_raw(o, &v, 1); }
static void o_le16(obuf *o, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    o_raw(o, b, 2);
}
static void o_le32(obuf *o, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    o_raw(o, b, 4);
}
/* ASCII with its NUL. */
static void o_str(obuf *o, const char *s) { o_raw(o, s, strlen(s) + 1); }
/* UTF-16LE of an ASCII text, with the 2-octet NUL. */
static void o_u16(obuf *o, const char *s)
{
    for (; *s; s++)
        o_le16(o, (uint8_t)*s);
    o_le16(o, 0);
}
static void o_fill(obuf *o, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o_u8(o, v);
}
/* The NT-era trailer: NtVersion, LmNtToken, Lm20Token. */
static void o_trailer(obuf *o, uint32_t nt_version)
{
    o_le32(o, nt_version);
    o_le16(o, 0xFFFF);
    o_le16(o, 0xFFFF);
}

static const ms_report *run_bytes(const uint8_t *p, size_t n)
{
    return bt_run_info(p, n, NULL);
}

/* A frame carrying `data` to `slot`, otherwise bt_spec_default(). */
static void build_data(bt_spec s, const char *slot, const uint8_t *data, size_t n)
{
    s.slot = slot;
    s.data = data;
    s.dlen = n;
    bt_build(&s, &F);
}

/* Every prefix of the frame also decodes, walks and validates without
 * reading past its end. */
static void every_prefix(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i <= n; i++)
        run_bytes(p, i);
}

/* UDP payload offset of the mailslot data of the last frame run. */
static size_t data_at(void)
{
    return BT_SMB + bt_msg()->trans.data_offset;
}

/* ------------------------------------------------------------------ */
/* Baselines: what passes everything                                   */
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
/* N-: NBDS layer                                                      */
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
    BT_LACKS("D-01"); /* §9.2.1: the D rules use the octets present */
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
/* Sizes: N-16, D-11, D-12, D-13, Z-01, Z-02                           */
/* ------------------------------------------------------------------ */

/* A write of n data octets to slot; unpadded unless padded. */
static void sized(uint8_t type, const char *slot, bool padded, size_t n)
{
    bt_spec s = bt_spec_default();
    s.type = type;
    s.style = padded ? MS_STYLE_REDIRECTOR : MS_STYLE_BROWSER;
    s.priority = 1;
    build_data(s, slot, bt_fill(0, 'x', n), n);
}

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
/* S- and T-: SMB header and transaction words                         */
/* ------------------------------------------------------------------ */

static void base_frame(void)
{
    bt_spec s = bt_spec_default();
    bt_build(&s, &F);
}

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
/* D-: name, padding, data                                             */
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
/* X-: cross-layer                                                     */
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

/* ------------------------------------------------------------------ */
/* B-: browser frames                                                  */
/* ------------------------------------------------------------------ */

/* \MAILSLOT\BROWSE (n = 16) padded to DataOffset 88: data at 170. */
#define BR 170

static bt_spec browse(const char *dst)
{
    bt_spec s = bt_spec_default();
    s.src = "LABHOST<20>";
    s.dst = dst;
    s.type = MS_NBDS_DIRECT_GROUP;
    s.slot = "\\MAILSLOT\\BROWSE";
    return s;
}

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

static ms_str cstr(const char *s, bool terminated)
{
    ms_str r = { (const uint8_t *)s, strlen(s), terminated };
    return r;
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
/* L-: NETLOGON frames                                                 */
/* ------------------------------------------------------------------ */

/* Requests go to \MAILSLOT\NET\NETLOGON, replies to \MAILSLOT\NET\GETDC123:
 * both n = 22, DataOffset 92, data at 174. */
#define NL 174

static bt_spec nl_request_spec(void)
{
    bt_spec s = bt_spec_default();
    s.dst = "MSLAB<1c>";
    return s;
}

static bt_spec nl_response_spec(void)
{
    bt_spec s = bt_spec_default();
    s.src = "LABDC01<00>";
    s.dst = "LABHOST<00>";
    s.style = MS_STYLE_BROWSER;
    return s;
}

/* LOGON_SAM_LOGON_REQUEST as in §7.8: opcode 0, RequestCount 2,
 * UnicodeComputerName 4, UnicodeUserName 20, MailslotName 22 (with
 * \MAILSLOT\NET\GETDC123: 23 octets), AllowableAccountControlBits 45,
 * DomainSidSize 49, then [pad to 56, SID], trailer. sid NULL: no SID. */
static void sam_request(obuf *o, const char *reply, const uint8_t *sid, uint32_t sid_size, bool pad,
                        uint32_t nt_version)
{
    o->n = 0;
    o_le16(o, 0x0012);
    o_le16(o, 0);
    o_u16(o, "LABHOST");
    o_u16(o, "");
    o_str(o, reply);
    o_le32(o, 0);
    o_le32(o, sid_size);
    if (sid) {
        if (pad)
            while (o->n % 4)
                o_u8(o, 0);
        o_raw(o, sid, sid_size);
    }
    o_trailer(o, nt_version);
}

static void nl_frame(bt_spec s, const char *slot, const obuf *o)
{
    build_data(s, slot, o->b, o->n);
}

START_TEST(l_baseline)
{
    /* Built with the NETLOGON encoder: a SAM logon request... */
    static const uint8_t ucn[14] = { 'L', 0, 'A', 0, 'B', 0, 'H', 0, 'O', 0, 'S', 0, 'T', 0 };
    ms_netlogon n;
    memset(&n, 0, sizeof n);
    n.opcode = MS_NL_SAM_LOGON_REQUEST;
    n.layout = MS_NL_LAYOUT_SAM_REQUEST;
    n.unicode_computer_name.p = ucn;
    n.unicode_computer_name.len = sizeof ucn;
    n.unicode_computer_name.terminated = true;
    n.unicode_user_name.terminated = true;
    n.mailslot_name = cstr("\\MAILSLOT\\NET\\GETDC123", true);
    n.nt_version = 0x0000000B;
    n.lmnt_token = n.lm20_token = 0xFFFF;
    bt_spec s = nl_request_spec();
    s.slot = "\\MAILSLOT\\NET\\NETLOGON";
    bt_build_netlogon(s, &n, &F);
    bt_run(&F);
    ck_assert_uint_eq(data_at(), NL);
    ck_assert(bt_msg()->payload_ok);
    BT_CLEAN();
    /* ... and the same octets by hand. */
    obuf o;
    sam_request(&o, "\\MAILSLOT\\NET\\GETDC123", NULL, 0, false, 0x0000000B);
    ck_assert_uint_eq(o.n, bt_msg()->trans.data.len);
    ck_assert_mem_eq(o.b, bt_msg()->trans.data.p, o.n);
}
END_TEST

START_TEST(l01_request_slot)
{
    obuf o;
    sam_request(&o, "\\MAILSLOT\\NET\\GETDC123", NULL, 0, false, 0x0B);
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("L-01", "mailslot.name", BT_NAME);
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_LACKS("L-01");
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NTLOGON", &o); /* Samba's */
    bt_run(&F);
    BT_LACKS("L-01");
}
END_TEST

START_TEST(l02_tokens)
{
    obuf o;
    sam_request(&o, "\\MAILSLOT\\NET\\GETDC123", NULL, 0, false, 0x0B);
    o.b[o.n - 4] = 0xFE; /* LmNtToken 0xFFFE */
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_HAS("L-02", "netlogon.lmnt_token", NL + o.n - 4);
    o.b[o.n - 4] = 0xFF;
    o.b[o.n - 1] = 0x7F; /* Lm20Token 0x7FFF */
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_HAS("L-02", "netlogon.lm20_token", NL + o.n - 2);
    o.b[o.n - 1] = 0xFF;
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_LACKS("L-02");
    static const uint8_t nine[9] = { 0x13, 0, 0, 0, 1, 0, 0, 0, 0xFF };
    build_data(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", nine, sizeof nine);
    bt_run(&F);
    BT_HAS("L-02", "netlogon", NL);
    /* Windows 95 LOGON_PRIMARY_QUERY: only an Lm20Token after the names. */
    o.n = 0;
    o_le16(&o, 0x0007);
    o_str(&o, "LABW95");
    o_str(&o, "\\MAILSLOT\\NET\\GETDC123");
    o_le16(&o, 0xFFFF);
    bt_spec s = nl_request_spec();
    s.dst = "MSLAB<00>";
    nl_frame(s, "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    ck_assert_int_eq(bt_msg()->netlogon.layout, MS_NL_LAYOUT_PRIMARY_QUERY_W95);
    BT_LACKS("L-02");
}
END_TEST

START_TEST(l03_strings)
{
    obuf o = { .n = 0 };
    o_le16(&o, 0x0012);
    o_le16(&o, 0);
    o_raw(&o, "L\0A\0B\0H\0O\0S\0T\0", 14); /* no 00 00 before the trailer */
    o_trailer(&o, 0x0B);
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_HAS("L-03", "netlogon", NL + 4);
    /* LOGON_PRIMARY_RESPONSE whose UnicodeDomainName runs into the trailer. */
    o.n = 0;
    o_le16(&o, 0x000C);
    o_str(&o, "LABDC01"); /* 2 + 8: even, no pad */
    o_u16(&o, "LABDC01");
    o_raw(&o, "M\0S\0L\0A\0B\0", 10);
    o_trailer(&o, 1);
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("L-03", "netlogon", NL + 26);
    /* Terminated right before the trailer: fine. */
    o.n -= 8;
    o_le16(&o, 0);
    o_trailer(&o, 1);
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_LACKS("L-03");
    BT_CLEAN();
}
END_TEST

/* LOGON_PRIMARY_QUERY, NT form: ComputerName at 2 (8), MailslotName at 10
 * (23), the alignment octet at 33, UnicodeComputerName at 34. */
static void primary_query(obuf *o, uint8_t pad_value)
{
    o->n = 0;
    o_le16(o, 0x0007);
    o_str(o, "LABHOST");
    o_str(o, "\\MAILSLOT\\NET\\GETDC123");
    o_u8(o, pad_value);
    o_u16(o, "LABHOST");
    o_trailer(o, 0x0B);
}

START_TEST(l04_pad)
{
    obuf o;
    bt_spec s = nl_request_spec();
    s.dst = "MSLAB<1b>";
    primary_query(&o, 0x01);
    nl_frame(s, "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_HAS("L-04", "netlogon.pad", NL + 33);
    primary_query(&o, 0x00);
    nl_frame(s, "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    ck_assert_int_eq(bt_msg()->netlogon.layout, MS_NL_LAYOUT_PRIMARY_QUERY);
    BT_LACKS("L-04");
    BT_CLEAN();
}
END_TEST

/* A SID of size octets: revision 1, `subs` sub-authorities, NT authority. */
static const uint8_t *sid_of(size_t size, uint8_t subs)
{
    static uint8_t sid[128];
    memset(sid, 0, sizeof sid);
    sid[0] = 1;
    sid[1] = subs;
    sid[7] = 5;
    for (size_t i = 8; i < size; i++)
        sid[i] = (uint8_t)i;
    return sid;
}

START_TEST(l05_sid)
{
    obuf o;
    static const struct {
        size_t size;
        uint8_t subs;
    } bad[3] = { { 4, 0 }, { 72, 16 }, { 12, 2 } }, good[2] = { { 8, 0 }, { 68, 15 } };
    const char *reply = "\\MAILSLOT\\NET\\GETDC123";
    for (int i = 0; i < 3; i++) {
        sam_request(&o, reply, sid_of(bad[i].size, bad[i].subs), (uint32_t)bad[i].size, true, 0x0B);
        nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
        bt_run(&F);
        BT_HAS("L-05", "netlogon.domain_sid_size", NL + 49);
    }
    for (int i = 0; i < 2; i++) {
        sam_request(&o, reply, sid_of(good[i].size, good[i].subs), (uint32_t)good[i].size, true, 0x0B);
        nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
        bt_run(&F);
        ck_assert_uint_eq(bt_msg()->netlogon.domain_sid.len, good[i].size);
        BT_LACKS("L-05");
        BT_CLEAN();
    }
    sam_request(&o, reply, NULL, 0, true, 0x0B);
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_LACKS("L-05");
    /* A size the octets before the trailer cannot hold. */
    sam_request(&o, reply, sid_of(8, 0), 8, true, 0x0B);
    o.b[49] = 0x00;
    o.b[50] = 0x01; /* 256 */
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_HAS("L-05", "netlogon.domain_sid_size", NL + 49);
    BT_LACKS("L-03");
    /* A good SID without the 4-octet pre-alignment: at 53, not 56. */
    sam_request(&o, reply, sid_of(12, 1), 12, false, 0x0B);
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_HAS("L-05", "netlogon.domain_sid", NL + 53);
}
END_TEST

START_TEST(l06_reply_slot)
{
    obuf o;
    sam_request(&o, "NET\\GETDC01", NULL, 0, false, 0x0B);
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_HAS("L-06", "netlogon.mailslot_name", NL + 22);
    sam_request(&o, "\\mailslot\\net\\getdc01", NULL, 0, false, 0x0B);
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_LACKS("L-06");
}
END_TEST

START_TEST(l07_nt_version)
{
    obuf o;
    sam_request(&o, "\\MAILSLOT\\NET\\GETDC123", NULL, 0, false, 0x0000002B);
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_HAS("L-07", "netlogon.nt_version", NL + o.n - 8);
    sam_request(&o, "\\MAILSLOT\\NET\\GETDC123", NULL, 0, false, 0xF100001F);
    nl_frame(nl_request_spec(), "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_LACKS("L-07");
}
END_TEST

/* NETLOGON_SAM_LOGON_RESPONSE_EX (offsets from the opcode):
 *   0 opcode 0x17, 2 Sbz, 4 Flags, 8 DomainGuid,
 *  24 DnsForestName "lab.local" (11), 35 DnsDomainName -> 24 (2),
 *  37 DnsHostName "labdc01" -> 24 (10), 47 NetbiosDomainName "MSLAB" (7),
 *  54 NetbiosComputerName "LABDC01" (9), 63 UserName root (1),
 *  64 DcSiteName "LAB-SITE1" (11), 75 ClientSiteName -> 64 (2),
 *  77 [DcSockAddrSize 16, family 78, port 80, address 82, sin_zero 86],
 *  then the trailer. */
static void ex_response(obuf *o, uint32_t nt_version, bool sockaddr)
{
    o->n = 0;
    o_le16(o, 0x0017);
    o_le16(o, 0);
    o_le32(o, 0x000033FD);
    for (int i = 0; i < 16; i++)
        o_u8(o, (uint8_t)(0x10 + i));
    o_raw(o, "\x03lab\x05local\x00", 11);
    o_raw(o, "\xC0\x18", 2);
    o_raw(o, "\x07labdc01\xC0\x18", 10);
    o_raw(o, "\x05MSLAB\x00", 7);
    o_raw(o, "\x07LABDC01\x00", 9);
    o_u8(o, 0);
    o_raw(o, "\x09LAB-SITE1\x00", 11);
    o_raw(o, "\xC0\x40", 2);
    ck_assert_uint_eq(o->n, 77);
    if (sockaddr) {
        o_u8(o, 16);
        o_le16(o, 2);
        o_raw(o, "\x00\x00\xC0\xA8\x38\x02", 6);
        o_fill(o, 0, 8);
    }
    o_trailer(o, nt_version);
}

START_TEST(l08_layout)
{
    obuf o = { .n = 0 };
    o_le16(&o, 0x0013);
    o_u16(&o, "\\\\LABDC01");
    o_u16(&o, "");
    o_u16(&o, "MSLAB");
    o_trailer(&o, 0x00000000); /* selects no layout */
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("L-08", "netlogon.nt_version", NL + o.n - 8);
    o.n -= 8;
    o_trailer(&o, 0x00000001); /* NT40: exactly these three strings */
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    ck_assert_int_eq(bt_msg()->netlogon.layout, MS_NL_LAYOUT_SAM_RESPONSE_NT40);
    BT_LACKS("L-08");
    BT_CLEAN();
    o.n -= 8;
    o_trailer(&o, 0x00000003); /* NT5: GUIDs and names missing */
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("L-08", "netlogon.nt_version", NL + o.n - 8);
    /* EX with a NextClosestSiteName that NtVersion does not announce. */
    ex_response(&o, 0x0000000D, true);
    o.n -= 8;
    o_raw(&o, "\x04NEXT\x00", 6);
    o_trailer(&o, 0x0000000D);
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("L-08", "netlogon.trailing", NL + 94);
    ex_response(&o, 0x0000000D, true);
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_LACKS("L-08");
}
END_TEST

START_TEST(l09_ex)
{
    obuf o;
    ex_response(&o, 0x0000000D, true);
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    ck_assert_int_eq(bt_msg()->netlogon.layout, MS_NL_LAYOUT_SAM_RESPONSE_EX);
    BT_LACKS("L-09");
    BT_CLEAN();
    ex_response(&o, 0x00000005, false); /* no V5EP, no DcSockAddr */
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_LACKS("L-09");
    BT_CLEAN();

    ex_response(&o, 0x0000000D, true);
    o.b[2] = 1;
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("L-09", "netlogon.sbz", NL + 2);
    ex_response(&o, 0x0000000D, true);
    o.b[78] = 23; /* AF_INET6 in a sockaddr_in */
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("L-09", "netlogon.dc_sockaddr_family", NL + 78);
    ex_response(&o, 0x0000000D, true);
    o.b[90] = 1;
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("L-09", "netlogon.dc_sockaddr_zero", NL + 86);
    ex_response(&o, 0x0000000D, true);
    o.b[77] = 15;
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("L-09", "netlogon.dc_sockaddr_size", NL + 77);
    BT_LACKS("L-08");
    /* FreeIPA: a DcSockAddr without V5EP in NtVersion. */
    ex_response(&o, 0x00000005, true);
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("L-09", "netlogon.trailing", NL + 77);
}
END_TEST

/* EX with a DnsDomainName (at 35) of the given two pointer octets. */
static void ex_domain_pointer(uint8_t hi, uint8_t lo)
{
    obuf o;
    ex_response(&o, 0x0000000D, true);
    o.b[35] = hi;
    o.b[36] = lo;
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
}

/* An EX response whose DnsDomainName is the head of a chain of `hops`
 * pointers: DnsForestName's labels hold hops - 1 pointers, each to the one
 * before it, the first to "LAB" inside the DomainGuid (offset 8). */
static size_t ex_pointer_chain(size_t hops)
{
    obuf o = { .n = 0 };
    o_le16(&o, 0x0017);
    o_le16(&o, 0);
    o_le32(&o, 0);
    o_raw(&o, "\x03LAB\x00", 5);
    o_fill(&o, 0, 11);
    size_t chain = hops - 1, prev = 8;
    while (chain) {
        size_t k = chain < 31 ? chain : 31;
        o_u8(&o, (uint8_t)(2 * k));
        for (size_t i = 0; i < k; i++) {
            size_t at = o.n;
            o_u8(&o, (uint8_t)(0xC0 | (prev >> 8)));
            o_u8(&o, (uint8_t)prev);
            prev = at;
        }
        chain -= k;
    }
    o_u8(&o, 0);
    size_t domain = o.n;
    o_u8(&o, (uint8_t)(0xC0 | (prev >> 8))); /* DnsDomainName */
    o_u8(&o, (uint8_t)prev);
    o_fill(&o, 0, 6); /* the other six names: root */
    o_trailer(&o, 0x00000005);
    nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    return domain;
}

START_TEST(l10_compression)
{
    ex_domain_pointer(0xC0, 0x18); /* back to DnsForestName */
    BT_LACKS("L-10");
    BT_CLEAN();
    ex_domain_pointer(0xC0, 35); /* to itself: a loop */
    BT_HAS("L-10", "netlogon.dns_domain_name", NL + 35);
    ex_domain_pointer(0xC0, 37); /* forward, to DnsHostName */
    BT_HAS("L-10", "netlogon.dns_domain_name", NL + 35);
    ex_domain_pointer(0xFF, 0xFF); /* outside the message */
    BT_HAS("L-10", "netlogon.dns_domain_name", NL + 35);

    /* 255 octets of name with every length octet and the final zero pass;
     * 256 do not. */
    for (int extra = 0; extra < 2; extra++) {
        obuf o = { .n = 0 };
        o_le16(&o, 0x0017);
        o_fill(&o, 0, 2 + 4 + 16);
        static const size_t l[4] = { 63, 63, 63, 61 };
        for (int i = 0; i < 4; i++) {
            size_t len = l[i] + (i == 3 ? (size_t)extra : 0);
            o_u8(&o, (uint8_t)len);
            o_fill(&o, (uint8_t)('a' + i), len);
        }
        o_u8(&o, 0);
        o_fill(&o, 0, 7);
        o_trailer(&o, 0x00000005);
        nl_frame(nl_response_spec(), "\\MAILSLOT\\NET\\GETDC123", &o);
        bt_run(&F);
        if (extra) {
            BT_HAS("L-10", "netlogon.dns_forest_name", NL + 24);
        } else {
            BT_LACKS("L-10");
            ck_assert(bt_msg()->payload_ok);
        }
    }

    /* Bounded hops: 64 are followed, the 65th is refused (this is also
     * the nearest thing to CVE-2018-16452's nesting in these frames). */
    ex_pointer_chain(64);
    BT_LACKS("L-10");
    ck_assert(bt_msg()->payload_ok);
    size_t domain = ex_pointer_chain(65);
    BT_HAS("L-10", "netlogon.dns_domain_name", NL + domain);
}
END_TEST

START_TEST(l11_addressing)
{
    obuf o;
    sam_request(&o, "\\MAILSLOT\\NET\\GETDC123", NULL, 0, false, 0x0B);
    bt_spec s = nl_request_spec();
    s.dst = "MSLAB<1d>";
    nl_frame(s, "\\MAILSLOT\\NET\\NETLOGON", &o);
    bt_run(&F);
    BT_HAS("L-11", "nbdgm.dst_name", BT_DST);
    static const char *const ok[3] = { "MSLAB<1c>", "MSLAB<1b>", "LABDC01<00>" };
    for (int i = 0; i < 3; i++) {
        s.dst = ok[i];
        nl_frame(s, "\\MAILSLOT\\NET\\NETLOGON", &o);
        bt_run(&F);
        BT_LACKS("L-11");
    }
    ex_response(&o, 0x0000000D, true);
    s = nl_response_spec();
    s.type = MS_NBDS_DIRECT_GROUP;
    nl_frame(s, "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_HAS("L-11", "nbdgm.type", 0);
    s.type = MS_NBDS_DIRECT_UNIQUE;
    nl_frame(s, "\\MAILSLOT\\NET\\GETDC123", &o);
    bt_run(&F);
    BT_LACKS("L-11");
}
END_TEST

/* ------------------------------------------------------------------ */
/* P-: capture and decoding                                            */
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
/* CVEs of PROTOCOL.md §9.1: frames of their class                     */
/* ------------------------------------------------------------------ */

/* The frame decodes, walks and validates, and so does every prefix. */
static void cve_frame(void)
{
    bt_run(&F);
    ck_assert_uint_gt(bt_touched(), 0);
    bt_frame copy = F;
    every_prefix(copy.b, copy.len);
    bt_run(&copy);
}

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

START_TEST(cve_2020_14303_empty)
{
    F.len = 0;
    cve_frame();
    BT_HAS("N-01", "payload", 0);
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

/* ------------------------------------------------------------------ */
/* Every catalogue rule but F- was broken and passed somewhere         */
/* ------------------------------------------------------------------ */

START_TEST(coverage_every_rule)
{
    if (getenv("CK_RUN_CASE") || getenv("CK_RUN_SUITE") || getenv("CK_INCLUDE_TAGS") ||
        getenv("CK_EXCLUDE_TAGS"))
        return; /* a partial run cannot judge coverage */
    size_t n;
    const ms_rule *r = ms_rules(&n);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(r[i].id, "F-", 2) == 0)
            continue;
        ck_assert_msg(bt_count_has(r[i].id) > 0, "no battery frame breaks %s", r[i].id);
        ck_assert_msg(bt_count_lacks(r[i].id) > 0, "no battery frame just passes %s", r[i].id);
        checked++;
    }
    ck_assert_uint_eq(checked, 16 + 4 + 13 + 13 + 14 + 11 + 3 + 3 + 2);
    fprintf(stderr, "battery: %zu rules covered, %zu assertions on reports\n", checked, bt_assertions());
}
END_TEST

static Suite *battery_suite(void)
{
    Suite *s = suite_create("battery");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, baselines_clean);
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
    tcase_add_test(tc, size_548_549);
    tcase_add_test(tc, size_576_577);
    tcase_add_test(tc, size_594_595);
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
    tcase_add_test(tc, l_baseline);
    tcase_add_test(tc, l01_request_slot);
    tcase_add_test(tc, l02_tokens);
    tcase_add_test(tc, l03_strings);
    tcase_add_test(tc, l04_pad);
    tcase_add_test(tc, l05_sid);
    tcase_add_test(tc, l06_reply_slot);
    tcase_add_test(tc, l07_nt_version);
    tcase_add_test(tc, l08_layout);
    tcase_add_test(tc, l09_ex);
    tcase_add_test(tc, l10_compression);
    tcase_add_test(tc, l11_addressing);
    tcase_add_test(tc, p01_p02_capture);
    tcase_add_test(tc, p03_decodes);
    tcase_add_test(tc, cve_2007_4572_logon_names);
    tcase_add_test(tc, cve_2007_6015_long_reply_slot);
    tcase_add_test(tc, cve_2014_3560_browser_names);
    tcase_add_test(tc, cve_2020_14303_empty);
    tcase_add_test(tc, cve_2011_0654_election_name);
    tcase_add_test(tc, cve_2006_3942_name_no_nul);
    tcase_add_test(tc, cve_2017_12893_label_past_end);
    tcase_add_test(tc, cve_2018_16451_trans_name);
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
    SRunner *sr = srunner_create(battery_suite());
    /* The coverage test reads counters the other tests left behind. */
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
