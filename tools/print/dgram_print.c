/* SPDX-License-Identifier: MIT */
/* How a datagram is printed, the same for a capture (decode) and for what
 * arrives live (listen, send --wait): one text line (+ the -v tree), or
 * one NDJSON object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dgram_print.h"
#include "escape.h"
#include "mailslot/nbds_reasm.h"
#include "sender_print.h"
#include "text_out.h"

/* "00".."99": two decimal digits per entry. */
static const char dec_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Decimal digits of v, at least `min` of them (zero-padded), at o;
 * returns the end. The digits are counted first and written from the
 * end, two per division. */
static char *put_digits(char *o, unsigned long long v, unsigned min)
{
    static const unsigned long long pow10[20] = {
        1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
        100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
        10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
        100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
    };
    unsigned n = 1;
    while (n < 20 && v >= pow10[n])
        n++;
    while (min > n) {
        *o++ = '0';
        min--;
    }
    char *e = o + n;
    while (v >= 100) {
        const char *d = dec_pairs + 2 * (v % 100);
        *--e = d[1];
        *--e = d[0];
        v /= 100;
    }
    if (v >= 10) {
        *--e = dec_pairs[2 * v + 1];
        *--e = dec_pairs[2 * v];
    } else {
        *--e = (char)('0' + v);
    }
    return o + n;
}

/* "YYYY-mm-dd HH:MM:SS.uuuuuu". gmtime_r + strftime cost more than the
 * rest of a line, and consecutive datagrams mostly share their second:
 * the calendar part is kept for the last second seen. */
static void format_time(const ms_udp_datagram *d, char *out, size_t cap)
{
    static int64_t last_sec;
    static char last_base[32];
    static bool have_last;
    if (!have_last || d->ts_sec != last_sec) {
        time_t t = (time_t)d->ts_sec;
        struct tm tm;
        if (!gmtime_r(&t, &tm)) {
            snprintf(out, cap, "%lld", (long long)d->ts_sec);
            return;
        }
        strftime(last_base, sizeof last_base, "%Y-%m-%d %H:%M:%S", &tm);
        last_sec = d->ts_sec;
        have_last = true;
    }
    size_t bl = strlen(last_base);
    if (bl + 1 + 10 + 1 > cap) { /* never with the callers' 64 octets */
        snprintf(out, cap, "%s.%06u", last_base, d->ts_nsec / 1000);
        return;
    }
    memcpy(out, last_base, bl);
    char *o = out + bl;
    *o++ = '.';
    o = put_digits(o, d->ts_nsec / 1000, 6);
    *o = '\0';
}

/* "a.b.c.d" into out (16 octets suffice). */
static char *put_ip(char *o, uint32_t ip)
{
    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned v = (ip >> shift) & 255;
        if (v >= 100) {
            *o++ = (char)('0' + v / 100);
            v %= 100;
            *o++ = dec_pairs[2 * v];
            *o++ = dec_pairs[2 * v + 1];
        } else if (v >= 10) {
            *o++ = dec_pairs[2 * v];
            *o++ = dec_pairs[2 * v + 1];
        } else {
            *o++ = (char)('0' + v);
        }
        if (shift)
            *o++ = '.';
    }
    return o;
}

static void error_text(const ms_message *m, char *out, size_t cap)
{
    snprintf(out, cap, "%s: %s", ms_layer_name(m->err_layer), ms_strerror(m->status));
}

/* What snprintf("%lld.%09u") writes, without its cost on every object:
 * the seconds (sign included), a dot, at least nine nanosecond digits. */
static void time_text(int64_t sec, uint32_t nsec, char out[static 40])
{
    char *o = out;
    uint64_t u = sec < 0 ? 0 - (uint64_t)sec : (uint64_t)sec;
    if (sec < 0)
        *o++ = '-';
    o = put_digits(o, u, 1);
    *o++ = '.';
    o = put_digits(o, nsec, 9);
    *o = '\0';
}

