/* SPDX-License-Identifier: MIT */
/* decode's JSON back into an ms_message (json_frame.h): each key over the
 * default of a mailslot write, absent counts and offsets marked for the
 * encoder to compute. */
#include "json_frame.h"

#include <stdio.h>
#include <string.h>

static bool fail(jf_ctx *c, const char *fmt, const char *key)
{
    snprintf(c->err, sizeof c->err, fmt, key);
    return false;
}

/* Unsigned field at path: absent -> *present=false and value untouched. */
static bool get_uint(jf_ctx *c, json_ref obj, const char *key, uint64_t max,
                     uint64_t *v, bool *present)
{
    json_ref r = json_get(c->doc, obj, key);
    *present = r >= 0;
    if (r < 0)
        return true;
    if (!json_u64(c->doc, r, v) || *v > max)
        return fail(c, "\"%s\" is not an integer in range", key);
    return true;
}

#define U(obj, key, field, max, autoflag, autobits)                        \
    do {                                                                   \
        uint64_t v_;                                                       \
        bool p_;                                                           \
        if (!get_uint(c, obj, key, max, &v_, &p_))                         \
            return false;                                                  \
        if (p_)                                                            \
            (field) = (__typeof__(field))v_;                               \
        else                                                               \
            (autobits) |= (autoflag);                                      \
    } while (0)

/* Byte field from a hex (or, with latin1, text) string into the arena. */
static bool get_bytes(jf_ctx *c, json_ref obj, const char *key, bool latin1,
                      const uint8_t **p, size_t *len, bool *present)
{
    json_ref r = json_get(c->doc, obj, key);
    *present = r >= 0;
    if (r < 0)
        return true;
    jf_arena *a = c->ar;
    size_t n;
    uint8_t *dst = a->buf + a->used;
    bool ok = latin1 ? json_str_latin1(c->doc, r, dst, a->cap - a->used, &n)
                     : json_hex(c->doc, r, dst, a->cap - a->used, &n);
    if (!ok)
        return fail(c, latin1 ? "\"%s\" is not a string of octets (code points <= U+00FF)"
                              : "\"%s\" is not a hex string",
                    key);
    a->used += n;
    *p = dst;
    *len = n;
    return true;
}

static bool get_name(jf_ctx *c, json_ref obj, const char *key, const char *raw_key,
                     ms_nb_name *n, bool required)
{
    const uint8_t *p;
    size_t len;
    bool present;
    if (!get_bytes(c, obj, raw_key, false, &p, &len, &present))
        return false;
    if (present) {
        size_t used;
        if (len > MS_NB_WIRE_MAX)
            return fail(c, "\"%s\" is longer than 255 octets", raw_key);
        /* Raw octets are written as given; decode only for the view. */
        if (ms_nb_name_decode(p, len, n, &used) != MS_OK || used != len) {
            memset(n, 0, sizeof *n);
        }
        memcpy(n->wire, p, len);
        n->wire_len = len;
        return true;
    }
    json_ref r = json_get(c->doc, obj, key);
    if (r < 0) {
        if (required)
            return fail(c, "\"%s\" is missing", key);
        return true;
    }
    size_t tl;
    const char *text = json_str(c->doc, r, &tl);
    char with_suffix[MS_NB_WIRE_MAX + 8];
    if (text && !memchr(text, '<', tl) && tl + 4 < sizeof with_suffix) {
        /* "A" is A<00>, as send --name A reads it. */
        memcpy(with_suffix, text, tl);
        memcpy(with_suffix + tl, "<00>", 4);
        text = with_suffix;
        tl += 4;
    }
    if (!text || ms_nb_name_parse(n, text, tl) != MS_OK)
        return fail(c, "\"%s\" is not a NetBIOS name like NAME<1d> or NAME<00>.scope", key);
    return true;
}

/* A byte field of exactly n octets at dst; absent: dst untouched. */
static bool get_fixed(jf_ctx *c, json_ref obj, const char *key, const char *path, uint8_t *dst,
                      size_t n)
{
    const uint8_t *p;
    size_t len;
    bool present;
    if (!get_bytes(c, obj, key, false, &p, &len, &present))
        return false;
    if (present) {
        if (len != n) {
            snprintf(c->err, sizeof c->err, "\"%s\" must be %zu octets", path, n);
            return false;
        }
        memcpy(dst, p, n);
    }
    return true;
}

