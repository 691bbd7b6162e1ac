/* SPDX-License-Identifier: MIT */
/* NETLOGON mailslot messages (PROTOCOL.md §7): names of opcodes and
 * layouts, the field walk and the one-line summary.
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

/* The LM-era layouts (read forwards, no NtVersion): 0x00, 0x06, 0x07 W95. */
static void f_lm_era(fx *x, const ms_netlogon *n)
{
    if (n->layout == MS_NL_LAYOUT_LOGON_RESPONSE2) {
        f_text(x, "primary_dc_name", n->primary_dc_name);
    } else {
        f_text(x, "computer_name", n->computer_name);
        if (n->layout == MS_NL_LAYOUT_LOGON_REQUEST)
            f_text(x, "user_name", n->user_name);
        f_text(x, "mailslot_name", n->mailslot_name);
        if (n->layout == MS_NL_LAYOUT_LOGON_REQUEST)
            f_uint(x, "request_count", n->request_count);
    }
    f_hex_nonempty(x, "trailing", n->trailing);
    if (n->layout == MS_NL_LAYOUT_LOGON_REQUEST)
        f_uint(x, "lmnt_token", n->lmnt_token);
    f_uint(x, "lm20_token", n->lm20_token);
}

/* 0x07 NT form and 0x0C: ASCII name(s), pad, UTF-16 names, trailer. */
static void f_primary(fx *x, const ms_netlogon *n)
{
    if (n->layout == MS_NL_LAYOUT_PRIMARY_QUERY) {
        f_text(x, "computer_name", n->computer_name);
        f_text(x, "mailslot_name", n->mailslot_name);
        f_hex_nonempty(x, "pad", n->pad);
        f_utf16(x, "unicode_computer_name", n->unicode_computer_name);
    } else {
        f_text(x, "primary_dc_name", n->primary_dc_name);
        f_hex_nonempty(x, "pad", n->pad);
        f_utf16(x, "unicode_primary_dc_name", n->unicode_primary_dc_name);
        f_utf16(x, "unicode_domain_name", n->unicode_domain_name);
    }
    f_nt_trailer(x, n);
}

static void f_sam_request(fx *x, const ms_netlogon *n)
{
    f_uint(x, "request_count", n->request_count);
    f_utf16(x, "unicode_computer_name", n->unicode_computer_name);
    f_utf16(x, "unicode_user_name", n->unicode_user_name);
    f_text(x, "mailslot_name", n->mailslot_name);
    f_uint(x, "allowable_account_control", n->allowable_account_control);
    f_sid(x, n);
    f_nt_trailer(x, n);
}

static void f_sam_response_ex(fx *x, const ms_netlogon *n)
{
    f_uint(x, "sbz", n->sbz);
    f_bits(x, "flags", n->flags, ds_bits, ds_names, sizeof ds_bits / sizeof ds_bits[0]);
    f_hex(x, "domain_guid", n->domain_guid, 16);
    for (int i = MS_NL_CN_DNS_FOREST; i <= MS_NL_CN_CLIENT_SITE; i++)
        f_name(x, n, i);
    if (n->nt_version & MS_NL_NT_VERSION_5EX_WITH_IP) {
        f_uint(x, "dc_sockaddr_size", 16);
        f_emit(x, "dc_sockaddr_family", MS_F_UINT, n->sockaddr_family, NULL, 0,
               n->sockaddr_family == 2 ? "AF_INET" : NULL);
        f_uint(x, "dc_sockaddr_port", n->sockaddr_port);
        f_emit(x, "dc_sockaddr_ip", MS_F_IPV4, n->sockaddr_addr, NULL, 0, NULL);
        f_hex(x, "dc_sockaddr_zero", n->sockaddr_zero, 8);
    }
    if (n->nt_version & MS_NL_NT_VERSION_WITH_CLOSEST_SITE)
        f_name(x, n, MS_NL_CN_NEXT_CLOSEST_SITE);
}

