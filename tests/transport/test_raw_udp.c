/* SPDX-License-Identifier: MIT */
/* UDP over raw sockets (src/transport/raw_udp.c, raw_udp_wire.c): the UDP
 * header and its checksum against vectors worked out by hand; the parser
 * of what a raw socket reads on crafted packets; and, with CAP_NET_RAW,
 * over 127.0.0.1: a raw reader takes nothing from the UDP socket that
 * holds a port (exact address or wildcard) and still sees every
 * datagram; a raw sender's datagrams arrive whole from the port it
 * wrote, with a checksum that verifies. Without CAP_NET_RAW the live
 * part is skipped (skip_or_fail: fails under MAILSLOT_REQUIRE_ALL). */
#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/raw_udp.h"

#define LO 0x7F000001u

/* ---- the UDP header ---------------------------------------------------- */

/* 192.0.2.20:138 -> 192.0.2.10:138, payload "hi!" (odd: padded with 0).
 * Words: pseudo-header C000 0214 C000 020A 0011 000B, header 008A 008A
 * 000B 0000, payload 6869 2100. Sum 0x20EC2, folded 0x0EC4, complement
 * 0xF13B. */
START_TEST(header_checksum_by_hand)
{
    uint8_t h[MS_UDP_HDR_LEN];
    ck_assert_int_eq(ms_udp_header_build(0xC0000214u, 138, 0xC000020Au, 138,
                                         (const uint8_t *)"hi!", 3, h),
                     MS_OK);
    static const uint8_t want[] = { 0x00, 0x8A, 0x00, 0x8A, 0x00, 0x0B, 0xF1, 0x3B };
    ck_assert_mem_eq(h, want, sizeof want);
}
END_TEST

/* The same addresses, payload 7A A7: without it the words sum (folded)
 * to 0x8558, with it to 0xFFFF, whose complement 0 goes out as 0xFFFF. */
START_TEST(header_zero_sum_sent_as_ffff)
{
    static const uint8_t pl[] = { 0x7A, 0xA7 };
    uint8_t h[MS_UDP_HDR_LEN];
    ck_assert_int_eq(ms_udp_header_build(0xC0000214u, 138, 0xC000020Au, 138, pl, 2, h), MS_OK);
    static const uint8_t want[] = { 0x00, 0x8A, 0x00, 0x8A, 0x00, 0x0A, 0xFF, 0xFF };
    ck_assert_mem_eq(h, want, sizeof want);
}
END_TEST

/* 17 octets: four-octet steps and an odd tail. The checksum from an
 * independent computation (a plain 16-bit word loop in Python). */
START_TEST(header_checksum_longer)
{
    uint8_t h[MS_UDP_HDR_LEN];
    ck_assert_int_eq(ms_udp_header_build(LO, 138, 0xC00002FFu, 40000,
                                         (const uint8_t *)"\\MAILSLOT\\BROWSE!", 17, h),
                     MS_OK);
    static const uint8_t want[] = { 0x00, 0x8A, 0x9C, 0x40, 0x00, 0x19, 0x90, 0x6C };
    ck_assert_mem_eq(h, want, sizeof want);
}
END_TEST

static bool checksum_verifies(uint32_t src, uint32_t dst, const uint8_t *udp, size_t ulen);

/* Every length from 0 to 99 (each alignment and tail), payload octets
 * 0xF0.. so that sums carry: verified by the octet-by-octet RFC 1071
 * check below, with the header in place. */
START_TEST(header_checksum_every_length)
{
    uint8_t seg[MS_UDP_HDR_LEN + 100];
    size_t n = (size_t)_i;
    for (size_t i = 0; i < n; i++)
        seg[MS_UDP_HDR_LEN + i] = (uint8_t)(0xF0 + i * 7);
    ck_assert_int_eq(ms_udp_header_build(0xC0000214u, 138, 0xC000020Au, 138,
                                         seg + MS_UDP_HDR_LEN, n, seg),
                     MS_OK);
    ck_assert(checksum_verifies(0xC0000214u, 0xC000020Au, seg, MS_UDP_HDR_LEN + n));
}
END_TEST

