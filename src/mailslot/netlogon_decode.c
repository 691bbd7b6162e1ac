/* SPDX-License-Identifier: MIT */
/* NETLOGON mailslot messages (PROTOCOL.md §7): decode, and the expansion of
 * compressed names (ms_netlogon_name_text).
 *
 * Lossless by construction: every octet decode consumes lands in the struct
 * (pads as octets, compressed names as their exact wire octets, strings as
 * octets, unparsed rest as `trailing`), and netlogon_encode.c writes the
 * same octets in the same order, so encode(decode(x)) == x for every x that
 * decodes.
 *
 * NT-era layouts (0x07 NT form, 0x0A, 0x0C, 0x12, 0x13-0x15, 0x17-0x19) are
 * read trailer first (§7.7): the last 8 octets are NtVersion, LmNtToken,
 * Lm20Token (both tokens must be 0xFFFF, L-02), and every field before them
 * is parsed inside the remaining body, so no string can run into the
 * trailer. The SAM responses pick NT40 / NT5 / EX from that NtVersion. */
#include "mailslot/netlogon.h"

#include <string.h>

#include "cursor.h"
#include "netlogon_layout.h"

/* DNS limits (RFC 1035) and our bound on pointer chains: a legitimate name
 * has at most 127 labels, and real DCs use one pointer per name. */
#define NAME_WIRE_MAX 255
#define NAME_MAX_HOPS 64

/* ------------------------------------------------------------------ */
/* Compressed names (§7.6)                                             */
/* ------------------------------------------------------------------ */

/* Walk one name: the in-place octets `wire`, then any pointer chain inside
 * msg. Each pointer must land strictly before the start of the label run
 * that holds it; run starts therefore strictly decrease, which rules out
 * loops without counting, and the hop cap bounds the work anyway. */
static ms_status name_walk(const uint8_t *msg, size_t msg_len, ms_bytes wire,
                           char *out, size_t cap)
{
    /* Offset of wire inside msg; a name built elsewhere may point anywhere
     * in msg. Compared as integers: the two need not share an object. */
    size_t run = msg_len;
    uintptr_t m = (uintptr_t)msg, w = (uintptr_t)wire.p;
    if (msg && wire.p && w >= m && w - m < msg_len)
        run = (size_t)(w - m);

    ms_rcur c = ms_rcur_make(wire.p, wire.p ? wire.len : 0);
    bool in_wire = true;
    size_t total = 0, hops = 0, o = 0;
    for (;;) {
        int b = ms_rcur_peek(&c, 0);
        if (b < 0)
            return MS_ERR_COMPRESSION; /* ran off the end without a terminator */
        if ((b & 0xC0) == 0xC0) {
            const uint8_t *pp = ms_rcur_take(&c, 2);
            if (!pp)
                return MS_ERR_COMPRESSION;
            if (in_wire && ms_rcur_left(&c) != 0)
                return MS_ERR_COMPRESSION; /* octets after the name's end */
            size_t target = ((size_t)(pp[0] & 0x3F) << 8) | pp[1];
            if (target >= msg_len || target >= run || ++hops > NAME_MAX_HOPS)
                return MS_ERR_COMPRESSION;
            c = ms_rcur_make(msg, msg_len);
            ms_rcur_take(&c, target);
            run = target;
            in_wire = false;
            continue;
        }
        if (b & 0xC0)
            return MS_ERR_COMPRESSION; /* 0x40 / 0x80: reserved label types */
        ms_rcur_take(&c, 1);
        const uint8_t *lab = ms_rcur_take(&c, (size_t)b);
        if (!lab)
            return MS_ERR_COMPRESSION; /* label runs past the end */
        total += (size_t)b + 1;
        if (b == 0) {
            if (total > NAME_WIRE_MAX)
                return MS_ERR_COMPRESSION;
            if (in_wire && ms_rcur_left(&c) != 0)
                return MS_ERR_COMPRESSION;
            break;
        }
        if (total >= NAME_WIRE_MAX) /* the terminator still has to fit */
            return MS_ERR_COMPRESSION;
        if (out) {
            size_t need = (o ? 1u : 0u) + (size_t)b;
            if (need + 1 > cap - o)
                return MS_ERR_NO_SPACE;
            if (o)
                out[o++] = '.';
            memcpy(out + o, lab, (size_t)b);
            o += (size_t)b;
        }
    }
    if (out) {
        if (cap == 0)
            return MS_ERR_NO_SPACE;
        out[o] = '\0';
    }
    return MS_OK;
}

