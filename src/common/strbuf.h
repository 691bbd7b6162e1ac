/* SPDX-License-Identifier: MIT */
/* The one text appender of the library (name text, summaries, labels,
 * finding texts). It writes what fits, keeps counting past the end as
 * snprintf does, and terminates the text once, when it is finished. It
 * never fails, and it exists because snprintf cost more than everything
 * else a summary or a JSON object needs. */
#ifndef MS_COMMON_STRBUF_H
#define MS_COMMON_STRBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct ms_strbuf {
    char *buf;
    size_t cap;
    size_t len; /* octets appended, written or not */
} ms_strbuf;

static inline ms_strbuf ms_sb_make(char *buf, size_t cap)
{
    ms_strbuf b = { buf, cap, 0 };
    return b;
}

static inline void ms_sb_putc(ms_strbuf *b, char ch)
{
    if (b->len + 1 < b->cap)
        b->buf[b->len] = ch;
    b->len++;
}

static inline void ms_sb_puts(ms_strbuf *b, const char *s)
{
    while (*s)
        ms_sb_putc(b, *s++);
}

/* n octets of s (any octets, NULs included). */
static inline void ms_sb_putn(ms_strbuf *b, const char *s, size_t n)
{
    if (b->len + 1 < b->cap) {
        size_t room = b->cap - 1 - b->len;
        memcpy(b->buf + b->len, s, n < room ? n : room);
    }
    b->len += n;
}

/* Decimal, as "%llu" writes it. */
static inline void ms_sb_dec(ms_strbuf *b, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        ms_sb_putc(b, tmp[--n]);
}

/* Lower-case hex with at least `min` (<= 16) digits, as "%0*llx" writes it. */
static inline void ms_sb_hex(ms_strbuf *b, uint64_t v, size_t min)
{
    static const char hx[] = "0123456789abcdef";
    char tmp[16];
    size_t n = 0;
    do {
        tmp[n++] = hx[v & 15];
        v >>= 4;
    } while (v);
    while (n < min && n < sizeof tmp)
        tmp[n++] = '0';
    while (n)
        ms_sb_putc(b, tmp[--n]);
}

/* The two lower-case hex digits of one octet (escapes such as <1d>). */
static inline void ms_sb_hex2(ms_strbuf *b, uint8_t v)
{
    static const char hx[] = "0123456789abcdef";
    ms_sb_putc(b, hx[v >> 4]);
    ms_sb_putc(b, hx[v & 15]);
}

/* Terminates the text (cut to cap - 1 octets when it did not fit) and
 * returns the length it would have had, as snprintf does. */
static inline size_t ms_sb_finish(ms_strbuf *b)
{
    if (b->cap)
        b->buf[b->len < b->cap ? b->len : b->cap - 1] = '\0';
    return b->len;
}

/* The octets the buffer holds (what ms_sb_finish keeps). */
static inline size_t ms_sb_kept(const ms_strbuf *b)
{
    if (b->len < b->cap)
        return b->len;
    return b->cap ? b->cap - 1 : 0;
}

#endif
