/* SPDX-License-Identifier: MIT */
/* The libpcap edge: open a pcap/pcapng file (or stdin), pull records, run
 * each through frame.c, keep the counters. libpcap does all file parsing. */
#include "mailslot/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/frame.h"

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
    char pe[PCAP_ERRBUF_SIZE] = "";
    /* Nanosecond precision: otherwise libpcap rounds nanosecond files down
     * to microseconds. */
    c->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, pe);
    if (!c->pcap) {
        fclose(fp); /* libpcap leaves it open on failure */
        set_err(err, errlen, name, pe[0] ? pe : "not a capture file");
        goto fail;
    }

    /* One link type for the whole file: libpcap offers no per-packet link
     * type, and for pcapng it takes the first interface's and refuses (as a
     * read error) any later interface with another. */
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
    return c;

fail:
    ms_capture_close(c);
    return NULL;
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
    c->st.frag_dropped = ms_reasm_get_stats(c->reasm)->dropped;
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
        c->st.frag_dropped = ms_reasm_get_stats(c->reasm)->dropped;
        if (v == MS_FRAME_DATAGRAM)
            return 1;
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
    if (c->pcap)
        pcap_close(c->pcap); /* fcloses the FILE, so before its buffer goes */
    free(c->iobuf);
    ms_reasm_free(c->reasm);
    free(c);
}
