/* SPDX-License-Identifier: MIT */
/* The one bounds-checked cursor. Every read of untrusted octets in the codec
 * goes through here; nothing else does arithmetic on wire lengths.
 * Errors are sticky: after the first failure every call is a no-op that
 * returns the same status, so parsers can read a run of fields and test once. */
#ifndef MS_CURSOR_H
#define MS_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "mailslot/status.h"

typedef struct ms_rcur {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    ms_status err;
} ms_rcur;

typedef struct ms_wcur {
    uint8_t *buf;
    size_t cap;
    size_t pos;
    ms_status err;
} ms_wcur;

static inline ms_rcur ms_rcur_make(const uint8_t *buf, size_t len)
{
    ms_rcur c = { buf, len, 0, MS_OK };
    return c;
}

static inline size_t ms_rcur_left(const ms_rcur *c)
{
    return c->err ? 0 : c->len - c->pos;
}

/* Reserve n octets; returns a pointer to them or NULL (error set). */
static inline const uint8_t *ms_rcur_take(ms_rcur *c, size_t n)
{
    if (c->err)
        return NULL;
    if (n > c->len - c->pos) {
        c->err = MS_ERR_TRUNCATED;
        return NULL;
    }
    const uint8_t *p = c->buf + c->pos;
    c->pos += n;
    return p;
}

static inline uint8_t ms_rcur_u8(ms_rcur *c)
{
    const uint8_t *p = ms_rcur_take(c, 1);
    return p ? p[0] : 0;
}

static inline uint16_t ms_rcur_be16(ms_rcur *c)
{
    const uint8_t *p = ms_rcur_take(c, 2);
    return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

static inline uint32_t ms_rcur_be32(ms_rcur *c)
{
    const uint8_t *p = ms_rcur_take(c, 4);
    return p ? ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
                   ((uint32_t)p[2] << 8) | p[3]
             : 0;
}

static inline uint16_t ms_rcur_le16(ms_rcur *c)
{
    const uint8_t *p = ms_rcur_take(c, 2);
    return p ? (uint16_t)(p[0] | (p[1] << 8)) : 0;
}

static inline uint32_t ms_rcur_le32(ms_rcur *c)
{
    const uint8_t *p = ms_rcur_take(c, 4);
    return p ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
                   ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24)
             : 0;
}

static inline uint64_t ms_rcur_le64(ms_rcur *c)
{
    uint64_t lo = ms_rcur_le32(c);
    uint64_t hi = ms_rcur_le32(c);
    return lo | (hi << 32);
}

/* Fixed-layout blocks: ms_rcur_take checks the length of a whole block
 * once; these read at offsets inside it. The offset is a constant of the
 * layout (never a wire value) and i + width <= the length taken is the
 * caller's to keep, so no further check is needed. */
static inline uint16_t ms_blk_le16(const uint8_t *b, size_t i)
{
    return (uint16_t)(b[i] | (b[i + 1] << 8));
}

static inline uint32_t ms_blk_le32(const uint8_t *b, size_t i)
{
    return (uint32_t)b[i] | ((uint32_t)b[i + 1] << 8) | ((uint32_t)b[i + 2] << 16) |
           ((uint32_t)b[i + 3] << 24);
}

static inline uint16_t ms_blk_be16(const uint8_t *b, size_t i)
{
    return (uint16_t)((b[i] << 8) | b[i + 1]);
}

static inline uint32_t ms_blk_be32(const uint8_t *b, size_t i)
{
    return ((uint32_t)b[i] << 24) | ((uint32_t)b[i + 1] << 16) | ((uint32_t)b[i + 2] << 8) |
           b[i + 3];
}

static inline void ms_rcur_copy(ms_rcur *c, void *dst, size_t n)
{
    const uint8_t *p = ms_rcur_take(c, n);
    if (p)
        memcpy(dst, p, n);
    else
        memset(dst, 0, n);
}

