/* SPDX-License-Identifier: MIT */
#include "battery.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"

bt_spec bt_spec_default(void)
{
    static const uint8_t data[8] = { 'L', 'A', 'B', 'D', 'A', 'T', 'A', 0 };
    bt_spec s;
    memset(&s, 0, sizeof s);
    s.type = MS_NBDS_DIRECT_UNIQUE;
    s.flags = 0x02;
    s.id = 0x4d53;
    s.src_port = 138;
    s.src_ip = 0xC0A8380A; /* 192.168.56.10 */
    s.src = "LABHOST<00>";
    s.dst = "MSLAB<00>";
    s.style = MS_STYLE_REDIRECTOR;
    s.slot = "\\MAILSLOT\\LABSLOT";
    s.data = data;
    s.dlen = sizeof data;
    s.pad = -1;
    s.priority = -1;
    return s;
}

void bt_build(const bt_spec *s, bt_frame *f)
{
    static ms_message e;
    memset(&e, 0, sizeof e);
    e.dgram.type = s->type;
    e.dgram.flags = s->flags;
    e.dgram.id = s->id;
    e.dgram.src_ip = s->src_ip;
    e.dgram.src_port = s->src_port;
    e.dgram.auto_fields = MS_DGRAM_AUTO_LENGTH;
    ck_assert_int_eq(ms_nb_name_parse(&e.dgram.src, s->src, strlen(s->src)), MS_OK);
    ck_assert_int_eq(ms_nb_name_parse(&e.dgram.dst, s->dst, strlen(s->dst)), MS_OK);
    ms_trans_init(&e.smb, &e.trans, s->style, s->slot, s->data, s->dlen);
    if (s->pad >= 0) {
        e.trans.auto_fields &= ~(MS_TRANS_AUTO_PAD | MS_TRANS_AUTO_PAD_TO_OFFSET);
        e.trans.pad.p = s->pad_bytes ? s->pad_bytes : bt_fill(3, 0, (size_t)s->pad);
        e.trans.pad.len = (size_t)s->pad;
    }
    if (s->priority >= 0)
        e.trans.setup[1] = (uint16_t)s->priority;
    e.has_smb = true;
    ck_assert_int_eq(ms_message_encode(&e, f->b, sizeof f->b, &f->len), MS_OK);
}

void bt_build_browser(bt_spec s, const ms_browser *b, bt_frame *f)
{
    static uint8_t data[BT_CAP];
    size_t n;
    ck_assert_int_eq(ms_browser_encode(b, data, sizeof data, &n), MS_OK);
    s.data = data;
    s.dlen = n;
    bt_build(&s, f);
}

void bt_build_netlogon(bt_spec s, const ms_netlogon *nl, bt_frame *f)
{
    static uint8_t data[BT_CAP];
    size_t n;
    ck_assert_int_eq(ms_netlogon_encode(nl, data, sizeof data, &n), MS_OK);
    s.data = data;
    s.dlen = n;
    bt_build(&s, f);
}

void bt_set_names(bt_frame *f, const uint8_t *src, size_t src_len, const uint8_t *dst,
                  size_t dst_len)
{
    static uint8_t smb[BT_CAP];
    /* The frame was built unscoped: its SMB part starts at 82. */
    ck_assert_uint_ge(f->len, BT_SMB);
    size_t n = f->len - BT_SMB;
    memcpy(smb, f->b + BT_SMB, n);
    ck_assert_uint_le(14 + src_len + dst_len + n, sizeof f->b);
    memcpy(f->b + 14, src, src_len);
    memcpy(f->b + 14 + src_len, dst, dst_len);
    memcpy(f->b + 14 + src_len + dst_len, smb, n);
    f->len = 14 + src_len + dst_len + n;
    bt_fix_length(f);
}

