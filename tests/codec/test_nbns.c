/* SPDX-License-Identifier: MIT */
/* NetBIOS Name Service codec (src/netbios/nbns.c): byte-exact vectors laid
 * out by hand from RFC 1002 §4.2 (query, positive/negative response,
 * registration, defence), round trips, every prefix against a guard page,
 * label-pointer abuse. The resolver and the responder have their own tests
 * in tests/transport/. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "mailslot/nbns.h"
#include "nbns_peer.h"

/* Encode p and compare with the expected hex. */
static void expect_encoding(const ms_nbns_packet *p, const char *want_hex)
{
    uint8_t want[600], got[600];
    size_t wl = hex(want_hex, want, sizeof want), gl = 0;
    ck_assert_int_eq(ms_nbns_encode(p, got, sizeof got, &gl), MS_OK);
    ck_assert_uint_eq(gl, wl);
    ck_assert_mem_eq(got, want, wl);
}

/* Decode from a guard page, re-encode, compare octets. */
static void round_trip(const uint8_t *b, size_t n, ms_nbns_packet *out)
{
    const uint8_t *g = guarded_copy(b, n);
    size_t off = 99999;
    ms_status st = ms_nbns_decode(g, n, out, &off);
    ck_assert_msg(st == MS_OK, "decode: %s at %zu", ms_strerror(st), off);
    uint8_t enc[600];
    size_t el = 0;
    ck_assert_int_eq(ms_nbns_encode(out, enc, sizeof enc, &el), MS_OK);
    ck_assert_uint_eq(el, n);
    ck_assert_mem_eq(enc, b, n);
}

/* §4.2.12 NAME QUERY REQUEST, broadcast: flags 0 0000 0010001 0000. */
static const char *QUERY_HEX =
    "1234 0110 0001 0000 0000 0000 " LABPEER_00 " 0020 0001";
/* §4.2.13 POSITIVE_HEX: in nbns_peer.h (the responder test sends it too). */
/* §4.2.14 NEGATIVE NAME QUERY RESPONSE: RCODE NAM_ERR, NULL record. */
static const char *NEGATIVE_HEX =
    "1234 8503 0000 0001 0000 0000 " LABPEER_00 " 000a 0001 00000000 0000";
/* §4.2.2 NAME REGISTRATION REQUEST, broadcast: OPCODE 5, RD, B; RR_NAME is
 * the pointer C00C to the question name; TTL 0 (B node), 192.168.1.20. */
static const char *REGISTRATION_HEX =
    "abcd 2910 0001 0000 0000 0001 " LABPEER_00 " 0020 0001 "
    "c00c 0020 0001 00000000 0006 0000 c0a80114";
/* §4.2.6 NEGATIVE NAME REGISTRATION RESPONSE (ACT_ERR) from the owner
 * 10.1.2.3: R OPCODE5 AA RD RA RCODE 6. */
static const char *DEFEND_HEX =
    "abcd ad86 0000 0001 0000 0000 " LABPEER_00 " 0020 0001 00000000 0006 0000 0a010203";

START_TEST(query_vector)
{
    ms_nb_name n = mkname("LABPEER", 0x00, NULL);
    ms_nbns_packet p;
    ms_nbns_query(&p, 0x1234, &n, true);
    expect_encoding(&p, QUERY_HEX);

    uint8_t b[600];
    size_t bl = hex(QUERY_HEX, b, sizeof b);
    ck_assert_uint_eq(bl, 50);
    ms_nbns_packet d;
    round_trip(b, bl, &d);
    ck_assert_uint_eq(d.trn_id, 0x1234);
    ck_assert(!(d.flags & MS_NBNS_RESPONSE));
    ck_assert_uint_eq(MS_NBNS_OPCODE(d.flags), MS_NBNS_OP_QUERY);
    ck_assert(d.flags & MS_NBNS_BROADCAST);
    ck_assert_uint_eq(d.qdcount, 1);
    ck_assert(d.q.name.valid);
    ck_assert_mem_eq(d.q.name.name, "LABPEER        \0", 16);
    ck_assert_uint_eq(d.q.type, MS_NBNS_TYPE_NB);
    ck_assert_uint_eq(d.q.klass, MS_NBNS_CLASS_IN);
    ck_assert_uint_eq(d.q.name_ptr, 0);
    ck_assert_uint_eq(d.trailing.len, 0);

    /* Unicast (to WINS): no B bit. */
    ms_nbns_query(&p, 0x1234, &n, false);
    uint8_t e[600];
    size_t el;
    ck_assert_int_eq(ms_nbns_encode(&p, e, sizeof e, &el), MS_OK);
    ck_assert_uint_eq(e[2], 0x01);
    ck_assert_uint_eq(e[3], 0x00);
}
END_TEST

