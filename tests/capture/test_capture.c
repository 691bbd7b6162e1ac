/* SPDX-License-Identifier: MIT */
/* Capture input: small pcap/pcapng files written with libpcap's own writer
 * (pcapng by hand or with editcap, since libpcap 1.10 cannot write it), read
 * back through ms_capture_*; every link type, IPv4 options and fragments,
 * snaplen cuts, damaged files, stdin; every frame prefix against a guard
 * page; and the shared third-party captures against tshark's frame list. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frame.h"
#include "ipv4_reasm.h"
#include "cursor.h"
#include "guard.h"
#include "mailslot/capture.h"

#define SRC_IP 0xC0A8010Au /* 192.168.1.10 */
#define DST_IP 0xC0A801FFu /* 192.168.1.255 */
#define FRAME_MAX 2048
#define IP_MF 0x2000

static char tmpdir[256];
static const char *shared_why;   /* why the tshark comparison cannot run, or NULL */

static const char *tmp_path(const char *name)
{
    static char path[4][PATH_MAX];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(path[slot], sizeof path[slot], "%s/%s", tmpdir, name);
    return path[slot];
}

/* ------------------------------------------------------------------ */
/* Packet builders (through the project's write cursor).               */

static size_t mk_udp_l(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport,
                       uint16_t length_field, const void *pl, size_t n)
{
    ms_wcur w = ms_wcur_make(out, cap);
    ms_wcur_be16(&w, sport);
    ms_wcur_be16(&w, dport);
    ms_wcur_be16(&w, length_field);
    ms_wcur_be16(&w, 0);
    ms_wcur_bytes(&w, pl, n);
    ck_assert_int_eq(w.err, MS_OK);
    return w.pos;
}

static size_t mk_udp(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport, const void *pl,
                     size_t n)
{
    return mk_udp_l(out, cap, sport, dport, (uint16_t)(8 + n), pl, n);
}

typedef struct ipspec {
    uint32_t src, dst;
    uint8_t proto;
    uint16_t id;
    uint16_t frag;         /* flags + offset field */
    const uint8_t *opts;   /* multiple of 4 */
    size_t optlen;
    int version;           /* 0 = 4 */
    int ihl;               /* 0 = from optlen */
    int total;             /* -1 = computed */
} ipspec;

static ipspec ip_default(void)
{
    ipspec s = { SRC_IP, DST_IP, 17, 0x1234, 0, NULL, 0, 0, 0, -1 };
    return s;
}

static size_t mk_ip(uint8_t *out, size_t cap, const ipspec *s, const void *pl, size_t n)
{
    ms_wcur w = ms_wcur_make(out, cap);
    int ihl = s->ihl ? s->ihl : (int)(5 + s->optlen / 4);
    int version = s->version ? s->version : 4;
    size_t total = s->total >= 0 ? (size_t)s->total : 20 + s->optlen + n;
    ms_wcur_u8(&w, (uint8_t)(version << 4 | (ihl & 0x0F)));
    ms_wcur_u8(&w, 0);
    ms_wcur_be16(&w, (uint16_t)total);
    ms_wcur_be16(&w, s->id);
    ms_wcur_be16(&w, s->frag);
    ms_wcur_u8(&w, 64);
    ms_wcur_u8(&w, s->proto);
    ms_wcur_be16(&w, 0);
    ms_wcur_be32(&w, s->src);
    ms_wcur_be32(&w, s->dst);
    ms_wcur_bytes(&w, s->opts, s->optlen);
    ms_wcur_bytes(&w, pl, n);
    ck_assert_int_eq(w.err, MS_OK);
    return w.pos;
}

/* A plain IPv4/UDP datagram with the default addresses. */
static size_t mk_ip_udp(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport, const void *pl,
                        size_t n)
{
    uint8_t u[FRAME_MAX];
    size_t un = mk_udp(u, sizeof u, sport, dport, pl, n);
    ipspec s = ip_default();
    return mk_ip(out, cap, &s, u, un);
}

static const uint8_t MAC_DST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MAC_SRC[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };

/* Ethernet II with VLAN tags (tpid, tci pairs) in front of `type`. */
static size_t mk_eth_tags(uint8_t *out, size_t cap, const uint16_t *tpids, size_t ntags,
                          uint16_t type, const void *pl, size_t n)
{
    ms_wcur w = ms_wcur_make(out, cap);
    ms_wcur_bytes(&w, MAC_DST, 6);
    ms_wcur_bytes(&w, MAC_SRC, 6);
    for (size_t i = 0; i < ntags; i++) {
        ms_wcur_be16(&w, tpids[i]);
        ms_wcur_be16(&w, (uint16_t)(100 + i)); /* VLAN id */
    }
    ms_wcur_be16(&w, type);
    ms_wcur_bytes(&w, pl, n);
    ck_assert_int_eq(w.err, MS_OK);
    return w.pos;
}

static size_t mk_eth(uint8_t *out, size_t cap, uint16_t type, const void *pl, size_t n)
{
    return mk_eth_tags(out, cap, NULL, 0, type, pl, n);
}

/* Ethernet frame of a UDP datagram, padded to the 60-octet minimum. */
static size_t mk_eth_udp(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport, const void *pl,
                         size_t n)
{
    uint8_t ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, sport, dport, pl, n);
    size_t fn = mk_eth(out, cap, 0x0800, ip, in);
    while (fn < 60)
        out[fn++] = 0;
    return fn;
}

/* ------------------------------------------------------------------ */
/* Writing capture files with libpcap.                                 */

static pcap_t *wr_pd;
static pcap_dumper_t *wr_d;
static unsigned wr_n;

static void wr_open(const char *path, int dlt, bool nano)
{
    wr_pd = pcap_open_dead_with_tstamp_precision(
        dlt, 262144, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    ck_assert_ptr_nonnull(wr_pd);
    wr_d = pcap_dump_open(wr_pd, path);
    if (!wr_d)
        ck_abort_msg("pcap_dump_open: %s", pcap_geterr(wr_pd));
    wr_n = 0;
}

/* A record of `len` octets on the wire, `caplen` of them captured; frac is
 * microseconds or nanoseconds as the file was opened. */
static void wr_add_full(const void *data, size_t len, size_t caplen, long sec, long frac)
{
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = sec;
    h.ts.tv_usec = frac;
    h.caplen = (bpf_u_int32)caplen;
    h.len = (bpf_u_int32)len;
    pcap_dump((u_char *)wr_d, &h, data);
    wr_n++;
}

/* The n-th record (from 0) is stamped 1000000000 + n seconds. */
static void wr_add(const void *data, size_t len)
{
    wr_add_full(data, len, len, 1000000000L + (long)wr_n, 0);
}

static void wr_close(void)
{
    pcap_dump_close(wr_d);
    pcap_close(wr_pd);
    wr_d = NULL;
    wr_pd = NULL;
}

/* libpcap writes DLT_RAW as LINKTYPE_RAW (101); old files say 12 or 14.
 * Patch the link type in the (host-order) file header. */
static void patch_linktype(const char *path, uint32_t lt)
{
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 20, SEEK_SET), 0);
    ck_assert_uint_eq(fwrite(&lt, 4, 1, f), 1);
    fclose(f);
}

static long file_size(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return (long)st.st_size;
}

/* ------------------------------------------------------------------ */
/* Reading back.                                                       */

#define MAX_GOT 96
#define KEEP 256

typedef struct got {
    ms_udp_datagram d;
    uint8_t head[KEEP]; /* first octets of the payload */
    uint32_t sum;       /* FNV-1a of the whole payload */
} got;

typedef struct run {
    int rc;             /* the final ms_capture_next result */
    size_t n;
    got g[MAX_GOT];
    ms_capture_stats st;
    char err[1024];
    char link[32];
} run;