ms_status ms_netlogon_name_text(const uint8_t *msg, size_t msg_len, ms_bytes wire,
                                char *out, size_t cap)
{
    if (out && cap == 0)
        return MS_ERR_NO_SPACE;
    return name_walk(msg, msg_len, wire, out, cap);
}

/* ------------------------------------------------------------------ */
/* Decode helpers: all operate on a sticky cursor and set c->err       */
/* ------------------------------------------------------------------ */

static void rd_str(ms_rcur *c, ms_str *s, size_t width)
{
    size_t n = ms_rcur_find_term(c, width);
    if (!c->err && n == 0) {
        c->err = MS_ERR_UNTERMINATED;
        return;
    }
    const uint8_t *p = ms_rcur_take(c, n);
    if (p) {
        s->p = p;
        s->len = n - width;
        s->terminated = true;
    }
}

static void rd_bytes(ms_rcur *c, ms_bytes *b, size_t n)
{
    const uint8_t *p = ms_rcur_take(c, n);
    b->p = p;
    b->len = p ? n : 0;
}

/* Alignment pads count from the opcode (§7.4), i.e. from cursor offset 0. */
static void rd_pad(ms_rcur *c, ms_bytes *pad, size_t align)
{
    rd_bytes(c, pad, (align - c->pos % align) % align);
}

/* One compressed name: find its in-place extent, then check the whole
 * expansion (pointers included) before accepting it. */
static void rd_name(ms_rcur *c, ms_bytes *name, const uint8_t *msg, size_t msg_len)
{
    if (c->err)
        return;
    size_t i = 0;
    for (;;) {
        int b = ms_rcur_peek(c, i);
        if (b < 0) {
            c->err = i == 0 ? MS_ERR_TRUNCATED : MS_ERR_COMPRESSION;
            return;
        }
        if ((b & 0xC0) == 0xC0) {
            if (ms_rcur_peek(c, i + 1) < 0) {
                c->err = MS_ERR_COMPRESSION;
                return;
            }
            i += 2;
            break;
        }
        if (b & 0xC0) {
            c->err = MS_ERR_COMPRESSION;
            return;
        }
        i += (size_t)b + 1;
        if (b == 0)
            break;
        if (i >= NAME_WIRE_MAX) {
            c->err = MS_ERR_COMPRESSION;
            return;
        }
    }
    size_t start = c->pos;
    rd_bytes(c, name, i);
    if (!c->err && name_walk(msg, msg_len, *name, NULL, 0) != MS_OK) {
        c->pos = start; /* report the name's first octet */
        c->err = MS_ERR_COMPRESSION;
    }
}

/* NT-era split (§7.7 step 1): trailer from the last 8 octets, then a body
 * cursor over everything before it, positioned after the opcode. */
static ms_status nt_split(const uint8_t *data, size_t len, ms_netlogon *n,
                          ms_rcur *body, size_t *err_off)
{
    if (len < 10) {
        *err_off = len;
        return MS_ERR_TRUNCATED;
    }
    ms_rcur all = ms_rcur_make(data, len);
    *body = ms_rcur_sub(&all, len - 8);
    n->nt_version = ms_rcur_le32(&all);
    n->lmnt_token = ms_rcur_le16(&all);
    n->lm20_token = ms_rcur_le16(&all);
    if (all.err) {
        *err_off = len - 8;
        return all.err;
    }
    if (n->lmnt_token != 0xFFFF || n->lm20_token != 0xFFFF) {
        *err_off = len - 4;
        return MS_ERR_LAYOUT;
    }
    ms_rcur_take(body, 2);
    return body->err;
}

/* Keep whatever the layout left over, or report where it stopped. */
static ms_status finish(ms_rcur *c, ms_netlogon *n, size_t *err_off)
{
    if (!c->err)
        rd_bytes(c, &n->trailing, ms_rcur_left(c));
    if (c->err) {
        *err_off = c->pos;
        return c->err;
    }
    return MS_OK;
}

