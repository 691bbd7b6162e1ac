/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the one thing a local mailslot writer parses: the
 * server's info file (local messages themselves are one Unix datagram
 * each, framed by the kernel, and carry no format of ours). */
#include <stdint.h>
#include <stdlib.h>

#include "mailslot/local.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    uint32_t max = 0;
    /* The name the writer looks for, as ms_local_stem normalises it. */
    ms_local_info_parse((const char *)d, n, "\\mailslot\\fuzz", &max);
    ms_local_info_parse((const char *)d, n, "", &max);
    return 0;
}
