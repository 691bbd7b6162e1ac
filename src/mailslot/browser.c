/* SPDX-License-Identifier: MIT */
/* Browser frames ([MS-BRWS] 2.2) on \MAILSLOT\BROWSE and \MAILSLOT\LANMAN,
 * and the LAN Manager 2.x host announcement (PROTOCOL.md §6).
 *
 * Lossless by construction: every octet decode reads lands in a struct field
 * (the whole 16-octet names, octets 28-31 of a DomainAnnouncement, string
 * terminators as a flag, whatever follows the layout in `trailing`), so
 * encode(decode(x)) == x. Strings are taken as found: one that runs to the
 * end of the data is kept with terminated = false rather than rejected, so
 * real frames that break the spec (Samba's 16-character names and long
 * comments, its AnnouncementRequest) still decode; judging them is the
 * validator's job. Only a fixed part that does not fit is MS_ERR_TRUNCATED.
 *
 * JSON keys emitted by ms_browser_fields(), in order, per layout:
 *   all          command (uint, label = opcode name), then lm_format: true
 *                only for the LM 2.x layout
 *   0x01, 0x0F   update_count, periodicity (ms), server_name,
 *                [server_name_raw], [server_name_terminated], os_major,
 *                os_minor, server_type (label = SV_TYPE names),
 *                browser_major, browser_minor, signature, comment,
 *                [comment_terminated], [trailing]
 *   0x01 LM 2.x  update_count, server_type, os_major, os_minor,
 *                periodicity (seconds), server_name,
 *                [server_name_terminated], comment, [comment_terminated],
 *                [trailing]
 *   0x0C         update_count, periodicity, machine_group,
 *                [machine_group_raw], [machine_group_terminated],
 *                browser_config_major, browser_config_minor, server_type,
 *                browser_major, browser_minor, signature (octets 28-31,
 *                uninitialised on Windows), local_master_name,
 *                [local_master_name_terminated], [trailing]
 *   0x02         reserved, [samba_form], name, [name_terminated], [trailing]
 *   0x08         version, criteria, uptime, unused, name,
 *                [name_terminated], [trailing]
 *   0x09         count, token, [trailing]
 *   0x0A         count, token, names (list of text), [names_terminated]
 *                (false: the last name has no NUL), [trailing]
 *   0x0B, 0x0D   name, [name_terminated], [trailing]
 *   0x0E         reset_type (label = RESET_STATE names), [trailing]
 * Keys in [] appear only when they say something: *_raw (hex of all 16
 * octets) when the octets after the first NUL are not all zero or there is
 * no NUL; *_terminated (false) only for a string without its terminator;
 * samba_form (true) only for that form; trailing (hex) only when non-empty.
 * A 16-octet name's text is the octets before its first NUL, or all 16. */
#include "mailslot/browser.h"

#include <stddef.h>
#include <string.h>

#include "cursor.h"
#include "strbuf.h"

/* Fixed part of the 0x01/0x0F/0x0C layout: the Comment starts here. */
#define HOST_FIXED 32u

const char *ms_browser_opcode_name(uint8_t opcode)
{
    switch (opcode) {
    case MS_BRWS_HOST_ANNOUNCEMENT: return "HostAnnouncement";
    case MS_BRWS_ANNOUNCEMENT_REQUEST: return "AnnouncementRequest";
    case MS_BRWS_REQUEST_ELECTION: return "RequestElection";
    case MS_BRWS_GET_BACKUP_LIST_REQUEST: return "GetBackupListRequest";
    case MS_BRWS_GET_BACKUP_LIST_RESPONSE: return "GetBackupListResponse";
    case MS_BRWS_BECOME_BACKUP: return "BecomeBackup";
    case MS_BRWS_DOMAIN_ANNOUNCEMENT: return "DomainAnnouncement";
    case MS_BRWS_MASTER_ANNOUNCEMENT: return "MasterAnnouncement";
    case MS_BRWS_RESET_STATE_REQUEST: return "ResetStateRequest";
    case MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT: return "LocalMasterAnnouncement";
    }
    return NULL;
}

