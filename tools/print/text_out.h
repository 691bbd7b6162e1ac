/* SPDX-License-Identifier: MIT */
/* Human output: the -v field tree, fed by the library's field visitor. */
#ifndef MS_TOOLS_TEXT_OUT_H
#define MS_TOOLS_TEXT_OUT_H

#include <stdio.h>

#include "mailslot/types.h"

typedef struct text_tree {
    FILE *f;
    int depth;
} text_tree;

/* ms_field_fn adapter: ctx is a text_tree*. */
void tt_field(void *ctx, const ms_field *f);

/* Printable rendering of 8-bit text: printable ASCII as is, other octets
 * as \xNN. Returns out. */
const char *tt_escape(const uint8_t *p, size_t n, char *out, size_t cap);

#endif