static void print_problems(json_out *j, const ms_report *r)
{
    if (!r->count)
        return;
    jo_begin_list(j, "problems");
    for (size_t i = 0; i < r->count; i++) {
        const ms_finding *f = &r->items[i];
        jo_begin(j, NULL);
        jo_cstr(j, "rule", f->rule->id);
        jo_cstr(j, "level", f->rule->level == MS_LEVEL_MUST ? "must" : "common");
        jo_cstr(j, "field", f->field);
        JO_UINT(j, "offset", f->offset);
        jo_cstr(j, "text", f->text);
        jo_end(j);
    }
    jo_end(j);
}

static void nbdgm_json(json_out *j, const ms_message *m)
{
    JO_BEGIN(j, "nbdgm");
    ms_dgram_fields(&m->dgram, jo_field, j);
    if (ms_dgram_has_data(m->dgram.type) && !m->has_smb && m->dgram.user_data.p) {
        jo_hex(j, "user_data", m->dgram.user_data.p, m->dgram.user_data.len);
        if (m->smb_status != MS_OK || ms_dgram_is_partial(&m->dgram)) {
            const char *why = m->smb_status != MS_OK
                                  ? ms_strerror(m->smb_status)
                                  : "NBDS fragment: decoded with the rest of its datagram";
            jo_cstr(j, "user_data_note", why);
        }
    }
    jo_end(j);
}

static void smb_json(json_out *j, const ms_smb_header *h)
{
    JO_BEGIN(j, "smb");
    JO_HEX(j, "protocol", h->protocol, 4);
    JO_UINT(j, "command", h->command);
    JO_UINT(j, "status", h->status);
    JO_UINT(j, "flags", h->flags);
    JO_UINT(j, "flags2", h->flags2);
    JO_UINT(j, "pid_high", h->pid_high);
    JO_HEX(j, "security", h->security, 8);
    JO_UINT(j, "reserved", h->reserved);
    JO_UINT(j, "tid", h->tid);
    JO_UINT(j, "pid_low", h->pid_low);
    JO_UINT(j, "uid", h->uid);
    JO_UINT(j, "mid", h->mid);
    jo_end(j);
}

static void trans_json(json_out *j, const ms_trans *t)
{
    JO_BEGIN(j, "trans");
    JO_UINT(j, "word_count", t->word_count);
    JO_UINT(j, "total_param_count", t->total_param_count);
    JO_UINT(j, "total_data_count", t->total_data_count);
    JO_UINT(j, "max_param_count", t->max_param_count);
    JO_UINT(j, "max_data_count", t->max_data_count);
    JO_UINT(j, "max_setup_count", t->max_setup_count);
    JO_UINT(j, "reserved1", t->reserved1);
    JO_UINT(j, "flags", t->flags);
    JO_UINT(j, "timeout", t->timeout);
    JO_UINT(j, "reserved2", t->reserved2);
    JO_UINT(j, "param_count", t->param_count);
    JO_UINT(j, "param_offset", t->param_offset);
    JO_UINT(j, "data_count", t->data_count);
    JO_UINT(j, "data_offset", t->data_offset);
    JO_UINT(j, "setup_count", t->setup_count);
    JO_UINT(j, "reserved3", t->reserved3);
    jo_begin_list(j, "setup");
    for (size_t i = 0; i < t->setup_words; i++)
        jo_uint(j, NULL, t->setup[i]);
    jo_end(j);
    JO_UINT(j, "byte_count", t->byte_count);
    if (!t->name.terminated)
        jo_bool(j, "name_terminated", false);
    if (t->pad.len)
        JO_HEX(j, "pad", t->pad.p, t->pad.len);
    if (t->trailing.len)
        JO_HEX(j, "trailing", t->trailing.p, t->trailing.len);
    if (!t->data_located)
        jo_bool(j, "data_located", false);
    jo_end(j);
}

static void mailslot_json(json_out *j, const ms_trans *t)
{
    JO_BEGIN(j, "mailslot");
    jo_text(j, "name", t->name.p, t->name.len);
    if (t->setup_words >= 1)
        JO_UINT(j, "opcode", t->setup[0]);
    if (t->setup_words >= 2)
        JO_UINT(j, "priority", t->setup[1]);
    if (t->setup_words >= 3)
        JO_UINT(j, "class", t->setup[2]);
    JO_UINT(j, "size", t->data_count);
    if (t->data_located)
        JO_HEX(j, "data", t->data.p, t->data.len);
    jo_end(j);
}

