/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the browser codec: decode in both mailslot modes;
 * whatever decodes must encode back to the same octets, and the field and
 * summary walkers must cope with it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/browser.h"

static void sink(void *ctx, const ms_field *f)
{
    /* Touch what the walker points at so ASan checks every range. */
    size_t *acc = ctx;
    if (f->p)
        for (size_t i = 0; i < f->len; i++)
            *acc += f->p[i];
    if (f->label)
        *acc += strlen(f->label);
}

static void one(const uint8_t *d, size_t n, bool lanman)
{
    static uint8_t out[1 << 17];
    ms_browser b;
    size_t off = 0, used = 0;
    ms_status st = ms_browser_decode(d, n, lanman, &b, &off);
    if (off > n)
        abort();
    if (st != MS_OK || n > sizeof out)
        return;
    if (ms_browser_encode(&b, out, sizeof out, &used) != MS_OK)
        abort();
    if (used != n || (n && memcmp(out, d, n) != 0))
        abort();
    /* One octet short must be refused, never overrun. */
    if (n && ms_browser_encode(&b, out, n - 1, &used) != MS_ERR_NO_SPACE)
        abort();

    size_t acc = 0;
    char line[128];
    ms_browser_fields(&b, sink, &acc);
    size_t want = ms_browser_summary(&b, line, sizeof line);
    if (strlen(line) != (want < sizeof line ? want : sizeof line - 1))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    one(d, n, false);
    one(d, n, true);
    return 0;
}
