/* SPDX-License-Identifier: MIT */
/* NetBIOS Name Service: byte-exact vectors laid out by hand from RFC 1002
 * §4.2 (query, positive/negative response, registration, defence), round
 * trips, every prefix against a guard page, label-pointer abuse, the hosts
 * file, and resolver + responder talking over 127.0.0.1 only. */
#include <check.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/nbns.h"
#include "mailslot/nbns_responder.h"
#include "mailslot/nbns_resolve.h"

#define LOOPBACK 0x7F000001u
#define OUR_IP 0x0A010203u /* 10.1.2.3: only data, never contacted */

/* "LABPEER" + 8 spaces + <00>, first-level encoded (RFC 1001 §14.1). */
#define LABPEER_00 "20 454d454245434641454645464643434143414341434143414341434143414141 00"
/* "WORKGROUP<1d>" */
#define WORKGROUP_1D "20 464845504643454c4548464345504646464143414341434143414341434142 4e 00"

static ms_nb_name mkname(const char *text, uint8_t suffix, const char *scope)
{
    uint8_t n16[16];
    ms_nb_name n;
    ck_assert_int_eq(ms_nb_name_pad(n16, text, strlen(text), suffix), MS_OK);
    ck_assert_int_eq(ms_nb_name_make(&n, n16, scope), MS_OK);
    return n;
}

static size_t hex(const char *h, uint8_t *out, size_t cap)
{
    return hex_to_bytes(h, out, cap);
}

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
/* §4.2.13 POSITIVE NAME QUERY RESPONSE: R AA RD; TTL 300000; one entry,
 * unique B node, 192.168.1.10. */
static const char *POSITIVE_HEX =
    "1234 8500 0000 0001 0000 0000 " LABPEER_00 " 0020 0001 000493e0 0006 0000 c0a8010a";
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
    ms_nbns_positive_response(&r, &q, 0xC0A8010A, false, MS_NBNS_DEFAULT_TTL);
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
    ms_nbns_positive_response(&r, &q, 0xC0A8010A, true, 0);
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
    ms_nbns_registration(&p, 0xABCD, &n, 0xC0A80114, false, 0, true);
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
    ms_nbns_defend(&def, &d, OUR_IP);
    expect_encoding(&def, DEFEND_HEX);
    bl = hex(DEFEND_HEX, b, sizeof b);
    round_trip(b, bl, &d);
    ck_assert_uint_eq(MS_NBNS_RCODE(d.flags), MS_NBNS_RCODE_ACT_ERR);
    ck_assert_uint_eq(d.rr.addrs[0].ip, OUR_IP);
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

/* ---- hosts file ------------------------------------------------------ */

static char hosts_path[256];

