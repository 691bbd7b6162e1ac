/* SPDX-License-Identifier: MIT */
#include "codec_rt.h"

#include <check.h>
#include <stdio.h>

#include "guard.h"
#include "shared_frames.h"

const char *rt_shared_why;

size_t rt_load(const char *what, const char *hex, const char *file, unsigned frame,
               uint8_t *buf, size_t cap)
{
    if (hex)
        return hex_to_bytes(hex, buf, cap);
    size_t n = 0;
    char err[512];
    if (shared_frame_data(file, frame, buf, cap, &n, err, sizeof err) != SHARED_FRAME_OK)
        ck_abort_msg("%s: %s", what, err);
    return n;
}

void rt_encodes_to(const rt_codec *c, const char *what, const void *msg, const uint8_t *p,
                   size_t n)
{
    uint8_t out[2048];
    size_t used = 0;
    ms_status st = c->encode(msg, out, sizeof out, &used);
    ck_assert_msg(st == MS_OK, "%s: encode: %s", what, ms_strerror(st));
    ck_assert_msg(used == n, "%s: encoded %zu octets, want %zu", what, used, n);
    ck_assert_mem_eq(out, p, n);
}

size_t rt_round_trip(const rt_codec *c, const void *arg, const char *what, const uint8_t *raw,
                     size_t n, void *msg)
{
    size_t off = 12345;
    ms_status st = c->decode(guarded_copy(raw, n), n, msg, &off, arg);
    ck_assert_msg(st == MS_OK, "%s: %s at %zu", what, ms_strerror(st), off);
    rt_encodes_to(c, what, msg, raw, n);
    return off;
}

void rt_no_space(const rt_codec *c, const char *what, const void *msg, size_t n)
{
    uint8_t out[2048];
    for (size_t cap = 0; cap < n; cap++) {
        size_t used = 777;
        /* out is only written: encode reads nothing from it. */
        // cppcheck-suppress legacyUninitvar
        ms_status st = c->encode(msg, cap ? out : NULL, cap, &used);
        ck_assert_msg(st == MS_ERR_NO_SPACE, "%s: cap %zu: %s", what, cap, ms_strerror(st));
        ck_assert_uint_eq(used, 0);
    }
    size_t used = 0;
    ck_assert_int_eq(c->encode(msg, out, n, &used), MS_OK);
    ck_assert_uint_eq(used, n);
}

void rt_shared_check(const char *what)
{
    static char why[160];
    if (shared_captures_dir())
        return;
    snprintf(why, sizeof why,
             "shared captures directory not found (set MAILSLOT_SHARED): "
             "real-frame %s vectors not run", what);
    rt_shared_why = why;
}
