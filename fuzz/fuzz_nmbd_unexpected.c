/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for what a reader of nmbd's unexpected-packet socket
 * parses (nmbd_unexpected.h): the stream after nmbd's answer octet, read
 * record by record as the reader does. Each record's datagram must lie
 * inside the input, and the stream must be consumed without going
 * backwards or past its end. */
#include <stdint.h>
#include <stdlib.h>

#include "mailslot/nmbd_unexpected.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    size_t at = 0;
    while (at < n) {
        ms_nmbd_record r;
        size_t used = 0;
        char err[256];
        if (ms_nmbd_record_parse(d + at, n - at, &r, &used, err, sizeof err) != MS_OK)
            break;
        if (used == 0 || used > n - at || r.len < 14 || r.len > MS_NMBD_RECORD_MAX ||
            r.dgram < d + at || r.dgram + r.len != d + at + used)
            abort();
        at += used;
    }
    uint8_t q[64];
    size_t qn = 0;
    if (ms_nmbd_query_build(q, sizeof q, &qn) != MS_OK || qn != ms_nmbd_query_size())
        abort();
    return 0;
}
