/* SPDX-License-Identifier: MIT */
#include "datagrams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int dg_add_port(dg_options *o, const char *arg)
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
    ms_report *findings = malloc(sizeof *findings);
    if (!m || !findings) {
        cli_error(o->sub, "out of memory");
        free(m);
        free(findings);
        ms_capture_close(cap);
        return EXIT_SYSTEM;
    }
    ms_udp_datagram d;
    int rc;
    while ((rc = ms_capture_next(cap, &d)) == 1) {
        ms_message_decode(d.payload, d.len, m);
        ms_report_clear(findings);
        dg_item it = { &d, m, { d.ip_src, d.ip_dst, d.sport, d.dport, d.orig_len, d.truncated },
                       false, NULL, 0, findings };
        fn(ctx, &it);
    }
    int status = EXIT_OK;
    if (rc < 0) {
        cli_error(o->sub, "%s: %s", o->path, ms_capture_error(cap));
        status = EXIT_INPUT;
    }
    *stats = *ms_capture_get_stats(cap);
    snprintf(linktype, linktype_len, "%s", ms_capture_linktype_name(cap));
    free(findings);
    free(m);
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
