/* SPDX-License-Identifier: MIT */
/* L- rules: NETLOGON messages (PROTOCOL.md §8.5). Offsets are from the
 * start of the UDP payload; v->base is that of the NETLOGON message (the
 * mailslot data), d its octets. */
#include <string.h>
#include <strings.h>

#include "validator.h"

static bool nt_era(uint16_t op)
{
    return op == 0x07 || op == 0x0C || (op >= 0x12 && op <= 0x19);
}

static bool nl_request(uint16_t op)
{
    return op == 0x00 || op == 0x07 || op == 0x12;
}

/* JSON keys of the compressed names, by position (as netlogon_fields.c emits them). */
static const char *const nl_name_keys[MS_NL_CN_COUNT] = {
    "netlogon.dns_forest_name", "netlogon.dns_domain_name", "netlogon.dns_host_name",
    "netlogon.netbios_domain_name", "netlogon.netbios_computer_name", "netlogon.user_name",
    "netlogon.dc_site_name", "netlogon.client_site_name", "netlogon.next_closest_site",
};

/* The NETLOGON message did not decode: name the rule that explains why, or
 * P-03 when none does. */
static void netlogon_failure(vctx *v, uint16_t op)
{
    const ms_message *m = v->m;
    const ms_netlogon *nl = &m->netlogon;
    const uint8_t *d = m->trans.data.p;
    size_t len = m->trans.data.len;
    size_t base = v->base;
    ms_report *r = v->r;
    switch (m->status) {
    case MS_ERR_COMPRESSION: {
        const char *key = "netlogon";
        for (size_t i = 0; i < MS_NL_CN_COUNT; i++) {
            ms_bytes w = nl->names[i];
            if (!w.p || ms_netlogon_name_text(d, len, w, NULL, 0) != MS_OK) {
                key = nl_name_keys[i];
                break;
            }
        }
        ADD(r, "L-10", key, m->err_off, "compressed name: loop, forward pointer, outside the message or > 255 octets");
        return;
    }
    case MS_ERR_UNTERMINATED:
        ADD(r, "L-03", "netlogon", m->err_off, "string without its terminator before the trailer");
        return;
    case MS_ERR_LAYOUT:
        if (nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_EX) {
            ADD(r, "L-09", "netlogon.dc_sockaddr_size", m->err_off, "DcSockAddrSize %u, not 16",
                v->p[m->err_off]);
            return;
        }
        if ((op >= 0x13 && op <= 0x15) || (op >= 0x17 && op <= 0x19)) {
            ADD(r, "L-08", "netlogon.nt_version", base + len - 8,
                "NtVersion 0x%08x selects no response layout (needs == 1, V5 or V5EX)", nl->nt_version);
            return;
        }
        break;
    case MS_ERR_TRUNCATED:
        if (nl->layout == MS_NL_LAYOUT_SAM_REQUEST && nl->mailslot_name.terminated) {
            /* Everything up to DomainSidSize fitted: the SID it announces did not. */
            size_t size_at = (size_t)(nl->mailslot_name.p - d) + nl->mailslot_name.len + 1 + 4;
            if (size_at + 4 <= len - 8) {
                uint32_t sz = (uint32_t)d[size_at] | (uint32_t)d[size_at + 1] << 8 |
                              (uint32_t)d[size_at + 2] << 16 | (uint32_t)d[size_at + 3] << 24;
                ADD(r, "L-05", "netlogon.domain_sid_size", base + size_at,
                    "DomainSidSize %u, but only %zu octets precede the trailer", sz, len - 8 - size_at - 4);
                return;
            }
        }
        if (nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT40 || nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT5 ||
            nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_EX) {
            ADD(r, "L-08", "netlogon.nt_version", base + len - 8,
                "the %s layout NtVersion 0x%08x selects does not fit the %zu octets",
                ms_netlogon_layout_name(nl->layout), nl->nt_version, len);
            return;
        }
        break;
    default:
        break;
    }
    /* An undefined opcode, more entries than the decoder holds, a fixed
     * field cut short: nothing in 8.5 covers it. */
    ms_check_undecoded(v);
}

