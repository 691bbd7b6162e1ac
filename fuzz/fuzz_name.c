/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for NetBIOS name decoding, formatting and parsing: a
 * decoded name's wire octets equal the input prefix it consumed, and a valid
 * name's text form parses back to the same octets unless the formatter said
 * otherwise (the raw octets are then kept by the caller). */
#include <stdbool.h>
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
    /* The text form is exact unless a name octet is '<' (it could read as
     * an escape) or '.' (it could read as the scope separator), or a scope label holds '.' or non-printable octets; then
     * the JSON carries the raw octets as well. Otherwise it must parse back. */
    bool exact = a.valid;
    for (size_t i = 0; i < 15; i++)
        if (a.name[i] == '<' || a.name[i] == '.')
            exact = false;
    for (size_t i = a.scope_off; i + 1 < a.wire_len; i++) {
        size_t l = a.wire[i];
        for (size_t k = 1; k <= l && i + k < a.wire_len; k++)
            if (a.wire[i + k] == '.' || a.wire[i + k] < 0x21 || a.wire[i + k] > 0x7E)
                exact = false;
        i += l;
    }
    if (exact && (ms_nb_name_parse(&b, text, tl) != MS_OK || b.wire_len != a.wire_len ||
                  memcmp(b.wire, a.wire, a.wire_len) != 0))
        abort();
    /* Parsing arbitrary text must be safe too. */
    ms_nb_name_parse(&b, (const char *)d, n);
    return 0;
}