/* ---- decode ------------------------------------------------------------ */

/* A NUL-terminated string, or, when no NUL is left, everything up to the
 * end (possibly nothing) with terminated = false. */
static ms_str take_str(ms_rcur *c)
{
    ms_str s = { NULL, 0, false };
    size_t n = ms_rcur_find_term(c, 1);
    if (n) {
        s.p = ms_rcur_take(c, n);
        s.len = n - 1;
        s.terminated = true;
    } else {
        s.len = ms_rcur_left(c);
        s.p = s.len ? ms_rcur_take(c, s.len) : NULL;
    }
    return s;
}

static void take_trailing(ms_rcur *c, ms_bytes *t)
{
    t->len = ms_rcur_left(c);
    t->p = t->len ? ms_rcur_take(c, t->len) : NULL;
}

/* HostAnnouncement 0x01 / LocalMasterAnnouncement 0x0F / DomainAnnouncement
 * 0x0C ([MS-BRWS] 2.2.1, 2.2.10, 2.2.7):
 *
 *  0        1        2             6                        22
 * +--------+--------+-------------+------------------------+
 * | opcode | update | periodicity | ServerName[16]         |
 * +--------+--------+-------------+------------------------+
 *  22      23       24            28     29     30      32
 * +-------+-------+-------------+------+------+-------+---------------
 * | OS    | OS    | ServerType  | brw  | brw  | 55 AA | Comment NUL
 * | major | minor |             | maj  | min  |       |
 * +-------+-------+-------------+------+------+-------+---------------
 * 0x0C: ServerName is MachineGroup, OS is BrowserConfigVersion, Comment is
 * LocalMasterBrowserName, and octets 28-31 are uninitialised on Windows
 * (kept verbatim, never checked). */
static void dec_host(ms_rcur *c, ms_browser *b)
{
    b->update_count = ms_rcur_u8(c);
    b->periodicity = ms_rcur_le32(c);
    ms_rcur_copy(c, b->server_name, sizeof b->server_name);
    b->os_major = ms_rcur_u8(c);
    b->os_minor = ms_rcur_u8(c);
    b->server_type = ms_rcur_le32(c);
    b->browser_major = ms_rcur_u8(c);
    b->browser_minor = ms_rcur_u8(c);
    b->signature = ms_rcur_le16(c);
    if (c->err)
        return;
    b->comment = take_str(c);
}

/* LAN Manager 2.x host announcement on \MAILSLOT\LANMAN (PROTOCOL.md §6.7):
 * opcode 0x01, UpdateCount, ServerType u32, OS major, OS minor,
 * Periodicity u16 in seconds, ServerName NUL, Comment NUL. */
static void dec_lm(ms_rcur *c, ms_browser *b)
{
    b->lm_format = true;
    b->update_count = ms_rcur_u8(c);
    b->server_type = ms_rcur_le32(c);
    b->os_major = ms_rcur_u8(c);
    b->os_minor = ms_rcur_u8(c);
    b->periodicity = ms_rcur_le16(c);
    if (c->err)
        return;
    b->name = take_str(c);
    b->comment = take_str(c);
}

/* AnnouncementRequest 0x02 ([MS-BRWS] 2.2.2): opcode, Reserved,
 * ResponseName NUL. Samba nmbd instead sends opcode, token, 0x00, name with
 * no NUL; recognised when octet 2 is 0x00 and a NUL-free name follows (the
 * standard reading would leave that name as unexplained trailing octets). */
static void dec_ann_request(ms_rcur *c, ms_browser *b)
{
    b->update_count = ms_rcur_u8(c);
    if (c->err)
        return;
    if (ms_rcur_peek(c, 0) == 0 && ms_rcur_peek(c, 1) > 0) {
        ms_rcur rest = *c;
        ms_rcur_take(&rest, 1);
        if (ms_rcur_find_term(&rest, 1) == 0) {
            ms_rcur_take(c, 1);
            b->samba_form = true;
        }
    }
    b->name = take_str(c);
}

