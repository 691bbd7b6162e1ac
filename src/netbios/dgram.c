/* SPDX-License-Identifier: MIT */
/* NetBIOS Datagram Service header, RFC 1002 §4.4 (PROTOCOL.md §2).
 *
 *  0       1       2               4                               8
 * +-------+-------+---------------+-------------------------------+
 * | TYPE  | FLAGS |    DGM_ID     |           SOURCE_IP           |
 * +-------+-------+---------------+---------------+---------------+
 * |  SOURCE_PORT  |  DGM_LENGTH   | PACKET_OFFSET |  (0x10..0x12)
 * +---------------+---------------+---------------+
 * then SOURCE_NAME, DESTINATION_NAME, USER_DATA       (0x10..0x12)
 *      ERROR_CODE                                     (0x13)
 *      DESTINATION_NAME                               (0x14..0x16)
 */
#include "mailslot/netbios.h"

#include <stddef.h>
#include <string.h>

#include "cursor.h"

static ms_status decode_name(ms_rcur *c, ms_nb_name *n, size_t *err_off)
{
    size_t used;
    ms_status st = ms_nb_name_decode(c->buf + c->pos, c->len - c->pos, n, &used);
    if (st != MS_OK) {
        *err_off = c->pos + used;
        return st;
    }
    ms_rcur_take(c, used);
    return MS_OK;
}

ms_status ms_dgram_decode(const uint8_t *buf, size_t len, ms_dgram *out,
                          size_t *err_off)
{
    ms_rcur c = ms_rcur_make(buf, len);
    ms_status st;
    /* Everything but the two names is cleared here; a name is cleared by
     * ms_nb_name_decode when it is decoded, or below when it is not (the
     * result is the same as clearing all of *out first, without clearing
     * ~600 octets twice per datagram). */
    memset(out, 0, offsetof(ms_dgram, src));
    memset((char *)out + offsetof(ms_dgram, user_data), 0,
           sizeof *out - offsetof(ms_dgram, user_data));
    *err_off = 0;

    out->type = ms_rcur_u8(&c);
    out->flags = ms_rcur_u8(&c);
    out->id = ms_rcur_be16(&c);
    out->src_ip = ms_rcur_be32(&c);
    out->src_port = ms_rcur_be16(&c);
    if (ms_dgram_has_data(out->type)) {
        out->dgm_length = ms_rcur_be16(&c);
        out->packet_offset = ms_rcur_be16(&c);
    }
    if (c.err) {
        memset(&out->src, 0, sizeof out->src);
        memset(&out->dst, 0, sizeof out->dst);
        *err_off = len;
        return c.err;
    }

    switch (out->type) {
    case MS_NBDS_DIRECT_UNIQUE:
    case MS_NBDS_DIRECT_GROUP:
    case MS_NBDS_BROADCAST:
        if ((st = decode_name(&c, &out->src, err_off)) != MS_OK) {
            memset(&out->dst, 0, sizeof out->dst);
            return st;
        }
        if ((st = decode_name(&c, &out->dst, err_off)) != MS_OK)
            return st;
        out->user_data.len = ms_rcur_left(&c);
        out->user_data.p = ms_rcur_take(&c, out->user_data.len);
        return MS_OK;
    case MS_NBDS_ERROR:
        memset(&out->src, 0, sizeof out->src);
        memset(&out->dst, 0, sizeof out->dst);
        out->error_code = ms_rcur_u8(&c);
        if (c.err) {
            *err_off = len;
            return c.err;
        }
        break;
    case MS_NBDS_QUERY_REQUEST:
    case MS_NBDS_POSITIVE_QUERY_RESPONSE:
    case MS_NBDS_NEGATIVE_QUERY_RESPONSE:
        memset(&out->src, 0, sizeof out->src);
        if ((st = decode_name(&c, &out->dst, err_off)) != MS_OK)
            return st;
        break;
    default:
        /* Unknown type: keep the rest verbatim so the frame still
         * round-trips, and say the type is not defined. */
        memset(&out->src, 0, sizeof out->src);
        memset(&out->dst, 0, sizeof out->dst);
        out->trailing.len = ms_rcur_left(&c);
        out->trailing.p = ms_rcur_take(&c, out->trailing.len);
        *err_off = 0;
        return MS_ERR_MSG_TYPE;
    }
    out->trailing.len = ms_rcur_left(&c);
    out->trailing.p = ms_rcur_take(&c, out->trailing.len);
    return MS_OK;
}

