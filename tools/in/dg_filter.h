/* SPDX-License-Identifier: MIT */
/* --slot, --type and --name: which decoded datagrams decode, check and
 * hosts look at. Options of one kind are alternatives; kinds combine. */
#ifndef MS_TOOLS_DG_FILTER_H
#define MS_TOOLS_DG_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "mailslot/message.h"

#define DG_FILTER_MAX 16
#define DG_FILTER_SLOT_MAX 256

typedef struct dg_filter {
    char slots[DG_FILTER_MAX][DG_FILTER_SLOT_MAX]; /* normalized \MAILSLOT\x */
    size_t nslots;
    uint8_t types[DG_FILTER_MAX];                  /* NBDS MSG_TYPE values */
    size_t ntypes;
    struct {
        uint8_t name[15];                          /* upper case, space padded */
        int suffix;                                /* -1: any */
    } names[DG_FILTER_MAX];
    size_t nnames;
} dg_filter;

/* Each returns 0, or -1 after printing why (prefix "mailslot SUB: "). */
int dg_filter_add_slot(dg_filter *f, const char *sub, const char *text);
int dg_filter_add_type(dg_filter *f, const char *sub, const char *text);
int dg_filter_add_name(dg_filter *f, const char *sub, const char *text);

bool dg_filter_active(const dg_filter *f);
bool dg_filter_match(const dg_filter *f, const ms_message *m);

/* The words --type takes, for --help and completion. */
#define DG_FILTER_TYPE_WORDS "unique group broadcast error query positive negative"

#endif
