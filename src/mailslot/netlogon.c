/* SPDX-License-Identifier: MIT */
/* NETLOGON mailslot messages (PROTOCOL.md §7): decode, encode, field walk.
 *
 * Lossless by construction: every octet decode consumes lands in the struct
 * (pads as octets, compressed names as their exact wire octets, strings as
 * octets, unparsed rest as `trailing`), and encode writes the same octets in
 * the same order, so encode(decode(x)) == x for every x that decodes.
 *
 * NT-era layouts (0x07 NT form, 0x0A, 0x0C, 0x12, 0x13-0x15, 0x17-0x19) are
 * read trailer first (§7.7): the last 8 octets are NtVersion, LmNtToken,
 * Lm20Token (both tokens must be 0xFFFF, L-02), and every field before them
 * is parsed inside the remaining body, so no string can run into the
 * trailer. The SAM responses pick NT40 / NT5 / EX from that NtVersion.
 *
 * JSON keys from ms_netlogon_fields(). "command" and "layout" come first;
 * after them each layout emits its own keys in wire order (the layouts that
 * carry a key are listed beside it):
 *   command                 uint, label = opcode name (none if undefined)
 *   layout                  text: ms_netlogon_layout_name()
 *   body                    hex   raw layout: octets after the opcode
 *   sbz, flags              uint  EX (flags also NT5; label = DS_FLAG names)
 *   low_serial_number, date_and_time, pulse, random      uint  0x0A
 *   request_count           uint  0x12 (u16), 0x00 (u8)
 *   computer_name           text  0x00, 0x07
 *   user_name               text  0x00 (ASCII); EX (expanded compressed name)
 *   primary_dc_name         text  0x06, 0x0C, 0x0A
 *   domain_name             text  0x0A
 *   unicode_logon_server    utf16 NT40, NT5
 *   unicode_computer_name   utf16 0x07, 0x12
 *   unicode_user_name       utf16 0x12, NT40, NT5
 *   mailslot_name           text  0x00, 0x07, 0x12
 *   pad                     hex   0x07, 0x0C, 0x0A: only when not empty
 *   unicode_primary_dc_name utf16 0x0C, 0x0A
 *   unicode_domain_name     utf16 0x0C, NT40, NT5, 0x0A
 *   allowable_account_control  uint  0x12
 *   db_count                uint  0x0A
 *   db_changes              list of {db_index, serial_number, date_and_time}
 *   domain_sid_size         uint  0x12, 0x0A
 *   sid_pad                 hex   only when not empty
 *   domain_sid              hex   when domain_sid_size > 0
 *   domain_sid_text         text  "S-1-5-21-..." when the SID is well formed
 *   domain_guid             hex   NT5, EX
 *   null_guid               hex   NT5
 *   dns_forest_name, dns_domain_name, dns_host_name        text  NT5, EX
 *   netbios_domain_name, netbios_computer_name, user_name,
 *   dc_site_name, client_site_name                         text  EX
 *     (each name: dotted text; "<key>_raw" hex instead when it cannot be
 *      expanded)
 *   dc_ip_address           ipv4  NT5
 *   dc_sockaddr_size, dc_sockaddr_family, dc_sockaddr_port  uint  EX + V5EP
 *   dc_sockaddr_ip          ipv4  EX + V5EP
 *   dc_sockaddr_zero        hex   EX + V5EP
 *   next_closest_site       text  EX + VCS
 *   trailing                hex   only when not empty
 *   nt_version              uint  NT-era but 0x0A, label = NtVersion bits
 *   message_format_version, message_token   uint  0x0A (same 8 octets)
 *   lmnt_token              uint  NT-era (not 0x0A) and 0x00
 *   lm20_token              uint  all but raw and 0x0A
 */
#include "mailslot/netlogon.h"

#include <string.h>

#include "cursor.h"
#include "strbuf.h"

/* DNS limits (RFC 1035) and our bound on pointer chains: a legitimate name
 * has at most 127 labels, and real DCs use one pointer per name. */
#define NAME_WIRE_MAX 255
#define NAME_MAX_HOPS 64

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

