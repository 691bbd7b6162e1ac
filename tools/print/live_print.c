/* SPDX-License-Identifier: MIT */
/* Live datagrams in decode's output format: the live datagram is handed to
 * the same printers decode uses (dgram_print.c). */
#include <string.h>

#include "dgram_print.h"
#include "live_print.h"
#include "mailslot/validate.h"

void live_print(FILE *f, json_out *j, bool json, const live_dgram *d, const ms_message *m)
{
    static ms_report none, problems;
    ms_udp_datagram u;
    memset(&u, 0, sizeof u);
    u.frame = d->frame;
    u.ts_sec = (int64_t)(d->time_ns / 1000000000ull);
    u.ts_nsec = (uint32_t)(d->time_ns % 1000000000ull);
    u.ip_src = d->ip_src;
    u.ip_dst = d->ip_dst;
    u.sport = d->sport;
    u.dport = d->dport;
    u.payload = d->payload;
    u.len = u.orig_len = d->len;
    u.udp_length = (uint16_t)(d->len + 8);
    dg_item it = { &u, m, { d->ip_src, d->ip_dst, d->sport, d->dport, d->len, false },
                   d->reassembled, NULL, 0, &none, false };
    dp_auth auth = { d->auth_key_id, d->auth_time_ms };
    if (json) {
        ms_report_clear(&problems);
        ms_validate(d->payload, d->len, m, &it.info, &problems);
        dp_json(j, &it, &problems, d->auth ? &auth : NULL);
    } else {
        dp_line(f, &it, false, d->auth ? &auth : NULL);
    }
    if (!d->hold)
        fflush(f);
}
