/* SPDX-License-Identifier: MIT */
/* The hosts table (host_table.h): the newest announcement of a name wins,
 * a host going away keeps what it said before. */
#include "host_table.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "mailslot/net.h"

/* SV_TYPE bits as short words, bit 0 first (MS-RAP 2.5.5.2.1, PROTOCOL.md §6.4). */
static const char *const role_words[32] = {
    "workstation", "server", "sql", "dc", "bdc", "time", "afp", "novell",
    "member", "print", "dialin", "unix", "nt", "wfw", "mfpn", "ntserver",
    "potential-browser", "backup-browser", "master-browser", "domain-master",
    "osf", "vms", "windows", "dfs", "cluster", "terminal-server", "cluster-vs",
    NULL, "dce", "alt-transport", "local-list", "domain-enum",
};

/* The first 15 octets of a NetBIOS name, up to a NUL, trailing spaces off. */
static size_t trim_name(const uint8_t *in, uint8_t *out)
{
    size_t n = 0;
    while (n < HOST_NAME_MAX_OCTETS && in[n])
        n++;
    while (n > 0 && in[n - 1] == ' ')
        n--;
    memcpy(out, in, n);
    out[n] = 0;
    return n;
}

static host *find_or_add(host_table *c, const uint8_t *name, size_t len)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->h[i].name_len == len && !memcmp(c->h[i].name, name, len))
            return &c->h[i];
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        host *nh = realloc(c->h, ncap * sizeof *nh);
        if (!nh) {
            c->oom = true;
            return NULL;
        }
        c->h = nh;
        c->cap = ncap;
    }
    host *h = &c->h[c->n++];
    memset(h, 0, sizeof *h);
    memcpy(h->name, name, len);
    h->name_len = len;
    return h;
}

void host_table_take(host_table *c, const ms_message *m, uint64_t t_ns, uint64_t frame)
{
    if (!m->payload_ok || (m->kind != MS_PAYLOAD_BROWSER && m->kind != MS_PAYLOAD_LANMAN))
        return;
    const ms_browser *b = &m->browser;
    if (b->opcode != MS_BRWS_HOST_ANNOUNCEMENT && b->opcode != MS_BRWS_LOCAL_MASTER_ANNOUNCEMENT)
        return;
    uint8_t raw[HOST_NAME_MAX_OCTETS + 1] = { 0 }, name[HOST_NAME_MAX_OCTETS + 1];
    if (b->lm_format) /* the LM 2.x layout carries the name as a string */
        memcpy(raw, b->name.p, b->name.len < HOST_NAME_MAX_OCTETS ? b->name.len
                                                                  : HOST_NAME_MAX_OCTETS);
    else
        memcpy(raw, b->server_name, HOST_NAME_MAX_OCTETS);
    size_t len = trim_name(raw, name);
    if (len == 0)
        return;
    host *h = find_or_add(c, name, len);
    if (!h)
        return;
    c->announcements++;
    if (h->announcements == 0) {
        h->first_ns = t_ns;
        h->first_frame = frame;
    }
    h->announcements++;
    h->last_ns = t_ns;
    h->last_frame = frame;
    h->ip = m->dgram.src_ip; /* the NBDS SOURCE_IP: the announcing host */
    /* Server type 0 is the announcement of a host shutting down: it keeps
     * what the host said before. */
    h->going_away = b->server_type == 0;
    if (h->going_away && h->described)
        return;
    /* Samba and old Windows announce on \MAILSLOT\LANMAN too: the LAN
     * Manager layout (upper-case comment, no browser version) only
     * describes a host that sends no MS-BRWS announcement. */
    if (b->lm_format && h->brws)
        return;
    h->described = true;
    h->brws = h->brws || !b->lm_format;
    h->lm_format = b->lm_format;
    h->os_major = b->os_major;
    h->os_minor = b->os_minor;
    h->browser_major = b->browser_major;
    h->browser_minor = b->browser_minor;
    h->server_type = b->server_type;
    h->periodicity_ms = b->lm_format ? b->periodicity * 1000u : b->periodicity;
    h->group_len = m->dgram.dst.valid ? trim_name(m->dgram.dst.name, h->group) : 0;
    h->group[h->group_len] = 0;
    size_t cl = b->comment.len < HOST_COMMENT_MAX ? b->comment.len : HOST_COMMENT_MAX;
    if (cl)
        memcpy(h->comment, b->comment.p, cl);
    /* A comment ends at its NUL when the codec kept one. */
    size_t k = 0;
    while (k < cl && h->comment[k])
        k++;
    h->comment_len = k;
}