/* L-01, L-11: the mailslot and the datagram a message travels in. */
static void addressing_rules(vctx *v, uint16_t op)
{
    const ms_message *m = v->m;
    const ms_trans *t = &m->trans;
    ms_report *r = v->r;
    if (nl_request(op)) {
        const uint8_t *n = t->name.p;
        size_t nn = t->name.len;
        bool ok = (nn == 22 && strncasecmp((const char *)n, "\\MAILSLOT\\NET\\NETLOGON", 22) == 0) ||
                  (nn == 21 && strncasecmp((const char *)n, "\\MAILSLOT\\NET\\NTLOGON", 21) == 0);
        if (!ok)
            ADD(r, "L-01", "mailslot.name", v->smb + 35 + 2 * (size_t)t->word_count,
                "request 0x%02x on a mailslot other than NET\\NETLOGON", op);
        uint8_t sfx = m->dgram.dst.name[15];
        if (op == 0x12 && sfx != 0x1C && sfx != 0x1B && sfx != 0x00)
            ADD(r, "L-11", "nbdgm.dst_name", 14 + m->dgram.src.wire_len, "request to suffix 0x%02x", sfx);
    } else if (m->dgram.type != MS_NBDS_DIRECT_UNIQUE && (op == 0x06 || op == 0x0C || (op >= 0x13 && op <= 0x19))) {
        ADD(r, "L-11", "nbdgm.type", 0, "response sent as MSG_TYPE 0x%02x, not 0x10", m->dgram.type);
    }
}

/* L-02: an NT-era message ends with LmNtToken and Lm20Token 0xFFFF. False
 * when it does not (nothing more is checked then). */
