/* SPDX-License-Identifier: MIT */
/* The libpcap edge: open a pcap/pcapng file (or stdin), pull records, run
 * each through frame.c, keep the counters. libpcap does all file parsing. */
#include "mailslot/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"

/* libpcap reads through stdio, whose default buffer means one read() per
 * 4 KiB; 256 KiB cuts the system calls 64-fold (pipes, network disks). */
#define IOBUF_SIZE (256u * 1024u)
#define NETBIOS_DGM_PORT 138

enum { READING, AT_END, FAILED };

struct ms_capture {
    pcap_t *pcap;
    char *iobuf;          /* the FILE's buffer: freed after pcap_close */
    int dlt;
    int state;
    ms_portset ports;
    ms_reasm *reasm;
    ms_frame_ctx ctx;
    ms_capture_stats st;
    struct bpf_program prog;
    bool filtering;
    bool live;
    pcap_dumper_t *dump;
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

static void setup_link(ms_capture *c);

ms_capture *ms_capture_open(const char *path, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!path || !*path) {
        set_err(err, errlen, "(none)", "no capture file given");
        return NULL;
    }
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "stdin" : path;

    ms_capture *c = calloc(1, sizeof *c);
    if (!c || !(c->iobuf = malloc(IOBUF_SIZE)) || !(c->reasm = ms_reasm_new(NULL))) {
        set_err(err, errlen, name, "out of memory");
        goto fail;
    }

    FILE *fp = open_input(path, is_stdin);
    if (!fp) {
        set_err(err, errlen, name, strerror(errno));
        goto fail;
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
        set_err(err, errlen, name, pe[0] ? pe : "not a capture file");
        goto fail;
    }

    setup_link(c);
    return c;

fail:
    ms_capture_close(c);
    return NULL;
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
    ms_portset_add(&c->ports, NETBIOS_DGM_PORT);
    c->ctx.link = ms_link_from_dlt(c->dlt);
    c->ctx.ports = &c->ports;
    c->ctx.reasm = c->reasm;
    c->state = READING;
}

void ms_capture_set_ports(ms_capture *c, const uint16_t *ports, size_t n)
{
    ms_portset_clear(&c->ports);
    c->ports.all = n == 0;
    for (size_t i = 0; i < n; i++)
        ms_portset_add(&c->ports, ports[i]);
}

/* End of input, clean or not: what is still incomplete never will be. */
static void finish(ms_capture *c, int state)
{
    ms_reasm_flush(c->reasm);
    c->st.frag_dropped = ms_reasm_get_stats(c->reasm).dropped;
    c->state = state;
}

static void read_failed(ms_capture *c)
{
    const char *pe = pcap_geterr(c->pcap);
    unsigned long long n = (unsigned long long)c->st.frames;
    /* libpcap says "truncated dump file; ..." or "truncated pcapng dump
     * file; ..." when the file ends inside a record. No path here: the
     * caller names the file it opened. */
    if (strncmp(pe, "truncated", 9) == 0)
        snprintf(c->err, sizeof c->err,
                 "truncated capture file: ends inside the record after frame %llu (%s)", n, pe);
    else
        snprintf(c->err, sizeof c->err, "unreadable capture file: stops after frame %llu (%s)",
                 n, pe);
}