START_TEST(positive_response_vector)
{
    uint8_t b[600];
    size_t bl = hex(QUERY_HEX, b, sizeof b);
    ms_nbns_packet q, r, d;
    ck_assert_int_eq(ms_nbns_decode(b, bl, &q, NULL), MS_OK);
    ms_nbns_positive_response(&r, &q, 0xC0A8010A, 0, MS_NBNS_DEFAULT_TTL);
    expect_encoding(&r, POSITIVE_HEX);

    bl = hex(POSITIVE_HEX, b, sizeof b);
    ck_assert_uint_eq(bl, 62);
    round_trip(b, bl, &d);
    ck_assert(d.flags & MS_NBNS_RESPONSE);
    ck_assert(d.flags & MS_NBNS_AA);
    ck_assert_uint_eq(MS_NBNS_RCODE(d.flags), 0);
    ck_assert_uint_eq(d.ancount, 1);
    ck_assert_ptr_eq(ms_nbns_subject(&d), &d.rr.name);
    ck_assert_uint_eq(d.rr.ttl, 300000);
    ck_assert_uint_eq(d.rr.naddrs, 1);
    ck_assert_uint_eq(d.rr.addrs[0].ip, 0xC0A8010A);
    ck_assert_uint_eq(d.rr.addrs[0].nb_flags, 0);
    ck_assert_uint_eq(d.rr.rdata.len, 0);

    /* Group owner: G bit. */
    ms_nbns_positive_response(&r, &q, 0xC0A8010A, MS_NBNS_NB_GROUP, 0);
    ck_assert_uint_eq(r.rr.addrs[0].nb_flags, MS_NBNS_NB_GROUP);
}
END_TEST

START_TEST(negative_response_vector)
{
    uint8_t b[600];
    size_t bl = hex(NEGATIVE_HEX, b, sizeof b);
    ck_assert_uint_eq(bl, 56);
    ms_nbns_packet d;
    round_trip(b, bl, &d);
    ck_assert_uint_eq(MS_NBNS_RCODE(d.flags), MS_NBNS_RCODE_NAM_ERR);
    ck_assert_uint_eq(d.rr.type, MS_NBNS_TYPE_NULL);
    ck_assert_uint_eq(d.rr.naddrs, 0);
    ck_assert_uint_eq(d.rr.rdata.len, 0);
    ck_assert_mem_eq(d.rr.name.name, "LABPEER        \0", 16);
}
END_TEST

START_TEST(registration_vector)
{
    ms_nb_name n = mkname("LABPEER", 0x00, NULL);
    ms_nbns_packet p, d;
    ms_nbns_registration(&p, 0xABCD, &n, 0xC0A80114, 0, 0, true);
    expect_encoding(&p, REGISTRATION_HEX);

    uint8_t b[600];
    size_t bl = hex(REGISTRATION_HEX, b, sizeof b);
    ck_assert_uint_eq(bl, 68);
    round_trip(b, bl, &d);
    ck_assert_uint_eq(MS_NBNS_OPCODE(d.flags), MS_NBNS_OP_REGISTRATION);
    ck_assert_uint_eq(d.qdcount, 1);
    ck_assert_uint_eq(d.arcount, 1);
    ck_assert_uint_eq(d.rr.name_ptr, 0xC00C);
    ck_assert_uint_eq(d.rr.name_inline, 0);
    ck_assert_uint_eq(d.rr.name.wire_len, 34);
    ck_assert_mem_eq(d.rr.name.wire, d.q.name.wire, 34);
    ck_assert(ms_nbns_name_equal(&d.rr.name, &n));
    ck_assert_uint_eq(d.rr.addrs[0].ip, 0xC0A80114);

    /* Defence of it. */
    ms_nbns_packet def;
    ms_nbns_defend(&def, &d, OUR_IP, 0);
    expect_encoding(&def, DEFEND_HEX);
    bl = hex(DEFEND_HEX, b, sizeof b);
    round_trip(b, bl, &d);
    ck_assert_uint_eq(MS_NBNS_RCODE(d.flags), MS_NBNS_RCODE_ACT_ERR);
    ck_assert_uint_eq(d.rr.addrs[0].ip, OUR_IP);
}
END_TEST