static uint32_t fnv(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void check_partition(const ms_capture_stats *st)
{
    uint64_t sum = st->datagrams + st->not_ipv4 + st->not_udp + st->other_port +
                   st->bad_header + st->truncated_header + st->fragments + st->unsupported_link;
    ck_assert_uint_eq(sum, st->frames);
    ck_assert_uint_le(st->frag_dropped, st->fragments);
}

/* ports == NULL: keep the default set; nports == 0 with ports: all. */
static run *read_all(const char *path, const uint16_t *ports, size_t nports)
{
    static run r;
    memset(&r, 0, sizeof r);
    char err[512];
    ms_capture *c = ms_capture_open(path, err, sizeof err);
    if (!c)
        ck_abort_msg("open %s: %s", path, err);
    if (ports)
        ms_capture_set_ports(c, ports, nports);
    ms_udp_datagram d;
    int rc;
    while ((rc = ms_capture_next(c, &d)) == 1) {
        ck_assert_uint_lt(r.n, MAX_GOT);
        got *g = &r.g[r.n++];
        g->d = d;
        ck_assert_uint_le(d.len, d.orig_len);
        if (d.len)
            ck_assert_ptr_nonnull(d.payload);
        memcpy(g->head, d.payload, d.len < KEEP ? d.len : KEEP);
        g->sum = fnv(d.payload, d.len);
        g->d.payload = NULL;
        check_partition(ms_capture_get_stats(c));
    }
    r.rc = rc;
    ck_assert_int_eq(ms_capture_next(c, &d), rc); /* sticky */
    r.st = *ms_capture_get_stats(c);
    snprintf(r.err, sizeof r.err, "%s", ms_capture_error(c));
    snprintf(r.link, sizeof r.link, "%s", ms_capture_linktype_name(c));
    check_partition(&r.st);
    ck_assert_uint_eq(r.st.datagrams, r.n);
    ms_capture_close(c);
    return &r;
}

static void expect_stats(const run *r, uint64_t frames, uint64_t dgrams, uint64_t not_ipv4,
                         uint64_t not_udp, uint64_t other_port, uint64_t bad, uint64_t trunc,
                         uint64_t frags, uint64_t unsupported)
{
    ck_assert_uint_eq(r->st.frames, frames);
    ck_assert_uint_eq(r->st.datagrams, dgrams);
    ck_assert_uint_eq(r->st.not_ipv4, not_ipv4);
    ck_assert_uint_eq(r->st.not_udp, not_udp);
    ck_assert_uint_eq(r->st.other_port, other_port);
    ck_assert_uint_eq(r->st.bad_header, bad);
    ck_assert_uint_eq(r->st.truncated_header, trunc);
    ck_assert_uint_eq(r->st.fragments, frags);
    ck_assert_uint_eq(r->st.unsupported_link, unsupported);
}

static const char HELLO[] = "hello mailslot";
#define HELLO_N (sizeof HELLO - 1)

static void expect_hello(const got *g, uint64_t frame)
{
    ck_assert_uint_eq(g->d.frame, frame);
    ck_assert_uint_eq(g->d.len, HELLO_N);
    ck_assert_uint_eq(g->d.orig_len, HELLO_N);
    ck_assert_uint_eq(g->d.udp_length, 8 + HELLO_N);
    ck_assert_mem_eq(g->head, HELLO, HELLO_N);
    ck_assert(!g->d.truncated);
}

/* One IPv4 datagram (ip, n) wrapped for each supported link type. */
static size_t wrap_link(int dlt, uint8_t *out, size_t cap, const uint8_t *ip, size_t n)
{
    ms_wcur w = ms_wcur_make(out, cap);
    switch (dlt) {
    case DLT_EN10MB: return mk_eth(out, cap, 0x0800, ip, n);
    case DLT_LINUX_SLL:
        ms_wcur_be16(&w, 0);      /* to us */
        ms_wcur_be16(&w, 1);      /* ARPHRD_ETHER */
        ms_wcur_be16(&w, 6);
        ms_wcur_bytes(&w, MAC_SRC, 6);
        ms_wcur_be16(&w, 0);
        ms_wcur_be16(&w, 0x0800);
        break;
    case DLT_LINUX_SLL2:
        ms_wcur_be16(&w, 0x0800);
        ms_wcur_be16(&w, 0);
        ms_wcur_be32(&w, 2);      /* ifindex */
        ms_wcur_be16(&w, 1);
        ms_wcur_u8(&w, 0);
        ms_wcur_u8(&w, 6);
        ms_wcur_bytes(&w, MAC_SRC, 6);
        ms_wcur_be16(&w, 0);
        break;
    case DLT_NULL: {
        uint32_t af = 2; /* host order, as the capturing host wrote it */
        ms_wcur_bytes(&w, &af, 4);
        break;
    }
    case DLT_LOOP: ms_wcur_be32(&w, 2); break;
    default: break; /* raw */
    }
    ms_wcur_bytes(&w, ip, n);
    ck_assert_int_eq(w.err, MS_OK);
    return w.pos;
}

/* ------------------------------------------------------------------ */
/* Ethernet, IPv4, UDP                                                 */

START_TEST(ethernet_basic)
{
    const char *p = tmp_path("eth.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX], u[FRAME_MAX];
    size_t n;
    wr_open(p, DLT_EN10MB, false);
    n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);       /* 1 */
    wr_add(f, n);
    n = mk_eth_udp(f, sizeof f, 5000, 138, HELLO, HELLO_N);      /* 2 */
    wr_add(f, n);
    n = mk_eth_udp(f, sizeof f, 138, 5000, HELLO, HELLO_N);      /* 3 */
    wr_add(f, n);
    n = mk_eth_udp(f, sizeof f, 53, 53, HELLO, HELLO_N);         /* 4 other port */
    wr_add(f, n);
    ipspec s = ip_default();
    s.proto = 6;
    size_t un = mk_udp(u, sizeof u, 138, 138, HELLO, HELLO_N);   /* looks like UDP */
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 5 TCP */
    uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
    n = mk_eth(f, sizeof f, 0x0806, arp, sizeof arp);
    wr_add(f, n);                                                /* 6 ARP */
    uint8_t v6[40] = { 0x60 };
    n = mk_eth(f, sizeof f, 0x86DD, v6, sizeof v6);
    wr_add(f, n);                                                /* 7 IPv6 */
    n = mk_eth_udp(f, sizeof f, 138, 138, "abcd", 4);            /* 8 padded */
    ck_assert_uint_eq(n, 60);
    wr_add(f, n);
    wr_add(f, 10);                                               /* 9 runt */
    s = ip_default();
    s.ihl = 4;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 10 IHL 4 */
    s = ip_default();
    s.version = 5;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 11 version 5 */
    s = ip_default();
    s.total = 16;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 12 total < IHL */
    un = mk_udp_l(u, sizeof u, 138, 138, 4, HELLO, HELLO_N);
    s = ip_default();
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 13 UDP length 4 */
    n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    wr_add_full(f, n, 14 + 10, 1000000013L, 0);                  /* 14 IP header cut */
    wr_add_full(f, n, 14 + 20 + 6, 1000000014L, 0);              /* 15 UDP header cut */
    s = ip_default();
    s.proto = 1;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, "\x08\0\0\0\0\0\0\0", 8));
    wr_add(f, n);                                                /* 16 ICMP */
    un = mk_udp(u, sizeof u, 138, 138, HELLO, HELLO_N);
    s = ip_default();
    s.total = 20 + 6;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);                                                /* 17 IP payload < 8 */
    wr_close();

    run *r = read_all(p, NULL, 0);
    ck_assert_int_eq(r->rc, 0);
    ck_assert_str_eq(r->err, "");
    ck_assert_str_eq(r->link, "EN10MB");
    ck_assert_uint_eq(r->n, 4);
    expect_hello(&r->g[0], 1);
    ck_assert_uint_eq(r->g[0].d.sport, 138);
    ck_assert_uint_eq(r->g[0].d.dport, 138);
    ck_assert_uint_eq(r->g[0].d.ip_src, SRC_IP);
    ck_assert_uint_eq(r->g[0].d.ip_dst, DST_IP);
    ck_assert_int_eq(r->g[0].d.ts_sec, 1000000000);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 0);
    ck_assert(!r->g[0].d.reassembled);
    expect_hello(&r->g[1], 2);
    ck_assert_uint_eq(r->g[1].d.sport, 5000);
    expect_hello(&r->g[2], 3);
    ck_assert_uint_eq(r->g[2].d.dport, 5000);
    /* Ethernet padding after the IP datagram is not payload. */
    ck_assert_uint_eq(r->g[3].d.frame, 8);
    ck_assert_uint_eq(r->g[3].d.len, 4);
    ck_assert_mem_eq(r->g[3].head, "abcd", 4);
    ck_assert(!r->g[3].d.truncated);
    expect_stats(r, 17, 4, 2, 2, 1, 5, 3, 0, 0);
}
END_TEST