static int by_name(const void *a, const void *b)
{
    const host *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int r = memcmp(x->name, y->name, n);
    if (r)
        return r;
    return (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

static void fmt_time(uint64_t ns, char *out, size_t cap)
{
    time_t s = (time_t)(ns / 1000000000u);
    struct tm tm;
    if (!gmtime_r(&s, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, cap, "%llu", (unsigned long long)(ns / 1000000000u));
}

/* The roles as words, separated by sep. */
static void fmt_roles(uint32_t type, const char *sep, bool json, char *out, size_t cap)
{
    size_t pos = 0;
    out[0] = 0;
    for (unsigned i = 0; i < 32; i++) {
        if (!(type & ((uint32_t)1 << i)))
            continue;
        char bit[8];
        const char *w = role_words[i];
        if (!w) {
            snprintf(bit, sizeof bit, "bit%u", i);
            w = bit;
        }
        int r = snprintf(out + pos, cap - pos, "%s%s%s%s", pos ? sep : "", json ? "\"" : "", w,
                         json ? "\"" : "");
        if (r < 0 || (size_t)r >= cap - pos)
            break;
        pos += (size_t)r;
    }
}

void host_table_print(FILE *f, const host *h, bool json)
{
    char ip[16], last[32], first[32], roles[512];
    ms_ip_format(h->ip, ip, sizeof ip);
    fmt_time(h->last_ns, last, sizeof last);
    fmt_time(h->first_ns, first, sizeof first);
    if (json) {
        fputs("{\"name\":\"", f);
        esc_write(f, h->name, h->name_len, ESC_JSON_BARE);
        fputs("\",\"workgroup\":\"", f);
        esc_write(f, h->group, h->group_len, ESC_JSON_BARE);
        fmt_roles(h->server_type, ",", true, roles, sizeof roles);
        fprintf(f,
                "\",\"ip\":\"%s\",\"os_major\":%u,\"os_minor\":%u,\"browser_major\":%u,"
                "\"browser_minor\":%u,\"lm_format\":%s,\"going_away\":%s,\"server_type\":%lu,"
                "\"roles\":[%s],\"comment\":\"",
                ip, h->os_major, h->os_minor, h->browser_major, h->browser_minor,
                h->lm_format ? "true" : "false",
                h->going_away ? "true" : "false", (unsigned long)h->server_type, roles);
        esc_write(f, h->comment, h->comment_len, ESC_JSON_BARE);
        fprintf(f,
                "\",\"periodicity_ms\":%lu,\"announcements\":%llu,\"first_seen\":\"%s\","
                "\"last_seen\":\"%s\",\"last_seen_ns\":%llu,\"last_frame\":%llu}\n",
                (unsigned long)h->periodicity_ms, (unsigned long long)h->announcements, first,
                last, (unsigned long long)h->last_ns, (unsigned long long)h->last_frame);
        return;
    }
    fmt_roles(h->server_type, ",", false, roles, sizeof roles);
    char os[16];
    snprintf(os, sizeof os, "%u.%u", h->os_major, h->os_minor);
    int w = (int)esc_len(h->name, h->name_len, ESC_TEXT);
    esc_write(f, h->name, h->name_len, ESC_TEXT);
    fprintf(f, "%*s", w < 16 ? 16 - w : 1, "");
    w = (int)esc_len(h->group, h->group_len, ESC_TEXT);
    if (h->group_len)
        esc_write(f, h->group, h->group_len, ESC_TEXT);
    else {
        fputc('-', f);
        w = 1;
    }
    fprintf(f, "%*s%-15s %-6s %-20s %s%s\n", w < 16 ? 16 - w : 1, "", ip, os, last,
            roles[0] ? roles : "-", h->going_away ? " (going away)" : "");
    /* The comment has a line of its own when there is one: it is free text. */
    if (h->comment_len) {
        fputs("    comment: \"", f);
        esc_write(f, h->comment, h->comment_len, ESC_TEXT);
        fputs("\"\n", f);
    }
}

void host_table_sort(host_table *c)
{
    if (c->n)
        qsort(c->h, c->n, sizeof *c->h, by_name);
}

void host_table_heading(FILE *f)
{
    fprintf(f, "%-16s%-16s%-15s %-6s %-20s %s\n", "NAME", "WORKGROUP", "ADDRESS", "OS",
            "LAST SEEN", "ROLES");
}
