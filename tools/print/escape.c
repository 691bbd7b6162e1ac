/* SPDX-License-Identifier: MIT */
#include "escape.h"

#include <string.h>

/* What an octet is to the escaper; the modes differ only in which
 * classes stay as they are and how the others are written. */
enum { C_PLAIN, C_QUOTE, C_BSLASH, C_SHORT, C_OTHER };

#define P C_PLAIN
#define O C_OTHER
#define S C_SHORT
#define X8(x) x, x, x, x, x, x, x, x
static const uint8_t cls[256] = {
    X8(O), O, S, S, O, O, S, O, O, X8(O), X8(O),         /* 0x00-0x1f: \t \n \r */
    P, P, C_QUOTE, P, P, P, P, P, X8(P), X8(P), X8(P),    /* 0x20-0x3f: " */
    X8(P), X8(P), X8(P), P, P, P, P, C_BSLASH, P, P, P,   /* 0x40-0x5f: \ */
    X8(P), X8(P), X8(P), P, P, P, P, P, P, P, O,          /* 0x60-0x7f: DEL */
    X8(O), X8(O), X8(O), X8(O), X8(O), X8(O), X8(O), X8(O), /* 0x80-0xff */
    X8(O), X8(O), X8(O), X8(O), X8(O), X8(O), X8(O), X8(O),
};
#undef X8
#undef S
#undef O
#undef P

typedef struct mode_rule {
    uint8_t plain;  /* one bit per class: written as it is */
    bool quote_bs;  /* " and \ (when not plain) as \" and \\ */
    bool shorts;    /* \n \t \r as such */
    bool u;         /* the long form \u00XX; else \xNN */
} mode_rule;

#define BIT(c) (1u << (c))
static const mode_rule rules[] = {
    [ESC_JSON] = { BIT(C_PLAIN), true, true, true },
    [ESC_JSON_BARE] = { BIT(C_PLAIN), true, false, true },
    [ESC_TEXT] = { BIT(C_PLAIN) | BIT(C_QUOTE) | BIT(C_BSLASH), false, false, false },
    [ESC_TEXT_QUOTED] = { BIT(C_PLAIN), true, false, false },
    [ESC_TEXT_UNITS] = { BIT(C_PLAIN) | BIT(C_QUOTE), false, false, true },
};

static const char hx[] = "0123456789abcdef";

/* The escape of octet c (of class k), not plain in rule r, at o. */
static char *escape_octet(char *o, uint8_t c, unsigned k, const mode_rule *r)
{
    if ((k == C_QUOTE || k == C_BSLASH) && r->quote_bs) {
        o[0] = '\\';
        o[1] = (char)c;
        return o + 2;
    }
    if (k == C_SHORT && r->shorts) {
        o[0] = '\\';
        o[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
        return o + 2;
    }
    if (r->u) {
        memcpy(o, "\\u00", 4);
        o += 4;
    } else {
        memcpy(o, "\\x", 2);
        o += 2;
    }
    o[0] = hx[c >> 4];
    o[1] = hx[c & 15];
    return o + 2;
}

char *esc_put(char *o, const uint8_t *p, size_t n, esc_mode m)
{
    const mode_rule *r = &rules[m];
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        unsigned k = cls[c];
        if (r->plain & BIT(k))
            *o++ = (char)c;
        else
            o = escape_octet(o, c, k, r);
    }
    return o;
}

char *esc_unit(char *o, unsigned cu, esc_mode m)
{
    if (cu < 0x100)
        return esc_put(o, &(uint8_t){ (uint8_t)cu }, 1, m);
    o[0] = '\\';
    o[1] = 'u';
    o[2] = hx[(cu >> 12) & 15];
    o[3] = hx[(cu >> 8) & 15];
    o[4] = hx[(cu >> 4) & 15];
    o[5] = hx[cu & 15];
    return o + 6;
}

size_t esc_len(const uint8_t *p, size_t n, esc_mode m)
{
    char e[ESC_MAX];
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)(esc_put(e, p + i, 1, m) - e);
    return len;
}

void esc_emit(const uint8_t *p, size_t n, esc_mode m, esc_sink out, void *ctx)
{
    char buf[ESC_MAX * 256];
    while (n) {
        size_t k = n < 256 ? n : 256;
        out(ctx, buf, (size_t)(esc_put(buf, p, k, m) - buf));
        p += k;
        n -= k;
    }
}

static void to_file(void *f, const char *s, size_t n)
{
    fwrite(s, 1, n, f);
}

void esc_write(FILE *f, const uint8_t *p, size_t n, esc_mode m)
{
    esc_emit(p, n, m, to_file, f);
}

const char *esc_cstr(const uint8_t *p, size_t n, esc_mode m, char *out, size_t cap)
{
    size_t need = (rules[m].u ? 6 : 4) + 2, o = 0;
    for (size_t i = 0; i < n && o + need <= cap; i++)
        o = (size_t)(esc_put(out + o, p + i, 1, m) - out);
    if (cap)
        out[o] = '\0';
    return out;
}