/* The SMB header: "smb" over a Transaction's defaults. */
static bool build_smb_header(jf_ctx *c, json_ref smb, ms_smb_header *h)
{
    unsigned dummy = 0;
    memset(h, 0, sizeof *h);
    memcpy(h->protocol, "\xffSMB", 4);
    if (!get_fixed(c, smb, "protocol", "smb.protocol", h->protocol, 4))
        return false;
    h->command = MS_SMB_COM_TRANSACTION;
    U(smb, "command", h->command, 0xFF, 0, dummy);
    U(smb, "status", h->status, 0xFFFFFFFFu, 0, dummy);
    U(smb, "flags", h->flags, 0xFF, 0, dummy);
    U(smb, "flags2", h->flags2, 0xFFFF, 0, dummy);
    U(smb, "pid_high", h->pid_high, 0xFFFF, 0, dummy);
    if (!get_fixed(c, smb, "security", "smb.security", h->security, 8))
        return false;
    U(smb, "reserved", h->reserved, 0xFFFF, 0, dummy);
    U(smb, "tid", h->tid, 0xFFFF, 0, dummy);
    U(smb, "pid_low", h->pid_low, 0xFFFF, 0, dummy);
    U(smb, "uid", h->uid, 0xFFFF, 0, dummy);
    U(smb, "mid", h->mid, 0xFFFF, 0, dummy);
    return true;
}

/* The Transaction's words from "trans"; absent counts and offsets are
 * marked to be computed. */
static bool build_trans_words(jf_ctx *c, json_ref tr, ms_trans *t)
{
    unsigned dummy = 0;
    unsigned *a = &t->auto_fields;
    U(tr, "word_count", t->word_count, 0xFF, MS_TRANS_AUTO_WORD_COUNT, *a);
    U(tr, "total_param_count", t->total_param_count, 0xFFFF, 0, dummy);
    U(tr, "total_data_count", t->total_data_count, 0xFFFF, MS_TRANS_AUTO_TOTAL_DATA, *a);
    U(tr, "max_param_count", t->max_param_count, 0xFFFF, 0, dummy);
    U(tr, "max_data_count", t->max_data_count, 0xFFFF, 0, dummy);
    U(tr, "max_setup_count", t->max_setup_count, 0xFF, 0, dummy);
    U(tr, "reserved1", t->reserved1, 0xFF, 0, dummy);
    U(tr, "flags", t->flags, 0xFFFF, 0, dummy);
    U(tr, "timeout", t->timeout, 0xFFFFFFFFu, 0, dummy);
    U(tr, "reserved2", t->reserved2, 0xFFFF, 0, dummy);
    U(tr, "param_count", t->param_count, 0xFFFF, 0, dummy);
    U(tr, "param_offset", t->param_offset, 0xFFFF, 0, dummy);
    U(tr, "data_count", t->data_count, 0xFFFF, MS_TRANS_AUTO_DATA_COUNT, *a);
    U(tr, "data_offset", t->data_offset, 0xFFFF, MS_TRANS_AUTO_DATA_OFFSET, *a);
    U(tr, "setup_count", t->setup_count, 0xFF, MS_TRANS_AUTO_SETUP_COUNT, *a);
    U(tr, "reserved3", t->reserved3, 0xFF, 0, dummy);
    U(tr, "byte_count", t->byte_count, 0xFFFF, MS_TRANS_AUTO_BYTE_COUNT, *a);
    return true;
}

/* Setup words: trans.setup, else a mailslot write (1, 0, 2); the
 * mailslot object's opcode/priority/class override words 0..2. */
static bool build_setup(jf_ctx *c, json_ref tr, json_ref ms, ms_trans *t)
{
    const json_doc *d = c->doc;
    json_ref sl = json_get(d, tr, "setup");
    if (sl >= 0) {
        if (json_type(d, sl) != JSON_ARRAY || json_len(d, sl) > MS_TRANS_MAX_SETUP)
            return fail(c, "\"%s\" must be a list of at most 241 words", "trans.setup");
        t->setup_words = json_len(d, sl);
        for (size_t i = 0; i < t->setup_words; i++) {
            uint64_t v;
            if (!json_u64(d, json_at(d, sl, i), &v) || v > 0xFFFF)
                return fail(c, "\"%s\" holds a value that is not a 16-bit word", "trans.setup");
            t->setup[i] = (uint16_t)v;
        }
    } else {
        t->setup_words = 3;
        t->setup[0] = 1;
        t->setup[2] = 2;
    }
    static const char *const sk[3] = { "opcode", "priority", "class" };
    for (size_t i = 0; i < 3; i++) {
        uint64_t v;
        bool present;
        if (!get_uint(c, ms, sk[i], 0xFFFF, &v, &present))
            return false;
        if (present) {
            t->setup[i] = (uint16_t)v;
            if (t->setup_words < i + 1)
                t->setup_words = i + 1;
        }
    }
    return true;
}

/* A true/false key, true when absent. */
static bool get_flag(jf_ctx *c, json_ref obj, const char *key, const char *path, bool *v)
{
    *v = true;
    json_ref r = json_get(c->doc, obj, key);
    if (r >= 0 && !json_bool(c->doc, r, v))
        return fail(c, "\"%s\" must be true or false", path);
    return true;
}