START_TEST(header_too_big)
{
    static uint8_t big[MS_RAW_UDP_MAX_PAYLOAD + 1];
    uint8_t h[MS_UDP_HDR_LEN];
    ck_assert_int_eq(ms_udp_header_build(LO, 1, LO, 2, big, sizeof big - 1, h), MS_OK);
    ck_assert_uint_eq((h[4] << 8) | h[5], 65515);
    ck_assert_int_eq(ms_udp_header_build(LO, 1, LO, 2, big, sizeof big, h), MS_ERR_TOO_BIG);
}
END_TEST

/* ---- the parser ------------------------------------------------------- */

/* An IPv4 packet: header of 20 + opt octets (options 0x01 = NOP), the UDP
 * header with length field ulen, then n payload octets; total is the IP
 * total length field. Returns the octets written. */
static size_t craft(uint8_t *out, size_t opt, uint16_t total, uint16_t frag, uint8_t proto,
                    uint16_t dport, uint16_t ulen, const char *payload, size_t n)
{
    size_t hl = 20 + opt;
    memset(out, 0, hl + 8 + n);
    out[0] = (uint8_t)(0x40 | (hl / 4));
    out[2] = (uint8_t)(total >> 8);
    out[3] = (uint8_t)total;
    out[6] = (uint8_t)(frag >> 8);
    out[7] = (uint8_t)frag;
    out[8] = 64;
    out[9] = proto;
    static const uint8_t src[] = { 192, 0, 2, 10 }, dst[] = { 192, 0, 2, 20 };
    memcpy(out + 12, src, 4);
    memcpy(out + 16, dst, 4);
    memset(out + 20, 0x01, opt);
    uint8_t *u = out + hl;
    u[0] = 0;
    u[1] = 138; /* source port 138 */
    u[2] = (uint8_t)(dport >> 8);
    u[3] = (uint8_t)dport;
    u[4] = (uint8_t)(ulen >> 8);
    u[5] = (uint8_t)ulen;
    memcpy(u + 8, payload, n);
    return hl + 8 + n;
}

static uint8_t pkt[256];

START_TEST(parse_plain)
{
    size_t n = craft(pkt, 0, 33, 0, 17, 138, 13, "hello", 5);
    ms_raw_udp_packet p;
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_OK);
    ck_assert_uint_eq(p.src_ip, 0xC000020Au);
    ck_assert_uint_eq(p.dst_ip, 0xC0000214u);
    ck_assert_uint_eq(p.sport, 138);
    ck_assert_uint_eq(p.dport, 138);
    ck_assert_uint_eq(p.payload_off, 28);
    ck_assert_uint_eq(p.payload_len, 5);
    ck_assert_uint_eq(p.orig_payload_len, 5);
    ck_assert(!p.truncated);
    ck_assert_mem_eq(pkt + p.payload_off, "hello", 5);
}
END_TEST

START_TEST(parse_options_skipped)
{
    size_t n = craft(pkt, 12, 45, 0x4000 /* DF */, 17, 138, 13, "hello", 5);
    ms_raw_udp_packet p;
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_OK);
    ck_assert_uint_eq(p.payload_off, 40);
    ck_assert_uint_eq(p.payload_len, 5);
    ck_assert_mem_eq(pkt + 40, "hello", 5);
}
END_TEST

/* Every prefix shorter than the two headers (with 8 octets of options). */
START_TEST(parse_truncated_headers)
{
    size_t n = craft(pkt, 8, 41, 0, 17, 138, 13, "hello", 5);
    ck_assert_uint_eq(n, 41);
    ms_raw_udp_packet p;
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, (size_t)_i), (size_t)_i, &p),
                     MS_ERR_TRUNCATED);
}
END_TEST

/* A buffer shorter than the packet: what is there, flagged truncated. */
START_TEST(parse_truncated_payload)
{
    size_t n = craft(pkt, 0, 33, 0, 17, 138, 13, "hello", 5);
    ms_raw_udp_packet p;
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n - 2), n - 2, &p), MS_OK);
    ck_assert_uint_eq(p.payload_len, 3);
    ck_assert_uint_eq(p.orig_payload_len, 5);
    ck_assert(p.truncated);
}
END_TEST

