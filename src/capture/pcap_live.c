/* SPDX-License-Identifier: MIT */
/* Passive live receive through libpcap, for running beside nmbd: the
 * frames go through the same link/IPv4/UDP code as capture files. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "mailslot/capture.h"

struct ms_pcap_live {
    pcap_t *pcap;
    ms_portset ports;
    ms_reasm *reasm;
    ms_frame_ctx ctx;
    uint64_t frames;
    uint16_t port;
};

ms_pcap_live *ms_pcap_live_open(const char *iface, uint16_t port, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    ms_pcap_live *p = calloc(1, sizeof *p);
    if (!p || !(p->reasm = ms_reasm_new(NULL))) {
        snprintf(err, errlen, "out of memory");
        free(p);
        return NULL;
    }
    p->port = port;
    p->pcap = pcap_create(iface, perr);
    if (!p->pcap) {
        snprintf(err, errlen, "pcap on %s: %s", iface, perr);
        ms_pcap_live_close(p);
        return NULL;
    }
    pcap_set_snaplen(p->pcap, 65535);
    pcap_set_promisc(p->pcap, 0);
    pcap_set_timeout(p->pcap, 50);
    pcap_set_immediate_mode(p->pcap, 1); /* one line per message, at once */
    int rc = pcap_activate(p->pcap);
    if (rc < 0) {
        snprintf(err, errlen, "pcap on %s: %s%s", iface, pcap_geterr(p->pcap),
                 rc == PCAP_ERROR_PERM_DENIED ? " (needs root or CAP_NET_RAW)" : "");
        ms_pcap_live_close(p);
        return NULL;
    }
    char filter[64];
    snprintf(filter, sizeof filter, "udp port %u or (ip[6:2] & 0x1fff != 0)", port);
    struct bpf_program prog;
    if (pcap_compile(p->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
        pcap_setfilter(p->pcap, &prog) != 0) {
        snprintf(err, errlen, "pcap filter '%s': %s", filter, pcap_geterr(p->pcap));
        ms_pcap_live_close(p);
        return NULL;
    }
    pcap_freecode(&prog);
    if (pcap_setnonblock(p->pcap, 1, perr) != 0) {
        snprintf(err, errlen, "pcap: %s", perr);
        ms_pcap_live_close(p);
        return NULL;
    }
    ms_portset_clear(&p->ports);
    ms_portset_add(&p->ports, port);
    p->ctx.link = ms_link_from_dlt(pcap_datalink(p->pcap));
    p->ctx.ports = &p->ports;
    p->ctx.reasm = p->reasm;
    if (p->ctx.link == MS_LINK_UNSUPPORTED) {
        snprintf(err, errlen, "pcap on %s: link type %d is not supported", iface,
                 pcap_datalink(p->pcap));
        ms_pcap_live_close(p);
        return NULL;
    }
    return p;
}

int ms_pcap_live_fd(const ms_pcap_live *p)
{
    return pcap_get_selectable_fd(p->pcap);
}

int ms_pcap_live_next(ms_pcap_live *p, ms_udp_datagram *d, char *err, size_t errlen)
{
    ms_reasm_release(p->reasm);
    /* Bounded: return to the caller's loop now and then. */
    for (int i = 0; i < 256; i++) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(p->pcap, &h, &data);
        if (rc == 0)
            return 0;
        if (rc != 1) {
            snprintf(err, errlen, "pcap: %s", pcap_geterr(p->pcap));
            return -1;
        }
        ms_record rec = { ++p->frames, (int64_t)h->ts.tv_sec, (uint32_t)h->ts.tv_usec * 1000u,
                          data, h->caplen, h->len };
        if (ms_frame_process(&p->ctx, &rec, d) != MS_FRAME_DATAGRAM)
            continue;
        /* Only datagrams to the port: the service's own replies from it
         * to another port are not messages for us. */
        if (d->dport != p->port)
            continue;
        return 1;
    }
    return 0;
}

void ms_pcap_live_close(ms_pcap_live *p)
{
    if (!p)
        return;
    if (p->pcap)
        pcap_close(p->pcap);
    ms_reasm_free(p->reasm);
    free(p);
}