int ms_capture_next(ms_capture *c, ms_udp_datagram *out)
{
    if (c->state != READING)
        return c->state == AT_END ? 0 : -1;
    ms_reasm_release(c->reasm); /* the previous reassembled payload */
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(c->pcap, &h, &data);
        if (rc == 0)
            continue; /* live-capture timeout; not seen on files */
        if (rc == PCAP_ERROR_BREAK) {
            finish(c, AT_END);
            return 0;
        }
        if (rc != 1) {
            read_failed(c);
            finish(c, FAILED);
            return -1;
        }
        c->st.frames++;
        if (c->filtering && !pcap_offline_filter(&c->prog, h, data)) {
            c->st.filtered++;
            continue;
        }
        ms_record rec = {
            .frame = c->st.frames,
            .ts_sec = (int64_t)h->ts.tv_sec,
            .ts_nsec = (uint32_t)h->ts.tv_usec, /* nanoseconds: see open */
            .data = data,
            .caplen = h->caplen,
            .wirelen = h->len,
        };
        ms_frame_verdict v = ms_frame_process(&c->ctx, &rec, out);
        ms_frame_count(&c->st, v);
        c->st.frag_dropped = ms_reasm_get_stats(c->reasm).dropped;
        if (v == MS_FRAME_DATAGRAM) {
            c->last_hdr = *h;
            c->last_data = data;
            return 1;
        }
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

const ms_capture_stats *ms_capture_get_stats(const ms_capture *c)
{
    return &c->st;
}

void ms_capture_close(ms_capture *c)
{
    if (!c)
        return;
    if (c->dump)
        pcap_dump_close(c->dump);
    if (c->filtering)
        pcap_freecode(&c->prog);
    if (c->pcap)
        pcap_close(c->pcap); /* fcloses the FILE, so before its buffer goes */
    free(c->iobuf);
    ms_reasm_free(c->reasm);
    free(c);
}

ms_capture *ms_capture_open_live(const char *iface, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!iface || !*iface) {
        set_err(err, errlen, "(none)", "no interface given");
        return NULL;
    }
    ms_capture *c = calloc(1, sizeof *c);
    char pe[PCAP_ERRBUF_SIZE] = "";
    if (!c || !(c->reasm = ms_reasm_new(NULL))) {
        set_err(err, errlen, iface, "out of memory");
        goto fail;
    }
    c->live = true;
    c->pcap = pcap_create(iface, pe);
    if (!c->pcap) {
        set_err(err, errlen, iface, pe);
        goto fail;
    }
    /* Whole datagrams, at once, and traffic for other hosts too (a
     * browser election is broadcast, a reply to a peer is not). */
    pcap_set_snaplen(c->pcap, 65535);
    pcap_set_promisc(c->pcap, 1);
    pcap_set_immediate_mode(c->pcap, 1);
    pcap_set_timeout(c->pcap, 200);
    pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(c->pcap);
    if (rc < 0) {
        set_err(err, errlen, iface, pcap_geterr(c->pcap)[0] ? pcap_geterr(c->pcap)
                                                          : pcap_statustostr(rc));
        goto fail;
    }
    setup_link(c);
    return c;

fail:
    ms_capture_close(c);
    return NULL;
}

void ms_capture_break(ms_capture *c)
{
    if (c && c->pcap)
        pcap_breakloop(c->pcap);
}

int ms_capture_set_filter(ms_capture *c, const char *expr, char *err, size_t errlen)
{
    struct bpf_program prog;
    if (pcap_compile(c->pcap, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "filter '%s': %s", expr, pcap_geterr(c->pcap));
        return -1;
    }
    if (c->filtering)
        pcap_freecode(&c->prog);
    c->prog = prog;
    c->filtering = true;
    return 0;
}

int ms_capture_dump_open(ms_capture *c, const char *path, char *err, size_t errlen)
{
    if (c->dump) {
        if (err && errlen)
            snprintf(err, errlen, "%s: a dump file is already open", path);
        return -1;
    }
    c->dump = pcap_dump_open(c->pcap, path);
    if (!c->dump) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, pcap_geterr(c->pcap));
        return -1;
    }
    return 0;
}

int ms_capture_dump_record(ms_capture *c)
{
    if (!c->dump || !c->last_data)
        return -1;
    pcap_dump((u_char *)c->dump, &c->last_hdr, c->last_data);
    return 0;
}

int ms_capture_dump_close(ms_capture *c, char *err, size_t errlen)
{
    if (!c->dump)
        return 0;
    int bad = pcap_dump_flush(c->dump) != 0 || ferror(pcap_dump_file(c->dump));
    pcap_dump_close(c->dump); /* fclose: an error there is a write error too */
    c->dump = NULL;
    if (bad && err && errlen)
        snprintf(err, errlen, "writing the dump file failed");
    return bad ? -1 : 0;
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