/* Microsecond files are reported in nanoseconds; nanosecond files keep
 * their precision (the reader asks libpcap for nanoseconds). */
START_TEST(timestamps_micro_and_nano)
{
    uint8_t f[FRAME_MAX];
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    const char *p = tmp_path("us.pcap");
    wr_open(p, DLT_EN10MB, false);
    wr_add_full(f, n, n, 1234567890L, 654321);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_int_eq(r->g[0].d.ts_sec, 1234567890);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 654321000u);

    p = tmp_path("ns.pcap");
    wr_open(p, DLT_EN10MB, true);
    wr_add_full(f, n, n, 1234567890L, 987654321);
    wr_close();
    r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_int_eq(r->g[0].d.ts_sec, 1234567890);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 987654321u);
}
END_TEST

START_TEST(vlan_tags)
{
    const char *p = tmp_path("vlan.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    static const uint16_t q[] = { 0x8100 };
    static const uint16_t ad[] = { 0x88a8, 0x8100 };
    static const uint16_t old[] = { 0x9100, 0x8100 };
    static const uint16_t deep[] = { 0x88a8, 0x9100, 0x8100, 0x8100 };
    wr_open(p, DLT_EN10MB, false);
    wr_add(f, mk_eth_tags(f, sizeof f, q, 1, 0x0800, ip, in));
    wr_add(f, mk_eth_tags(f, sizeof f, ad, 2, 0x0800, ip, in));
    wr_add(f, mk_eth_tags(f, sizeof f, old, 2, 0x0800, ip, in));
    wr_add(f, mk_eth_tags(f, sizeof f, deep, 4, 0x0800, ip, in));
    wr_add(f, mk_eth_tags(f, sizeof f, q, 1, 0x0806, ip, 28));   /* ARP in a VLAN */
    size_t n = mk_eth_tags(f, sizeof f, ad, 2, 0x0800, ip, in);
    wr_add_full(f, n, 14 + 4 + 2, 1000000005L, 0); /* cut inside the tags */
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 4);
    for (size_t i = 0; i < 4; i++)
        expect_hello(&r->g[i], i + 1);
    expect_stats(r, 6, 4, 1, 0, 0, 0, 1, 0, 0);
}
END_TEST

/* 802.3 length + LLC/SNAP (RFC 1042) carrying IPv4; other LLC payloads. */
START_TEST(llc_snap)
{
    const char *p = tmp_path("snap.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX], l[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    static const uint8_t snap[] = { 0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00 };
    memcpy(l, snap, 8);
    memcpy(l + 8, ip, in);
    wr_open(p, DLT_EN10MB, false);
    wr_add(f, mk_eth(f, sizeof f, (uint16_t)(8 + in), l, 8 + in));
    /* The 802.3 length bounds the frame: padding after it is ignored. */
    size_t n = mk_eth(f, sizeof f, (uint16_t)(8 + in), l, 8 + in);
    memset(f + n, 0xEE, 20);
    wr_add(f, n + 20);
    /* NetBEUI (DSAP/SSAP F0) */
    static const uint8_t netbeui[] = { 0xF0, 0xF0, 0x03, 1, 2, 3, 4 };
    wr_add(f, mk_eth(f, sizeof f, sizeof netbeui, netbeui, sizeof netbeui));
    /* SNAP with a vendor OUI: protocol id is not an Ethertype */
    l[5] = 0x07;
    wr_add(f, mk_eth(f, sizeof f, (uint16_t)(8 + in), l, 8 + in));
    /* 802.3 length shorter than the LLC header */
    l[5] = 0;
    wr_add(f, mk_eth(f, sizeof f, 2, l, 8 + in));
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 2);
    expect_hello(&r->g[0], 1);
    expect_hello(&r->g[1], 2);
    expect_stats(r, 5, 2, 2, 0, 0, 1, 0, 0, 0);
}
END_TEST

