/* SPDX-License-Identifier: MIT */
/* The pending-set table (see the header). Tables are small (64 sets by
 * default) and touched once per fragment, so every search is a plain scan;
 * an empty table answers at once, which keeps the non-fragment path (every
 * datagram asks for expiry) to a test of one counter. */
#include "settable.h"

#include <string.h>

void ms_settable_init(ms_settable *t, void *slots, size_t stride, size_t cap, uint64_t timeout_ns)
{
    memset(t, 0, sizeof *t);
    t->slots = slots;
    t->stride = stride;
    t->cap = cap;
    t->timeout_ns = timeout_ns;
}

ms_setslot *ms_settable_find(const ms_settable *t, ms_settable_match_fn match, const void *key)
{
    if (t->count == 0)
        return NULL;
    for (size_t i = 0; i < t->cap; i++) {
        ms_setslot *s = ms_settable_at(t, i);
        if (ms_setslot_used(s) && match(s, key))
            return s;
    }
    return NULL;
}

ms_setslot *ms_settable_oldest(const ms_settable *t, const ms_setslot *except)
{
    ms_setslot *best = NULL;
    for (size_t i = 0; i < t->cap && t->count; i++) {
        ms_setslot *s = ms_settable_at(t, i);
        if (s == except || !ms_setslot_used(s))
            continue;
        if (!best || s->seq < best->seq)
            best = s;
    }
    return best;
}

ms_setslot *ms_settable_claim(ms_settable *t, uint64_t now, ms_settable_drop_fn drop, void *ctx)
{
    ms_setslot *s = NULL;
    for (size_t i = 0; i < t->cap && !s; i++)
        if (!ms_setslot_used(ms_settable_at(t, i)))
            s = ms_settable_at(t, i);
    if (!s) {
        s = ms_settable_oldest(t, NULL);
        drop(ctx, s);
    }
    memset(s, 0, t->stride);
    s->seq = ++t->seq;
    s->t0_ns = now;
    if (++t->count > t->high)
        t->high = t->count;
    return s;
}

void ms_settable_release(ms_settable *t, ms_setslot *s)
{
    s->seq = 0;
    t->count--;
}

size_t ms_settable_expire(ms_settable *t, uint64_t now, ms_settable_drop_fn drop, void *ctx)
{
    size_t n = 0;
    while (t->count) {
        /* Oldest first, so whoever hears of the drops hears them in
         * arrival order. */
        ms_setslot *victim = NULL;
        for (size_t i = 0; i < t->cap; i++) {
            ms_setslot *s = ms_settable_at(t, i);
            if (ms_setslot_used(s) && ms_settable_expired(t, s, now) &&
                (!victim || s->seq < victim->seq))
                victim = s;
        }
        if (!victim)
            break;
        drop(ctx, victim);
        n++;
    }
    return n;
}

const ms_setslot *ms_settable_next(const ms_settable *t, uint64_t after)
{
    const ms_setslot *next = NULL;
    for (size_t i = 0; i < t->cap && t->count; i++) {
        const ms_setslot *s = ms_settable_at(t, i);
        if (ms_setslot_used(s) && s->seq > after && (!next || s->seq < next->seq))
            next = s;
    }
    return next;
}
