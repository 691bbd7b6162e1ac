/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the capture path below libpcap: link layers, IPv4
 * (options, fragment reassembly with small limits), UDP, port selection.
 * Input: octet 0 picks the link type; then records, each a 2-octet length
 * followed by that many octets, fed with advancing capture time. Every
 * datagram handed up must lie inside the record (or the reassembly
 * buffer) and say how long it is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n < 1)
        return 0;
    static const ms_link_kind kinds[] = { MS_LINK_ETHERNET, MS_LINK_SLL, MS_LINK_SLL2, MS_LINK_RAW,
                                          MS_LINK_IPV4, MS_LINK_NULL, MS_LINK_LOOP };
    ms_portset ports;
    ms_portset_clear(&ports);
    ms_portset_add(&ports, 138);
    ms_portset_add(&ports, 137);
    ms_reasm_limits lim = { 4, 4096, 1000000000LL };
    ms_reasm *r = ms_reasm_new(&lim);
    if (!r)
        return 0;
    ms_frame_ctx ctx = { kinds[d[0] % (sizeof kinds / sizeof kinds[0])], &ports, r };
    ms_capture_stats st;
    memset(&st, 0, sizeof st);
    size_t pos = 1;
    uint64_t frame = 0;
    while (pos + 2 <= n) {
        size_t len = (size_t)d[pos] << 8 | d[pos + 1];
        pos += 2;
        if (len > n - pos)
            len = n - pos;
        /* An exact-size copy so ASan catches reads past the record. */
        uint8_t *rec = malloc(len ? len : 1);
        if (!rec)
            break;
        memcpy(rec, d + pos, len);
        pos += len;
        frame++;
        ms_record in = { frame, (int64_t)frame / 4, (uint32_t)(frame % 4) * 250000000u, rec, len,
                         len + (frame & 1) };
        ms_udp_datagram out;
        ms_frame_verdict v = ms_frame_process(&ctx, &in, &out);
        ms_frame_count(&st, v);
        if (v == MS_FRAME_DATAGRAM) {
            volatile uint8_t sink = 0;
            for (size_t i = 0; i < out.len; i++)
                sink ^= out.payload[i];
            (void)sink;
            if (out.len > out.orig_len && !out.truncated && out.len > 65535)
                abort();
        }
        ms_reasm_release(r);
        free(rec);
    }
    ms_reasm_flush(r);
    ms_reasm_free(r);
    return 0;
}