static void write_hosts(const char *text)
{
    snprintf(hosts_path, sizeof hosts_path, "/tmp/ms_nbns_hosts_%ld", (long)getpid());
    FILE *f = fopen(hosts_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static ms_status hosts(const char *text, uint8_t suffix, uint32_t *ip)
{
    ms_nb_name n = mkname(text, suffix, NULL);
    char err[256] = "";
    ms_status st = ms_nbns_hosts_lookup(hosts_path, &n, ip, err, sizeof err);
    if (st != MS_OK)
        ck_assert_msg(err[0] && !strchr(err, '\n'), "one-line error wanted: %s", err);
    return st;
}

START_TEST(hosts_file)
{
    char longline[3000];
    memset(longline, 'x', sizeof longline);
    memcpy(longline, "10.9.9.9 LONGNAME ", 18);
    longline[sizeof longline - 2] = '\n';
    longline[sizeof longline - 1] = 0;
    char text[4096];
    snprintf(text, sizeof text,
             "# LMHOSTS for the test\n"
             "   # indented comment 10.0.0.99 LABPEER\n"
             "\n"
             "192.168.1.5   labpeer\n"
             "10.0.0.2\tWORKGROUP#1d\n"
             "10.0.0.3 WORKGROUP   #PRE #DOM:WORKGROUP\n"
             "300.1.1.1 BADIP\n"
             "10.0.0.4\n"
             "10.0.0.5 WAYTOOLONGNETBIOSNAME\n"
             "10.0.0.6 CRLFHOST\r\n"
             "%s"
             "10.0.0.7 AFTERLONG\n"
             "10.0.0.8 LASTLINE", longline);
    write_hosts(text);
    uint32_t ip = 0;
    ck_assert_int_eq(hosts("LABPEER", 0x20, &ip), MS_OK); /* no #xx: any suffix */
    ck_assert_uint_eq(ip, 0xC0A80105);
    ck_assert_int_eq(hosts("LabPeer", 0x00, &ip), MS_OK);
    ck_assert_uint_eq(ip, 0xC0A80105);
    ck_assert_int_eq(hosts("WORKGROUP", 0x1d, &ip), MS_OK);
    ck_assert_uint_eq(ip, 0x0A000002);
    ck_assert_int_eq(hosts("WORKGROUP", 0x00, &ip), MS_OK); /* #1d line skipped */
    ck_assert_uint_eq(ip, 0x0A000003);
    ck_assert_int_eq(hosts("BADIP", 0x00, &ip), MS_ERR_NOT_FOUND);
    ck_assert_int_eq(hosts("CRLFHOST", 0x20, &ip), MS_OK);
    ck_assert_uint_eq(ip, 0x0A000006);
    ck_assert_int_eq(hosts("LONGNAME", 0x00, &ip), MS_ERR_NOT_FOUND);
    ck_assert_int_eq(hosts("AFTERLONG", 0x00, &ip), MS_OK);
    ck_assert_uint_eq(ip, 0x0A000007);
    ck_assert_int_eq(hosts("LASTLINE", 0x00, &ip), MS_OK);
    ck_assert_uint_eq(ip, 0x0A000008);
    ck_assert_int_eq(hosts("NOSUCH", 0x00, &ip), MS_ERR_NOT_FOUND);

    /* Through the resolver: the map answers, no socket needed. */
    ms_nb_name n = mkname("labpeer", 0x00, NULL);
    ms_resolve_opts o = { .hosts_file = hosts_path, .timeout_ms = 100 };
    uint32_t ips[4];
    size_t cnt = 4;
    char err[256];
    ck_assert_int_eq(ms_nbns_resolve(&n, &o, ips, &cnt, err, sizeof err), MS_OK);
    ck_assert_uint_eq(cnt, 1);
    ck_assert_uint_eq(ips[0], 0xC0A80105);

    unlink(hosts_path);
    ck_assert_int_eq(hosts("LABPEER", 0x00, &ip), MS_ERR_SYSTEM);
    /* A missing map is an error for the resolver too, not a silent miss. */
    cnt = 4;
    ck_assert_int_eq(ms_nbns_resolve(&n, &o, ips, &cnt, err, sizeof err), MS_ERR_SYSTEM);
    ck_assert_ptr_nonnull(strstr(err, hosts_path));
}
END_TEST

/* ---- loopback: responder and resolver ---------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A UDP port on 127.0.0.1 that was free a moment ago: the kernel's pick,
 * so parallel test runs do not collide on a fixed number. */
static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static ms_nbns_responder *open_responder(uint16_t *port)
{
    ms_nb_name names[2] = { mkname("LABPEER", 0x00, NULL), mkname("LABPEER", 0x20, NULL) };
    char err[256] = "";
    ms_nbns_responder *r = NULL;
    for (int tries = 0; tries < 5 && !r; tries++) {
        *port = free_port();
        r = ms_nbns_responder_open(LOOPBACK, *port, OUR_IP, names, 2, err, sizeof err);
    }
    ck_assert_msg(r != NULL, "%s", err);
    ms_nb_name g = mkname("LABGROUP", 0x00, NULL);
    ck_assert_int_eq(ms_nbns_responder_add(r, &g, true), MS_OK);
    return r;
}

/* Run the responder in a child for at most ms milliseconds. */
static pid_t serve_in_child(ms_nbns_responder *r, int ms)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int64_t end = now_ms() + ms;
        while (now_ms() < end) {
            struct pollfd pfd = { .fd = ms_nbns_responder_fd(r), .events = POLLIN };
            if (poll(&pfd, 1, 50) > 0 && ms_nbns_responder_handle(r) < 0)
                _exit(2);
        }
        _exit(0);
    }
    return pid;
}

/* SIGKILL: the child inherits Check's SIGTERM handler, which would pass
 * the signal on to the whole process group. */
static void stop_child(pid_t pid)
{
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
}

