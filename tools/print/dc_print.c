/* SPDX-License-Identifier: MIT */
/* A DC's reply in one line (dc_print.h): the NETLOGON fields a person
 * pinging a domain wants, taken from the codec's field walk so the names
 * are decode's. */
#include "dc_print.h"

#include <string.h>

#include "escape.h"
#include "mailslot/net.h"

/* decode's key -> the word on the line; in the order printed. */
static const struct {
    const char *key, *word;
} shown[] = {
    { "unicode_logon_server", "server" },     { "primary_dc_name", "pdc" },
    { "unicode_primary_dc_name", "pdc" },     { "netbios_computer_name", "dc" },
    { "unicode_domain_name", "domain" },      { "netbios_domain_name", "domain" },
    { "dns_domain_name", "dns-domain" },      { "dns_forest_name", "forest" },
    { "dns_host_name", "host" },              { "domain_guid", "guid" },
    { "dc_site_name", "site" },               { "client_site_name", "client-site" },
    { "dc_sockaddr_ip", "address" },          { "dc_ip_address", "address" },
    { "flags", "flags" },                     { "nt_version", "nt-version" },
};

typedef struct line_ctx {
    FILE *f;
    int depth;
    const char *seen[sizeof shown / sizeof shown[0]];
} line_ctx;

/* A GUID's 16 octets as {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}: the first
 * three fields little-endian (MS-DTYP 2.3.4.2). */
static void put_guid(FILE *f, const uint8_t *g)
{
    fprintf(f, "{%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-", g[3], g[2], g[1], g[0], g[5], g[4],
            g[7], g[6], g[8], g[9]);
    for (int i = 10; i < 16; i++)
        fprintf(f, "%02x", g[i]);
    putc('}', f);
}

static void put_value(FILE *f, const ms_field *fl)
{
    char ip[16];
    switch (fl->kind) {
    case MS_F_TEXT:
        esc_write(f, fl->p, fl->len, ESC_TEXT);
        break;
    case MS_F_UTF16:
        /* Printable ASCII as it is (a logon server is "\\NAME"), any
         * other code unit as \uXXXX. */
        for (size_t i = 0; i + 1 < fl->len; i += 2) {
            unsigned cu = (unsigned)(fl->p[i] | fl->p[i + 1] << 8);
            char u[ESC_MAX];
            char *e = cu >= 0x20 && cu < 0x7f ? (*u = (char)cu, u + 1)
                                              : esc_unit(u, cu, ESC_TEXT_UNITS);
            fwrite(u, 1, (size_t)(e - u), f);
        }
        break;
    case MS_F_IPV4:
        ms_ip_format((uint32_t)fl->u, ip, sizeof ip);
        fputs(ip, f);
        break;
    case MS_F_HEX:
        if (fl->len == 16)
            put_guid(f, fl->p);
        break;
    default:
        fprintf(f, "0x%llx", (unsigned long long)fl->u);
        if (fl->label && *fl->label)
            fprintf(f, " (%s)", fl->label);
    }
}

static void on_field(void *vctx, const ms_field *fl)
{
    line_ctx *x = vctx;
    if (fl->kind == MS_F_BEGIN || fl->kind == MS_F_BEGIN_LIST) {
        x->depth++;
        return;
    }
    if (fl->kind == MS_F_END) {
        x->depth--;
        return;
    }
    if (x->depth || !fl->key)
        return;
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        if (strcmp(fl->key, shown[i].key))
            continue;
        /* An empty name says nothing; one word once (pdc in two forms). */
        if ((fl->kind == MS_F_TEXT || fl->kind == MS_F_UTF16) && fl->len == 0)
            return;
        for (size_t k = 0; k < i; k++)
            if (x->seen[k] && !strcmp(x->seen[k], shown[i].word))
                return;
        x->seen[i] = shown[i].word;
        fprintf(x->f, " %s ", shown[i].word);
        put_value(x->f, fl);
        return;
    }
}

void dc_reply_line(FILE *f, const ms_udp_datagram *d, const ms_message *m)
{
    char ip[16], name[300];
    ms_ip_format(d->ip_src, ip, sizeof ip);
    ms_nb_name_format(&m->dgram.src, name, sizeof name);
    const char *op = ms_netlogon_opcode_name(m->netlogon.opcode);
    fprintf(f, "%s %s %s (0x%02x):", ip, name, op ? op : "opcode", m->netlogon.opcode);
    line_ctx x = { f, 0, { NULL } };
    ms_netlogon_fields(&m->netlogon, on_field, &x);
    putc('\n', f);
}
