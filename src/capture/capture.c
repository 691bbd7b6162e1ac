/* SPDX-License-Identifier: MIT */
/* The libpcap edge: open a pcap/pcapng file (or stdin) or a live interface,
 * pull records, run each through frame.c, keep the counters. libpcap does
 * all file parsing and all talking to the kernel. */
#include "mailslot/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"
#include "sized.h"

/* libpcap reads through stdio, whose default buffer means one read() per
 * 4 KiB; 256 KiB cuts the system calls 64-fold (pipes, network disks). */
#define IOBUF_SIZE (256u * 1024u)
#define NETBIOS_DGM_PORT 138
/* Live: whole frames; a blocking read wakes this often to see a break. */
#define LIVE_SNAPLEN 65535
#define LIVE_TIMEOUT_MS 200
/* A non-blocking read gives the caller its turn after this many records
 * that were not handed up (a busy interface never runs dry). */
#define NONBLOCK_BATCH 256

enum { READING, STOPPED };

struct ms_capture {
    pcap_t *pcap;
    char *iobuf;          /* the FILE's buffer: freed after pcap_close */
    int dlt;
    int state;
    ms_status stop_status; /* what ms_capture_next answers once STOPPED */
    ms_portset ports;
    ms_reasm *reasm;
    ms_frame_ctx ctx;
    ms_capture_stats st;
    struct bpf_program prog;
    bool filtering;
    bool live;
    bool nonblock;
    volatile sig_atomic_t broken; /* ms_capture_break was called */
    uint16_t dport;              /* live: only datagrams to this port */
    uint32_t ts_scale;           /* to nanoseconds: 1, or 1000 when libpcap
                                  * could only give microseconds */
    pcap_dumper_t *dump;
    bool dump_borrowed;         /* from ms_capture_dump_fopen: not ours to close */
    struct pcap_pkthdr last_hdr; /* the record behind the last datagram */
    const u_char *last_data;
    uint64_t file_size;          /* 0: unknown */
    char linkname[32];
    char err[1024];
};

static void set_err(char *err, size_t errlen, const char *name, const char *why)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", name, why);
}

/* Opening failed: say why (why may live inside c, so first) and free c. */
static ms_status open_failed(ms_capture *c, ms_status st, char *err, size_t errlen,
                             const char *name, const char *why)
{
    set_err(err, errlen, name, why);
    ms_capture_close(c);
    return st;
}

/* What every capture starts with; NULL when memory ran out. */
static ms_capture *capture_new(void)
{
    ms_capture *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->st.size = sizeof c->st;
    c->ts_scale = 1;
    if (!(c->reasm = ms_reasm_new(NULL))) {
        free(c);
        return NULL;
    }
    return c;
}

/* One link type for the whole input: libpcap offers no per-packet link
 * type, and for pcapng it takes the first interface's and refuses (as a
 * read error) any later interface with another. */
static void setup_link(ms_capture *c)
{
    c->dlt = pcap_datalink(c->pcap);
    const char *ln = ms_link_kind_name(ms_link_from_dlt(c->dlt));
    if (!ln)
        ln = pcap_datalink_val_to_name(c->dlt);
    if (ln)
        snprintf(c->linkname, sizeof c->linkname, "%s", ln);
    else
        snprintf(c->linkname, sizeof c->linkname, "DLT_%d", c->dlt);

    ms_portset_clear(&c->ports);
    ms_portset_add(&c->ports, c->dport ? c->dport : NETBIOS_DGM_PORT);
    c->ctx.link = ms_link_from_dlt(c->dlt);
    c->ctx.ports = &c->ports;
    c->ctx.reasm = c->reasm;
    c->state = READING;
}

/* ---- files ---------------------------------------------------------------- */

/* stdin is read through a duplicate descriptor so that our FILE (and its
 * buffer, which we free) belongs to us and pcap_close may fclose it. */
static FILE *open_input(const char *path, bool is_stdin)
{
    if (!is_stdin)
        return fopen(path, "rb");
    int fd = dup(STDIN_FILENO);
    if (fd < 0)
        return NULL;
    FILE *fp = fdopen(fd, "rb");
    if (!fp)
        close(fd);
    return fp;
}