/* DomainSidSize + pad + DomainSid. `pad_default` is the spec's choice (0x12
 * pads to 4, 0x0A does not per MS-NRPC/Samba); the other form is taken only
 * when the octets left fit it exactly, which is the only reading that
 * keeps the SID intact for a sender that did the other thing. */
static void rd_sid(ms_rcur *c, ms_netlogon *n, bool pad_default)
{
    uint32_t size = ms_rcur_le32(c);
    if (c->err)
        return;
    size_t need = size ? (4 - c->pos % 4) % 4 : 0;
    size_t left = ms_rcur_left(c);
    size_t pad = 0;
    if (need) {
        if (pad_default) {
            pad = left == size ? 0 : need;
        } else if (left >= need && left - need == size) {
            pad = need;
            for (size_t i = 0; i < need; i++)
                if (ms_rcur_peek(c, i) != 0)
                    pad = 0;
        }
    }
    rd_bytes(c, &n->sid_pad, pad);
    rd_bytes(c, &n->domain_sid, size);
}

/* ------------------------------------------------------------------ */
/* Decode, one function per layout                                     */
/* ------------------------------------------------------------------ */

/* 0x00 LOGON_REQUEST: ComputerName, UserName, MailslotName (ASCII),
 * RequestCount u8, LmNtToken, Lm20Token. LM era: read forwards. */
static ms_status dec_logon_request(ms_rcur *c, ms_netlogon *n, size_t *err_off)
{
    n->layout = MS_NL_LAYOUT_LOGON_REQUEST;
    rd_str(c, &n->computer_name, 1);
    rd_str(c, &n->user_name, 1);
    rd_str(c, &n->mailslot_name, 1);
    n->request_count = ms_rcur_u8(c);
    n->lmnt_token = ms_rcur_le16(c);
    n->lm20_token = ms_rcur_le16(c);
    return finish(c, n, err_off);
}

/* 0x06 LOGON_RESPONSE2: PdcName (ASCII), Lm20Token. */
static ms_status dec_response2(ms_rcur *c, ms_netlogon *n, size_t *err_off)
{
    n->layout = MS_NL_LAYOUT_LOGON_RESPONSE2;
    rd_str(c, &n->primary_dc_name, 1);
    n->lm20_token = ms_rcur_le16(c);
    return finish(c, n, err_off);
}

/* 0x07 LOGON_PRIMARY_QUERY (§7.4.1):
 *   NT form:  Opcode | ComputerName | MailslotName | pad 0/1 |
 *             UnicodeComputerName | NtVersion | LmNtToken | Lm20Token
 *   W95 form: Opcode | ComputerName | MailslotName | Lm20Token
 * Exactly two octets after MailslotName means the short form. */
static ms_status dec_primary_query(const uint8_t *data, size_t len, ms_netlogon *n,
                                   size_t *err_off)
{
    ms_rcur p = ms_rcur_make(data, len);
    ms_rcur_take(&p, 2);
    rd_str(&p, &n->computer_name, 1);
    rd_str(&p, &n->mailslot_name, 1);
    if (!p.err && ms_rcur_left(&p) == 2) {
        n->layout = MS_NL_LAYOUT_PRIMARY_QUERY_W95;
        n->lm20_token = ms_rcur_le16(&p);
        rd_bytes(&p, &n->trailing, 0);
        return MS_OK;
    }
    if (!p.err && ms_rcur_left(&p) < 2)
        p.err = MS_ERR_TRUNCATED;
    if (p.err) {
        *err_off = p.pos;
        return p.err;
    }

    n->layout = MS_NL_LAYOUT_PRIMARY_QUERY;
    memset(&n->computer_name, 0, sizeof n->computer_name);
    memset(&n->mailslot_name, 0, sizeof n->mailslot_name);
    ms_rcur c;
    ms_status st = nt_split(data, len, n, &c, err_off);
    if (st)
        return st;
    rd_str(&c, &n->computer_name, 1);
    rd_str(&c, &n->mailslot_name, 1);
    rd_pad(&c, &n->pad, 2);
    rd_str(&c, &n->unicode_computer_name, 2);
    return finish(&c, n, err_off);
}