START_TEST(linux_sll)
{
    const char *p = tmp_path("sll.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    wr_open(p, DLT_LINUX_SLL, false);
    size_t n = wrap_link(DLT_LINUX_SLL, f, sizeof f, ip, in);
    wr_add(f, n);
    f[14] = 0x08, f[15] = 0x06; /* ARP */
    wr_add(f, n);
    /* protocol 0x8100: the VLAN tag is in the payload */
    uint8_t g[FRAME_MAX];
    memcpy(g, f, 14);
    g[14] = 0x81, g[15] = 0x00, g[16] = 0, g[17] = 5, g[18] = 0x08, g[19] = 0;
    memcpy(g + 20, ip, in);
    wr_add(g, 20 + in);
    /* protocol 4: 802.2 LLC, here SNAP with IPv4 */
    static const uint8_t snap[] = { 0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00 };
    g[14] = 0, g[15] = 4;
    memcpy(g + 16, snap, 8);
    memcpy(g + 24, ip, in);
    wr_add(g, 24 + in);
    /* netlink: the protocol field is a netlink family, never IPv4 */
    memcpy(g, f, n);
    g[2] = 0x03, g[3] = 0x38, g[14] = 0x08, g[15] = 0x00;
    wr_add(g, n);
    wr_add(f, 15); /* cut in the header */
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_str_eq(r->link, "LINUX_SLL");
    ck_assert_uint_eq(r->n, 3);
    expect_hello(&r->g[0], 1);
    expect_hello(&r->g[1], 3);
    expect_hello(&r->g[2], 4);
    expect_stats(r, 6, 3, 2, 0, 0, 0, 1, 0, 0);
}
END_TEST

START_TEST(linux_sll2)
{
    const char *p = tmp_path("sll2.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 5000, 138, HELLO, HELLO_N);
    wr_open(p, DLT_LINUX_SLL2, false);
    size_t n = wrap_link(DLT_LINUX_SLL2, f, sizeof f, ip, in);
    ck_assert_uint_eq(n, 20 + in);
    wr_add(f, n);
    f[0] = 0x86, f[1] = 0xDD; /* IPv6 */
    wr_add(f, n);
    wr_add(f, 19);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_str_eq(r->link, "LINUX_SLL2");
    ck_assert_uint_eq(r->n, 1);
    expect_hello(&r->g[0], 1);
    ck_assert_uint_eq(r->g[0].d.sport, 5000);
    expect_stats(r, 3, 1, 1, 0, 0, 0, 1, 0, 0);
}
END_TEST

/* Raw IP as LINKTYPE_RAW (101, what libpcap writes), and the old numbers 12
 * and 14 a file may carry; LINKTYPE_IPV4 (228) is IPv4 only. */
START_TEST(raw_ip)
{
    uint8_t ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    uint8_t v6[48] = { 0x60 };
    uint8_t junk[24] = { 0x00 };
    static const struct {
        int dlt;
        int patch;           /* file link type to force, or -1 */
        const char *name;
        uint64_t not_ipv4, bad;
    } v[] = {
        { DLT_RAW, -1, "RAW", 1, 1 },
        { DLT_RAW, 12, "RAW", 1, 1 },
        { DLT_RAW, 14, "RAW", 1, 1 },
        { DLT_IPV4, -1, "IPV4", 0, 2 },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        const char *p = tmp_path("raw.pcap");
        wr_open(p, v[i].dlt, false);
        wr_add(ip, in);
        wr_add(v6, sizeof v6);
        wr_add(junk, sizeof junk);
        wr_add(ip, 0);
        wr_close();
        if (v[i].patch >= 0)
            patch_linktype(p, (uint32_t)v[i].patch);
        run *r = read_all(p, NULL, 0);
        ck_assert_str_eq(r->link, v[i].name);
        ck_assert_uint_eq(r->n, 1);
        expect_hello(&r->g[0], 1);
        expect_stats(r, 4, 1, v[i].not_ipv4, 0, 0, v[i].bad, 1, 0, 0);
    }
}
END_TEST

/* DLT_NULL: the AF word in either byte order; DLT_LOOP: network order. */
START_TEST(loopback)
{
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    const char *p = tmp_path("null.pcap");
    wr_open(p, DLT_NULL, false);
    size_t n = wrap_link(DLT_NULL, f, sizeof f, ip, in);
    wr_add(f, n);
    uint8_t g[FRAME_MAX];
    memcpy(g, f, n);
    uint8_t t = g[0]; /* the other byte order */
    g[0] = g[3], g[3] = t;
    t = g[1], g[1] = g[2], g[2] = t;
    wr_add(g, n);
    g[0] = 0, g[1] = 0, g[2] = 0, g[3] = 0;
    g[0] = 24; /* an AF_INET6 (NetBSD/OpenBSD) */
    wr_add(g, n);
    wr_add(f, 3);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_str_eq(r->link, "NULL");
    ck_assert_uint_eq(r->n, 2);
    expect_hello(&r->g[0], 1);
    expect_hello(&r->g[1], 2);
    expect_stats(r, 4, 2, 1, 0, 0, 0, 1, 0, 0);

    p = tmp_path("loop.pcap");
    wr_open(p, DLT_LOOP, false);
    n = wrap_link(DLT_LOOP, f, sizeof f, ip, in);
    wr_add(f, n);
    memcpy(g, f, n);
    g[0] = 2, g[3] = 0; /* little-endian 2: not AF_INET in network order */
    wr_add(g, n);
    wr_close();
    r = read_all(p, NULL, 0);
    ck_assert_str_eq(r->link, "LOOP");
    ck_assert_uint_eq(r->n, 1);
    expect_hello(&r->g[0], 1);
    expect_stats(r, 2, 1, 1, 0, 0, 0, 0, 0, 0);
}
END_TEST

START_TEST(unsupported_link)
{
    const char *p = tmp_path("ppp.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    f[0] = 0xFF, f[1] = 0x03, f[2] = 0x00, f[3] = 0x21;
    memcpy(f + 4, ip, in);
    wr_open(p, DLT_PPP, false);
    wr_add(f, 4 + in);
    wr_add(f, 4 + in);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_int_eq(r->rc, 0);
    ck_assert_str_eq(r->link, "PPP");
    expect_stats(r, 2, 0, 0, 0, 0, 0, 0, 0, 2);
}
END_TEST

START_TEST(ip_options)
{
    const char *p = tmp_path("opts.pcap");
    uint8_t f[FRAME_MAX], ip[FRAME_MAX], u[FRAME_MAX];
    size_t un = mk_udp(u, sizeof u, 138, 138, HELLO, HELLO_N);
    static const uint8_t nops[4] = { 1, 1, 1, 0 };
    uint8_t rr[40] = { 7, 39, 4 }; /* record route, 9 slots, + EOL */
    ipspec s = ip_default();
    wr_open(p, DLT_EN10MB, false);
    s.opts = nops, s.optlen = sizeof nops;
    size_t n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);
    s.opts = rr, s.optlen = sizeof rr; /* IHL 15 */
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    ck_assert_uint_eq(ip[0], 0x4F);
    wr_add(f, n);
    wr_add_full(f, n, 14 + 30, 1000000002L, 0); /* cut among the options */
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 2);
    expect_hello(&r->g[0], 1);
    expect_hello(&r->g[1], 2);
    expect_stats(r, 3, 2, 0, 0, 0, 0, 1, 0, 0);
}
END_TEST

START_TEST(port_set)
{
    const char *p = tmp_path("ports.pcap");
    uint8_t f[FRAME_MAX];
    static const uint16_t pairs[][2] = { { 138, 138 }, { 137, 137 }, { 1024, 53 },
                                         { 5353, 5353 }, { 0, 65535 } };
    wr_open(p, DLT_EN10MB, false);
    for (size_t i = 0; i < 5; i++)
        wr_add(f, mk_eth_udp(f, sizeof f, pairs[i][0], pairs[i][1], HELLO, HELLO_N));
    wr_close();

    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_uint_eq(r->st.other_port, 4);

    static const uint16_t two[] = { 137, 53 };
    r = read_all(p, two, 2);
    ck_assert_uint_eq(r->n, 2);
    ck_assert_uint_eq(r->g[0].d.frame, 2);
    ck_assert_uint_eq(r->g[1].d.frame, 3);
    ck_assert_uint_eq(r->st.other_port, 3);

    static const uint16_t edge[] = { 0, 65535 };
    r = read_all(p, edge, 2);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_uint_eq(r->g[0].d.frame, 5);

    uint16_t many[40];
    for (size_t i = 0; i < 40; i++)
        many[i] = (uint16_t)(5320 + i); /* includes 5353 */
    r = read_all(p, many, 40);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_uint_eq(r->g[0].d.frame, 4);

    r = read_all(p, two, 0); /* n == 0: every port */
    ck_assert_uint_eq(r->n, 5);
}
END_TEST

START_TEST(snaplen_cut)
{
    const char *p = tmp_path("snap.pcap");
    uint8_t f[FRAME_MAX], pl[300], ip[FRAME_MAX], u[FRAME_MAX];
    for (size_t i = 0; i < sizeof pl; i++)
        pl[i] = (uint8_t)i;
    wr_open(p, DLT_EN10MB, false);
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, pl, sizeof pl);
    wr_add_full(f, n, 14 + 20 + 8 + 100, 1000000000L, 0);
    /* A UDP length claiming more than the datagram holds (no cut). */
    size_t un = mk_udp_l(u, sizeof u, 138, 138, 1000, pl, 100);
    ipspec s = ip_default();
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);
    /* An IP total length claiming more than the frame holds (no cut). */
    un = mk_udp(u, sizeof u, 138, 138, pl, 100);
    s.total = 20 + 8 + 200;
    n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, u, un));
    wr_add(f, n);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 3);
    const ms_udp_datagram *d = &r->g[0].d;
    ck_assert(d->truncated);
    ck_assert_uint_eq(d->len, 100);
    ck_assert_uint_eq(d->orig_len, 300);
    ck_assert_uint_eq(d->udp_length, 308);
    ck_assert_mem_eq(r->g[0].head, pl, 100);
    d = &r->g[1].d;
    ck_assert(!d->truncated);
    ck_assert_uint_eq(d->len, 100);
    ck_assert_uint_eq(d->orig_len, 992);
    d = &r->g[2].d;
    ck_assert(!d->truncated);
    ck_assert_uint_eq(d->len, 100);
    ck_assert_uint_eq(d->orig_len, 100);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Fragments                                                           */

/* The IP payload (UDP header + data) that fragment tests cut up. */
static uint8_t fr_dgram[70000];
static size_t fr_len;

static void fr_make(uint16_t sport, uint16_t dport, size_t n, uint8_t seed)
{
    static uint8_t pl[70000];
    for (size_t i = 0; i < n; i++)
        pl[i] = (uint8_t)(i * 7 + seed);
    fr_len = mk_udp(fr_dgram, sizeof fr_dgram, sport, dport, pl, n);
}

/* A frame with octets [off, off + len) of fr_dgram; MF as given. */
static void fr_add_mf(uint16_t id, uint8_t proto, size_t off, size_t len, bool mf, long sec,
                      long frac)
{
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    ck_assert_uint_le(off + len, fr_len);
    ipspec s = ip_default();
    s.id = id;
    s.proto = proto;
    s.frag = (uint16_t)((off / 8) | (mf ? IP_MF : 0));
    size_t n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, fr_dgram + off, len));
    wr_add_full(f, n, n, sec, frac);
}