/* RequestElection 0x08 ([MS-BRWS] 2.2.3): opcode, Version, Criteria u32,
 * Uptime u32, Unused u32, ServerName NUL. */
static void dec_election(ms_rcur *c, ms_browser *b)
{
    b->version = ms_rcur_u8(c);
    b->criteria = ms_rcur_le32(c);
    b->uptime = ms_rcur_le32(c);
    b->unused = ms_rcur_le32(c);
    if (c->err)
        return;
    b->name = take_str(c);
}

/* GetBackupListResponse 0x0A ([MS-BRWS] 2.2.5): opcode, BackupServerCount,
 * Token u32, names. The count is not trusted: every name present up to the
 * end of the data is decoded, so a count that disagrees stays visible. */
static ms_status dec_backup_list(ms_rcur *c, ms_browser *b, size_t *err_off)
{
    b->count = ms_rcur_u8(c);
    b->token = ms_rcur_le32(c);
    while (!c->err && ms_rcur_left(c) > 0) {
        if (b->name_count == MS_BRWS_MAX_BACKUP_NAMES) {
            *err_off = c->pos;
            return MS_ERR_TOO_MANY;
        }
        b->names[b->name_count++] = take_str(c);
    }
    return MS_OK;
}

/* The §6.1 heuristic: an MS-BRWS announcement has 55 AA at offset 30. */
static bool brws_signature(const uint8_t *data, size_t len)
{
    ms_rcur c = ms_rcur_make(data, len);
    if (len < HOST_FIXED + 1)
        return false;
    ms_rcur_take(&c, 30);
    return ms_rcur_le16(&c) == 0xAA55;
}

ms_status ms_browser_decode(const uint8_t *data, size_t len, bool lanman,
                            ms_browser *out, size_t *err_off)
{
    size_t off_dummy;
    if (!err_off)
        err_off = &off_dummy;
    *err_off = 0;
    if (!out || (!data && len))
        return MS_ERR_INVALID_ARG;
    /* Everything but names[] (1.5 KiB, most of the struct) is cleared;
     * entries from name_count on are never read (see browser.h). */
    memset(out, 0, offsetof(ms_browser, names));
    memset((char *)out + offsetof(ms_browser, name), 0,
           sizeof *out - offsetof(ms_browser, name));

    ms_rcur c = ms_rcur_make(data, len);
    out->opcode = ms_rcur_u8(&c);
    if (c.err)
        return c.err;
    if (!ms_browser_opcode_name(out->opcode))
        return MS_ERR_OPCODE;

    ms_status st = MS_OK;
    switch (out->opcode) {
    case MS_BRWS_HOST_ANNOUNCEMENT:
        /* LANMAN carries the LM 2.x layout under the same opcode (§8.4). */
        if (lanman && !brws_signature(data, len))
            dec_lm(&c, out);
        else
            dec_host(&c, out);
        break;
    case MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT:
    case MS_BRWS_DOMAIN_ANNOUNCEMENT:
        dec_host(&c, out);
        break;
    case MS_BRWS_ANNOUNCEMENT_REQUEST:
        dec_ann_request(&c, out);
        break;
    case MS_BRWS_REQUEST_ELECTION:
        dec_election(&c, out);
        break;
    case MS_BRWS_GET_BACKUP_LIST_REQUEST:
        out->count = ms_rcur_u8(&c);
        out->token = ms_rcur_le32(&c);
        break;
    case MS_BRWS_GET_BACKUP_LIST_RESPONSE:
        st = dec_backup_list(&c, out, err_off);
        break;
    case MS_BRWS_BECOME_BACKUP:
    case MS_BRWS_MASTER_ANNOUNCEMENT:
        out->name = take_str(&c);
        break;
    case MS_BRWS_RESET_STATE_REQUEST:
        out->reset_type = ms_rcur_u8(&c);
        break;
    }
    if (st != MS_OK)
        return st;
    if (c.err) {
        /* A failed read leaves pos at the start of the field that did not fit. */
        *err_off = c.pos;
        return c.err;
    }
    take_trailing(&c, &out->trailing);
    *err_off = c.pos;
    return MS_OK;
}