/* 0x13-0x15 / 0x17-0x19 in the NT40, NT5 or EX layout. */
static void f_sam_response(fx *x, const ms_netlogon *n)
{
    if (n->layout == MS_NL_LAYOUT_SAM_RESPONSE_EX) {
        f_sam_response_ex(x, n);
    } else {
        f_utf16(x, "unicode_logon_server", n->unicode_logon_server);
        f_utf16(x, "unicode_user_name", n->unicode_user_name);
        f_utf16(x, "unicode_domain_name", n->unicode_domain_name);
    }
    if (n->layout == MS_NL_LAYOUT_SAM_RESPONSE_NT5) {
        f_hex(x, "domain_guid", n->domain_guid, 16);
        f_hex(x, "null_guid", n->null_guid, 16);
        for (int i = MS_NL_CN_DNS_FOREST; i <= MS_NL_CN_DNS_HOST; i++)
            f_name(x, n, i);
        f_emit(x, "dc_ip_address", MS_F_IPV4, n->dc_ip_address, NULL, 0, NULL);
        f_bits(x, "flags", n->flags, ds_bits, ds_names, sizeof ds_bits / sizeof ds_bits[0]);
    }
    f_nt_trailer(x, n);
}

/* 0x0A: its 8-octet trailer is MessageFormatVersion and MessageToken. */
static void f_db_change(fx *x, const ms_netlogon *n)
{
    f_uint(x, "low_serial_number", n->low_serial_number);
    f_uint(x, "date_and_time", n->date_and_time);
    f_uint(x, "pulse", n->pulse);
    f_uint(x, "random", n->random);
    f_text(x, "primary_dc_name", n->primary_dc_name);
    f_text(x, "domain_name", n->domain_name);
    f_hex_nonempty(x, "pad", n->pad);
    f_utf16(x, "unicode_primary_dc_name", n->unicode_primary_dc_name);
    f_utf16(x, "unicode_domain_name", n->unicode_domain_name);
    f_uint(x, "db_count", n->db_count);
    f_emit(x, "db_changes", MS_F_BEGIN_LIST, 0, NULL, 0, NULL);
    for (uint32_t i = 0; i < n->db_count && i < MS_NL_MAX_DB_CHANGES; i++) {
        f_emit(x, NULL, MS_F_BEGIN, 0, NULL, 0, NULL);
        f_uint(x, "db_index", n->db[i].db_index);
        f_uint(x, "serial_number", n->db[i].serial_number);
        f_uint(x, "date_and_time", n->db[i].date_and_time);
        f_emit(x, NULL, MS_F_END, 0, NULL, 0, NULL);
    }
    f_emit(x, NULL, MS_F_END, 0, NULL, 0, NULL);
    f_sid(x, n);
    f_hex_nonempty(x, "trailing", n->trailing);
    f_uint(x, "message_format_version", n->nt_version);
    f_uint(x, "message_token", (uint32_t)n->lmnt_token | ((uint32_t)n->lm20_token << 16));
}

static void f_raw(fx *x, const ms_netlogon *n)
{
    f_hex(x, "body", n->body.p, n->body.len);
}

typedef void (*walker)(fx *x, const ms_netlogon *n);

static const walker walkers[MS_NL_LAYOUT__COUNT] = {
    [MS_NL_LAYOUT_RAW] = f_raw,
    [MS_NL_LAYOUT_LOGON_REQUEST] = f_lm_era,
    [MS_NL_LAYOUT_LOGON_RESPONSE2] = f_lm_era,
    [MS_NL_LAYOUT_PRIMARY_QUERY_W95] = f_lm_era,
    [MS_NL_LAYOUT_PRIMARY_QUERY] = f_primary,
    [MS_NL_LAYOUT_PRIMARY_RESPONSE] = f_primary,
    [MS_NL_LAYOUT_SAM_REQUEST] = f_sam_request,
    [MS_NL_LAYOUT_SAM_RESPONSE_NT40] = f_sam_response,
    [MS_NL_LAYOUT_SAM_RESPONSE_NT5] = f_sam_response,
    [MS_NL_LAYOUT_SAM_RESPONSE_EX] = f_sam_response,
    [MS_NL_LAYOUT_DB_CHANGE] = f_db_change,
};