static bool tokens_ok(vctx *v, uint16_t op)
{
    const ms_message *m = v->m;
    const uint8_t *d = m->trans.data.p;
    size_t len = m->trans.data.len;
    static const uint8_t ff[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
    bool short_form = m->payload_ok && m->netlogon.layout == MS_NL_LAYOUT_PRIMARY_QUERY_W95;
    if (!nt_era(op) || short_form)
        return true;
    if (len < 10) {
        ADD(v->r, "L-02", "netlogon", v->base, "NT-era message of %zu octets (< 10)", len);
        return false;
    }
    if (memcmp(d + len - 4, ff, 4) != 0) {
        bool lmnt = memcmp(d + len - 4, ff, 2) != 0;
        ADD(v->r, "L-02", lmnt ? "netlogon.lmnt_token" : "netlogon.lm20_token", v->base + len - (lmnt ? 4 : 2),
            "NT-era message does not end FF FF FF FF (LmNtToken 0x%04x, Lm20Token 0x%04x)",
            (unsigned)(d[len - 4] | d[len - 3] << 8), (unsigned)(d[len - 2] | d[len - 1] << 8));
        return false;
    }
    return true;
}

/* L-04, L-06, L-07, L-05: the requests and the primary query/response. */
static void request_rules(vctx *v, uint16_t op)
{
    const ms_netlogon *nl = &v->m->netlogon;
    const uint8_t *d = v->m->trans.data.p;
    size_t len = v->m->trans.data.len;
    size_t base = v->base;
    ms_report *r = v->r;
    if (nl->layout == MS_NL_LAYOUT_PRIMARY_QUERY || nl->layout == MS_NL_LAYOUT_PRIMARY_RESPONSE) {
        size_t at = nl->layout == MS_NL_LAYOUT_PRIMARY_QUERY
                        ? 2 + nl->computer_name.len + 1 + nl->mailslot_name.len + 1
                        : 2 + nl->primary_dc_name.len + 1;
        size_t need = at % 2;
        bool zero = nl->pad.len == 0 || nl->pad.p[0] == 0;
        if (nl->pad.len != need || !zero)
            ADD(r, "L-04", "netlogon.pad", base + at, "%zu alignment octet(s), %zu needed%s", nl->pad.len, need,
                zero ? "" : ", not zero");
    }
    if (op == 0x12 || op == 0x07) {
        const ms_str *ms = &nl->mailslot_name;
        if (ms->len < 10 || strncasecmp((const char *)ms->p, "\\MAILSLOT\\", 10) != 0)
            ADD(r, "L-06", "netlogon.mailslot_name", base + (size_t)(ms->p - d), "reply mailslot does not begin \\MAILSLOT\\");
        if (op == 0x12 || nl->layout == MS_NL_LAYOUT_PRIMARY_QUERY) {
            if (nl->nt_version & ~0xF100001Fu)
                ADD(r, "L-07", "netlogon.nt_version", base + len - 8, "NtVersion 0x%08x has reserved bits 0x%08x",
                    nl->nt_version, nl->nt_version & ~0xF100001Fu);
        }
    }
    if (nl->layout == MS_NL_LAYOUT_SAM_REQUEST && nl->domain_sid.len) {
        size_t sz = nl->domain_sid.len;
        size_t at = (size_t)(nl->domain_sid.p - d);
        size_t size_at = at - nl->sid_pad.len - 4;
        uint8_t subs = sz >= 2 ? nl->domain_sid.p[1] : 0;
        if (sz < 8 || sz > 68 || sz != 8 + 4 * (size_t)subs)
            ADD(r, "L-05", "netlogon.domain_sid_size", base + size_at,
                "DomainSidSize %zu, SID with %u sub-authorities (%zu octets)", sz, subs, 8 + 4 * (size_t)subs);
        else if (at % 4)
            ADD(r, "L-05", "netlogon.domain_sid", base + at, "DomainSid at message offset %zu, not 4-aligned", at);
    }
}

/* L-09, L-08: what the SAM responses hold beyond their layout. */
static void response_rules(vctx *v)
{
    const ms_netlogon *nl = &v->m->netlogon;
    const uint8_t *d = v->m->trans.data.p;
    size_t base = v->base;
    ms_report *r = v->r;
    bool sam_response = nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT40 || nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT5 ||
                        nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_EX;
    if (nl->layout == MS_NL_LAYOUT_SAM_RESPONSE_EX) {
        static const uint8_t z[8];
        if (nl->sbz)
            ADD(r, "L-09", "netlogon.sbz", base + 2, "Sbz 0x%04x", nl->sbz);
        /* DcSockAddrSize sits right after ClientSiteName. */
        const ms_bytes *cs = &nl->names[MS_NL_CN_CLIENT_SITE];
        size_t sa = (size_t)(cs->p - d) + cs->len;
        const ms_bytes *tr = &nl->trailing;
        if (nl->nt_version & MS_NL_NT_VERSION_5EX_WITH_IP) {
            if (nl->sockaddr_family != 2)
                ADD(r, "L-09", "netlogon.dc_sockaddr_family", base + sa + 1, "sin_family %u, not 2",
                    nl->sockaddr_family);
            if (memcmp(nl->sockaddr_zero, z, 8) != 0)
                ADD(r, "L-09", "netlogon.dc_sockaddr_zero", base + sa + 9, "sin_zero not zero");
        } else if (tr->len >= 17 && tr->p[0] == 16) {
            /* FreeIPA's DcSockAddr without V5EP: present iff NtVersion & 0x8. */
            ADD(r, "L-09", "netlogon.trailing", base + (size_t)(tr->p - d),
                "a DcSockAddr (size 16) follows, but NtVersion 0x%08x has no V5EP", nl->nt_version);
            sam_response = false;
        }
    }
    if (sam_response && nl->trailing.len)
        ADD(r, "L-08", "netlogon.trailing", base + (size_t)(nl->trailing.p - d),
            "%zu octets the %s layout of NtVersion 0x%08x does not hold", nl->trailing.len,
            ms_netlogon_layout_name(nl->layout), nl->nt_version);
}

void ms_check_netlogon(vctx *v)
{
    const ms_message *m = v->m;
    const ms_trans *t = &m->trans;
    if (t->data.len < 2) {
        /* Empty data is D-10's; one octet cannot even hold the opcode. */
        if (t->data.len == 1)
            ms_check_undecoded(v);
        return;
    }
    uint16_t op = (uint16_t)(t->data.p[0] | t->data.p[1] << 8);
    addressing_rules(v, op);
    if (!tokens_ok(v, op))
        return;
    if (!m->payload_ok) {
        netlogon_failure(v, op);
        return;
    }
    request_rules(v, op);
    response_rules(v);
}
