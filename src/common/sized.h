/* SPDX-License-Identifier: MIT */
/* Reading and writing the caller's size-carrying structures (MS_SIZED in
 * types.h): only the octets both sides know about. */
#ifndef MS_COMMON_SIZED_H
#define MS_COMMON_SIZED_H

#include <stddef.h>
#include <string.h>

/* Copies the octets after the size field that both sides know about: as
 * far as the caller's size (its first member) goes, at most full_len. */
static inline void ms_sized_copy(void *to, const void *from, const void *caller,
                                 size_t full_len)
{
    size_t n;
    memcpy(&n, caller, sizeof n);
    if (n > full_len)
        n = full_len;
    if (n > sizeof(size_t))
        memcpy((char *)to + sizeof(size_t), (const char *)from + sizeof(size_t),
               n - sizeof(size_t));
}

/* Options: start from the library's defaults in `full` (sizeof full_len)
 * and take over the caller's fields, as far as its size goes. */
static inline void ms_sized_read(void *full, size_t full_len, const void *caller)
{
    if (caller)
        ms_sized_copy(full, caller, caller, full_len);
}

/* Statistics: copy the library's `full` into the caller's structure, as
 * far as its size goes; its size field is left as the caller set it. */
static inline void ms_sized_write(void *caller, const void *full, size_t full_len)
{
    ms_sized_copy(caller, full, caller, full_len);
}

#endif
