/* SPDX-License-Identifier: MIT */
/* Test support: packets, pcap files and reading them back (the header
 * says what each helper does). */
#include "capture_files.h"

#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cursor.h"

static char tmpdir[256];

int tmp_init(const char *name)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/ms_%s_XXXXXX", base && *base ? base : "/tmp", name);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

const char *tmp_path(const char *name)
{
    static char path[4][PATH_MAX];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(path[slot], sizeof path[slot], "%s/%s", tmpdir, name);
    return path[slot];
}

void tmp_remove(void)
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

/* ---- packet builders ---------------------------------------------------- */

size_t mk_udp_l(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport,
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

size_t mk_udp(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport, const void *pl,
              size_t n)
{
    return mk_udp_l(out, cap, sport, dport, (uint16_t)(8 + n), pl, n);
}

ipspec ip_default(void)
{
    ipspec s = { SRC_IP, DST_IP, 17, 0x1234, 0, NULL, 0, 0, 0, -1 };
    return s;
}

size_t mk_ip(uint8_t *out, size_t cap, const ipspec *s, const void *pl, size_t n)
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
size_t mk_ip_udp(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport, const void *pl,
                 size_t n)
{
    uint8_t u[FRAME_MAX];
    size_t un = mk_udp(u, sizeof u, sport, dport, pl, n);
    ipspec s = ip_default();
    return mk_ip(out, cap, &s, u, un);
}

const uint8_t MAC_DST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
const uint8_t MAC_SRC[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };

/* Ethernet II with VLAN tags (tpid, tci pairs) in front of `type`. */
size_t mk_eth_tags(uint8_t *out, size_t cap, const uint16_t *tpids, size_t ntags,
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

size_t mk_eth(uint8_t *out, size_t cap, uint16_t type, const void *pl, size_t n)
{
    return mk_eth_tags(out, cap, NULL, 0, type, pl, n);
}

/* Ethernet frame of a UDP datagram, padded to the 60-octet minimum. */
size_t mk_eth_udp(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport, const void *pl,
                  size_t n)
{
    uint8_t ip[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, sport, dport, pl, n);
    size_t fn = mk_eth(out, cap, 0x0800, ip, in);
    while (fn < 60)
        out[fn++] = 0;
    return fn;
}


static pcap_t *wr_pd;
static pcap_dumper_t *wr_d;
unsigned wr_n;

void wr_open(const char *path, int dlt, bool nano)
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
void wr_add_full(const void *data, size_t len, size_t caplen, long sec, long frac)
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
void wr_add(const void *data, size_t len)
{
    wr_add_full(data, len, len, 1000000000L + (long)wr_n, 0);
}

void wr_close(void)
{
    pcap_dump_close(wr_d);
    pcap_close(wr_pd);
    wr_d = NULL;
    wr_pd = NULL;
}

/* libpcap writes DLT_RAW as LINKTYPE_RAW (101); old files say 12 or 14.
 * Patch the link type in the (host-order) file header. */
void patch_linktype(const char *path, uint32_t lt)
{
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 20, SEEK_SET), 0);
    ck_assert_uint_eq(fwrite(&lt, 4, 1, f), 1);
    fclose(f);
}

long file_size(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return (long)st.st_size;
}


bool have_tool(const char *cmd)
{
    char line[256];
    snprintf(line, sizeof line, "%s --version >/dev/null 2>&1", cmd);
    return system(line) == 0;
}


/* The IP payload (UDP header + data) that fragment tests cut up. */
uint8_t fr_dgram[70000];
size_t fr_len;

void fr_make(uint16_t sport, uint16_t dport, size_t n, uint8_t seed)
{
    static uint8_t pl[70000];
    for (size_t i = 0; i < n; i++)
        pl[i] = (uint8_t)(i * 7 + seed);
    fr_len = mk_udp(fr_dgram, sizeof fr_dgram, sport, dport, pl, n);
}

