/* SPDX-License-Identifier: MIT */
/* Test support for the capture and IPv4 reassembly tests: packets built
 * through the project's write cursor, small pcap files written with
 * libpcap's own writer into a private temporary folder, and the files read
 * back through ms_capture_* with the counters checked on the way. */
#ifndef MS_TEST_CAPTURE_FILES_H
#define MS_TEST_CAPTURE_FILES_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailslot/capture.h"

#define SRC_IP 0xC0A8010Au /* 192.168.1.10 */
#define DST_IP 0xC0A801FFu /* 192.168.1.255 */
#define FRAME_MAX 2048
#define IP_MF 0x2000

#define HELLO "hello mailslot"
#define HELLO_N (sizeof HELLO - 1)

/* ---- the temporary folder ---- */

/* Make $TMPDIR/ms_NAME_XXXXXX (0 or -1); tmp_path names a file in it (one
 * of four rotating buffers); tmp_remove empties and removes it. */
int tmp_init(const char *name);
const char *tmp_path(const char *name);
void tmp_remove(void);

/* ---- packet builders ---- */

size_t mk_udp_l(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport, uint16_t length_field,
                const void *pl, size_t n);
size_t mk_udp(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport, const void *pl, size_t n);

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

ipspec ip_default(void);
size_t mk_ip(uint8_t *out, size_t cap, const ipspec *s, const void *pl, size_t n);
/* A plain IPv4/UDP datagram with the default addresses. */
size_t mk_ip_udp(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport, const void *pl,
                 size_t n);

extern const uint8_t MAC_DST[6], MAC_SRC[6];
/* Ethernet II with VLAN tags (tpid, tci pairs) in front of `type`. */
size_t mk_eth_tags(uint8_t *out, size_t cap, const uint16_t *tpids, size_t ntags, uint16_t type,
                   const void *pl, size_t n);
size_t mk_eth(uint8_t *out, size_t cap, uint16_t type, const void *pl, size_t n);
/* Ethernet frame of a UDP datagram, padded to the 60-octet minimum. */
size_t mk_eth_udp(uint8_t *out, size_t cap, uint16_t sport, uint16_t dport, const void *pl,
                  size_t n);
/* One IPv4 datagram (ip, n) wrapped for each supported link type. */
size_t wrap_link(int dlt, uint8_t *out, size_t cap, const uint8_t *ip, size_t n);

/* ---- writing capture files with libpcap ---- */

extern unsigned wr_n; /* records written to the open file */
void wr_open(const char *path, int dlt, bool nano);
/* A record of `len` octets on the wire, `caplen` of them captured; frac is
 * microseconds or nanoseconds as the file was opened. */
void wr_add_full(const void *data, size_t len, size_t caplen, long sec, long frac);
/* The n-th record (from 0) is stamped 1000000000 + n seconds. */
void wr_add(const void *data, size_t len);
void wr_close(void);
/* libpcap writes DLT_RAW as LINKTYPE_RAW (101); old files say 12 or 14.
 * Patch the link type in the (host-order) file header. */
void patch_linktype(const char *path, uint32_t lt);
long file_size(const char *path);
bool have_tool(const char *cmd);

/* ---- IPv4 fragments of one UDP datagram ---- */

/* The IP payload (UDP header + data) that fragment tests cut up. */
extern uint8_t fr_dgram[70000];
extern size_t fr_len;
void fr_make(uint16_t sport, uint16_t dport, size_t n, uint8_t seed);
/* A frame with octets [off, off + len) of fr_dgram; MF as given. */
void fr_add_mf(uint16_t id, uint8_t proto, size_t off, size_t len, bool mf, long sec, long frac);
/* MF unless the fragment reaches the end of fr_dgram. */
void fr_add_ts(uint16_t id, uint8_t proto, size_t off, size_t len, long sec);
/* Fragments a microsecond apart: well inside the reassembly timeout. */
void fr_add(uint16_t id, size_t off, size_t len);

/* ---- reading back ---- */

#define MAX_GOT 96
#define KEEP 256

typedef struct got {
    ms_udp_datagram d;
    uint8_t head[KEEP]; /* first octets of the payload */
    uint32_t sum;       /* FNV-1a of the whole payload */
} got;

typedef struct run {
    ms_status rc;       /* the final ms_capture_next result */
    size_t n;
    got g[MAX_GOT];
    ms_capture_stats st;
    char err[1024];
    char link[32];
} run;

uint32_t fnv(const uint8_t *p, size_t n);
/* The eight verdict counters sum to frames. */
void check_partition(const ms_capture_stats *st);
/* The counters now (a snapshot, valid until the next call). */
const ms_capture_stats *stats_now(const ms_capture *c);
/* Every datagram of the file (ports == NULL: the default set; nports == 0
 * with ports: all), checking the partition after each. One static run. */
run *read_all(const char *path, const uint16_t *ports, size_t nports);
void expect_stats(const run *r, uint64_t frames, uint64_t dgrams, uint64_t not_ipv4,
                  uint64_t not_udp, uint64_t other_port, uint64_t bad, uint64_t trunc,
                  uint64_t frags, uint64_t unsupported);
void expect_hello(const got *g, uint64_t frame);
/* A datagram rebuilt from fr_dgram, handed up at frame. */
void expect_fr_dgram(const got *g, uint64_t frame);

#endif