ms_status ms_capture_open(const char *path, ms_capture **out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!out)
        return open_failed(NULL, MS_ERR_INVALID_ARG, err, errlen, path ? path : "(none)",
                           "no place for the capture (out is NULL)");
    *out = NULL;
    if (!path || !*path)
        return open_failed(NULL, MS_ERR_INVALID_ARG, err, errlen, "(none)",
                           "no capture file given");
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "stdin" : path;

    ms_capture *c = capture_new();
    if (!c || !(c->iobuf = malloc(IOBUF_SIZE)))
        return open_failed(c, MS_ERR_NO_MEMORY, err, errlen, name, "out of memory");
    FILE *fp = open_input(path, is_stdin);
    if (!fp) {
        int e = errno;
        return open_failed(c, e == ENOENT ? MS_ERR_NOT_FOUND : MS_ERR_SYSTEM, err, errlen, name,
                           strerror(e));
    }
    setvbuf(fp, c->iobuf, _IOFBF, IOBUF_SIZE);
    struct stat sb;
    if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode))
        c->file_size = (uint64_t)sb.st_size;
    char pe[PCAP_ERRBUF_SIZE] = "";
    /* Nanosecond precision: otherwise libpcap rounds nanosecond files down
     * to microseconds. */
    c->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, pe);
    if (!c->pcap) {
        fclose(fp); /* libpcap leaves it open on failure */
        return open_failed(c, MS_ERR_BAD_INPUT, err, errlen, name,
                           pe[0] ? pe : "not a capture file");
    }
    setup_link(c);
    *out = c;
    return MS_OK;
}

/* ---- live interfaces ---------------------------------------------------- */

void ms_capture_live_opts_init(ms_capture_live_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->promisc = true;
}

/* Create and activate the libpcap handle: whole frames, delivered at once,
 * in nanoseconds where the interface can. */
static ms_status activate(ms_capture *c, const char *iface, const ms_capture_live_opts *o,
                          char *err, size_t errlen)
{
    char pe[PCAP_ERRBUF_SIZE] = "";
    c->pcap = pcap_create(iface, pe);
    if (!c->pcap)
        return open_failed(c, MS_ERR_SYSTEM, err, errlen, iface, pe);
    pcap_set_snaplen(c->pcap, LIVE_SNAPLEN);
    /* Promiscuous by default: a browser election is broadcast, a reply to
     * a peer is not. */
    pcap_set_promisc(c->pcap, o->promisc);
    pcap_set_immediate_mode(c->pcap, 1); /* one line per message, at once */
    pcap_set_timeout(c->pcap, LIVE_TIMEOUT_MS);
    pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(c->pcap);
    if (rc < 0) {
        const char *pe2 = pcap_geterr(c->pcap);
        snprintf(pe, sizeof pe, "%s%s", pe2[0] ? pe2 : pcap_statustostr(rc),
                 rc == PCAP_ERROR_PERM_DENIED ? " (needs root or CAP_NET_RAW)" : "");
        return open_failed(c, rc == PCAP_ERROR_NO_SUCH_DEVICE ? MS_ERR_NOT_FOUND : MS_ERR_SYSTEM,
                           err, errlen, iface, pe);
    }
    if (pcap_get_tstamp_precision(c->pcap) != PCAP_TSTAMP_PRECISION_NANO)
        c->ts_scale = 1000;
    return MS_OK;
}

/* The kernel drops everything but UDP on the port and IPv4 fragments
 * (whose ports only the first fragment shows), so a busy interface costs
 * the process nothing. */