/* The browser or NETLOGON message; when it did not decode, only its
 * command. */
static void payload_json(json_out *j, const ms_message *m)
{
    bool browser = m->kind == MS_PAYLOAD_BROWSER || m->kind == MS_PAYLOAD_LANMAN;
    if (!m->payload_ok) {
        const ms_bytes *d = &m->trans.data;
        if (browser && d->len >= 1) {
            JO_BEGIN(j, "browser");
            JO_UINT(j, "command", d->p[0]);
            jo_end(j);
        } else if (m->kind == MS_PAYLOAD_NETLOGON && d->len >= 2) {
            JO_BEGIN(j, "netlogon");
            JO_UINT(j, "command", (uint64_t)(d->p[0] | (d->p[1] << 8)));
            jo_end(j);
        }
        return;
    }
    if (browser) {
        JO_BEGIN(j, "browser");
        ms_browser_fields(&m->browser, jo_field, j);
        jo_end(j);
    } else if (m->kind == MS_PAYLOAD_NETLOGON) {
        JO_BEGIN(j, "netlogon");
        ms_netlogon_fields(&m->netlogon, jo_field, j);
        jo_end(j);
    }
}

/* What ms_message_fields(m, jo_field, j) writes, octet for octet, with the
 * fixed-shape objects (smb, trans, mailslot: about 40 keys per datagram)
 * written directly instead of through one visitor call and one strlen per
 * key. The other layers still go through their field visitors. Keep in
 * step with ms_message_fields, ms_smb_header_fields and ms_trans_fields;
 * tests/py/decode_digest.py compares the output with committed digests. */
static void message_json(json_out *j, const ms_message *m)
{
    nbdgm_json(j, m);
    if (!m->has_smb)
        return;
    smb_json(j, &m->smb);
    trans_json(j, &m->trans);
    mailslot_json(j, &m->trans);
    payload_json(j, m);
}

void dp_json(json_out *j, const dg_item *it, const ms_report *r, const dp_auth *auth)
{
    const ms_udp_datagram *d = it->d;
    const ms_message *m = it->m;
    char buf[64];
    jo_begin(j, NULL);
    JO_UINT(j, "frame", d->frame);
    time_text(d->ts_sec, d->ts_nsec, buf);
    jo_raw(j, "time", buf);
    JO_BEGIN(j, "ip");
    jo_ipv4(j, "src", d->ip_src);
    jo_ipv4(j, "dst", d->ip_dst);
    jo_end(j);
    JO_BEGIN(j, "udp");
    JO_UINT(j, "srcport", d->sport);
    JO_UINT(j, "dstport", d->dport);
    jo_end(j);
    if (d->reassembled)
        jo_bool(j, "ip_reassembled", true);
    if (it->kind == MS_RX_REASSEMBLED) {
        jo_bool(j, "reassembled", true);
        if (it->fragments) {
        jo_begin_list(j, "fragments");
        for (size_t i = 0; i < it->nfragments; i++)
            jo_uint(j, NULL, it->fragments[i]);
        jo_end(j);
        }
    }
    if (d->truncated) {
        jo_bool(j, "truncated", true);
        jo_uint(j, "orig_len", d->orig_len);
    }
    if (auth) {
        JO_BEGIN(j, "auth");
        JO_UINT(j, "key_id", auth->key_id);
        snprintf(buf, sizeof buf, "%llu.%03llu", (unsigned long long)(auth->time_ms / 1000),
                 (unsigned long long)(auth->time_ms % 1000));
        jo_raw(j, "time", buf);
        jo_end(j);
    }
    message_json(j, m);
    sender_json(j, m);
    jo_hex(j, "payload", d->payload, d->len);
    if (m->status != MS_OK || d->truncated) {
        JO_BEGIN(j, "error");
        if (m->status != MS_OK) {
            jo_cstr(j, "layer", ms_layer_name(m->err_layer));
            JO_UINT(j, "offset", m->err_off);
            jo_cstr(j, "text", ms_strerror(m->status));
        } else {
            jo_cstr(j, "layer", "capture");
            JO_UINT(j, "offset", d->len);
            jo_cstr(j, "text", "datagram cut short by the capture's snapshot length");
        }
        jo_end(j);
    }
    print_problems(j, r);
    jo_end_line(j);
}

