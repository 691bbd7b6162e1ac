/* SPDX-License-Identifier: MIT */
/* The mailslotd control protocol (include/codec/mailslot/control.h): a
 * fixed header and type-length-value attributes. Pure. */
#include "mailslot/control.h"

#include <string.h>

#include "cursor.h"

typedef enum kind { K_U8, K_U16, K_U32, K_U64, K_OCTETS } kind;

/* Each known attribute: its value's kind and where it lives in the
 * message (an offset into ms_ctl_msg). */
typedef struct attr_desc {
    kind k;
    size_t off;
} attr_desc;

#define AT(k, field) { k, offsetof(ms_ctl_msg, field) }
static const attr_desc ATTRS[MS_CTL_A_LAST + 1] = {
    [MS_CTL_A_VERSION] = AT(K_U16, version),
    [MS_CTL_A_STATUS] = AT(K_U32, status),
    [MS_CTL_A_TEXT] = AT(K_OCTETS, text),
    [MS_CTL_A_SLOT] = AT(K_OCTETS, slot),
    [MS_CTL_A_MODE] = AT(K_U8, mode),
    [MS_CTL_A_QUEUE_MAX] = AT(K_U32, queue_max),
    [MS_CTL_A_DATAGRAM] = AT(K_OCTETS, datagram),
    [MS_CTL_A_SRC_IP] = AT(K_U32, src_ip),
    [MS_CTL_A_SRC_PORT] = AT(K_U16, src_port),
    [MS_CTL_A_DST_IP] = AT(K_U32, dst_ip),
    [MS_CTL_A_DST_PORT] = AT(K_U16, dst_port),
    [MS_CTL_A_TIME_NS] = AT(K_U64, time_ns),
    [MS_CTL_A_IFINDEX] = AT(K_U32, ifindex),
    [MS_CTL_A_TOKEN] = AT(K_U32, token),
    [MS_CTL_A_NAME] = AT(K_OCTETS, names),
    [MS_CTL_A_JSON] = AT(K_OCTETS, json),
    [MS_CTL_A_PID] = AT(K_U32, pid),
    [MS_CTL_A_FLAGS] = AT(K_U32, flags),
    [MS_CTL_A_SRC_NAME] = AT(K_OCTETS, src_name),
    [MS_CTL_A_VIA] = AT(K_U8, via),
    [MS_CTL_A_DROPPED] = AT(K_U64, dropped),
    [MS_CTL_A_WORKGROUP] = AT(K_OCTETS, workgroup),
};

static const size_t WIDTH[] = { [K_U8] = 1, [K_U16] = 2, [K_U32] = 4, [K_U64] = 8 };

void ms_ctl_init(ms_ctl_msg *m, uint16_t type)
{
    memset(m, 0, sizeof *m);
    m->type = type;
    m->version = MS_CTL_VERSION;
}

static uint64_t read_uint(ms_rcur *v, size_t width)
{
    uint64_t x = 0;
    for (size_t i = 0; i < width; i++)
        x = (x << 8) | ms_rcur_u8(v);
    return x;
}

static void store_uint(ms_ctl_msg *m, const attr_desc *d, uint64_t x)
{
    char *p = (char *)m + d->off;
    switch (d->k) {
    case K_U8: *(uint8_t *)p = (uint8_t)x; break;
    case K_U16: *(uint16_t *)p = (uint16_t)x; break;
    case K_U32: *(uint32_t *)p = (uint32_t)x; break;
    case K_U64: *(uint64_t *)p = x; break;
    case K_OCTETS: break;
    }
}

/* One known attribute's value. */
static ms_status take_attr(ms_ctl_msg *m, unsigned type, ms_rcur *v)
{
    const attr_desc *d = &ATTRS[type];
    if (type == MS_CTL_A_NAME) {
        if (m->nnames == MS_CTL_MAX_NAMES)
            return MS_ERR_TOO_MANY;
        ms_bytes *b = &m->names[m->nnames++];
        b->len = ms_rcur_left(v);
        b->p = ms_rcur_take(v, b->len);
        return MS_OK;
    }
    if (m->have & MS_CTL_BIT(type))
        return MS_ERR_LAYOUT; /* given twice */
    if (d->k == K_OCTETS) {
        ms_bytes *b = (ms_bytes *)((char *)m + d->off);
        b->len = ms_rcur_left(v);
        b->p = ms_rcur_take(v, b->len);
    } else {
        if (ms_rcur_left(v) != WIDTH[d->k])
            return MS_ERR_LAYOUT;
        store_uint(m, d, read_uint(v, WIDTH[d->k]));
    }
    return MS_OK;
}