/* The other requests share the registration's layout (§4.2.3, 4.2.4, 4.2.9)
 * and differ in the flags word: overwrite 0x2810 (OPCODE 5, B, no RD),
 * refresh 0x4000 (OPCODE 8), release 0x3010 / 0x3000 (OPCODE 6, B when
 * broadcast). The H-node unique entry is 0x6000. */
#define REQ_BODY(ttl, flags, ip) \
    " 0001 0000 0000 0001 " LABPEER_00 " 0020 0001 c00c 0020 0001 " ttl " 0006 " flags " " ip
static const char *OVERWRITE_HEX = "0101 2810" REQ_BODY("00000000", "0000", "c0a80114");
static const char *REFRESH_HEX = "0102 4000" REQ_BODY("0000012c", "6000", "c0a80114");
static const char *RELEASE_B_HEX = "0103 3010" REQ_BODY("00000000", "8000", "c0a80114");
static const char *RELEASE_U_HEX = "0104 3000" REQ_BODY("00000000", "6000", "c0a80114");
/* §4.2.8 NAME CONFLICT DEMAND: R OPCODE5 AA RD RA RCODE 7, TTL 0, entry 0/0. */
static const char *CONFLICT_HEX =
    "0105 ad87 0000 0001 0000 0000 " LABPEER_00 " 0020 0001 00000000 0006 0000 00000000";

START_TEST(request_vectors)
{
    ms_nb_name n = mkname("LABPEER", 0x00, NULL);
    ms_nbns_packet p, d;
    uint8_t b[600];

    ms_nbns_overwrite(&p, 0x0101, &n, 0xC0A80114, MS_NBNS_ONT_B);
    expect_encoding(&p, OVERWRITE_HEX);
    ms_nbns_refresh(&p, 0x0102, &n, 0xC0A80114, MS_NBNS_ONT_H, 300);
    expect_encoding(&p, REFRESH_HEX);
    ms_nbns_release(&p, 0x0103, &n, 0xC0A80114, MS_NBNS_NB_GROUP, true);
    expect_encoding(&p, RELEASE_B_HEX);
    ms_nbns_release(&p, 0x0104, &n, 0xC0A80114, MS_NBNS_ONT_H, false);
    expect_encoding(&p, RELEASE_U_HEX);
    ms_nbns_conflict_demand(&p, 0x0105, &n);
    expect_encoding(&p, CONFLICT_HEX);

    size_t bl = hex(RELEASE_B_HEX, b, sizeof b);
    round_trip(b, bl, &d);
    ck_assert_uint_eq(MS_NBNS_OPCODE(d.flags), MS_NBNS_OP_RELEASE);
    ck_assert(d.flags & MS_NBNS_BROADCAST);
    ck_assert_uint_eq(d.rr.addrs[0].nb_flags, MS_NBNS_NB_GROUP);
    bl = hex(CONFLICT_HEX, b, sizeof b);
    round_trip(b, bl, &d);
    ck_assert_uint_eq(MS_NBNS_RCODE(d.flags), MS_NBNS_RCODE_CFT_ERR);
    ck_assert(ms_nbns_name_equal(&d.rr.name, &n));
}
END_TEST

/* "*" padded with NULs: CK then 15 × AA. */
#define STAR_NAME "20 434b414141414141414141414141414141414141414141414141414141414141 00"
/* §4.2.17 NODE STATUS REQUEST: no flags, NBSTAT/IN. */
static const char *STATUS_QUERY_HEX = "0201 0000 0001 0000 0000 0000 " STAR_NAME " 0021 0001";
/* §4.2.18 NODE STATUS RESPONSE: R AA; NBSTAT/IN, TTL 0, RDLENGTH 83 =
 * 1 + 2 × 18 + 46: LABPEER<00> unique active, WORKGROUP<1e> group active
 * H node; statistics: UNIT_ID 02:00:5e:10:00:01 then 40 zeros. */
