/* SPDX-License-Identifier: MIT */
/* SMB1 header + SMB_COM_TRANSACTION mailslot write (PROTOCOL.md §3, §4).
 *
 * SMB offset  0  header (32)        "\xFFSMB", command 0x25, LE fields
 *            32  WordCount (1)      17 for a mailslot write
 *            33  14 fixed words + SetupCount words (opcode, priority, class)
 *            67  ByteCount (2)
 *            69  "\MAILSLOT\..." NUL, pad (0..3), data at DataOffset
 */
#include "mailslot/smb.h"

#include <stddef.h>
#include <string.h>

#include "cursor.h"

static const uint8_t smb_magic[4] = { 0xFF, 'S', 'M', 'B' };

/* The 32-octet header from one block (length checked once). */
static inline void header_from_block(const uint8_t *b, ms_smb_header *h)
{
    memcpy(h->protocol, b, 4);
    h->command = b[4];
    h->status = ms_blk_le32(b, 5);
    h->flags = b[9];
    h->flags2 = ms_blk_le16(b, 10);
    h->pid_high = ms_blk_le16(b, 12);
    memcpy(h->security, b + 14, 8);
    h->reserved = ms_blk_le16(b, 22);
    h->tid = ms_blk_le16(b, 24);
    h->pid_low = ms_blk_le16(b, 26);
    h->uid = ms_blk_le16(b, 28);
    h->mid = ms_blk_le16(b, 30);
}

/* WordCount and the 14 fixed words (29 octets) from one block. */
static inline void words_from_block(const uint8_t *b, ms_trans *t)
{
    t->word_count = b[0];
    t->total_param_count = ms_blk_le16(b, 1);
    t->total_data_count = ms_blk_le16(b, 3);
    t->max_param_count = ms_blk_le16(b, 5);
    t->max_data_count = ms_blk_le16(b, 7);
    t->max_setup_count = b[9];
    t->reserved1 = b[10];
    t->flags = ms_blk_le16(b, 11);
    t->timeout = ms_blk_le32(b, 13);
    t->reserved2 = ms_blk_le16(b, 17);
    t->param_count = ms_blk_le16(b, 19);
    t->param_offset = ms_blk_le16(b, 21);
    t->data_count = ms_blk_le16(b, 23);
    t->data_offset = ms_blk_le16(b, 25);
    t->setup_count = b[27];
    t->reserved3 = b[28];
}

/* Where each field of the two fixed blocks ends. */
static const uint8_t header_ends[] = { 4, 5, 9, 10, 12, 14, 22, 24, 26, 28, 30, 32 };
static const uint8_t words_ends[] = { 1, 3, 5, 7, 9, 10, 11, 13, 17, 19, 21, 23, 25, 27, 28, 29 };

/* A fixed block the message ends inside: `tmp` holding the whole fields
 * that are present (`ends` lists where each field ends) and zeros for the
 * rest, which is what reading it field by field would leave. The block
 * readers above take it as they take a complete block. Out of line: only
 * a message cut short comes here, and the decoder's cursor stays in
 * registers. */
__attribute__((noinline)) static const uint8_t *cut_block(ms_rcur c, uint8_t *tmp, size_t size,
                                                          const uint8_t *ends, size_t nends)
{
    size_t left = ms_rcur_left(&c), whole = 0;
    for (size_t i = 0; i < nends && ends[i] <= left; i++)
        whole = ends[i];
    memset(tmp, 0, size);
    ms_rcur_copy(&c, tmp, whole);
    return tmp;
}

/* Name, pad, data and trailing octets: bounded by the octets present, not
 * by ByteCount (which receivers may ignore). */