/* Octets past the UDP length (padding) are not payload. */
START_TEST(parse_padding_ignored)
{
    size_t n = craft(pkt, 0, 33, 0, 17, 138, 11, "hello", 5);
    ms_raw_udp_packet p;
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_OK);
    ck_assert_uint_eq(p.payload_len, 3);
    ck_assert(!p.truncated);
}
END_TEST

START_TEST(parse_refuses_bad_fields)
{
    ms_raw_udp_packet p;
    size_t n = craft(pkt, 0, 33, 0, 17, 138, 13, "hello", 5);
    pkt[0] = 0x45 + 0x10; /* version 5 */
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_ERR_BAD_INPUT);
    pkt[0] = 0x44; /* IHL 4: 16 octets */
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_ERR_BAD_INPUT);
    n = craft(pkt, 0, 33, 0, 6, 138, 13, "hello", 5); /* TCP */
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_ERR_BAD_INPUT);
    n = craft(pkt, 0, 33, 0x2000, 17, 138, 13, "hello", 5); /* more fragments */
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_ERR_BAD_INPUT);
    n = craft(pkt, 0, 33, 0x0001, 17, 138, 13, "hello", 5); /* a later fragment */
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_ERR_BAD_INPUT);
    n = craft(pkt, 0, 27, 0, 17, 138, 13, "hello", 5); /* total < 20 + 8 */
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_ERR_BAD_INPUT);
    n = craft(pkt, 0, 33, 0, 17, 138, 7, "hello", 5); /* UDP length < 8 */
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_ERR_BAD_INPUT);
    n = craft(pkt, 0, 33, 0, 17, 138, 14, "hello", 5); /* past the IP packet */
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_ERR_BAD_INPUT);
    n = craft(pkt, 0, 33, 0, 17, 138, 13, "hello", 5);
    ck_assert_int_eq(ms_raw_udp_parse(guarded_copy(pkt, n), n, &p), MS_OK);
}
END_TEST

START_TEST(filter_port_and_address)
{
    ms_raw_udp_packet p;
    size_t n = craft(pkt, 0, 33, 0, 17, 138, 13, "hello", 5);
    ck_assert_int_eq(ms_raw_udp_parse(pkt, n, &p), MS_OK);
    ms_raw_udp_filter f = { 138, 0xC0000214u, 0xC00002FFu };
    ck_assert(ms_raw_udp_match(&p, &f)); /* to our address */
    f.port = 139;
    ck_assert(!ms_raw_udp_match(&p, &f)); /* the wrong port */
    f.port = 138;
    p.dst_ip = 0xC0000215u;
    ck_assert(!ms_raw_udp_match(&p, &f)); /* someone else's address */
    p.dst_ip = 0xC00002FFu;
    ck_assert(ms_raw_udp_match(&p, &f)); /* our subnet's broadcast */
    p.dst_ip = 0xFFFFFFFFu;
    ck_assert(ms_raw_udp_match(&p, &f)); /* the limited broadcast */
    p.dst_ip = 0xC00002FFu;
    f.bcast = 0;
    ck_assert(!ms_raw_udp_match(&p, &f));
    p.dst_ip = 0x0A000001u;
    f.addr = 0;
    ck_assert(ms_raw_udp_match(&p, &f)); /* any address */
}
END_TEST

/* ---- live, 127.0.0.1, CAP_NET_RAW ------------------------------------- */

#define K 200

static int plain_socket(uint32_t addr, uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    int size = 4 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(addr);
    sa.sin_port = htons(*port);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    uint32_t a;
    ck_assert_int_eq(ms_udp_local(fd, &a, port), MS_OK);
    return fd;
}

static uint8_t bufs[32][2048];

/* Read what a socket (plain or raw) has within `ms` ms, until `want`
 * datagrams came; each payload must be "seqNNN" and marks seen[]. */