/* MF unless the fragment reaches the end of fr_dgram. */
static void fr_add_ts(uint16_t id, uint8_t proto, size_t off, size_t len, long sec)
{
    fr_add_mf(id, proto, off, len, off + len < fr_len, sec, 0);
}

/* Fragments a microsecond apart: well inside the reassembly timeout. */
static void fr_add(uint16_t id, size_t off, size_t len)
{
    fr_add_mf(id, 17, off, len, off + len < fr_len, 1000000000L, (long)wr_n);
}

static void expect_fr_dgram(const got *g, uint64_t frame)
{
    ck_assert_uint_eq(g->d.frame, frame);
    ck_assert(g->d.reassembled);
    ck_assert(!g->d.truncated);
    ck_assert_uint_eq(g->d.len, fr_len - 8);
    ck_assert_uint_eq(g->d.udp_length, fr_len);
    ck_assert_uint_eq(g->sum, fnv(fr_dgram + 8, fr_len - 8));
}

START_TEST(frag_in_order)
{
    const char *p = tmp_path("frag1.pcap");
    fr_make(138, 138, 3000, 1); /* 3008 octets: 1480 + 1480 + 48 */
    wr_open(p, DLT_EN10MB, false);
    fr_add(7, 0, 1480);
    fr_add(7, 1480, 1480);
    fr_add(7, 2960, 48);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    expect_fr_dgram(&r->g[0], 3);
    ck_assert_int_eq(r->g[0].d.ts_sec, 1000000000);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 2000);
    ck_assert_uint_eq(r->g[0].d.ip_src, SRC_IP);
    expect_stats(r, 3, 1, 0, 0, 0, 0, 0, 2, 0);
    ck_assert_uint_eq(r->st.frag_dropped, 0);
}
END_TEST

START_TEST(frag_out_of_order)
{
    const char *p = tmp_path("frag2.pcap");
    fr_make(2000, 138, 3000, 2);
    wr_open(p, DLT_EN10MB, false);
    fr_add(8, 2960, 48); /* last first */
    fr_add(8, 0, 1480);
    fr_add(9, 0, 1480);  /* an interleaved second datagram */
    fr_add(8, 1480, 1480);
    fr_add(9, 2960, 48);
    fr_add(9, 1480, 1480);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 2);
    expect_fr_dgram(&r->g[0], 4);
    expect_fr_dgram(&r->g[1], 6);
    expect_stats(r, 6, 2, 0, 0, 0, 0, 0, 4, 0);
}
END_TEST

/* Exact re-sends are harmless, before and after completion. */
START_TEST(frag_duplicate)
{
    const char *p = tmp_path("frag3.pcap");
    fr_make(138, 138, 3000, 3);
    wr_open(p, DLT_EN10MB, false);
    fr_add(10, 0, 1480);
    fr_add(10, 0, 1480);
    fr_add(10, 2960, 48);
    fr_add(10, 2960, 48);
    fr_add(10, 1480, 1480); /* completes */
    fr_add(10, 1480, 1480); /* late copy: starts a set that never completes */
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    expect_fr_dgram(&r->g[0], 5);
    expect_stats(r, 6, 1, 0, 0, 0, 0, 0, 5, 0);
    ck_assert_uint_eq(r->st.frag_dropped, 1);
}
END_TEST

START_TEST(frag_overlap)
{
    const char *p = tmp_path("frag4.pcap");
    fr_make(138, 138, 3000, 4);
    wr_open(p, DLT_EN10MB, false);
    fr_add(11, 0, 1480);
    fr_add(11, 1000, 1480); /* partial overlap: drops both */
    fr_add(11, 1480, 1480);
    fr_add(11, 2960, 48);   /* no first fragment any more */
    /* Same range, different octets. */
    fr_add(12, 0, 1480);
    fr_dgram[20] ^= 0xFF;
    fr_add(12, 0, 1480);
    fr_dgram[20] ^= 0xFF;
    fr_add(12, 1480, 1480);
    fr_add(12, 2960, 48);
    /* Two last fragments that disagree on the end. */
    fr_add(13, 0, 1480);
    fr_add(13, 2960, 48);
    fr_add_mf(13, 17, 2960, 40, false, 1000000000L, 10);
    fr_add(13, 1480, 1480);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 0);
    expect_stats(r, 12, 0, 0, 0, 0, 0, 0, 12, 0);
    ck_assert_uint_eq(r->st.frag_dropped, 12);
}
END_TEST

START_TEST(frag_never_completed)
{
    const char *p = tmp_path("frag5.pcap");
    fr_make(138, 138, 3000, 5);
    wr_open(p, DLT_EN10MB, false);
    fr_add(14, 0, 1480);
    fr_add(14, 2960, 48);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 0);
    expect_stats(r, 2, 0, 0, 0, 0, 0, 0, 2, 0);
    ck_assert_uint_eq(r->st.frag_dropped, 2);
}
END_TEST

/* 65 datagrams in flight: the oldest is evicted, the rest still complete
 * where their set survived. */
START_TEST(frag_in_flight_bound)
{
    const char *p = tmp_path("frag6.pcap");
    fr_make(138, 138, 2000, 6); /* 1480 + 528 */
    wr_open(p, DLT_EN10MB, false);
    for (uint16_t id = 1; id <= 65; id++)
        fr_add(id, 0, 1480);      /* the 65th evicts id 1 */
    fr_add(65, 1480, 528);        /* frame 66: completes */
    fr_add(2, 1480, 528);         /* frame 67: completes */
    fr_add(1, 1480, 528);         /* id 1 was evicted: a new set, evicts nothing */
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 2);
    expect_fr_dgram(&r->g[0], 66);
    expect_fr_dgram(&r->g[1], 67);
    expect_stats(r, 68, 2, 0, 0, 0, 0, 0, 66, 0);
    /* id 1's first half on eviction; at the end 62 sets + id 1's last half. */
    ck_assert_uint_eq(r->st.frag_dropped, 1 + 62 + 1);
}
END_TEST

/* Unselected ports (known from the first fragment, wherever it comes),
 * other protocols, timeout, bad fragments, snaplen-cut fragments. */
START_TEST(frag_misc)
{
    const char *p = tmp_path("frag7.pcap");
    wr_open(p, DLT_EN10MB, false);
    fr_make(53, 53, 2000, 7);
    fr_add(20, 0, 1480);               /* 1 */
    fr_add(20, 1480, 528);             /* 2 other_port */
    fr_add(21, 1480, 528);             /* 3 */
    fr_add(21, 0, 1480);               /* 4 other_port (first arrives last) */
    fr_add_ts(22, 1, 0, 1480, 1000000004L); /* 5 ICMP fragments: not_udp */
    fr_add_ts(22, 1, 1480, 528, 1000000005L); /* 6 */
    fr_make(138, 138, 2000, 8);
    fr_add_ts(23, 17, 0, 1480, 1000000100L); /* 7 */
    fr_add_ts(23, 17, 1480, 528, 1000000131L); /* 8: 31 s later, set expired */
    fr_add_ts(24, 17, 0, 1480, 1000000200L); /* 9 */
    fr_add_ts(24, 17, 1480, 528, 1000000229L); /* 10: 29 s, completes */
    /* 11: MF with a length that is not a multiple of 8 */
    fr_add(25, 0, 1484 - 4 + 3);
    /* 12: offset + length past 65535 */
    {
        uint8_t f[FRAME_MAX], ip[FRAME_MAX];
        ipspec s = ip_default();
        s.id = 26;
        s.frag = (uint16_t)(65520 / 8);
        size_t n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, fr_dgram, 100));
        wr_add(f, n);
    }
    /* 13, 14: a first fragment cut by the snaplen, then the rest */
    {
        uint8_t f[FRAME_MAX], ip[FRAME_MAX];
        ipspec s = ip_default();
        s.id = 27;
        s.frag = IP_MF;
        size_t n = mk_eth(f, sizeof f, 0x0800, ip, mk_ip(ip, sizeof ip, &s, fr_dgram, 1480));
        wr_add_full(f, n, 200, 1000000300L, 0);
    }
    fr_add(27, 1480, 528);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    expect_fr_dgram(&r->g[0], 10);
    expect_stats(r, 14, 1, 0, 2, 2, 2, 0, 7, 0);
    /* 7 and 8 (expired, then incomplete), 13 (cut), 14 (incomplete) */
    ck_assert_uint_eq(r->st.frag_dropped, 4);
}
END_TEST

