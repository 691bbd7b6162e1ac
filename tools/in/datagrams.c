/* SPDX-License-Identifier: MIT */
#include "datagrams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_outfile.h"
#include "cli_signal.h"
#include "mailslot/net.h"
#include "mailslot/pipeline.h"

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

static int dg_set_count(dg_options *o, const char *arg)
{
    char *end;
    unsigned long long v = strtoull(arg, &end, 10);
    if (!*arg || *end || arg[0] == '-' || v == 0) {
        cli_error(o->sub, "-c: '%s' is not a count (1 or more)", arg);
        return -1;
    }
    o->count = v;
    return 0;
}

static int dg_set_timeout(dg_options *o, const char *arg)
{
    char *end;
    double v = strtod(arg, &end);
    if (!*arg || *end || !(v > 0 && v <= 31536000)) {
        cli_error(o->sub, "--timeout: '%s' is not a number of seconds (up to 31536000)", arg);
        return -1;
    }
    o->timeout_s = v;
    return 0;
}

int dg_option(dg_options *o, int key, const char *arg)
{
    switch (key) {
    case DG_KEY_TIMEOUT:
        return dg_set_timeout(o, arg) == 0 ? 1 : -1;
    case 'r':
        o->path = arg;
        return 1;
    case 'i':
        o->iface = arg;
        return 1;
    case 'c':
        return dg_set_count(o, arg) == 0 ? 1 : -1;
    case DG_KEY_PORT:
        return dg_add_port(o, arg) == 0 ? 1 : -1;
    case DG_KEY_RTIMEOUT:
    case DG_KEY_RSETS:
    case DG_KEY_RBYTES:
        return dg_set_reasm(o, key, arg) == 0 ? 1 : -1;
    case DG_KEY_SLOT:
        return dg_filter_add_slot(&o->filter, o->sub, arg) == 0 ? 1 : -1;
    case DG_KEY_TYPE:
        return dg_filter_add_type(&o->filter, o->sub, arg) == 0 ? 1 : -1;
    case DG_KEY_NAME:
        return dg_filter_add_name(&o->filter, o->sub, arg) == 0 ? 1 : -1;
    default:
        return 0;
    }
}

/* An existing file named like a capture (a BPF word such as "udp" may
 * happen to name a file in the current directory: that one is a filter). */
static bool looks_like_capture(const char *arg)
{
    const char *dot = strrchr(arg, '.');
    bool named = strchr(arg, '/') ||
                 (dot && (!strcmp(dot, ".pcap") || !strcmp(dot, ".pcapng") || !strcmp(dot, ".cap")));
    return named && access(arg, F_OK) == 0;
}

int dg_take_input(dg_options *o, int argc, char **argv, int optind_now)
{
    if (o->path && o->iface) {
        cli_error(o->sub, "-r FILE and -i IFACE exclude each other");
        return -1;
    }
    if (o->timeout_s > 0 && !o->iface) {
        cli_error(o->sub, "--timeout goes with -i IFACE");
        return -1;
    }
    int i = optind_now;
    bool positional = !o->path && !o->iface && i < argc;
    if (positional)
        o->path = argv[i++];
    for (int k = i; k < argc; k++) {
        if (!looks_like_capture(argv[k]))
            continue;
        /* "check a.pcap b.pcap", "hosts -i eth0 old.pcap": a file where
         * a filter goes (tcpdump's rule, kept). */
        if (o->iface)
            cli_error(o->sub, "'%s' is a file, but with -i IFACE the operands are a BPF filter",
                      argv[k]);
        else
            cli_error(o->sub, "'%s' is a file, but operands after %s are a BPF filter; run once "
                              "per file, or merge the files with mergecap", argv[k],
                      positional ? "FILE" : "-r FILE");
        return -1;
    }
    if (!o->path && !o->iface) {
        cli_error(o->sub, "no input: give a capture file, - for standard input, or -i IFACE");
        return -1;
    }
    size_t n = 0;
    o->bpf[0] = '\0';
    for (; i < argc; i++) {
        size_t l = strlen(argv[i]);
        if (n + l + 2 > sizeof o->bpf) {
            cli_error(o->sub, "the filter expression is over %d characters", DG_BPF_MAX - 1);
            return -1;
        }
        if (n)
            o->bpf[n++] = ' ';
        memcpy(o->bpf + n, argv[i], l + 1);
        n += l;
    }
    return 0;
}