/* ---- encode ------------------------------------------------------------ */

typedef struct enc {
    ms_wcur w;
    bool open;       /* an unterminated string was written: nothing may follow */
    ms_status st;    /* first argument error */
} enc;

static void put_u8(enc *e, uint8_t v) { ms_wcur_u8(&e->w, v); }

static void put_raw(enc *e, const uint8_t *p, size_t n)
{
    if (n)
        ms_wcur_bytes(&e->w, p, n);
}

/* Write a string the way decode would read it back: refuse what would not
 * survive the trip (a NUL inside, or anything after an unterminated one). */
static void put_str(enc *e, const ms_str *s)
{
    if (e->st)
        return;
    if (s->len && !s->p) {
        e->st = MS_ERR_INVALID_ARG;
        return;
    }
    if (e->open && (s->len || s->terminated)) {
        e->st = MS_ERR_INVALID_ARG;
        return;
    }
    if (s->len) {
        ms_rcur r = ms_rcur_make(s->p, s->len);
        if (ms_rcur_find_term(&r, 1)) {
            e->st = MS_ERR_INVALID_ARG;
            return;
        }
    }
    put_raw(e, s->p, s->len);
    if (s->terminated)
        put_u8(e, 0);
    else
        e->open = true;
}

static void put_trailing(enc *e, const ms_bytes *t)
{
    if (e->st || !t->len)
        return;
    if (!t->p || e->open) {
        e->st = MS_ERR_INVALID_ARG;
        return;
    }
    put_raw(e, t->p, t->len);
}

static void enc_host(enc *e, const ms_browser *b)
{
    put_u8(e, b->update_count);
    ms_wcur_le32(&e->w, b->periodicity);
    put_raw(e, b->server_name, sizeof b->server_name);
    put_u8(e, b->os_major);
    put_u8(e, b->os_minor);
    ms_wcur_le32(&e->w, b->server_type);
    put_u8(e, b->browser_major);
    put_u8(e, b->browser_minor);
    ms_wcur_le16(&e->w, b->signature);
    put_str(e, &b->comment);
}

static void enc_lm(enc *e, const ms_browser *b)
{
    if (b->periodicity > 0xFFFFu) {
        e->st = MS_ERR_INVALID_ARG;
        return;
    }
    put_u8(e, b->update_count);
    ms_wcur_le32(&e->w, b->server_type);
    put_u8(e, b->os_major);
    put_u8(e, b->os_minor);
    ms_wcur_le16(&e->w, (uint16_t)b->periodicity);
    put_str(e, &b->name);
    put_str(e, &b->comment);
}

static void enc_ann_request(enc *e, const ms_browser *b)
{
    put_u8(e, b->update_count);
    if (b->samba_form) {
        /* Decode only sees this form for a non-empty, NUL-free name. */
        if (b->name.terminated || b->name.len == 0) {
            e->st = MS_ERR_INVALID_ARG;
            return;
        }
        put_u8(e, 0);
    }
    put_str(e, &b->name);
}

