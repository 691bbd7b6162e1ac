/* SPDX-License-Identifier: MIT */
/* Hex text to octets: key files, --hex data, JSON byte strings. */
#include <string.h>

#include "hex.h"
#include "mailslot/types.h"

ms_status ms_hex_decode(const char *text, size_t len, const char *sep, uint8_t *out, size_t cap,
                        size_t *out_len)
{
    size_t n = 0;
    ms_status st = MS_OK;
    for (size_t i = 0; i < len;) {
        if (sep && text[i] && strchr(sep, text[i])) {
            i++;
            continue;
        }
        int hi = ms_hexval((unsigned char)text[i]);
        int lo = i + 1 < len ? ms_hexval((unsigned char)text[i + 1]) : -1;
        if (hi < 0 || lo < 0) {
            *out_len = i;
            return MS_ERR_INVALID_ARG;
        }
        if (n < cap)
            out[n] = (uint8_t)(hi << 4 | lo);
        else
            st = MS_ERR_NO_SPACE;
        n++;
        i += 2;
    }
    *out_len = n;
    return st;
}
