/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for a whole UDP payload: NBDS header, names, SMB
 * transaction and the payload codecs. Whatever decodes (fully or with the
 * transaction view kept) must re-encode to the same octets, and the field
 * walker must cope with it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/message.h"

static void sink(void *ctx, const ms_field *f)
{
    size_t *acc = ctx;
    if (f->p)
        for (size_t i = 0; i < f->len; i++)
            *acc += f->p[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    static ms_message m;
    static uint8_t out[1 << 17];
    ms_status st = ms_message_decode(d, n, &m);
    if (m.err_off > n)
        abort();
    size_t acc = 0;
    ms_message_fields(&m, sink, &acc);
    /* Errors before the transaction leave no complete field set; every
     * other outcome must give the same octets back. */
    bool whole = st == MS_OK || (m.has_smb && m.err_layer == MS_LAYER_SMB) ||
                 m.err_layer == MS_LAYER_BROWSER || m.err_layer == MS_LAYER_NETLOGON;
    if (whole && n <= sizeof out) {
        size_t len;
        if (ms_message_encode(&m, out, sizeof out, &len) != MS_OK || len != n ||
            memcmp(out, d, n) != 0)
            abort();
    }
    return 0;
}
