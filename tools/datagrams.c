/* SPDX-License-Identifier: MIT */
#include "datagrams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int dg_add_port(dg_options *o, const char *arg)
{
    int p = cli_parse_port(arg);
    if (p < 0) {
        cli_error(o->sub, "--port: '%s' is not a port number (1-65535)", arg);
        return -1;
    }
    if (o->nports >= DG_MAX_PORTS) {
        cli_error(o->sub, "--port: at most %d ports", DG_MAX_PORTS - 1);
        return -1;
    }
    o->ports[o->nports++] = (uint16_t)p;
    return 0;
}

static int dg_set_reasm(dg_options *o, int opt, const char *arg)
{
    char *end;
    double v = strtod(arg, &end);
    if (!*arg || *end || v <= 0) {
        const char *opt_name = opt == 'T' ? "--reasm-timeout" : opt == 'N' ? "--reasm-sets" : "--reasm-bytes";
        cli_error(o->sub, "%s: '%s' is not a positive number", opt_name, arg);
        return -1;
    }
    switch (opt) {
    case 'T':
        o->reasm.timeout_ns = (uint64_t)(v * 1e9);
        break;
    case 'N':
        if (v > MS_NBDS_REASM_MAX_SETS || v != (size_t)v) {
            cli_error(o->sub, "--reasm-sets: a whole number up to %u", MS_NBDS_REASM_MAX_SETS);
            return -1;
        }
        o->reasm.max_sets = (size_t)v;
        break;
    case 'B':
        if (v > (double)MS_NBDS_REASM_MAX_BYTES || v < MS_NBDS_REASM_BLOCK || v != (size_t)v) {
            cli_error(o->sub, "--reasm-bytes: a whole number from %u to %u", MS_NBDS_REASM_BLOCK,
                      (unsigned)MS_NBDS_REASM_MAX_BYTES);
            return -1;
        }
        o->reasm.max_bytes = (size_t)v;
        break;
    }
    return 0;
}

int dg_option(dg_options *o, int ch, const char *arg)
{
    switch (ch) {
    case 'r':
        o->path = arg;
        return 1;
    case 'p':
        return dg_add_port(o, arg) == 0 ? 1 : -1;
    case 'T':
    case 'N':
    case 'B':
        return dg_set_reasm(o, ch, arg) == 0 ? 1 : -1;
    default:
        return 0;
    }
}

int dg_take_input(dg_options *o, int argc, char **argv, int optind_now)
{
    if (optind_now < argc) {
        if (o->path || optind_now + 1 < argc) {
            cli_error(o->sub, "exactly one input file (or -r FILE), got more");
            return -1;
        }
        o->path = argv[optind_now];
    }
    if (!o->path) {
        cli_error(o->sub, "no input: give a capture file, or - for standard input");
        return -1;
    }
    return 0;
}

/* Reassembly events become F- findings on the datagram being handled (or,
 * at the end of the input, on a finding-only item). */
typedef struct reasm_sink {
    ms_report *findings;
    const char *sub;
    uint64_t pend_frame[MS_REPORT_MAX]; /* per finding, at the end */
    uint64_t frames[DG_MAX_FRAGMENTS];
    size_t nframes;
} reasm_sink;

static void frame_list(char *out, size_t cap, const uint64_t *f, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o + 24 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%llu", i ? "," : "", (unsigned long long)f[i]);
}

static void on_event(void *vctx, const ms_nbds_reasm_event *e)
{
    reasm_sink *s = vctx;
    char frames[160];
    frame_list(frames, sizeof frames, e->frames, e->nframes);
    const char *rule = "F-05";
    switch (e->reason) {
    case MS_NBDS_REASON_OVERLAP: rule = "F-01"; break;
    case MS_NBDS_REASON_INCONSISTENT: rule = "F-02"; break;
    case MS_NBDS_REASON_TIMEOUT:
    case MS_NBDS_REASON_PENDING: rule = "F-03"; break;
    case MS_NBDS_REASON_DUPLICATE: rule = "F-04"; break;
    default: break;
    }
    ms_report_add(s->findings, rule, "nbdgm.id", 2, "DGM_ID 0x%04x: %s (fragments in frames %s)", e->id,
                  ms_nbds_reasm_reason_name(e->reason), frames[0] ? frames : "none");
    if (e->reason == MS_NBDS_REASON_PENDING && s->findings->count) {
        uint64_t last = 0;
        for (size_t i = 0; i < e->nframes; i++)
            if (e->frames[i] > last)
                last = e->frames[i];
        s->pend_frame[s->findings->count - 1] = last;
    }
}