void ms_netlogon_fields(const ms_netlogon *n, ms_field_fn fn, void *ctx)
{
    if (!n || !fn)
        return;
    fx x = { fn, ctx };
    f_emit(&x, "command", MS_F_UINT, n->opcode, NULL, 0,
           ms_netlogon_opcode_name(n->opcode));
    const char *lay = ms_netlogon_layout_name(n->layout);
    f_emit(&x, "layout", MS_F_TEXT, 0, (const uint8_t *)lay, strlen(lay), NULL);
    if ((unsigned)n->layout < MS_NL_LAYOUT__COUNT)
        walkers[n->layout](&x, n);
}

/* ------------------------------------------------------------------ */
/* Summary                                                             */
/* ------------------------------------------------------------------ */

/* The label (" user "), then the string made terminal-safe. */
static void sb_put_str(ms_strbuf *b, const char *label, ms_str s, bool utf16)
{
    ms_sb_puts(b, label);
    sb_put_text(b, s.p, s.len, utf16);
}

/* The label, then a compressed name expanded ('?' when it cannot be). */
static void sb_put_name(ms_strbuf *b, const char *label, const ms_netlogon *n, int idx)
{
    char text[MS_NL_NAME_TEXT_MAX];
    ms_sb_puts(b, label);
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
        sb_put_str(&b, " ", n->computer_name, false);
        sb_put_str(&b, " user ", n->user_name, false);
        sb_put_str(&b, " reply ", n->mailslot_name, false);
        break;
    case MS_NL_LAYOUT_LOGON_RESPONSE2:
        sb_put_str(&b, " PDC ", n->primary_dc_name, false);
        break;
    case MS_NL_LAYOUT_PRIMARY_QUERY:
    case MS_NL_LAYOUT_PRIMARY_QUERY_W95:
        sb_put_str(&b, " ", n->computer_name, false);
        sb_put_str(&b, " reply ", n->mailslot_name, false);
        break;
    case MS_NL_LAYOUT_SAM_REQUEST:
        sb_put_str(&b, " ", n->unicode_computer_name, true);
        if (n->unicode_user_name.len)
            sb_put_str(&b, " user ", n->unicode_user_name, true);
        sb_put_str(&b, " reply ", n->mailslot_name, false);
        break;
    case MS_NL_LAYOUT_PRIMARY_RESPONSE:
    case MS_NL_LAYOUT_DB_CHANGE:
        sb_put_str(&b, " PDC ", n->primary_dc_name, false);
        sb_put_str(&b, " domain ", n->unicode_domain_name, true);
        if (n->layout == MS_NL_LAYOUT_DB_CHANGE) {
            ms_sb_puts(&b, " serial ");
            ms_sb_dec(&b, n->low_serial_number);
        }
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_NT40:
    case MS_NL_LAYOUT_SAM_RESPONSE_NT5:
        sb_put_str(&b, " DC ", n->unicode_logon_server, true);
        sb_put_str(&b, " domain ", n->unicode_domain_name, true);
        break;
    case MS_NL_LAYOUT_SAM_RESPONSE_EX:
        sb_put_name(&b, " DC ", n, MS_NL_CN_NETBIOS_COMPUTER);
        sb_put_name(&b, " domain ", n, MS_NL_CN_NETBIOS_DOMAIN);
        break;
    case MS_NL_LAYOUT__COUNT:
        break;
    }
    ms_sb_finish(&b);
    return ms_sb_kept(&b);
}
