/* SPDX-License-Identifier: MIT */
/* The validator: applies the catalogue of rules.c to one decoded datagram.
 * Offsets are from the start of the UDP payload; field names are the JSON
 * key paths of `mailslot decode --json`. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mailslot/validate.h"
#include "strbuf.h"

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

#define ADD ms_report_add

/* Everything the rule functions share about one datagram. */
typedef struct vctx {
    const uint8_t *p;
    size_t len;        /* octets present */
    size_t wire_len;   /* octets sent (differs when the capture cut it) */
    const ms_message *m;
    const ms_frame_info *info;
    ms_report *r;
    size_t smb;        /* payload offset of the SMB header */
    size_t s;          /* S: octets after the names */
} vctx;

static bool unfragmented(uint8_t flags)
{
    return (flags & 0x03) == MS_NBDS_FLAG_FIRST;
}

static void name_rules(vctx *v, const ms_nb_name *n, const char *key, size_t off)
{
    if (n->wire_len && !n->valid) {
        if (n->wire[0] != 32)
            ADD(v->r, "N-07", key, off, "first label is %u octets, not 32", n->wire[0]);
        else
            ADD(v->r, "N-07", key, off, "first-level encoding has a letter outside A..P");
    }
}

/* Which name a decoding failure lies in. ms_dgram_decode stops at the first
 * name that fails, and the offset alone cannot tell "the source name's last
 * label" from "the destination name's first octet", so decode the source
 * name again on its own. */
static const char *failed_name_key(const vctx *v)
{
    if (!ms_dgram_has_data(v->m->dgram.type))
        return "nbdgm.dst_name";
    ms_nb_name src;
    size_t used;
    return ms_nb_name_decode(v->p + 14, v->len - 14, &src, &used) != MS_OK ? "nbdgm.src_name"
                                                                           : "nbdgm.dst_name";
}