const char *ms_netlogon_opcode_name(uint16_t opcode)
{
    switch (opcode) {
    case 0x00: return "LOGON_REQUEST";
    case 0x01: return "LOGON_RESPONSE";
    case 0x02: return "LOGON_CENTRAL_QUERY";
    case 0x03: return "LOGON_DISTRIB_QUERY";
    case 0x04: return "LOGON_CENTRAL_RESPONSE";
    case 0x05: return "LOGON_DISTRIB_RESPONSE";
    case 0x06: return "LOGON_RESPONSE2";
    case 0x07: return "LOGON_PRIMARY_QUERY";
    case 0x08: return "LOGON_START_PRIMARY";
    case 0x09: return "LOGON_FAIL_PRIMARY";
    case 0x0A: return "NETLOGON_DB_CHANGE";
    case 0x0B: return "LOGON_NO_USER";
    case 0x0C: return "LOGON_PRIMARY_RESPONSE";
    case 0x0D: return "LOGON_RELOGON_RESPONSE";
    case 0x0E: return "LOGON_INTERROGATE_RESPONSE";
    case 0x0F: return "LOGON_PAUSE_RESPONSE";
    case 0x10: return "LOGON_USER_UNKNOWN";
    case 0x11: return "LOGON_UPDATE_ACCOUNT";
    case 0x12: return "LOGON_SAM_LOGON_REQUEST";
    case 0x13: return "LOGON_SAM_LOGON_RESPONSE";
    case 0x14: return "LOGON_SAM_PAUSE_RESPONSE";
    case 0x15: return "LOGON_SAM_USER_UNKNOWN";
    case 0x16: return "LOGON_SAM_INTERROGATE_RESPONSE";
    case 0x17: return "LOGON_SAM_LOGON_RESPONSE_EX";
    case 0x18: return "LOGON_SAM_PAUSE_RESPONSE_EX";
    case 0x19: return "LOGON_SAM_USER_UNKNOWN_EX";
    default: return NULL;
    }
}

const char *ms_netlogon_layout_name(ms_netlogon_layout layout)
{
    switch (layout) {
    case MS_NL_LAYOUT_RAW: return "raw";
    case MS_NL_LAYOUT_LOGON_REQUEST: return "logon_request";
    case MS_NL_LAYOUT_LOGON_RESPONSE2: return "logon_response2";
    case MS_NL_LAYOUT_PRIMARY_QUERY: return "primary_query";
    case MS_NL_LAYOUT_PRIMARY_QUERY_W95: return "primary_query_w95";
    case MS_NL_LAYOUT_PRIMARY_RESPONSE: return "primary_response";
    case MS_NL_LAYOUT_SAM_REQUEST: return "sam_logon_request";
    case MS_NL_LAYOUT_SAM_RESPONSE_NT40: return "sam_logon_response_nt40";
    case MS_NL_LAYOUT_SAM_RESPONSE_NT5: return "sam_logon_response_nt5";
    case MS_NL_LAYOUT_SAM_RESPONSE_EX: return "sam_logon_response_ex";
    case MS_NL_LAYOUT_DB_CHANGE: return "db_change";
    case MS_NL_LAYOUT__COUNT: break;
    }
    return "unknown";
}

static bool is_sam_response(uint16_t op)
{
    return (op >= 0x13 && op <= 0x15) || (op >= 0x17 && op <= 0x19);
}

/* §7.7 step 2, exactly as Samba chooses; RAW means "reject". */
static ms_netlogon_layout response_layout(uint32_t nt_version)
{
    if (nt_version == MS_NL_NT_VERSION_1)
        return MS_NL_LAYOUT_SAM_RESPONSE_NT40;
    if (nt_version & MS_NL_NT_VERSION_5EX)
        return MS_NL_LAYOUT_SAM_RESPONSE_EX;
    if (nt_version & MS_NL_NT_VERSION_5)
        return MS_NL_LAYOUT_SAM_RESPONSE_NT5;
    return MS_NL_LAYOUT_RAW;
}

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

/* 0x13-0x15 / 0x17-0x19 (§7.4.4, §7.4.5), layout from NtVersion:
 *   NT40: Opcode | UnicodeLogonServer | UnicodeUserName | UnicodeDomainName
 *   NT5:  ... NT40 fields | DomainGuid | NullGuid | DnsForestName |
 *         DnsDomainName | DnsHostName | DcIpAddress | Flags
 *   EX:   Opcode | Sbz | Flags | DomainGuid | 8 compressed names |
 *         [DcSockAddrSize | DcSockAddr] (V5EP) | [NextClosestSiteName] (VCS)
 * each followed by the trailer. */
