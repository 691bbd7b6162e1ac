/* SPDX-License-Identifier: MIT */
/* MS_EXTERN marks what libmailslot exports. The library is built with
 * -fvisibility=hidden, so a function without it stays inside the library
 * whatever header declares it; a program linking the shared library sees
 * exactly the functions so marked (tests/install_consumer.sh checks). */
#ifndef MAILSLOT_EXPORT_H
#define MAILSLOT_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define MS_EXTERN __attribute__((visibility("default")))
#else
#define MS_EXTERN
#endif

#endif
