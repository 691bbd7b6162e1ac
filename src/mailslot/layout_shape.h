/* SPDX-License-Identifier: MIT */
/* The shapes table (private): what each sender writes in the fields it
 * chooses, shared by the builder (layout.c) and the matcher
 * (layout_match.c) so the two cannot disagree. */
#ifndef MS_MAILSLOT_LAYOUT_SHAPE_H
#define MS_MAILSLOT_LAYOUT_SHAPE_H

#include <stdbool.h>
#include <stdint.h>

#include "mailslot/layout.h"

#define SHAPE_PRIO_BROWSER 0xFFFF /* 0 for Host/LocalMasterAnnouncement from <20>, else 1 */

typedef struct layout_shape {
    uint8_t smb_flags;
    uint16_t smb_flags2;
    uint16_t pid_low;
    uint16_t max_param_count;
    uint16_t trans_flags;
    uint32_t timeout;
    bool param_at_data;      /* ParameterOffset = DataOffset, else 0 */
    bool pad4;               /* data 4-aligned (0..3 pad octets), else none */
    uint16_t priority;       /* or SHAPE_PRIO_BROWSER */
    ms_node_type node;       /* the node type it sends by default */
    uint8_t flags_seen[5];   /* FLAGS octets seen from it, 0-terminated */
} layout_shape;

const layout_shape *ms_layout_shape(ms_sender s);

/* Whether name[0..len) is \MAILSLOT\BROWSE or \MAILSLOT\LANMAN, any case. */
bool ms_layout_is_browser_slot(const char *name, size_t len);

#endif
