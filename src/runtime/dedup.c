/* SPDX-License-Identifier: MIT */
/* Duplicate suppression: a ring of remembered messages, oldest overwritten,
 * indexed by hash (a chain per bucket) so that a check looks at the few
 * entries that share its bucket instead of the whole ring. All of it in
 * one block of the caller's memory. */
#include <string.h>
#include <time.h>

#include "mailslot/dedup.h"
#include "sized.h"

typedef struct entry {
    uint64_t hash;
    uint64_t t_ns;
    size_t len, slot_len;
    uint16_t id;
    bool used;
    size_t chain;        /* next entry in the same bucket, NONE at the end */
} entry;

#define NONE ((size_t)-1)

struct ms_dedup {
    entry *e;
    size_t *bucket;      /* first entry of each bucket, NONE when empty */
    size_t mask;         /* buckets - 1 (a power of two >= 2 n) */
    size_t n, next;
    uint64_t window_ns;
    uint64_t seed;
    ms_dedup_stats st;
};

/* ASCII a-z to A-Z in all eight octets of w at once (other octets, those
 * with the high bit set included, unchanged). */
static uint64_t upcase8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t low7 = w & (0x7f * ones);
    uint64_t ge_a = low7 + (0x80 - 'a') * ones;     /* bit 7: octet >= 'a' */
    uint64_t gt_z = low7 + (0x80 - 'z' - 1) * ones; /* bit 7: octet > 'z' */
    uint64_t lower = ge_a & ~gt_z & ~w & (0x80 * ones);
    return w - (lower >> 2);                        /* 0x80 >> 2 = 0x20 */
}

static uint64_t round64(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

/* A multiplicative hash over the octets, eight at a time (the tail
 * zero-padded), started from a per-table seed so the hash of a tuple is
 * not known in advance. */
static uint64_t mix(uint64_t h, const uint8_t *p, size_t n, bool fold)
{
    size_t i = 0;
    uint64_t w;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        h = round64(h, fold ? upcase8(w) : w);
    }
    if (i < n) {
        uint8_t tail[8] = { 0 };
        memcpy(tail, p + i, n - i);
        memcpy(&w, tail, 8);
        h = round64(h, fold ? upcase8(w) : w);
    }
    /* Separate the fields so (ab, c) and (a, bc) differ. */
    return round64(h, (uint64_t)n);
}

/* The layout inside the caller's block: the header, the entries, the
 * buckets (a power of two at least twice the entries). */
static size_t buckets_for(size_t n)
{
    size_t nb = 16;
    while (nb < 2 * n && nb < ((size_t)1 << 30))
        nb <<= 1;
    return nb;
}

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

size_t ms_dedup_size(size_t entries)
{
    size_t n = entries ? entries : MS_DEDUP_DEFAULT_ENTRIES;
    if (n > MS_DEDUP_MAX_ENTRIES)
        return 0;
    return align8(sizeof(ms_dedup)) + align8(n * sizeof(entry)) +
           buckets_for(n) * sizeof(size_t);
}

ms_status ms_dedup_init(void *mem, size_t len, size_t entries, uint64_t window_ns,
                        ms_dedup **out)
{
    *out = NULL;
    size_t need = ms_dedup_size(entries);
    if (!mem || !need || len < need || ((uintptr_t)mem & 7))
        return MS_ERR_INVALID_ARG;
    memset(mem, 0, need);
    ms_dedup *d = mem;
    d->n = entries ? entries : MS_DEDUP_DEFAULT_ENTRIES;
    size_t nb = buckets_for(d->n);
    d->mask = nb - 1;
    d->e = (entry *)((char *)mem + align8(sizeof *d));
    d->bucket = (size_t *)((char *)d->e + align8(d->n * sizeof(entry)));
    for (size_t i = 0; i < nb; i++)
        d->bucket[i] = NONE;
    d->window_ns = window_ns;
    d->st.size = sizeof d->st;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    d->seed = 0xcbf29ce484222325ull ^ ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
              (uint64_t)(uintptr_t)d;
    *out = d;
    return MS_OK;
}

bool ms_dedup_check(ms_dedup *d, const ms_nb_name *src, uint16_t dgm_id, const uint8_t *slot,
                    size_t slot_len, const uint8_t *data, size_t len, uint64_t now_ns)
{
    d->st.checked++;
    uint64_t h = mix(d->seed, src->wire, src->wire_len, false);
    h = mix(h, slot, slot_len, true);
    h = mix(h, data, len, false);
    /* Only entries with the same hash can match: those are in its bucket. */
    for (size_t i = d->bucket[h & d->mask]; i != NONE; i = d->e[i].chain) {
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
    if (e->used) {
        if (now_ns >= e->t_ns && now_ns - e->t_ns <= d->window_ns)
            d->st.evicted++;
        /* Out of its bucket's chain before the slot is reused. */
        size_t *pp = &d->bucket[e->hash & d->mask];
        while (*pp != d->next)
            pp = &d->e[*pp].chain;
        *pp = e->chain;
    }
    size_t *head = &d->bucket[h & d->mask];
    *e = (entry){ h, now_ns, len, slot_len, dgm_id, true, *head };
    *head = d->next;
    d->next = (d->next + 1) % d->n;
    return false;
}

ms_status ms_dedup_get_stats(const ms_dedup *d, ms_dedup_stats *out)
{
    if (!out || out->size < sizeof out->size)
        return MS_ERR_INVALID_ARG;
    ms_sized_write(out, &d->st, sizeof d->st);
    return MS_OK;
}
