/* SPDX-License-Identifier: MIT */
/* The bounded table of pending fragment sets that IPv4 and NBDS reassembly
 * share: a fixed number of slots in memory the owner provides, lookup by
 * the owner's key, the oldest set evicted first when a new one finds no
 * free slot, expiry measured from a set's first arrival, and the count of
 * sets held (now and at most).
 *
 * The owner's set structure begins with an ms_setslot; the table sees only
 * that header and steps through the owner's array by its stride. Whatever a
 * set holds beyond the header (buffers, block maps, descriptors) is the
 * owner's: the table hands a set to the owner's drop function to be given
 * back, and the drop function ends with ms_settable_release. */
#ifndef MS_REASSEMBLY_SETTABLE_H
#define MS_REASSEMBLY_SETTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ms_setslot {
    uint64_t seq;   /* creation order, from 1; 0: the slot is free */
    uint64_t t0_ns; /* arrival of the set's first fragment */
} ms_setslot;

typedef struct ms_settable {
    unsigned char *slots; /* the owner's array of sets */
    size_t stride;        /* sizeof one set */
    size_t cap;           /* sets in the array */
    size_t count, high;   /* sets held now, most at once */
    uint64_t seq;         /* last creation number handed out */
    uint64_t timeout_ns;
} ms_settable;

/* Is s's key the one the caller looks for? */
typedef bool (*ms_settable_match_fn)(const ms_setslot *s, const void *key);
/* Give back what s holds and end with ms_settable_release(t, s). */
typedef void (*ms_settable_drop_fn)(void *ctx, ms_setslot *s);

/* slots: cap sets of stride octets each, every one free (zeroed). */
void ms_settable_init(ms_settable *t, void *slots, size_t stride, size_t cap, uint64_t timeout_ns);

static inline ms_setslot *ms_settable_at(const ms_settable *t, size_t i)
{
    return (ms_setslot *)(void *)(t->slots + i * t->stride);
}

static inline bool ms_setslot_used(const ms_setslot *s)
{
    return s->seq != 0;
}

/* The set whose key matches, or NULL. */
ms_setslot *ms_settable_find(const ms_settable *t, ms_settable_match_fn match, const void *key);

/* The set created first, other than except (may be NULL); NULL when none. */
ms_setslot *ms_settable_oldest(const ms_settable *t, const ms_setslot *except);

/* A new set, zeroed but for its header, first arrived at now: a free slot,
 * or else the oldest set's after drop(ctx, oldest) gave it back. */
ms_setslot *ms_settable_claim(ms_settable *t, uint64_t now, ms_settable_drop_fn drop, void *ctx);

/* Mark s free (the owner has given back what it held). */
void ms_settable_release(ms_settable *t, ms_setslot *s);

/* More than the timeout since s's first arrival? Time running backwards
 * counts as no time; exactly the timeout is still in time. */
static inline bool ms_settable_expired(const ms_settable *t, const ms_setslot *s, uint64_t now)
{
    return now > s->t0_ns && now - s->t0_ns > t->timeout_ns;
}

/* Hand every expired set to drop, oldest first; how many. */
size_t ms_settable_expire(ms_settable *t, uint64_t now, ms_settable_drop_fn drop, void *ctx);

/* The oldest set created after the one numbered `after` (0: the oldest of
 * all), or NULL: walks the sets in creation order without changing them. */
const ms_setslot *ms_settable_next(const ms_settable *t, uint64_t after);

#endif
