/* SPDX-License-Identifier: MIT */
/* `--stats`: what a person wants first from an unknown capture — counts per
 * message type, mailslot, sender name and browser/NETLOGON opcode. Bounded:
 * each table keeps at most STATS_MAX_KEYS distinct keys, the rest are
 * counted under "(other)". */
#ifndef MS_TOOLS_STATS_H
#define MS_TOOLS_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "mailslot/message.h"

#define STATS_MAX_KEYS 4096
#define STATS_KEY_LEN 96

typedef struct stats_table stats_table;

typedef struct stats {
    uint64_t datagrams;
    stats_table *types, *mailslots, *senders, *browser, *netlogon, *layouts;
} stats;

int stats_init(stats *s);
void stats_add(stats *s, const ms_message *m);
void stats_print(const stats *s, FILE *f);
void stats_free(stats *s);

#endif