static const char *STATUS_RESPONSE_HEX =
    "0201 8400 0000 0001 0000 0000 " STAR_NAME " 0021 0001 00000000 0053 02 "
    "4c4142504545522020202020202020 00 0400 "
    "574f524b47524f5550202020202020 1e e400 "
    "02005e100001 "
    "0000000000000000000000000000000000000000 0000000000000000000000000000000000000000";

START_TEST(node_status_vectors)
{
    uint8_t star[16] = { '*' };
    ms_nb_name any;
    ck_assert_int_eq(ms_nb_name_make(&any, star, NULL), MS_OK);
    ms_nbns_packet q, r, d;
    ms_nbns_status_query(&q, 0x0201, &any);
    expect_encoding(&q, STATUS_QUERY_HEX);

    static ms_nbns_node_status st, back;
    memset(&st, 0, sizeof st);
    st.nnames = 2;
    memcpy(st.names[0].name, "LABPEER        \x00", 16);
    st.names[0].flags = MS_NBNS_NAME_ACT;
    memcpy(st.names[1].name, "WORKGROUP      \x1e", 16);
    st.names[1].flags = MS_NBNS_NB_GROUP | MS_NBNS_ONT_H | MS_NBNS_NAME_ACT;
    memcpy(st.unit_id, "\x02\x00\x5e\x10\x00\x01", 6);
    uint8_t rd[600];
    size_t rdl = 0;
    ck_assert_int_eq(ms_nbns_node_status_encode(&st, rd, sizeof rd, &rdl), MS_OK);
    ck_assert_uint_eq(rdl, 83);
    ms_nbns_status_response(&r, &q, rd, rdl);
    expect_encoding(&r, STATUS_RESPONSE_HEX);
    /* One octet short of room: refused, nothing claimed written. */
    ck_assert_int_eq(ms_nbns_node_status_encode(&st, rd, rdl - 1, &rdl), MS_ERR_NO_SPACE);
    ck_assert_uint_eq(rdl, 0);

    uint8_t b[600];
    size_t bl = hex(STATUS_RESPONSE_HEX, b, sizeof b);
    round_trip(b, bl, &d);
    ck_assert_uint_eq(d.rr.type, MS_NBNS_TYPE_NBSTAT);
    ck_assert_uint_eq(d.rr.rdata.len, 83);
    size_t off = 0;
    ck_assert_int_eq(ms_nbns_node_status_decode(d.rr.rdata.p, d.rr.rdata.len, &back, &off), MS_OK);
    ck_assert_uint_eq(off, 83);
    ck_assert_uint_eq(back.nnames, 2);
    ck_assert_mem_eq(back.names[1].name, "WORKGROUP      \x1e", 16);
    ck_assert_uint_eq(back.names[1].flags, 0xE400);
    ck_assert(back.has_unit_id);
    ck_assert_mem_eq(back.unit_id, st.unit_id, 6);
    ck_assert_uint_eq(back.stats.len, MS_NBNS_STATS_LEN);

    /* Every cut inside the names is truncation at the entry it hits;
     * cuts in the statistics decode, keeping what came. */
    uint8_t rdata[83];
    memcpy(rdata, d.rr.rdata.p, sizeof rdata); /* off the guard slot, which is reused */
    for (size_t cut = 0; cut < 83; cut++) {
        const uint8_t *g = guarded_copy(rdata, cut);
        ms_status st2 = ms_nbns_node_status_decode(g, cut, &back, &off);
        if (cut < 37) {
            ck_assert_int_eq(st2, MS_ERR_TRUNCATED);
            ck_assert_uint_le(off, cut);
        } else {
            ck_assert_int_eq(st2, MS_OK);
            ck_assert_uint_eq(back.stats.len, cut - 37);
            ck_assert(back.has_unit_id == (cut - 37 >= 6));
        }
    }
    /* 255 names is the most NUM_NAMES can say. */
    st.nnames = MS_NBNS_STATUS_MAX_NAMES + 1;
    ck_assert_int_eq(ms_nbns_node_status_encode(&st, rd, sizeof rd, &rdl), MS_ERR_INVALID_ARG);
}
END_TEST

