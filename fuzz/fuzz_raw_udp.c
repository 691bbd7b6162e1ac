/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for what a raw UDP reader parses (raw_udp.h): an IPv4
 * packet as the kernel hands it over, with whatever a sender put in its
 * header and the UDP header. The view it returns must lie inside the
 * input. */
#include <stdint.h>
#include <stdlib.h>

#include "mailslot/raw_udp.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    ms_raw_udp_packet p;
    if (ms_raw_udp_parse(d, n, &p) != MS_OK)
        return 0;
    if (p.payload_off > n || p.payload_len > n - p.payload_off ||
        p.payload_len > p.orig_payload_len || p.truncated != (p.payload_len < p.orig_payload_len))
        abort();
    ms_raw_udp_filter f = { p.dport, p.dst_ip, 0 };
    if (!ms_raw_udp_match(&p, &f))
        abort();
    return 0;
}
