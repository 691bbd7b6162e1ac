/* SPDX-License-Identifier: MIT */
/* IPv4 fragment reassembly. Coverage is tracked in 8-octet units (fragment
 * offsets count in those, and only the last fragment may end mid-unit), so
 * a set needs a fixed 1 KiB bitmap plus a payload buffer that grows within a
 * table-wide budget. The set table is allocated once. */
#include "ipv4_reasm.h"

#include "settable.h"

#include <stdlib.h>
#include <string.h>

#define UNIT 8u
#define IP_MAX_LEN 65535u
#define MAX_UNITS (65536u / UNIT)
#define MAP_WORDS (MAX_UNITS / 64u)
#define GROW_STEP 4096u  /* grow buffers in steps, not per fragment */

typedef struct rset {
    ms_setslot slot; /* first: the table's header (creation order, t0) */
    bool skip;       /* want() said no: track coverage, keep no data */
    bool have_last;  /* the MF=0 fragment is in: total is known */
    uint8_t proto;
    uint16_t id;
    uint32_t src, dst;
    uint32_t total;  /* payload octets of the whole datagram */
    uint32_t max_end;
    uint32_t units;  /* units covered (no overlaps, so a plain count) */
    uint32_t nfrags; /* fragments held, for the dropped counter */
    uint8_t *data;
    size_t cap;
    uint64_t map[MAP_WORDS];
} rset;

struct ms_reasm {
    ms_settable table;
    rset *sets;
    size_t max_bytes;
    size_t bytes;    /* sum of the sets' buffer capacities */
    uint8_t *out;    /* completed datagram lent to the caller */
    uint64_t dropped;
};

/* The table counts time in unsigned nanoseconds; capture time is signed
 * (saturated at both ends by the caller). Flipping the sign bit keeps the
 * order, and differences of ordered values stay exact. */
static uint64_t table_time(int64_t ns)
{
    return (uint64_t)ns ^ ((uint64_t)1 << 63);
}

ms_reasm *ms_reasm_new(const ms_reasm_limits *limits)
{
    ms_reasm_limits lim = { MS_REASM_DEFAULT_SETS, MS_REASM_DEFAULT_BYTES,
                            MS_REASM_DEFAULT_TIMEOUT_NS };
    if (limits)
        lim = *limits;
    if (lim.max_sets == 0)
        lim.max_sets = 1;
    ms_reasm *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->sets = calloc(lim.max_sets, sizeof *r->sets);
    if (!r->sets) {
        free(r);
        return NULL;
    }
    r->max_bytes = lim.max_bytes;
    /* A negative timeout expires every set as soon as time moves on. */
    ms_settable_init(&r->table, r->sets, sizeof *r->sets, lim.max_sets,
                     lim.timeout_ns > 0 ? (uint64_t)lim.timeout_ns : 0);
    return r;
}

static void free_data(ms_reasm *r, rset *s)
{
    free(s->data);
    r->bytes -= s->cap;
    s->data = NULL;
    s->cap = 0;
}

static void release_set(ms_reasm *r, rset *s)
{
    free_data(r, s);
    ms_settable_release(&r->table, &s->slot);
}

/* extra: the fragment being offered, when it dies with the set. */
static void drop_set(ms_reasm *r, rset *s, unsigned extra)
{
    r->dropped += s->nfrags + extra;
    release_set(r, s);
}

static void drop_slot(void *r, ms_setslot *s)
{
    drop_set(r, (rset *)s, 0);
}

void ms_reasm_release(ms_reasm *r)
{
    free(r->out);
    r->out = NULL;
}

void ms_reasm_flush(ms_reasm *r)
{
    for (size_t i = 0; i < r->table.cap; i++)
        if (ms_setslot_used(&r->sets[i].slot))
            drop_set(r, &r->sets[i], 0);
}

void ms_reasm_free(ms_reasm *r)
{
    if (!r)
        return;
    ms_reasm_release(r);
    for (size_t i = 0; i < r->table.cap; i++)
        free(r->sets[i].data);
    free(r->sets);
    free(r);
}

ms_reasm_stats ms_reasm_get_stats(const ms_reasm *r)
{
    ms_reasm_stats st = { r->dropped, r->table.count };
    return st;
}

static bool same_key(const ms_setslot *slot, const void *key)
{
    const rset *s = (const rset *)slot;
    const ms_frag *f = key;
    return s->id == f->id && s->src == f->src && s->dst == f->dst && s->proto == f->proto;
}

static rset *new_set(ms_reasm *r, const ms_frag *f)
{
    rset *s = (rset *)ms_settable_claim(&r->table, table_time(f->ts_ns), drop_slot, r);
    s->src = f->src;
    s->dst = f->dst;
    s->id = f->id;
    s->proto = f->proto;
    return s;
}