static void nbds_rules(vctx *v)
{
    const ms_message *m = v->m;
    const ms_dgram *d = &m->dgram;
    ms_report *r = v->r;
    /* Octets the capture cut off are P-01's, not the sender's: length rules
     * judge the length that was sent, and nothing is said about a name the
     * snapshot length cut. */
    bool cut = v->info && v->info->truncated;

    if (v->len < 10) {
        if (!cut || v->wire_len < 10)
            ADD(r, "N-01", "payload", 0, "payload is %zu octets, fewer than the 10 of the common header", v->wire_len);
        return;
    }
    if (!ms_dgram_type_name(d->type)) {
        ADD(r, "N-02", "nbdgm.type", 0, "MSG_TYPE 0x%02x is not a datagram service type", d->type);
        return;
    }
    if (d->flags & 0xF0)
        ADD(r, "N-03", "nbdgm.flags", 1, "FLAGS 0x%02x has reserved bits 0x%02x set", d->flags, d->flags & 0xF0);
    if (d->type == MS_NBDS_ERROR) {
        if (v->wire_len != 11)
            ADD(r, "N-01", "payload", v->wire_len < 11 ? v->wire_len : 11,
                "DATAGRAM ERROR is %zu octets, not 11", v->wire_len);
        if (v->len >= 11 && (d->error_code < 0x82 || d->error_code > 0x84))
            ADD(r, "N-15", "nbdgm.error_code", 10, "ERROR_CODE 0x%02x is not 0x82..0x84", d->error_code);
        if (d->flags & 0x03)
            ADD(r, "N-15", "nbdgm.flags", 1, "DATAGRAM ERROR with F/M bits set (FLAGS 0x%02x)", d->flags);
        return;
    }
    if (!ms_dgram_has_data(d->type)) {
        if (m->status == MS_OK && d->trailing.len)
            ADD(r, "N-01", "nbdgm.trailing", v->len - d->trailing.len,
                "%zu octets after the destination name", d->trailing.len);
    } else if (v->len < 14) {
        if (!cut || v->wire_len < 14)
            ADD(r, "N-01", "payload", v->len, "payload is %zu octets, fewer than the 14-octet header", v->wire_len);
        return;
    }
    if (m->status != MS_OK && strcmp(m->err_layer, "nbdgm") == 0) {
        const char *key = failed_name_key(v);
        if (m->status == MS_ERR_NAME_POINTER || m->status == MS_ERR_NAME_LABEL)
            ADD(r, "N-08", key, m->err_off, "label octet 0x%02x: %s", v->p[m->err_off],
                m->status == MS_ERR_NAME_POINTER ? "a label pointer" : "a reserved label type");
        else if (m->status == MS_ERR_TRUNCATED && cut)
            ; /* the snapshot length cut the name: P-01 */
        else if (m->status == MS_ERR_TRUNCATED && !ms_dgram_has_data(d->type))
            ADD(r, "N-01", key, m->err_off, "payload ends inside the name (%zu octets)", v->len);
        else if (m->status == MS_ERR_TRUNCATED)
            /* 0x10-0x12: N-01 asks only for the 14-octet header; a name that
             * runs off the end does not decode (N-07). */
            ADD(r, "N-07", key, m->err_off, "payload ends inside the name (%zu octets)", v->len);
        else
            ADD(r, "N-07", key, m->err_off, "%s", ms_strerror(m->status));
        return;
    }
    if (!ms_dgram_has_data(d->type))
        name_rules(v, &d->dst, "nbdgm.dst_name", 10);
    if (ms_dgram_has_data(d->type)) {
        name_rules(v, &d->src, "nbdgm.src_name", 14);
        name_rules(v, &d->dst, "nbdgm.dst_name", 14 + d->src.wire_len);
        if (d->src.wire_len != 34 || d->dst.wire_len != 34)
            ADD(r, "N-09", d->src.wire_len != 34 ? "nbdgm.src_name" : "nbdgm.dst_name",
                d->src.wire_len != 34 ? 14 : 14 + d->src.wire_len,
                "scoped name: %zu + %zu octets of names, USER_DATA at offset %zu",
                d->src.wire_len, d->dst.wire_len, ms_message_smb_offset(m));
        if ((d->flags & 0x03) == MS_NBDS_FLAG_FIRST && d->packet_offset != 0)
            ADD(r, "N-04", "nbdgm.offset", 12, "unfragmented datagram with PACKET_OFFSET %u", d->packet_offset);
        if (!unfragmented(d->flags))
            ADD(r, "N-05", "nbdgm.flags", 1, "a fragment (FLAGS 0x%02x: F=%u M=%u)", d->flags,
                (d->flags >> 1) & 1u, d->flags & 1u);
        else if (d->dgm_length != v->wire_len - 14)
            ADD(r, "N-06", "nbdgm.length", 10, "DGM_LENGTH %u, octets after the header %zu (off by %+ld)",
                d->dgm_length, v->wire_len - 14, (long)d->dgm_length - (long)(v->wire_len - 14));
        if (d->type == MS_NBDS_BROADCAST) {
            static const uint8_t star[16] = { '*' };
            if (!d->dst.valid || memcmp(d->dst.name, star, 16) != 0)
                ADD(r, "N-10", "nbdgm.dst_name", 14 + d->src.wire_len,
                    "BROADCAST datagram not addressed to '*'");
            ADD(r, "N-11", "nbdgm.type", 0, "BROADCAST (0x12): Windows and Samba send mailslots as 0x10/0x11");
        }
        if (d->flags != 0x02 && d->flags != 0x06 && d->flags != 0x0A && d->flags != 0x0E)
            ADD(r, "N-12", "nbdgm.flags", 1, "FLAGS 0x%02x is not 0x02, 0x06, 0x0a or 0x0e", d->flags);
        if (d->src.valid && d->src.name[15] != 0x00 && d->src.name[15] != 0x20)
            ADD(r, "N-14", "nbdgm.src_name", 14, "source name suffix 0x%02x", d->src.name[15]);
        size_t budget = 14 + d->src.wire_len + d->dst.wire_len + 512;
        if (v->wire_len > budget)
            ADD(r, "N-16", "payload", budget, "payload %zu octets > %zu (names + 512) by %zu",
                v->wire_len, budget, v->wire_len - budget);
    }
    if (d->src_port != 138)
        ADD(r, "N-13", "nbdgm.src_port", 8, "SOURCE_PORT %u, not 138", d->src_port);
    if (v->info) {
        if (v->info->sport != 138 || v->info->dport != 138)
            ADD(r, "N-13", v->info->sport != 138 ? "udp.srcport" : "udp.dstport", 0,
                "UDP ports %u -> %u, not 138 -> 138", v->info->sport, v->info->dport);
        if (d->src_ip != v->info->ip_src)
            ADD(r, "N-13", "nbdgm.src_ip", 4, "SOURCE_IP %u.%u.%u.%u differs from the IP source %u.%u.%u.%u",
                d->src_ip >> 24, (d->src_ip >> 16) & 255, (d->src_ip >> 8) & 255, d->src_ip & 255,
                v->info->ip_src >> 24, (v->info->ip_src >> 16) & 255, (v->info->ip_src >> 8) & 255,
                v->info->ip_src & 255);
    }
}

static bool hdr_zero(const ms_smb_header *h)
{
    static const uint8_t z[8];
    return h->status == 0 && h->flags == 0 && h->flags2 == 0 && h->pid_high == 0 &&
           memcmp(h->security, z, 8) == 0 && h->reserved == 0 && h->tid == 0 &&
           h->pid_low == 0 && h->uid == 0 && h->mid == 0;
}

static void smb_rules(vctx *v)
{
    const ms_message *m = v->m;
    const ms_smb_header *h = &m->smb;
    ms_report *r = v->r;
    size_t b = v->smb;
    static const uint8_t z[8];

    if (h->status)
        ADD(r, "S-03", "smb.status", b + 5, "Status 0x%08x", h->status);
    if (h->flags != 0 && h->flags != 0x18)
        ADD(r, "S-03", "smb.flags", b + 9, "Flags 0x%02x", h->flags);
    if (h->flags2 != 0 && h->flags2 != 0x0004)
        ADD(r, "S-03", "smb.flags2", b + 10, "Flags2 0x%04x", h->flags2);
    if (h->pid_low != 0 && h->pid_low != 0xFEFF)
        ADD(r, "S-03", "smb.pid_low", b + 26, "PIDLow 0x%04x", h->pid_low);
    if (h->pid_high || memcmp(h->security, z, 8) || h->reserved || h->tid || h->uid || h->mid)
        ADD(r, "S-03", "smb", b + 12, "PIDHigh/signature/TID/UID/MID not all zero");
    if ((h->flags2 & 0x8000) || (h->flags & 0x80))
        ADD(r, "S-04", (h->flags2 & 0x8000) ? "smb.flags2" : "smb.flags", b + ((h->flags2 & 0x8000) ? 10 : 9),
            "%s set", (h->flags2 & 0x8000) ? "UNICODE" : "REPLY");
}

