/* SPDX-License-Identifier: MIT */
/* NETLOGON mailslot messages (PROTOCOL.md §7): encode. It writes back
 * exactly the octets netlogon_decode.c took apart (decoded pads and names
 * verbatim), and computes what a struct built from scratch leaves unset
 * (pads as zeros, names as the root). */
#include "mailslot/netlogon.h"

#include <string.h>

#include "cursor.h"
#include "netlogon_layout.h"

/* ------------------------------------------------------------------ */
/* Field writers: set w->err on a bad argument, like the cursor does   */
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
        return ms_nl_is_sam_response(n->opcode) && ms_nl_response_layout(n->nt_version) == n->layout;
    case MS_NL_LAYOUT__COUNT: break;
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* One writer per layout, the mirror of the readers in decode          */
/* ------------------------------------------------------------------ */

static void enc_raw(ms_wcur *w, const ms_netlogon *n)
{
    wr_bytes(w, n->body);
}

/* 0x00: ComputerName, UserName, MailslotName, RequestCount u8, tokens. */
static void enc_logon_request(ms_wcur *w, const ms_netlogon *n)
{
    wr_str(w, n->computer_name, 1);
    wr_str(w, n->user_name, 1);
    wr_str(w, n->mailslot_name, 1);
    ms_wcur_u8(w, (uint8_t)n->request_count);
    ms_wcur_le16(w, n->lmnt_token);
    ms_wcur_le16(w, n->lm20_token);
    wr_bytes(w, n->trailing);
}

/* 0x06: PdcName, Lm20Token. */
static void enc_response2(ms_wcur *w, const ms_netlogon *n)
{
    wr_str(w, n->primary_dc_name, 1);
    ms_wcur_le16(w, n->lm20_token);
    wr_bytes(w, n->trailing);
}

/* 0x07, both forms: the W95 one ends with Lm20Token, the NT one with a
 * pad, UnicodeComputerName and the trailer. */
static void enc_primary_query(ms_wcur *w, const ms_netlogon *n)
{
    wr_str(w, n->computer_name, 1);
    wr_str(w, n->mailslot_name, 1);
    if (n->layout == MS_NL_LAYOUT_PRIMARY_QUERY_W95) {
        ms_wcur_le16(w, n->lm20_token);
        wr_bytes(w, n->trailing);
        return;
    }
    wr_pad(w, n->pad, 2);
    wr_str(w, n->unicode_computer_name, 2);
    wr_trailer(w, n);
}

/* 0x0C: PrimaryDCName, pad, UnicodePrimaryDCName, UnicodeDomainName. */
static void enc_primary_response(ms_wcur *w, const ms_netlogon *n)
{
    wr_str(w, n->primary_dc_name, 1);
    wr_pad(w, n->pad, 2);
    wr_str(w, n->unicode_primary_dc_name, 2);
    wr_str(w, n->unicode_domain_name, 2);
    wr_trailer(w, n);
}

/* 0x12 LOGON_SAM_LOGON_REQUEST. */
static void enc_sam_request(ms_wcur *w, const ms_netlogon *n)
{
    ms_wcur_le16(w, n->request_count);
    wr_str(w, n->unicode_computer_name, 2);
    wr_str(w, n->unicode_user_name, 2);
    wr_str(w, n->mailslot_name, 1);
    ms_wcur_le32(w, n->allowable_account_control);
    wr_sid(w, n, true);
    wr_trailer(w, n);
}

static void enc_sam_response_ex(ms_wcur *w, const ms_netlogon *n)
{
    ms_wcur_le16(w, n->sbz);
    ms_wcur_le32(w, n->flags);
    ms_wcur_bytes(w, n->domain_guid, 16);
    for (int i = MS_NL_CN_DNS_FOREST; i <= MS_NL_CN_CLIENT_SITE; i++)
        wr_name(w, n->names[i]);
    if (n->nt_version & MS_NL_NT_VERSION_5EX_WITH_IP) {
        ms_wcur_u8(w, 16);
        ms_wcur_le16(w, n->sockaddr_family);
        ms_wcur_be16(w, n->sockaddr_port);
        ms_wcur_be32(w, n->sockaddr_addr);
        ms_wcur_bytes(w, n->sockaddr_zero, 8);
    }
    if (n->nt_version & MS_NL_NT_VERSION_WITH_CLOSEST_SITE)
        wr_name(w, n->names[MS_NL_CN_NEXT_CLOSEST_SITE]);
}