/* The Transaction's bytes: the mailslot name, padding, data, trailing
 * octets, and where the data sits. */
static bool build_trans_bytes(jf_ctx *c, json_ref tr, json_ref ms, ms_trans *t)
{
    bool present, term, located;
    if (!get_bytes(c, ms, "name", true, &t->name.p, &t->name.len, &present))
        return false;
    if (!present)
        return fail(c, "\"%s\" is missing", "mailslot.name");
    if (!get_flag(c, tr, "name_terminated", "trans.name_terminated", &term))
        return false;
    t->name.terminated = term;
    if (!get_flag(c, tr, "data_located", "trans.data_located", &located))
        return false;
    t->data_located = located;
    if (!get_bytes(c, tr, "pad", false, &t->pad.p, &t->pad.len, &present))
        return false;
    if (!present && located && !(t->auto_fields & MS_TRANS_AUTO_DATA_OFFSET))
        t->auto_fields |= MS_TRANS_AUTO_PAD_TO_OFFSET;
    return get_bytes(c, ms, "data", false, &t->data.p, &t->data.len, &present) &&
           get_bytes(c, tr, "trailing", false, &t->trailing.p, &t->trailing.len, &present);
}

static bool build_trans(jf_ctx *c, json_ref root, ms_message *m)
{
    const json_doc *d = c->doc;
    json_ref tr = json_get(d, root, "trans");
    json_ref ms = json_get(d, root, "mailslot");
    memset(&m->trans, 0, sizeof m->trans);
    return build_smb_header(c, json_get(d, root, "smb"), &m->smb) &&
           build_trans_words(c, tr, &m->trans) && build_setup(c, tr, ms, &m->trans) &&
           build_trans_bytes(c, tr, ms, &m->trans);
}

/* "a.b.c.d" (s may be NULL: not a string) into *ip. */
bool jf_parse_ipv4(const char *s, uint32_t *ip)
{
    unsigned a, b, c, e;
    char tail;
    if (!s || sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &e, &tail) != 4 || a > 255 || b > 255 ||
        c > 255 || e > 255)
        return false;
    *ip = a << 24 | b << 16 | c << 8 | e;
    return true;
}

bool jf_build_message(jf_ctx *c, json_ref root, ms_message *m)
{
    const json_doc *d = c->doc;
    json_ref nb = json_get(d, root, "nbdgm");
    if (nb < 0 || json_type(d, nb) != JSON_OBJECT)
        return fail(c, "no \"%s\" object and no \"payload\"", "nbdgm");
    memset(&m->dgram, 0, sizeof m->dgram);
    ms_dgram *g = &m->dgram;
    unsigned dummy = 0;
    uint64_t v;
    bool present;
    if (!get_uint(c, nb, "type", 0xFF, &v, &present))
        return false;
    if (!present)
        return fail(c, "\"%s\" is missing", "nbdgm.type");
    g->type = (uint8_t)v;
    g->flags = 0x02;
    g->src_port = 138;
    U(nb, "flags", g->flags, 0xFF, 0, dummy);
    U(nb, "id", g->id, 0xFFFF, 0, dummy);
    U(nb, "src_port", g->src_port, 0xFFFF, 0, dummy);
    U(nb, "length", g->dgm_length, 0xFFFF, MS_DGRAM_AUTO_LENGTH, g->auto_fields);
    U(nb, "offset", g->packet_offset, 0xFFFF, 0, dummy);
    U(nb, "error_code", g->error_code, 0xFF, 0, dummy);
    json_ref sip = json_get(d, nb, "src_ip");
    if (sip >= 0 && !jf_parse_ipv4(json_str(d, sip, NULL), &g->src_ip))
        return fail(c, "\"%s\" is not an IPv4 address", "nbdgm.src_ip");
    bool has_data = ms_dgram_has_data(g->type);
    bool has_dst = has_data || (g->type >= MS_NBDS_QUERY_REQUEST && g->type <= MS_NBDS_NEGATIVE_QUERY_RESPONSE);
    if (has_data && !get_name(c, nb, "src_name", "src_name_raw", &g->src, true))
        return false;
    if (has_dst && !get_name(c, nb, "dst_name", "dst_name_raw", &g->dst, true))
        return false;
    if (!get_bytes(c, nb, "trailing", false, &g->trailing.p, &g->trailing.len, &present))
        return false;
    m->has_smb = false;
    if (has_data) {
        if (!get_bytes(c, nb, "user_data", false, &g->user_data.p, &g->user_data.len, &present))
            return false;
        if (!present && (json_get(d, root, "mailslot") >= 0 || json_get(d, root, "trans") >= 0)) {
            if (!build_trans(c, root, m))
                return false;
            m->has_smb = true;
        }
    }
    return true;
}