static void trans_rules(vctx *v)
{
    const ms_message *m = v->m;
    const ms_trans *t = &m->trans;
    ms_report *r = v->r;
    size_t b = v->smb;
    uint8_t type = m->dgram.type;

    if (t->word_count != 17 || t->setup_count != 3)
        ADD(r, "T-01", t->word_count != 17 ? "trans.word_count" : "trans.setup_count",
            b + (t->word_count != 17 ? 32 : 59), "WordCount %u, SetupCount %u (want 17, 3)",
            t->word_count, t->setup_count);
    if (t->setup_words >= 1 && t->setup[0] != 1)
        ADD(r, "T-02", "mailslot.opcode", b + 61, "MailSlotOpcode %u, not 1 (write)", t->setup[0]);
    if (t->setup_words >= 2) {
        if (t->setup[1] > 9)
            ADD(r, "T-05", "mailslot.priority", b + 63, "Priority %u > 9", t->setup[1]);
        else if (t->setup[1] > 1)
            ADD(r, "T-06", "mailslot.priority", b + 63, "Priority %u", t->setup[1]);
    }
    if (t->setup_words >= 3) {
        uint16_t c = t->setup[2];
        if (c != 1 && c != 2)
            ADD(r, "T-03", "mailslot.class", b + 65, "Class %u is neither 1 nor 2", c);
        else if (c == 1 && (type == MS_NBDS_DIRECT_GROUP || type == MS_NBDS_BROADCAST))
            ADD(r, "T-03", "mailslot.class", b + 65, "Class 1 (reliable) in a group/broadcast datagram");
        if (c != 2)
            ADD(r, "T-04", "mailslot.class", b + 65, "Class %u, not 2", c);
    }
    if (t->total_param_count || t->param_count)
        ADD(r, "T-07", t->param_count ? "trans.param_count" : "trans.total_param_count",
            b + (t->param_count ? 51 : 33), "TotalParameterCount %u, ParameterCount %u",
            t->total_param_count, t->param_count);
    if (t->total_data_count != t->data_count)
        ADD(r, "T-08", "trans.total_data_count", b + 35, "TotalDataCount %u != DataCount %u",
            t->total_data_count, t->data_count);
    if (t->max_data_count)
        ADD(r, "T-09", "trans.max_data_count", b + 39, "MaxDataCount %u", t->max_data_count);
    if (t->max_setup_count)
        ADD(r, "T-09", "trans.max_setup_count", b + 41, "MaxSetupCount %u", t->max_setup_count);
    if (t->reserved1)
        ADD(r, "T-09", "trans.reserved1", b + 42, "Reserved1 %u", t->reserved1);
    if (t->reserved2)
        ADD(r, "T-09", "trans.reserved2", b + 49, "Reserved2 %u", t->reserved2);
    if (t->reserved3)
        ADD(r, "T-09", "trans.reserved3", b + 60, "Reserved3 %u", t->reserved3);
    if (t->max_param_count != 0 && t->max_param_count != 2)
        ADD(r, "T-10", "trans.max_param_count", b + 37, "MaxParameterCount %u", t->max_param_count);
    if (t->flags & 0xFFFC)
        ADD(r, "T-11", "trans.flags", b + 43, "transaction Flags 0x%04x has undefined bits", t->flags);
    else if (t->flags == 0x0001 || t->flags == 0x0003)
        ADD(r, "T-12", "trans.flags", b + 43, "transaction Flags 0x%04x", t->flags);
    if (t->timeout != 0 && t->timeout != 1000)
        ADD(r, "T-12", "trans.timeout", b + 45, "Timeout %u ms", t->timeout);
    if (t->param_offset != 0 && t->param_offset != t->data_offset)
        ADD(r, "T-13", "trans.param_offset", b + 53, "ParameterOffset %u is neither 0 nor DataOffset %u",
            t->param_offset, t->data_offset);
}

static bool printable(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7E)
            return false;
    return true;
}