/* 0x13-0x15 / 0x17-0x19 in the NT40, NT5 or EX layout. */
static void enc_sam_response(ms_wcur *w, const ms_netlogon *n)
{
    if (n->layout == MS_NL_LAYOUT_SAM_RESPONSE_EX) {
        enc_sam_response_ex(w, n);
    } else {
        wr_str(w, n->unicode_logon_server, 2);
        wr_str(w, n->unicode_user_name, 2);
        wr_str(w, n->unicode_domain_name, 2);
    }
    if (n->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT5) {
        ms_wcur_bytes(w, n->domain_guid, 16);
        ms_wcur_bytes(w, n->null_guid, 16);
        for (int i = MS_NL_CN_DNS_FOREST; i <= MS_NL_CN_DNS_HOST; i++)
            wr_name(w, n->names[i]);
        ms_wcur_be32(w, n->dc_ip_address);
        ms_wcur_le32(w, n->flags);
    }
    wr_trailer(w, n);
}

/* 0x0A NETLOGON_DB_CHANGE. */
static void enc_db_change(ms_wcur *w, const ms_netlogon *n)
{
    ms_wcur_le32(w, n->low_serial_number);
    ms_wcur_le32(w, n->date_and_time);
    ms_wcur_le32(w, n->pulse);
    ms_wcur_le32(w, n->random);
    wr_str(w, n->primary_dc_name, 1);
    wr_str(w, n->domain_name, 1);
    wr_pad(w, n->pad, 2);
    wr_str(w, n->unicode_primary_dc_name, 2);
    wr_str(w, n->unicode_domain_name, 2);
    ms_wcur_le32(w, n->db_count);
    for (uint32_t i = 0; i < n->db_count; i++) {
        ms_wcur_le32(w, n->db[i].db_index);
        ms_wcur_le64(w, n->db[i].serial_number);
        ms_wcur_le64(w, n->db[i].date_and_time);
    }
    wr_sid(w, n, false);
    wr_trailer(w, n);
}

typedef void (*writer)(ms_wcur *w, const ms_netlogon *n);

static const writer writers[MS_NL_LAYOUT__COUNT] = {
    [MS_NL_LAYOUT_RAW] = enc_raw,
    [MS_NL_LAYOUT_LOGON_REQUEST] = enc_logon_request,
    [MS_NL_LAYOUT_LOGON_RESPONSE2] = enc_response2,
    [MS_NL_LAYOUT_PRIMARY_QUERY] = enc_primary_query,
    [MS_NL_LAYOUT_PRIMARY_QUERY_W95] = enc_primary_query,
    [MS_NL_LAYOUT_PRIMARY_RESPONSE] = enc_primary_response,
    [MS_NL_LAYOUT_SAM_REQUEST] = enc_sam_request,
    [MS_NL_LAYOUT_SAM_RESPONSE_NT40] = enc_sam_response,
    [MS_NL_LAYOUT_SAM_RESPONSE_NT5] = enc_sam_response,
    [MS_NL_LAYOUT_SAM_RESPONSE_EX] = enc_sam_response,
    [MS_NL_LAYOUT_DB_CHANGE] = enc_db_change,
};

/* layout_fits() admits only the layouts of the table. */
ms_status ms_netlogon_encode(const ms_netlogon *n, uint8_t *buf, size_t cap,
                             size_t *out_len)
{
    if (out_len)
        *out_len = 0;
    if (!n || (!buf && cap) || !layout_fits(n))
        return MS_ERR_INVALID_ARG;

    ms_wcur w = ms_wcur_make(buf, cap);
    ms_wcur_le16(&w, n->opcode);
    writers[n->layout](&w, n);
    if (w.err)
        return w.err;
    if (out_len)
        *out_len = w.pos;
    return MS_OK;
}
