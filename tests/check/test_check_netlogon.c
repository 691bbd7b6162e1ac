/* SPDX-License-Identifier: MIT */
/* L- rules (src/check/check_netlogon.c): for each, one frame that breaks
 * it and one that just passes it.
 * Every frame is built here (encoders or raw octets; no captured octets)
 * and goes through decode, the full field walk and the validator on a
 * guarded copy (tests/support/battery.c), so an over-read faults.
 * coverage_every_rule (last) fails when one of these rules lacks a
 * breaking or a passing assertion here.
 *
 * Rule -> tests (break / pass). "@n" is the expected UDP payload offset.
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
 *  L-11 l11_addressing (0x12 to <1d> @48; 0x17 as 0x11 @0) / l11_addressing (<1c>, <1b>, <00>; response 0x10) */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "battery.h"
#include "guard.h"

/* ------------------------------------------------------------------ */
/* L-: NETLOGON frames                                                */
/* ------------------------------------------------------------------ */

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

START_TEST(coverage_every_rule)
{
    bt_coverage("check_netlogon");
}
END_TEST

static Suite *battery_suite(void)
{
    Suite *s = suite_create("check_netlogon");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 120);
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
    /* Last: judges what all the tests above asserted. */
    tcase_add_test(tc, coverage_every_rule);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(battery_suite(), NULL);
}
