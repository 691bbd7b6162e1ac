/* SPDX-License-Identifier: MIT */
/* `mailslot encode`: NDJSON (as decode writes it) -> frames. An object with
 * "payload" is written as those octets; otherwise it is built from its
 * fields, computing each length, count and offset only when its key is
 * absent — a present key is written as given, even when inconsistent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_opts.h"
#include "cli_signal.h"
#include "json_read.h"
#include "mailslot/message.h"
#include "pcap_out.h"

#define MAX_FRAME 65507

enum { K_HEX = 400 };

static const cli_opt encode_opts[] = {
    { "write", 'w', 'w', "FILE", "write a pcap (Ethernet + IPv4 + UDP) to FILE ('-' =\nstandard output)", "file" },
    { "hex", K_HEX, 0, NULL, "write each UDP payload as one line of hex", NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const cli_cmd cli_cmd_encode = {
    "encode",
    "rebuild frames from decode's NDJSON (pcap or hex)",
    "mailslot encode (-w OUT.pcap | --hex) [FILE|-]\n",
    "Read NDJSON objects as written by 'mailslot decode --json' (default:\n"
    "standard input) and write the frames they describe.\n",
    encode_opts,
    "An object with \"payload\" is written byte for byte. Without it the\n"
    "frame is built from nbdgm/smb/trans/mailslot: keys that are present\n"
    "are written as given; absent lengths, counts and offsets are\n"
    "computed. Objects with \"reassembled\": true are skipped. The pcap is\n"
    "written beside FILE and renamed when complete.\n"
    "\n"
    "Exit status: 0 ok, 2 bad usage, 3 bad input, 4 system error; 128+N\n"
    "when signal N stopped it. No output file is left unless it succeeded.\n",
    "file",
};

/* Octet storage for one object's byte fields: bump-allocated, reset per line. */
typedef struct arena {
    uint8_t *buf;
    size_t cap, used;
} arena;

typedef struct ctx {
    const json_doc *doc;
    arena *ar;
    char err[256];
} ctx;

static bool fail(ctx *c, const char *fmt, const char *key)
{
    snprintf(c->err, sizeof c->err, fmt, key);
    return false;
}

/* Unsigned field at path: absent -> *present=false and value untouched. */
static bool get_uint(ctx *c, json_ref obj, const char *key, uint64_t max,
                     uint64_t *v, bool *present)
{
    json_ref r = json_get(c->doc, obj, key);
    *present = r >= 0;
    if (r < 0)
        return true;
    if (!json_u64(c->doc, r, v) || *v > max)
        return fail(c, "\"%s\" is not an integer in range", key);
    return true;
}

#define U(obj, key, field, max, autoflag, autobits)                        \
    do {                                                                   \
        uint64_t v_;                                                       \
        bool p_;                                                           \
        if (!get_uint(c, obj, key, max, &v_, &p_))                         \
            return false;                                                  \
        if (p_)                                                            \
            (field) = (__typeof__(field))v_;                               \
        else                                                               \
            (autobits) |= (autoflag);                                      \
    } while (0)

/* Byte field from a hex (or, with latin1, text) string into the arena. */
static bool get_bytes(ctx *c, json_ref obj, const char *key, bool latin1,
                      const uint8_t **p, size_t *len, bool *present)
{
    json_ref r = json_get(c->doc, obj, key);
    *present = r >= 0;
    if (r < 0)
        return true;
    arena *a = c->ar;
    size_t n;
    uint8_t *dst = a->buf + a->used;
    bool ok = latin1 ? json_str_latin1(c->doc, r, dst, a->cap - a->used, &n)
                     : json_hex(c->doc, r, dst, a->cap - a->used, &n);
    if (!ok)
        return fail(c, latin1 ? "\"%s\" is not a string of octets (code points <= U+00FF)"
                              : "\"%s\" is not a hex string",
                    key);
    a->used += n;
    *p = dst;
    *len = n;
    return true;
}