/* The common part of a text line is gathered here and written with one
 * fwrite: an fputs or putc per piece cost more than building it. Anything
 * written with fprintf in between is preceded by ln_flush, so the octets
 * and their order are those of direct stdio calls. */
typedef struct line_buf {
    FILE *f;
    size_t n;
    char b[2048];
} line_buf;

static void ln_flush(line_buf *l)
{
    if (l->n)
        fwrite(l->b, 1, l->n, l->f);
    l->n = 0;
}

static void ln_put(line_buf *l, const char *s, size_t n)
{
    if (n > sizeof l->b - l->n) {
        ln_flush(l);
        if (n > sizeof l->b) {
            fwrite(s, 1, n, l->f);
            return;
        }
    }
    memcpy(l->b + l->n, s, n);
    l->n += n;
}

static void ln_puts(line_buf *l, const char *s)
{
    ln_put(l, s, strlen(s));
}

static void ln_putc(line_buf *l, char c)
{
    ln_put(l, &c, 1);
}

static bool use_color, show_data;

void dp_set_color(bool on)
{
    use_color = on;
}

void dp_set_show_data(bool on)
{
    show_data = on;
}

static void ln_sink(void *l, const char *s, size_t n)
{
    ln_put(l, s, n);
}

/* The data as a quoted string, escaped so that a line stays one line. */
static void put_quoted(line_buf *l, const uint8_t *p, size_t n)
{
    ln_putc(l, '"');
    esc_emit(p, n, ESC_TEXT_QUOTED, ln_sink, l);
    ln_putc(l, '"');
}

/* An SGR sequence when colour is on ("" ends the colour). */
static void sgr(line_buf *l, const char *code)
{
    if (use_color)
        ln_puts(l, *code ? code : "\033[0m");
}

/* "FRAME TIME SRC:PORT -> DST:PORT ", built by hand into the empty line:
 * fprintf's format parsing was most of the cost of a line. Same octets
 * as "%llu %s %s:%u -> %s:%u ". */
static void line_head(line_buf *lb, const ms_udp_datagram *d)
{
    char ts[64];
    char *head = lb->b;
    format_time(d, ts, sizeof ts);
    char *o = put_digits(head, d->frame, 1);
    *o++ = ' ';
    size_t tl = strlen(ts);
    memcpy(o, ts, tl);
    o += tl;
    *o++ = ' ';
    o = put_ip(o, d->ip_src);
    *o++ = ':';
    o = put_digits(o, d->sport, 1);
    memcpy(o, " -> ", 4);
    o = put_ip(o + 4, d->ip_dst);
    *o++ = ':';
    o = put_digits(o, d->dport, 1);
    *o++ = ' ';
    lb->n = (size_t)(o - head);
}

/* One NetBIOS name of the header, "(invalid)" after it when it is not. */
static void line_name(line_buf *lb, const char *sep, const ms_nb_name *n)
{
    char text[512];
    ms_nb_name_format(n, text, sizeof text);
    ln_puts(lb, sep);
    ln_puts(lb, text);
    if (!n->valid)
        ln_puts(lb, "(invalid)");
}

/* The NBDS header: message type, source -> destination, error code. */
static void line_nbds(line_buf *lb, const ms_dgram *g)
{
    const char *tn = ms_dgram_type_name(g->type);
    sgr(lb, "\033[1m");
    if (tn) {
        ln_puts(lb, tn);
    } else {
        ln_flush(lb);
        fprintf(lb->f, "type 0x%02x", g->type);
    }
    sgr(lb, "");
    if (g->src.wire_len)
        line_name(lb, " ", &g->src);
    if (g->dst.wire_len)
        line_name(lb, " -> ", &g->dst);
    if (g->type == MS_NBDS_ERROR) {
        const char *en = ms_dgram_error_name(g->error_code);
        ln_flush(lb);
        fprintf(lb->f, " error 0x%02x%s%s", g->error_code, en ? " " : "", en ? en : "");
    }
}