static void data_rules(vctx *v)
{
    const ms_message *m = v->m;
    const ms_trans *t = &m->trans;
    ms_report *r = v->r;
    size_t b = v->smb, s = v->s;
    size_t fixed = 35 + 2 * (size_t)t->word_count;
    size_t n = t->name.len;
    size_t name_off = b + fixed;
    size_t name_end = fixed + n + 1; /* SMB offset after the NUL */
    size_t doff = t->data_offset, dc = t->data_count;
    uint8_t type = m->dgram.type;

    if (fixed + t->byte_count != s)
        ADD(r, "D-01", "trans.byte_count", b + fixed - 2, "%zu + ByteCount %u = %zu, but %zu octets follow the names",
            fixed, t->byte_count, fixed + t->byte_count, s);
    if (!t->name.terminated || n + 1 > t->byte_count)
        ADD(r, "D-02", "mailslot.name", name_off,
            t->name.terminated ? "name and NUL (%zu octets) run past ByteCount %u"
                               : "no NUL before the end of the message (%zu octets of name, ByteCount %u)",
            t->name.terminated ? n + 1 : n, t->byte_count);
    /* The upper-case prefix (what every sender writes) settles D-03 and
     * the prefix half of D-04 without a case-folding compare. */
    bool upper = n > 10 && memcmp(t->name.p, "\\MAILSLOT\\", 10) == 0;
    if (!upper && (n <= 10 || strncasecmp((const char *)t->name.p, "\\MAILSLOT\\", 10) != 0))
        ADD(r, "D-03", "mailslot.name", name_off, "name does not start with \\MAILSLOT\\ and a name");
    else if (!upper || !printable(t->name.p + 10, n - 10)) {
        bool pr = printable(t->name.p, n);
        if (!pr || !upper)
            ADD(r, "D-04", "mailslot.name", name_off, "%s",
                pr ? "prefix not in upper case" : "name has non-printable octets");
    }
    if (!t->name.terminated)
        return;
    if (doff < name_end || doff > name_end + 3)
        ADD(r, "D-05", "trans.data_offset", b + 57, "DataOffset %zu outside %zu..%zu (name end + 0..3 pad)",
            doff, name_end, name_end + 3);
    for (size_t i = 0; i < t->pad.len; i++)
        if (t->pad.p[i]) {
            ADD(r, "D-06", "trans.pad", b + name_end + i, "pad octet %zu is 0x%02x", i, t->pad.p[i]);
            break;
        }
    if (doff % 4)
        ADD(r, "D-07", "trans.data_offset", b + 57, "DataOffset %zu is not 4-aligned (%zu mod 4)", doff, doff % 4);
    if (doff + dc > s)
        ADD(r, "D-08", "trans.data_count", b + 55, "DataOffset %zu + DataCount %zu = %zu > %zu octets of SMB message",
            doff, dc, doff + dc, s);
    else if (doff + dc < s)
        ADD(r, "D-09", "trans.trailing", b + doff + dc, "%zu octets after the data", s - doff - dc);
    if (dc == 0)
        ADD(r, "D-10", "mailslot.size", b + 55, "empty message (DataCount 0)");
    if (s > 512)
        ADD(r, "D-11", "payload", b + 512, "SMB message %zu octets > 512 by %zu", s, s - 512);
    if (n + 1 + dc > 443)
        ADD(r, "D-12", "mailslot.size", b + 55, "name with NUL %zu + DataCount %zu = %zu > 443 by %zu",
            n + 1, dc, n + 1 + dc, n + 1 + dc - 443);
    if (type == MS_NBDS_DIRECT_GROUP || type == MS_NBDS_BROADCAST) {
        if (dc > 424)
            ADD(r, "D-13", "mailslot.size", b + 55, "group/broadcast write of %zu octets > 424 by %zu", dc, dc - 424);
    } else if (doff + dc > 512) {
        /* A DataOffset past 512 leaves no room at all (a negative limit). */
        size_t room = doff < 512 ? 512 - doff : 0;
        ADD(r, "D-13", "mailslot.size", b + 55, "direct write of %zu octets > %zu (512 - DataOffset %zu) by %zu",
            dc, room, doff, dc - room);
    }
}

static void cross_rules(vctx *v)
{
    const ms_message *m = v->m;
    const ms_trans *t = &m->trans;
    const ms_smb_header *h = &m->smb;
    ms_report *r = v->r;
    size_t names = v->smb;
    size_t fixed = 35 + 2 * (size_t)t->word_count;
    size_t by_bc = names + fixed + t->byte_count;
    size_t by_dl = 14 + (size_t)m->dgram.dgm_length;
    if (v->wire_len != by_dl)
        ADD(r, "X-01", "nbdgm.length", 10, "payload %zu, by ByteCount %zu, by DGM_LENGTH %zu", v->wire_len,
            by_bc, by_dl);
    else if (v->wire_len != by_bc)
        ADD(r, "X-01", "trans.byte_count", names + fixed - 2, "payload %zu, by ByteCount %zu, by DGM_LENGTH %zu",
            v->wire_len, by_bc, by_dl);
    if (v->wire_len != names + t->data_offset + t->data_count)
        ADD(r, "X-02", "payload", v->smb + 57, "payload %zu != %zu + DataOffset %u + DataCount %u",
            v->wire_len, names, t->data_offset, t->data_count);

    uint16_t prio = t->setup_words >= 2 ? t->setup[1] : 0xFFFF;
    bool nopad = t->pad.len == 0;
    bool zeros = hdr_zero(h);
    bool browser_or_samba = zeros && t->param_offset == 0 && nopad && t->max_param_count == 0 &&
                            t->flags == 0 && (t->timeout == 1000 ? prio <= 1 : t->timeout == 0 && prio == 1);
    bool redirector = h->flags == 0x18 && h->flags2 == 0x0004 && h->pid_low == 0xFEFF &&
                      t->max_param_count == 2 && t->flags == 2 && t->param_offset == t->data_offset &&
                      t->data_offset % 4 == 0;
    if (!browser_or_samba && !redirector)
        ADD(r, "X-03", "trans", v->smb, "not the browser-service, redirector or Samba shape");
}

