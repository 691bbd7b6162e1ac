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

#endif
