/* SPDX-License-Identifier: MIT */
/* What `mailslot lookup` prints: the answers to a name query and a node
 * status table, as text or one JSON object per line. */
#ifndef MS_TOOLS_LOOKUP_PRINT_H
#define MS_TOOLS_LOOKUP_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "mailslot/nbns_resolve.h"

/* Text: one line per address of each positive answer, "IP NAME<xx>", then
 * " group" for a group entry and " (answered by IP)" when the responder
 * is not the address. JSON: one object per answer, negative ones too. */
void lookup_print_answers(FILE *f, const ms_nb_name *name, const ms_lookup_answer *a, size_t n,
                          bool json);

/* Text: a header, one row per name (NAME<xx>, unique or group, owner node
 * type, state words), then the unit ID as a MAC address. JSON: one
 * object. */
void lookup_print_status(FILE *f, const ms_node_status_reply *r, bool json);

/* "B", "P", "M" or "H": the owner node type of NB_FLAGS / NAME_FLAGS. */
const char *lookup_ont_name(uint16_t flags);

#endif