static uint32_t count_units(const rset *s, uint32_t u0, uint32_t u1)
{
    uint32_t n = 0;
    for (uint32_t u = u0; u < u1; u++)
        n += (uint32_t)((s->map[u / 64] >> (u % 64)) & 1u);
    return n;
}

static void mark_units(rset *s, uint32_t u0, uint32_t u1)
{
    for (uint32_t u = u0; u < u1; u++)
        s->map[u / 64] |= (uint64_t)1 << (u % 64);
}

/* Make s->data hold at least `end` octets, evicting the oldest other sets
 * while the table-wide budget would be exceeded. */
static bool reserve(ms_reasm *r, rset *s, uint32_t end)
{
    if (s->cap >= end)
        return true;
    size_t want = ((size_t)end + GROW_STEP - 1) / GROW_STEP * GROW_STEP;
    if (want > IP_MAX_LEN + 1u)
        want = IP_MAX_LEN + 1u;
    while (r->bytes - s->cap + want > r->max_bytes) {
        rset *victim = (rset *)ms_settable_oldest(&r->table, &s->slot);
        if (!victim)
            return false;
        drop_set(r, victim, 0);
    }
    uint8_t *p = realloc(s->data, want);
    if (!p)
        return false;
    memset(p + s->cap, 0, want - s->cap);
    r->bytes += want - s->cap;
    s->data = p;
    s->cap = want;
    return true;
}

ms_reasm_verdict ms_reasm_add(ms_reasm *r, const ms_frag *f, ms_reasm_want_fn want,
                              void *arg, const uint8_t **out, size_t *out_len)
{
    ms_reasm_release(r);
    *out = NULL;
    *out_len = 0;
    /* RFC 791: every fragment but the last carries a multiple of 8 octets;
     * and no datagram may outgrow 65535 octets (the ping of death). */
    if (!f->more && f->offset == 0)
        return MS_REASM_BAD;
    if (f->more && (f->len == 0 || f->len % UNIT != 0))
        return MS_REASM_BAD;
    if ((size_t)f->offset + f->len + f->hdr_len > IP_MAX_LEN)
        return MS_REASM_BAD;
    uint32_t end = f->offset + (uint32_t)f->len;

    ms_settable_expire(&r->table, table_time(f->ts_ns), drop_slot, r);
    rset *s = (rset *)ms_settable_find(&r->table, same_key, f);
    if (f->present < f->len) {
        /* The snaplen cut this fragment: its set can never be rebuilt. */
        if (s)
            drop_set(r, s, 1);
        else
            r->dropped++;
        return MS_REASM_HELD;
    }
    if (!s)
        s = new_set(r, f);

    /* Where the datagram ends must agree among all fragments. */
    bool conflict = f->more ? (s->have_last && end > s->total)
                            : ((s->have_last && s->total != end) || s->max_end > end);
    uint32_t u0 = f->offset / UNIT, u1 = (end + UNIT - 1) / UNIT;
    uint32_t have = conflict ? 0 : count_units(s, u0, u1);
    if (!conflict && have != 0) {
        /* Only an exact re-send of octets already held is harmless. */
        bool same = have == u1 - u0 &&
                    (s->skip || (s->cap >= end && memcmp(s->data + f->offset, f->data, f->len) == 0));
        conflict = !same;
    }
    if (conflict) {
        drop_set(r, s, 1);
        return MS_REASM_HELD;
    }

    if (have == 0) {
        if (f->offset == 0 && !s->skip && want && !want(f->data, f->len, arg)) {
            s->skip = true;
            free_data(r, s);
        }
        if (!s->skip) {
            if (!reserve(r, s, end)) {
                drop_set(r, s, 1);
                return MS_REASM_HELD;
            }
            if (f->len)
                memcpy(s->data + f->offset, f->data, f->len);
        }
        mark_units(s, u0, u1);
        s->units += u1 - u0;
        s->nfrags++;
        if (end > s->max_end)
            s->max_end = end;
    }
    if (!f->more) {
        s->have_last = true;
        s->total = end;
    }

    if (!s->have_last || s->units != (s->total + UNIT - 1) / UNIT)
        return MS_REASM_HELD;
    if (s->skip) {
        release_set(r, s);
        return MS_REASM_UNWANTED;
    }
    /* Lend the buffer out; it stops counting against the budget now and is
     * freed on the next call. */
    r->out = s->data;
    *out = s->data;
    *out_len = s->total;
    r->bytes -= s->cap;
    s->data = NULL;
    s->cap = 0;
    release_set(r, s);
    return MS_REASM_COMPLETE;
}