/* A datagram of the largest size IPv4 allows, in 45 fragments, reversed. */
START_TEST(frag_max_size)
{
    const char *p = tmp_path("frag8.pcap");
    fr_make(138, 138, 65535 - 20 - 8, 9);
    ck_assert_uint_eq(fr_len, 65515);
    wr_open(p, DLT_EN10MB, false);
    size_t offs[64], nf = 0;
    for (size_t off = 0; off < fr_len; off += 1480)
        offs[nf++] = off;
    for (size_t i = nf; i-- > 0;) {
        size_t len = offs[i] + 1480 <= fr_len ? 1480 : fr_len - offs[i];
        fr_add(30, offs[i], len);
    }
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    expect_fr_dgram(&r->g[0], nf);
    ck_assert_uint_eq(r->st.fragments, nf - 1);
}
END_TEST

/* The table on its own: byte budget and eviction order. */
static bool want_all(const uint8_t *d, size_t n, void *arg)
{
    (void)d, (void)n, (void)arg;
    return true;
}

START_TEST(reasm_budget)
{
    ms_reasm_limits lim = { 4, 8192, 30LL * 1000000000LL };
    ms_reasm *ra = ms_reasm_new(&lim);
    ck_assert_ptr_nonnull(ra);
    static uint8_t data[8192];
    const uint8_t *out;
    size_t outn;
    ms_frag f = { SRC_IP, DST_IP, 1, 17, 20, 0, true, data, 4096, 4096, 0 };
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    f.id = 2;
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    f.id = 3; /* over budget: id 1 goes */
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).dropped, 1);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).in_flight, 2);
    f.id = 2, f.offset = 4096, f.more = false, f.len = f.present = 100;
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_COMPLETE);
    ck_assert_uint_eq(outn, 4196);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).dropped, 2); /* growing id 2 evicted id 3 */
    f.id = 1; /* the evicted one: a new set */
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    /* A set larger than the whole budget cannot be held. */
    f.id = 9, f.offset = 8192, f.more = true, f.len = f.present = 8;
    ck_assert_int_eq(ms_reasm_add(ra, &f, want_all, NULL, &out, &outn), MS_REASM_HELD);
    /* ids 1 and 3 evicted for budget, then the new id 1 set, then the
     * oversize fragment itself */
    ck_assert_uint_eq(ms_reasm_get_stats(ra).dropped, 4);
    ms_reasm_flush(ra);
    ck_assert_uint_eq(ms_reasm_get_stats(ra).in_flight, 0);
    ms_reasm_free(ra);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Damaged input, pcapng, stdin                                        */

START_TEST(truncated_file)
{
    const char *p = tmp_path("cut.pcap");
    uint8_t f[FRAME_MAX];
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    wr_open(p, DLT_EN10MB, false);
    for (int i = 0; i < 3; i++)
        wr_add(f, n);
    wr_close();
    long full = file_size(p);
    ck_assert_int_eq(full, 24 + 3 * (16 + (long)n));
    /* mid-data of the third record, then mid-header of it */
    long cuts[] = { full - 10, full - (long)n - 8 };
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(truncate(p, cuts[i]), 0);
        run *r = read_all(p, NULL, 0);
        ck_assert_int_eq(r->rc, -1);
        ck_assert_uint_eq(r->n, 2);
        ck_assert_uint_eq(r->st.frames, 2);
        if (strncmp(r->err, "truncated capture file: ", 24) != 0 || !strstr(r->err, "frame 2"))
            ck_abort_msg("unexpected error text: %s", r->err);
    }
}
END_TEST

START_TEST(not_a_capture)
{
    char err[512];
    const char *p = tmp_path("text.txt");
    FILE *fp = fopen(p, "w");
    fputs("this is not a capture file, just some text\n", fp);
    fclose(fp);
    ck_assert_ptr_null(ms_capture_open(p, err, sizeof err));
    ck_assert(strncmp(err, p, strlen(p)) == 0);
    ck_assert_ptr_nonnull(strstr(err, "unknown file format"));
    ck_assert_ptr_null(strchr(err, '\n'));

    p = tmp_path("missing.pcap");
    ck_assert_ptr_null(ms_capture_open(p, err, sizeof err));
    ck_assert(strncmp(err, p, strlen(p)) == 0);
    ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));

    p = tmp_path("empty.pcap");
    fp = fopen(p, "w");
    fclose(fp);
    ck_assert_ptr_null(ms_capture_open(p, err, sizeof err));
    ck_assert(strncmp(err, p, strlen(p)) == 0);

    /* A header that is only the start of a pcap header. */
    p = tmp_path("short.pcap");
    fp = fopen(p, "wb");
    fwrite("\xd4\xc3\xb2\xa1\x02\x00", 1, 6, fp);
    fclose(fp);
    ck_assert_ptr_null(ms_capture_open(p, err, sizeof err));
    ck_assert(strncmp(err, p, strlen(p)) == 0);
}
END_TEST

/* stdin through a pipe fed by a child process. */
START_TEST(stdin_pipe)
{
    const char *p = tmp_path("stdin.pcap");
    uint8_t f[FRAME_MAX];
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    wr_open(p, DLT_EN10MB, false);
    for (int i = 0; i < 50; i++)
        wr_add(f, n);
    wr_close();

    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        int in = open(p, O_RDONLY);
        char buf[4096];
        ssize_t k;
        while (in >= 0 && (k = read(in, buf, sizeof buf)) > 0)
            if (write(fds[1], buf, (size_t)k) != k)
                _exit(1);
        _exit(0);
    }
    close(fds[1]);
    int saved = dup(STDIN_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fds[0], STDIN_FILENO), 0);
    close(fds[0]);
    run *r = read_all("-", NULL, 0);
    dup2(saved, STDIN_FILENO);
    close(saved);
    int status;
    waitpid(pid, &status, 0);
    ck_assert_int_eq(r->rc, 0);
    ck_assert_uint_eq(r->n, 50);
    expect_hello(&r->g[49], 50);

    /* and a bad stdin names itself */
    int devnull = open("/dev/null", O_RDONLY);
    saved = dup(STDIN_FILENO);
    dup2(devnull, STDIN_FILENO);
    close(devnull);
    char err[512];
    ms_capture *c = ms_capture_open("-", err, sizeof err);
    dup2(saved, STDIN_FILENO);
    close(saved);
    ck_assert_ptr_null(c);
    ck_assert(strncmp(err, "stdin: ", 7) == 0);
}
END_TEST

/* pcapng built block by block (little-endian), read by libpcap. */
typedef struct ngbuf {
    uint8_t b[16384];
    ms_wcur w;
} ngbuf;

static void ng_shb(ngbuf *g)
{
    g->w = ms_wcur_make(g->b, sizeof g->b);
    ms_wcur_le32(&g->w, 0x0A0D0D0A);
    ms_wcur_le32(&g->w, 28);
    ms_wcur_le32(&g->w, 0x1A2B3C4D);
    ms_wcur_le16(&g->w, 1);
    ms_wcur_le16(&g->w, 0);
    ms_wcur_le64(&g->w, UINT64_MAX); /* section length unknown */
    ms_wcur_le32(&g->w, 28);
}

