/* SPDX-License-Identifier: MIT */
/* Writing UDP datagrams as Ethernet + IPv4 + UDP frames into a pcap file
 * through libpcap's own writer. */
#ifndef MS_TOOLS_PCAP_OUT_H
#define MS_TOOLS_PCAP_OUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct pcap_out pcap_out;

/* Written through cli_outfile (a temporary renamed into place on
 * pcap_out_commit), so an interrupted or failed run leaves no
 * half-written file. pcap_out_write is -1 once a write failed; commit
 * then says why ("PATH: No space left on device"). */
pcap_out *pcap_out_open(const char *path, char *err, size_t errlen);
int pcap_out_write(pcap_out *o, int64_t sec, uint32_t nsec, uint32_t ip_src,
                   uint32_t ip_dst, uint16_t sport, uint16_t dport,
                   const uint8_t *payload, size_t len);
/* After pcap_out_write failed: 1 with "PATH: strerror" in err when the
 * file could not be written (exit 4), 0 when the frame was too large. */
int pcap_out_error(const pcap_out *o, char *err, size_t errlen);
int pcap_out_commit(pcap_out *o, char *err, size_t errlen);
void pcap_out_abort(pcap_out *o);

/* The IPv4 + UDP framing alone (no Ethernet): writes 28 + len octets into
 * frame (cap >= 28 + len), with both checksums. Returns octets written. */
size_t ipv4_udp_frame(uint8_t *frame, size_t cap, uint16_t ip_id,
                      uint32_t ip_src, uint32_t ip_dst, uint16_t sport,
                      uint16_t dport, const uint8_t *payload, size_t len);

#endif