START_TEST(resolve_over_loopback)
{
    uint16_t port;
    ms_nbns_responder *r = open_responder(&port);
    pid_t pid = serve_in_child(r, 8000);
    ms_nbns_responder_close(r); /* the child has its own copy */

    uint32_t ips[4];
    size_t n;
    char err[256];

    /* Unicast, "WINS" = the responder; lower-case query matches. */
    ms_resolve_opts o = { .wins_ip = LOOPBACK, .bind_ip = LOOPBACK, .timeout_ms = 1500, .port = port };
    ms_nb_name name = mkname("labpeer", 0x20, NULL);
    n = 4;
    ms_status st = ms_nbns_resolve(&name, &o, ips, &n, err, sizeof err);
    ck_assert_msg(st == MS_OK, "%s", err);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(ips[0], OUR_IP);

    /* "Broadcast" path (B bit set), aimed at 127.0.0.1 so nothing leaves
     * the host. */
    ms_resolve_opts b = { .bcast_ip = LOOPBACK, .bind_ip = LOOPBACK, .timeout_ms = 1500, .port = port };
    name = mkname("LABPEER", 0x00, NULL);
    n = 1;
    st = ms_nbns_resolve(&name, &b, ips, &n, err, sizeof err);
    ck_assert_msg(st == MS_OK, "%s", err);
    ck_assert_uint_eq(ips[0], OUR_IP);

    /* A group name of ours. */
    name = mkname("LABGROUP", 0x00, NULL);
    n = 4;
    ck_assert_int_eq(ms_nbns_resolve(&name, &o, ips, &n, err, sizeof err), MS_OK);

    /* Someone else's name: silence, NOT_FOUND once the timeout passes. */
    name = mkname("OTHERPEER", 0x00, NULL);
    o.timeout_ms = 600;
    n = 4;
    int64_t t0 = now_ms();
    st = ms_nbns_resolve(&name, &o, ips, &n, err, sizeof err);
    int64_t took = now_ms() - t0;
    ck_assert_int_eq(st, MS_ERR_NOT_FOUND);
    ck_assert_uint_eq(n, 0);
    ck_assert_msg(took >= 550 && took < 1600, "took %lld ms", (long long)took);
    ck_assert_msg(strstr(err, "OTHERPEER<00>") && !strchr(err, '\n'), "%s", err);
    /* Our name with another suffix is not ours either. */
    name = mkname("LABPEER", 0x1d, NULL);
    n = 4;
    ck_assert_int_eq(ms_nbns_resolve(&name, &o, ips, &n, err, sizeof err), MS_ERR_NOT_FOUND);

    stop_child(pid);
}
END_TEST

/* A fake NBNS that answers every query negatively (RCODE NAM_ERR, NULL
 * record): the resolver gives up at once. */
START_TEST(resolve_negative)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    uint16_t port = ntohs(a.sin_port);

    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int64_t end = now_ms() + 5000;
        while (now_ms() < end) {
            struct pollfd pfd = { .fd = fd, .events = POLLIN };
            if (poll(&pfd, 1, 50) <= 0)
                continue;
            uint8_t in[600], out[600];
            struct sockaddr_in from;
            socklen_t fl = sizeof from;
            ssize_t got = recvfrom(fd, in, sizeof in, 0, (struct sockaddr *)&from, &fl);
            ms_nbns_packet q, r;
            if (got <= 0 || ms_nbns_decode(in, (size_t)got, &q, NULL) != MS_OK)
                continue;
            ms_nbns_positive_response(&r, &q, 0, false, 0);
            r.flags |= MS_NBNS_RCODE_NAM_ERR;
            r.rr.type = MS_NBNS_TYPE_NULL;
            r.rr.naddrs = 0;
            size_t ol;
            if (ms_nbns_encode(&r, out, sizeof out, &ol) == MS_OK)
                sendto(fd, out, ol, 0, (struct sockaddr *)&from, fl);
        }
        _exit(0);
    }
    close(fd);

    ms_resolve_opts o = { .wins_ip = LOOPBACK, .timeout_ms = 3000, .port = port };
    ms_nb_name name = mkname("GHOST", 0x00, NULL);
    uint32_t ips[2];
    size_t n = 2;
    char err[256];
    int64_t t0 = now_ms();
    ck_assert_int_eq(ms_nbns_resolve(&name, &o, ips, &n, err, sizeof err), MS_ERR_NOT_FOUND);
    ck_assert_msg(now_ms() - t0 < 1500, "negative answer not taken at once");
    ck_assert_msg(strstr(err, "negative") && strstr(err, "NAM_ERR"), "%s", err);
    stop_child(pid);
}
END_TEST

static int client_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void send_to(int fd, uint16_t port, const uint8_t *b, size_t n)
{
    struct sockaddr_in d = { .sin_family = AF_INET, .sin_port = htons(port) };
    d.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(sendto(fd, b, n, 0, (struct sockaddr *)&d, sizeof d), (ssize_t)n);
}

/* Let the responder take what was sent: wait for readability (bounded),
 * then one handle() call. */
static int pump(ms_nbns_responder *r, int wait_ms)
{
    struct pollfd pfd = { .fd = ms_nbns_responder_fd(r), .events = POLLIN };
    if (poll(&pfd, 1, wait_ms) <= 0)
        return 0;
    return ms_nbns_responder_handle(r);
}

static ssize_t recv_reply(int fd, uint8_t *b, size_t cap, int wait_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    if (poll(&pfd, 1, wait_ms) <= 0)
        return -1;
    return recv(fd, b, cap, 0);
}

