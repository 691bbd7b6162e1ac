/* SPDX-License-Identifier: MIT */
#include "json_out.h"

#include <string.h>

#include "escape.h"

/* The per-value helpers are small and called for every key and value:
 * inlined, they cost no call and no register saves. */
#define HOT static inline __attribute__((always_inline))

void jo_init(json_out *j, FILE *f)
{
    /* Not memset: buf need not be cleared (it is 16 KiB). */
    j->f = f;
    j->depth = 0;
    j->len = 0;
    memset(j->need_comma, 0, sizeof j->need_comma);
    memset(j->is_list, 0, sizeof j->is_list);
}

/* Rare (a full buffer, the end of a top-level value): out of line, so
 * the per-value functions need no register saves for the call. */
__attribute__((noinline, cold)) static void drain(json_out *j)
{
    if (j->len) {
        fwrite(j->buf, 1, j->len, j->f);
        j->len = 0;
    }
}

/* Called at the end of every public function: a finished top-level value
 * goes to the FILE now, so output order with the caller's own writes is
 * exactly what it was with direct stdio calls. */
static void done(json_out *j)
{
    if (__builtin_expect(j->depth == 0, 0))
        drain(j);
}

/* Room for n more octets (n <= JSON_OUT_BUF). */
HOT char *room(json_out *j, size_t n)
{
    if (__builtin_expect(j->len + n > sizeof j->buf, 0))
        drain(j);
    return j->buf + j->len;
}

static void put(json_out *j, const char *s, size_t n)
{
    if (n > sizeof j->buf) {
        drain(j);
        fwrite(s, 1, n, j->f);
        return;
    }
    memcpy(room(j, n), s, n);
    j->len += n;
}

HOT void putch(json_out *j, char c)
{
    *room(j, 1) = c;
    j->len++;
}

/* "00".."99": two decimal digits per table entry. */
static const char dec_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* 10^k for k < 20 */
static const uint64_t pow10_tab[20] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
    10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
    1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
    10000000000000000000u,
};

/* Decimal v written straight into the buffer, two digits per step from
 * the end once the number of digits is known. */
