/* SPDX-License-Identifier: MIT */
/* Live datagrams in decode's output format (see cmd_decode.c). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "live_print.h"
#include "mailslot/nbds_reasm.h"
#include "mailslot/validate.h"
#include "text_out.h"

static void ip_text(uint32_t ip, char *out, size_t cap)
{
    snprintf(out, cap, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

static void print_json(json_out *j, const live_dgram *d, const ms_message *m)
{
    static ms_report r;
    ms_report_clear(&r);
    ms_frame_info info = { d->ip_src, d->ip_dst, d->sport, d->dport, d->len, false };
    ms_validate(d->payload, d->len, m, &info, &r);
    char buf[64];
    jo_begin(j, NULL);
    jo_uint(j, "frame", d->frame);
    snprintf(buf, sizeof buf, "%llu.%09llu", (unsigned long long)(d->time_ns / 1000000000ull),
             (unsigned long long)(d->time_ns % 1000000000ull));
    jo_raw(j, "time", buf);
    jo_begin(j, "ip");
    jo_ipv4(j, "src", d->ip_src);
    jo_ipv4(j, "dst", d->ip_dst);
    jo_end(j);
    jo_begin(j, "udp");
    jo_uint(j, "srcport", d->sport);
    jo_uint(j, "dstport", d->dport);
    jo_end(j);
    if (d->reassembled)
        jo_bool(j, "reassembled", true);
    if (d->auth) {
        jo_begin(j, "auth");
        jo_uint(j, "key_id", d->auth_key_id);
        snprintf(buf, sizeof buf, "%llu.%03llu", (unsigned long long)(d->auth_time_ms / 1000),
                 (unsigned long long)(d->auth_time_ms % 1000));
        jo_raw(j, "time", buf);
        jo_end(j);
    }
    ms_message_fields(m, jo_field, j);
    jo_hex(j, "payload", d->payload, d->len);
    if (m->status != MS_OK) {
        jo_begin(j, "error");
        jo_cstr(j, "layer", m->err_layer);
        jo_uint(j, "offset", m->err_off);
        jo_cstr(j, "text", ms_strerror(m->status));
        jo_end(j);
    }
    if (r.count) {
        jo_begin_list(j, "problems");
        for (size_t i = 0; i < r.count; i++) {
            const ms_finding *f = &r.items[i];
            jo_begin(j, NULL);
            jo_cstr(j, "rule", f->rule->id);
            jo_cstr(j, "level", f->rule->level == MS_LEVEL_MUST ? "must" : "common");
            jo_cstr(j, "field", f->field);
            jo_uint(j, "offset", f->offset);
            jo_cstr(j, "text", f->text);
            jo_end(j);
        }
        jo_end(j);
    }
    jo_end_line(j);
}

static void print_line(FILE *f, const live_dgram *d, const ms_message *m)
{
    char ts[64], src[16], dst[16], sn[512], dn[512], what[512] = "";
    time_t t = (time_t)(d->time_ns / 1000000000ull);
    struct tm tm;
    char base[32] = "";
    if (gmtime_r(&t, &tm))
        strftime(base, sizeof base, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(ts, sizeof ts, "%s.%06u", base, (unsigned)((d->time_ns % 1000000000ull) / 1000));
    ip_text(d->ip_src, src, sizeof src);
    ip_text(d->ip_dst, dst, sizeof dst);
    fprintf(f, "%llu %s %s:%u -> %s:%u ", (unsigned long long)d->frame, ts, src, d->sport, dst,
            d->dport);
    const ms_dgram *g = &m->dgram;
    const char *tn = ms_dgram_type_name(g->type);
    if (tn)
        fprintf(f, "%s", tn);
    else
        fprintf(f, "type 0x%02x", g->type);
    if (g->src.wire_len) {
        ms_nb_name_format(&g->src, sn, sizeof sn);
        fprintf(f, " %s%s", sn, g->src.valid ? "" : "(invalid)");
    }
    if (g->dst.wire_len) {
        ms_nb_name_format(&g->dst, dn, sizeof dn);
        fprintf(f, " -> %s%s", dn, g->dst.valid ? "" : "(invalid)");
    }
    if (g->type == MS_NBDS_ERROR) {
        const char *en = ms_dgram_error_name(g->error_code);
        fprintf(f, " error 0x%02x%s%s", g->error_code, en ? " " : "", en ? en : "");
    }
    if (m->has_smb) {
        char nm[600];
        fprintf(f, " %s", tt_escape(m->trans.name.p, m->trans.name.len, nm, sizeof nm));
        if (m->payload_ok && (m->kind == MS_PAYLOAD_BROWSER || m->kind == MS_PAYLOAD_LANMAN))
            ms_browser_summary(&m->browser, what, sizeof what);
        else if (m->payload_ok && m->kind == MS_PAYLOAD_NETLOGON)
            ms_netlogon_summary(&m->netlogon, what, sizeof what);
        else
            snprintf(what, sizeof what, "%u octets", m->trans.data_count);
        fprintf(f, " %s", what);
    }
    if (m->status != MS_OK)
        fprintf(f, " [error at offset %zu: %s: %s]", m->err_off, m->err_layer,
                ms_strerror(m->status));
    if (d->auth)
        fprintf(f, " [authenticated: key %lu]", (unsigned long)d->auth_key_id);
    if (d->reassembled)
        fputs(" [reassembled from NBDS fragments]", f);
    else if (ms_nbds_is_fragment(&m->dgram) && m->status == MS_OK)
        fprintf(f, " [NBDS fragment: offset %u%s]", m->dgram.packet_offset,
                (m->dgram.flags & MS_NBDS_FLAG_MORE) ? ", more follow" : ", last");
    putc('\n', f);
}

void live_print(FILE *f, json_out *j, bool json, const live_dgram *d, const ms_message *m)
{
    if (json)
        print_json(j, d, m);
    else
        print_line(f, d, m);
    fflush(f);
}
