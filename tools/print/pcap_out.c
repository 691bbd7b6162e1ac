/* SPDX-License-Identifier: MIT */
#include "pcap_out.h"

#include "cli_outfile.h"

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UDP_PAYLOAD (65535 - 20 - 8)

struct pcap_out {
    pcap_t *dead;
    pcap_dumper_t *dump; /* over out's stream, which out closes */
    cli_outfile *out;
    uint16_t next_id;
    uint8_t frame[14 + 65535];
};

pcap_out *pcap_out_open(const char *path, char *err, size_t errlen)
{
    pcap_out *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    o->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
                                                   PCAP_TSTAMP_PRECISION_NANO);
    if (!o->dead) {
        snprintf(err, errlen, "%s: cannot start a pcap writer", path);
        pcap_out_abort(o);
        return NULL;
    }
    if (!(o->out = cli_outfile_open(path, err, errlen))) {
        pcap_out_abort(o);
        return NULL;
    }
    o->dump = pcap_dump_fopen(o->dead, cli_outfile_stream(o->out));
    if (!o->dump || cli_outfile_failed(o->out)) {
        snprintf(err, errlen, "%s: %s", path, pcap_geterr(o->dead));
        pcap_out_abort(o);
        return NULL;
    }
    return o;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        acc += (uint32_t)p[n - 1] << 8;
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)~acc;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

size_t ipv4_udp_frame(uint8_t *f, size_t cap, uint16_t ip_id, uint32_t ip_src,
                      uint32_t ip_dst, uint16_t sport, uint16_t dport,
                      const uint8_t *payload, size_t len)
{
    if (len > MAX_UDP_PAYLOAD || cap < 28 + len)
        return 0;
    memset(f, 0, 28);
    f[0] = 0x45;
    put16(f + 2, (uint16_t)(28 + len));
    put16(f + 4, ip_id);
    f[8] = 64;
    f[9] = 17;
    put32(f + 12, ip_src);
    put32(f + 16, ip_dst);
    put16(f + 10, fold(sum16(f, 20, 0)));
    uint8_t *u = f + 20;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + len));
    memcpy(u + 8, payload, len);
    /* UDP checksum over the pseudo-header, header and payload. */
    uint32_t acc = sum16(f + 12, 8, 0) + 17 + (uint32_t)(8 + len);
    acc = sum16(u, 8 + len, acc);
    uint16_t ck = fold(acc);
    put16(u + 6, ck ? ck : 0xFFFF);
    return 28 + len;
}

int pcap_out_write(pcap_out *o, int64_t sec, uint32_t nsec, uint32_t ip_src,
                   uint32_t ip_dst, uint16_t sport, uint16_t dport,
                   const uint8_t *payload, size_t len)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
    static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
    bool broadcast = (ip_dst & 0xFF) == 0xFF || ip_dst == 0xFFFFFFFFu;
    memcpy(o->frame, broadcast ? bcast : mac_dst, 6);
    memcpy(o->frame + 6, mac_src, 6);
    o->frame[12] = 0x08;
    o->frame[13] = 0x00;
    size_t n = ipv4_udp_frame(o->frame + 14, sizeof o->frame - 14, o->next_id++,
                              ip_src, ip_dst, sport, dport, payload, len);
    if (!n)
        return -1;
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = (time_t)sec;
    h.ts.tv_usec = (suseconds_t)nsec; /* nanoseconds in a NANO-precision dump */
    h.caplen = h.len = (bpf_u_int32)(14 + n);
    pcap_dump((u_char *)o->dump, &h, o->frame);
    return cli_outfile_failed(o->out) ? -1 : 0;
}

int pcap_out_error(const pcap_out *o, char *err, size_t errlen)
{
    return cli_outfile_error(o->out, err, errlen);
}

/* pcap_dump_close would only fclose the stream: the writer does that,
 * checked, so the dumper is dropped without it. */
int pcap_out_commit(pcap_out *o, char *err, size_t errlen)
{
    int rc = cli_outfile_commit(o->out, err, errlen);
    o->out = NULL;
    pcap_out_abort(o);
    return rc;
}

void pcap_out_abort(pcap_out *o)
{
    if (!o)
        return;
    cli_outfile_abort(o->out);
    if (o->dead)
        pcap_close(o->dead);
    free(o);
}
