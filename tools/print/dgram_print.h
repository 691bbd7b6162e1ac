/* SPDX-License-Identifier: MIT */
/* Printing one datagram as `mailslot decode` prints it. */
#ifndef MS_TOOLS_DGRAM_PRINT_H
#define MS_TOOLS_DGRAM_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "datagrams.h"
#include "json_out.h"

/* A verified authentication trailer (listen --key-file), or NULL. */
typedef struct dp_auth {
    uint32_t key_id;
    uint64_t time_ms;
} dp_auth;

/* One NDJSON object; problems (may be empty) become "problems". A
 * reassembled item without a fragment list prints no "fragments". */
void dp_json(json_out *j, const dg_item *it, const ms_report *problems, const dp_auth *auth);

/* Colour (SGR) in dp_line's text: the caller decides (cli_color_choice). */
void dp_set_color(bool on);

/* With on, a line for a write to a mailslot other than the browser's or
 * NETLOGON's ends with its data as a quoted, escaped string. */
void dp_set_show_data(bool on);

/* One text line, and with verbose the field tree under it. */
void dp_line(FILE *f, const dg_item *it, bool verbose, const dp_auth *auth);

#endif