START_TEST(responder_defends)
{
    uint16_t port;
    ms_nbns_responder *r = open_responder(&port);
    int c = client_socket();
    uint8_t b[600];
    size_t bl;
    ms_nbns_packet p, d;

    /* Another host claims LABPEER<00>: ACT_ERR back to it, naming us. */
    ms_nb_name ours = mkname("LabPeer", 0x00, NULL);
    ms_nbns_registration(&p, 0x4242, &ours, 0x0A090909, false, 0, true);
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    ck_assert_int_eq(pump(r, 1000), 1);
    ssize_t got = recv_reply(c, b, sizeof b, 1000);
    ck_assert_int_gt(got, 0);
    ck_assert_int_eq(ms_nbns_decode(b, (size_t)got, &d, NULL), MS_OK);
    ck_assert_uint_eq(d.trn_id, 0x4242);
    ck_assert(d.flags & MS_NBNS_RESPONSE);
    ck_assert_uint_eq(MS_NBNS_OPCODE(d.flags), MS_NBNS_OP_REGISTRATION);
    ck_assert_uint_eq(MS_NBNS_RCODE(d.flags), MS_NBNS_RCODE_ACT_ERR);
    ck_assert(ms_nbns_name_equal(&d.rr.name, &ours));
    ck_assert_uint_eq(d.rr.naddrs, 1);
    ck_assert_uint_eq(d.rr.addrs[0].ip, OUR_IP);

    /* Silence for: our own claim echoed back, a group name of ours, a name
     * that is not ours, a response, NBSTAT, junk and an empty datagram. */
    ms_nbns_registration(&p, 1, &ours, OUR_IP, false, 0, true);
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    ms_nb_name grp = mkname("LABGROUP", 0x00, NULL);
    ms_nbns_registration(&p, 2, &grp, 0x0A090909, true, 0, true);
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    ms_nb_name other = mkname("OTHER", 0x00, NULL);
    ms_nbns_query(&p, 3, &other, true);
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    bl = hex(POSITIVE_HEX, b, sizeof b);
    send_to(c, port, b, bl);
    ms_nbns_query(&p, 4, &ours, true);
    p.q.type = MS_NBNS_TYPE_NBSTAT;
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    send_to(c, port, (const uint8_t *)"\xff\xff\xff", 3);
    send_to(c, port, b, 0);
    int answered = pump(r, 1000);
    for (int i = 0; i < 4; i++)
        answered += pump(r, 50);
    ck_assert_int_eq(answered, 0);
    ck_assert_int_lt(recv_reply(c, b, sizeof b, 200), 0);

    /* And a plain query still gets its answer, to the sender's port. */
    ms_nbns_query(&p, 5, &ours, false);
    ck_assert_int_eq(ms_nbns_encode(&p, b, sizeof b, &bl), MS_OK);
    send_to(c, port, b, bl);
    ck_assert_int_eq(pump(r, 1000), 1);
    got = recv_reply(c, b, sizeof b, 1000);
    ck_assert_int_gt(got, 0);
    ck_assert_int_eq(ms_nbns_decode(b, (size_t)got, &d, NULL), MS_OK);
    ck_assert_uint_eq(d.trn_id, 5);
    ck_assert_uint_eq(d.flags, 0x8500);
    ck_assert_uint_eq(d.rr.ttl, MS_NBNS_DEFAULT_TTL);
    ck_assert_uint_eq(d.rr.addrs[0].ip, OUR_IP);

    close(c);
    ms_nbns_responder_close(r);
}
END_TEST

START_TEST(responder_open_errors)
{
    char err[256] = "";
    ms_nb_name bad;
    memset(&bad, 0, sizeof bad);
    ck_assert_ptr_null(ms_nbns_responder_open(LOOPBACK, 1, OUR_IP, &bad, 1, err, sizeof err));
    ck_assert(err[0] && !strchr(err, '\n'));
    /* Binding a port someone holds without SO_REUSEADDR fails with a text. */
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    ms_nb_name n = mkname("X", 0, NULL);
    err[0] = 0;
    ms_nbns_responder *r = ms_nbns_responder_open(LOOPBACK, ntohs(a.sin_port), OUR_IP, &n, 1, err,
                                                  sizeof err);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err, "bind") != NULL, "%s", err);
    close(fd);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("nbns");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, query_vector);
    tcase_add_test(tc, positive_response_vector);
    tcase_add_test(tc, negative_response_vector);
    tcase_add_test(tc, registration_vector);
    tcase_add_test(tc, round_trips);
    tcase_add_test(tc, prefixes_fail_cleanly);
    tcase_add_test(tc, pointer_abuse);
    tcase_add_test(tc, counts_and_space);
    tcase_add_test(tc, name_equality);
    tcase_add_test(tc, hosts_file);
    suite_add_tcase(s, tc);
    TCase *net = tcase_create("loopback");
    tcase_set_timeout(net, 30);
    tcase_add_test(net, resolve_over_loopback);
    tcase_add_test(net, resolve_negative);
    tcase_add_test(net, responder_defends);
    tcase_add_test(net, responder_open_errors);
    suite_add_tcase(s, net);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