static size_t drain(int fd, const ms_raw_udp_filter *raw, size_t want, bool *seen,
                    uint16_t *from_port, int ms)
{
    ms_udp_dgram d[32];
    size_t total = 0;
    for (int rounds = 0; total < want && rounds < ms / 10; rounds++) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        if (poll(&pfd, 1, 10) <= 0)
            continue;
        for (int i = 0; i < 32; i++)
            d[i] = (ms_udp_dgram){ .buf = bufs[i], .cap = sizeof bufs[i] };
        size_t got = 0;
        ms_status st = raw ? ms_raw_udp_recv_batch(fd, raw, d, 32, &got)
                           : ms_udp_recv_batch(fd, d, 32, &got);
        ck_assert_int_eq(st, MS_OK);
        for (size_t i = 0; i < got; i++) {
            unsigned seq;
            ck_assert_uint_eq(d[i].len, 7);
            ck_assert(sscanf((const char *)d[i].buf, "seq%3u", &seq) == 1 && seq < K);
            ck_assert_msg(!seen[seq], "datagram %u twice", seq);
            seen[seq] = true;
            if (from_port)
                *from_port = d[i].src_port;
        }
        total += got;
    }
    return total;
}

static void send_plain(uint16_t port)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(LO);
    sa.sin_port = htons(port);
    for (unsigned i = 0; i < K; i++) {
        char b[8];
        snprintf(b, sizeof b, "seq%03u", i);
        ck_assert_int_eq(sendto(s, b, 7, 0, (struct sockaddr *)&sa, sizeof sa), 7);
    }
    close(s);
}

/* A UDP socket holding the port (bound to `addr`) gets every one of K
 * datagrams while our raw reader is open; the reader sees a copy of each. */
static void holder_keeps_all(uint32_t addr)
{
    uint16_t port = 0;
    int holder = plain_socket(addr, &port);
    int raw;
    char err[256];
    ck_assert_msg(ms_raw_udp_open_recv(port, &raw, err, sizeof err) == MS_OK, "%s", err);
    send_plain(port);
    static bool seen_h[K], seen_r[K];
    memset(seen_h, 0, sizeof seen_h);
    memset(seen_r, 0, sizeof seen_r);
    ck_assert_uint_eq(drain(holder, NULL, K, seen_h, NULL, 2000), K);
    ms_raw_udp_filter f = { port, LO, 0 };
    ck_assert_uint_eq(drain(raw, &f, K, seen_r, NULL, 2000), K);
    close(raw);
    close(holder);
}

START_TEST(raw_reader_takes_nothing_exact)
{
    holder_keeps_all(LO);
}
END_TEST

START_TEST(raw_reader_takes_nothing_wildcard)
{
    holder_keeps_all(0);
}
END_TEST

/* The reader keeps only the port it was opened for. */
START_TEST(raw_reader_other_port_filtered)
{
    uint16_t port = 0, other = 0;
    int holder = plain_socket(LO, &port);
    int second = plain_socket(LO, &other);
    int raw;
    char err[256];
    ck_assert_msg(ms_raw_udp_open_recv(port, &raw, err, sizeof err) == MS_OK, "%s", err);
    send_plain(other);
    static bool seen[K];
    memset(seen, 0, sizeof seen);
    ck_assert_uint_eq(drain(second, NULL, K, seen, NULL, 2000), K);
    memset(seen, 0, sizeof seen);
    ms_raw_udp_filter f = { port, 0, 0 };
    ck_assert_uint_eq(drain(raw, &f, 1, seen, NULL, 200), 0);
    close(raw);
    close(second);
    close(holder);
}
END_TEST

/* RFC 1071 check of a datagram as read: pseudo-header + UDP header +
 * payload summed with the checksum in place must fold to 0xFFFF. */
static bool checksum_verifies(uint32_t src, uint32_t dst, const uint8_t *udp, size_t ulen)
{
    uint32_t acc = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 17 +
                   (uint32_t)ulen;
    for (size_t i = 0; i < ulen; i++)
        acc += (i % 2) ? udp[i] : (uint32_t)udp[i] << 8;
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return acc == 0xFFFF;
}

/* K datagrams from a raw sender, "from" a port no socket holds, in
 * sendmmsg batches: the UDP socket gets them all, whole, from that port;
 * and the packet (read raw, headers included) carries a checksum that
 * verifies. */
