/* SPDX-License-Identifier: MIT */
#include "text_out.h"

#include <inttypes.h>

const char *tt_escape(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7F)
            out[o++] = (char)p[i];
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", p[i]);
    }
    if (cap)
        out[o < cap ? o : cap - 1] = '\0';
    return out;
}

static void indent(text_tree *t)
{
    for (int i = 0; i < t->depth; i++)
        fputs("    ", t->f);
}

void tt_field(void *ctx, const ms_field *f)
{
    text_tree *t = ctx;
    char buf[2048];
    if (f->kind == MS_F_END) {
        if (t->depth > 0)
            t->depth--;
        return;
    }
    indent(t);
    if (f->kind == MS_F_BEGIN || f->kind == MS_F_BEGIN_LIST) {
        fprintf(t->f, "%s:\n", f->key ? f->key : "-");
        t->depth++;
        return;
    }
    fprintf(t->f, "%s: ", f->key ? f->key : "-");
    switch (f->kind) {
    case MS_F_UINT:
        fprintf(t->f, "%" PRIu64 " (0x%" PRIx64 ")", f->u, f->u);
        break;
    case MS_F_HEX:
        for (size_t i = 0; i < f->len; i++)
            fprintf(t->f, "%02x", f->p[i]);
        if (f->len == 0)
            fputs("(none)", t->f);
        break;
    case MS_F_TEXT:
        fprintf(t->f, "\"%s\"", tt_escape(f->p, f->len, buf, sizeof buf));
        break;
    case MS_F_UTF16: {
        size_t o = 0;
        for (size_t i = 0; i + 1 < f->len && o + 8 < sizeof buf; i += 2) {
            unsigned cu = f->p[i] | (f->p[i + 1] << 8);
            if (cu >= 0x20 && cu < 0x7F && cu != '\\')
                buf[o++] = (char)cu;
            else
                o += (size_t)snprintf(buf + o, sizeof buf - o, "\\u%04x", cu);
        }
        buf[o] = '\0';
        fprintf(t->f, "\"%s\"", buf);
        break;
    }
    case MS_F_BOOL:
        fputs(f->u ? "true" : "false", t->f);
        break;
    case MS_F_IPV4:
        fprintf(t->f, "%u.%u.%u.%u", (unsigned)(f->u >> 24) & 255,
                (unsigned)(f->u >> 16) & 255, (unsigned)(f->u >> 8) & 255,
                (unsigned)f->u & 255);
        break;
    case MS_F_BEGIN:
    case MS_F_BEGIN_LIST:
    case MS_F_END:
        break;
    }
    if (f->label)
        fprintf(t->f, " (%s)", f->label);
    putc('\n', t->f);
}