size_t bt_name_wire(uint8_t *out, const char *text)
{
    ms_nb_name n;
    ck_assert_int_eq(ms_nb_name_parse(&n, text, strlen(text)), MS_OK);
    memcpy(out, n.wire, n.wire_len);
    return n.wire_len;
}

const uint8_t *bt_fill(int slot, uint8_t fill, size_t n)
{
    static uint8_t bufs[4][BT_CAP];
    ck_assert(slot >= 0 && slot < 4 && n <= BT_CAP);
    memset(bufs[slot], fill, n);
    return bufs[slot];
}

void bt_u8(bt_frame *f, size_t off, uint8_t v)
{
    ck_assert_uint_lt(off, f->len);
    f->b[off] = v;
}

void bt_le16(bt_frame *f, size_t off, uint16_t v)
{
    ck_assert_uint_le(off + 2, f->len);
    f->b[off] = (uint8_t)v;
    f->b[off + 1] = (uint8_t)(v >> 8);
}

void bt_be16(bt_frame *f, size_t off, uint16_t v)
{
    ck_assert_uint_le(off + 2, f->len);
    f->b[off] = (uint8_t)(v >> 8);
    f->b[off + 1] = (uint8_t)v;
}

void bt_le32(bt_frame *f, size_t off, uint32_t v)
{
    ck_assert_uint_le(off + 4, f->len);
    for (int i = 0; i < 4; i++)
        f->b[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

void bt_fix_length(bt_frame *f)
{
    ck_assert_uint_ge(f->len, 14);
    bt_be16(f, 10, (uint16_t)(f->len - 14));
}

void bt_append(bt_frame *f, const void *p, size_t n)
{
    ck_assert_uint_le(f->len + n, sizeof f->b);
    memcpy(f->b + f->len, p, n);
    f->len += n;
}

ms_frame_info bt_info(const uint8_t *p, size_t len)
{
    ms_frame_info info;
    memset(&info, 0, sizeof info);
    if (len >= 8)
        info.ip_src = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
    info.ip_dst = 0xC0A838FF;
    info.sport = info.dport = 138;
    info.orig_len = len;
    return info;
}

static ms_message msg;
static ms_report report;
static size_t touched;

/* Read every octet and every string the walk hands out: on a guarded copy an
 * octet past the datagram faults here. */
static void touch(void *ctx, const ms_field *f)
{
    volatile uint8_t *sink = ctx;
    if (f->key)
        touched += strlen(f->key);
    if (f->label)
        touched += strlen(f->label);
    if (f->kind == MS_F_HEX || f->kind == MS_F_TEXT || f->kind == MS_F_UTF16) {
        ck_assert(f->p || f->len == 0);
        for (size_t i = 0; i < f->len; i++)
            *sink ^= f->p[i];
        touched += f->len;
    }
}

int bt_validate_as = -1;

const ms_report *bt_run_info(const uint8_t *p, size_t len, const ms_frame_info *info)
{
    ms_frame_info def = bt_info(p, len);
    const uint8_t *g = guarded_copy(p, len);
    volatile uint8_t sink = 0;
    touched = 0;
    ms_message_decode(g, len, &msg);
    ms_message_fields(&msg, touch, (void *)&sink);
    ms_report_clear(&report);
    ms_validate(g, len, &msg, info ? info : &def, &report);
    if (bt_validate_as >= 0)
        ms_validate_layout(&msg, (ms_layout)bt_validate_as, &report);
    ck_assert_uint_eq(report.dropped, 0);
    for (size_t i = 0; i < report.count; i++) {
        const ms_finding *fi = &report.items[i];
        /* A finding never points past the datagram that was sent. */
        size_t sent = info ? (info->truncated ? info->orig_len : len) : len;
        ck_assert_msg(fi->offset <= sent, "%s at offset %zu of a %zu-octet datagram", fi->rule->id,
                      fi->offset, sent);
        ck_assert(fi->field && *fi->field);
    }
    return &report;
}

const ms_report *bt_run(const bt_frame *f)
{
    return bt_run_info(f->b, f->len, NULL);
}

const ms_message *bt_msg(void)
{
    return &msg;
}

size_t bt_touched(void)
{
    return touched;
}

/* Per-rule assertion counters, in catalogue order. */
static size_t n_has[256], n_lacks[256], n_total;

static size_t rule_index(const char *file, int line, const char *id)
{
    size_t n;
    const ms_rule *all = ms_rules(&n);
    const ms_rule *r = ms_rule_find(id);
    ck_assert_msg(r != NULL, "%s:%d: no rule %s in the catalogue", file, line, id);
    ck_assert(n <= 256);
    return (size_t)(r - all);
}

void bt_dump(void)
{
    fprintf(stderr, "report (%zu findings):\n", report.count);
    for (size_t i = 0; i < report.count; i++)
        fprintf(stderr, "  %s %s @%zu: %s\n", report.items[i].rule->id, report.items[i].field,
                report.items[i].offset, report.items[i].text);
}

void bt_has_(const char *file, int line, const char *id, const char *field, long offset)
{
    size_t ix = rule_index(file, line, id);
    n_has[ix]++;
    n_total++;
    bool rule_seen = false;
    for (size_t i = 0; i < report.count; i++) {
        const ms_finding *f = &report.items[i];
        if (strcmp(f->rule->id, id) != 0)
            continue;
        rule_seen = true;
        if (field && strcmp(f->field, field) != 0)
            continue;
        if (offset >= 0 && f->offset != (size_t)offset)
            continue;
        return;
    }
    bt_dump();
    ck_abort_msg("%s:%d: expected %s%s%s @%ld — %s", file, line, id, field ? " " : "", field ? field : "",
                 offset, rule_seen ? "the rule fired, but on another field/offset" : "the rule did not fire");
}

void bt_lacks_(const char *file, int line, const char *id)
{
    size_t ix = rule_index(file, line, id);
    n_lacks[ix]++;
    n_total++;
    for (size_t i = 0; i < report.count; i++) {
        if (strcmp(report.items[i].rule->id, id) == 0) {
            bt_dump();
            ck_abort_msg("%s:%d: %s must not fire here: %s @%zu: %s", file, line, id,
                         report.items[i].field, report.items[i].offset, report.items[i].text);
        }
    }
}

void bt_clean_(const char *file, int line)
{
    n_total++;
    if (report.count) {
        bt_dump();
        ck_abort_msg("%s:%d: expected no finding, got %zu (first %s)", file, line, report.count,
                     report.items[0].rule->id);
    }
}

size_t bt_count_has(const char *id)
{
    return n_has[rule_index(__FILE__, __LINE__, id)];
}

size_t bt_count_lacks(const char *id)
{
    return n_lacks[rule_index(__FILE__, __LINE__, id)];
}

size_t bt_assertions(void)
{
    return n_total;
}

/* ---- helpers of the battery suites ------------------------------------ */

bt_frame F;

void o_raw(obuf *o, const void *p, size_t n)
{
    ck_assert_uint_le(o->n + n, sizeof o->b);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

void o_u8(obuf *o, uint8_t v)
{
    o_raw(o, &v, 1);
}

void o_le16(obuf *o, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    o_raw(o, b, 2);
}

void o_le32(obuf *o, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    o_raw(o, b, 4);
}

void o_str(obuf *o, const char *s)
{
    o_raw(o, s, strlen(s) + 1);
}

void o_u16(obuf *o, const char *s)
{
    for (; *s; s++)
        o_le16(o, (uint8_t)*s);
    o_le16(o, 0);
}

void o_fill(obuf *o, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o_u8(o, v);
}

void o_trailer(obuf *o, uint32_t nt_version)
{
    o_le32(o, nt_version);
    o_le16(o, 0xFFFF);
    o_le16(o, 0xFFFF);
}

const ms_report *run_bytes(const uint8_t *p, size_t n)
{
    return bt_run_info(p, n, NULL);
}

void build_data(bt_spec s, const char *slot, const uint8_t *data, size_t n)
{
    s.slot = slot;
    s.data = data;
    s.dlen = n;
    bt_build(&s, &F);
}

void every_prefix(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i <= n; i++)
        run_bytes(p, i);
}

size_t data_at(void)
{
    return BT_SMB + bt_msg()->trans.data_offset;
}

void base_frame(void)
{
    bt_spec s = bt_spec_default();
    bt_build(&s, &F);
}

void sized(uint8_t type, const char *slot, bool padded, size_t n)
{
    bt_spec s = bt_spec_default();
    s.type = type;
    s.style = padded ? MS_STYLE_REDIRECTOR : MS_STYLE_BROWSER;
    s.priority = 1;
    build_data(s, slot, bt_fill(0, 'x', n), n);
}

bt_spec browse(const char *dst)
{
    bt_spec s = bt_spec_default();
    s.src = "LABHOST<20>";
    s.dst = dst;
    s.type = MS_NBDS_DIRECT_GROUP;
    s.slot = "\\MAILSLOT\\BROWSE";
    return s;
}

bt_spec nl_request_spec(void)
{
    bt_spec s = bt_spec_default();
    s.dst = "MSLAB<1c>";
    return s;
}

bt_spec nl_response_spec(void)
{
    bt_spec s = bt_spec_default();
    s.src = "LABDC01<00>";
    s.dst = "LABHOST<00>";
    s.style = MS_STYLE_BROWSER;
    return s;
}

void nl_frame(bt_spec s, const char *slot, const obuf *o)
{
    build_data(s, slot, o->b, o->n);
}

ms_str cstr(const char *s, bool terminated)
{
    ms_str r = { (const uint8_t *)s, strlen(s), terminated };
    return r;
}

void cve_frame(void)
{
    bt_run(&F);
    ck_assert_uint_gt(bt_touched(), 0);
    bt_frame copy = F;
    every_prefix(copy.b, copy.len);
    bt_run(&copy);
}

/* ---- the suites and the rule families they cover ---------------------- */

/* Every family of the catalogue but F- (the reassembler's, covered by the
 * fragment tests of the CLI) is broken and passed by exactly one suite. */
const bt_owner bt_owners[] = {
    { "check_nbds", "N", 16 },
    { "check_smb", "STDX", 4 + 13 + 13 + 4 },
    { "check_browser", "B", 14 },
    { "check_netlogon", "L", 11 },
    { "validate", "PZ", 3 + 2 },
};
const size_t bt_nowners = sizeof bt_owners / sizeof bt_owners[0];

void bt_coverage(const char *suite)
{
    if (getenv("CK_RUN_CASE") || getenv("CK_RUN_SUITE") || getenv("CK_INCLUDE_TAGS") ||
        getenv("CK_EXCLUDE_TAGS"))
        return; /* a partial run cannot judge coverage */
    const bt_owner *o = NULL;
    for (size_t i = 0; i < bt_nowners; i++)
        if (strcmp(bt_owners[i].suite, suite) == 0)
            o = &bt_owners[i];
    ck_assert_msg(o != NULL, "suite %s covers no rule family", suite);
    size_t n;
    const ms_rule *r = ms_rules(&n);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strchr(o->families, r[i].id[0]))
            continue;
        ck_assert_msg(bt_count_has(r[i].id) > 0, "no battery frame breaks %s", r[i].id);
        ck_assert_msg(bt_count_lacks(r[i].id) > 0, "no battery frame just passes %s", r[i].id);
        checked++;
    }
    ck_assert_uint_eq(checked, o->rules);
    fprintf(stderr, "%s: %zu rules covered, %zu assertions on reports\n", suite, checked,
            bt_assertions());
}