size_t ms_dgram_header_size(const ms_dgram *d)
{
    switch (d->type) {
    case MS_NBDS_DIRECT_UNIQUE:
    case MS_NBDS_DIRECT_GROUP:
    case MS_NBDS_BROADCAST:
        return 14 + d->src.wire_len + d->dst.wire_len;
    case MS_NBDS_ERROR:
        return 11;
    case MS_NBDS_QUERY_REQUEST:
    case MS_NBDS_POSITIVE_QUERY_RESPONSE:
    case MS_NBDS_NEGATIVE_QUERY_RESPONSE:
        return 10 + d->dst.wire_len;
    default:
        return 10;
    }
}

/* user_data.p == NULL with user_data.len > 0 means the caller has already
 * written the user data in place right after the names (the message encoder
 * does this to avoid a copy); it is counted but not copied. */
ms_status ms_dgram_encode(const ms_dgram *d, uint8_t *buf, size_t cap,
                          size_t *out_len)
{
    ms_wcur w = ms_wcur_make(buf, cap);
    *out_len = 0;
    if (d->src.wire_len > MS_NB_WIRE_MAX || d->dst.wire_len > MS_NB_WIRE_MAX)
        return MS_ERR_INVALID_ARG;
    ms_wcur_u8(&w, d->type);
    ms_wcur_u8(&w, d->flags);
    ms_wcur_be16(&w, d->id);
    ms_wcur_be32(&w, d->src_ip);
    ms_wcur_be16(&w, d->src_port);
    if (ms_dgram_has_data(d->type)) {
        size_t after = d->src.wire_len + d->dst.wire_len + d->user_data.len;
        uint16_t dl = d->dgm_length;
        if (d->auto_fields & MS_DGRAM_AUTO_LENGTH) {
            if (after > 0xFFFF)
                return MS_ERR_INVALID_ARG;
            dl = (uint16_t)after;
        }
        ms_wcur_be16(&w, dl);
        ms_wcur_be16(&w, d->packet_offset);
        ms_wcur_bytes(&w, d->src.wire, d->src.wire_len);
        ms_wcur_bytes(&w, d->dst.wire, d->dst.wire_len);
        if (d->user_data.p)
            ms_wcur_bytes(&w, d->user_data.p, d->user_data.len);
        else
            ms_wcur_take(&w, d->user_data.len);
    } else if (d->type == MS_NBDS_ERROR) {
        ms_wcur_u8(&w, d->error_code);
    } else if (d->type >= MS_NBDS_QUERY_REQUEST &&
               d->type <= MS_NBDS_NEGATIVE_QUERY_RESPONSE) {
        ms_wcur_bytes(&w, d->dst.wire, d->dst.wire_len);
    }
    ms_wcur_bytes(&w, d->trailing.p, d->trailing.len);
    if (w.err)
        return w.err;
    *out_len = w.pos;
    return MS_OK;
}

const char *ms_dgram_type_name(uint8_t type)
{
    switch (type) {
    case MS_NBDS_DIRECT_UNIQUE: return "DIRECT_UNIQUE";
    case MS_NBDS_DIRECT_GROUP: return "DIRECT_GROUP";
    case MS_NBDS_BROADCAST: return "BROADCAST";
    case MS_NBDS_ERROR: return "ERROR";
    case MS_NBDS_QUERY_REQUEST: return "QUERY_REQUEST";
    case MS_NBDS_POSITIVE_QUERY_RESPONSE: return "POSITIVE_QUERY_RESPONSE";
    case MS_NBDS_NEGATIVE_QUERY_RESPONSE: return "NEGATIVE_QUERY_RESPONSE";
    default: return NULL;
    }
}