/* 0x0C LOGON_PRIMARY_RESPONSE (§7.4.2): PrimaryDCName | pad 0/1 |
 * UnicodePrimaryDCName | UnicodeDomainName | trailer. */
static ms_status dec_primary_response(ms_rcur *c, ms_netlogon *n, size_t *err_off)
{
    n->layout = MS_NL_LAYOUT_PRIMARY_RESPONSE;
    rd_str(c, &n->primary_dc_name, 1);
    rd_pad(c, &n->pad, 2);
    rd_str(c, &n->unicode_primary_dc_name, 2);
    rd_str(c, &n->unicode_domain_name, 2);
    return finish(c, n, err_off);
}

/* 0x12 LOGON_SAM_LOGON_REQUEST (§7.4.3):
 *   Opcode | RequestCount u16 | UnicodeComputerName | UnicodeUserName |
 *   MailslotName | AllowableAccountControlBits u32 | DomainSidSize u32 |
 *   [pad to 4 | DomainSid] | trailer */
static ms_status dec_sam_request(ms_rcur *c, ms_netlogon *n, size_t *err_off)
{
    n->layout = MS_NL_LAYOUT_SAM_REQUEST;
    n->request_count = ms_rcur_le16(c);
    rd_str(c, &n->unicode_computer_name, 2);
    rd_str(c, &n->unicode_user_name, 2);
    rd_str(c, &n->mailslot_name, 1);
    n->allowable_account_control = ms_rcur_le32(c);
    rd_sid(c, n, true);
    return finish(c, n, err_off);
}

/* EX (§7.4.5): Sbz | Flags | DomainGuid | 8 compressed names |
 * [DcSockAddrSize | DcSockAddr] (V5EP) | [NextClosestSiteName] (VCS). */
static void dec_sam_response_ex(const uint8_t *data, size_t len, ms_rcur *c, ms_netlogon *n)
{
    n->sbz = ms_rcur_le16(c);
    n->flags = ms_rcur_le32(c);
    ms_rcur_copy(c, n->domain_guid, 16);
    for (int i = MS_NL_CN_DNS_FOREST; i <= MS_NL_CN_CLIENT_SITE; i++)
        rd_name(c, &n->names[i], data, len);
    if (n->nt_version & MS_NL_NT_VERSION_5EX_WITH_IP) {
        size_t at = c->pos;
        uint8_t size = ms_rcur_u8(c);
        if (!c->err && size != 16) {
            c->pos = at;
            c->err = MS_ERR_LAYOUT; /* L-09: only a sockaddr_in is defined */
        }
        n->sockaddr_family = ms_rcur_le16(c);
        n->sockaddr_port = ms_rcur_be16(c);
        n->sockaddr_addr = ms_rcur_be32(c);
        ms_rcur_copy(c, n->sockaddr_zero, 8);
    }
    if (n->nt_version & MS_NL_NT_VERSION_WITH_CLOSEST_SITE)
        rd_name(c, &n->names[MS_NL_CN_NEXT_CLOSEST_SITE], data, len);
}

/* 0x13-0x15 / 0x17-0x19 (§7.4.4, §7.4.5), layout from NtVersion:
 *   NT40: Opcode | UnicodeLogonServer | UnicodeUserName | UnicodeDomainName
 *   NT5:  ... NT40 fields | DomainGuid | NullGuid | DnsForestName |
 *         DnsDomainName | DnsHostName | DcIpAddress | Flags
 *   EX:   see dec_sam_response_ex
 * each followed by the trailer. */
static ms_status dec_sam_response(const uint8_t *data, size_t len, ms_rcur *c,
                                  ms_netlogon *n, size_t *err_off)
{
    n->layout = ms_nl_response_layout(n->nt_version);
    switch (n->layout) {
    case MS_NL_LAYOUT_SAM_RESPONSE_NT40:
    case MS_NL_LAYOUT_SAM_RESPONSE_NT5:
        rd_str(c, &n->unicode_logon_server, 2);
        rd_str(c, &n->unicode_user_name, 2);
        rd_str(c, &n->unicode_domain_name, 2);
        if (n->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT40)
            break;
        ms_rcur_copy(c, n->domain_guid, 16);
        ms_rcur_copy(c, n->null_guid, 16);
        for (int i = MS_NL_CN_DNS_FOREST; i <= MS_NL_CN_DNS_HOST; i++)
            rd_name(c, &n->names[i], data, len);
        n->dc_ip_address = ms_rcur_be32(c);
        n->flags = ms_rcur_le32(c);
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_EX:
        dec_sam_response_ex(data, len, c, n);
        break;
    default:
        n->layout = MS_NL_LAYOUT_RAW;
        *err_off = len - 8;
        return MS_ERR_LAYOUT;
    }
    return finish(c, n, err_off);
}

