/* SPDX-License-Identifier: MIT */
/* NetBIOS names: first-level encoding (RFC 1001 §14.1), second-level wire
 * form with scope labels (RFC 1002 §4.1), and the tshark-style text form. */
#include "mailslot/netbios.h"

#include <string.h>

#include "cursor.h"
#include "hex.h"
#include "strbuf.h"

/* Wire form:  20 <32 letters 'A'..'P'> [len label]... 00
 * Datagram names may not use label pointers (RFC 1002 §4.1), so a pointer
 * or reserved label type is a structural error here. */
ms_status ms_nb_name_decode(const uint8_t *buf, size_t len, ms_nb_name *out,
                            size_t *used)
{
    ms_rcur c = ms_rcur_make(buf, len);
    memset(out, 0, sizeof *out);
    *used = 0;

    /* The usual name: one 32-octet label and the final zero, no scope
     * (34 octets), taken as one block; anything else walks the labels. */
    if (ms_rcur_peek(&c, 0) == 32 && ms_rcur_peek(&c, 33) == 0) {
        memcpy(out->wire, ms_rcur_take(&c, 34), 34);
        out->wire_len = 34;
        out->scope_off = 33;
        goto first_level;
    }

    for (size_t label = 0;; label++) {
        size_t at = c.pos;
        int l = ms_rcur_peek(&c, 0);
        if (l < 0) {
            *used = at;
            return MS_ERR_TRUNCATED;
        }
        if ((l & 0xC0) == 0xC0) {
            *used = at;
            return MS_ERR_NAME_POINTER;
        }
        if (l & 0xC0) {
            *used = at;
            return MS_ERR_NAME_LABEL;
        }
        if (label == 0 && l == 0) {
            *used = at;
            return MS_ERR_NAME_FIRST_LABEL;
        }
        if (at + 1 + (size_t)l > MS_NB_WIRE_MAX) {
            *used = at;
            return MS_ERR_NAME_TOO_LONG;
        }
        const uint8_t *p = ms_rcur_take(&c, 1 + (size_t)l);
        if (!p) {
            *used = at;
            return MS_ERR_TRUNCATED;
        }
        memcpy(out->wire + at, p, 1 + (size_t)l);
        out->wire_len = at + 1 + (size_t)l;
        if (l == 0)
            break;
        if (label == 0)
            out->scope_off = out->wire_len;
    }

first_level:
    /* First-level decode of the first label. */
    out->valid = out->wire[0] == 32;
    if (out->wire[0] == 32) {
        /* Without a branch per letter (this runs twice per datagram): a
         * letter outside 'A'..'P' leaves a high nibble after subtracting
         * 'A' (wrapping below 'A'); such a pair keeps its octet 0. */
        unsigned bad = 0;
        for (size_t i = 0; i < 16; i++) {
            uint8_t hi = (uint8_t)(out->wire[1 + 2 * i] - 'A');
            uint8_t lo = (uint8_t)(out->wire[2 + 2 * i] - 'A');
            unsigned b = (unsigned)(hi | lo) & 0xF0u;
            bad |= b;
            out->name[i] = b ? 0 : (uint8_t)((hi << 4) | lo);
        }
        if (bad)
            out->valid = false;
    }
    *used = c.pos;
    return MS_OK;
}

ms_status ms_nb_name_make(ms_nb_name *out, const uint8_t name[16],
                          const char *scope)
{
    memset(out, 0, sizeof *out);
    out->wire[0] = 32;
    for (size_t i = 0; i < 16; i++) {
        out->wire[1 + 2 * i] = (uint8_t)('A' + (name[i] >> 4));
        out->wire[2 + 2 * i] = (uint8_t)('A' + (name[i] & 0x0F));
    }
    memcpy(out->name, name, 16);
    out->valid = true;
    size_t pos = 33;
    out->scope_off = pos;
    if (scope && *scope) {
        const char *s = scope;
        for (;;) {
            const char *dot = strchr(s, '.');
            size_t l = dot ? (size_t)(dot - s) : strlen(s);
            if (l == 0 || l > MS_NB_LABEL_MAX || pos + 1 + l + 1 > MS_NB_WIRE_MAX)
                return MS_ERR_INVALID_ARG;
            out->wire[pos++] = (uint8_t)l;
            memcpy(out->wire + pos, s, l);
            pos += l;
            if (!dot)
                break;
            s = dot + 1;
        }
    }
    out->wire[pos++] = 0;
    out->wire_len = pos;
    return MS_OK;
}

