/* SPDX-License-Identifier: MIT */
/* The floor the benchmark compares against: libpcap's own file reader with
 * its defaults (pcap_open_offline, pcap_next_ex) and a minimal parse that
 * counts Ethernet/IPv4/UDP frames to or from port 138. Nothing less can
 * read a capture through libpcap.
 *
 *   floor FILE   -> prints "frames N udp138 M" */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: floor FILE\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "floor: %s\n", err);
        return 1;
    }
    unsigned long long frames = 0, hits = 0;
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        frames++;
        /* Ethernet II, IPv4, UDP: 14 + IHL*4 + 8 octets present. */
        if (h->caplen < 14 + 20 + 8 || d[12] != 0x08 || d[13] != 0x00 || (d[14] >> 4) != 4 ||
            d[23] != 17)
            continue;
        unsigned ihl = (d[14] & 15u) * 4u;
        if (ihl < 20 || h->caplen < 14 + ihl + 8)
            continue;
        const u_char *u = d + 14 + ihl;
        unsigned sport = (unsigned)u[0] << 8 | u[1], dport = (unsigned)u[2] << 8 | u[3];
        if (sport == 138 || dport == 138)
            hits++;
    }
    if (rc != PCAP_ERROR_BREAK) {
        fprintf(stderr, "floor: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    printf("frames %llu udp138 %llu\n", frames, hits);
    return 0;
}