static bool get_name(ctx *c, json_ref obj, const char *key, const char *raw_key,
                     ms_nb_name *n, bool required)
{
    const uint8_t *p;
    size_t len;
    bool present;
    if (!get_bytes(c, obj, raw_key, false, &p, &len, &present))
        return false;
    if (present) {
        size_t used;
        if (len > MS_NB_WIRE_MAX)
            return fail(c, "\"%s\" is longer than 255 octets", raw_key);
        /* Raw octets are written as given; decode only for the view. */
        if (ms_nb_name_decode(p, len, n, &used) != MS_OK || used != len) {
            memset(n, 0, sizeof *n);
        }
        memcpy(n->wire, p, len);
        n->wire_len = len;
        return true;
    }
    json_ref r = json_get(c->doc, obj, key);
    if (r < 0) {
        if (required)
            return fail(c, "\"%s\" is missing", key);
        return true;
    }
    size_t tl;
    const char *text = json_str(c->doc, r, &tl);
    if (!text || ms_nb_name_parse(n, text, tl) != MS_OK)
        return fail(c, "\"%s\" is not a NetBIOS name like NAME<1d> or NAME<00>.scope", key);
    return true;
}

/* A byte field of exactly n octets at dst; absent: dst untouched. */
static bool get_fixed(ctx *c, json_ref obj, const char *key, const char *path, uint8_t *dst,
                      size_t n)
{
    const uint8_t *p;
    size_t len;
    bool present;
    if (!get_bytes(c, obj, key, false, &p, &len, &present))
        return false;
    if (present) {
        if (len != n) {
            snprintf(c->err, sizeof c->err, "\"%s\" must be %zu octets", path, n);
            return false;
        }
        memcpy(dst, p, n);
    }
    return true;
}

/* The SMB header: "smb" over a Transaction's defaults. */
static bool build_smb_header(ctx *c, json_ref smb, ms_smb_header *h)
{
    unsigned dummy = 0;
    memset(h, 0, sizeof *h);
    memcpy(h->protocol, "\xffSMB", 4);
    if (!get_fixed(c, smb, "protocol", "smb.protocol", h->protocol, 4))
        return false;
    h->command = MS_SMB_COM_TRANSACTION;
    U(smb, "command", h->command, 0xFF, 0, dummy);
    U(smb, "status", h->status, 0xFFFFFFFFu, 0, dummy);
    U(smb, "flags", h->flags, 0xFF, 0, dummy);
    U(smb, "flags2", h->flags2, 0xFFFF, 0, dummy);
    U(smb, "pid_high", h->pid_high, 0xFFFF, 0, dummy);
    if (!get_fixed(c, smb, "security", "smb.security", h->security, 8))
        return false;
    U(smb, "reserved", h->reserved, 0xFFFF, 0, dummy);
    U(smb, "tid", h->tid, 0xFFFF, 0, dummy);
    U(smb, "pid_low", h->pid_low, 0xFFFF, 0, dummy);
    U(smb, "uid", h->uid, 0xFFFF, 0, dummy);
    U(smb, "mid", h->mid, 0xFFFF, 0, dummy);
    return true;
}

/* The Transaction's words from "trans"; absent counts and offsets are
 * marked to be computed. */
static bool build_trans_words(ctx *c, json_ref tr, ms_trans *t)
{
    unsigned dummy = 0;
    unsigned *a = &t->auto_fields;
    U(tr, "word_count", t->word_count, 0xFF, MS_TRANS_AUTO_WORD_COUNT, *a);
    U(tr, "total_param_count", t->total_param_count, 0xFFFF, 0, dummy);
    U(tr, "total_data_count", t->total_data_count, 0xFFFF, MS_TRANS_AUTO_TOTAL_DATA, *a);
    U(tr, "max_param_count", t->max_param_count, 0xFFFF, 0, dummy);
    U(tr, "max_data_count", t->max_data_count, 0xFFFF, 0, dummy);
    U(tr, "max_setup_count", t->max_setup_count, 0xFF, 0, dummy);
    U(tr, "reserved1", t->reserved1, 0xFF, 0, dummy);
    U(tr, "flags", t->flags, 0xFFFF, 0, dummy);
    U(tr, "timeout", t->timeout, 0xFFFFFFFFu, 0, dummy);
    U(tr, "reserved2", t->reserved2, 0xFFFF, 0, dummy);
    U(tr, "param_count", t->param_count, 0xFFFF, 0, dummy);
    U(tr, "param_offset", t->param_offset, 0xFFFF, 0, dummy);
    U(tr, "data_count", t->data_count, 0xFFFF, MS_TRANS_AUTO_DATA_COUNT, *a);
    U(tr, "data_offset", t->data_offset, 0xFFFF, MS_TRANS_AUTO_DATA_OFFSET, *a);
    U(tr, "setup_count", t->setup_count, 0xFF, MS_TRANS_AUTO_SETUP_COUNT, *a);
    U(tr, "reserved3", t->reserved3, 0xFF, 0, dummy);
    U(tr, "byte_count", t->byte_count, 0xFFFF, MS_TRANS_AUTO_BYTE_COUNT, *a);
    return true;
}

