/* SPDX-License-Identifier: MIT */
/* S-, T-, D- and X- rules: the SMB header, the transaction words, the
 * mailslot name, pad and data, and the lengths the layers state about each
 * other (PROTOCOL.md §8.2, §8.3, §8.6). Offsets are from the start of the
 * UDP payload; b is the payload offset of the SMB header. */
#include <string.h>
#include <strings.h>

#include "validator.h"

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

/* USER_DATA that is no transaction at all: S-02 or T-01 say why, or P-03
 * when neither does. */
static void missing_transaction(vctx *v)
{
    const ms_message *m = v->m;
    ms_report *r = v->r;
    const uint8_t *payload = v->p;
    if (m->smb_status == MS_ERR_NOT_SMB || m->smb_status == MS_ERR_SMB_COMMAND)
        ADD(r, "S-02", m->smb_status == MS_ERR_NOT_SMB ? "smb.protocol" : "smb.command",
            v->smb + (m->smb_status == MS_ERR_NOT_SMB ? 0 : 4), "%s", ms_strerror(m->smb_status));
    else if (m->smb_status == MS_ERR_WORD_COUNT)
        ADD(r, "T-01", "trans.word_count", v->smb + 32, "WordCount %u, too few words for a transaction",
            v->s > 32 ? payload[v->smb + 32] : 0u);
    else if (m->status != MS_OK && v->s >= 81 && payload[v->smb + 32] != 17)
        /* The words a larger WordCount announces run past the end. */
        ADD(r, "T-01", "trans.word_count", v->smb + 32,
            "WordCount %u: its words and ByteCount need %zu octets, %zu follow the names",
            payload[v->smb + 32], 35 + 2 * (size_t)payload[v->smb + 32], v->s);
    else if (m->status != MS_OK && v->s >= 81)
        ms_check_undecoded(v);
    /* Shorter USER_DATA cannot hold a transaction: S-01 says so. */
}

bool ms_check_smb(vctx *v)
{
    if (v->s < 81)
        ADD(v->r, "S-01", "nbdgm.user_data", v->smb, "USER_DATA is %zu octets (< 81)", v->s);
    if (!v->m->has_smb) {
        missing_transaction(v);
        return false;
    }
    smb_rules(v);
    trans_rules(v);
    data_rules(v);
    cross_rules(v);
    return true;
}
