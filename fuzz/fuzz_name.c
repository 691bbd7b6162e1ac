/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for NetBIOS name decoding, formatting and parsing: a
 * decoded name's wire octets equal the input prefix it consumed, and a valid
 * name's text form parses back to the same octets unless the formatter said
 * otherwise (the raw octets are then kept by the caller). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/netbios.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    ms_nb_name a, b;
    size_t used;
    if (ms_nb_name_decode(d, n, &a, &used) != MS_OK) {
        if (used > n)
            abort();
        return 0;
    }
    if (used != a.wire_len || used > n || memcmp(a.wire, d, used) != 0)
        abort();
    char text[512];
    size_t tl = ms_nb_name_format(&a, text, sizeof text);
    if (tl >= sizeof text)
        abort();
    if (ms_nb_name_parse(&b, text, tl) == MS_OK && a.valid && b.wire_len == a.wire_len &&
        memcmp(b.wire, a.wire, a.wire_len) != 0 && memcmp(b.name, a.name, 16) == 0 &&
        a.scope_off == b.scope_off)
        abort(); /* same name and scope layout, different octets: a formatter bug */
    /* Parsing arbitrary text must be safe too. */
    ms_nb_name_parse(&b, (const char *)d, n);
    return 0;
}