/* 0x0A NETLOGON_DB_CHANGE (§7.4.7, MS-NRPC 2.2.1.5.1):
 *   Opcode | LowSerialNumber | DateAndTime | Pulse | Random |
 *   PrimaryDCName | DomainName | pad 0/1 | UnicodePrimaryDCName |
 *   UnicodeDomainName | DBCount | DBCount x {DBIndex u32, serial u64,
 *   FILETIME u64} | DomainSidSize | DomainSid |
 *   MessageFormatVersion | MessageToken   (= the usual 8-octet trailer) */
static ms_status dec_db_change(ms_rcur *c, ms_netlogon *n, size_t *err_off)
{
    n->layout = MS_NL_LAYOUT_DB_CHANGE;
    n->low_serial_number = ms_rcur_le32(c);
    n->date_and_time = ms_rcur_le32(c);
    n->pulse = ms_rcur_le32(c);
    n->random = ms_rcur_le32(c);
    rd_str(c, &n->primary_dc_name, 1);
    rd_str(c, &n->domain_name, 1);
    rd_pad(c, &n->pad, 2);
    rd_str(c, &n->unicode_primary_dc_name, 2);
    rd_str(c, &n->unicode_domain_name, 2);
    size_t at = c->pos;
    n->db_count = ms_rcur_le32(c);
    if (!c->err && n->db_count > MS_NL_MAX_DB_CHANGES) {
        c->pos = at;
        c->err = MS_ERR_TOO_MANY;
    }
    for (uint32_t i = 0; !c->err && i < n->db_count; i++) {
        n->db[i].db_index = ms_rcur_le32(c);
        n->db[i].serial_number = ms_rcur_le64(c);
        n->db[i].date_and_time = ms_rcur_le64(c);
    }
    rd_sid(c, n, false);
    return finish(c, n, err_off);
}

ms_status ms_netlogon_decode(const uint8_t *data, size_t len, ms_netlogon *out,
                             size_t *err_off)
{
    size_t dummy;
    if (!err_off)
        err_off = &dummy;
    *err_off = 0;
    if (!out || (!data && len))
        return MS_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);

    ms_rcur c = ms_rcur_make(data, len);
    out->opcode = ms_rcur_le16(&c);
    if (c.err)
        return c.err;
    out->message.p = data;
    out->message.len = len;

    ms_rcur body;
    ms_status st;
    switch (out->opcode) {
    case MS_NL_LOGON_REQUEST:
        return dec_logon_request(&c, out, err_off);
    case MS_NL_LOGON_RESPONSE2:
        return dec_response2(&c, out, err_off);
    case MS_NL_LOGON_PRIMARY_QUERY:
        return dec_primary_query(data, len, out, err_off);
    case MS_NL_LOGON_PRIMARY_RESPONSE:
        st = nt_split(data, len, out, &body, err_off);
        return st ? st : dec_primary_response(&body, out, err_off);
    case MS_NL_SAM_LOGON_REQUEST:
        st = nt_split(data, len, out, &body, err_off);
        return st ? st : dec_sam_request(&body, out, err_off);
    case MS_NL_DB_CHANGE:
        st = nt_split(data, len, out, &body, err_off);
        return st ? st : dec_db_change(&body, out, err_off);
    default:
        break;
    }
    if (ms_nl_is_sam_response(out->opcode)) {
        st = nt_split(data, len, out, &body, err_off);
        return st ? st : dec_sam_response(data, len, &body, out, err_off);
    }

    /* No structured layout: keep the body so the message still round-trips. */
    out->layout = MS_NL_LAYOUT_RAW;
    rd_bytes(&c, &out->body, ms_rcur_left(&c));
    if (!ms_netlogon_opcode_name(out->opcode))
        return MS_ERR_OPCODE;
    return MS_OK;
}
