/* SPDX-License-Identifier: MIT */
#include "json_out.h"

#include <string.h>

void jo_init(json_out *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
}

static void key_prefix(json_out *j, const char *key)
{
    if (j->depth > 0) {
        if (j->need_comma[j->depth])
            putc(',', j->f);
        j->need_comma[j->depth] = true;
    }
    if (key) {
        putc('"', j->f);
        fputs(key, j->f);
        fputs("\":", j->f);
    }
}

static void jo_open(json_out *j, const char *key, char ch)
{
    key_prefix(j, key);
    putc(ch, j->f);
    if (j->depth + 1 < JSON_OUT_MAX_DEPTH)
        j->depth++;
    j->need_comma[j->depth] = false;
    j->is_list[j->depth] = ch == '[';
}

void jo_begin(json_out *j, const char *key) { jo_open(j, key, '{'); }
void jo_begin_list(json_out *j, const char *key) { jo_open(j, key, '['); }

void jo_end(json_out *j)
{
    putc(j->is_list[j->depth] ? ']' : '}', j->f);
    if (j->depth > 0)
        j->depth--;
}

void jo_end_line(json_out *j)
{
    jo_end(j);
    putc('\n', j->f);
}

void jo_uint(json_out *j, const char *key, uint64_t v)
{
    key_prefix(j, key);
    fprintf(j->f, "%llu", (unsigned long long)v);
}

void jo_bool(json_out *j, const char *key, bool v)
{
    key_prefix(j, key);
    fputs(v ? "true" : "false", j->f);
}

void jo_raw(json_out *j, const char *key, const char *literal)
{
    key_prefix(j, key);
    fputs(literal, j->f);
}

static void put_code_unit(FILE *f, unsigned cu)
{
    static const char hx[] = "0123456789abcdef";
    switch (cu) {
    case '"': fputs("\\\"", f); return;
    case '\\': fputs("\\\\", f); return;
    case '\n': fputs("\\n", f); return;
    case '\t': fputs("\\t", f); return;
    case '\r': fputs("\\r", f); return;
    default: break;
    }
    if (cu >= 0x20 && cu < 0x7F) {
        putc((int)cu, f);
        return;
    }
    fputs("\\u", f);
    putc(hx[(cu >> 12) & 15], f);
    putc(hx[(cu >> 8) & 15], f);
    putc(hx[(cu >> 4) & 15], f);
    putc(hx[cu & 15], f);
}

void jo_text(json_out *j, const char *key, const uint8_t *p, size_t n)
{
    key_prefix(j, key);
    putc('"', j->f);
    for (size_t i = 0; i < n; i++)
        put_code_unit(j->f, p[i]);
    putc('"', j->f);
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
    putc('"', j->f);
    for (size_t i = 0; i + 1 < n; i += 2)
        put_code_unit(j->f, (unsigned)p[i] | ((unsigned)p[i + 1] << 8));
    putc('"', j->f);
}

void jo_hex(json_out *j, const char *key, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    key_prefix(j, key);
    putc('"', j->f);
    for (size_t i = 0; i < n; i++) {
        putc(hx[p[i] >> 4], j->f);
        putc(hx[p[i] & 15], j->f);
    }
    putc('"', j->f);
}

void jo_ipv4(json_out *j, const char *key, uint32_t ip)
{
    key_prefix(j, key);
    fprintf(j->f, "\"%u.%u.%u.%u\"", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
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