/* Interface with if_tsresol = 10^-tsresol seconds. */
static void ng_idb(ngbuf *g, uint16_t linktype, uint8_t tsresol)
{
    ms_wcur_le32(&g->w, 1);
    ms_wcur_le32(&g->w, 32);
    ms_wcur_le16(&g->w, linktype);
    ms_wcur_le16(&g->w, 0);
    ms_wcur_le32(&g->w, 262144);
    ms_wcur_le16(&g->w, 9); /* if_tsresol */
    ms_wcur_le16(&g->w, 1);
    ms_wcur_u8(&g->w, tsresol);
    ms_wcur_bytes(&g->w, "\0\0\0", 3);
    ms_wcur_le32(&g->w, 0); /* opt_endofopt */
    ms_wcur_le32(&g->w, 32);
}

static void ng_epb(ngbuf *g, uint32_t ifid, uint64_t ts, const uint8_t *d, size_t caplen,
                   size_t len)
{
    size_t pad = (4 - caplen % 4) % 4;
    uint32_t total = (uint32_t)(32 + caplen + pad);
    ms_wcur_le32(&g->w, 6);
    ms_wcur_le32(&g->w, total);
    ms_wcur_le32(&g->w, ifid);
    ms_wcur_le32(&g->w, (uint32_t)(ts >> 32));
    ms_wcur_le32(&g->w, (uint32_t)ts);
    ms_wcur_le32(&g->w, (uint32_t)caplen);
    ms_wcur_le32(&g->w, (uint32_t)len);
    ms_wcur_bytes(&g->w, d, caplen);
    ms_wcur_bytes(&g->w, "\0\0\0", pad);
    ms_wcur_le32(&g->w, total);
}

static void ng_write(const ngbuf *g, const char *path, size_t len)
{
    ck_assert_int_eq(g->w.err, MS_OK);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(g->b, 1, len, fp), len);
    fclose(fp);
}

START_TEST(pcapng_by_hand)
{
    static ngbuf g;
    uint8_t f[FRAME_MAX];
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    ng_shb(&g);
    ng_idb(&g, 1, 9); /* nanoseconds */
    uint64_t t0 = 1600000000ull * 1000000000ull + 123456789ull;
    ng_epb(&g, 0, t0, f, n, n);
    uint8_t arp[60] = { 0 };
    arp[12] = 0x08, arp[13] = 0x06;
    ng_epb(&g, 0, t0 + 1, arp, sizeof arp, sizeof arp);
    ng_epb(&g, 0, t0 + 2, f, n, n);
    size_t before_last = g.w.pos;
    ng_epb(&g, 0, t0 + 3, f, 40, n); /* snaplen-cut record */
    const char *p = tmp_path("hand.pcapng");
    ng_write(&g, p, g.w.pos);
    run *r = read_all(p, NULL, 0);
    ck_assert_int_eq(r->rc, 0);
    ck_assert_str_eq(r->link, "EN10MB");
    ck_assert_uint_eq(r->n, 2);
    expect_hello(&r->g[0], 1);
    ck_assert_int_eq(r->g[0].d.ts_sec, 1600000000);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 123456789u);
    expect_hello(&r->g[1], 3);
    ck_assert_uint_eq(r->g[1].d.ts_nsec, 123456791u);
    expect_stats(r, 4, 2, 1, 0, 0, 0, 1, 0, 0);

    /* Cut inside the last block. */
    ng_write(&g, p, before_last + 20);
    r = read_all(p, NULL, 0);
    ck_assert_int_eq(r->rc, -1);
    ck_assert_uint_eq(r->n, 2);
    ck_assert_uint_eq(r->st.frames, 3);
    ck_assert(strncmp(r->err, "truncated capture file: ", 24) == 0);

    /* Microsecond resolution (the pcapng default) and SLL. */
    uint8_t ip[FRAME_MAX], s[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    size_t sn = wrap_link(DLT_LINUX_SLL, s, sizeof s, ip, in);
    ng_shb(&g);
    ng_idb(&g, 113, 6);
    ng_epb(&g, 0, 1600000000ull * 1000000ull + 42ull, s, sn, sn);
    ng_write(&g, p, g.w.pos);
    r = read_all(p, NULL, 0);
    ck_assert_str_eq(r->link, "LINUX_SLL");
    ck_assert_uint_eq(r->n, 1);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 42000u);
}
END_TEST

/* Two interfaces with different link types in one pcapng: libpcap reports
 * one link type per file and (1.10) refuses the second interface when it
 * meets it. Whatever a libpcap does, we must not misparse: refuse with a
 * message (at open or while reading), or read the records correctly. */
START_TEST(pcapng_mixed_links)
{
    static ngbuf g;
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    ng_shb(&g);
    ng_idb(&g, 1, 6);
    ng_idb(&g, 101, 6);
    ng_epb(&g, 0, 1, f, n, n);
    ng_epb(&g, 1, 2, ip, in, in);
    const char *p = tmp_path("mixed.pcapng");
    ng_write(&g, p, g.w.pos);
    char err[512];
    ms_capture *c = ms_capture_open(p, err, sizeof err);
    if (!c) {
        ck_assert(strncmp(err, p, strlen(p)) == 0);
        return;
    }
    ms_udp_datagram d;
    int rc;
    size_t n_ok = 0;
    while ((rc = ms_capture_next(c, &d)) == 1) {
        ck_assert_uint_eq(d.frame, 1); /* the raw record never passes as Ethernet */
        n_ok++;
    }
    if (rc == -1) {
        fprintf(stderr, "note: mixed-link pcapng: %s\n", ms_capture_error(c));
        ck_assert_str_ne(ms_capture_error(c), "");
    }
    check_partition(ms_capture_get_stats(c));
    ms_capture_close(c);
}
END_TEST

static bool have_tool(const char *cmd)
{
    char line[256];
    snprintf(line, sizeof line, "%s --version >/dev/null 2>&1", cmd);
    return system(line) == 0;
}

/* The same records as pcap and as editcap's pcapng give the same result. */
START_TEST(pcapng_via_editcap)
{
    if (!have_tool("editcap")) {
        fprintf(stderr, "note: editcap missing, pcapng covered by the hand-built file only\n");
        return;
    }
    const char *p = tmp_path("ed.pcap");
    const char *q = tmp_path("ed.pcapng");
    fr_make(138, 138, 3000, 10);
    uint8_t f[FRAME_MAX];
    wr_open(p, DLT_EN10MB, true);
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    wr_add_full(f, n, n, 1500000000L, 1);
    wr_add_full(f, n, n, 1500000000L, 999999999);
    fr_add(40, 1480, 1480);
    fr_add(40, 0, 1480);
    fr_add(40, 2960, 48);
    wr_close();
    char cmd[2 * PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "editcap -F pcapng '%s' '%s' >/dev/null 2>&1", p, q);
    ck_assert_int_eq(system(cmd), 0);
    static run a;
    a = *read_all(p, NULL, 0);
    run *b = read_all(q, NULL, 0);
    ck_assert_uint_eq(a.n, 3);
    ck_assert_uint_eq(b->n, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(a.g[i].d.frame, b->g[i].d.frame);
        ck_assert_int_eq(a.g[i].d.ts_sec, b->g[i].d.ts_sec);
        ck_assert_uint_eq(a.g[i].d.ts_nsec, b->g[i].d.ts_nsec);
        ck_assert_uint_eq(a.g[i].sum, b->g[i].sum);
    }
    ck_assert_uint_eq(b->g[1].d.ts_nsec, 999999999u);
    ck_assert(b->g[2].d.reassembled);
    ck_assert_mem_eq(&a.st, &b->st, sizeof a.st);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Every prefix of every sample frame, placed against a guard page, plus
 * single-octet mutations: no read outside the record, partition holds. */

START_TEST(guarded_prefixes)
{
    uint8_t ip[FRAME_MAX], u[FRAME_MAX], fr[FRAME_MAX];
    static const uint8_t rr[8] = { 7, 7, 4, 0, 0, 0, 0, 0 };
    size_t un = mk_udp(u, sizeof u, 138, 138, HELLO, HELLO_N);
    ipspec s = ip_default();
    s.opts = rr, s.optlen = sizeof rr;
    size_t in = mk_ip(ip, sizeof ip, &s, u, un);
    static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
                                DLT_IPV4,   DLT_NULL,      DLT_LOOP };
    ms_portset ports;
    ms_portset_clear(&ports);
    ports.all = true;
    for (size_t k = 0; k < sizeof dlts / sizeof dlts[0]; k++) {
        size_t n = wrap_link(dlts[k], fr, sizeof fr, ip, in);
        ms_reasm *ra = ms_reasm_new(NULL);
        ms_frame_ctx ctx = { ms_link_from_dlt(dlts[k]), &ports, ra };
        ck_assert_int_ne(ctx.link, MS_LINK_UNSUPPORTED);
        for (size_t cut = 0; cut <= n; cut++) {
            ms_record rec = { cut + 1, 0, 0, guarded_copy(fr, cut), cut, n };
            ms_udp_datagram d;
            ms_frame_verdict v = ms_frame_process(&ctx, &rec, &d);
            if (cut == n) {
                ck_assert_int_eq(v, MS_FRAME_DATAGRAM);
                ck_assert_mem_eq(d.payload, HELLO, HELLO_N);
            } else if (v == MS_FRAME_DATAGRAM) {
                ck_assert(d.truncated);
                ck_assert_uint_lt(d.len, HELLO_N);
            } else {
                ck_assert_int_eq(v, MS_FRAME_TRUNCATED_HEADER);
            }
        }
        /* Every octet set to a few telling values, every prefix length. */
        static const uint8_t vals[] = { 0x00, 0x05, 0x08, 0x20, 0x45, 0x81, 0xFF };
        uint8_t m[FRAME_MAX];
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < sizeof vals; j++) {
                memcpy(m, fr, n);
                m[i] = vals[j];
                for (size_t cut = n; cut + 30 >= n && cut > 0; cut -= 15) {
                    ms_record rec = { 1, 0, 0, guarded_copy(m, cut), cut, n };
                    ms_udp_datagram d;
                    if (ms_frame_process(&ctx, &rec, &d) == MS_FRAME_DATAGRAM)
                        ck_assert_uint_le(d.len, d.orig_len);
                }
            }
        }
        ms_reasm_free(ra);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* The shared third-party captures against tshark.                     */

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* tshark's frame numbers for udp.port==138 (single pass: a reassembled
 * datagram shows at the fragment that completed it). */
