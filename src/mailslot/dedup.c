/* SPDX-License-Identifier: MIT */
/* Duplicate suppression: a ring of remembered messages, oldest overwritten. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailslot/dedup.h"

typedef struct entry {
    uint64_t hash;
    uint64_t t_ns;
    size_t len, slot_len;
    uint16_t id;
    bool used;
} entry;

struct ms_dedup {
    entry *e;
    size_t n, next;
    uint64_t window_ns;
    uint64_t seed;
    ms_dedup_stats st;
};

/* FNV-1a over the octets, started from a per-table seed so the hash of a
 * tuple is not known in advance. */
static uint64_t mix(uint64_t h, const uint8_t *p, size_t n, bool fold)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (fold && c >= 'a' && c <= 'z')
            c = (uint8_t)(c - 32);
        h ^= c;
        h *= 0x100000001b3ull;
    }
    /* Separate the fields so (ab, c) and (a, bc) differ. */
    h ^= (uint64_t)n;
    h *= 0x100000001b3ull;
    return h;
}

ms_dedup *ms_dedup_new(size_t entries, uint64_t window_ns)
{
    ms_dedup *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->n = entries ? entries : 1024;
    d->e = calloc(d->n, sizeof *d->e);
    if (!d->e) {
        free(d);
        return NULL;
    }
    d->window_ns = window_ns;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    d->seed = 0xcbf29ce484222325ull ^ ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
              (uint64_t)(uintptr_t)d;
    return d;
}

void ms_dedup_free(ms_dedup *d)
{
    if (!d)
        return;
    free(d->e);
    free(d);
}

bool ms_dedup_check(ms_dedup *d, const ms_nb_name *src, uint16_t dgm_id, const uint8_t *slot,
                    size_t slot_len, const uint8_t *data, size_t len, uint64_t now_ns)
{
    d->st.checked++;
    uint64_t h = mix(d->seed, src->wire, src->wire_len, false);
    h = mix(h, slot, slot_len, true);
    h = mix(h, data, len, false);
    for (size_t i = 0; i < d->n; i++) {
        const entry *e = &d->e[i];
        if (!e->used || e->hash != h || e->id != dgm_id || e->len != len ||
            e->slot_len != slot_len)
            continue;
        /* A clock that went backwards counts as no time. */
        uint64_t age = now_ns >= e->t_ns ? now_ns - e->t_ns : 0;
        if (age <= d->window_ns) {
            d->st.dropped++;
            return true;
        }
    }
    entry *e = &d->e[d->next];
    if (e->used && now_ns >= e->t_ns && now_ns - e->t_ns <= d->window_ns)
        d->st.evicted++;
    *e = (entry){ h, now_ns, len, slot_len, dgm_id, true };
    d->next = (d->next + 1) % d->n;
    return false;
}

const ms_dedup_stats *ms_dedup_get_stats(const ms_dedup *d)
{
    return &d->st;
}
