/* SPDX-License-Identifier: MIT */
/* `mailslot dcping`'s line per domain controller reply: who answered, from
 * where, and what the NETLOGON response says (names, DNS names, GUID,
 * sites, flags), in the words of decode -v's keys. */
#ifndef MS_TOOLS_DC_PRINT_H
#define MS_TOOLS_DC_PRINT_H

#include <stdio.h>

#include "mailslot/message.h"
#include "mailslot/pipeline.h"

/* One line: "IP NAME<xx> OPCODE_NAME (0xNN): key value ...". */
void dc_reply_line(FILE *f, const ms_udp_datagram *d, const ms_message *m);

#endif