ms_status ms_nb_name_pad(uint8_t out[16], const char *text, size_t text_len,
                         uint8_t suffix)
{
    if (text_len > 15)
        return MS_ERR_INVALID_ARG;
    /* "*" is padded with NULs, every other name with spaces (PROTOCOL §1.1). */
    uint8_t fill = (text_len == 1 && text[0] == '*') ? 0x00 : 0x20;
    memset(out, fill, 15);
    memcpy(out, text, text_len);
    out[15] = suffix;
    return MS_OK;
}

static void put_hex_escape(ms_strbuf *o, uint8_t v)
{
    ms_sb_putc(o, '<');
    ms_sb_hex2(o, v);
    ms_sb_putc(o, '>');
}

size_t ms_nb_name_format(const ms_nb_name *n, char *out, size_t cap)
{
    ms_strbuf o = ms_sb_make(out, cap);
    size_t end = 15;
    /* Trailing spaces are padding, except after "*": that name is padded
     * with NULs, so spaces there are real octets and stay in the text. */
    while (end > 0 && n->name[end - 1] == ' ' && n->name[0] != '*')
        end--;
    for (size_t i = 0; i < end; i++) {
        uint8_t ch = n->name[i];
        if (ch >= 0x20 && ch <= 0x7E)
            ms_sb_putc(&o, (char)ch);
        else
            put_hex_escape(&o, ch);
    }
    put_hex_escape(&o, n->name[15]);
    /* Scope labels joined by dots, as tshark shows them. */
    for (size_t pos = n->scope_off; pos < n->wire_len;) {
        size_t l = n->wire[pos];
        if (l == 0 || pos + 1 + l > n->wire_len)
            break;
        ms_sb_putc(&o, '.');
        ms_sb_putn(&o, (const char *)n->wire + pos + 1, l);
        pos += 1 + l;
    }
    return ms_sb_finish(&o);
}

/* Text form: octets (with <xx> escapes), the last <xx> is the suffix;
 * anything after a following '.' is the scope. Octets 0..14 missing from the
 * text are spaces (NULs for the "*" name). */
ms_status ms_nb_name_parse(ms_nb_name *out, const char *text, size_t len)
{
    uint8_t oct[17];
    size_t n = 0, i = 0;
    size_t last_escape_end = 0;
    bool last_was_escape = false;
    while (i < len) {
        if (text[i] == '.' && last_was_escape)
            break;
        int v;
        if (text[i] == '<' && i + 3 < len + 0 && text[i + 3] == '>' &&
            ms_hexval(text[i + 1]) >= 0 && ms_hexval(text[i + 2]) >= 0) {
            v = ms_hexval(text[i + 1]) << 4 | ms_hexval(text[i + 2]);
            i += 4;
            last_was_escape = true;
            last_escape_end = i;
        } else {
            v = (unsigned char)text[i++];
            last_was_escape = false;
        }
        if (n >= 16)
            return MS_ERR_INVALID_ARG;
        oct[n++] = (uint8_t)v;
    }
    if (n == 0 || !last_was_escape || last_escape_end != i)
        return MS_ERR_INVALID_ARG;
    uint8_t name[16];
    uint8_t suffix = oct[n - 1];
    n--;
    /* "*" followed by escapes of NUL: the broadcast name; trailing NULs are
     * part of the text already, so padding below only fills what is left. */
    uint8_t fill = (n >= 1 && oct[0] == '*') ? 0x00 : 0x20;
    if (n > 15)
        return MS_ERR_INVALID_ARG;
    memset(name, fill, 15);
    memcpy(name, oct, n);
    name[15] = suffix;
    char scope[MS_NB_WIRE_MAX + 1] = "";
    if (i < len) {
        size_t sl = len - i - 1;
        if (sl == 0 || sl > MS_NB_WIRE_MAX)
            return MS_ERR_INVALID_ARG;
        memcpy(scope, text + i + 1, sl);
        scope[sl] = '\0';
    }
    return ms_nb_name_make(out, name, scope);
}
