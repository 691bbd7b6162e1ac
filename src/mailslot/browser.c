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

/* Each reader below takes the octets after the opcode; a failure is the
 * cursor's error, at the start of the field that did not fit. `lanman`
 * (the frame came on \MAILSLOT\LANMAN) matters to 0x01 only. */

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
static void dec_host(ms_rcur *c, ms_browser *b, bool lanman)
{
    (void)lanman;
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

/* The §6.1 heuristic: an MS-BRWS announcement has 55 AA at offset 30. */
static bool brws_signature(const uint8_t *data, size_t len)
{
    ms_rcur c = ms_rcur_make(data, len);
    if (len < HOST_FIXED + 1)
        return false;
    ms_rcur_take(&c, 30);
    return ms_rcur_le16(&c) == 0xAA55;
}

/* 0x01: LANMAN carries the LM 2.x layout under the same opcode (§8.4). */
static void dec_host_announcement(ms_rcur *c, ms_browser *b, bool lanman)
{
    if (lanman && !brws_signature(c->buf, c->len))
        dec_lm(c, b);
    else
        dec_host(c, b, lanman);
}

/* AnnouncementRequest 0x02 ([MS-BRWS] 2.2.2): opcode, Reserved,
 * ResponseName NUL. Samba nmbd instead sends opcode, token, 0x00, name with
 * no NUL; recognised when octet 2 is 0x00 and a NUL-free name follows (the
 * standard reading would leave that name as unexplained trailing octets). */
static void dec_ann_request(ms_rcur *c, ms_browser *b, bool lanman)
{
    (void)lanman;
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
static void dec_election(ms_rcur *c, ms_browser *b, bool lanman)
{
    (void)lanman;
    b->version = ms_rcur_u8(c);
    b->criteria = ms_rcur_le32(c);
    b->uptime = ms_rcur_le32(c);
    b->unused = ms_rcur_le32(c);
    if (c->err)
        return;
    b->name = take_str(c);
}

/* GetBackupListRequest 0x09 ([MS-BRWS] 2.2.4): opcode, RequestedCount,
 * Token u32. */
static void dec_backup_request(ms_rcur *c, ms_browser *b, bool lanman)
{
    (void)lanman;
    b->count = ms_rcur_u8(c);
    b->token = ms_rcur_le32(c);
}

/* GetBackupListResponse 0x0A ([MS-BRWS] 2.2.5): opcode, BackupServerCount,
 * Token u32, names. The count is not trusted: every name present up to the
 * end of the data is decoded, so a count that disagrees stays visible. */
static void dec_backup_list(ms_rcur *c, ms_browser *b, bool lanman)
{
    dec_backup_request(c, b, lanman);
    while (!c->err && ms_rcur_left(c) > 0) {
        if (b->name_count == MS_BRWS_MAX_BACKUP_NAMES) {
            c->err = MS_ERR_TOO_MANY; /* at the first name that has no room */
            return;
        }
        b->names[b->name_count++] = take_str(c);
    }
}

/* BecomeBackup 0x0B, MasterAnnouncement 0x0D ([MS-BRWS] 2.2.6, 2.2.8):
 * opcode, one name. */
static void dec_name(ms_rcur *c, ms_browser *b, bool lanman)
{
    (void)lanman;
    b->name = take_str(c);
}

/* ResetStateRequest 0x0E ([MS-BRWS] 2.2.9): opcode, Type. */
static void dec_reset(ms_rcur *c, ms_browser *b, bool lanman)
{
    (void)lanman;
    b->reset_type = ms_rcur_u8(c);
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

/* Each writer below is the mirror of the reader above it. */

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

static void enc_host_announcement(enc *e, const ms_browser *b)
{
    if (b->lm_format)
        enc_lm(e, b);
    else
        enc_host(e, b);
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

static void enc_election(enc *e, const ms_browser *b)
{
    put_u8(e, b->version);
    ms_wcur_le32(&e->w, b->criteria);
    ms_wcur_le32(&e->w, b->uptime);
    ms_wcur_le32(&e->w, b->unused);
    put_str(e, &b->name);
}

static void enc_backup_request(enc *e, const ms_browser *b)
{
    put_u8(e, b->count);
    ms_wcur_le32(&e->w, b->token);
}

static void enc_backup_list(enc *e, const ms_browser *b)
{
    enc_backup_request(e, b);
    for (size_t i = 0; i < b->name_count; i++) {
        /* An empty unterminated entry writes nothing and would vanish. */
        if (!e->st && !b->names[i].terminated && b->names[i].len == 0)
            e->st = MS_ERR_INVALID_ARG;
        put_str(e, &b->names[i]);
    }
}

static void enc_name(enc *e, const ms_browser *b)
{
    put_str(e, &b->name);
}

static void enc_reset(enc *e, const ms_browser *b)
{
    put_u8(e, b->reset_type);
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

/* Octets of a 16-octet name before its first NUL (16 when it has none). */
static size_t name16_len(const uint8_t n[16])
{
    size_t end = 0;
    while (end < 16 && n[end] != 0)
        end++;
    return end;
}

/* A 16-octet name: its text, plus the raw octets when they hold more than
 * the text and its zero padding. */
static void f_name16(const emit *em, const uint8_t n[16], const char *key,
                     const char *raw_key, const char *term_key)
{
    size_t end = name16_len(n);
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

static void f_server_type(const emit *e, uint32_t v)
{
    char label[1024];
    f_put(e, "server_type", MS_F_UINT, v, NULL, 0,
          bits_label(label, sizeof label, v, sv_type_names,
                     sizeof sv_type_names / sizeof sv_type_names[0], "SV_TYPE_"));
}

/* The keys of the 0x01/0x0F/0x0C layout: the same octets under the
 * names each opcode gives them. */
typedef struct host_keys {
    const char *name, *name_raw, *name_terminated;
    const char *os_major, *os_minor;
    const char *comment, *comment_terminated;
} host_keys;

static const host_keys announcement_keys = {
    "server_name", "server_name_raw", "server_name_terminated", "os_major", "os_minor",
    "comment", "comment_terminated",
};

static const host_keys domain_keys = {
    "machine_group", "machine_group_raw", "machine_group_terminated",
    "browser_config_major", "browser_config_minor",
    "local_master_name", "local_master_name_terminated",
};

static void f_host_layout(const emit *e, const ms_browser *b, const host_keys *k)
{
    f_uint(e, "update_count", b->update_count);
    f_uint(e, "periodicity", b->periodicity);
    f_name16(e, b->server_name, k->name, k->name_raw, k->name_terminated);
    f_uint(e, k->os_major, b->os_major);
    f_uint(e, k->os_minor, b->os_minor);
    f_server_type(e, b->server_type);
    f_uint(e, "browser_major", b->browser_major);
    f_uint(e, "browser_minor", b->browser_minor);
    f_uint(e, "signature", b->signature);
    f_str(e, k->comment, k->comment_terminated, &b->comment);
}

/* 0x01, 0x0F: the MS-BRWS layout or, for 0x01, the LM 2.x one. */
static void f_host(const emit *e, const ms_browser *b)
{
    if (!b->lm_format) {
        f_host_layout(e, b, &announcement_keys);
        return;
    }
    f_uint(e, "update_count", b->update_count);
    f_server_type(e, b->server_type);
    f_uint(e, "os_major", b->os_major);
    f_uint(e, "os_minor", b->os_minor);
    f_uint(e, "periodicity", b->periodicity);
    f_str(e, "server_name", "server_name_terminated", &b->name);
    f_str(e, "comment", "comment_terminated", &b->comment);
}

static void f_domain(const emit *e, const ms_browser *b)
{
    f_host_layout(e, b, &domain_keys);
}

static void f_ann_request(const emit *e, const ms_browser *b)
{
    f_uint(e, "reserved", b->update_count);
    if (b->samba_form)
        f_put(e, "samba_form", MS_F_BOOL, 1, NULL, 0, NULL);
    f_str(e, "name", "name_terminated", &b->name);
}

static void f_election(const emit *e, const ms_browser *b)
{
    f_uint(e, "version", b->version);
    f_uint(e, "criteria", b->criteria);
    f_uint(e, "uptime", b->uptime);
    f_uint(e, "unused", b->unused);
    f_str(e, "name", "name_terminated", &b->name);
}

static void f_backup_request(const emit *e, const ms_browser *b)
{
    f_uint(e, "count", b->count);
    f_uint(e, "token", b->token);
}

static void f_backup_list(const emit *e, const ms_browser *b)
{
    f_backup_request(e, b);
    size_t n = b->name_count < MS_BRWS_MAX_BACKUP_NAMES ? b->name_count
                                                        : MS_BRWS_MAX_BACKUP_NAMES;
    f_put(e, "names", MS_F_BEGIN_LIST, 0, NULL, 0, NULL);
    for (size_t i = 0; i < n; i++)
        f_put(e, NULL, MS_F_TEXT, 0, b->names[i].p, b->names[i].len, NULL);
    f_put(e, NULL, MS_F_END, 0, NULL, 0, NULL);
    if (n && !b->names[n - 1].terminated)
        f_put(e, "names_terminated", MS_F_BOOL, 0, NULL, 0, NULL);
}

static void f_name(const emit *e, const ms_browser *b)
{
    f_str(e, "name", "name_terminated", &b->name);
}

static void f_reset(const emit *e, const ms_browser *b)
{
    char label[1024];
    f_put(e, "reset_type", MS_F_UINT, b->reset_type, NULL, 0,
          bits_label(label, sizeof label, b->reset_type, reset_names,
                     sizeof reset_names / sizeof reset_names[0], "RESET_STATE_"));
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

/* Each one continues "<opcode name>". */

static void s_host(ms_strbuf *s, const ms_browser *b)
{
    ms_sb_putc(s, ' ');
    if (b->lm_format) {
        ms_sb_puts(s, "(LM) ");
        s_text(s, b->name.p, b->name.len);
    } else {
        s_text(s, b->server_name, name16_len(b->server_name));
    }
    ms_sb_puts(s, " os ");
    ms_sb_dec(s, b->os_major);
    ms_sb_putc(s, '.');
    ms_sb_dec(s, b->os_minor);
    if (b->server_type == 0)
        ms_sb_puts(s, " (going away)");
}

static void s_domain(ms_strbuf *s, const ms_browser *b)
{
    ms_sb_putc(s, ' ');
    s_text(s, b->server_name, name16_len(b->server_name));
    ms_sb_puts(s, " master ");
    s_text(s, b->comment.p, b->comment.len);
}

static void s_name(ms_strbuf *s, const ms_browser *b)
{
    if (!b->name.len) /* an empty name: no trailing blank */
        return;
    ms_sb_putc(s, ' ');
    s_text(s, b->name.p, b->name.len);
}

static void s_election(ms_strbuf *s, const ms_browser *b)
{
    s_name(s, b);
    ms_sb_puts(s, " criteria 0x");
    ms_sb_hex(s, b->criteria, 8);
    ms_sb_puts(s, " uptime ");
    ms_sb_dec(s, b->uptime);
}

/* 0x09 and 0x0A (a request has no names). */
static void s_backup(ms_strbuf *s, const ms_browser *b)
{
    ms_sb_puts(s, " count ");
    ms_sb_dec(s, b->count);
    ms_sb_puts(s, " token ");
    ms_sb_dec(s, b->token);
    for (size_t i = 0; i < b->name_count && i < MS_BRWS_MAX_BACKUP_NAMES; i++) {
        ms_sb_putc(s, ' ');
        s_text(s, b->names[i].p, b->names[i].len);
    }
}

static void s_reset(ms_strbuf *s, const ms_browser *b)
{
    ms_sb_puts(s, " type 0x");
    ms_sb_hex(s, b->reset_type, 2);
}

/* ---- one row per opcode ------------------------------------------------ */

/* Everything that depends on the opcode: its name, how the octets after it
 * are read and written, and how the result is shown. Undefined opcodes
 * have no row. */
typedef struct layout {
    const char *name;
    void (*dec)(ms_rcur *c, ms_browser *b, bool lanman);
    void (*enc)(enc *e, const ms_browser *b);
    void (*fields)(const emit *e, const ms_browser *b);
    void (*summary)(ms_strbuf *s, const ms_browser *b);
} layout;

static const layout layouts[16] = {
    [MS_BRWS_HOST_ANNOUNCEMENT] = { "HostAnnouncement", dec_host_announcement,
                                    enc_host_announcement, f_host, s_host },
    [MS_BRWS_ANNOUNCEMENT_REQUEST] = { "AnnouncementRequest", dec_ann_request,
                                       enc_ann_request, f_ann_request, s_name },
    [MS_BRWS_REQUEST_ELECTION] = { "RequestElection", dec_election, enc_election,
                                   f_election, s_election },
    [MS_BRWS_GET_BACKUP_LIST_REQUEST] = { "GetBackupListRequest", dec_backup_request,
                                          enc_backup_request, f_backup_request, s_backup },
    [MS_BRWS_GET_BACKUP_LIST_RESPONSE] = { "GetBackupListResponse", dec_backup_list,
                                           enc_backup_list, f_backup_list, s_backup },
    [MS_BRWS_BECOME_BACKUP] = { "BecomeBackup", dec_name, enc_name, f_name, s_name },
    [MS_BRWS_DOMAIN_ANNOUNCEMENT] = { "DomainAnnouncement", dec_host, enc_host, f_domain,
                                      s_domain },
    [MS_BRWS_MASTER_ANNOUNCEMENT] = { "MasterAnnouncement", dec_name, enc_name, f_name,
                                      s_name },
    [MS_BRWS_RESET_STATE_REQUEST] = { "ResetStateRequest", dec_reset, enc_reset, f_reset,
                                      s_reset },
    [MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT] = { "LocalMasterAnnouncement", dec_host, enc_host,
                                            f_host, s_host },
};

static const layout *layout_of(uint8_t opcode)
{
    return opcode < 16 && layouts[opcode].name ? &layouts[opcode] : NULL;
}

const char *ms_browser_opcode_name(uint8_t opcode)
{
    const layout *l = layout_of(opcode);
    return l ? l->name : NULL;
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
    const layout *l = layout_of(out->opcode);
    if (!l)
        return MS_ERR_OPCODE;
    l->dec(&c, out, lanman);
    if (c.err) {
        /* A failed read leaves pos at the start of the field that did not fit. */
        *err_off = c.pos;
        return c.err;
    }
    take_trailing(&c, &out->trailing);
    *err_off = c.pos;
    return MS_OK;
}

ms_status ms_browser_encode(const ms_browser *in, uint8_t *buf, size_t cap,
                            size_t *out_len)
{
    if (out_len)
        *out_len = 0;
    if (!in || (!buf && cap))
        return MS_ERR_INVALID_ARG;
    const layout *l = layout_of(in->opcode);
    if (!l)
        return MS_ERR_OPCODE;
    if ((in->lm_format && in->opcode != MS_BRWS_HOST_ANNOUNCEMENT) ||
        (in->samba_form && in->opcode != MS_BRWS_ANNOUNCEMENT_REQUEST) ||
        in->name_count > MS_BRWS_MAX_BACKUP_NAMES)
        return MS_ERR_INVALID_ARG;

    enc e = { ms_wcur_make(buf, cap), false, MS_OK };
    put_u8(&e, in->opcode);
    l->enc(&e, in);
    put_trailing(&e, &in->trailing);
    if (e.st)
        return e.st;
    if (e.w.err)
        return e.w.err;
    if (out_len)
        *out_len = e.w.pos;
    return MS_OK;
}

void ms_browser_fields(const ms_browser *b, ms_field_fn fn, void *ctx)
{
    const emit em = { fn, ctx };
    const layout *l = layout_of(b->opcode);
    f_put(&em, "command", MS_F_UINT, b->opcode, NULL, 0, l ? l->name : NULL);
    if (b->lm_format)
        f_put(&em, "lm_format", MS_F_BOOL, 1, NULL, 0, NULL);
    if (l)
        l->fields(&em, b);
    if (b->trailing.len)
        f_put(&em, "trailing", MS_F_HEX, 0, b->trailing.p, b->trailing.len, NULL);
}

size_t ms_browser_summary(const ms_browser *b, char *out, size_t cap)
{
    ms_strbuf s = ms_sb_make(out, cap);
    const layout *l = layout_of(b->opcode);
    if (l) {
        ms_sb_puts(&s, l->name);
        l->summary(&s, b);
    } else {
        ms_sb_puts(&s, "opcode 0x");
        ms_sb_hex2(&s, b->opcode);
    }
    return ms_sb_finish(&s);
}
