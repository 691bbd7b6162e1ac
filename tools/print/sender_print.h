/* SPDX-License-Identifier: MIT */
/* Who sent a datagram, as far as its layout tells (docs/LAYOUTS.md):
 * decode's and check's "sender" list, decode -v's words, --stats' key. */
#ifndef MS_TOOLS_SENDER_PRINT_H
#define MS_TOOLS_SENDER_PRINT_H

#include <stddef.h>

#include "json_out.h"
#include "mailslot/message.h"

/* Whether a datagram gets a sender list: it carries a transaction. */
static inline bool sender_known_for(const ms_message *m)
{
    return m->has_smb;
}

/* The names of the senders whose shape m has, in table order, or the one
 * name "unknown"; returns how many (1 at least). */
size_t sender_names(const ms_message *m, const char *names[], size_t cap);

/* "sender": [...] into the open object (nothing without a transaction). */
void sender_json(json_out *j, const ms_message *m);

/* The names joined by ", " (for -v) or by sep. */
void sender_words(const ms_message *m, const char *sep, char *out, size_t cap);

#endif