/* Destination suffixes each browser opcode is sent to (PROTOCOL.md §6.2). */
static bool browser_suffix_ok(uint8_t op, const ms_nb_name *dst)
{
    static const uint8_t msb[16] = { 1, 2, '_', '_', 'M', 'S', 'B', 'R', 'O', 'W', 'S', 'E', '_', '_', 2, 1 };
    bool is_msb = dst->valid && memcmp(dst->name, msb, 16) == 0;
    uint8_t s = dst->name[15];
    switch (op) {
    case 0x01: return s == 0x1D;
    case 0x02: return s == 0x00 || s == 0x1D || s == 0x1E || is_msb;
    case 0x08: case 0x0B: case 0x0F: return s == 0x1E;
    case 0x09: return s == 0x1D || s == 0x1B;
    case 0x0A: case 0x0D: return s == 0x00;
    case 0x0C: return is_msb;
    default: return true;
    }
}

static void name_limit(vctx *v, const ms_str *s, size_t base, const char *key, const char *what)
{
    /* An empty unterminated string at the end of the data has no pointer:
     * it starts where the data ends. */
    size_t off = base + (s->p ? (size_t)(s->p - v->m->trans.data.p) : v->m->trans.data.len);
    if (!s->terminated)
        ADD(v->r, "B-06", key, off, "%s has no NUL", what);
    /* Empty names are allowed (a forced election sends one). */
    else if (s->len + 1 > 16)
        ADD(v->r, "B-06", key, off, "%s is %zu octets with its NUL (> 16 by %zu)", what, s->len + 1, s->len + 1 - 16);
}

static void browser_rules(vctx *v)
{
    const ms_message *m = v->m;
    const ms_trans *t = &m->trans;
    const ms_browser *b = &m->browser;
    ms_report *r = v->r;
    size_t base = v->smb + t->data_offset;
    size_t len = t->data.len;
    if (len == 0)
        return;
    uint8_t op = t->data.p[0];
    if (!ms_browser_opcode_name(op)) {
        ADD(r, "B-01", "browser.command", base, "opcode 0x%02x is not a browser opcode", op);
        return;
    }
    /* A LANMAN 0x01 frame that fails the 6.1 signature test (>= 33 octets,
     * 55 AA at offset 30) is a LAN Manager 2.x announcement and is checked by
     * B-14 only (8.4), also when it is too short to decode at all. */
    bool lm = m->kind == MS_PAYLOAD_LANMAN && op == 0x01 &&
              !(len >= 33 && t->data.p[30] == 0x55 && t->data.p[31] == 0xAA);
    if (lm) {
        bool strings = m->payload_ok && b->name.terminated && b->comment.terminated;
        if (len < 12 || !strings)
            ADD(r, "B-14", "mailslot.data", base, "LAN Manager announcement: %zu octets, %s", len,
                len < 12 ? "fewer than 12" : "strings not both NUL-terminated");
        return;
    }
    size_t min = 0;
    bool exact = false;
    switch (op) {
    case 0x01: case 0x0C: case 0x0F: min = 33; break;
    case 0x02: case 0x0B: case 0x0D: min = 2; break;
    case 0x08: min = 15; break;
    case 0x09: min = 6; exact = true; break;
    case 0x0A: min = 6; break;
    case 0x0E: min = 2; exact = true; break;
    }
    bool short_frame = len < min || (exact && len != min);
    if (short_frame)
        ADD(r, "B-02", "mailslot.size", base, "%s is %zu octets (%s %zu)", ms_browser_opcode_name(op), len,
            exact ? "must be" : "at least", min);
    if (!m->payload_ok) {
        /* A fixed part that does not fit is B-02's; anything else (more
         * backup names than the decoder holds) is a decoding failure. */
        if (!(short_frame && m->status == MS_ERR_TRUNCATED))
            ADD(r, "P-03", "payload", m->err_off, "%s: %s", m->err_layer, ms_strerror(m->status));
        return;
    }
    if (!browser_suffix_ok(op, &m->dgram.dst))
        ADD(r, "B-11", "nbdgm.dst_name", 14 + m->dgram.src.wire_len, "%s sent to suffix 0x%02x",
            ms_browser_opcode_name(op), m->dgram.dst.name[15]);
    switch (op) {
    case 0x01: case 0x0F: case 0x0C: {
        bool nul = memchr(b->server_name, 0, 16) != NULL;
        const char *key = op == 0x0C ? "browser.machine_group" : "browser.server_name";
        if (!nul)
            ADD(r, "B-03", key, base + 6, "16-octet name with no NUL (16 characters)");
        if (op != 0x0C) {
            if (!b->comment.terminated)
                ADD(r, "B-04", "browser.comment", base + 32, "Comment has no NUL (%zu octets)", b->comment.len);
            else if (b->comment.len + 1 > 43)
                ADD(r, "B-04", "browser.comment", base + 32, "Comment is %zu octets with its NUL (> 43 by %zu)",
                    b->comment.len + 1, b->comment.len + 1 - 43);
            if (b->signature != 0xAA55)
                ADD(r, "B-05", "browser.signature", base + 30, "Signature 0x%04x, not 0xaa55", b->signature);
            bool v15 = b->browser_major == 15 && b->browser_minor == 1;
            bool v21 = b->browser_major == 21 && b->browser_minor == 4;
            if (!v15 && !v21)
                ADD(r, "B-10", "browser.browser_major", base + 28, "BrowserVersion %u.%u", b->browser_major,
                    b->browser_minor);
        } else {
            name_limit(v, &b->comment, base, "browser.local_master_name", "LocalMasterBrowserName");
        }
        if (b->server_type & 0x40000000u)
            ADD(r, "B-12", "browser.server_type", base + 24, "ServerType 0x%08x has LOCAL_LIST_ONLY", b->server_type);
        bool going_away = b->periodicity == 0 && b->server_type == 0;
        if (!going_away && (b->periodicity < 60000 || b->periodicity > 900000))
            ADD(r, "B-13", "browser.periodicity", base + 2, "Periodicity %u ms", b->periodicity);
        break;
    }
    case 0x08:
        name_limit(v, &b->name, base, "browser.name", "ServerName");
        if (b->unused)
            ADD(r, "B-08", "browser.unused", base + 10, "Unused 0x%08x", b->unused);
        if (b->version != 1 && b->criteria != 0)
            ADD(r, "B-08", "browser.version", base + 1, "Version %u with Criteria 0x%08x", b->version, b->criteria);
        break;
    case 0x0A: {
        bool all = true;
        for (size_t i = 0; i < b->name_count; i++) {
            name_limit(v, &b->names[i], base, "browser.names", "backup server name");
            all = all && b->names[i].terminated;
        }
        if (b->name_count != b->count || !all || b->trailing.len)
            ADD(r, "B-07", "browser.count", base + 1, "BackupServerCount %u, %zu names present%s", b->count,
                b->name_count, all ? "" : " (last unterminated)");
        break;
    }
    case 0x0B:
    case 0x0D:
        name_limit(v, &b->name, base, "browser.name", op == 0x0B ? "BrowserToPromote" : "MasterBrowserServerName");
        break;
    case 0x0E:
        if (b->reset_type != 1 && b->reset_type != 2 && b->reset_type != 4)
            ADD(r, "B-09", "browser.reset_type", base + 1, "Type 0x%02x", b->reset_type);
        break;
    default:
        break;
    }
}