/* Setup words: trans.setup, else a mailslot write (1, 0, 2); the
 * mailslot object's opcode/priority/class override words 0..2. */
static bool build_setup(ctx *c, json_ref tr, json_ref ms, ms_trans *t)
{
    const json_doc *d = c->doc;
    json_ref sl = json_get(d, tr, "setup");
    if (sl >= 0) {
        if (json_type(d, sl) != JSON_ARRAY || json_len(d, sl) > MS_TRANS_MAX_SETUP)
            return fail(c, "\"%s\" must be a list of at most 241 words", "trans.setup");
        t->setup_words = json_len(d, sl);
        for (size_t i = 0; i < t->setup_words; i++) {
            uint64_t v;
            if (!json_u64(d, json_at(d, sl, i), &v) || v > 0xFFFF)
                return fail(c, "\"%s\" holds a value that is not a 16-bit word", "trans.setup");
            t->setup[i] = (uint16_t)v;
        }
    } else {
        t->setup_words = 3;
        t->setup[0] = 1;
        t->setup[2] = 2;
    }
    static const char *const sk[3] = { "opcode", "priority", "class" };
    for (size_t i = 0; i < 3; i++) {
        uint64_t v;
        bool present;
        if (!get_uint(c, ms, sk[i], 0xFFFF, &v, &present))
            return false;
        if (present) {
            t->setup[i] = (uint16_t)v;
            if (t->setup_words < i + 1)
                t->setup_words = i + 1;
        }
    }
    return true;
}

/* A true/false key, true when absent. */
static bool get_flag(ctx *c, json_ref obj, const char *key, const char *path, bool *v)
{
    *v = true;
    json_ref r = json_get(c->doc, obj, key);
    if (r >= 0 && !json_bool(c->doc, r, v))
        return fail(c, "\"%s\" must be true or false", path);
    return true;
}

/* The Transaction's bytes: the mailslot name, padding, data, trailing
 * octets, and where the data sits. */
static bool build_trans_bytes(ctx *c, json_ref tr, json_ref ms, ms_trans *t)
{
    bool present, term, located;
    if (!get_bytes(c, ms, "name", true, &t->name.p, &t->name.len, &present))
        return false;
    if (!present)
        return fail(c, "\"%s\" is missing", "mailslot.name");
    if (!get_flag(c, tr, "name_terminated", "trans.name_terminated", &term))
        return false;
    t->name.terminated = term;
    if (!get_flag(c, tr, "data_located", "trans.data_located", &located))
        return false;
    t->data_located = located;
    if (!get_bytes(c, tr, "pad", false, &t->pad.p, &t->pad.len, &present))
        return false;
    if (!present && located && !(t->auto_fields & MS_TRANS_AUTO_DATA_OFFSET))
        t->auto_fields |= MS_TRANS_AUTO_PAD_TO_OFFSET;
    return get_bytes(c, ms, "data", false, &t->data.p, &t->data.len, &present) &&
           get_bytes(c, tr, "trailing", false, &t->trailing.p, &t->trailing.len, &present);
}

static bool build_trans(ctx *c, json_ref root, ms_message *m)
{
    const json_doc *d = c->doc;
    json_ref tr = json_get(d, root, "trans");
    json_ref ms = json_get(d, root, "mailslot");
    memset(&m->trans, 0, sizeof m->trans);
    return build_smb_header(c, json_get(d, root, "smb"), &m->smb) &&
           build_trans_words(c, tr, &m->trans) && build_setup(c, tr, ms, &m->trans) &&
           build_trans_bytes(c, tr, ms, &m->trans);
}

