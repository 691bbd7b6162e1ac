/* SPDX-License-Identifier: MIT */
#include "escape.h"

#include <string.h>

/* Which octets stay as they are, one row per mode: printable ASCII, with
 * '"' when q and '\' when b. A byte per octet: one load decides. */
#define X8(x) x, x, x, x, x, x, x, x
#define X32(x) X8(x), X8(x), X8(x), X8(x)
#define PLAIN_ROW(q, b)                                                   \
    {                                                                     \
        X32(0),                                     /* 0x00-0x1f */       \
        1, 1, q, 1, 1, 1, 1, 1, X8(1), X8(1), X8(1), /* 0x20-0x3f: " */   \
        X8(1), X8(1), X8(1), 1, 1, 1, 1, b, 1, 1, 1, /* 0x40-0x5f: \ */   \
        X8(1), X8(1), X8(1), 1, 1, 1, 1, 1, 1, 1, 0, /* 0x60-0x7f: DEL */ \
        X32(0), X32(0), X32(0), X32(0),             /* 0x80-0xff */       \
    }
static const bool plain_tab[][256] = {
    [ESC_JSON] = PLAIN_ROW(0, 0),
    [ESC_JSON_BARE] = PLAIN_ROW(0, 0),
    [ESC_TEXT] = PLAIN_ROW(1, 1),
    [ESC_TEXT_QUOTED] = PLAIN_ROW(0, 0),
    [ESC_TEXT_UNITS] = PLAIN_ROW(1, 0),
};
#undef PLAIN_ROW
#undef X32
#undef X8

/* How the other octets are written. */
typedef struct mode_rule {
    bool quote_bs;  /* " and \ as \" and \\ */
    bool shorts;    /* \n \t \r as such */
    bool u;         /* the long form \u00XX; else \xNN */
} mode_rule;

static const mode_rule rules[] = {
    [ESC_JSON] = { true, true, true },
    [ESC_JSON_BARE] = { true, false, true },
    [ESC_TEXT] = { false, false, false },
    [ESC_TEXT_QUOTED] = { true, false, false },
    [ESC_TEXT_UNITS] = { false, false, true },
};

static const char hx[] = "0123456789abcdef";

/* The escape of octet c, not plain in rule r, at o. */
static char *escape_octet(char *o, uint8_t c, const mode_rule *r)
{
    if ((c == '"' || c == '\\') && r->quote_bs) {
        o[0] = '\\';
        o[1] = (char)c;
        return o + 2;
    }
    if ((c == '\n' || c == '\t' || c == '\r') && r->shorts) {
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
    const bool *plain = plain_tab[m];
    size_t i = 0;
    for (;;) {
        /* A run of plain octets, four at once while all four are. */
        for (; i + 4 <= n && (plain[p[i]] & plain[p[i + 1]] & plain[p[i + 2]] & plain[p[i + 3]]);
             i += 4, o += 4)
            memcpy(o, p + i, 4);
        for (; i < n && plain[p[i]]; i++)
            *o++ = (char)p[i];
        if (i == n)
            break;
        o = escape_octet(o, p[i++], &rules[m]);
    }
    return o;
}

char *esc_unit(char *o, unsigned cu, esc_mode m)
{
    if (cu < 0x100 && plain_tab[m][cu]) {
        *o = (char)cu;
        return o + 1;
    }
    if (cu < 0x100)
        return escape_octet(o, (uint8_t)cu, &rules[m]);
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
    size_t longest = rules[m].u ? 6 : 4, o = 0;
    if (cap >= 2 && n <= (cap - 2) / longest) {
        /* Fits even when every octet is escaped: one pass. */
        o = (size_t)(esc_put(out, p, n, m) - out);
    } else {
        for (size_t i = 0; i < n && o + longest + 2 <= cap; i++)
            o = (size_t)(esc_put(out + o, p + i, 1, m) - out);
    }
    if (cap)
        out[o] = '\0';
    return out;
}
