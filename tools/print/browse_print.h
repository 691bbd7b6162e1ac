/* SPDX-License-Identifier: MIT */
/* `mailslot browse`'s answer: the master browser that answered a
 * GetBackupListRequest and the backup browsers it named, each with its
 * address or marked unresolved; text or one JSON object (docs/decode-json.md,
 * "browse --json"). */
#ifndef MS_TOOLS_BROWSE_PRINT_H
#define MS_TOOLS_BROWSE_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mailslot/browser.h"

typedef struct browse_backup {
    uint8_t raw[16];     /* the name as the response lists it */
    size_t raw_len;
    uint32_t ip;         /* 0: unresolved */
} browse_backup;

typedef struct browse_master {
    char workgroup[16];
    char name[300];      /* the response's NBDS source name, NAME<xx> */
    uint32_t ip;         /* its IP source */
    uint32_t token;
    unsigned count;      /* BackupServerCount */
    size_t n;
    browse_backup b[MS_BRWS_MAX_BACKUP_NAMES];
} browse_master;

void browse_print(FILE *f, const browse_master *m, bool json);

#endif