static bool nt_era(uint16_t op)
{
    return op == 0x07 || op == 0x0C || (op >= 0x12 && op <= 0x19);
}

static bool nl_request(uint16_t op)
{
    return op == 0x00 || op == 0x07 || op == 0x12;
}

/* JSON keys of the compressed names, by position (as netlogon_fields.c emits them). */
static const char *const nl_name_keys[MS_NL_CN_COUNT] = {
    "netlogon.dns_forest_name", "netlogon.dns_domain_name", "netlogon.dns_host_name",
    "netlogon.netbios_domain_name", "netlogon.netbios_computer_name", "netlogon.user_name",
    "netlogon.dc_site_name", "netlogon.client_site_name", "netlogon.next_closest_site",
};

/* The NETLOGON message did not decode: name the rule that explains why, or
 * P-03 when none does. */
static void netlogon_failure(vctx *v, uint16_t op)
{
    const ms_message *m = v->m;
    const ms_netlogon *nl = &m->netlogon;
    const uint8_t *d = m->trans.data.p;
    size_t len = m->trans.data.len;
    size_t base = v->smb + m->trans.data_offset;
    ms_report *r = v->r;
    switch (m->status) {
    case MS_ERR_COMPRESSION: {
        const char *key = "netlogon";
        for (size_t i = 0; i < MS_NL_CN_COUNT; i++) {
            ms_bytes w = nl->names[i];
            if (!w.p || ms_netlogon_name_text(d, len, w, NULL, 0) != MS_OK) {
                key = nl_name_keys[i];
                break;
            }
        }
        ADD(r, "L-10", key, m->err_off, "compressed name: loop, forward pointer, outside the message or > 255 octets");
        return;
    }
    case MS_ERR_UNTERMINATED:
        ADD(r, "L-03", "netlogon", m->err_off, "string without its terminator before the trailer");
        return;
    case MS_ERR_LAYOUT:
        if (nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_EX) {
            ADD(r, "L-09", "netlogon.dc_sockaddr_size", m->err_off, "DcSockAddrSize %u, not 16",
                v->p[m->err_off]);
            return;
        }
        if ((op >= 0x13 && op <= 0x15) || (op >= 0x17 && op <= 0x19)) {
            ADD(r, "L-08", "netlogon.nt_version", base + len - 8,
                "NtVersion 0x%08x selects no response layout (needs == 1, V5 or V5EX)", nl->nt_version);
            return;
        }
        break;
    case MS_ERR_TRUNCATED:
        if (nl->layout == MS_NL_LAYOUT_SAM_REQUEST && nl->mailslot_name.terminated) {
            /* Everything up to DomainSidSize fitted: the SID it announces did not. */
            size_t size_at = (size_t)(nl->mailslot_name.p - d) + nl->mailslot_name.len + 1 + 4;
            if (size_at + 4 <= len - 8) {
                uint32_t sz = (uint32_t)d[size_at] | (uint32_t)d[size_at + 1] << 8 |
                              (uint32_t)d[size_at + 2] << 16 | (uint32_t)d[size_at + 3] << 24;
                ADD(r, "L-05", "netlogon.domain_sid_size", base + size_at,
                    "DomainSidSize %u, but only %zu octets precede the trailer", sz, len - 8 - size_at - 4);
                return;
            }
        }
        if (nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT40 || nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT5 ||
            nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_EX) {
            ADD(r, "L-08", "netlogon.nt_version", base + len - 8,
                "the %s layout NtVersion 0x%08x selects does not fit the %zu octets",
                ms_netlogon_layout_name(nl->layout), nl->nt_version, len);
            return;
        }
        break;
    default:
        break;
    }
    /* An undefined opcode, more entries than the decoder holds, a fixed
     * field cut short: nothing in 8.5 covers it. */
    ADD(r, "P-03", "payload", m->err_off, "%s: %s", m->err_layer, ms_strerror(m->status));
}

