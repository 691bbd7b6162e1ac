/* SPDX-License-Identifier: MIT */
/* One datagram from the JSON objects `mailslot decode --json` writes, for
 * `encode` and `send --json`: the nbdgm, smb, trans and mailslot objects
 * into an ms_message, each length, count and offset computed only when its
 * key is absent (a present key is taken as given, even when inconsistent). */
#ifndef MS_TOOLS_JSON_FRAME_H
#define MS_TOOLS_JSON_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_read.h"
#include "mailslot/message.h"

/* Octet storage for one object's byte fields: bump-allocated, reset per
 * object (the message's ranges point into it). */
typedef struct jf_arena {
    uint8_t *buf;
    size_t cap, used;
} jf_arena;

typedef struct jf_ctx {
    const json_doc *doc;
    jf_arena *ar;
    char err[256];   /* why building failed */
} jf_ctx;

/* The datagram root describes (no "payload" read here). false with c->err. */
bool jf_build_message(jf_ctx *c, json_ref root, ms_message *m);

/* "a.b.c.d" (s may be NULL: not a string) into *ip, host order. */
bool jf_parse_ipv4(const char *s, uint32_t *ip);

#endif