/* Shapes beyond the five vectors: scopes, several addresses, over 25
 * addresses, NBSTAT (raw RDATA), trailing octets, inline labels then a
 * pointer into a scope, a legal two-name chain. */
START_TEST(round_trips)
{
    uint8_t b[1200];
    ms_nbns_packet d;
    size_t bl;

    ms_nb_name s = mkname("FRED", 0x20, "NETBIOS.COM");
    ms_nbns_packet p;
    ms_nbns_query(&p, 7, &s, false);
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    round_trip(b, bl, &d);
    ck_assert(ms_nbns_name_equal(&d.q.name, &s));

    /* Three addresses for a group. */
    bl = hex("0001 8500 0000 0001 0000 0000 " WORKGROUP_1D " 0020 0001 00000000 0012 "
             "8000 0a000001 8000 0a000002 e000 0a000003", b, sizeof b);
    round_trip(b, bl, &d);
    ck_assert_uint_eq(d.rr.naddrs, 3);
    ck_assert_uint_eq(d.rr.addrs[2].nb_flags, 0xE000);
    ck_assert_uint_eq(d.rr.addrs[2].ip, 0x0A000003);

    /* 26 entries: the first 25 decoded, the octets kept. */
    bl = hex("0001 8500 0000 0001 0000 0000 " WORKGROUP_1D " 0020 0001 00000000 009c", b, sizeof b);
    for (int i = 0; i < 26; i++) {
        b[bl++] = 0x80;
        b[bl++] = 0;
        b[bl++] = 10;
        b[bl++] = 0;
        b[bl++] = 0;
        b[bl++] = (uint8_t)(i + 1);
    }
    round_trip(b, bl, &d);
    ck_assert_uint_eq(d.rr.naddrs, MS_NBNS_MAX_ADDRS);
    ck_assert_uint_eq(d.rr.rdata.len, 156);
    ck_assert_uint_eq(d.rr.addrs[24].ip, 0x0A000019);

    /* Odd RDLENGTH for NB, and NBSTAT: raw. Trailing octets kept. */
    bl = hex("0001 8500 0000 0001 0000 0000 " WORKGROUP_1D " 0020 0001 00000000 0005 0102030405 eeff",
             b, sizeof b);
    round_trip(b, bl, &d);
    ck_assert_uint_eq(d.rr.naddrs, 0);
    ck_assert_uint_eq(d.rr.rdata.len, 5);
    ck_assert_uint_eq(d.trailing.len, 2);
    bl = hex("0001 8400 0000 0001 0000 0000 " WORKGROUP_1D " 0021 0001 00000000 0003 01aabb",
             b, sizeof b);
    round_trip(b, bl, &d);
    ck_assert_uint_eq(d.rr.type, MS_NBNS_TYPE_NBSTAT);
    ck_assert_uint_eq(d.rr.rdata.len, 3);

    /* Registration of FRED<20>.NETBIOS.COM whose RR_NAME repeats the first
     * label and points at the question's scope (offset 12 + 33 = 0x2d). */
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    size_t qend = bl;
    b[3] = 0x00;
    b[2] = 0x29;  /* opcode 5, RD */
    b[11] = 1;    /* ARCOUNT */
    memcpy(b + bl, s.wire, 33);
    bl += 33;
    static const uint8_t tail[] = { 0xc0, 0x2d, 0, 0x20, 0, 1, 0, 0, 0, 0, 0, 6, 0, 0, 10, 0, 0, 9 };
    memcpy(b + bl, tail, sizeof tail);
    bl += sizeof tail;
    round_trip(b, bl, &d);
    ck_assert_uint_eq(d.rr.name_inline, 33);
    ck_assert_uint_eq(d.rr.name_ptr, 0xC02D);
    ck_assert(ms_nbns_name_equal(&d.rr.name, &s));
    ck_assert_uint_eq(d.rr.name.wire_len, s.wire_len);
    ck_assert_uint_eq(qend, 12 + s.wire_len + 4);
}
END_TEST