/* The mailslot, what was written to it (a summary of a browser or NETLOGON
 * message, else a size) and, with --data, the data. */
static void line_mailslot(line_buf *lb, const ms_message *m)
{
    char nm[600], what[512] = "";
    ln_putc(lb, ' ');
    sgr(lb, "\033[36m");
    ln_puts(lb, esc_cstr(m->trans.name.p, m->trans.name.len, ESC_TEXT, nm, sizeof nm));
    sgr(lb, "");
    if (m->payload_ok && (m->kind == MS_PAYLOAD_BROWSER || m->kind == MS_PAYLOAD_LANMAN))
        ms_browser_summary(&m->browser, what, sizeof what);
    else if (m->payload_ok && m->kind == MS_PAYLOAD_NETLOGON)
        ms_netlogon_summary(&m->netlogon, what, sizeof what);
    else
        snprintf(what, sizeof what, "%u octet%s", m->trans.data_count,
                 m->trans.data_count == 1 ? "" : "s");
    ln_putc(lb, ' ');
    ln_puts(lb, what);
    if (show_data && m->kind == MS_PAYLOAD_NONE) {
        ln_puts(lb, ": ");
        put_quoted(lb, m->trans.data.p, m->trans.data.len);
    }
}

/* The notes in brackets: an error or a cut, the key that authenticated
 * it, the frames it was reassembled from, or where a fragment sits. */
static void line_notes(line_buf *lb, const dg_item *it, const dp_auth *auth)
{
    const ms_udp_datagram *d = it->d;
    const ms_message *m = it->m;
    FILE *f = lb->f;
    if (m->status != MS_OK) {
        char et[128];
        error_text(m, et, sizeof et);
        sgr(lb, "\033[31m");
        ln_flush(lb);
        fprintf(f, " [error at offset %zu: %s]", m->err_off, et);
        sgr(lb, "");
    } else if (d->truncated) {
        ln_flush(lb);
        fprintf(f, " [truncated by the capture: %zu of %zu octets]", d->len, d->orig_len);
    }
    if (auth) {
        ln_flush(lb);
        fprintf(f, " [authenticated: key %lu]", (unsigned long)auth->key_id);
    }
    if (it->kind == MS_RX_REASSEMBLED) {
        ln_flush(lb);
        fputs(it->fragments ? " [reassembled from frames" : " [reassembled from NBDS fragments", f);
        for (size_t i = 0; i < it->nfragments; i++)
            fprintf(f, "%s%llu", i ? "," : " ", (unsigned long long)it->fragments[i]);
        putc(']', f);
    } else if (ms_nbds_is_fragment(&m->dgram) && m->status == MS_OK) {
        ln_flush(lb);
        fprintf(f, " [NBDS fragment: offset %u%s]", m->dgram.packet_offset,
                (m->dgram.flags & MS_NBDS_FLAG_MORE) ? ", more follow" : ", last");
    }
}

void dp_line(FILE *f, const dg_item *it, bool verbose, const dp_auth *auth)
{
    line_buf lb;
    lb.f = f;
    lb.n = 0;
    line_head(&lb, it->d);
    line_nbds(&lb, &it->m->dgram);
    if (it->m->has_smb)
        line_mailslot(&lb, it->m);
    line_notes(&lb, it, auth);
    ln_putc(&lb, '\n');
    ln_flush(&lb);
    if (verbose) {
        text_tree t = { f, 1 };
        ms_message_fields(it->m, tt_field, &t);
        if (sender_known_for(it->m)) {
            char who[128];
            sender_words(it->m, ", ", who, sizeof who);
            fprintf(f, "    sender: %s (the layout, docs/LAYOUTS.md)\n", who);
        }
        const ms_report *r = it->findings; /* as --json's "problems" */
        if (r && r->count) {
            fputs("    problems:\n", f);
            for (size_t i = 0; i < r->count; i++)
                fprintf(f, "        %s %s %s @%zu: %s\n", r->items[i].rule->id,
                        r->items[i].rule->level == MS_LEVEL_MUST ? "must" : "common",
                        r->items[i].field, r->items[i].offset, r->items[i].text);
        }
    }
}