ms_status ms_browser_encode(const ms_browser *in, uint8_t *buf, size_t cap,
                            size_t *out_len)
{
    if (out_len)
        *out_len = 0;
    if (!in || (!buf && cap))
        return MS_ERR_INVALID_ARG;
    if (!ms_browser_opcode_name(in->opcode))
        return MS_ERR_OPCODE;
    if ((in->lm_format && in->opcode != MS_BRWS_HOST_ANNOUNCEMENT) ||
        (in->samba_form && in->opcode != MS_BRWS_ANNOUNCEMENT_REQUEST) ||
        in->name_count > MS_BRWS_MAX_BACKUP_NAMES)
        return MS_ERR_INVALID_ARG;

    enc e = { ms_wcur_make(buf, cap), false, MS_OK };
    put_u8(&e, in->opcode);
    switch (in->opcode) {
    case MS_BRWS_HOST_ANNOUNCEMENT:
        if (in->lm_format)
            enc_lm(&e, in);
        else
            enc_host(&e, in);
        break;
    case MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT:
    case MS_BRWS_DOMAIN_ANNOUNCEMENT:
        enc_host(&e, in);
        break;
    case MS_BRWS_ANNOUNCEMENT_REQUEST:
        enc_ann_request(&e, in);
        break;
    case MS_BRWS_REQUEST_ELECTION:
        put_u8(&e, in->version);
        ms_wcur_le32(&e.w, in->criteria);
        ms_wcur_le32(&e.w, in->uptime);
        ms_wcur_le32(&e.w, in->unused);
        put_str(&e, &in->name);
        break;
    case MS_BRWS_GET_BACKUP_LIST_REQUEST:
        put_u8(&e, in->count);
        ms_wcur_le32(&e.w, in->token);
        break;
    case MS_BRWS_GET_BACKUP_LIST_RESPONSE:
        put_u8(&e, in->count);
        ms_wcur_le32(&e.w, in->token);
        for (size_t i = 0; i < in->name_count; i++) {
            /* An empty unterminated entry writes nothing and would vanish. */
            if (!e.st && !in->names[i].terminated && in->names[i].len == 0)
                e.st = MS_ERR_INVALID_ARG;
            put_str(&e, &in->names[i]);
        }
        break;
    case MS_BRWS_BECOME_BACKUP:
    case MS_BRWS_MASTER_ANNOUNCEMENT:
        put_str(&e, &in->name);
        break;
    case MS_BRWS_RESET_STATE_REQUEST:
        put_u8(&e, in->reset_type);
        break;
    }
    put_trailing(&e, &in->trailing);
    if (e.st)
        return e.st;
    if (e.w.err)
        return e.w.err;
    if (out_len)
        *out_len = e.w.pos;
    return MS_OK;
}

/* ---- fields ------------------------------------------------------------ */

typedef struct emit {
    ms_field_fn fn;
    void *ctx;
} emit;

static void f_put(const emit *em, const char *key, ms_field_kind kind,
                  uint64_t u, const uint8_t *p, size_t len, const char *label)
{
    ms_field f = { key, kind, u, p, len, label };
    em->fn(em->ctx, &f);
}

static void f_uint(const emit *em, const char *key, uint64_t v)
{
    f_put(em, key, MS_F_UINT, v, NULL, 0, NULL);
}

static void f_str(const emit *em, const char *key, const char *term_key,
                  const ms_str *s)
{
    f_put(em, key, MS_F_TEXT, 0, s->p, s->len, NULL);
    if (!s->terminated)
        f_put(em, term_key, MS_F_BOOL, 0, NULL, 0, NULL);
}

/* A 16-octet name: its text, plus the raw octets when they hold more than
 * the text and its zero padding. */
static void f_name16(const emit *em, const uint8_t n[16], const char *key,
                     const char *raw_key, const char *term_key)
{
    size_t end = 0;
    while (end < 16 && n[end] != 0)
        end++;
    bool clean = end < 16;
    for (size_t i = end; i < 16; i++)
        if (n[i] != 0)
            clean = false;
    f_put(em, key, MS_F_TEXT, 0, n, end, NULL);
    if (!clean)
        f_put(em, raw_key, MS_F_HEX, 0, n, 16, NULL);
    if (end == 16)
        f_put(em, term_key, MS_F_BOOL, 0, NULL, 0, NULL);
}