/* "a.b.c.d" (s may be NULL: not a string) into *ip. */
static bool parse_ipv4(const char *s, uint32_t *ip)
{
    unsigned a, b, c, e;
    char tail;
    if (!s || sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &e, &tail) != 4 || a > 255 || b > 255 ||
        c > 255 || e > 255)
        return false;
    *ip = a << 24 | b << 16 | c << 8 | e;
    return true;
}

static bool build_message(ctx *c, json_ref root, ms_message *m)
{
    const json_doc *d = c->doc;
    json_ref nb = json_get(d, root, "nbdgm");
    if (nb < 0 || json_type(d, nb) != JSON_OBJECT)
        return fail(c, "no \"%s\" object and no \"payload\"", "nbdgm");
    memset(&m->dgram, 0, sizeof m->dgram);
    ms_dgram *g = &m->dgram;
    unsigned dummy = 0;
    uint64_t v;
    bool present;
    if (!get_uint(c, nb, "type", 0xFF, &v, &present))
        return false;
    if (!present)
        return fail(c, "\"%s\" is missing", "nbdgm.type");
    g->type = (uint8_t)v;
    g->flags = 0x02;
    g->src_port = 138;
    U(nb, "flags", g->flags, 0xFF, 0, dummy);
    U(nb, "id", g->id, 0xFFFF, 0, dummy);
    U(nb, "src_port", g->src_port, 0xFFFF, 0, dummy);
    U(nb, "length", g->dgm_length, 0xFFFF, MS_DGRAM_AUTO_LENGTH, g->auto_fields);
    U(nb, "offset", g->packet_offset, 0xFFFF, 0, dummy);
    U(nb, "error_code", g->error_code, 0xFF, 0, dummy);
    json_ref sip = json_get(d, nb, "src_ip");
    if (sip >= 0 && !parse_ipv4(json_str(d, sip, NULL), &g->src_ip))
        return fail(c, "\"%s\" is not an IPv4 address", "nbdgm.src_ip");
    bool has_data = ms_dgram_has_data(g->type);
    bool has_dst = has_data || (g->type >= MS_NBDS_QUERY_REQUEST && g->type <= MS_NBDS_NEGATIVE_QUERY_RESPONSE);
    if (has_data && !get_name(c, nb, "src_name", "src_name_raw", &g->src, true))
        return false;
    if (has_dst && !get_name(c, nb, "dst_name", "dst_name_raw", &g->dst, true))
        return false;
    if (!get_bytes(c, nb, "trailing", false, &g->trailing.p, &g->trailing.len, &present))
        return false;
    m->has_smb = false;
    if (has_data) {
        if (!get_bytes(c, nb, "user_data", false, &g->user_data.p, &g->user_data.len, &present))
            return false;
        if (!present && (json_get(d, root, "mailslot") >= 0 || json_get(d, root, "trans") >= 0)) {
            if (!build_trans(c, root, m))
                return false;
            m->has_smb = true;
        }
    }
    return true;
}

static bool get_ip(const json_doc *d, json_ref root, const char *path, uint32_t *ip)
{
    return parse_ipv4(json_str(d, json_path(d, root, path), NULL), ip);
}

static void get_time(const json_doc *d, json_ref root, int64_t *sec, uint32_t *nsec)
{
    const char *t = json_num_text(d, json_get(d, root, "time"), NULL);
    if (!t)
        return;
    char *end;
    long long s = strtoll(t, &end, 10);
    uint32_t ns = 0;
    if (*end == '.') {
        uint32_t scale = 100000000;
        for (const char *q = end + 1; *q >= '0' && *q <= '9' && scale; q++, scale /= 10)
            ns += (uint32_t)(*q - '0') * scale;
    }
    *sec = s;
    *nsec = ns;
}

/* The pcap framing of one object: ip.src / ip.dst, udp.srcport /
 * udp.dstport and time, each optional, but refused (a message in err)
 * when present and not an IPv4 address, a port, or a non-negative number
 * of seconds that fits a pcap record. */
typedef struct framing {
    uint32_t src, dst;
    uint64_t sport, dport;
    int64_t sec;
    uint32_t nsec;
} framing;