/* "\r12.3 % of 456 MiB, 789012 frames, 1.2 M frames/s" on a terminal. */
typedef struct progress {
    bool on, shown;
    uint64_t t0, next;
} progress;

static void progress_tick(progress *p, const dg_options *o, ms_capture *cap, bool last)
{
    uint64_t now = ms_monotonic_ns();
    if (!last && now < p->next)
        return;
    p->next = now + 250000000u;
    if (last) {
        if (p->shown)
            fputs("\r\033[K", stderr);
        return;
    }
    if (now - p->t0 < 1000000000u) /* short runs stay quiet */
        return;
    uint64_t done, total;
    ms_capture_position(cap, &done, &total);
    ms_capture_stats stats = MS_SIZED(ms_capture_stats), *st = &stats;
    ms_capture_get_stats(cap, st);
    double secs = (double)(now - p->t0) / 1e9;
    fprintf(stderr, "\r\033[Kmailslot %s: ", o->sub);
    if (total)
        fprintf(stderr, "%.1f %% of %.1f MiB, ", 100.0 * (double)done / (double)total,
                (double)total / 1048576.0);
    fprintf(stderr, "%llu frames, %.2f M frames/s", (unsigned long long)st->frames,
            (double)st->frames / secs / 1e6);
    p->shown = true;
}

typedef struct run_state {
    const dg_options *o;
    dg_fn fn;
    void *ctx;
    dg_result *res;
    ms_capture *cap;
    cli_outfile *out;           /* -w */
    bool dump_failed;
    bool filtering;             /* --slot, --type or --name given */
} run_state;

/* An item through the filters to the callback (and to the -w file). */
static void deliver(void *vrs, const ms_rx_item *it)
{
    run_state *rs = vrs;
    bool at_eof = it->kind == MS_RX_INCOMPLETE;
    if (rs->filtering && it->m && !dg_filter_match(&rs->o->filter, it->m)) {
        rs->res->filtered_out++;
        return;
    }
    if (!at_eof && rs->o->count && rs->res->shown >= rs->o->count)
        return;
    if (rs->out && it->kind == MS_RX_DATAGRAM &&
        (ms_capture_dump_record(rs->cap) != MS_OK || cli_outfile_failed(rs->out)))
        rs->dump_failed = true;
    rs->fn(rs->ctx, it);
    if (!at_eof)
        rs->res->shown++;
}

/* The first word of a filter that names an existing regular file, for
 * the hint after a filter that does not compile ("check a b"). */
static const char *filter_names_file(const char *bpf)
{
    for (const char *w = bpf; *w; w += strspn(w, " ")) {
        size_t l = strcspn(w, " ");
        char path[DG_BPF_MAX];
        snprintf(path, sizeof path, "%.*s", (int)l, w);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            return w;
        w += l;
    }
    return NULL;
}

/* The capture, or NULL with *status: a bad filter is bad usage. */
static ms_capture *open_input(const dg_options *o, char *err, size_t errlen, int *status)
{
    ms_capture *cap = NULL;
    if (o->iface)
        ms_capture_open_live(o->iface, NULL, &cap, err, errlen);
    else
        ms_capture_open(o->path, &cap, err, errlen);
    *status = o->iface ? EXIT_SYSTEM : EXIT_INPUT;
    if (cap && o->bpf[0] && ms_capture_set_filter(cap, o->bpf, err, errlen) != MS_OK) {
        ms_capture_close(cap);
        const char *file = filter_names_file(o->bpf);
        if (file) {
            size_t l = strlen(err);
            snprintf(err + l, errlen - l, " ('%.*s' is a file, but operands after FILE are a BPF "
                     "filter; run once per file, or merge the files with mergecap)",
                     (int)strcspn(file, " "), file);
        }
        *status = EXIT_USAGE;
        return NULL;
    }
    return cap;
}

