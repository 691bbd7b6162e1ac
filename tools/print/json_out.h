/* SPDX-License-Identifier: MIT */
/* Streaming JSON writer for NDJSON output, fed directly by the library's
 * field visitor. Byte strings map to JSON strings one octet per code point
 * (\u00XX for anything outside printable ASCII), so they read back exactly. */
#ifndef MS_TOOLS_JSON_OUT_H
#define MS_TOOLS_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mailslot/types.h"

#define JSON_OUT_MAX_DEPTH 32
#define JSON_OUT_BUF 16384

/* Output is gathered in buf and handed to f with one fwrite whenever a
 * top-level value is complete (or buf fills): one stdio call per object
 * instead of one locked putc per character. Between top-level values
 * nothing is held back, so callers may write to f themselves there. */
typedef struct json_out {
    FILE *f;
    int depth;
    size_t len;                 /* octets in buf */
    bool need_comma[JSON_OUT_MAX_DEPTH];
    bool is_list[JSON_OUT_MAX_DEPTH];
    char buf[JSON_OUT_BUF];
} json_out;

void jo_init(json_out *j, FILE *f);
void jo_begin(json_out *j, const char *key);      /* object; key NULL at top */
void jo_begin_list(json_out *j, const char *key);
void jo_end(json_out *j);                         /* closes object or list */
void jo_end_line(json_out *j);                    /* closes the top object + \n */
void jo_uint(json_out *j, const char *key, uint64_t v);
void jo_bool(json_out *j, const char *key, bool v);
void jo_raw(json_out *j, const char *key, const char *literal);
void jo_text(json_out *j, const char *key, const uint8_t *p, size_t n);
void jo_cstr(json_out *j, const char *key, const char *s);
void jo_utf16(json_out *j, const char *key, const uint8_t *p, size_t n);
void jo_hex(json_out *j, const char *key, const uint8_t *p, size_t n);
void jo_ipv4(json_out *j, const char *key, uint32_t ip);

/* The same for a key whose length n is known (no strlen per value); with a
 * string literal: JO_UINT(j, "key", v), JO_HEX(j, "key", p, len). */
void jo_uint_n(json_out *j, const char *key, size_t n, uint64_t v);
void jo_begin_n(json_out *j, const char *key, size_t n);
void jo_hex_n(json_out *j, const char *key, size_t kn, const uint8_t *p, size_t n);
#define JO_KEY(lit) ("" lit ""), (sizeof(lit) - 1)
#define JO_UINT(j, lit, v) jo_uint_n((j), JO_KEY(lit), (v))
#define JO_HEX(j, lit, p, len) jo_hex_n((j), JO_KEY(lit), (p), (len))
#define JO_BEGIN(j, lit) jo_begin_n((j), JO_KEY(lit))

/* ms_field_fn adapter: ctx is a json_out*. */
void jo_field(void *ctx, const ms_field *f);

#endif