static ms_status decode_bytes(ms_rcur *c, size_t len, ms_trans *t, size_t *err_off)
{
    /* The name runs to the first NUL. */
    size_t name_start = c->pos;
    size_t term = ms_rcur_find_term(c, 1);
    if (term == 0) {
        t->name.len = ms_rcur_left(c);
        t->name.p = ms_rcur_take(c, t->name.len);
        t->name.terminated = false;
        *err_off = name_start;
        return MS_ERR_UNTERMINATED;
    }
    t->name.len = term - 1;
    t->name.p = ms_rcur_take(c, term);
    t->name.terminated = true;

    size_t name_end = c->pos;
    size_t doff = t->data_offset;
    if (doff < name_end || doff > len) {
        /* DataOffset points into the name or past the message: nothing is
         * lost (the octets after the name stay in `trailing`), there is just
         * no data where it says; the validator reports it. */
        t->trailing.len = ms_rcur_left(c);
        t->trailing.p = ms_rcur_take(c, t->trailing.len);
        return MS_OK;
    }
    t->data_located = true;
    t->pad.len = doff - name_end;
    t->pad.p = ms_rcur_take(c, t->pad.len);
    size_t avail = ms_rcur_left(c);
    t->data.len = t->data_count <= avail ? t->data_count : avail;
    t->data.p = ms_rcur_take(c, t->data.len);
    t->trailing.len = ms_rcur_left(c);
    t->trailing.p = ms_rcur_take(c, t->trailing.len);
    if (t->data_count > avail) {
        *err_off = len;
        return MS_ERR_DATA_RANGE;
    }
    return MS_OK;
}

/* The header, WordCount, the fixed words, the setup words and ByteCount
 * here; the rest in decode_bytes. */
ms_status ms_trans_decode(const uint8_t *smb, size_t len, ms_smb_header *hdr,
                          ms_trans *t, size_t *err_off)
{
    ms_rcur c = ms_rcur_make(smb, len);
    uint8_t tmp[32];
    memset(hdr, 0, sizeof *hdr);
    /* All but setup[3..] (480 octets, nearly all of ms_trans): the words
     * after setup_words are never read (see smb.h); [0..2] stay cleared
     * for those who test opcode, priority and class directly. */
    memset(t, 0, offsetof(ms_trans, setup) + 3 * sizeof t->setup[0]);
    memset((char *)t + offsetof(ms_trans, byte_count), 0, sizeof *t - offsetof(ms_trans, byte_count));
    *err_off = 0;

    /* Each fixed block in one length check; a message that ends inside
     * one is cut short (MS_ERR_TRUNCATED) with the fields it holds. */
    if (ms_rcur_left(&c) < 32) {
        header_from_block(cut_block(c, tmp, 32, header_ends, sizeof header_ends), hdr);
        *err_off = len;
        return MS_ERR_TRUNCATED;
    }
    header_from_block(ms_rcur_take(&c, 32), hdr);
    if (memcmp(hdr->protocol, smb_magic, 4) != 0)
        return MS_ERR_NOT_SMB;
    if (hdr->command != MS_SMB_COM_TRANSACTION) {
        *err_off = 4;
        return MS_ERR_SMB_COMMAND;
    }

    int wc = ms_rcur_peek(&c, 0);
    if (wc >= 0 && wc < 14) {
        t->word_count = (uint8_t)wc;
        *err_off = 32;
        return MS_ERR_WORD_COUNT;
    }
    if (ms_rcur_left(&c) < 29) {
        words_from_block(cut_block(c, tmp, 29, words_ends, sizeof words_ends), t);
        *err_off = len;
        return MS_ERR_TRUNCATED;
    }
    words_from_block(ms_rcur_take(&c, 29), t);
    t->setup_words = (size_t)t->word_count - 14;
    for (size_t i = 0; i < t->setup_words; i++)
        t->setup[i] = ms_rcur_le16(&c);
    t->byte_count = ms_rcur_le16(&c);
    if (c.err) {
        *err_off = len;
        return c.err;
    }
    return decode_bytes(&c, len, t, err_off);
}

