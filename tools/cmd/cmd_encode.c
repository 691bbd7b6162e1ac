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
#include "json_frame.h"
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

static bool get_ip(const json_doc *d, json_ref root, const char *path, uint32_t *ip)
{
    return jf_parse_ipv4(json_str(d, json_path(d, root, path), NULL), ip);
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
    const char *in_name;    /* in_path, or "standard input" for "-" */
    bool hex;                   /* --hex; else po */
    pcap_out *po;
    ms_message *m;
    uint8_t *frame;             /* MAX_FRAME octets */
    jf_arena ar;
    unsigned long lineno, written;
} encoder;

/* The frame of one object into e->frame: its "payload", or built from its
 * fields. false with c->err set when it cannot be made. */
static bool frame_of(encoder *e, jf_ctx *c, json_ref root, size_t *flen)
{
    json_ref pl = json_get(c->doc, root, "payload");
    if (pl >= 0) {
        if (json_hex(c->doc, pl, e->frame, MAX_FRAME, flen))
            return true;
        snprintf(c->err, sizeof c->err, "\"payload\" is not a hex string of at most %d octets",
                 MAX_FRAME);
        return false;
    }
    if (!jf_build_message(c, root, e->m))
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
static bool put_frame(encoder *e, jf_ctx *c, json_ref root, size_t flen)
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
static bool arena_fit(jf_arena *a, size_t l)
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
        cli_error("encode", "%s, line %lu: not a JSON object", e->in_name, e->lineno);
        return EXIT_INPUT;
    }
    if (skip)
        return EXIT_OK;
    if (!arena_fit(&e->ar, l)) {
        cli_error("encode", "out of memory");
        return EXIT_SYSTEM;
    }
    jf_ctx c = { doc, &e->ar, "" };
    size_t flen = 0;
    if (!frame_of(e, &c, root, &flen) || !put_frame(e, &c, root, flen)) {
        char werr[512];
        if (e->po && pcap_out_error(e->po, werr, sizeof werr)) {
            cli_error("encode", "%s", werr); /* the disk, not the line */
            return EXIT_SYSTEM;
        }
        cli_error("encode", "%s, line %lu: %s", e->in_name, e->lineno, c.err);
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
            cli_error("encode", "%s, line %lu: %s", e->in_name, e->lineno, err);
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
        cli_error("encode", "%s: read error", e->in_name);
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
    encoder e = { "-", "standard input", false, NULL, NULL, NULL, { NULL, 0, 0 }, 0, 0 };
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
    e.in_name = strcmp(e.in_path, "-") ? e.in_path : "standard input";
    FILE *in = strcmp(e.in_path, "-") ? fopen(e.in_path, "r") : stdin;
    if (!in) {
        cli_error("encode", "%s: cannot open", e.in_path);
        return EXIT_INPUT;
    }
    char err[512];
    cli_signals_install(NULL); /* before the temporary exists */
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