static ms_pipeline *open_pipeline(const dg_options *o, run_state *rs)
{
    ms_pipeline_opts po;
    ms_pipeline_opts_init(&po);
    po.reasm_sets = o->reasm.max_sets;
    po.reasm_frags = o->reasm.max_frags;
    po.reasm_bytes = o->reasm.max_bytes;
    po.reasm_timeout_ns = o->reasm.timeout_ns;
    po.validate = o->validate;
    po.report_flags = o->report_flags;
    po.validate_as = o->validate_as;
    ms_pipeline *p = NULL;
    char err[256];
    if (ms_pipeline_new(&po, deliver, rs, &p, err, sizeof err) != MS_OK)
        cli_error(o->sub, "%s", err);
    return p;
}

/* Every datagram of the capture through the pipeline: MS_ERR_END at the
 * end of the input, MS_OK after a signal or -c, else why the input
 * failed. */
static ms_status read_all(const dg_options *o, ms_capture *cap, ms_pipeline *p, dg_result *res)
{
    progress pg = { o->progress && !o->iface, false, ms_monotonic_ns(), 0 };
    pg.next = pg.t0;
    ms_udp_datagram d;
    ms_status rc = MS_OK;
    uint64_t n = 0;
    while (!cli_stop_signal && (!o->count || res->shown < o->count) &&
           (rc = ms_capture_next(cap, &d)) == MS_OK) {
        if (pg.on && (++n & 1023) == 0)
            progress_tick(&pg, o, cap, false);
        /* Reassembly runs on capture time. */
        ms_pipeline_push(p, &d, (uint64_t)d.ts_sec * 1000000000u + d.ts_nsec);
    }
    if (pg.on)
        progress_tick(&pg, o, cap, true);
    return rc;
}

/* Close the -w file: renamed into place when complete, its temporary
 * removed otherwise (a device or FIFO is only closed). */
static int finish_dump(const dg_options *o, run_state *rs, int status)
{
    char err[512];
    bool bad = ms_capture_dump_close(rs->cap, err, sizeof err) != MS_OK || rs->dump_failed;
    if (bad && cli_outfile_error(rs->out, err, sizeof err)) {
        cli_error(o->sub, "%s", err);
        status = EXIT_SYSTEM;
    } else if (bad) {
        cli_error(o->sub, "%s: writing failed", o->write_path);
        status = EXIT_SYSTEM;
    }
    if (status != EXIT_OK || rs->res->interrupted) {
        cli_outfile_abort(rs->out);
    } else if (cli_outfile_commit(rs->out, err, sizeof err) != 0) {
        cli_error(o->sub, "%s", err);
        status = EXIT_SYSTEM;
    }
    rs->out = NULL;
    return status;
}

