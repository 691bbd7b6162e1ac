/* SPDX-License-Identifier: MIT */
/* The validator's entry point and its report: ms_validate applies the
 * catalogue of rules.c to one decoded datagram, layer by layer (the P- and
 * Z- rules here, the others in check_nbds.c, check_smb.c, check_browser.c
 * and check_netlogon.c). Offsets are from the start of the UDP payload;
 * field names are the JSON key paths of `mailslot decode --json`. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mailslot/validate.h"
#include "strbuf.h"
#include "validator.h"

void ms_report_clear(ms_report *r)
{
    r->count = r->dropped = r->must = 0;
    r->flags = 0;
}

void ms_report_reset(ms_report *r, unsigned flags)
{
    ms_report_clear(r);
    r->flags = flags;
}

/* Finding texts use a handful of conversions; vsnprintf cost more than all
 * the rules of a datagram together, so those few are formatted here, octet
 * for octet as vsnprintf would (truncation included). A format with any
 * other conversion goes to vsnprintf. */
typedef struct spec {
    char conv;      /* 'u', 'x', 's' */
    char len;       /* 0, 'z' (size_t), 'L' (long long) */
    unsigned width; /* %0Nx only */
} spec;

/* Parses the conversion after a '%'; returns the octets it took, 0 when it
 * is not one of ours. */
static size_t parse_spec(const char *f, spec *sp)
{
    size_t i = 0;
    sp->width = 0;
    sp->len = 0;
    if (f[i] == '0') {
        i++;
        if (f[i] < '1' || f[i] > '9')
            return 0;
        while (f[i] >= '0' && f[i] <= '9')
            sp->width = sp->width * 10 + (unsigned)(f[i++] - '0');
        if (f[i] != 'x' || sp->width > 16)
            return 0;
    }
    if (f[i] == 'z') {
        sp->len = 'z';
        i++;
    } else if (f[i] == 'l' && f[i + 1] == 'l') {
        sp->len = 'L';
        i += 2;
    }
    sp->conv = f[i];
    if (sp->conv == 's' ? sp->len != 0 : sp->conv != 'u' && sp->conv != 'x')
        return 0;
    return i + 1;
}

/* Formats fmt into out as vsnprintf would. Returns false, having written
 * nothing useful, at the first conversion that is not one of ours (the
 * caller then formats from a copy of ap taken before). */
static bool format_simple(char *out, size_t cap, const char *fmt, va_list ap)
{
    ms_strbuf k = ms_sb_make(out, cap);
    const char *lit = fmt;
    for (;;) {
        const char *f = strchr(lit, '%');
        if (!f) {
            ms_sb_putn(&k, lit, strlen(lit));
            break;
        }
        ms_sb_putn(&k, lit, (size_t)(f - lit));
        spec sp;
        size_t used = parse_spec(f + 1, &sp);
        if (!used)
            return false;
        lit = f + 1 + used;
        if (sp.conv == 's') {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)"; /* what glibc prints */
            ms_sb_putn(&k, s, strlen(s));
            continue;
        }
        unsigned long long v = sp.len == 'z'   ? va_arg(ap, size_t)
                               : sp.len == 'L' ? va_arg(ap, unsigned long long)
                                               : va_arg(ap, unsigned);
        if (sp.conv == 'x')
            ms_sb_hex(&k, v, sp.width);
        else
            ms_sb_dec(&k, v);
    }
    ms_sb_finish(&k);
    return true;
}

static void vadd(ms_report *r, const char *id, const char *field, size_t off,
                 const char *fmt, va_list ap)
{
    const ms_rule *rule = ms_rule_find(id);
    if (!rule)
        return;
    if (rule->level == MS_LEVEL_MUST)
        r->must++;
    if (r->count >= MS_REPORT_MAX) {
        r->dropped++;
        return;
    }
    ms_finding *f = &r->items[r->count++];
    f->rule = rule;
    f->field = field ? field : rule->field;
    f->offset = off;
    if (r->flags & MS_REPORT_NO_TEXT) {
        f->text[0] = '\0';
        return;
    }
    va_list again;
    va_copy(again, ap);
    if (!format_simple(f->text, sizeof f->text, fmt, ap))
        vsnprintf(f->text, sizeof f->text, fmt, again);
    va_end(again);
}

void ms_report_add(ms_report *r, const char *id, const char *field, size_t off,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vadd(r, id, field, off, fmt, ap);
    va_end(ap);
}

void ms_check_undecoded(vctx *v)
{
    const ms_message *m = v->m;
    ADD(v->r, "P-03", "payload", m->err_off, "%s: %s", ms_layer_name(m->err_layer), ms_strerror(m->status));
}

void ms_validate(const uint8_t *payload, size_t len, const ms_message *m,
                 const ms_frame_info *info, ms_report *report)
{
    vctx v = { payload, len, len, m, info, report, 0, 0, 0 };
    if (info && info->truncated) {
        v.wire_len = info->orig_len;
        ADD(report, "P-01", "payload", len, "capture holds %zu of %zu octets", len, info->orig_len);
    } else if (info && info->orig_len != len) {
        ADD(report, "P-02", "udp", 0, "UDP length says %zu octets of payload, the IPv4 datagram holds %zu",
            info->orig_len, len);
    }
    ms_check_nbds(&v);
    if (v.wire_len > 576)
        ADD(report, "Z-01", "payload", 576, "UDP payload %zu octets > 576 by %zu (Samba nmbd drops it)",
            v.wire_len, v.wire_len - 576);
    if (v.wire_len > 548)
        ADD(report, "Z-02", "payload", 548, "UDP payload %zu octets > 548 by %zu (IP datagram > 576)",
            v.wire_len, v.wire_len - 548);
    if (len < 14 || !ms_dgram_has_data(m->dgram.type) ||
        (m->status != MS_OK && m->err_layer == MS_LAYER_NBDGM))
        return;
    if (info && info->truncated)
        return; /* only the header is trustworthy: the rest is cut */
    if (ms_dgram_is_partial(&m->dgram))
        return; /* checked once reassembled */

    v.smb = ms_message_smb_offset(m);
    v.s = len - v.smb;
    if (!ms_check_smb(&v))
        return;
    if (!m->trans.data_located || !m->trans.name.terminated)
        return;
    v.base = v.smb + m->trans.data_offset;
    if (m->kind == MS_PAYLOAD_BROWSER || m->kind == MS_PAYLOAD_LANMAN)
        ms_check_browser(&v);
    else if (m->kind == MS_PAYLOAD_NETLOGON)
        ms_check_netlogon(&v);
}
