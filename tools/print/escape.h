/* SPDX-License-Identifier: MIT */
/* The one escaper of the printers: octets (or UTF-16 code units) written so
 * that they read back exactly inside a quoted JSON or text string, and a
 * line stays one line. Printable ASCII (0x20-0x7e) stays as it is unless
 * the mode escapes it; every other value becomes an escape, hex digits in
 * lower case. */
#ifndef MS_TOOLS_ESCAPE_H
#define MS_TOOLS_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum esc_mode {
    ESC_JSON,        /* \" \\ \n \t \r, any other \u00XX (decode --json) */
    ESC_JSON_BARE,   /* \" \\, any other \u00XX: no short forms (hosts
                      * --json, listen's local messages) */
    ESC_TEXT,        /* " and \ as they are, any other \xNN (mailslot
                      * names in text lines, the -v tree, hosts) */
    ESC_TEXT_QUOTED, /* \" \\, any other \xNN (--data, listen's local
                      * messages) */
    ESC_TEXT_UNITS,  /* UTF-16 in the -v tree: " as it is, \ and any
                      * other \uXXXX */
} esc_mode;

/* Octets of the longest escape of one octet or code unit. */
#define ESC_MAX 6

/* The escaped form of p[0..n) at o, which has room for ESC_MAX * n
 * octets; returns its end (no NUL). */
char *esc_put(char *o, const uint8_t *p, size_t n, esc_mode m);

/* One UTF-16 code unit at o (room for ESC_MAX): below 0x100 as the octet
 * of that value would be; above, \uXXXX in every mode. Returns the end. */
char *esc_unit(char *o, unsigned cu, esc_mode m);

/* How many octets esc_put writes for p[0..n). */
size_t esc_len(const uint8_t *p, size_t n, esc_mode m);

/* The escaped form handed to out in pieces (no NUL); esc_write: to f. */
typedef void (*esc_sink)(void *ctx, const char *s, size_t n);
void esc_emit(const uint8_t *p, size_t n, esc_mode m, esc_sink out, void *ctx);
void esc_write(FILE *f, const uint8_t *p, size_t n, esc_mode m);

/* The escaped form as a C string in out[cap]; returns out. When it does
 * not fit, it ends before the first octet that finds fewer than the
 * mode's longest escape + 2 octets of room left: whole escapes only, and
 * text lines cut where they always were. */
const char *esc_cstr(const uint8_t *p, size_t n, esc_mode m, char *out, size_t cap);

#endif
