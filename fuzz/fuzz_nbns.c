/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the NBNS codec: decode; a decoded packet encodes
 * back to exactly the input (the codec is lossless: names keep their
 * pointer form, RDATA it does not split into entries stays raw, trailing
 * octets are kept); the replies a responder would build from it encode and
 * decode again to the same subject name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/nbns.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    static ms_nbns_packet p, back, reply;
    static uint8_t out[70000];
    size_t off = (size_t)-1;
    if (ms_nbns_decode(d, n, &p, &off) != MS_OK) {
        if (off > n)
            abort();
        return 0;
    }
    if (off != n)
        abort();
    if (n > sizeof out)
        return 0;
    size_t ol = 0;
    if (ms_nbns_encode(&p, out, sizeof out, &ol) != MS_OK || ol != n || memcmp(out, d, n) != 0)
        abort();
    /* Every shorter output buffer is refused cleanly. */
    if (n > 0 && ms_nbns_encode(&p, out, n - 1, &ol) != MS_ERR_NO_SPACE)
        abort();

    const ms_nb_name *subj = ms_nbns_subject(&p);
    if ((p.qdcount || p.ancount || p.nscount || p.arcount) && subj->valid) {
        if (!ms_nbns_name_equal(subj, subj))
            abort();
        ms_nbns_positive_response(&reply, &p, 0x0A000001, false, MS_NBNS_DEFAULT_TTL);
        if (ms_nbns_encode(&reply, out, sizeof out, &ol) != MS_OK ||
            ms_nbns_decode(out, ol, &back, NULL) != MS_OK ||
            !ms_nbns_name_equal(&back.rr.name, subj) || back.rr.naddrs != 1)
            abort();
        ms_nbns_defend(&reply, &p, 0x0A000001);
        if (ms_nbns_encode(&reply, out, sizeof out, &ol) != MS_OK ||
            ms_nbns_decode(out, ol, &back, NULL) != MS_OK ||
            MS_NBNS_RCODE(back.flags) != MS_NBNS_RCODE_ACT_ERR)
            abort();
    }
    return 0;
}