ms_status ms_trans_encode(const ms_smb_header *h, const ms_trans *t,
                          uint8_t *buf, size_t cap, size_t *out_len)
{
    ms_wcur w = ms_wcur_make(buf, cap);
    *out_len = 0;
    if (t->setup_words > MS_TRANS_MAX_SETUP)
        return MS_ERR_INVALID_ARG;

    /* Lay out the octets after ByteCount first: the words before it
     * need DataOffset and the counts. */
    size_t name_end = 35 + 2 * (14 + t->setup_words) + t->name.len +
                      (t->name.terminated ? 1 : 0);
    size_t pad_len = t->pad.len;
    if (t->auto_fields & MS_TRANS_AUTO_PAD)
        pad_len = (4 - name_end % 4) % 4;
    else if (t->auto_fields & MS_TRANS_AUTO_PAD_TO_OFFSET)
        pad_len = t->data_offset > name_end ? t->data_offset - name_end : 0;
    size_t data_at = name_end + pad_len;
    size_t after_bc = t->name.len + (t->name.terminated ? 1 : 0) + pad_len +
                      t->data.len + t->trailing.len;
    if (data_at > 0xFFFF || t->data.len > 0xFFFF || after_bc > 0xFFFF)
        return MS_ERR_INVALID_ARG;

    unsigned a = t->auto_fields;
    uint8_t wc = (a & MS_TRANS_AUTO_WORD_COUNT) ? (uint8_t)(14 + t->setup_words) : t->word_count;
    uint16_t dcount = (a & MS_TRANS_AUTO_DATA_COUNT) ? (uint16_t)t->data.len : t->data_count;
    uint16_t tdc = (a & MS_TRANS_AUTO_TOTAL_DATA) ? dcount : t->total_data_count;
    uint16_t doff = (a & MS_TRANS_AUTO_DATA_OFFSET) ? (uint16_t)data_at : t->data_offset;
    uint16_t poff = (a & MS_TRANS_AUTO_PARAM_OFFSET) ? doff : t->param_offset;
    uint8_t sc = (a & MS_TRANS_AUTO_SETUP_COUNT) ? (uint8_t)t->setup_words : t->setup_count;
    uint16_t bc = (a & MS_TRANS_AUTO_BYTE_COUNT) ? (uint16_t)after_bc : t->byte_count;

    ms_wcur_bytes(&w, h->protocol, 4);
    ms_wcur_u8(&w, h->command);
    ms_wcur_le32(&w, h->status);
    ms_wcur_u8(&w, h->flags);
    ms_wcur_le16(&w, h->flags2);
    ms_wcur_le16(&w, h->pid_high);
    ms_wcur_bytes(&w, h->security, 8);
    ms_wcur_le16(&w, h->reserved);
    ms_wcur_le16(&w, h->tid);
    ms_wcur_le16(&w, h->pid_low);
    ms_wcur_le16(&w, h->uid);
    ms_wcur_le16(&w, h->mid);

    ms_wcur_u8(&w, wc);
    ms_wcur_le16(&w, t->total_param_count);
    ms_wcur_le16(&w, tdc);
    ms_wcur_le16(&w, t->max_param_count);
    ms_wcur_le16(&w, t->max_data_count);
    ms_wcur_u8(&w, t->max_setup_count);
    ms_wcur_u8(&w, t->reserved1);
    ms_wcur_le16(&w, t->flags);
    ms_wcur_le32(&w, t->timeout);
    ms_wcur_le16(&w, t->reserved2);
    ms_wcur_le16(&w, t->param_count);
    ms_wcur_le16(&w, poff);
    ms_wcur_le16(&w, dcount);
    ms_wcur_le16(&w, doff);
    ms_wcur_u8(&w, sc);
    ms_wcur_u8(&w, t->reserved3);
    for (size_t i = 0; i < t->setup_words; i++)
        ms_wcur_le16(&w, t->setup[i]);
    ms_wcur_le16(&w, bc);

    ms_wcur_bytes(&w, t->name.p, t->name.len);
    if (t->name.terminated)
        ms_wcur_u8(&w, 0);
    if (t->pad.p && !(a & (MS_TRANS_AUTO_PAD | MS_TRANS_AUTO_PAD_TO_OFFSET))) {
        ms_wcur_bytes(&w, t->pad.p, t->pad.len);
    } else {
        uint8_t *p = ms_wcur_take(&w, pad_len);
        if (p)
            memset(p, 0, pad_len);
    }
    ms_wcur_bytes(&w, t->data.p, t->data.len);
    ms_wcur_bytes(&w, t->trailing.p, t->trailing.len);
    if (w.err)
        return w.err;
    *out_len = w.pos;
    return MS_OK;
}