/* Every vector: each strict prefix fails cleanly against the guard page
 * with an in-range offset; the full packet decodes. */
START_TEST(prefixes_fail_cleanly)
{
    const char *v[] = { QUERY_HEX, POSITIVE_HEX, NEGATIVE_HEX, REGISTRATION_HEX, DEFEND_HEX };
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        uint8_t b[600];
        size_t bl = hex(v[k], b, sizeof b);
        for (size_t n = 0; n <= bl; n++) {
            const uint8_t *g = guarded_copy(b, n);
            ms_nbns_packet d;
            size_t off = 99999;
            ms_status st = ms_nbns_decode(g, n, &d, &off);
            if (n == bl)
                ck_assert_int_eq(st, MS_OK);
            else
                ck_assert_msg(st != MS_OK && off <= n, "vector %zu prefix %zu: %s off %zu", k, n,
                              ms_strerror(st), off);
        }
    }
}
END_TEST

/* Label pointers: self, forward, outside, a loop back to the run's own
 * start, chains over the hop bound; a short legal chain passes. */
START_TEST(pointer_abuse)
{
    uint8_t b[600];
    ms_nbns_packet d;
    size_t off, bl;

    /* Answer RR_NAME = C0 0C at offset 12: points at itself. */
    bl = hex("0001 8500 0000 0001 0000 0000 c00c 0020 0001 00000000 0000", b, sizeof b);
    ck_assert_int_eq(ms_nbns_decode(guarded_copy(b, bl), bl, &d, &off), MS_ERR_COMPRESSION);
    ck_assert_uint_eq(off, 12);
    /* Forward pointer (to 0x20) and a pointer past the end. */
    bl = hex("0001 8500 0000 0001 0000 0000 c020 0020 0001 00000000 0000", b, sizeof b);
    ck_assert_int_eq(ms_nbns_decode(guarded_copy(b, bl), bl, &d, &off), MS_ERR_COMPRESSION);
    bl = hex("0001 8500 0000 0001 0000 0000 ffff 0020 0001 00000000 0000", b, sizeof b);
    ck_assert_int_eq(ms_nbns_decode(guarded_copy(b, bl), bl, &d, &off), MS_ERR_COMPRESSION);
    /* Question 20 <32> C0 0C: the labels lead back to their own start. */
    bl = hex("0001 0110 0001 0000 0000 0000 "
             "20 454d454245434641454645464643434143414341434143414341434143414141 c00c 0020 0001",
             b, sizeof b);
    ck_assert_int_eq(ms_nbns_decode(guarded_copy(b, bl), bl, &d, &off), MS_ERR_COMPRESSION);
    ck_assert_uint_eq(off, 45);
    /* Registration whose question points backwards into the header, where
     * octet 11 (ARCOUNT low = 0x01) reads as a 1-octet label... then runs
     * into the question's own pointer again: rejected either way. */
    bl = hex("0001 2910 0001 0000 0000 0001 c00b 0020 0001", b, sizeof b);
    ck_assert_int_ne(ms_nbns_decode(guarded_copy(b, bl), bl, &d, &off), MS_OK);
    /* A reserved label type (0x40) inside an RR name. */
    bl = hex("0001 8500 0000 0001 0000 0000 40 0020 0001 00000000 0000", b, sizeof b);
    ck_assert_int_eq(ms_nbns_decode(guarded_copy(b, bl), bl, &d, &off), MS_ERR_NAME_LABEL);

    /* Chains: the question's 32-octet first label holds pointer pairs; the
     * pair at 13 points at 12 (the question itself), the pair at 13+2k at
     * the one before. RR_NAME points at pair h-1: h hops in all. The
     * first label is then not first-level letters, so the name is !valid,
     * but it is structurally sound. */
    for (unsigned h = 1; h <= 12; h++) {
        memset(b, 0, sizeof b);
        bl = hex("0001 8500 0001 0001 0000 0000 20", b, sizeof b);
        for (unsigned k = 0; k < 16; k++) {
            unsigned target = k == 0 ? 12 : 13 + 2 * (k - 1);
            b[bl++] = (uint8_t)(0xC0 | (target >> 8));
            b[bl++] = (uint8_t)target;
        }
        bl += hex("00 0020 0001", b + bl, sizeof b - bl);
        size_t rr_at = bl;
        unsigned first = 13 + 2 * (h - 1);
        b[bl++] = (uint8_t)(0xC0 | (first >> 8));
        b[bl++] = (uint8_t)first;
        bl += hex("0020 0001 00000000 0000", b + bl, sizeof b - bl);
        ms_status st = ms_nbns_decode(guarded_copy(b, bl), bl, &d, &off);
        if (h + 1 <= MS_NBNS_MAX_HOPS) {
            /* h hops through pairs, plus the last one into offset 12. */
            ck_assert_msg(st == MS_OK, "hops %u: %s", h, ms_strerror(st));
            ck_assert(!d.rr.name.valid);
            ck_assert_uint_eq(d.rr.name.wire_len, 34);
            ck_assert_mem_eq(d.rr.name.wire, d.q.name.wire, 34);
            round_trip(b, bl, &d);
        } else {
            ck_assert_int_eq(st, MS_ERR_COMPRESSION);
            ck_assert_uint_ge(off, 13);
            ck_assert_uint_le(off, rr_at);
        }
    }
}
END_TEST

