/* SPDX-License-Identifier: MIT */
/* The value of one hex digit, for every parser of hex text (key files,
 * name escapes, --hex, JSON). */
#ifndef MS_COMMON_HEX_H
#define MS_COMMON_HEX_H

/* 0..15, or -1 when ch is not a hex digit (either case). */
static inline int ms_hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

#endif
