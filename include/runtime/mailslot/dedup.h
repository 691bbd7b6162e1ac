/* SPDX-License-Identifier: MIT */
/* Duplicate suppression for mailslot messages (PROTOCOL.md §5.6): Windows
 * writes a message once per transport it is bound to, each copy from
 * another address, so a receiver drops a repeat of the same (NBDS source
 * name with scope, DGM_ID, mailslot name compared case-insensitively,
 * data) seen within a window. The table is bounded: when it is full the
 * oldest entry is forgotten. Entries keep a seeded 64-bit hash of the
 * tuple, not the data, plus DGM_ID and the lengths; the sender is not
 * authenticated anyway, so a crafted collision buys nothing a spoofed
 * datagram could not. */
#ifndef MAILSLOT_DEDUP_H
#define MAILSLOT_DEDUP_H

#include "mailslot/netbios.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ms_dedup ms_dedup;

/* entries: table size (0 = 1024); window_ns: how long a message is
 * remembered (a repeat at exactly window_ns is still dropped). */
MS_EXTERN ms_dedup *ms_dedup_new(size_t entries, uint64_t window_ns);
MS_EXTERN void ms_dedup_free(ms_dedup *d);

/* True when the message repeats one seen within the window (counted, not
 * remembered again); false when it is new (remembered from now_ns). */
MS_EXTERN bool ms_dedup_check(ms_dedup *d, const ms_nb_name *src, uint16_t dgm_id, const uint8_t *slot,
                              size_t slot_len, const uint8_t *data, size_t len, uint64_t now_ns);

typedef struct ms_dedup_stats {
    uint64_t checked, dropped, evicted; /* evicted: forgotten while in window */
} ms_dedup_stats;
MS_EXTERN const ms_dedup_stats *ms_dedup_get_stats(const ms_dedup *d);

#ifdef __cplusplus
}
#endif
#endif
