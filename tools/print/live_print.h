/* SPDX-License-Identifier: MIT */
/* Printing what arrives live (listen, send --wait) exactly the way
 * `mailslot decode` prints a capture: one text line, or one NDJSON object
 * with the same keys. */
#ifndef MS_TOOLS_LIVE_PRINT_H
#define MS_TOOLS_LIVE_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "dgram_print.h"
#include "json_out.h"
#include "mailslot/server.h"

/* The pipeline item for a message a server queued (its octets and
 * decode, its addresses and arrival time); d is filled and pointed to. */
void live_item(const ms_mailslot_msg *msg, uint64_t frame, ms_udp_datagram *d, dg_item *it);

/* Print one item; for JSON its findings are the "problems" when the item
 * carries the validator's, else they are worked out here. auth: the
 * verified trailer, or NULL. Flushes f unless hold (the caller flushes
 * before it waits for more). */
void live_print(FILE *f, json_out *j, bool json, const dg_item *it, bool validated,
                const dp_auth *auth, bool hold);

#endif