/* "A|B|C" into buf from a bit table; unnamed bits as 0x........ */
typedef struct bit_name {
    uint32_t bit;
    const char *name;
} bit_name;

static const bit_name sv_type_names[] = {
    { 0x00000001, "WORKSTATION" },     { 0x00000002, "SERVER" },
    { 0x00000004, "SQLSERVER" },       { 0x00000008, "DOMAIN_CTRL" },
    { 0x00000010, "DOMAIN_BAKCTRL" },  { 0x00000020, "TIME_SOURCE" },
    { 0x00000040, "AFP" },             { 0x00000080, "NOVELL" },
    { 0x00000100, "DOMAIN_MEMBER" },   { 0x00000200, "PRINTQ_SERVER" },
    { 0x00000400, "DIALIN_SERVER" },   { 0x00000800, "SERVER_UNIX" },
    { 0x00001000, "NT" },              { 0x00002000, "WFW" },
    { 0x00004000, "SERVER_MFPN" },     { 0x00008000, "SERVER_NT" },
    { 0x00010000, "POTENTIAL_BROWSER" }, { 0x00020000, "BACKUP_BROWSER" },
    { 0x00040000, "MASTER_BROWSER" },  { 0x00080000, "DOMAIN_MASTER" },
    { 0x00400000, "WINDOWS" },         { 0x00800000, "DFS" },
    { 0x01000000, "CLUSTER_NT" },      { 0x02000000, "TERMINALSERVER" },
    { 0x04000000, "CLUSTER_VS_NT" },   { 0x10000000, "DCE" },
    { 0x20000000, "ALTERNATE_XPORT" }, { 0x40000000, "LOCAL_LIST_ONLY" },
    { 0x80000000, "DOMAIN_ENUM" },
};

static const bit_name reset_names[] = {
    { 0x01, "STOP_MASTER" },
    { 0x02, "CLEAR_ALL" },
    { 0x04, "STOP" },
};

/* "PREFIX_A|PREFIX_B|0x........" for the set bits of v, in ascending
 * order; NULL when no bit is set. */
static const char *bits_label(char *buf, size_t cap, uint32_t v,
                              const bit_name *tab, size_t n, const char *prefix)
{
    ms_strbuf b = ms_sb_make(buf, cap);
    size_t k = 0;
    /* The tables are in ascending bit order and the set bits are visited
     * in that order: one walk over the table for the whole value. */
    for (uint32_t rest = v; rest; rest &= rest - 1) {
        uint32_t bit = rest & (~rest + 1);
        while (k < n && tab[k].bit < bit)
            k++;
        if (b.len)
            ms_sb_putc(&b, '|');
        if (k < n && tab[k].bit == bit) {
            ms_sb_puts(&b, prefix);
            ms_sb_puts(&b, tab[k].name);
        } else {
            ms_sb_puts(&b, "0x");
            ms_sb_hex(&b, bit, 8);
        }
    }
    ms_sb_finish(&b);
    return b.len ? buf : NULL;
}