/* Octet at pos + i without consuming; -1 when out of range. */
static inline int ms_rcur_peek(const ms_rcur *c, size_t i)
{
    if (c->err || i >= c->len - c->pos)
        return -1;
    return c->buf[c->pos + i];
}

/* Length of the run up to and including the first `term` octet (1 or 2
 * octets wide, `align` = 2 for UTF-16 code units); 0 if none before the end. */
static inline size_t ms_rcur_find_term(const ms_rcur *c, size_t width)
{
    if (c->err)
        return 0;
    size_t left = c->len - c->pos;
    const uint8_t *p = c->buf + c->pos;
    if (width == 1) {
        /* memchr scans many octets per step. */
        const uint8_t *z = left ? memchr(p, 0, left) : NULL;
        return z ? (size_t)(z - p) + 1 : 0;
    }
    for (size_t i = 0; i + width <= left; i += width) {
        if (p[i] == 0 && (width == 1 || p[i + 1] == 0))
            return i + width;
    }
    return 0;
}

/* A sub-cursor over the next n octets (consumed from c). */
static inline ms_rcur ms_rcur_sub(ms_rcur *c, size_t n)
{
    const uint8_t *p = ms_rcur_take(c, n);
    ms_rcur s = { p, p ? n : 0, 0, p ? MS_OK : c->err };
    return s;
}

static inline ms_wcur ms_wcur_make(uint8_t *buf, size_t cap)
{
    ms_wcur c = { buf, cap, 0, MS_OK };
    return c;
}

static inline uint8_t *ms_wcur_take(ms_wcur *c, size_t n)
{
    if (c->err)
        return NULL;
    if (n > c->cap - c->pos) {
        c->err = MS_ERR_NO_SPACE;
        return NULL;
    }
    uint8_t *p = c->buf + c->pos;
    c->pos += n;
    return p;
}

static inline void ms_wcur_u8(ms_wcur *c, uint8_t v)
{
    uint8_t *p = ms_wcur_take(c, 1);
    if (p)
        p[0] = v;
}

static inline void ms_wcur_be16(ms_wcur *c, uint16_t v)
{
    uint8_t *p = ms_wcur_take(c, 2);
    if (p) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
    }
}

static inline void ms_wcur_be32(ms_wcur *c, uint32_t v)
{
    uint8_t *p = ms_wcur_take(c, 4);
    if (p) {
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
    }
}

static inline void ms_wcur_le16(ms_wcur *c, uint16_t v)
{
    uint8_t *p = ms_wcur_take(c, 2);
    if (p) {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
    }
}

static inline void ms_wcur_le32(ms_wcur *c, uint32_t v)
{
    uint8_t *p = ms_wcur_take(c, 4);
    if (p) {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
        p[2] = (uint8_t)(v >> 16);
        p[3] = (uint8_t)(v >> 24);
    }
}

static inline void ms_wcur_le64(ms_wcur *c, uint64_t v)
{
    ms_wcur_le32(c, (uint32_t)v);
    ms_wcur_le32(c, (uint32_t)(v >> 32));
}

static inline void ms_wcur_bytes(ms_wcur *c, const void *src, size_t n)
{
    uint8_t *p = ms_wcur_take(c, n);
    if (p && n)
        memcpy(p, src, n);
}

/* Overwrite an already written 16-bit field (back-patching a length). */
static inline void ms_wcur_patch_be16(ms_wcur *c, size_t at, uint16_t v)
{
    if (!c->err && at + 2 <= c->pos) {
        c->buf[at] = (uint8_t)(v >> 8);
        c->buf[at + 1] = (uint8_t)v;
    }
}

static inline void ms_wcur_patch_le16(ms_wcur *c, size_t at, uint16_t v)
{
    if (!c->err && at + 2 <= c->pos) {
        c->buf[at] = (uint8_t)v;
        c->buf[at + 1] = (uint8_t)(v >> 8);
    }
}

#endif
