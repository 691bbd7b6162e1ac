/* SPDX-License-Identifier: MIT */
/* Printing datagrams received live (listen, send --wait) exactly the way
 * `mailslot decode` prints a capture's: one text line, or one NDJSON
 * object with the same keys. */
#ifndef MS_TOOLS_LIVE_PRINT_H
#define MS_TOOLS_LIVE_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "json_out.h"
#include "mailslot/message.h"

typedef struct live_dgram {
    uint64_t frame;          /* running number */
    uint64_t time_ns;        /* CLOCK_REALTIME */
    uint32_t ip_src, ip_dst;
    uint16_t sport, dport;
    const uint8_t *payload;
    size_t len;
    bool reassembled;        /* rebuilt from NBDS fragments */
    bool auth;               /* the authentication trailer verified (and
                              * was stripped from payload) */
    uint32_t auth_key_id;
    uint64_t auth_time_ms;   /* the trailer's timestamp */
    bool hold;               /* the caller flushes f (before it waits for
                              * more): no flush per datagram */
} live_dgram;

/* Print one datagram (m decoded from d->payload) and flush f unless
 * d->hold. */
void live_print(FILE *f, json_out *j, bool json, const live_dgram *d, const ms_message *m);

#endif