void ms_browser_fields(const ms_browser *b, ms_field_fn fn, void *ctx)
{
    const emit em = { fn, ctx };
    const emit *e = &em;
    char label[1024];

    f_put(e, "command", MS_F_UINT, b->opcode, NULL, 0,
          ms_browser_opcode_name(b->opcode));
    if (b->lm_format)
        f_put(e, "lm_format", MS_F_BOOL, 1, NULL, 0, NULL);

    switch (b->opcode) {
    case MS_BRWS_HOST_ANNOUNCEMENT:
    case MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT:
        f_uint(e, "update_count", b->update_count);
        if (b->lm_format) {
            f_put(e, "server_type", MS_F_UINT, b->server_type, NULL, 0,
                  bits_label(label, sizeof label, b->server_type, sv_type_names,
                             sizeof sv_type_names / sizeof sv_type_names[0],
                             "SV_TYPE_"));
            f_uint(e, "os_major", b->os_major);
            f_uint(e, "os_minor", b->os_minor);
            f_uint(e, "periodicity", b->periodicity);
            f_str(e, "server_name", "server_name_terminated", &b->name);
            f_str(e, "comment", "comment_terminated", &b->comment);
            break;
        }
        f_uint(e, "periodicity", b->periodicity);
        f_name16(e, b->server_name, "server_name", "server_name_raw",
                 "server_name_terminated");
        f_uint(e, "os_major", b->os_major);
        f_uint(e, "os_minor", b->os_minor);
        f_put(e, "server_type", MS_F_UINT, b->server_type, NULL, 0,
              bits_label(label, sizeof label, b->server_type, sv_type_names,
                         sizeof sv_type_names / sizeof sv_type_names[0],
                         "SV_TYPE_"));
        f_uint(e, "browser_major", b->browser_major);
        f_uint(e, "browser_minor", b->browser_minor);
        f_uint(e, "signature", b->signature);
        f_str(e, "comment", "comment_terminated", &b->comment);
        break;
    case MS_BRWS_DOMAIN_ANNOUNCEMENT:
        f_uint(e, "update_count", b->update_count);
        f_uint(e, "periodicity", b->periodicity);
        f_name16(e, b->server_name, "machine_group", "machine_group_raw",
                 "machine_group_terminated");
        f_uint(e, "browser_config_major", b->os_major);
        f_uint(e, "browser_config_minor", b->os_minor);
        f_put(e, "server_type", MS_F_UINT, b->server_type, NULL, 0,
              bits_label(label, sizeof label, b->server_type, sv_type_names,
                         sizeof sv_type_names / sizeof sv_type_names[0],
                         "SV_TYPE_"));
        f_uint(e, "browser_major", b->browser_major);
        f_uint(e, "browser_minor", b->browser_minor);
        f_uint(e, "signature", b->signature);
        f_str(e, "local_master_name", "local_master_name_terminated",
              &b->comment);
        break;
    case MS_BRWS_ANNOUNCEMENT_REQUEST:
        f_uint(e, "reserved", b->update_count);
        if (b->samba_form)
            f_put(e, "samba_form", MS_F_BOOL, 1, NULL, 0, NULL);
        f_str(e, "name", "name_terminated", &b->name);
        break;
    case MS_BRWS_REQUEST_ELECTION:
        f_uint(e, "version", b->version);
        f_uint(e, "criteria", b->criteria);
        f_uint(e, "uptime", b->uptime);
        f_uint(e, "unused", b->unused);
        f_str(e, "name", "name_terminated", &b->name);
        break;
    case MS_BRWS_GET_BACKUP_LIST_REQUEST:
        f_uint(e, "count", b->count);
        f_uint(e, "token", b->token);
        break;
    case MS_BRWS_GET_BACKUP_LIST_RESPONSE: {
        f_uint(e, "count", b->count);
        f_uint(e, "token", b->token);
        size_t n = b->name_count < MS_BRWS_MAX_BACKUP_NAMES
                       ? b->name_count
                       : MS_BRWS_MAX_BACKUP_NAMES;
        f_put(e, "names", MS_F_BEGIN_LIST, 0, NULL, 0, NULL);
        for (size_t i = 0; i < n; i++)
            f_put(e, NULL, MS_F_TEXT, 0, b->names[i].p, b->names[i].len, NULL);
        f_put(e, NULL, MS_F_END, 0, NULL, 0, NULL);
        if (n && !b->names[n - 1].terminated)
            f_put(e, "names_terminated", MS_F_BOOL, 0, NULL, 0, NULL);
        break;
    }
    case MS_BRWS_BECOME_BACKUP:
    case MS_BRWS_MASTER_ANNOUNCEMENT:
        f_str(e, "name", "name_terminated", &b->name);
        break;
    case MS_BRWS_RESET_STATE_REQUEST:
        f_put(e, "reset_type", MS_F_UINT, b->reset_type, NULL, 0,
              bits_label(label, sizeof label, b->reset_type, reset_names,
                         sizeof reset_names / sizeof reset_names[0],
                         "RESET_STATE_"));
        break;
    }
    if (b->trailing.len)
        f_put(e, "trailing", MS_F_HEX, 0, b->trailing.p, b->trailing.len, NULL);
}