const char *ms_dgram_error_name(uint8_t code)
{
    switch (code) {
    case 0x82: return "DESTINATION_NAME_NOT_PRESENT";
    case 0x83: return "INVALID_SOURCE_NAME_FORMAT";
    case 0x84: return "INVALID_DESTINATION_NAME_FORMAT";
    default: return NULL;
    }
}

static void emit(ms_field_fn fn, void *ctx, const char *key, ms_field_kind k,
                 uint64_t u, const uint8_t *p, size_t len, const char *label)
{
    ms_field f = { key, k, u, p, len, label };
    fn(ctx, &f);
}

static const char *snt_name(uint8_t flags)
{
    static const char *const n[4] = { "B-node", "P-node", "M-node", "NBDD/H-node" };
    return n[(flags >> 2) & 3];
}

/* Name as text plus, when the text does not give the wire octets back,
 * the raw octets under <key>_raw. */
/* True when the text form of n certainly parses back to the same wire
 * octets, without formatting and parsing it: an unscoped valid name of
 * printable octets (no '<' that could read as an escape, no '.'), padded
 * with spaces, not the "*" name. Anything else takes the round trip. */
static bool plainly_lossless(const ms_nb_name *n)
{
    if (!n->valid || n->wire_len != 34 || n->name[0] == '*')
        return false;
    size_t end = 15;
    while (end > 0 && n->name[end - 1] == ' ')
        end--;
    if (end == 0)
        return false;
    for (size_t i = 0; i < end; i++) {
        uint8_t ch = n->name[i];
        if (ch < 0x20 || ch > 0x7E || ch == '<' || ch == '.')
            return false;
    }
    return true;
}

static void emit_name(ms_field_fn fn, void *ctx, const char *key,
                      const char *raw_key, const ms_nb_name *n)
{
    char text[4 * 16 + MS_NB_WIRE_MAX + 8];
    size_t tl = ms_nb_name_format(n, text, sizeof text);
    if (tl >= sizeof text)
        tl = sizeof text - 1;
    emit(fn, ctx, key, MS_F_TEXT, 0, (const uint8_t *)text, tl, NULL);
    ms_nb_name back;
    bool same = plainly_lossless(n) ||
                (n->valid && ms_nb_name_parse(&back, text, tl) == MS_OK &&
                 back.wire_len == n->wire_len &&
                 memcmp(back.wire, n->wire, n->wire_len) == 0);
    if (!same)
        emit(fn, ctx, raw_key, MS_F_HEX, 0, n->wire, n->wire_len, NULL);
}

void ms_dgram_fields(const ms_dgram *d, ms_field_fn fn, void *ctx)
{
    emit(fn, ctx, "type", MS_F_UINT, d->type, NULL, 0, ms_dgram_type_name(d->type));
    emit(fn, ctx, "flags", MS_F_UINT, d->flags, NULL, 0, snt_name(d->flags));
    emit(fn, ctx, "id", MS_F_UINT, d->id, NULL, 0, NULL);
    emit(fn, ctx, "src_ip", MS_F_IPV4, d->src_ip, NULL, 0, NULL);
    emit(fn, ctx, "src_port", MS_F_UINT, d->src_port, NULL, 0, NULL);
    if (ms_dgram_has_data(d->type)) {
        emit(fn, ctx, "length", MS_F_UINT, d->dgm_length, NULL, 0, NULL);
        emit(fn, ctx, "offset", MS_F_UINT, d->packet_offset, NULL, 0, NULL);
        if (d->src.wire_len)
            emit_name(fn, ctx, "src_name", "src_name_raw", &d->src);
    }
    if (d->type == MS_NBDS_ERROR)
        emit(fn, ctx, "error_code", MS_F_UINT, d->error_code, NULL, 0,
             ms_dgram_error_name(d->error_code));
    if (d->dst.wire_len)
        emit_name(fn, ctx, "dst_name", "dst_name_raw", &d->dst);
    if (d->trailing.len)
        emit(fn, ctx, "trailing", MS_F_HEX, 0, d->trailing.p, d->trailing.len, NULL);
}