void ms_trans_init(ms_smb_header *hdr, ms_trans *t, ms_trans_style style,
                   const char *mailslot, const uint8_t *data, size_t len)
{
    memset(hdr, 0, sizeof *hdr);
    memset(t, 0, sizeof *t);
    memcpy(hdr->protocol, smb_magic, 4);
    hdr->command = MS_SMB_COM_TRANSACTION;
    t->setup_words = 3;
    t->setup[0] = 1; /* mailslot write */
    t->setup[2] = 2; /* class 2: unreliable, may be broadcast */
    t->name.p = (const uint8_t *)mailslot;
    t->name.len = strlen(mailslot);
    t->name.terminated = true;
    t->data.p = data;
    t->data.len = len;
    t->data_located = true;
    t->auto_fields = MS_TRANS_AUTO_WORD_COUNT | MS_TRANS_AUTO_TOTAL_DATA |
                     MS_TRANS_AUTO_DATA_COUNT | MS_TRANS_AUTO_DATA_OFFSET |
                     MS_TRANS_AUTO_SETUP_COUNT | MS_TRANS_AUTO_BYTE_COUNT;
    switch (style) {
    case MS_STYLE_BROWSER:
        t->timeout = 1000;
        t->setup[1] = 1;
        break;
    case MS_STYLE_REDIRECTOR:
        hdr->flags = 0x18;
        hdr->flags2 = 0x0004;
        hdr->pid_low = 0xFEFF;
        t->max_param_count = 2;
        t->flags = 0x0002;
        t->auto_fields |= MS_TRANS_AUTO_PARAM_OFFSET | MS_TRANS_AUTO_PAD;
        break;
    case MS_STYLE_SAMBA:
        t->setup[1] = 1;
        break;
    }
}

static void emit(ms_field_fn fn, void *ctx, const char *key, ms_field_kind k,
                 uint64_t u, const uint8_t *p, size_t len)
{
    ms_field f = { key, k, u, p, len, NULL };
    fn(ctx, &f);
}

#define EMIT_U(key, v) emit(fn, ctx, key, MS_F_UINT, (v), NULL, 0)
#define EMIT_HEX(key, p, n) emit(fn, ctx, key, MS_F_HEX, 0, (p), (n))

void ms_smb_header_fields(const ms_smb_header *h, ms_field_fn fn, void *ctx)
{
    EMIT_HEX("protocol", h->protocol, 4);
    EMIT_U("command", h->command);
    EMIT_U("status", h->status);
    EMIT_U("flags", h->flags);
    EMIT_U("flags2", h->flags2);
    EMIT_U("pid_high", h->pid_high);
    EMIT_HEX("security", h->security, 8);
    EMIT_U("reserved", h->reserved);
    EMIT_U("tid", h->tid);
    EMIT_U("pid_low", h->pid_low);
    EMIT_U("uid", h->uid);
    EMIT_U("mid", h->mid);
}

void ms_trans_fields(const ms_trans *t, ms_field_fn fn, void *ctx)
{
    EMIT_U("word_count", t->word_count);
    EMIT_U("total_param_count", t->total_param_count);
    EMIT_U("total_data_count", t->total_data_count);
    EMIT_U("max_param_count", t->max_param_count);
    EMIT_U("max_data_count", t->max_data_count);
    EMIT_U("max_setup_count", t->max_setup_count);
    EMIT_U("reserved1", t->reserved1);
    EMIT_U("flags", t->flags);
    EMIT_U("timeout", t->timeout);
    EMIT_U("reserved2", t->reserved2);
    EMIT_U("param_count", t->param_count);
    EMIT_U("param_offset", t->param_offset);
    EMIT_U("data_count", t->data_count);
    EMIT_U("data_offset", t->data_offset);
    EMIT_U("setup_count", t->setup_count);
    EMIT_U("reserved3", t->reserved3);
    /* setup[0..2] are the mailslot opcode, priority and class, shown in the
     * "mailslot" object; the list here holds every setup word. */
    emit(fn, ctx, "setup", MS_F_BEGIN_LIST, 0, NULL, 0);
    for (size_t i = 0; i < t->setup_words; i++)
        emit(fn, ctx, NULL, MS_F_UINT, t->setup[i], NULL, 0);
    emit(fn, ctx, NULL, MS_F_END, 0, NULL, 0);
    EMIT_U("byte_count", t->byte_count);
    if (!t->name.terminated)
        emit(fn, ctx, "name_terminated", MS_F_BOOL, 0, NULL, 0);
    if (t->pad.len)
        EMIT_HEX("pad", t->pad.p, t->pad.len);
    if (t->trailing.len)
        EMIT_HEX("trailing", t->trailing.p, t->trailing.len);
    if (!t->data_located)
        emit(fn, ctx, "data_located", MS_F_BOOL, 0, NULL, 0);
}