START_TEST(counts_and_space)
{
    uint8_t b[600];
    ms_nbns_packet d;
    size_t off, bl;
    bl = hex("0001 0110 0002 0000 0000 0000 " LABPEER_00 " 0020 0001", b, sizeof b);
    ck_assert_int_eq(ms_nbns_decode(b, bl, &d, &off), MS_ERR_TOO_MANY);
    bl = hex("0001 0110 0001 0001 0000 0001 " LABPEER_00 " 0020 0001", b, sizeof b);
    ck_assert_int_eq(ms_nbns_decode(b, bl, &d, &off), MS_ERR_TOO_MANY);
    /* Header only: fine, and round-trips. */
    bl = hex("0001 0110 0000 0000 0000 0000", b, sizeof b);
    round_trip(b, bl, &d);

    /* Encoder: every short buffer fails with NO_SPACE. */
    bl = hex(REGISTRATION_HEX, b, sizeof b);
    ck_assert_int_eq(ms_nbns_decode(b, bl, &d, NULL), MS_OK);
    for (size_t cap = 0; cap < bl; cap++) {
        uint8_t out[600];
        size_t ol = 1;
        ck_assert_int_eq(ms_nbns_encode(&d, out, cap, &ol), MS_ERR_NO_SPACE);
        ck_assert_uint_eq(ol, 0);
    }
    /* A pointer the encoder cannot write. */
    d.rr.name_ptr = 0x000C;
    size_t ol;
    ck_assert_int_eq(ms_nbns_encode(&d, b, sizeof b, &ol), MS_ERR_INVALID_ARG);
}
END_TEST

START_TEST(name_equality)
{
    ms_nb_name a = mkname("LABPEER", 0x00, NULL);
    ms_nb_name lower = mkname("labpeer", 0x00, NULL);
    ms_nb_name other_suffix = mkname("LABPEER", 0x20, NULL);
    ms_nb_name scoped = mkname("LABPEER", 0x00, "corp");
    ms_nb_name scoped_up = mkname("labpeer", 0x00, "CORP");
    ck_assert(ms_nbns_name_equal(&a, &lower));
    ck_assert(!ms_nbns_name_equal(&a, &other_suffix));
    ck_assert(!ms_nbns_name_equal(&a, &scoped));
    ck_assert(ms_nbns_name_equal(&scoped, &scoped_up));
}
END_TEST

/* Run the responder in a child for at most ms milliseconds. */
static Suite *suite(void)
{
    Suite *s = suite_create("nbns");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, query_vector);
    tcase_add_test(tc, positive_response_vector);
    tcase_add_test(tc, negative_response_vector);
    tcase_add_test(tc, registration_vector);
    tcase_add_test(tc, request_vectors);
    tcase_add_test(tc, node_status_vectors);
    tcase_add_test(tc, round_trips);
    tcase_add_test(tc, prefixes_fail_cleanly);
    tcase_add_test(tc, pointer_abuse);
    tcase_add_test(tc, counts_and_space);
    tcase_add_test(tc, name_equality);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