static ms_status kernel_filter(ms_capture *c, const char *iface, char *err, size_t errlen)
{
    char filter[64], why[PCAP_ERRBUF_SIZE + 80];
    snprintf(filter, sizeof filter, "udp port %u or (ip[6:2] & 0x1fff != 0)", c->dport);
    struct bpf_program prog;
    if (pcap_compile(c->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(why, sizeof why, "filter '%s': %s", filter, pcap_geterr(c->pcap));
        return open_failed(c, MS_ERR_SYSTEM, err, errlen, iface, why);
    }
    int rc = pcap_setfilter(c->pcap, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(why, sizeof why, "filter '%s': %s", filter, pcap_geterr(c->pcap));
        return open_failed(c, MS_ERR_SYSTEM, err, errlen, iface, why);
    }
    return MS_OK;
}

ms_status ms_capture_open_live(const char *iface, const ms_capture_live_opts *opts,
                               ms_capture **out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    const char *name = iface && *iface ? iface : "(none)";
    if (!out)
        return open_failed(NULL, MS_ERR_INVALID_ARG, err, errlen, name,
                           "no place for the capture (out is NULL)");
    *out = NULL;
    if (!iface || !*iface)
        return open_failed(NULL, MS_ERR_INVALID_ARG, err, errlen, name, "no interface given");
    if (opts && opts->size == 0)
        return open_failed(NULL, MS_ERR_INVALID_ARG, err, errlen, name,
                           "live options: the size field is 0 (ms_capture_live_opts_init sets it)");
    ms_capture_live_opts o;
    ms_capture_live_opts_init(&o);
    ms_sized_read(&o, sizeof o, opts);

    ms_capture *c = capture_new();
    if (!c)
        return open_failed(c, MS_ERR_NO_MEMORY, err, errlen, iface, "out of memory");
    c->live = true;
    c->nonblock = o.nonblock;
    c->dport = o.dport;
    ms_status st = activate(c, iface, &o, err, errlen);
    if (st == MS_OK && c->dport)
        st = kernel_filter(c, iface, err, errlen);
    if (st != MS_OK)
        return st; /* c is gone */
    char pe[PCAP_ERRBUF_SIZE] = "";
    if (c->nonblock && pcap_setnonblock(c->pcap, 1, pe) != 0)
        return open_failed(c, MS_ERR_SYSTEM, err, errlen, iface, pe);
    setup_link(c);
    if (c->dport && c->ctx.link == MS_LINK_UNSUPPORTED) {
        snprintf(pe, sizeof pe, "link type %d is not supported", c->dlt);
        return open_failed(c, MS_ERR_BAD_INPUT, err, errlen, iface, pe);
    }
    *out = c;
    return MS_OK;
}

int ms_capture_fd(const ms_capture *c)
{
    return c && c->live ? pcap_get_selectable_fd(c->pcap) : -1;
}

/* ---- reading ------------------------------------------------------------ */

void ms_capture_set_ports(ms_capture *c, const uint16_t *ports, size_t n)
{
    ms_portset_clear(&c->ports);
    c->ports.all = n == 0;
    for (size_t i = 0; i < n; i++)
        ms_portset_add(&c->ports, ports[i]);
}

/* No more records, cleanly or not: what is still incomplete never will be. */
static ms_status stop(ms_capture *c, ms_status st)
{
    ms_reasm_flush(c->reasm);
    c->st.frag_dropped = ms_reasm_get_stats(c->reasm).dropped;
    c->state = STOPPED;
    c->stop_status = st;
    return st;
}

static ms_status read_failed(ms_capture *c)
{
    const char *pe = pcap_geterr(c->pcap);
    unsigned long long n = (unsigned long long)c->st.frames;
    /* libpcap says "truncated dump file; ..." or "truncated pcapng dump
     * file; ..." when the file ends inside a record. No path here: the
     * caller names the file it opened. */
    if (c->live)
        snprintf(c->err, sizeof c->err, "live capture failed after frame %llu (%s)", n, pe);
    else if (strncmp(pe, "truncated", 9) == 0)
        snprintf(c->err, sizeof c->err,
                 "truncated capture file: ends inside the record after frame %llu (%s)", n, pe);
    else
        snprintf(c->err, sizeof c->err, "unreadable capture file: stops after frame %llu (%s)",
                 n, pe);
    return stop(c, c->live ? MS_ERR_SYSTEM : MS_ERR_BAD_INPUT);
}

ms_status ms_capture_next(ms_capture *c, ms_udp_datagram *out)
{
    if (c->state != READING)
        return c->stop_status;
    if (c->broken) /* libpcap heeds its break flag only on live captures */
        return stop(c, MS_ERR_END);
    ms_reasm_release(c->reasm); /* the previous reassembled payload */
    for (unsigned passed = 0;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(c->pcap, &h, &data);
        if (rc == 0) { /* live only: nothing came (in time) */
            if (c->nonblock)
                return MS_ERR_AGAIN;
            continue;
        }
        if (rc == PCAP_ERROR_BREAK) /* end of file, or ms_capture_break */
            return stop(c, MS_ERR_END);
        if (rc != 1)
            return read_failed(c);
        c->st.frames++;
        if (c->filtering && !pcap_offline_filter(&c->prog, h, data)) {
            c->st.filtered++;
        } else {
            ms_record rec = {
                .frame = c->st.frames,
                .ts_sec = (int64_t)h->ts.tv_sec,
                .ts_nsec = (uint32_t)h->ts.tv_usec * c->ts_scale, /* see the opens */
                .data = data,
                .caplen = h->caplen,
                .wirelen = h->len,
            };
            ms_frame_verdict v = ms_frame_process(&c->ctx, &rec, out);
            /* A service's own replies from the port are not for us. */
            if (v == MS_FRAME_DATAGRAM && c->dport && out->dport != c->dport)
                v = MS_FRAME_OTHER_PORT;
            ms_frame_count(&c->st, v);
            c->st.frag_dropped = ms_reasm_get_stats(c->reasm).dropped;
            if (v == MS_FRAME_DATAGRAM) {
                c->last_hdr = *h;
                c->last_data = data;
                return MS_OK;
            }
        }
        if (c->nonblock && ++passed == NONBLOCK_BATCH)
            return MS_ERR_AGAIN;
    }
}

const char *ms_capture_error(const ms_capture *c)
{
    return c->err;
}

const char *ms_capture_linktype_name(const ms_capture *c)
{
    return c->linkname;
}

ms_status ms_capture_get_stats(const ms_capture *c, ms_capture_stats *out)
{
    if (!c || !out || out->size == 0)
        return MS_ERR_INVALID_ARG;
    ms_sized_write(out, &c->st, sizeof c->st);
    return MS_OK;
}

void ms_capture_close(ms_capture *c)
{
    if (!c)
        return;
    if (c->dump && c->dump_borrowed)
        pcap_dump_flush(c->dump);
    else if (c->dump)
        pcap_dump_close(c->dump);
    if (c->filtering)
        pcap_freecode(&c->prog);
    if (c->pcap)
        pcap_close(c->pcap); /* fcloses the FILE, so before its buffer goes */
    free(c->iobuf);
    ms_reasm_free(c->reasm);
    free(c);
}

void ms_capture_break(ms_capture *c)
{
    if (!c)
        return;
    c->broken = 1;
    if (c->pcap)
        pcap_breakloop(c->pcap);
}

ms_status ms_capture_set_filter(ms_capture *c, const char *expr, char *err, size_t errlen)
{
    struct bpf_program prog;
    if (!expr) {
        set_err(err, errlen, "filter", "no expression given");
        return MS_ERR_INVALID_ARG;
    }
    if (pcap_compile(c->pcap, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "filter '%s': %s", expr, pcap_geterr(c->pcap));
        return MS_ERR_INVALID_ARG;
    }
    if (c->filtering)
        pcap_freecode(&c->prog);
    c->prog = prog;
    c->filtering = true;
    return MS_OK;
}

/* ---- copying records out ------------------------------------------------ */

ms_status ms_capture_dump_open(ms_capture *c, const char *path, char *err, size_t errlen)
{
    if (c->dump) {
        set_err(err, errlen, path, "a dump file is already open");
        return MS_ERR_EXISTS;
    }
    c->dump = pcap_dump_open(c->pcap, path);
    if (!c->dump) {
        set_err(err, errlen, path, pcap_geterr(c->pcap));
        return MS_ERR_SYSTEM;
    }
    return MS_OK;
}

ms_status ms_capture_dump_fopen(ms_capture *c, FILE *f, char *err, size_t errlen)
{
    if (c->dump) {
        set_err(err, errlen, "dump", "a dump file is already open");
        return MS_ERR_EXISTS;
    }
    c->dump = pcap_dump_fopen(c->pcap, f);
    if (!c->dump) {
        set_err(err, errlen, "dump", pcap_geterr(c->pcap));
        return MS_ERR_SYSTEM;
    }
    c->dump_borrowed = true;
    return MS_OK;
}

ms_status ms_capture_dump_record(ms_capture *c)
{
    if (!c->dump || !c->last_data)
        return MS_ERR_INVALID_ARG;
    pcap_dump((u_char *)c->dump, &c->last_hdr, c->last_data);
    return MS_OK;
}

ms_status ms_capture_dump_close(ms_capture *c, char *err, size_t errlen)
{
    if (!c->dump)
        return MS_OK;
    int bad = pcap_dump_flush(c->dump) != 0 || ferror(pcap_dump_file(c->dump));
    if (!c->dump_borrowed && fclose(pcap_dump_file(c->dump)) != 0)
        bad = 1; /* what pcap_dump_close does, but checked */
    c->dump = NULL;
    c->dump_borrowed = false;
    if (bad && err && errlen)
        snprintf(err, errlen, "writing the dump file failed");
    return bad ? MS_ERR_SYSTEM : MS_OK;
}

void ms_capture_position(const ms_capture *c, uint64_t *done, uint64_t *total)
{
    *done = 0;
    *total = c->file_size;
    if (c->live || !c->pcap)
        return;
    FILE *fp = pcap_file(c->pcap);
    long pos = fp ? ftell(fp) : -1;
    if (pos > 0)
        *done = (uint64_t)pos;
}
