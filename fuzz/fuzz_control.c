/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the mailslotd control protocol: decode stops
 * inside its input; what decodes encodes, and decodes again to the same
 * message (encoding is canonical: known attributes in order). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/control.h"

static int same(const ms_ctl_msg *a, const ms_ctl_msg *b)
{
    if (a->type != b->type || a->have != b->have || a->nnames != b->nnames ||
        a->version != b->version || a->status != b->status || a->mode != b->mode ||
        a->via != b->via || a->queue_max != b->queue_max || a->src_ip != b->src_ip ||
        a->dst_ip != b->dst_ip || a->ifindex != b->ifindex || a->token != b->token ||
        a->pid != b->pid || a->flags != b->flags || a->src_port != b->src_port ||
        a->dst_port != b->dst_port || a->time_ns != b->time_ns || a->dropped != b->dropped)
        return 0;
    const ms_bytes *x[] = { &a->text, &a->slot, &a->datagram, &a->json, &a->src_name,
                            &a->workgroup };
    const ms_bytes *y[] = { &b->text, &b->slot, &b->datagram, &b->json, &b->src_name,
                            &b->workgroup };
    for (size_t i = 0; i < 6; i++)
        if (x[i]->len != y[i]->len || (x[i]->len && memcmp(x[i]->p, y[i]->p, x[i]->len)))
            return 0;
    for (size_t i = 0; i < a->nnames; i++)
        if (a->names[i].len != b->names[i].len ||
            (a->names[i].len && memcmp(a->names[i].p, b->names[i].p, a->names[i].len)))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    static ms_ctl_msg m, back;
    static uint8_t out[MS_CTL_MAX_PACKET * 2];
    size_t off = (size_t)-1, ol = 0;
    if (ms_ctl_decode(d, n, &m, &off) != MS_OK) {
        if (off > n)
            abort();
        return 0;
    }
    if (off != n)
        abort();
    if (ms_ctl_encode(&m, out, sizeof out, &ol) != MS_OK || ol > n)
        abort();
    if (ms_ctl_decode(out, ol, &back, NULL) != MS_OK || !same(&m, &back))
        abort();
    return 0;
}