static ms_status dec_sam_response(const uint8_t *data, size_t len, ms_rcur *c,
                                  ms_netlogon *n, size_t *err_off)
{
    n->layout = response_layout(n->nt_version);
    switch (n->layout) {
    case MS_NL_LAYOUT_SAM_RESPONSE_NT40:
        rd_str(c, &n->unicode_logon_server, 2);
        rd_str(c, &n->unicode_user_name, 2);
        rd_str(c, &n->unicode_domain_name, 2);
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_NT5:
        rd_str(c, &n->unicode_logon_server, 2);
        rd_str(c, &n->unicode_user_name, 2);
        rd_str(c, &n->unicode_domain_name, 2);
        ms_rcur_copy(c, n->domain_guid, 16);
        ms_rcur_copy(c, n->null_guid, 16);
        for (int i = MS_NL_CN_DNS_FOREST; i <= MS_NL_CN_DNS_HOST; i++)
            rd_name(c, &n->names[i], data, len);
        n->dc_ip_address = ms_rcur_be32(c);
        n->flags = ms_rcur_le32(c);
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_EX:
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
    if (is_sam_response(out->opcode)) {
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

/* ------------------------------------------------------------------ */
/* Encode                                                              */
/* ------------------------------------------------------------------ */

static void wr_bytes(ms_wcur *w, ms_bytes b)
{
    if (!b.p && b.len) {
        if (!w->err)
            w->err = MS_ERR_INVALID_ARG;
        return;
    }
    ms_wcur_bytes(w, b.p, b.len);
}

/* The ms_str contract: the octets, then the terminator only if it was there. */
static void wr_str(ms_wcur *w, ms_str s, size_t width)
{
    ms_bytes b = { s.p, s.len };
    wr_bytes(w, b);
    if (s.terminated) {
        uint8_t *p = ms_wcur_take(w, width);
        if (p)
            memset(p, 0, width);
    }
}

/* A decoded pad is copied (values and all); a NULL pad is computed. */
static void wr_pad(ms_wcur *w, ms_bytes pad, size_t align)
{
    if (pad.p) {
        wr_bytes(w, pad);
        return;
    }
    size_t n = (align - w->pos % align) % align;
    uint8_t *p = ms_wcur_take(w, n);
    if (p && n)
        memset(p, 0, n);
}

/* An unset name is the root (a single 0 octet), so a struct built from
 * scratch encodes to something that decodes. */
static void wr_name(ms_wcur *w, ms_bytes name)
{
    if (!name.p && !name.len)
        ms_wcur_u8(w, 0);
    else
        wr_bytes(w, name);
}

static void wr_sid(ms_wcur *w, const ms_netlogon *n, bool pad_default)
{
    if (n->domain_sid.len > UINT32_MAX) {
        if (!w->err)
            w->err = MS_ERR_INVALID_ARG;
        return;
    }
    ms_wcur_le32(w, (uint32_t)n->domain_sid.len);
    if (n->sid_pad.p)
        wr_bytes(w, n->sid_pad);
    else if (pad_default && n->domain_sid.len)
        wr_pad(w, n->sid_pad, 4);
    wr_bytes(w, n->domain_sid);
}

static void wr_trailer(ms_wcur *w, const ms_netlogon *n)
{
    wr_bytes(w, n->trailing);
    ms_wcur_le32(w, n->nt_version);
    ms_wcur_le16(w, n->lmnt_token);
    ms_wcur_le16(w, n->lm20_token);
}

/* Would decode pick this layout for this opcode (and NtVersion)? Encoding
 * anything else could not read back as the same struct. */
static bool layout_fits(const ms_netlogon *n)
{
    switch (n->layout) {
    case MS_NL_LAYOUT_RAW: return true;
    case MS_NL_LAYOUT_LOGON_REQUEST: /* RequestCount is one octet here */
        return n->opcode == MS_NL_LOGON_REQUEST && n->request_count <= 0xFF;
    case MS_NL_LAYOUT_LOGON_RESPONSE2: return n->opcode == MS_NL_LOGON_RESPONSE2;
    case MS_NL_LAYOUT_PRIMARY_QUERY:
    case MS_NL_LAYOUT_PRIMARY_QUERY_W95: return n->opcode == MS_NL_LOGON_PRIMARY_QUERY;
    case MS_NL_LAYOUT_PRIMARY_RESPONSE: return n->opcode == MS_NL_LOGON_PRIMARY_RESPONSE;
    case MS_NL_LAYOUT_SAM_REQUEST: return n->opcode == MS_NL_SAM_LOGON_REQUEST;
    case MS_NL_LAYOUT_DB_CHANGE:
        return n->opcode == MS_NL_DB_CHANGE && n->db_count <= MS_NL_MAX_DB_CHANGES;
    case MS_NL_LAYOUT_SAM_RESPONSE_NT40:
    case MS_NL_LAYOUT_SAM_RESPONSE_NT5:
    case MS_NL_LAYOUT_SAM_RESPONSE_EX:
        return is_sam_response(n->opcode) && response_layout(n->nt_version) == n->layout;
    case MS_NL_LAYOUT__COUNT: break;
    }
    return false;
}

ms_status ms_netlogon_encode(const ms_netlogon *n, uint8_t *buf, size_t cap,
                             size_t *out_len)
{
    if (out_len)
        *out_len = 0;
    if (!n || (!buf && cap) || !layout_fits(n))
        return MS_ERR_INVALID_ARG;

    ms_wcur w = ms_wcur_make(buf, cap);
    ms_wcur_le16(&w, n->opcode);
    switch (n->layout) {
    case MS_NL_LAYOUT_RAW:
        wr_bytes(&w, n->body);
        break;
    case MS_NL_LAYOUT_LOGON_REQUEST:
        wr_str(&w, n->computer_name, 1);
        wr_str(&w, n->user_name, 1);
        wr_str(&w, n->mailslot_name, 1);
        ms_wcur_u8(&w, (uint8_t)n->request_count);
        ms_wcur_le16(&w, n->lmnt_token);
        ms_wcur_le16(&w, n->lm20_token);
        wr_bytes(&w, n->trailing);
        break;
    case MS_NL_LAYOUT_LOGON_RESPONSE2:
        wr_str(&w, n->primary_dc_name, 1);
        ms_wcur_le16(&w, n->lm20_token);
        wr_bytes(&w, n->trailing);
        break;
    case MS_NL_LAYOUT_PRIMARY_QUERY_W95:
        wr_str(&w, n->computer_name, 1);
        wr_str(&w, n->mailslot_name, 1);
        ms_wcur_le16(&w, n->lm20_token);
        wr_bytes(&w, n->trailing);
        break;
    case MS_NL_LAYOUT_PRIMARY_QUERY:
        wr_str(&w, n->computer_name, 1);
        wr_str(&w, n->mailslot_name, 1);
        wr_pad(&w, n->pad, 2);
        wr_str(&w, n->unicode_computer_name, 2);
        wr_trailer(&w, n);
        break;
    case MS_NL_LAYOUT_PRIMARY_RESPONSE:
        wr_str(&w, n->primary_dc_name, 1);
        wr_pad(&w, n->pad, 2);
        wr_str(&w, n->unicode_primary_dc_name, 2);
        wr_str(&w, n->unicode_domain_name, 2);
        wr_trailer(&w, n);
        break;
    case MS_NL_LAYOUT_SAM_REQUEST:
        ms_wcur_le16(&w, n->request_count);
        wr_str(&w, n->unicode_computer_name, 2);
        wr_str(&w, n->unicode_user_name, 2);
        wr_str(&w, n->mailslot_name, 1);
        ms_wcur_le32(&w, n->allowable_account_control);
        wr_sid(&w, n, true);
        wr_trailer(&w, n);
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_NT40:
        wr_str(&w, n->unicode_logon_server, 2);
        wr_str(&w, n->unicode_user_name, 2);
        wr_str(&w, n->unicode_domain_name, 2);
        wr_trailer(&w, n);
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_NT5:
        wr_str(&w, n->unicode_logon_server, 2);
        wr_str(&w, n->unicode_user_name, 2);
        wr_str(&w, n->unicode_domain_name, 2);
        ms_wcur_bytes(&w, n->domain_guid, 16);
        ms_wcur_bytes(&w, n->null_guid, 16);
        for (int i = MS_NL_CN_DNS_FOREST; i <= MS_NL_CN_DNS_HOST; i++)
            wr_name(&w, n->names[i]);
        ms_wcur_be32(&w, n->dc_ip_address);
        ms_wcur_le32(&w, n->flags);
        wr_trailer(&w, n);
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_EX:
        ms_wcur_le16(&w, n->sbz);
        ms_wcur_le32(&w, n->flags);
        ms_wcur_bytes(&w, n->domain_guid, 16);
        for (int i = MS_NL_CN_DNS_FOREST; i <= MS_NL_CN_CLIENT_SITE; i++)
            wr_name(&w, n->names[i]);
        if (n->nt_version & MS_NL_NT_VERSION_5EX_WITH_IP) {
            ms_wcur_u8(&w, 16);
            ms_wcur_le16(&w, n->sockaddr_family);
            ms_wcur_be16(&w, n->sockaddr_port);
            ms_wcur_be32(&w, n->sockaddr_addr);
            ms_wcur_bytes(&w, n->sockaddr_zero, 8);
        }
        if (n->nt_version & MS_NL_NT_VERSION_WITH_CLOSEST_SITE)
            wr_name(&w, n->names[MS_NL_CN_NEXT_CLOSEST_SITE]);
        wr_trailer(&w, n);
        break;
    case MS_NL_LAYOUT_DB_CHANGE:
        ms_wcur_le32(&w, n->low_serial_number);
        ms_wcur_le32(&w, n->date_and_time);
        ms_wcur_le32(&w, n->pulse);
        ms_wcur_le32(&w, n->random);
        wr_str(&w, n->primary_dc_name, 1);
        wr_str(&w, n->domain_name, 1);
        wr_pad(&w, n->pad, 2);
        wr_str(&w, n->unicode_primary_dc_name, 2);
        wr_str(&w, n->unicode_domain_name, 2);
        ms_wcur_le32(&w, n->db_count);
        for (uint32_t i = 0; i < n->db_count; i++) {
            ms_wcur_le32(&w, n->db[i].db_index);
            ms_wcur_le64(&w, n->db[i].serial_number);
            ms_wcur_le64(&w, n->db[i].date_and_time);
        }
        wr_sid(&w, n, false);
        wr_trailer(&w, n);
        break;
    case MS_NL_LAYOUT__COUNT:
        return MS_ERR_INVALID_ARG;
    }
    if (w.err)
        return w.err;
    if (out_len)
        *out_len = w.pos;
    return MS_OK;
}

/* ------------------------------------------------------------------ */
/* Text helpers for fields and summary (bounded, never fail)           */
/* ------------------------------------------------------------------ */

/* "0x" and eight hex digits. */
static void sb_puthex(ms_strbuf *b, uint32_t v)
{
    ms_sb_puts(b, "0x");
    ms_sb_hex(b, v, 8);
}

/* Wire text made terminal-safe: printable ASCII kept, the rest as '?'. */
static void sb_put_text(ms_strbuf *b, const uint8_t *p, size_t len, bool utf16)
{
    ms_rcur c = ms_rcur_make(p, p ? len : 0);
    while (ms_rcur_left(&c) >= (utf16 ? 2u : 1u)) {
        unsigned ch = utf16 ? ms_rcur_le16(&c) : ms_rcur_u8(&c);
        ms_sb_putc(b, ch >= 0x20 && ch < 0x7F ? (char)ch : '?');
    }
}

static void sb_put_bits(ms_strbuf *b, uint32_t v, const uint32_t *bits,
                        const char *const *names, size_t count)
{
    uint32_t rest = v;
    for (size_t i = 0; i < count; i++) {
        if (v & bits[i]) {
            if (b->len)
                ms_sb_putc(b, '|');
            ms_sb_puts(b, names[i]);
            rest &= ~bits[i];
        }
    }
    if (rest) {
        if (b->len)
            ms_sb_putc(b, '|');
        sb_puthex(b, rest);
    }
}

static const uint32_t nt_bits[] = {
    0x00000001u, 0x00000002u, 0x00000004u, 0x00000008u, 0x00000010u,
    0x01000000u, 0x10000000u, 0x20000000u, 0x40000000u, 0x80000000u,
};
static const char *const nt_names[] = {
    "V1", "V5", "V5EX", "V5EP", "VCS", "VNT4", "VPDC", "VIP", "VL", "VGC",
};

static const uint32_t ds_bits[] = {
    0x00000001u, 0x00000004u, 0x00000008u, 0x00000010u, 0x00000020u,
    0x00000040u, 0x00000080u, 0x00000100u, 0x00000200u, 0x00000400u,
    0x00000800u, 0x00001000u, 0x00002000u, 0x00004000u, 0x00008000u,
    0x00010000u, 0x20000000u, 0x40000000u, 0x80000000u,
};
static const char *const ds_names[] = {
    "PDC", "GC", "LDAP", "DS", "KDC", "TIMESERV", "CLOSEST", "WRITABLE",
    "GOOD_TIMESERV", "NDNC", "SELECT_SECRET_DOMAIN_6", "FULL_SECRET_DOMAIN_6",
    "WS", "DS_8", "DS_9", "DS_10", "DNS_CONTROLLER", "DNS_DOMAIN", "DNS_FOREST",
};

/* "S-1-5-21-..." when the octets are exactly one well-formed SID. */
static bool sid_text(ms_bytes sid, ms_strbuf *b)
{
    ms_rcur c = ms_rcur_make(sid.p, sid.p ? sid.len : 0);
    uint8_t rev = ms_rcur_u8(&c);
    uint8_t count = ms_rcur_u8(&c);
    uint64_t auth = 0;
    for (int i = 0; i < 6; i++)
        auth = (auth << 8) | ms_rcur_u8(&c);
    if (c.err || count > 15 || ms_rcur_left(&c) != (size_t)count * 4)
        return false;
    ms_sb_puts(b, "S-");
    ms_sb_dec(b, rev);
    ms_sb_putc(b, '-');
    ms_sb_dec(b, auth);
    for (uint8_t i = 0; i < count; i++) {
        ms_sb_putc(b, '-');
        ms_sb_dec(b, ms_rcur_le32(&c));
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Field walk                                                          */
/* ------------------------------------------------------------------ */

typedef struct fx {
    ms_field_fn fn;
    void *ctx;
} fx;

static void f_emit(fx *x, const char *key, ms_field_kind kind, uint64_t u,
                   const uint8_t *p, size_t len, const char *label)
{
    ms_field f = { key, kind, u, p, len, label };
    x->fn(x->ctx, &f);
}

static void f_uint(fx *x, const char *key, uint64_t u)
{
    f_emit(x, key, MS_F_UINT, u, NULL, 0, NULL);
}

static void f_hex(fx *x, const char *key, const uint8_t *p, size_t len)
{
    f_emit(x, key, MS_F_HEX, 0, p, len, NULL);
}

static void f_hex_nonempty(fx *x, const char *key, ms_bytes b)
{
    if (b.len)
        f_hex(x, key, b.p, b.len);
}

static void f_text(fx *x, const char *key, ms_str s)
{
    f_emit(x, key, MS_F_TEXT, 0, s.p, s.len, NULL);
}

static void f_utf16(fx *x, const char *key, ms_str s)
{
    f_emit(x, key, MS_F_UTF16, 0, s.p, s.len, NULL);
}

static void f_bits(fx *x, const char *key, uint32_t v, const uint32_t *bits,
                   const char *const *names, size_t count)
{
    char lab[320];
    ms_strbuf b = ms_sb_make(lab, sizeof lab);
    sb_put_bits(&b, v, bits, names, count);
    ms_sb_finish(&b);
    f_emit(x, key, MS_F_UINT, v, NULL, 0, lab);
}

static void f_name(fx *x, const ms_netlogon *n, int idx)
{
    static const char *const keys[MS_NL_CN_COUNT] = {
        "dns_forest_name", "dns_domain_name", "dns_host_name",
        "netbios_domain_name", "netbios_computer_name", "user_name",
        "dc_site_name", "client_site_name", "next_closest_site",
    };
    static const char *const raw_keys[MS_NL_CN_COUNT] = {
        "dns_forest_name_raw", "dns_domain_name_raw", "dns_host_name_raw",
        "netbios_domain_name_raw", "netbios_computer_name_raw", "user_name_raw",
        "dc_site_name_raw", "client_site_name_raw", "next_closest_site_raw",
    };
    char text[MS_NL_NAME_TEXT_MAX];
    ms_bytes wire = n->names[idx];
    static const uint8_t root[1] = { 0 };
    if (!wire.p && !wire.len) { /* unset encodes as the root */
        wire.p = root;
        wire.len = 1;
    }
    if (ms_netlogon_name_text(n->message.p, n->message.len, wire, text,
                              sizeof text) == MS_OK)
        f_emit(x, keys[idx], MS_F_TEXT, 0, (const uint8_t *)text, strlen(text), NULL);
    else
        f_hex(x, raw_keys[idx], wire.p, wire.len);
}

static void f_sid(fx *x, const ms_netlogon *n)
{
    f_uint(x, "domain_sid_size", n->domain_sid.len);
    f_hex_nonempty(x, "sid_pad", n->sid_pad);
    if (!n->domain_sid.len)
        return;
    f_hex(x, "domain_sid", n->domain_sid.p, n->domain_sid.len);
    char text[16 * 11 + 32];
    ms_strbuf b = ms_sb_make(text, sizeof text);
    if (sid_text(n->domain_sid, &b)) {
        ms_sb_finish(&b);
        f_emit(x, "domain_sid_text", MS_F_TEXT, 0, (const uint8_t *)text, ms_sb_kept(&b), NULL);
    }
}

static void f_nt_trailer(fx *x, const ms_netlogon *n)
{
    f_hex_nonempty(x, "trailing", n->trailing);
    f_bits(x, "nt_version", n->nt_version, nt_bits, nt_names,
           sizeof nt_bits / sizeof nt_bits[0]);
    f_uint(x, "lmnt_token", n->lmnt_token);
    f_uint(x, "lm20_token", n->lm20_token);
}

void ms_netlogon_fields(const ms_netlogon *n, ms_field_fn fn, void *ctx)
{
    if (!n || !fn)
        return;
    fx x = { fn, ctx };
    f_emit(&x, "command", MS_F_UINT, n->opcode, NULL, 0,
           ms_netlogon_opcode_name(n->opcode));
    const char *lay = ms_netlogon_layout_name(n->layout);
    f_emit(&x, "layout", MS_F_TEXT, 0, (const uint8_t *)lay, strlen(lay), NULL);

    switch (n->layout) {
    case MS_NL_LAYOUT_RAW:
        f_hex(&x, "body", n->body.p, n->body.len);
        break;
    case MS_NL_LAYOUT_LOGON_REQUEST:
        f_text(&x, "computer_name", n->computer_name);
        f_text(&x, "user_name", n->user_name);
        f_text(&x, "mailslot_name", n->mailslot_name);
        f_uint(&x, "request_count", n->request_count);
        f_hex_nonempty(&x, "trailing", n->trailing);
        f_uint(&x, "lmnt_token", n->lmnt_token);
        f_uint(&x, "lm20_token", n->lm20_token);
        break;
    case MS_NL_LAYOUT_LOGON_RESPONSE2:
        f_text(&x, "primary_dc_name", n->primary_dc_name);
        f_hex_nonempty(&x, "trailing", n->trailing);
        f_uint(&x, "lm20_token", n->lm20_token);
        break;
    case MS_NL_LAYOUT_PRIMARY_QUERY_W95:
        f_text(&x, "computer_name", n->computer_name);
        f_text(&x, "mailslot_name", n->mailslot_name);
        f_hex_nonempty(&x, "trailing", n->trailing);
        f_uint(&x, "lm20_token", n->lm20_token);
        break;
    case MS_NL_LAYOUT_PRIMARY_QUERY:
        f_text(&x, "computer_name", n->computer_name);
        f_text(&x, "mailslot_name", n->mailslot_name);
        f_hex_nonempty(&x, "pad", n->pad);
        f_utf16(&x, "unicode_computer_name", n->unicode_computer_name);
        f_nt_trailer(&x, n);
        break;
    case MS_NL_LAYOUT_PRIMARY_RESPONSE:
        f_text(&x, "primary_dc_name", n->primary_dc_name);
        f_hex_nonempty(&x, "pad", n->pad);
        f_utf16(&x, "unicode_primary_dc_name", n->unicode_primary_dc_name);
        f_utf16(&x, "unicode_domain_name", n->unicode_domain_name);
        f_nt_trailer(&x, n);
        break;
    case MS_NL_LAYOUT_SAM_REQUEST:
        f_uint(&x, "request_count", n->request_count);
        f_utf16(&x, "unicode_computer_name", n->unicode_computer_name);
        f_utf16(&x, "unicode_user_name", n->unicode_user_name);
        f_text(&x, "mailslot_name", n->mailslot_name);
        f_uint(&x, "allowable_account_control", n->allowable_account_control);
        f_sid(&x, n);
        f_nt_trailer(&x, n);
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_NT40:
    case MS_NL_LAYOUT_SAM_RESPONSE_NT5:
        f_utf16(&x, "unicode_logon_server", n->unicode_logon_server);
        f_utf16(&x, "unicode_user_name", n->unicode_user_name);
        f_utf16(&x, "unicode_domain_name", n->unicode_domain_name);
        if (n->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT5) {
            f_hex(&x, "domain_guid", n->domain_guid, 16);
            f_hex(&x, "null_guid", n->null_guid, 16);
            for (int i = MS_NL_CN_DNS_FOREST; i <= MS_NL_CN_DNS_HOST; i++)
                f_name(&x, n, i);
            f_emit(&x, "dc_ip_address", MS_F_IPV4, n->dc_ip_address, NULL, 0, NULL);
            f_bits(&x, "flags", n->flags, ds_bits, ds_names,
                   sizeof ds_bits / sizeof ds_bits[0]);
        }
        f_nt_trailer(&x, n);
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_EX:
        f_uint(&x, "sbz", n->sbz);
        f_bits(&x, "flags", n->flags, ds_bits, ds_names,
               sizeof ds_bits / sizeof ds_bits[0]);
        f_hex(&x, "domain_guid", n->domain_guid, 16);
        for (int i = MS_NL_CN_DNS_FOREST; i <= MS_NL_CN_CLIENT_SITE; i++)
            f_name(&x, n, i);
        if (n->nt_version & MS_NL_NT_VERSION_5EX_WITH_IP) {
            f_uint(&x, "dc_sockaddr_size", 16);
            f_emit(&x, "dc_sockaddr_family", MS_F_UINT, n->sockaddr_family, NULL, 0,
                   n->sockaddr_family == 2 ? "AF_INET" : NULL);
            f_uint(&x, "dc_sockaddr_port", n->sockaddr_port);
            f_emit(&x, "dc_sockaddr_ip", MS_F_IPV4, n->sockaddr_addr, NULL, 0, NULL);
            f_hex(&x, "dc_sockaddr_zero", n->sockaddr_zero, 8);
        }
        if (n->nt_version & MS_NL_NT_VERSION_WITH_CLOSEST_SITE)
            f_name(&x, n, MS_NL_CN_NEXT_CLOSEST_SITE);
        f_nt_trailer(&x, n);
        break;
    case MS_NL_LAYOUT_DB_CHANGE:
        f_uint(&x, "low_serial_number", n->low_serial_number);
        f_uint(&x, "date_and_time", n->date_and_time);
        f_uint(&x, "pulse", n->pulse);
        f_uint(&x, "random", n->random);
        f_text(&x, "primary_dc_name", n->primary_dc_name);
        f_text(&x, "domain_name", n->domain_name);
        f_hex_nonempty(&x, "pad", n->pad);
        f_utf16(&x, "unicode_primary_dc_name", n->unicode_primary_dc_name);
        f_utf16(&x, "unicode_domain_name", n->unicode_domain_name);
        f_uint(&x, "db_count", n->db_count);
        f_emit(&x, "db_changes", MS_F_BEGIN_LIST, 0, NULL, 0, NULL);
        for (uint32_t i = 0; i < n->db_count && i < MS_NL_MAX_DB_CHANGES; i++) {
            f_emit(&x, NULL, MS_F_BEGIN, 0, NULL, 0, NULL);
            f_uint(&x, "db_index", n->db[i].db_index);
            f_uint(&x, "serial_number", n->db[i].serial_number);
            f_uint(&x, "date_and_time", n->db[i].date_and_time);
            f_emit(&x, NULL, MS_F_END, 0, NULL, 0, NULL);
        }
        f_emit(&x, NULL, MS_F_END, 0, NULL, 0, NULL);
        f_sid(&x, n);
        f_hex_nonempty(&x, "trailing", n->trailing);
        f_uint(&x, "message_format_version", n->nt_version);
        f_uint(&x, "message_token",
               (uint32_t)n->lmnt_token | ((uint32_t)n->lm20_token << 16));
        break;
    case MS_NL_LAYOUT__COUNT:
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Summary                                                             */
/* ------------------------------------------------------------------ */

static void sb_put_name(ms_strbuf *b, const ms_netlogon *n, int idx)
{
    char text[MS_NL_NAME_TEXT_MAX];
    if (ms_netlogon_name_text(n->message.p, n->message.len, n->names[idx], text,
                              sizeof text) == MS_OK)
        sb_put_text(b, (const uint8_t *)text, strlen(text), false);
    else
        ms_sb_putc(b, '?');
}

size_t ms_netlogon_summary(const ms_netlogon *n, char *out, size_t cap)
{
    /* The text as far as it fits: its length, not the length it would
     * have had (unlike the other summaries). */
    ms_strbuf b = ms_sb_make(out, out ? cap : 0);
    if (!n) {
        ms_sb_finish(&b);
        return 0;
    }
    const char *op = ms_netlogon_opcode_name(n->opcode);
    if (op) {
        ms_sb_puts(&b, op);
    } else {
        ms_sb_puts(&b, "opcode ");
        sb_puthex(&b, n->opcode);
    }

    switch (n->layout) {
    case MS_NL_LAYOUT_RAW:
        ms_sb_putc(&b, ' ');
        ms_sb_dec(&b, n->body.len);
        ms_sb_puts(&b, " octets");
        break;
    case MS_NL_LAYOUT_LOGON_REQUEST:
        ms_sb_putc(&b, ' ');
        sb_put_text(&b, n->computer_name.p, n->computer_name.len, false);
        ms_sb_puts(&b, " user ");
        sb_put_text(&b, n->user_name.p, n->user_name.len, false);
        ms_sb_puts(&b, " reply ");
        sb_put_text(&b, n->mailslot_name.p, n->mailslot_name.len, false);
        break;
    case MS_NL_LAYOUT_LOGON_RESPONSE2:
        ms_sb_puts(&b, " PDC ");
        sb_put_text(&b, n->primary_dc_name.p, n->primary_dc_name.len, false);
        break;
    case MS_NL_LAYOUT_PRIMARY_QUERY:
    case MS_NL_LAYOUT_PRIMARY_QUERY_W95:
        ms_sb_putc(&b, ' ');
        sb_put_text(&b, n->computer_name.p, n->computer_name.len, false);
        ms_sb_puts(&b, " reply ");
        sb_put_text(&b, n->mailslot_name.p, n->mailslot_name.len, false);
        break;
    case MS_NL_LAYOUT_SAM_REQUEST:
        ms_sb_putc(&b, ' ');
        sb_put_text(&b, n->unicode_computer_name.p, n->unicode_computer_name.len, true);
        if (n->unicode_user_name.len) {
            ms_sb_puts(&b, " user ");
            sb_put_text(&b, n->unicode_user_name.p, n->unicode_user_name.len, true);
        }
        ms_sb_puts(&b, " reply ");
        sb_put_text(&b, n->mailslot_name.p, n->mailslot_name.len, false);
        break;
    case MS_NL_LAYOUT_PRIMARY_RESPONSE:
    case MS_NL_LAYOUT_DB_CHANGE:
        ms_sb_puts(&b, " PDC ");
        sb_put_text(&b, n->primary_dc_name.p, n->primary_dc_name.len, false);
        ms_sb_puts(&b, " domain ");
        sb_put_text(&b, n->unicode_domain_name.p, n->unicode_domain_name.len, true);
        if (n->layout == MS_NL_LAYOUT_DB_CHANGE) {
            ms_sb_puts(&b, " serial ");
            ms_sb_dec(&b, n->low_serial_number);
        }
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_NT40:
    case MS_NL_LAYOUT_SAM_RESPONSE_NT5:
        ms_sb_puts(&b, " DC ");
        sb_put_text(&b, n->unicode_logon_server.p, n->unicode_logon_server.len, true);
        ms_sb_puts(&b, " domain ");
        sb_put_text(&b, n->unicode_domain_name.p, n->unicode_domain_name.len, true);
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_EX:
        ms_sb_puts(&b, " DC ");
        sb_put_name(&b, n, MS_NL_CN_NETBIOS_COMPUTER);
        ms_sb_puts(&b, " domain ");
        sb_put_name(&b, n, MS_NL_CN_NETBIOS_DOMAIN);
        break;
    case MS_NL_LAYOUT__COUNT:
        break;
    }
    ms_sb_finish(&b);
    return ms_sb_kept(&b);
}