int dg_run(const dg_options *o, dg_fn fn, void *ctx, dg_result *res)
{
    char err[1024];
    memset(res, 0, sizeof *res);
    int open_status;
    cli_signals_install(NULL); /* opening a pipe blocks until data comes */
    ms_capture *cap = open_input(o, err, sizeof err, &open_status);
    if (!cap && cli_stop_signal) {
        cli_error(o->sub, "stopped by signal %d before the capture began", (int)cli_stop_signal);
        return cli_signal_status();
    }
    if (!cap) {
        cli_error(o->sub, "%s", err);
        return open_status;
    }
    ms_capture_set_ports(cap, o->ports, o->nports);
    run_state rs = { o, fn, ctx, res, cap, NULL, false, dg_filter_active(&o->filter) };
    if (o->write_path) {
        if (!(rs.out = cli_outfile_open(o->write_path, err, sizeof err)) ||
            ms_capture_dump_fopen(cap, cli_outfile_stream(rs.out), err, sizeof err) != MS_OK) {
            cli_error(o->sub, "-w %s", err);
            ms_capture_close(cap);
            cli_outfile_abort(rs.out);
            return EXIT_SYSTEM;
        }
    }
    ms_pipeline *p = open_pipeline(o, &rs);
    if (!p) {
        ms_capture_close(cap);
        cli_outfile_abort(rs.out);
        return EXIT_SYSTEM;
    }
    cli_signals_install(cap);
    if (o->iface && o->timeout_s > 0)
        cli_alarm_after(o->timeout_s);
    ms_status rc = read_all(o, cap, p, res);
    int status = EXIT_OK;
    if (cli_stop_signal) {
        res->interrupted = !o->iface;
    } else if (rc != MS_OK && rc != MS_ERR_END) {
        cli_error(o->sub, "%s: %s", o->iface ? o->iface : o->path, ms_capture_error(cap));
        status = o->iface ? EXIT_SYSTEM : EXIT_INPUT;
    }
    /* Sets never completed: one finding-only item per set. */
    if (!res->interrupted)
        ms_pipeline_finish(p);
    res->cs.size = sizeof res->cs;
    ms_capture_get_stats(cap, &res->cs);
    snprintf(res->linktype, sizeof res->linktype, "%s", ms_capture_linktype_name(cap));
    if (rs.out)
        status = finish_dump(o, &rs, status);
    cli_signals_install(NULL);
    ms_pipeline_free(p);
    ms_capture_close(cap);
    return status;
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void dg_print_capture_summary(const dg_options *o, const dg_result *r)
{
    const ms_capture_stats *s = &r->cs;
    const char *from = o->iface ? o->iface : o->path;
    char ports[128] = "138";
    for (size_t i = 1; i < o->nports; i++) {
        size_t l = strlen(ports);
        snprintf(ports + l, sizeof ports - l, ",%u", o->ports[i]);
    }
    if (s->datagrams == 0 && o->bpf[0] && s->frames > 0 && s->filtered >= s->frames)
        fprintf(stderr, "mailslot %s: the BPF filter '%s' matched none of the %llu %s in %s\n",
                o->sub, o->bpf, (unsigned long long)s->frames, s->frames == 1 ? "frame" : "frames",
                from);
    else if (s->datagrams == 0 && o->bpf[0])
        fprintf(stderr, "mailslot %s: no UDP datagram on port %s among the frames of %s the BPF "
                "filter '%s' matched\n", o->sub, ports, from, o->bpf);
    else if (s->datagrams == 0)
        fprintf(stderr, "mailslot %s: no UDP datagram on port %s in %s\n", o->sub, ports, from);
    /* The counts that say something: the zero ones are left out. */
    fprintf(stderr, "mailslot %s: %llu %s read (link type %s), %llu %s decoded", o->sub,
            (unsigned long long)s->frames, plural(s->frames, "frame", "frames"), r->linktype,
            (unsigned long long)s->datagrams, plural(s->datagrams, "datagram", "datagrams"));
    const struct { uint64_t n; const char *one, *many; } skipped[] = {
        { s->not_ipv4, "not IPv4", "not IPv4" },
        { s->not_udp, "not UDP", "not UDP" },
        { s->other_port, "other port", "other ports" },
        { s->bad_header, "bad header", "bad headers" },
        { s->truncated_header, "cut inside a header", "cut inside a header" },
        { s->unsupported_link, "unsupported link type", "unsupported link type" },
    };
    const char *sep = "; skipped: ";
    for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
        if (!skipped[i].n)
            continue;
        fprintf(stderr, "%s%llu %s", sep, (unsigned long long)skipped[i].n,
                plural(skipped[i].n, skipped[i].one, skipped[i].many));
        sep = ", ";
    }
    if (s->fragments || s->frag_dropped)
        fprintf(stderr, "; IPv4 fragments: %llu held, %llu dropped",
                (unsigned long long)s->fragments, (unsigned long long)s->frag_dropped);
    if (o->bpf[0])
        fprintf(stderr, "; %llu %s outside the BPF filter", (unsigned long long)s->filtered,
                plural(s->filtered, "frame", "frames"));
    if (dg_filter_active(&o->filter))
        fprintf(stderr, "; %llu %s outside --slot/--type/--name",
                (unsigned long long)r->filtered_out, plural(r->filtered_out, "datagram", "datagrams"));
    if (r->interrupted)
        fprintf(stderr, "; stopped by signal %d before the end", (int)cli_stop_signal);
    fputc('\n', stderr);
}
