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

#define MS_DEDUP_DEFAULT_ENTRIES 1024
#define MS_DEDUP_MAX_ENTRIES (1u << 24)

/* A bounded table in the caller's memory (like nbds_reasm.h): the octets
 * ms_dedup_init needs for `entries` remembered messages (0 = 1024); 0 when
 * entries is over MS_DEDUP_MAX_ENTRIES. */
MS_EXTERN size_t ms_dedup_size(size_t entries);
/* Set up a table in mem (8-octet aligned, at least ms_dedup_size octets,
 * the caller's for the table's life; nothing to free). window_ns: how long
 * a message is remembered (a repeat at exactly window_ns is still
 * dropped). MS_ERR_INVALID_ARG for a block too small or misaligned. */
MS_EXTERN ms_status ms_dedup_init(void *mem, size_t len, size_t entries, uint64_t window_ns,
                                  ms_dedup **out);

/* True when the message repeats one seen within the window (counted, not
 * remembered again); false when it is new (remembered from now_ns). */
MS_EXTERN bool ms_dedup_check(ms_dedup *d, const ms_nb_name *src, uint16_t dgm_id,
                              const uint8_t *slot, size_t slot_len, const uint8_t *data,
                              size_t len, uint64_t now_ns);

typedef struct ms_dedup_stats {
    size_t size;                        /* sizeof, set by the caller */
    uint64_t checked, dropped, evicted; /* evicted: forgotten while in window */
} ms_dedup_stats;
/* Copy the counters into *out (out->size set by the caller, MS_SIZED). */
MS_EXTERN ms_status ms_dedup_get_stats(const ms_dedup *d, ms_dedup_stats *out);

#ifdef __cplusplus
}
#endif
#endif
