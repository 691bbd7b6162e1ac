/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the NBNS codec: decode; a decoded packet encodes
 * back to exactly the input (the codec is lossless: names keep their
 * pointer form, RDATA it does not split into entries stays raw, trailing
 * octets are kept); the replies a responder would build from it encode and
 * decode again to the same subject name; the RDATA of an NBSTAT record
 * decodes as node status or fails inside its bounds, and what decodes
 * encodes back to the same names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/nbns.h"

static void node_status(const uint8_t *rd, size_t len)
{
    static ms_nbns_node_status st, back;
    static uint8_t out[8192];
    size_t off = (size_t)-1, ol = 0;
    if (ms_nbns_node_status_decode(rd, len, &st, &off) != MS_OK) {
        if (off > len)
            abort();
        return;
    }
    if (ms_nbns_node_status_encode(&st, out, sizeof out, &ol) != MS_OK ||
        ms_nbns_node_status_decode(out, ol, &back, NULL) != MS_OK || back.nnames != st.nnames ||
        (st.nnames && memcmp(back.names, st.names, st.nnames * sizeof st.names[0]) != 0) ||
        back.stats.len != MS_NBNS_STATS_LEN)
        abort();
}

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

    if (p.rr.type == MS_NBNS_TYPE_NBSTAT && p.rr.rdata.len)
        node_status(p.rr.rdata.p, p.rr.rdata.len);

    const ms_nb_name *subj = ms_nbns_subject(&p);
    if ((p.qdcount || p.ancount || p.nscount || p.arcount) && subj->valid) {
        if (!ms_nbns_name_equal(subj, subj))
            abort();
        ms_nbns_positive_response(&reply, &p, 0x0A000001, 0, MS_NBNS_DEFAULT_TTL);
        if (ms_nbns_encode(&reply, out, sizeof out, &ol) != MS_OK ||
            ms_nbns_decode(out, ol, &back, NULL) != MS_OK ||
            !ms_nbns_name_equal(&back.rr.name, subj) || back.rr.naddrs != 1)
            abort();
        ms_nbns_defend(&reply, &p, 0x0A000001, 0);
        if (ms_nbns_encode(&reply, out, sizeof out, &ol) != MS_OK ||
            ms_nbns_decode(out, ol, &back, NULL) != MS_OK ||
            MS_NBNS_RCODE(back.flags) != MS_NBNS_RCODE_ACT_ERR)
            abort();
    }
    return 0;
}