static void netlogon_rules(vctx *v)
{
    const ms_message *m = v->m;
    const ms_trans *t = &m->trans;
    const ms_netlogon *nl = &m->netlogon;
    ms_report *r = v->r;
    size_t base = v->smb + t->data_offset;
    const uint8_t *d = t->data.p;
    size_t len = t->data.len;
    if (len < 2) {
        /* Empty data is D-10's; one octet cannot even hold the opcode. */
        if (len == 1)
            ADD(r, "P-03", "payload", m->err_off, "%s: %s", m->err_layer, ms_strerror(m->status));
        return;
    }
    uint16_t op = (uint16_t)(d[0] | d[1] << 8);

    if (nl_request(op)) {
        const uint8_t *n = t->name.p;
        size_t nn = t->name.len;
        bool ok = (nn == 22 && strncasecmp((const char *)n, "\\MAILSLOT\\NET\\NETLOGON", 22) == 0) ||
                  (nn == 21 && strncasecmp((const char *)n, "\\MAILSLOT\\NET\\NTLOGON", 21) == 0);
        if (!ok)
            ADD(r, "L-01", "mailslot.name", v->smb + 35 + 2 * (size_t)t->word_count,
                "request 0x%02x on a mailslot other than NET\\NETLOGON", op);
        uint8_t sfx = m->dgram.dst.name[15];
        if (op == 0x12 && sfx != 0x1C && sfx != 0x1B && sfx != 0x00)
            ADD(r, "L-11", "nbdgm.dst_name", 14 + m->dgram.src.wire_len, "request to suffix 0x%02x", sfx);
    } else if (m->dgram.type != MS_NBDS_DIRECT_UNIQUE && (op == 0x06 || op == 0x0C || (op >= 0x13 && op <= 0x19))) {
        ADD(r, "L-11", "nbdgm.type", 0, "response sent as MSG_TYPE 0x%02x, not 0x10", m->dgram.type);
    }
    bool short_form = m->payload_ok && nl->layout == MS_NL_LAYOUT_PRIMARY_QUERY_W95;
    if (nt_era(op) && !short_form) {
        static const uint8_t ff[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
        if (len < 10) {
            ADD(r, "L-02", "netlogon", base, "NT-era message of %zu octets (< 10)", len);
            return;
        }
        if (memcmp(d + len - 4, ff, 4) != 0) {
            bool lmnt = memcmp(d + len - 4, ff, 2) != 0;
            ADD(r, "L-02", lmnt ? "netlogon.lmnt_token" : "netlogon.lm20_token", base + len - (lmnt ? 4 : 2),
                "NT-era message does not end FF FF FF FF (LmNtToken 0x%04x, Lm20Token 0x%04x)",
                (unsigned)(d[len - 4] | d[len - 3] << 8), (unsigned)(d[len - 2] | d[len - 1] << 8));
            return;
        }
    }
    if (!m->payload_ok) {
        netlogon_failure(v, op);
        return;
    }
    if (nl->layout == MS_NL_LAYOUT_PRIMARY_QUERY || nl->layout == MS_NL_LAYOUT_PRIMARY_RESPONSE) {
        size_t at = nl->layout == MS_NL_LAYOUT_PRIMARY_QUERY
                        ? 2 + nl->computer_name.len + 1 + nl->mailslot_name.len + 1
                        : 2 + nl->primary_dc_name.len + 1;
        size_t need = at % 2;
        bool zero = nl->pad.len == 0 || nl->pad.p[0] == 0;
        if (nl->pad.len != need || !zero)
            ADD(r, "L-04", "netlogon.pad", base + at, "%zu alignment octet(s), %zu needed%s", nl->pad.len, need,
                zero ? "" : ", not zero");
    }
    if (op == 0x12 || op == 0x07) {
        const ms_str *ms = &nl->mailslot_name;
        if (ms->len < 10 || strncasecmp((const char *)ms->p, "\\MAILSLOT\\", 10) != 0)
            ADD(r, "L-06", "netlogon.mailslot_name", base + (size_t)(ms->p - d), "reply mailslot does not begin \\MAILSLOT\\");
        if (op == 0x12 || nl->layout == MS_NL_LAYOUT_PRIMARY_QUERY) {
            if (nl->nt_version & ~0xF100001Fu)
                ADD(r, "L-07", "netlogon.nt_version", base + len - 8, "NtVersion 0x%08x has reserved bits 0x%08x",
                    nl->nt_version, nl->nt_version & ~0xF100001Fu);
        }
    }
    if (nl->layout == MS_NL_LAYOUT_SAM_REQUEST) {
        size_t sz = nl->domain_sid.len;
        if (sz) {
            size_t at = (size_t)(nl->domain_sid.p - d);
            size_t size_at = at - nl->sid_pad.len - 4;
            uint8_t subs = sz >= 2 ? nl->domain_sid.p[1] : 0;
            if (sz < 8 || sz > 68 || sz != 8 + 4 * (size_t)subs)
                ADD(r, "L-05", "netlogon.domain_sid_size", base + size_at,
                    "DomainSidSize %zu, SID with %u sub-authorities (%zu octets)", sz, subs, 8 + 4 * (size_t)subs);
            else if (at % 4)
                ADD(r, "L-05", "netlogon.domain_sid", base + at, "DomainSid at message offset %zu, not 4-aligned", at);
        }
    }
    bool sam_response = nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT40 || nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT5 ||
                        nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_EX;
    if (nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_EX) {
        static const uint8_t z[8];
        if (nl->sbz)
            ADD(r, "L-09", "netlogon.sbz", base + 2, "Sbz 0x%04x", nl->sbz);
        /* DcSockAddrSize sits right after ClientSiteName. */
        const ms_bytes *cs = &nl->names[MS_NL_CN_CLIENT_SITE];
        size_t sa = (size_t)(cs->p - d) + cs->len;
        const ms_bytes *tr = &nl->trailing;
        if (nl->nt_version & MS_NL_NT_VERSION_5EX_WITH_IP) {
            if (nl->sockaddr_family != 2)
                ADD(r, "L-09", "netlogon.dc_sockaddr_family", base + sa + 1, "sin_family %u, not 2",
                    nl->sockaddr_family);
            if (memcmp(nl->sockaddr_zero, z, 8) != 0)
                ADD(r, "L-09", "netlogon.dc_sockaddr_zero", base + sa + 9, "sin_zero not zero");
        } else if (tr->len >= 17 && tr->p[0] == 16) {
            /* FreeIPA's DcSockAddr without V5EP: present iff NtVersion & 0x8. */
            ADD(r, "L-09", "netlogon.trailing", base + (size_t)(tr->p - d),
                "a DcSockAddr (size 16) follows, but NtVersion 0x%08x has no V5EP", nl->nt_version);
            sam_response = false;
        }
    }
    if (sam_response && nl->trailing.len)
        ADD(r, "L-08", "netlogon.trailing", base + (size_t)(nl->trailing.p - d),
            "%zu octets the %s layout of NtVersion 0x%08x does not hold", nl->trailing.len,
            ms_netlogon_layout_name(nl->layout), nl->nt_version);
}

void ms_validate(const uint8_t *payload, size_t len, const ms_message *m,
                 const ms_frame_info *info, ms_report *report)
{
    vctx v = { payload, len, len, m, info, report, 0, 0 };
    if (info && info->truncated) {
        v.wire_len = info->orig_len;
        ADD(report, "P-01", "payload", len, "capture holds %zu of %zu octets", len, info->orig_len);
    } else if (info && info->orig_len != len) {
        ADD(report, "P-02", "udp", 0, "UDP length says %zu octets of payload, the IPv4 datagram holds %zu",
            info->orig_len, len);
    }
    nbds_rules(&v);
    if (v.wire_len > 576)
        ADD(report, "Z-01", "payload", 576, "UDP payload %zu octets > 576 by %zu (Samba nmbd drops it)",
            v.wire_len, v.wire_len - 576);
    if (v.wire_len > 548)
        ADD(report, "Z-02", "payload", 548, "UDP payload %zu octets > 548 by %zu (IP datagram > 576)",
            v.wire_len, v.wire_len - 548);
    if (len < 14 || !ms_dgram_has_data(m->dgram.type) ||
        (m->status != MS_OK && strcmp(m->err_layer, "nbdgm") == 0))
        return;
    if (info && info->truncated)
        return; /* only the header is trustworthy: the rest is cut */
    if (ms_dgram_is_partial(&m->dgram))
        return; /* checked once reassembled */

    v.smb = ms_message_smb_offset(m);
    v.s = len - v.smb;
    if (v.s < 81)
        ADD(report, "S-01", "nbdgm.user_data", v.smb, "USER_DATA is %zu octets (< 81)", v.s);
    if (!m->has_smb) {
        if (m->smb_status == MS_ERR_NOT_SMB || m->smb_status == MS_ERR_SMB_COMMAND)
            ADD(report, "S-02", m->smb_status == MS_ERR_NOT_SMB ? "smb.protocol" : "smb.command",
                v.smb + (m->smb_status == MS_ERR_NOT_SMB ? 0 : 4), "%s", ms_strerror(m->smb_status));
        else if (m->smb_status == MS_ERR_WORD_COUNT)
            ADD(report, "T-01", "trans.word_count", v.smb + 32, "WordCount %u, too few words for a transaction",
                v.s > 32 ? payload[v.smb + 32] : 0u);
        else if (m->status != MS_OK && v.s >= 81 && payload[v.smb + 32] != 17)
            /* The words a larger WordCount announces run past the end. */
            ADD(report, "T-01", "trans.word_count", v.smb + 32,
                "WordCount %u: its words and ByteCount need %zu octets, %zu follow the names",
                payload[v.smb + 32], 35 + 2 * (size_t)payload[v.smb + 32], v.s);
        else if (m->status != MS_OK && v.s >= 81)
            ADD(report, "P-03", "payload", m->err_off, "%s: %s", m->err_layer, ms_strerror(m->status));
        /* Shorter USER_DATA cannot hold a transaction: S-01 says so. */
        return;
    }
    smb_rules(&v);
    trans_rules(&v);
    data_rules(&v);
    cross_rules(&v);
    if (!m->trans.data_located || !m->trans.name.terminated)
        return;
    if (m->kind == MS_PAYLOAD_BROWSER || m->kind == MS_PAYLOAD_LANMAN)
        browser_rules(&v);
    else if (m->kind == MS_PAYLOAD_NETLOGON)
        netlogon_rules(&v);
}
