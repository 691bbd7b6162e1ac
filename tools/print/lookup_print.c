/* SPDX-License-Identifier: MIT */
/* The answers of `mailslot lookup`, as text lines or NDJSON
 * (docs/decode-json.md, "lookup --json"). */
#include "lookup_print.h"

#include <string.h>

#include "json_out.h"
#include "mailslot/net.h"

/* The widest NAME<xx> column before it pushes the next one: 15 plain
 * octets and the suffix, and room to spare. */
#define NAME_COL 24

const char *lookup_ont_name(uint16_t flags)
{
    static const char *const ont[4] = { "B", "P", "M", "H" };
    return ont[(flags & MS_NBNS_NB_ONT_MASK) >> 13];
}

static json_out *json_for(FILE *f)
{
    static json_out j;
    jo_init(&j, f);
    return &j;
}

static void answer_json(json_out *j, const char *name, const ms_lookup_answer *a)
{
    unsigned rc = MS_NBNS_RCODE(a->flags);
    jo_begin(j, NULL);
    jo_cstr(j, "name", name);
    jo_ipv4(j, "from", a->from_ip);
    jo_uint(j, "from_port", a->from_port);
    jo_bool(j, "positive", rc == 0);
    jo_uint(j, "rcode", rc);
    if (rc)
        jo_cstr(j, "rcode_name", ms_nbns_rcode_name(rc));
    jo_uint(j, "flags", a->flags);
    jo_uint(j, "ms", a->at_ms);
    if (rc == 0) {
        jo_uint(j, "ttl", a->ttl);
        jo_begin_list(j, "addresses");
        for (size_t i = 0; i < a->naddrs; i++) {
            jo_begin(j, NULL);
            jo_ipv4(j, "ip", a->addrs[i].ip);
            jo_bool(j, "group", a->addrs[i].nb_flags & MS_NBNS_NB_GROUP);
            jo_cstr(j, "ont", lookup_ont_name(a->addrs[i].nb_flags));
            jo_uint(j, "nb_flags", a->addrs[i].nb_flags);
            jo_end(j);
        }
        jo_end(j);
        if (a->naddrs_total > a->naddrs)
            jo_uint(j, "addresses_total", a->naddrs_total);
    }
    jo_end_line(j);
}

static void answer_text(FILE *f, const char *name, const ms_lookup_answer *a)
{
    char from[16], ip[16];
    ms_ip_format(a->from_ip, from, sizeof from);
    for (size_t i = 0; i < a->naddrs; i++) {
        ms_ip_format(a->addrs[i].ip, ip, sizeof ip);
        fprintf(f, "%s %s%s", ip, name, (a->addrs[i].nb_flags & MS_NBNS_NB_GROUP) ? " group" : "");
        if (a->addrs[i].ip != a->from_ip)
            fprintf(f, " (answered by %s)", from);
        fputc('\n', f);
    }
}

void lookup_print_answers(FILE *f, const ms_nb_name *name, const ms_lookup_answer *a, size_t n,
                          bool json)
{
    char text[128];
    ms_nb_name_format(name, text, sizeof text);
    json_out *j = json ? json_for(f) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (j)
            answer_json(j, text, &a[i]);
        else if (MS_NBNS_RCODE(a[i].flags) == 0)
            answer_text(f, text, &a[i]);
    }
}

/* An entry's 16 octets in the NAME<xx> form names have everywhere else. */
static void entry_name(const ms_nbns_status_name *e, char *out, size_t cap)
{
    ms_nb_name nb;
    if (ms_nb_name_make(&nb, e->name, NULL) != MS_OK) {
        snprintf(out, cap, "?");
        return;
    }
    ms_nb_name_format(&nb, out, cap);
}

static const struct {
    uint16_t bit;
    const char *word, *key;
} states[] = {
    { MS_NBNS_NAME_ACT, "ACTIVE", "active" },
    { MS_NBNS_NAME_CNF, "CONFLICT", "conflict" },
    { MS_NBNS_NAME_DRG, "DEREGISTERING", "deregistering" },
    { MS_NBNS_NAME_PRM, "PERMANENT", "permanent" },
};
#define NSTATES (sizeof states / sizeof states[0])

static void status_json(FILE *f, const ms_node_status_reply *r)
{
    json_out *j = json_for(f);
    jo_begin(j, NULL);
    jo_ipv4(j, "from", r->from_ip);
    jo_uint(j, "flags", r->flags);
    jo_begin_list(j, "names");
    for (size_t i = 0; i < r->status.nnames; i++) {
        const ms_nbns_status_name *e = &r->status.names[i];
        char name[128];
        entry_name(e, name, sizeof name);
        jo_begin(j, NULL);
        jo_cstr(j, "name", name);
        jo_uint(j, "suffix", e->name[15]);
        jo_bool(j, "group", e->flags & MS_NBNS_NB_GROUP);
        jo_cstr(j, "ont", lookup_ont_name(e->flags));
        jo_uint(j, "flags", e->flags);
        for (size_t k = 0; k < NSTATES; k++)
            jo_bool(j, states[k].key, e->flags & states[k].bit);
        jo_end(j);
    }
    jo_end(j);
    if (r->status.has_unit_id)
        jo_hex(j, "unit_id", r->status.unit_id, sizeof r->status.unit_id);
    jo_end_line(j);
}

void lookup_print_status(FILE *f, const ms_node_status_reply *r, bool json)
{
    if (json) {
        status_json(f, r);
        return;
    }
    fprintf(f, "%-*s %-7s %-4s %s\n", NAME_COL, "NAME", "TYPE", "ONT", "STATE");
    for (size_t i = 0; i < r->status.nnames; i++) {
        const ms_nbns_status_name *e = &r->status.names[i];
        char name[128], words[64] = "";
        entry_name(e, name, sizeof name);
        for (size_t k = 0; k < NSTATES; k++)
            if (e->flags & states[k].bit)
                snprintf(words + strlen(words), sizeof words - strlen(words), "%s%s",
                         words[0] ? "," : "", states[k].word);
        fprintf(f, "%-*s %-7s %-4s %s\n", NAME_COL, name,
                (e->flags & MS_NBNS_NB_GROUP) ? "group" : "unique", lookup_ont_name(e->flags),
                words[0] ? words : "-");
    }
    if (r->status.has_unit_id) {
        const uint8_t *u = r->status.unit_id;
        fprintf(f, "MAC address (unit ID) %02x:%02x:%02x:%02x:%02x:%02x\n", u[0], u[1], u[2], u[3],
                u[4], u[5]);
    }
}
