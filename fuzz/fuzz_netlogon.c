/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the NETLOGON codec: whatever decodes (including an
 * undefined opcode, which still fills the raw layout) must encode back to
 * the same octets; the field walk, the summary and name expansion must not
 * fault on anything decode accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/netlogon.h"

static void no_op(void *ctx, const ms_field *f)
{
    /* Touch what the visitor is given so ASan sees every range. */
    volatile uint8_t sink = 0;
    if ((f->kind == MS_F_TEXT || f->kind == MS_F_HEX || f->kind == MS_F_UTF16) && f->len)
        sink ^= f->p[0] ^ f->p[f->len - 1];
    if (f->label)
        sink ^= (uint8_t)f->label[0];
    (void)sink;
    (void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    ms_netlogon m;
    size_t off = 0;
    ms_status st = ms_netlogon_decode(d, n, &m, &off);
    if (st != MS_OK && off > n)
        abort();
    if (st != MS_OK && st != MS_ERR_OPCODE)
        return 0;

    static uint8_t out[1 << 16];
    size_t used = 0;
    if (ms_netlogon_encode(&m, out, sizeof out, &used) != MS_OK || used != n ||
        (n && memcmp(out, d, n) != 0))
        abort();
    /* One octet short must be refused, never written past. */
    if (n && ms_netlogon_encode(&m, out, n - 1, &used) != MS_ERR_NO_SPACE)
        abort();

    ms_netlogon_fields(&m, no_op, NULL);
    char line[128];
    ms_netlogon_summary(&m, line, sizeof line);
    for (int i = 0; i < MS_NL_CN_COUNT; i++) {
        char text[MS_NL_NAME_TEXT_MAX];
        if (m.names[i].p &&
            ms_netlogon_name_text(d, n, m.names[i], text, sizeof text) != MS_OK)
            abort(); /* decode checked every name it accepted */
    }
    return 0;
}