/* A frame with octets [off, off + len) of fr_dgram; MF as given. */
void fr_add_mf(uint16_t id, uint8_t proto, size_t off, size_t len, bool mf, long sec,
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
void fr_add_ts(uint16_t id, uint8_t proto, size_t off, size_t len, long sec)
{
    fr_add_mf(id, proto, off, len, off + len < fr_len, sec, 0);
}

/* Fragments a microsecond apart: well inside the reassembly timeout. */
void fr_add(uint16_t id, size_t off, size_t len)
{
    fr_add_mf(id, 17, off, len, off + len < fr_len, 1000000000L, (long)wr_n);
}

void expect_fr_dgram(const got *g, uint64_t frame)
{
    ck_assert_uint_eq(g->d.frame, frame);
    ck_assert(g->d.reassembled);
    ck_assert(!g->d.truncated);
    ck_assert_uint_eq(g->d.len, fr_len - 8);
    ck_assert_uint_eq(g->d.udp_length, fr_len);
    ck_assert_uint_eq(g->sum, fnv(fr_dgram + 8, fr_len - 8));
}


const ms_capture_stats *stats_now(const ms_capture *c)
{
    static ms_capture_stats st;
    st = MS_SIZED(ms_capture_stats);
    ck_assert_int_eq(ms_capture_get_stats(c, &st), MS_OK);
    return &st;
}

uint32_t fnv(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

void check_partition(const ms_capture_stats *st)
{
    uint64_t sum = st->datagrams + st->not_ipv4 + st->not_udp + st->other_port +
                   st->bad_header + st->truncated_header + st->fragments + st->unsupported_link;
    ck_assert_uint_eq(sum, st->frames);
    ck_assert_uint_le(st->frag_dropped, st->fragments);
}

/* ports == NULL: keep the default set; nports == 0 with ports: all. */
run *read_all(const char *path, const uint16_t *ports, size_t nports)
{
    static run r;
    memset(&r, 0, sizeof r);
    char err[512];
    ms_capture *c;
    if (ms_capture_open(path, &c, err, sizeof err) != MS_OK)
        ck_abort_msg("open %s: %s", path, err);
    if (ports)
        ms_capture_set_ports(c, ports, nports);
    ms_udp_datagram d;
    ms_status rc;
    while ((rc = ms_capture_next(c, &d)) == MS_OK) {
        ck_assert_uint_lt(r.n, MAX_GOT);
        got *g = &r.g[r.n++];
        g->d = d;
        ck_assert_uint_le(d.len, d.orig_len);
        if (d.len)
            ck_assert_ptr_nonnull(d.payload);
        memcpy(g->head, d.payload, d.len < KEEP ? d.len : KEEP);
        g->sum = fnv(d.payload, d.len);
        g->d.payload = NULL;
        check_partition(stats_now(c));
    }
    r.rc = rc;
    ck_assert_int_eq(ms_capture_next(c, &d), rc); /* sticky */
    r.st.size = sizeof r.st;
    ck_assert_int_eq(ms_capture_get_stats(c, &r.st), MS_OK);
    snprintf(r.err, sizeof r.err, "%s", ms_capture_error(c));
    snprintf(r.link, sizeof r.link, "%s", ms_capture_linktype_name(c));
    check_partition(&r.st);
    ck_assert_uint_eq(r.st.datagrams, r.n);
    ms_capture_close(c);
    return &r;
}

void expect_stats(const run *r, uint64_t frames, uint64_t dgrams, uint64_t not_ipv4,
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


void expect_hello(const got *g, uint64_t frame)
{
    ck_assert_uint_eq(g->d.frame, frame);
    ck_assert_uint_eq(g->d.len, HELLO_N);
    ck_assert_uint_eq(g->d.orig_len, HELLO_N);
    ck_assert_uint_eq(g->d.udp_length, 8 + HELLO_N);
    ck_assert_mem_eq(g->head, HELLO, HELLO_N);
    ck_assert(!g->d.truncated);
}

/* One IPv4 datagram (ip, n) wrapped for each supported link type. */
size_t wrap_link(int dlt, uint8_t *out, size_t cap, const uint8_t *ip, size_t n)
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
