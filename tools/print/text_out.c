/* SPDX-License-Identifier: MIT */
#include "text_out.h"

#include <inttypes.h>

#include "escape.h"

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
        fprintf(t->f, "\"%s\"", esc_cstr(f->p, f->len, ESC_TEXT, buf, sizeof buf));
        break;
    case MS_F_UTF16: {
        char *o = buf;
        for (size_t i = 0; i + 1 < f->len && (size_t)(o - buf) + 8 < sizeof buf; i += 2)
            o = esc_unit(o, (unsigned)f->p[i] | ((unsigned)f->p[i + 1] << 8), ESC_TEXT_UNITS);
        *o = '\0';
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