static bool get_framing(const json_doc *d, json_ref root, framing *f, char *err, size_t errlen)
{
    static const char *const ips[2] = { "ip.src", "ip.dst" };
    static const char *const ports[2] = { "udp.srcport", "udp.dstport" };
    uint32_t *ipv[2] = { &f->src, &f->dst };
    uint64_t *portv[2] = { &f->sport, &f->dport };
    for (int i = 0; i < 2; i++) {
        if (json_path(d, root, ips[i]) >= 0 && !get_ip(d, root, ips[i], ipv[i])) {
            snprintf(err, errlen, "\"%s\" is not an IPv4 address (a.b.c.d)", ips[i]);
            return false;
        }
        json_ref r = json_path(d, root, ports[i]);
        if (r >= 0 && (!json_u64(d, r, portv[i]) || *portv[i] > 65535)) {
            snprintf(err, errlen, "\"%s\" is not a port number (0-65535)", ports[i]);
            return false;
        }
    }
    json_ref t = json_get(d, root, "time");
    if (t < 0)
        return true;
    size_t len = 0;
    const char *s = json_num_text(d, t, &len);
    size_t i = 0;
    while (s && i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t int_digits = i;
    if (s && i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (!s || int_digits == 0 || int_digits > 10 || i != len || strtoull(s, NULL, 10) > UINT32_MAX) {
        snprintf(err, errlen, "\"time\" is not a number of seconds (0 to %lu, decimal point, "
                 "no exponent)", (unsigned long)UINT32_MAX);
        return false;
    }
    get_time(d, root, &f->sec, &f->nsec);
    return true;
}

/* One run: where it reads and writes, and what one line needs. */
typedef struct encoder {
    const char *in_path;
    bool hex;                   /* --hex; else po */
    pcap_out *po;
    ms_message *m;
    uint8_t *frame;             /* MAX_FRAME octets */
    arena ar;
    unsigned long lineno, written;
} encoder;

/* The frame of one object into e->frame: its "payload", or built from its
 * fields. false with c->err set when it cannot be made. */
static bool frame_of(encoder *e, ctx *c, json_ref root, size_t *flen)
{
    json_ref pl = json_get(c->doc, root, "payload");
    if (pl >= 0) {
        if (json_hex(c->doc, pl, e->frame, MAX_FRAME, flen))
            return true;
        snprintf(c->err, sizeof c->err, "\"payload\" is not a hex string of at most %d octets",
                 MAX_FRAME);
        return false;
    }
    if (!build_message(c, root, e->m))
        return false;
    ms_status st = ms_message_encode(e->m, e->frame, MAX_FRAME, flen);
    if (st != MS_OK) {
        snprintf(c->err, sizeof c->err, "cannot encode: %s", ms_strerror(st));
        return false;
    }
    return true;
}

/* The frame as a line of hex, or a pcap record framed as the object says.
 * false with c->err set. */
static bool put_frame(encoder *e, ctx *c, json_ref root, size_t flen)
{
    if (e->hex) {
        for (size_t i = 0; i < flen; i++)
            printf("%02x", e->frame[i]);
        putchar('\n');
        return true;
    }
    framing fr = { e->m->dgram.src_ip, 0xFFFFFFFFu, 138, 138, (int64_t)e->written, 0 };
    if (!get_framing(c->doc, root, &fr, c->err, sizeof c->err))
        return false;
    if (pcap_out_write(e->po, fr.sec, fr.nsec, fr.src, fr.dst, (uint16_t)fr.sport,
                       (uint16_t)fr.dport, e->frame, flen) != 0) {
        snprintf(c->err, sizeof c->err, "frame too large for UDP");
        return false;
    }
    return true;
}

/* Room in the arena for the octets of a line of l characters (never more
 * than the line itself). */
static bool arena_fit(arena *a, size_t l)
{
    if (a->cap < l) {
        free(a->buf);
        a->cap = l;
        if (!(a->buf = malloc(a->cap)))
            return false;
    }
    a->used = 0;
    return true;
}

/* One non-empty line: EXIT_OK (written or skipped), or the exit status
 * after printing why. */
static int encode_object(encoder *e, json_doc *doc, size_t l)
{
    json_ref root = json_root(doc);
    bool skip = false;
    json_bool(doc, json_get(doc, root, "reassembled"), &skip);
    if (json_type(doc, root) != JSON_OBJECT) {
        cli_error("encode", "%s line %lu: not a JSON object", e->in_path, e->lineno);
        return EXIT_INPUT;
    }
    if (skip)
        return EXIT_OK;
    if (!arena_fit(&e->ar, l)) {
        cli_error("encode", "out of memory");
        return EXIT_SYSTEM;
    }
    ctx c = { doc, &e->ar, "" };
    size_t flen = 0;
    if (!frame_of(e, &c, root, &flen) || !put_frame(e, &c, root, flen)) {
        cli_error("encode", "%s line %lu: %s", e->in_path, e->lineno, c.err);
        return EXIT_INPUT;
    }
    e->written++;
    return EXIT_OK;
}

/* Every line of in, until the end, an error or a signal. */
static int encode_lines(encoder *e, FILE *in)
{
    char *line = NULL, err[512];
    size_t line_cap = 0;
    ssize_t n;
    int status = EXIT_OK;
    while (status == EXIT_OK && !cli_stop_signal && (n = getline(&line, &line_cap, in)) >= 0) {
        e->lineno++;
        size_t l = (size_t)n;
        while (l && (line[l - 1] == '\n' || line[l - 1] == '\r' || line[l - 1] == ' '))
            l--;
        if (l == 0)
            continue;
        json_doc *doc = json_parse(line, l, err, sizeof err);
        if (!doc) {
            cli_error("encode", "%s line %lu: %s", e->in_path, e->lineno, err);
            status = EXIT_INPUT;
            break;
        }
        status = encode_object(e, doc, l);
        json_free(doc);
    }
    free(line);
    if (status != EXIT_OK)
        return status;
    if (cli_stop_signal) {
        cli_error("encode", "stopped by signal %d after %lu frames; %s", (int)cli_stop_signal,
                  e->written, e->po ? "no output file is left" : "the output is incomplete");
        return cli_signal_status();
    }
    if (ferror(in)) {
        cli_error("encode", "%s: read error", e->in_path);
        return EXIT_INPUT;
    }
    return EXIT_OK;
}

/* The output made final (the pcap renamed into place) or dropped. */
static int encode_finish(encoder *e, int status)
{
    char err[512];
    if (e->po) {
        if (status == EXIT_OK) {
            if (pcap_out_commit(e->po, err, sizeof err) != 0) {
                cli_error("encode", "%s", err);
                status = EXIT_SYSTEM;
            }
        } else {
            pcap_out_abort(e->po);
        }
    }
    if (e->hex && fflush(stdout) != 0)
        status = EXIT_SYSTEM;
    return status;
}

int cmd_encode(int argc, char **argv)
{
    const char *out_path = NULL;
    encoder e = { "-", false, NULL, NULL, NULL, { NULL, 0, 0 }, 0, 0 };
    int ch;
    while ((ch = cli_next(&cli_cmd_encode, argc, argv)) > 0) {
        switch (ch) {
        case 'w': out_path = optarg; break;
        case K_HEX: e.hex = true; break;
        }
    }
    if (ch != CLI_END)
        return ch == CLI_EXIT_OK ? EXIT_OK : EXIT_USAGE;
    if (optind < argc)
        e.in_path = argv[optind++];
    if (optind < argc || (!out_path && !e.hex) || (out_path && e.hex)) {
        cli_error("encode", "give exactly one of -w FILE or --hex, and at most one input; "
                            "try 'mailslot encode --help'");
        return EXIT_USAGE;
    }
    FILE *in = strcmp(e.in_path, "-") ? fopen(e.in_path, "r") : stdin;
    if (!in) {
        cli_error("encode", "%s: cannot open", e.in_path);
        return EXIT_INPUT;
    }
    char err[512];
    if (out_path && !(e.po = pcap_out_open(out_path, err, sizeof err))) {
        cli_error("encode", "%s", err);
        if (in != stdin)
            fclose(in);
        return EXIT_SYSTEM;
    }
    int status = EXIT_OK;
    e.m = malloc(sizeof *e.m);
    e.frame = malloc(MAX_FRAME);
    if (!e.m || !e.frame) {
        cli_error("encode", "out of memory");
        status = EXIT_SYSTEM;
    } else {
        cli_signals_install(NULL);
        status = encode_lines(&e, in);
    }
    status = encode_finish(&e, status);
    free(e.ar.buf);
    free(e.frame);
    free(e.m);
    if (in != stdin)
        fclose(in);
    return status;
}