START_TEST(raw_sender_reaches_udp_socket)
{
    uint16_t port = 0, spare = 0;
    int holder = plain_socket(LO, &port);
    int gone = plain_socket(LO, &spare); /* a port that is free once closed */
    close(gone);
    int tx, peek = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
    char err[256];
    ck_assert_int_ge(peek, 0);
    ck_assert_msg(ms_raw_udp_open_send(LO, &tx, err, sizeof err) == MS_OK, "%s", err);
    static char text[K][8];
    const uint8_t *p[K];
    size_t lens[K], sent = 0;
    for (unsigned i = 0; i < K; i++) {
        snprintf(text[i], sizeof text[i], "seq%03u", i);
        p[i] = (const uint8_t *)text[i];
        lens[i] = 7;
    }
    ms_raw_udp_route r = { LO, spare, LO, port, false };
    ck_assert_int_eq(ms_raw_udp_send_batch(tx, &r, p, lens, K, &sent), MS_OK);
    ck_assert_uint_eq(sent, K);
    static bool seen[K];
    memset(seen, 0, sizeof seen);
    uint16_t from = 0;
    ck_assert_uint_eq(drain(holder, NULL, K, seen, &from, 2000), K);
    ck_assert_uint_eq(from, spare);
    /* The first copy the plain raw socket holds that is ours. */
    uint8_t b[2048];
    bool checked = false;
    for (int i = 0; i < 4 * K && !checked; i++) {
        ssize_t n = recv(peek, b, sizeof b, MSG_DONTWAIT);
        if (n < 0)
            break;
        ms_raw_udp_packet pk;
        if (ms_raw_udp_parse(b, (size_t)n, &pk) != MS_OK || pk.dport != port || pk.sport != spare)
            continue;
        ck_assert(checksum_verifies(pk.src_ip, pk.dst_ip, b + pk.payload_off - 8,
                                    pk.payload_len + 8));
        checked = true;
    }
    ck_assert_msg(checked, "no copy of our own datagram on a raw socket");
    close(peek);
    close(tx);
    close(holder);
}
END_TEST

/* Without CAP_NET_RAW (dropped in a child): EPERM, and err says why. */
START_TEST(no_cap_net_raw_refused)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct c[2];
        if (syscall(SYS_capget, &h, c) != 0)
            _exit(10);
        c[0].effective &= ~(1u << CAP_NET_RAW);
        c[0].permitted &= ~(1u << CAP_NET_RAW);
        if (syscall(SYS_capset, &h, c) != 0)
            _exit(11);
        int fd;
        char err[256] = "";
        ms_status st = ms_raw_udp_open_send(LO, &fd, err, sizeof err);
        int e = errno;
        _exit(st == MS_ERR_SYSTEM && e == EPERM && strstr(err, "CAP_NET_RAW") ? 0 : 12);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("raw_udp");
    TCase *t = tcase_create("wire");
    tcase_add_test(t, header_checksum_by_hand);
    tcase_add_test(t, header_zero_sum_sent_as_ffff);
    tcase_add_test(t, header_checksum_longer);
    tcase_add_loop_test(t, header_checksum_every_length, 0, 100);
    tcase_add_test(t, header_too_big);
    tcase_add_test(t, parse_plain);
    tcase_add_test(t, parse_options_skipped);
    tcase_add_loop_test(t, parse_truncated_headers, 0, 36);
    tcase_add_test(t, parse_truncated_payload);
    tcase_add_test(t, parse_padding_ignored);
    tcase_add_test(t, parse_refuses_bad_fields);
    tcase_add_test(t, filter_port_and_address);
    suite_add_tcase(s, t);
    const char *skip = NULL;
    int probe = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
    if (probe < 0) {
        skip = "test_raw_udp: no CAP_NET_RAW (not root): the live tests over 127.0.0.1 "
               "did not run";
    } else {
        close(probe);
        TCase *l = tcase_create("live");
        tcase_set_timeout(l, 30);
        tcase_add_test(l, raw_reader_takes_nothing_exact);
        tcase_add_test(l, raw_reader_takes_nothing_wildcard);
        tcase_add_test(l, raw_reader_other_port_filtered);
        tcase_add_test(l, raw_sender_reaches_udp_socket);
        tcase_add_test(l, no_cap_net_raw_refused);
        suite_add_tcase(s, l);
    }
    return run_suite(s, skip);
}
