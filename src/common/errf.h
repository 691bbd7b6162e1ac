/* SPDX-License-Identifier: MIT */
/* One line of detail into the caller's optional buffer (NULL or 0: none),
 * the library's one way of saying why a call failed. */
#ifndef MS_COMMON_ERRF_H
#define MS_COMMON_ERRF_H

#include <stdarg.h>
#include <stdio.h>

__attribute__((format(printf, 3, 4))) static inline void ms_errf(char *err, size_t errlen,
                                                                 const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

#endif