/* ---- summary ----------------------------------------------------------- */

/* Wire text on one line: printable ASCII as is, the rest as \xNN. */
static void s_text(ms_strbuf *s, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t ch = p[i];
        if (ch >= 0x20 && ch < 0x7F && ch != '\\') {
            ms_sb_putc(s, (char)ch);
        } else {
            ms_sb_putc(s, '\\');
            ms_sb_putc(s, 'x');
            ms_sb_hex2(s, ch);
        }
    }
}

static void s_name16(ms_strbuf *s, const uint8_t n[16])
{
    size_t end = 0;
    while (end < 16 && n[end] != 0)
        end++;
    s_text(s, n, end);
}

size_t ms_browser_summary(const ms_browser *b, char *out, size_t cap)
{
    ms_strbuf s = ms_sb_make(out, cap);
    const char *name = ms_browser_opcode_name(b->opcode);
    if (name)
        ms_sb_puts(&s, name);
    else {
        ms_sb_puts(&s, "opcode 0x");
        ms_sb_hex(&s, b->opcode, 2);
    }

    switch (b->opcode) {
    case MS_BRWS_HOST_ANNOUNCEMENT:
    case MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT:
        ms_sb_putc(&s, ' ');
        if (b->lm_format) {
            ms_sb_puts(&s, "(LM) ");
            s_text(&s, b->name.p, b->name.len);
        } else {
            s_name16(&s, b->server_name);
        }
        ms_sb_puts(&s, " os ");
        ms_sb_dec(&s, b->os_major);
        ms_sb_putc(&s, '.');
        ms_sb_dec(&s, b->os_minor);
        if (b->server_type == 0)
            ms_sb_puts(&s, " (going away)");
        break;
    case MS_BRWS_DOMAIN_ANNOUNCEMENT:
        ms_sb_putc(&s, ' ');
        s_name16(&s, b->server_name);
        ms_sb_puts(&s, " master ");
        s_text(&s, b->comment.p, b->comment.len);
        break;
    case MS_BRWS_ANNOUNCEMENT_REQUEST:
    case MS_BRWS_BECOME_BACKUP:
    case MS_BRWS_MASTER_ANNOUNCEMENT:
        ms_sb_putc(&s, ' ');
        s_text(&s, b->name.p, b->name.len);
        break;
    case MS_BRWS_REQUEST_ELECTION:
        ms_sb_putc(&s, ' ');
        s_text(&s, b->name.p, b->name.len);
        ms_sb_puts(&s, " criteria 0x");
        ms_sb_hex(&s, b->criteria, 8);
        ms_sb_puts(&s, " uptime ");
        ms_sb_dec(&s, b->uptime);
        break;
    case MS_BRWS_GET_BACKUP_LIST_REQUEST:
    case MS_BRWS_GET_BACKUP_LIST_RESPONSE:
        ms_sb_puts(&s, " count ");
        ms_sb_dec(&s, b->count);
        ms_sb_puts(&s, " token ");
        ms_sb_dec(&s, b->token);
        for (size_t i = 0; i < b->name_count && i < MS_BRWS_MAX_BACKUP_NAMES; i++) {
            ms_sb_putc(&s, ' ');
            s_text(&s, b->names[i].p, b->names[i].len);
        }
        break;
    case MS_BRWS_RESET_STATE_REQUEST:
        ms_sb_puts(&s, " type 0x");
        ms_sb_hex(&s, b->reset_type, 2);
        break;
    }
    return ms_sb_finish(&s);
}
