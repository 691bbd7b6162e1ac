/* SPDX-License-Identifier: MIT */
/* The round-trip harness of the payload codec tests (test_browser.c,
 * test_netlogon.c): a vector's octets from hex or from a frame of the
 * shared captures, decode then encode giving back the same octets, and the
 * encoder refusing every buffer that is too small. Each codec is seen
 * through two functions on a message of its own type. */
#ifndef MS_TEST_CODEC_RT_H
#define MS_TEST_CODEC_RT_H

#include <stddef.h>
#include <stdint.h>

#include "mailslot/status.h"

typedef struct rt_codec {
    /* `arg`: what decode needs besides the octets (the browser's lanman
     * flag); NULL when nothing. */
    ms_status (*decode)(const uint8_t *p, size_t n, void *msg, size_t *err_off,
                        const void *arg);
    ms_status (*encode)(const void *msg, uint8_t *buf, size_t cap, size_t *used);
} rt_codec;

/* The octets of a vector: `hex` when it is not NULL, else the mailslot
 * data of frame `frame` (1-based) of `file` in the shared captures; the
 * test fails, naming `what`, when that cannot be read. */
size_t rt_load(const char *what, const char *hex, const char *file, unsigned frame,
               uint8_t *buf, size_t cap);

/* msg encodes to exactly p[0..n). */
void rt_encodes_to(const rt_codec *c, const char *what, const void *msg, const uint8_t *p,
                   size_t n);

/* raw[0..n) decodes (MS_OK) from a copy against a guard page into msg and
 * encodes back to the same octets. Returns the err_off decode reported. The
 * message points into the guarded copy until the next guarded_copy(). */
size_t rt_round_trip(const rt_codec *c, const void *arg, const char *what, const uint8_t *raw,
                     size_t n, void *msg);

/* msg, which encodes to n octets, fits no smaller buffer (MS_ERR_NO_SPACE,
 * nothing said to be written) and fits n. */
void rt_no_space(const rt_codec *c, const char *what, const void *msg, size_t n);

/* Why the vectors from the shared captures cannot run, or NULL. Set by
 * rt_shared_check(what) in main, before Check forks, so that the skip
 * reaches the exit code (run_suite(s, rt_shared_why)). */
extern const char *rt_shared_why;
void rt_shared_check(const char *what);

/* Real-frame tests start with this. */
#define NEED_SHARED()       \
    do {                    \
        if (rt_shared_why)  \
            return;         \
    } while (0)

#endif