static size_t tshark_frames(const char *path, uint64_t *out, size_t cap)
{
    char cmd[PATH_MAX + 128];
    snprintf(cmd, sizeof cmd,
             "tshark -n -r '%s' -Y 'udp.port==138' -T fields -e frame.number 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = 0;
    char line[64];
    while (fgets(line, sizeof line, p)) {
        ck_assert_uint_lt(n, cap);
        out[n++] = strtoull(line, NULL, 10);
    }
    ck_assert_int_eq(pclose(p), 0);
    return n;
}

/* Decided in main, before Check forks: the skip must reach the exit code. */
static const char *shared_check(void)
{
    if (!shared_captures_dir())
        return "shared captures directory not found (set MAILSLOT_SHARED)";
    if (!have_tool("tshark"))
        return "tshark not installed: cannot compare with the shared captures";
    return NULL;
}

START_TEST(shared_captures_vs_tshark)
{
    if (shared_why)
        return; /* main reports the skip */
    const char *dir = shared_captures_dir();
    DIR *dp = opendir(dir);
    ck_assert_ptr_nonnull(dp);
    char *names[256];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        const char *x = strrchr(e->d_name, '.');
        if (!x || (strcmp(x, ".pcap") && strcmp(x, ".pcapng") && strcmp(x, ".cap")))
            continue;
        if (strchr(e->d_name, '\''))
            continue;
        ck_assert_uint_lt(nn, 256);
        names[nn++] = strdup(e->d_name);
    }
    closedir(dp);
    qsort(names, nn, sizeof names[0], cmp_name);
    ck_assert_uint_gt(nn, 0);

    static uint64_t ts[4096], ours[4096];
    int mismatches = 0;
    for (size_t i = 0; i < nn; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t nt = tshark_frames(path, ts, 4096);
        char err[512];
        ms_capture *c = ms_capture_open(path, err, sizeof err);
        if (!c)
            ck_abort_msg("%s", err);
        size_t no = 0;
        ms_udp_datagram d;
        int rc;
        while ((rc = ms_capture_next(c, &d)) == 1) {
            ck_assert_uint_lt(no, 4096);
            ours[no++] = d.frame;
        }
        const ms_capture_stats *st = ms_capture_get_stats(c);
        check_partition(st);
        bool same = rc == 0 && no == nt && memcmp(ours, ts, no * sizeof ours[0]) == 0;
        fprintf(stderr,
                "%-55s %-7s frames=%-4llu ours=%-3zu tshark=%-3zu %s"
                " (not_ipv4=%llu not_udp=%llu other=%llu bad=%llu cut=%llu frag=%llu/%llu)\n",
                names[i], ms_capture_linktype_name(c), (unsigned long long)st->frames, no, nt,
                same ? "ok" : "MISMATCH", (unsigned long long)st->not_ipv4,
                (unsigned long long)st->not_udp, (unsigned long long)st->other_port,
                (unsigned long long)st->bad_header, (unsigned long long)st->truncated_header,
                (unsigned long long)st->fragments, (unsigned long long)st->frag_dropped);
        if (!same) {
            mismatches++;
            if (rc != 0)
                fprintf(stderr, "  read error: %s\n", ms_capture_error(c));
            for (size_t k = 0; k < no || k < nt; k++)
                if (k >= no || k >= nt || ours[k] != ts[k]) {
                    fprintf(stderr, "  first difference at #%zu: ours %llu, tshark %llu\n", k,
                            k < no ? (unsigned long long)ours[k] : 0ull,
                            k < nt ? (unsigned long long)ts[k] : 0ull);
                    break;
                }
        }
        ms_capture_close(c);
        free(names[i]);
    }
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

static Suite *capture_suite(void)
{
    Suite *s = suite_create("capture");
    TCase *tc = tcase_create("links");
    tcase_add_test(tc, ethernet_basic);
    tcase_add_test(tc, timestamps_micro_and_nano);
    tcase_add_test(tc, vlan_tags);
    tcase_add_test(tc, llc_snap);
    tcase_add_test(tc, linux_sll);
    tcase_add_test(tc, linux_sll2);
    tcase_add_test(tc, raw_ip);
    tcase_add_test(tc, loopback);
    tcase_add_test(tc, unsupported_link);
    tcase_add_test(tc, ip_options);
    tcase_add_test(tc, port_set);
    tcase_add_test(tc, snaplen_cut);
    suite_add_tcase(s, tc);

    tc = tcase_create("fragments");
    tcase_add_test(tc, frag_in_order);
    tcase_add_test(tc, frag_out_of_order);
    tcase_add_test(tc, frag_duplicate);
    tcase_add_test(tc, frag_overlap);
    tcase_add_test(tc, frag_never_completed);
    tcase_add_test(tc, frag_in_flight_bound);
    tcase_add_test(tc, frag_misc);
    tcase_add_test(tc, frag_max_size);
    tcase_add_test(tc, reasm_budget);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_test(tc, truncated_file);
    tcase_add_test(tc, not_a_capture);
    tcase_add_test(tc, stdin_pipe);
    tcase_add_test(tc, pcapng_by_hand);
    tcase_add_test(tc, pcapng_mixed_links);
    tcase_add_test(tc, pcapng_via_editcap);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("robustness");
    tcase_add_test(tc, guarded_prefixes);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);

    tc = tcase_create("shared");
    tcase_add_test(tc, shared_captures_vs_tshark);
    tcase_set_timeout(tc, 600);
    suite_add_tcase(s, tc);
    return s;
}

static void remove_tmpdir(void)
{
    DIR *dp = opendir(tmpdir);
    if (!dp)
        return;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlink(tmp_path(e->d_name));
    }
    closedir(dp);
    rmdir(tmpdir);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/ms_capture_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    shared_why = shared_check();
    int status = run_suite(capture_suite(), shared_why);
    remove_tmpdir();
    return status;
}