HOT void put_uint(json_out *j, uint64_t v)
{
    if (v < 10) { /* most fields: counts, flags, zeros */
        putch(j, (char)('0' + v));
        return;
    }
    size_t n;
    if (v < 100000) /* 16-bit fields and smaller: no division to count */
        n = 2 + (v >= 100) + (v >= 1000) + (v >= 10000);
    else
        for (n = 6; n < 20 && v >= pow10_tab[n]; n++)
            ;
    char *o = room(j, 20);
    char *e = o + n;
    while (v >= 100) {
        e -= 2;
        memcpy(e, dec_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10)
        memcpy(e - 2, dec_pairs + 2 * v, 2);
    else
        e[-1] = (char)('0' + v);
    j->len += n;
}

/* n octets from s to o for short n (keys, small numbers): two fixed-size
 * copies that may overlap, each within the n octets, instead of a call. */
HOT void copy_short(char *o, const char *s, size_t n)
{
    if (n >= 16 && n <= 32) {
        memcpy(o, s, 16);
        memcpy(o + n - 16, s + n - 16, 16);
    } else if (n >= 8 && n < 16) {
        memcpy(o, s, 8);
        memcpy(o + n - 8, s + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(o, s, 4);
        memcpy(o + n - 4, s + n - 4, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            o[i] = s[i];
    } else {
        memcpy(o, s, n);
    }
}

/* Comma (when due) and "key": for a key of n octets. */
HOT void key_prefix_n(json_out *j, const char *key, size_t n, bool comma)
{
    if (n + 4 > sizeof j->buf) {
        if (comma)
            putch(j, ',');
        putch(j, '"');
        put(j, key, n);
        put(j, "\":", 2);
        return;
    }
    char *o = room(j, n + 4);
    o[0] = ',';
    o += comma; /* the comma stays only when one is due */
    o[0] = '"';
    copy_short(o + 1, key, n);
    o[n + 1] = '"';
    o[n + 2] = ':';
    j->len += comma + n + 3;
}

HOT bool take_comma(json_out *j)
{
    bool comma = false;
    if (j->depth > 0) {
        comma = j->need_comma[j->depth];
        j->need_comma[j->depth] = true;
    }
    return comma;
}

HOT void key_prefix(json_out *j, const char *key)
{
    bool comma = take_comma(j);
    if (!key) {
        if (comma)
            putch(j, ',');
        return;
    }
    key_prefix_n(j, key, strlen(key), comma);
}

static void jo_open(json_out *j, const char *key, char ch)
{
    key_prefix(j, key);
    putch(j, ch);
    if (j->depth + 1 < JSON_OUT_MAX_DEPTH)
        j->depth++;
    j->need_comma[j->depth] = false;
    j->is_list[j->depth] = ch == '[';
}

void jo_begin(json_out *j, const char *key)
{
    jo_open(j, key, '{');
}

void jo_begin_n(json_out *j, const char *key, size_t n)
{
    key_prefix_n(j, key, n, take_comma(j));
    putch(j, '{');
    if (j->depth + 1 < JSON_OUT_MAX_DEPTH)
        j->depth++;
    j->need_comma[j->depth] = false;
    j->is_list[j->depth] = false;
}

void jo_begin_list(json_out *j, const char *key)
{
    jo_open(j, key, '[');
}

static void end(json_out *j)
{
    putch(j, j->is_list[j->depth] ? ']' : '}');
    if (j->depth > 0)
        j->depth--;
}

void jo_end(json_out *j)
{
    end(j);
    done(j);
}

void jo_end_line(json_out *j)
{
    end(j);
    putch(j, '\n');
    done(j);
}

void jo_uint(json_out *j, const char *key, uint64_t v)
{
    key_prefix(j, key);
    put_uint(j, v);
    done(j);
}

void jo_uint_n(json_out *j, const char *key, size_t n, uint64_t v)
{
    key_prefix_n(j, key, n, take_comma(j));
    put_uint(j, v);
    done(j);
}

void jo_bool(json_out *j, const char *key, bool v)
{
    key_prefix(j, key);
    if (v)
        put(j, "true", 4);
    else
        put(j, "false", 5);
    done(j);
}

void jo_raw(json_out *j, const char *key, const char *literal)
{
    key_prefix(j, key);
    put(j, literal, strlen(literal));
    done(j);
}

void jo_text(json_out *j, const char *key, const uint8_t *p, size_t n)
{
    key_prefix(j, key);
    putch(j, '"');
    /* In pieces whose worst case (every octet \u00XX) fits the buffer:
     * room reserved once per piece, then one pass. */
    const size_t step = sizeof j->buf / ESC_MAX;
    while (n) {
        size_t k = n < step ? n : step;
        char *o = room(j, ESC_MAX * k);
        j->len += (size_t)(esc_put(o, p, k, ESC_JSON) - o);
        p += k;
        n -= k;
    }
    putch(j, '"');
    done(j);
}

void jo_cstr(json_out *j, const char *key, const char *s)
{
    jo_text(j, key, (const uint8_t *)s, strlen(s));
}

/* UTF-16LE code units as \uXXXX escapes (surrogates included as they are),
 * printable ASCII literally. */
void jo_utf16(json_out *j, const char *key, const uint8_t *p, size_t n)
{
    key_prefix(j, key);
    putch(j, '"');
    for (size_t i = 0; i + 1 < n; i += 2) {
        char *o = room(j, ESC_MAX);
        j->len += (size_t)(esc_unit(o, (unsigned)p[i] | ((unsigned)p[i + 1] << 8), ESC_JSON) - o);
    }
    putch(j, '"');
    done(j);
}

static void put_hex(json_out *j, const uint8_t *p, size_t n);

void jo_hex(json_out *j, const char *key, const uint8_t *p, size_t n)
{
    key_prefix(j, key);
    put_hex(j, p, n);
}

void jo_hex_n(json_out *j, const char *key, size_t kn, const uint8_t *p, size_t n)
{
    key_prefix_n(j, key, kn, take_comma(j));
    put_hex(j, p, n);
}

/* "hex digits" of p[0..n), and the value is done. */
static void put_hex(json_out *j, const uint8_t *p, size_t n)
{
    putch(j, '"');
    /* In chunks that fit the buffer: two digits per octet, eight octets
     * per step (one 2-octet load and store each). */
#define H16(x) x "0" x "1" x "2" x "3" x "4" x "5" x "6" x "7" \
               x "8" x "9" x "a" x "b" x "c" x "d" x "e" x "f"
    static const char pairs[] = H16("0") H16("1") H16("2") H16("3") H16("4") H16("5")
        H16("6") H16("7") H16("8") H16("9") H16("a") H16("b") H16("c") H16("d") H16("e")
        H16("f");
#undef H16
    while (n) {
        size_t k = n < sizeof j->buf / 4 ? n : sizeof j->buf / 4;
        char *o = room(j, 2 * k);
        size_t i = 0;
        for (; i + 8 <= k; i += 8) {
            const uint8_t *s = p + i;
            char *d = o + 2 * i;
            memcpy(d, pairs + 2 * s[0], 2);
            memcpy(d + 2, pairs + 2 * s[1], 2);
            memcpy(d + 4, pairs + 2 * s[2], 2);
            memcpy(d + 6, pairs + 2 * s[3], 2);
            memcpy(d + 8, pairs + 2 * s[4], 2);
            memcpy(d + 10, pairs + 2 * s[5], 2);
            memcpy(d + 12, pairs + 2 * s[6], 2);
            memcpy(d + 14, pairs + 2 * s[7], 2);
        }
        for (; i < k; i++)
            memcpy(o + 2 * i, pairs + 2 * p[i], 2);
        j->len += 2 * k;
        p += k;
        n -= k;
    }
    putch(j, '"');
    done(j);
}

/* An octet's decimal digits into o (room for 3); returns the count. */
HOT size_t octet_text(char *o, unsigned v)
{
    if (v >= 100) {
        o[0] = (char)('0' + v / 100);
        memcpy(o + 1, dec_pairs + 2 * (v % 100), 2);
        return 3;
    }
    if (v >= 10) {
        memcpy(o, dec_pairs + 2 * v, 2);
        return 2;
    }
    o[0] = (char)('0' + v);
    return 1;
}

void jo_ipv4(json_out *j, const char *key, uint32_t ip)
{
    key_prefix(j, key);
    /* "a.b.c.d": at most 17 octets, reserved at once. */
    char *o = room(j, 17);
    size_t n = 0;
    o[n++] = '"';
    for (int shift = 24; shift >= 0; shift -= 8) {
        n += octet_text(o + n, (ip >> shift) & 255);
        if (shift)
            o[n++] = '.';
    }
    o[n++] = '"';
    j->len += n;
    done(j);
}

void jo_field(void *ctx, const ms_field *f)
{
    json_out *j = ctx;
    switch (f->kind) {
    case MS_F_UINT: jo_uint(j, f->key, f->u); break;
    case MS_F_HEX: jo_hex(j, f->key, f->p, f->len); break;
    case MS_F_TEXT: jo_text(j, f->key, f->p, f->len); break;
    case MS_F_UTF16: jo_utf16(j, f->key, f->p, f->len); break;
    case MS_F_BOOL: jo_bool(j, f->key, f->u != 0); break;
    case MS_F_IPV4: jo_ipv4(j, f->key, (uint32_t)f->u); break;
    case MS_F_BEGIN: jo_begin(j, f->key); break;
    case MS_F_BEGIN_LIST: jo_begin_list(j, f->key); break;
    case MS_F_END: jo_end(j); break;
    }
}
