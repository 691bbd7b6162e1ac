/* SPDX-License-Identifier: MIT */
/* B- rules: browser frames on \MAILSLOT\BROWSE and \MAILSLOT\LANMAN
 * (PROTOCOL.md §8.4). Offsets are from the start of the UDP payload;
 * v->base is that of the browser frame (the mailslot data). */
#include <string.h>

#include "validator.h"

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

/* B-02: the shortest frame of each opcode; *exact when it has no
 * variable part. */
static size_t min_length(uint8_t op, bool *exact)
{
    *exact = op == 0x09 || op == 0x0E;
    switch (op) {
    case 0x01: case 0x0C: case 0x0F: return 33;
    case 0x02: case 0x0B: case 0x0D: return 2;
    case 0x08: return 15;
    case 0x09: case 0x0A: return 6;
    case 0x0E: return 2;
    default: return 0;
    }
}

static void name_limit(vctx *v, const ms_str *s, const char *key, const char *what)
{
    /* An empty unterminated string at the end of the data has no pointer:
     * it starts where the data ends. */
    size_t off = v->base + (s->p ? (size_t)(s->p - v->m->trans.data.p) : v->m->trans.data.len);
    if (!s->terminated)
        ADD(v->r, "B-06", key, off, "%s has no NUL", what);
    /* Empty names are allowed (a forced election sends one). */
    else if (s->len + 1 > 16)
        ADD(v->r, "B-06", key, off, "%s is %zu octets with its NUL (> 16 by %zu)", what, s->len + 1, s->len + 1 - 16);
}

/* 0x01, 0x0F and 0x0C (the same layout). */
static void host_rules(vctx *v, uint8_t op)
{
    const ms_browser *b = &v->m->browser;
    ms_report *r = v->r;
    size_t base = v->base;
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
        name_limit(v, &b->comment, "browser.local_master_name", "LocalMasterBrowserName");
    }
    if (b->server_type & 0x40000000u)
        ADD(r, "B-12", "browser.server_type", base + 24, "ServerType 0x%08x has LOCAL_LIST_ONLY", b->server_type);
    bool going_away = b->periodicity == 0 && b->server_type == 0;
    if (!going_away && (b->periodicity < 60000 || b->periodicity > 900000))
        ADD(r, "B-13", "browser.periodicity", base + 2, "Periodicity %u ms", b->periodicity);
}

/* The rules of the opcodes other than the host layout. */
static void other_rules(vctx *v, uint8_t op)
{
    const ms_browser *b = &v->m->browser;
    ms_report *r = v->r;
    size_t base = v->base;
    switch (op) {
    case 0x08:
        name_limit(v, &b->name, "browser.name", "ServerName");
        if (b->unused)
            ADD(r, "B-08", "browser.unused", base + 10, "Unused 0x%08x", b->unused);
        if (b->version != 1 && b->criteria != 0)
            ADD(r, "B-08", "browser.version", base + 1, "Version %u with Criteria 0x%08x", b->version, b->criteria);
        break;
    case 0x0A: {
        bool all = true;
        for (size_t i = 0; i < b->name_count; i++) {
            name_limit(v, &b->names[i], "browser.names", "backup server name");
            all = all && b->names[i].terminated;
        }
        if (b->name_count != b->count || !all || b->trailing.len)
            ADD(r, "B-07", "browser.count", base + 1, "BackupServerCount %u, %zu names present%s", b->count,
                b->name_count, all ? "" : " (last unterminated)");
        break;
    }
    case 0x0B:
    case 0x0D:
        name_limit(v, &b->name, "browser.name", op == 0x0B ? "BrowserToPromote" : "MasterBrowserServerName");
        break;
    case 0x0E:
        if (b->reset_type != 1 && b->reset_type != 2 && b->reset_type != 4)
            ADD(r, "B-09", "browser.reset_type", base + 1, "Type 0x%02x", b->reset_type);
        break;
    default:
        break;
    }
}

void ms_check_browser(vctx *v)
{
    const ms_message *m = v->m;
    const ms_trans *t = &m->trans;
    ms_report *r = v->r;
    size_t base = v->base;
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
        const ms_browser *b = &m->browser;
        bool strings = m->payload_ok && b->name.terminated && b->comment.terminated;
        if (len < 12 || !strings)
            ADD(r, "B-14", "mailslot.data", base, "LAN Manager announcement: %zu octets, %s", len,
                len < 12 ? "fewer than 12" : "strings not both NUL-terminated");
        return;
    }
    bool exact;
    size_t min = min_length(op, &exact);
    bool short_frame = len < min || (exact && len != min);
    if (short_frame)
        ADD(r, "B-02", "mailslot.size", base, "%s is %zu octet%s (%s %zu)", ms_browser_opcode_name(op),
            len, len == 1 ? "" : "s", exact ? "must be" : "at least", min);
    if (!m->payload_ok) {
        /* A fixed part that does not fit is B-02's; anything else (more
         * backup names than the decoder holds) is a decoding failure. */
        if (!(short_frame && m->status == MS_ERR_TRUNCATED))
            ms_check_undecoded(v);
        return;
    }
    if (!browser_suffix_ok(op, &m->dgram.dst))
        ADD(r, "B-11", "nbdgm.dst_name", 14 + m->dgram.src.wire_len, "%s sent to suffix 0x%02x",
            ms_browser_opcode_name(op), m->dgram.dst.name[15]);
    if (op == 0x01 || op == 0x0F || op == 0x0C)
        host_rules(v, op);
    else
        other_rules(v, op);
}