int dg_run(const dg_options *o, dg_fn fn, void *ctx, ms_capture_stats *stats,
           char *linktype, size_t linktype_len)
{
    char err[512];
    memset(stats, 0, sizeof *stats);
    ms_capture *cap = ms_capture_open(o->path, err, sizeof err);
    if (!cap) {
        cli_error(o->sub, "%s", err);
        return EXIT_INPUT;
    }
    ms_capture_set_ports(cap, o->ports, o->nports);
    ms_message *m = malloc(sizeof *m);
    ms_message *whole = malloc(sizeof *whole);
    ms_report *findings = malloc(sizeof *findings);
    size_t rsize = ms_nbds_reasm_size(&o->reasm);
    void *rmem = rsize ? malloc(rsize) : NULL;
    uint8_t *joined = malloc(MS_NBDS_REASM_OUT_MAX);
    static reasm_sink sink;
    memset(&sink, 0, sizeof sink);
    sink.findings = findings;
    sink.sub = o->sub;
    ms_nbds_reasm *reasm = rmem ? ms_nbds_reasm_init(rmem, rsize, &o->reasm, on_event, &sink) : NULL;
    if (!m || !whole || !findings || !reasm || !joined) {
        cli_error(o->sub, "out of memory");
        free(m);
        free(whole);
        free(findings);
        free(rmem);
        free(joined);
        ms_capture_close(cap);
        return EXIT_SYSTEM;
    }
    ms_udp_datagram d;
    int rc;
    while ((rc = ms_capture_next(cap, &d)) == 1) {
        ms_message_decode(d.payload, d.len, m);
        ms_report_clear(findings);
        uint64_t now = (uint64_t)d.ts_sec * 1000000000u + d.ts_nsec;
        ms_nbds_reasm_out out = { joined, MS_NBDS_REASM_OUT_MAX, 0, NULL, 0, MS_NBDS_REASON_NONE };
        ms_nbds_reasm_verdict v = MS_NBDS_REASM_NOT_FRAGMENT;
        /* With no fragment set in flight, a datagram that is not a fragment
         * has nothing to expire or join: skip the reassembler's scan of
         * every set slot (it did that for each datagram). */
        const ms_nbds_reasm_stats *rs = ms_nbds_reasm_get_stats(reasm);
        if (rs->sets == 0 && !ms_nbds_is_fragment(&m->dgram))
            v = MS_NBDS_REASM_NOT_FRAGMENT;
        else if (m->status == MS_OK || strcmp(m->err_layer, "nbdgm") != 0)
            v = ms_nbds_reasm_add(reasm, &m->dgram, now, d.frame, &out);
        else
            ms_nbds_reasm_expire(reasm, now);
        dg_item it = { &d, m, { d.ip_src, d.ip_dst, d.sport, d.dport, d.orig_len, d.truncated },
                       false, NULL, 0, findings, false };
        fn(ctx, &it);
        if (v == MS_NBDS_REASM_COMPLETE) {
            /* The joined datagram is an extra item after its last fragment. */
            ms_udp_datagram j = d;
            j.payload = joined;
            j.len = j.orig_len = out.len;
            j.truncated = false;
            ms_message_decode(joined, out.len, whole);
            ms_report_clear(findings);
            size_t nf = out.nframes < DG_MAX_FRAGMENTS ? out.nframes : DG_MAX_FRAGMENTS;
            memcpy(sink.frames, out.frames, nf * sizeof *sink.frames);
            dg_item jt = { &j, whole, { j.ip_src, j.ip_dst, j.sport, j.dport, j.len, false },
                           true, sink.frames, nf, findings, false };
            fn(ctx, &jt);
        }
    }
    int status = EXIT_OK;
    if (rc < 0) {
        cli_error(o->sub, "%s: %s", o->path, ms_capture_error(cap));
        status = EXIT_INPUT;
    }
    /* Sets never completed: one finding-only item per set. */
    ms_report_clear(findings);
    ms_nbds_reasm_pending(reasm, on_event, &sink);
    for (size_t i = 0; i < findings->count; i++) {
        ms_report one;
        ms_report_clear(&one);
        one.items[0] = findings->items[i];
        one.count = 1;
        ms_udp_datagram e;
        memset(&e, 0, sizeof e);
        e.frame = sink.pend_frame[i];
        dg_item et = { &e, NULL, { 0, 0, 0, 0, 0, false }, false, NULL, 0, &one, true };
        fn(ctx, &et);
    }
    *stats = *ms_capture_get_stats(cap);
    snprintf(linktype, linktype_len, "%s", ms_capture_linktype_name(cap));
    free(findings);
    free(m);
    free(whole);
    free(rmem);
    free(joined);
    ms_capture_close(cap);
    return status;
}

void dg_print_capture_summary(const dg_options *o, const ms_capture_stats *s,
                              const char *linktype)
{
    char ports[128] = "138";
    for (size_t i = 1; i < o->nports; i++) {
        size_t l = strlen(ports);
        snprintf(ports + l, sizeof ports - l, ",%u", o->ports[i]);
    }
    if (s->datagrams == 0)
        fprintf(stderr, "mailslot %s: no UDP datagram on port %s in %s\n", o->sub, ports, o->path);
    fprintf(stderr,
            "mailslot %s: %llu frames read (link type %s), %llu datagrams decoded;"
            " skipped: %llu not IPv4, %llu not UDP, %llu other ports, %llu bad headers,"
            " %llu cut inside a header, %llu unsupported link type;"
            " IPv4 fragments: %llu held, %llu dropped\n",
            o->sub, (unsigned long long)s->frames, linktype, (unsigned long long)s->datagrams,
            (unsigned long long)s->not_ipv4, (unsigned long long)s->not_udp,
            (unsigned long long)s->other_port, (unsigned long long)s->bad_header,
            (unsigned long long)s->truncated_header, (unsigned long long)s->unsupported_link,
            (unsigned long long)s->fragments, (unsigned long long)s->frag_dropped);
}
