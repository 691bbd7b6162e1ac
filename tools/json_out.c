/* SPDX-License-Identifier: MIT */
#include "json_out.h"

#include <string.h>

void jo_init(json_out *j, FILE *f)
{
    /* Not memset: buf need not be cleared (it is 16 KiB). */
    j->f = f;
    j->depth = 0;
    j->len = 0;
    memset(j->need_comma, 0, sizeof j->need_comma);
    memset(j->is_list, 0, sizeof j->is_list);
}

static void drain(json_out *j)
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
    if (j->depth == 0)
        drain(j);
}

/* Room for n more octets (n <= JSON_OUT_BUF). */
static char *room(json_out *j, size_t n)
{
    if (j->len + n > sizeof j->buf)
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

static void putch(json_out *j, char c)
{
    *room(j, 1) = c;
    j->len++;
}

/* Decimal digits of v at the end of a 20-octet scratch; returns the start. */
static char *u64_text(uint64_t v, char s[static 20])
{
    char *p = s + 20;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

static void put_uint(json_out *j, uint64_t v)
{
    if (v < 10) { /* most fields: counts, flags, zeros */
        putch(j, (char)('0' + v));
        return;
    }
    char s[20];
    char *p = u64_text(v, s);
    put(j, p, (size_t)(s + 20 - p));
}

static void key_prefix(json_out *j, const char *key)
{
    if (j->depth > 0) {
        if (j->need_comma[j->depth])
            putch(j, ',');
        j->need_comma[j->depth] = true;
    }
    if (key) {
        size_t n = strlen(key);
        char *o = room(j, n + 3);
        if (n + 3 <= sizeof j->buf) {
            o[0] = '"';
            memcpy(o + 1, key, n);
            o[n + 1] = '"';
            o[n + 2] = ':';
            j->len += n + 3;
        } else {
            putch(j, '"');
            put(j, key, n);
            put(j, "\":", 2);
        }
    }
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

static const char hx[] = "0123456789abcdef";

static void put_code_unit(json_out *j, unsigned cu)
{
    switch (cu) {
    case '"': put(j, "\\\"", 2); return;
    case '\\': put(j, "\\\\", 2); return;
    case '\n': put(j, "\\n", 2); return;
    case '\t': put(j, "\\t", 2); return;
    case '\r': put(j, "\\r", 2); return;
    default: break;
    }
    if (cu >= 0x20 && cu < 0x7F) {
        putch(j, (char)cu);
        return;
    }
    char *o = room(j, 6);
    o[0] = '\\';
    o[1] = 'u';
    o[2] = hx[(cu >> 12) & 15];
    o[3] = hx[(cu >> 8) & 15];
    o[4] = hx[(cu >> 4) & 15];
    o[5] = hx[cu & 15];
    j->len += 6;
}

static bool plain(uint8_t c)
{
    return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

void jo_text(json_out *j, const char *key, const uint8_t *p, size_t n)
{
    key_prefix(j, key);
    putch(j, '"');
    /* Runs of octets that need no escape are copied in one go. */
    for (size_t i = 0; i < n;) {
        size_t k = i;
        while (k < n && plain(p[k]))
            k++;
        if (k > i) {
            put(j, (const char *)p + i, k - i);
            i = k;
        } else {
            put_code_unit(j, p[i++]);
        }
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
    for (size_t i = 0; i + 1 < n; i += 2)
        put_code_unit(j, (unsigned)p[i] | ((unsigned)p[i + 1] << 8));
    putch(j, '"');
    done(j);
}

void jo_hex(json_out *j, const char *key, const uint8_t *p, size_t n)
{
    key_prefix(j, key);
    putch(j, '"');
    /* In chunks that fit the buffer: two digits per octet. */
    /* "00".."ff" in a row: one 2-octet copy per octet. */
#define H16(x) x "0" x "1" x "2" x "3" x "4" x "5" x "6" x "7" \
               x "8" x "9" x "a" x "b" x "c" x "d" x "e" x "f"
    static const char pairs[] = H16("0") H16("1") H16("2") H16("3") H16("4") H16("5")
        H16("6") H16("7") H16("8") H16("9") H16("a") H16("b") H16("c") H16("d") H16("e")
        H16("f");
#undef H16
    while (n) {
        size_t k = n < sizeof j->buf / 4 ? n : sizeof j->buf / 4;
        char *o = room(j, 2 * k);
        for (size_t i = 0; i < k; i++)
            memcpy(o + 2 * i, pairs + 2 * p[i], 2);
        j->len += 2 * k;
        p += k;
        n -= k;
    }
    putch(j, '"');
    done(j);
}

void jo_ipv4(json_out *j, const char *key, uint32_t ip)
{
    key_prefix(j, key);
    putch(j, '"');
    for (int shift = 24; shift >= 0; shift -= 8) {
        put_uint(j, (ip >> shift) & 255);
        if (shift)
            putch(j, '.');
    }
    putch(j, '"');
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