ms_status ms_ctl_decode(const uint8_t *buf, size_t len, ms_ctl_msg *out, size_t *err_off)
{
    memset(out, 0, sizeof *out);
    if (err_off)
        *err_off = 0;
    ms_rcur c = ms_rcur_make(buf, len);
    const uint8_t *magic = ms_rcur_take(&c, 3);
    uint8_t version = ms_rcur_u8(&c);
    out->type = ms_rcur_be16(&c);
    uint16_t reserved = ms_rcur_be16(&c);
    if (c.err)
        return MS_ERR_TRUNCATED;
    if (memcmp(magic, "MSD", 3) != 0)
        return MS_ERR_BAD_INPUT;
    if (version != MS_CTL_VERSION)
        return MS_ERR_VERSION;
    if (reserved != 0) {
        if (err_off)
            *err_off = 6;
        return MS_ERR_LAYOUT;
    }
    while (ms_rcur_left(&c)) {
        size_t at = c.pos;
        uint16_t type = ms_rcur_be16(&c);
        uint16_t vlen = ms_rcur_be16(&c);
        ms_rcur v = ms_rcur_sub(&c, vlen);
        ms_status st = c.err ? MS_ERR_TRUNCATED : MS_OK;
        if (st == MS_OK && type >= 1 && type <= MS_CTL_A_LAST) {
            st = take_attr(out, type, &v);
            out->have |= MS_CTL_BIT(type);
        } else if (st == MS_OK) {
            out->unknown++; /* a newer peer's attribute: skipped */
        }
        if (st != MS_OK) {
            if (err_off)
                *err_off = at;
            return st;
        }
    }
    if (err_off)
        *err_off = len;
    return MS_OK;
}

static void put_octets(ms_wcur *w, unsigned type, const ms_bytes *b)
{
    if ((b->len && !b->p) || b->len > 0xFFFFu) {
        w->err = w->err ? w->err : MS_ERR_INVALID_ARG;
        return;
    }
    ms_wcur_be16(w, (uint16_t)type);
    ms_wcur_be16(w, (uint16_t)b->len);
    uint8_t *p = ms_wcur_take(w, b->len);
    if (p && b->len)
        memcpy(p, b->p, b->len);
}

static void put_uint(ms_wcur *w, unsigned type, const ms_ctl_msg *m, const attr_desc *d)
{
    const char *p = (const char *)m + d->off;
    uint64_t x = 0;
    switch (d->k) {
    case K_U8: x = *(const uint8_t *)p; break;
    case K_U16: x = *(const uint16_t *)p; break;
    case K_U32: x = *(const uint32_t *)p; break;
    case K_U64: x = *(const uint64_t *)p; break;
    case K_OCTETS: break;
    }
    size_t width = WIDTH[d->k];
    ms_wcur_be16(w, (uint16_t)type);
    ms_wcur_be16(w, (uint16_t)width);
    for (size_t i = width; i-- > 0;)
        ms_wcur_u8(w, (uint8_t)(x >> (8 * i)));
}

ms_status ms_ctl_encode(const ms_ctl_msg *m, uint8_t *buf, size_t cap, size_t *out_len)
{
    *out_len = 0;
    if (m->nnames > MS_CTL_MAX_NAMES)
        return MS_ERR_INVALID_ARG;
    ms_wcur w = ms_wcur_make(buf, cap);
    uint8_t *magic = ms_wcur_take(&w, 3);
    if (magic)
        memcpy(magic, "MSD", 3);
    ms_wcur_u8(&w, MS_CTL_VERSION);
    ms_wcur_be16(&w, m->type);
    ms_wcur_be16(&w, 0);
    for (unsigned a = 1; a <= MS_CTL_A_LAST; a++) {
        if (!(m->have & MS_CTL_BIT(a)))
            continue;
        const attr_desc *d = &ATTRS[a];
        if (a == MS_CTL_A_NAME) {
            for (size_t i = 0; i < m->nnames; i++)
                put_octets(&w, a, &m->names[i]);
        } else if (d->k == K_OCTETS) {
            put_octets(&w, a, (const ms_bytes *)((const char *)m + d->off));
        } else {
            put_uint(&w, a, m, d);
        }
    }
    if (w.err)
        return w.err;
    *out_len = w.pos;
    return MS_OK;
}

const char *ms_ctl_type_name(uint16_t type)
{
    static const char *const names[] = {
        [MS_CTL_HELLO] = "hello",     [MS_CTL_WELCOME] = "welcome", [MS_CTL_CREATE] = "create",
        [MS_CTL_DELETE] = "delete",   [MS_CTL_RESULT] = "result",   [MS_CTL_DELIVER] = "deliver",
        [MS_CTL_SEND] = "send",       [MS_CTL_STATUS] = "status",
        [MS_CTL_STATUS_REPLY] = "status_reply",
    };
    return type < sizeof names / sizeof names[0] && names[type] ? names[type] : "unknown";
}
