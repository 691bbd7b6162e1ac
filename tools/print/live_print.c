/* SPDX-License-Identifier: MIT */
/* Live datagrams in decode's output format: the same printers decode uses
 * (dgram_print.c), fed the same pipeline item. */
#include <string.h>

#include "live_print.h"
#include "mailslot/validate.h"

void live_item(const ms_mailslot_msg *msg, uint64_t frame, ms_udp_datagram *d, dg_item *it)
{
    static const ms_report none;
    memset(d, 0, sizeof *d);
    d->frame = frame;
    d->ts_sec = (int64_t)(msg->time_ns / 1000000000ull);
    d->ts_nsec = (uint32_t)(msg->time_ns % 1000000000ull);
    d->ip_src = msg->src_ip;
    d->ip_dst = msg->dst_ip;
    d->sport = msg->src_port;
    d->dport = msg->dst_port;
    d->payload = msg->payload;
    d->len = d->orig_len = msg->payload_len;
    d->udp_length = (uint16_t)(msg->payload_len + 8);
    d->reassembled = msg->reassembled;
    memset(it, 0, sizeof *it);
    it->kind = msg->reassembled ? MS_RX_REASSEMBLED : MS_RX_DATAGRAM;
    it->verdict = MS_RX_WRITE;
    it->d = d;
    it->m = msg->m;
    it->info = (ms_frame_info){ d->ip_src, d->ip_dst, d->sport, d->dport, d->len, false };
    it->findings = &none;
    it->authenticated = msg->authenticated;
}

void live_print(FILE *f, json_out *j, bool json, const dg_item *it, bool validated,
                const dp_auth *auth, bool hold)
{
    static ms_report problems;
    if (json) {
        const ms_report *r = it->findings;
        if (!validated) {
            ms_report_clear(&problems);
            ms_validate(it->d->payload, it->d->len, it->m, &it->info, &problems);
            r = &problems;
        }
        dp_json(j, it, r, auth);
    } else {
        dp_line(f, it, false, auth);
    }
    if (!hold)
        fflush(f);
}
