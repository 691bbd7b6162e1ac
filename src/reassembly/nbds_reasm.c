/* SPDX-License-Identifier: MIT */
/* NBDS fragment reassembly (see the header for the rules).
 *
 * Layout of the caller's memory, fixed at init:
 *   struct ms_nbds_reasm | rset[max_sets] | rfrag[max_frags]
 *   | uint64_t frames[max_frags] | pool[nblocks * BLK]
 * A set maps USER_DATA offset o to pool block map[o / BLK], so its data
 * needs no contiguous run of the pool and no copying as fragments arrive.
 * Its fragments form a list sorted by offset; they never overlap (an
 * overlap either is an exact repeat, ignored, or kills the set), so
 * "held == end" with the first and last fragment in means full coverage.
 * Free blocks are chained through their own first two octets. */
#include "mailslot/nbds_reasm.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "settable.h"
#include "sized.h"

#define BLK MS_NBDS_REASM_BLOCK
#define NONE 0xFFFFu
#define MAP_LEN (0x10000u / BLK)
#define FM (MS_NBDS_FLAG_FIRST | MS_NBDS_FLAG_MORE)
#define ALIGN _Alignof(max_align_t)

typedef struct rset {
    ms_setslot slot;     /* first: the table's header (creation order, t0) */
    bool have_first;
    bool have_last;
    uint8_t type;
    uint8_t flags_rest;  /* FLAGS without F/M: must agree among fragments */
    uint8_t first_flags; /* the F=1 fragment's FLAGS */
    uint16_t id;
    uint16_t src_port;
    uint16_t head;       /* first fragment descriptor, by offset */
    uint16_t nfrags;
    uint16_t nblocks;    /* pool blocks mapped */
    uint32_t src_ip;
    uint32_t end;        /* USER_DATA length, once have_last */
    uint32_t max_end;    /* furthest octet held + 1 */
    uint32_t held;       /* USER_DATA octets held */
    uint16_t src_len, dst_len;
    uint8_t src[MS_NB_WIRE_MAX];
    uint8_t dst[MS_NB_WIRE_MAX];
    uint16_t map[MAP_LEN];
} rset;

typedef struct rfrag {
    uint64_t frame;
    uint16_t next;
    uint16_t off;
    uint16_t len;
    bool more;
} rfrag;

struct ms_nbds_reasm {
    ms_nbds_reasm_limits lim;
    ms_nbds_reasm_event_fn fn;
    void *ctx;
    ms_settable table;   /* the sets: rset[max_sets] */
    rfrag *frags;
    uint64_t *frames;    /* scratch for event and completion frame lists */
    uint8_t *pool;
    size_t nblocks;
    size_t free_blocks;
    size_t free_frags;
    uint16_t free_blk;   /* head of the free block chain */
    uint16_t free_frag;  /* head of the free descriptor chain */
    ms_nbds_reasm_stats st; /* but sets and sets_high: the table's */
};

typedef struct layout {
    size_t sets, frags, frames, pool, total, nblocks;
} layout;

static size_t round_up(size_t n)
{
    return (n + ALIGN - 1) / ALIGN * ALIGN;
}

void ms_nbds_reasm_limits_init(ms_nbds_reasm_limits *lim)
{
    if (!lim)
        return;
    memset(lim, 0, sizeof *lim);
    lim->size = sizeof *lim;
    lim->max_sets = MS_NBDS_REASM_DEFAULT_SETS;
    lim->max_frags = MS_NBDS_REASM_DEFAULT_FRAGS;
    lim->max_bytes = MS_NBDS_REASM_DEFAULT_BYTES;
    lim->timeout_ns = MS_NBDS_REASM_DEFAULT_TIMEOUT_NS;
}

/* The caller's limits (as far as its size goes) over the defaults, a zero
 * field taking its default. NULL when they can be used, else why not. */
static const char *resolve(const ms_nbds_reasm_limits *in, ms_nbds_reasm_limits *out)
{
    ms_nbds_reasm_limits l;
    memset(&l, 0, sizeof l);
    if (in && in->size == 0)
        return "the limits' size field is 0 (ms_nbds_reasm_limits_init sets it)";
    ms_sized_read(&l, sizeof l, in);
    l.size = sizeof l;
    if (!l.max_sets)
        l.max_sets = MS_NBDS_REASM_DEFAULT_SETS;
    if (!l.max_frags)
        l.max_frags = MS_NBDS_REASM_DEFAULT_FRAGS;
    if (!l.max_bytes)
        l.max_bytes = MS_NBDS_REASM_DEFAULT_BYTES;
    if (!l.timeout_ns)
        l.timeout_ns = MS_NBDS_REASM_DEFAULT_TIMEOUT_NS;
    if (l.max_sets > MS_NBDS_REASM_MAX_SETS)
        return "max_sets is above MS_NBDS_REASM_MAX_SETS";
    if (l.max_frags > MS_NBDS_REASM_MAX_FRAGS)
        return "max_frags is above MS_NBDS_REASM_MAX_FRAGS";
    if (l.max_bytes > MS_NBDS_REASM_MAX_BYTES)
        return "max_bytes is above MS_NBDS_REASM_MAX_BYTES";
    if (l.max_bytes < BLK)
        return "max_bytes is below one block (MS_NBDS_REASM_BLOCK)";
    *out = l;
    return NULL;
}

/* Every count is capped at 65535 above, so none of these sums can wrap. */
static void plan(const ms_nbds_reasm_limits *l, layout *o)
{
    o->nblocks = l->max_bytes / BLK;
    o->sets = round_up(sizeof(struct ms_nbds_reasm));
    o->frags = o->sets + round_up(l->max_sets * sizeof(rset));
    o->frames = o->frags + round_up(l->max_frags * sizeof(rfrag));
    o->pool = o->frames + round_up(l->max_frags * sizeof(uint64_t));
    o->total = o->pool + o->nblocks * BLK;
}

size_t ms_nbds_reasm_size(const ms_nbds_reasm_limits *lim)
{
    ms_nbds_reasm_limits l;
    layout o;
    if (resolve(lim, &l))
        return 0;
    plan(&l, &o);
    return o.total;
}

static uint8_t *block(const ms_nbds_reasm *r, uint16_t b)
{
    return r->pool + (size_t)b * BLK;
}

static uint16_t link_of(const ms_nbds_reasm *r, uint16_t b)
{
    uint16_t next;
    memcpy(&next, block(r, b), sizeof next);
    return next;
}

static void set_link(ms_nbds_reasm *r, uint16_t b, uint16_t next)
{
    memcpy(block(r, b), &next, sizeof next);
}

static ms_status failed(ms_status st, const char *why, char *err, size_t errlen)
{
    if (err && errlen)
        snprintf(err, errlen, "NBDS reassembly: %s", why);
    return st;
}

ms_status ms_nbds_reasm_init(void *mem, size_t len, const ms_nbds_reasm_limits *lim,
                             ms_nbds_reasm_event_fn fn, void *ctx, ms_nbds_reasm **out, char *err,
                             size_t errlen)
{
    ms_nbds_reasm_limits l;
    layout o;
    if (err && errlen)
        err[0] = '\0';
    if (!out)
        return failed(MS_ERR_INVALID_ARG, "no place for the instance (out is NULL)", err, errlen);
    *out = NULL;
    if (!mem || (uintptr_t)mem % ALIGN != 0)
        return failed(MS_ERR_INVALID_ARG, "memory missing or not aligned like malloc's", err,
                      errlen);
    const char *why = resolve(lim, &l);
    if (why)
        return failed(MS_ERR_INVALID_ARG, why, err, errlen);
    plan(&l, &o);
    if (len < o.total)
        return failed(MS_ERR_NO_SPACE, "memory smaller than ms_nbds_reasm_size() says", err,
                      errlen);
    uint8_t *base = mem;
    memset(base, 0, o.pool); /* bookkeeping only; pool octets need no zeroing */
    ms_nbds_reasm *r = (ms_nbds_reasm *)(void *)base;
    r->lim = l;
    r->fn = fn;
    r->ctx = ctx;
    ms_settable_init(&r->table, base + o.sets, sizeof(rset), l.max_sets, l.timeout_ns);
    r->frags = (rfrag *)(void *)(base + o.frags);
    r->frames = (uint64_t *)(void *)(base + o.frames);
    r->pool = base + o.pool;
    r->nblocks = o.nblocks;
    for (size_t i = 0; i < l.max_frags; i++)
        r->frags[i].next = (uint16_t)(i + 1 < l.max_frags ? i + 1 : NONE);
    r->free_frag = 0;
    r->free_frags = l.max_frags;
    for (size_t i = 0; i < o.nblocks; i++)
        set_link(r, (uint16_t)i, (uint16_t)(i + 1 < o.nblocks ? i + 1 : NONE));
    r->free_blk = 0;
    r->free_blocks = o.nblocks;
    r->st.size = sizeof r->st;
    *out = r;
    return MS_OK;
}

ms_status ms_nbds_reasm_get_stats(const ms_nbds_reasm *r, ms_nbds_reasm_stats *out)
{
    if (!r || !out || out->size == 0)
        return MS_ERR_INVALID_ARG;
    ms_nbds_reasm_stats st = r->st;
    st.sets = r->table.count;
    st.sets_high = r->table.high;
    ms_sized_write(out, &st, sizeof st);
    return MS_OK;
}

const char *ms_nbds_reasm_reason_name(ms_nbds_reasm_reason reason)
{
    switch (reason) {
    case MS_NBDS_REASON_NONE: return "none";
    case MS_NBDS_REASON_TIMEOUT: return "timeout";
    case MS_NBDS_REASON_EVICTED: return "evicted";
    case MS_NBDS_REASON_OVERLAP: return "overlap";
    case MS_NBDS_REASON_DUPLICATE: return "duplicate";
    case MS_NBDS_REASON_INCONSISTENT: return "inconsistent";
    case MS_NBDS_REASON_TOO_BIG: return "too_big";
    case MS_NBDS_REASON_NO_SPACE: return "no_space";
    case MS_NBDS_REASON_PENDING: return "pending";
    case MS_NBDS_REASON__COUNT: break;
    }
    return NULL;
}

/* ---- sets ---------------------------------------------------------------- */

static size_t collect_frames(ms_nbds_reasm *r, const rset *s)
{
    size_t n = 0;
    for (uint16_t i = s->head; i != NONE && n < r->lim.max_frags; i = r->frags[i].next)
        r->frames[n++] = r->frags[i].frame;
    return n;
}

static void release_set(ms_nbds_reasm *r, rset *s)
{
    for (size_t i = 0; i < MAP_LEN; i++) {
        if (s->map[i] != NONE) {
            set_link(r, s->map[i], r->free_blk);
            r->free_blk = s->map[i];
            r->free_blocks++;
            r->st.bytes -= BLK;
        }
    }
    uint16_t f = s->head;
    while (f != NONE) {
        uint16_t next = r->frags[f].next;
        r->frags[f].next = r->free_frag;
        r->free_frag = f;
        r->free_frags++;
        f = next;
    }
    r->st.frags -= s->nfrags;
    ms_settable_release(&r->table, &s->slot);
}

static void set_event(ms_nbds_reasm *r, const rset *s, ms_nbds_reasm_reason reason,
                      bool with_frames, ms_nbds_reasm_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->reason = reason;
    ev->type = s->type;
    ev->id = s->id;
    ev->src_ip = s->src_ip;
    ev->src_wire = s->src;
    ev->src_wire_len = s->src_len;
    ev->have_first = s->have_first;
    ev->have_last = s->have_last;
    ev->end = s->have_last ? s->end : 0;
    ev->held = s->held;
    ev->first_ns = s->slot.t0_ns;
    if (with_frames) {
        ev->nframes = collect_frames(r, s);
        ev->frames = r->frames;
    }
}

/* Throw a set away, with the fragment of this call when it dies too. */
static void drop_set(ms_nbds_reasm *r, rset *s, ms_nbds_reasm_reason reason, bool offered,
                     uint64_t frame)
{
    ms_nbds_reasm_event ev;
    set_event(r, s, reason, true, &ev);
    ev.offered = offered;
    ev.frame = offered ? frame : 0;
    r->st.sets_dropped[reason]++;
    r->st.frags_dropped[reason] += s->nfrags + (offered ? 1u : 0u);
    if (r->fn)
        r->fn(r->ctx, &ev);
    release_set(r, s);
}

static void drop_timeout(void *r, ms_setslot *s)
{
    drop_set(r, (rset *)s, MS_NBDS_REASON_TIMEOUT, false, 0);
}

static void drop_evicted(void *r, ms_setslot *s)
{
    drop_set(r, (rset *)s, MS_NBDS_REASON_EVICTED, false, 0);
}

size_t ms_nbds_reasm_expire(ms_nbds_reasm *r, uint64_t now_ns)
{
    return ms_settable_expire(&r->table, now_ns, drop_timeout, r);
}

size_t ms_nbds_reasm_pending(ms_nbds_reasm *r, ms_nbds_reasm_event_fn fn, void *ctx)
{
    size_t n = 0;
    for (const ms_setslot *s = ms_settable_next(&r->table, 0); s;
         s = ms_settable_next(&r->table, s->seq)) {
        n++;
        if (fn) {
            ms_nbds_reasm_event ev;
            set_event(r, (const rset *)s, MS_NBDS_REASON_PENDING, true, &ev);
            fn(ctx, &ev);
        }
    }
    return n;
}

static bool same_key(const ms_setslot *slot, const void *key)
{
    const rset *s = (const rset *)slot;
    const ms_dgram *d = key;
    return s->id == d->id && s->src_ip == d->src_ip && s->src_len == d->src.wire_len &&
           memcmp(s->src, d->src.wire, s->src_len) == 0;
}

static rset *find(ms_nbds_reasm *r, const ms_dgram *d)
{
    return (rset *)ms_settable_find(&r->table, same_key, d);
}

static rset *new_set(ms_nbds_reasm *r, const ms_dgram *d, uint64_t now)
{
    rset *s = (rset *)ms_settable_claim(&r->table, now, drop_evicted, r);
    memset(s->map, 0xFF, sizeof s->map);
    s->type = d->type;
    s->flags_rest = (uint8_t)(d->flags & ~FM);
    s->id = d->id;
    s->src_port = d->src_port;
    s->src_ip = d->src_ip;
    s->head = NONE;
    s->src_len = (uint16_t)d->src.wire_len;
    memcpy(s->src, d->src.wire, s->src_len);
    s->dst_len = (uint16_t)d->dst.wire_len;
    memcpy(s->dst, d->dst.wire, s->dst_len);
    return s;
}

/* Everything but F/M and PACKET_OFFSET is replicated in every fragment
 * (RFC 1002 §5.3.1); DGM_LENGTH is per fragment and not trusted anyway. */
static bool same_header(const rset *s, const ms_dgram *d)
{
    return s->type == d->type && s->src_port == d->src_port &&
           s->flags_rest == (uint8_t)(d->flags & ~FM) && s->dst_len == d->dst.wire_len &&
           memcmp(s->dst, d->dst.wire, s->dst_len) == 0;
}

/* ---- data ---------------------------------------------------------------- */

/* Blocks [off, end) needs that the set has not mapped yet. */
static size_t blocks_missing(const rset *s, uint32_t off, uint32_t end)
{
    size_t n = 0;
    for (uint32_t b = off / BLK; b <= (end - 1) / BLK; b++)
        n += s->map[b] == NONE;
    return n;
}

/* Do the set's octets at [off, off + len) equal the fragment's? Every read
 * goes through a cursor bounded by the block or by the fragment. */
static bool same_octets(const ms_nbds_reasm *r, const rset *s, uint32_t off, ms_bytes data)
{
    ms_rcur in = ms_rcur_make(data.p, data.len);
    uint32_t o = off;
    while (ms_rcur_left(&in)) {
        uint16_t b = s->map[o / BLK];
        if (b == NONE)
            return false;
        ms_rcur held = ms_rcur_make(block(r, b), BLK);
        ms_rcur_take(&held, o % BLK);
        size_t n = ms_rcur_left(&held);
        if (n > ms_rcur_left(&in))
            n = ms_rcur_left(&in);
        const uint8_t *a = ms_rcur_take(&held, n), *c = ms_rcur_take(&in, n);
        if (!a || !c || memcmp(a, c, n) != 0)
            return false;
        o += (uint32_t)n;
    }
    return true;
}

/* Map the missing blocks (the caller made sure enough are free) and copy. */
static void store(ms_nbds_reasm *r, rset *s, uint32_t off, ms_bytes data)
{
    ms_rcur in = ms_rcur_make(data.p, data.len);
    uint32_t o = off;
    while (ms_rcur_left(&in)) {
        uint16_t *slot = &s->map[o / BLK];
        if (*slot == NONE) {
            uint16_t b = r->free_blk;
            r->free_blk = link_of(r, b);
            r->free_blocks--;
            *slot = b;
            s->nblocks++;
            r->st.bytes += BLK;
        }
        ms_wcur w = ms_wcur_make(block(r, *slot), BLK);
        ms_wcur_take(&w, o % BLK);
        size_t n = w.cap - w.pos;
        if (n > ms_rcur_left(&in))
            n = ms_rcur_left(&in);
        ms_wcur_bytes(&w, ms_rcur_take(&in, n), n);
        o += (uint32_t)n;
    }
    if (r->st.bytes > r->st.bytes_high)
        r->st.bytes_high = r->st.bytes;
}

/* Write the whole datagram: header and names by ms_dgram_encode, the
 * USER_DATA copied block by block right after them. */
static bool emit(ms_nbds_reasm *r, const rset *s, ms_nbds_reasm_out *out)
{
    size_t hdr = 14u + s->src_len + s->dst_len;
    if (!out->buf || out->cap < hdr || out->cap - hdr < s->end)
        return false;
    ms_wcur w = ms_wcur_make(out->buf, out->cap);
    ms_wcur_take(&w, hdr);
    for (uint32_t o = 0; o < s->end;) {
        if (s->map[o / BLK] == NONE) /* cannot happen when held == end */
            return false;
        ms_rcur held = ms_rcur_make(block(r, s->map[o / BLK]), BLK);
        ms_rcur_take(&held, o % BLK);
        size_t n = ms_rcur_left(&held);
        if (n > s->end - o)
            n = s->end - o;
        ms_wcur_bytes(&w, ms_rcur_take(&held, n), n);
        o += (uint32_t)n;
    }
    if (w.err)
        return false;

    static const ms_dgram zero;
    ms_dgram d = zero;
    d.type = s->type;
    d.flags = (uint8_t)((s->first_flags & ~MS_NBDS_FLAG_MORE) | MS_NBDS_FLAG_FIRST);
    d.id = s->id;
    d.src_ip = s->src_ip;
    d.src_port = s->src_port;
    d.packet_offset = 0;
    d.auto_fields = MS_DGRAM_AUTO_LENGTH;
    d.src.wire_len = s->src_len;
    memcpy(d.src.wire, s->src, s->src_len);
    d.dst.wire_len = s->dst_len;
    memcpy(d.dst.wire, s->dst, s->dst_len);
    d.user_data.p = NULL; /* already in place after the names */
    d.user_data.len = s->end;
    return ms_dgram_encode(&d, out->buf, out->cap, &out->len) == MS_OK;
}

/* ---- add ----------------------------------------------------------------- */

/* Report a fragment dropped or ignored without touching any set. */
static void drop_alone(ms_nbds_reasm *r, const ms_dgram *d, const rset *s,
                       ms_nbds_reasm_reason reason, uint64_t frame)
{
    ms_nbds_reasm_event ev;
    if (s) {
        set_event(r, s, reason, false, &ev);
    } else {
        memset(&ev, 0, sizeof ev);
        ev.reason = reason;
        ev.type = d->type;
        ev.id = d->id;
        ev.src_ip = d->src_ip;
        ev.src_wire = d->src.wire;
        ev.src_wire_len = d->src.wire_len <= MS_NB_WIRE_MAX ? d->src.wire_len : 0;
    }
    ev.offered = true;
    ev.frame = frame;
    r->st.frags_dropped[reason]++;
    if (r->fn)
        r->fn(r->ctx, &ev);
}

/* One fragment on its own: sound names, some data, F=1 exactly at offset 0,
 * and the reassembled DGM_LENGTH (names + USER_DATA) within 16 bits. */
static bool fits_alone(const ms_dgram *d, bool first)
{
    if (d->src.wire_len > MS_NB_WIRE_MAX || d->dst.wire_len > MS_NB_WIRE_MAX)
        return false;
    size_t room = 0xFFFFu - d->src.wire_len - d->dst.wire_len; /* >= 0xFFFF - 510 */
    if (d->user_data.len == 0 || !d->user_data.p || first != (d->packet_offset == 0) ||
        d->packet_offset >= room)
        return false;
    return d->user_data.len <= room - d->packet_offset;
}

static ms_nbds_reasm_verdict dropped(ms_nbds_reasm_out *out, ms_nbds_reasm_reason reason)
{
    out->reason = reason;
    return MS_NBDS_REASM_DROPPED;
}

/* A fragment's range, and where it falls among the fragments its set
 * holds (sorted by offset, never overlapping one another). */
typedef struct placing {
    uint32_t off, len, end;
    bool first, more;
    uint16_t prev;  /* the held fragment it goes after; NONE: the head */
    uint16_t exact; /* a held fragment with the very same range, or NONE */
    bool overlap;   /* it overlaps some other held fragment */
} placing;

/* Malformed by itself, or larger than the whole pool: NONE when the
 * fragment may go to its set (then p has its range). */
static ms_nbds_reasm_reason check_alone(const ms_nbds_reasm *r, const ms_dgram *d, placing *p)
{
    p->first = d->flags & MS_NBDS_FLAG_FIRST;
    p->more = d->flags & MS_NBDS_FLAG_MORE;
    if (!fits_alone(d, p->first))
        return MS_NBDS_REASON_INCONSISTENT;
    p->off = d->packet_offset;
    p->len = (uint32_t)d->user_data.len;
    p->end = p->off + p->len;
    if ((p->end - 1) / BLK - p->off / BLK + 1 > r->nblocks)
        return MS_NBDS_REASON_TOO_BIG;
    return MS_NBDS_REASON_NONE;
}

static void place(const ms_nbds_reasm *r, const rset *s, placing *p)
{
    p->prev = NONE;
    p->exact = NONE;
    p->overlap = false;
    for (uint16_t i = s->head; i != NONE; i = r->frags[i].next) {
        const rfrag *f = &r->frags[i];
        if (f->off >= p->end)
            break;
        if (f->off == p->off && f->len == p->len)
            p->exact = i;
        else if ((uint32_t)f->off + f->len > p->off)
            p->overlap = true;
        if (f->off < p->off)
            p->prev = i;
    }
}

/* What the set makes of a placed fragment: NONE (hold it), DUPLICATE (an
 * exact repeat, to be ignored) or why the set dies with it. */
static ms_nbds_reasm_reason judge(const ms_nbds_reasm *r, const rset *s, const placing *p,
                                  ms_bytes data)
{
    if (p->exact != NONE) {
        if (r->frags[p->exact].more != p->more)
            return MS_NBDS_REASON_INCONSISTENT;
        if (!same_octets(r, s, p->off, data))
            return MS_NBDS_REASON_OVERLAP;
        /* Held fragments never overlap, so nothing else is touched. */
        return MS_NBDS_REASON_DUPLICATE;
    }
    if ((p->first && s->have_first) || (!p->more && s->have_last) ||
        (!p->more && s->max_end > p->end) || (p->more && s->have_last && p->end >= s->end))
        return MS_NBDS_REASON_INCONSISTENT;
    if (p->overlap)
        return MS_NBDS_REASON_OVERLAP;
    if (s->nfrags + 1u > r->lim.max_frags ||
        blocks_missing(s, p->off, p->end) > r->nblocks - s->nblocks)
        return MS_NBDS_REASON_TOO_BIG;
    return MS_NBDS_REASON_NONE;
}

/* Free blocks and a descriptor for the fragment: the oldest other sets go
 * first. judge() made sure it fits once every other set is gone, so this
 * fails only if that reasoning is wrong (never index past the pool). */
static bool make_room(ms_nbds_reasm *r, rset *s, const placing *p)
{
    size_t need = blocks_missing(s, p->off, p->end);
    while (r->free_blocks < need || r->free_frags == 0) {
        rset *victim = (rset *)ms_settable_oldest(&r->table, &s->slot);
        if (!victim)
            return false;
        drop_set(r, victim, MS_NBDS_REASON_EVICTED, false, 0);
    }
    return true;
}

/* Link a descriptor in after p->prev and copy the data in. */
static void hold(ms_nbds_reasm *r, rset *s, const placing *p, const ms_dgram *d, uint64_t frame)
{
    uint16_t fi = r->free_frag;
    r->free_frag = r->frags[fi].next;
    r->free_frags--;
    rfrag *f = &r->frags[fi];
    f->frame = frame;
    f->off = (uint16_t)p->off;
    f->len = (uint16_t)p->len;
    f->more = p->more;
    if (p->prev == NONE) {
        f->next = s->head;
        s->head = fi;
    } else {
        f->next = r->frags[p->prev].next;
        r->frags[p->prev].next = fi;
    }
    store(r, s, p->off, d->user_data);
    s->nfrags++;
    s->held += p->len;
    if (p->end > s->max_end)
        s->max_end = p->end;
    if (p->first) {
        s->have_first = true;
        s->first_flags = d->flags;
    }
    if (!p->more) {
        s->have_last = true;
        s->end = p->end;
    }
    r->st.frags++;
    if (r->st.frags > r->st.frags_high)
        r->st.frags_high = r->st.frags;
}

/* The set is whole: write it out and let it go. */
static ms_nbds_reasm_verdict complete(ms_nbds_reasm *r, rset *s, ms_nbds_reasm_out *out)
{
    if (!emit(r, s, out)) {
        out->len = 0;
        drop_set(r, s, MS_NBDS_REASON_NO_SPACE, false, 0);
        return dropped(out, MS_NBDS_REASON_NO_SPACE);
    }
    out->nframes = collect_frames(r, s);
    out->frames = r->frames;
    r->st.completed++;
    r->st.completed_frags += s->nfrags;
    release_set(r, s);
    return MS_NBDS_REASM_COMPLETE;
}

/* ms_nbds_reasm_add past its quick answer; out is reset already. Kept out
 * of line so that the quick answer costs no stack frame. */
__attribute__((noinline)) static ms_nbds_reasm_verdict
offer(ms_nbds_reasm *r, const ms_dgram *d, uint64_t now_ns, uint64_t frame, ms_nbds_reasm_out *out)
{
    ms_nbds_reasm_out none = { NULL, 0, 0, NULL, 0, MS_NBDS_REASON_NONE };
    if (!out)
        out = &none; /* no output buffer: a completed set becomes NO_SPACE */
    ms_nbds_reasm_expire(r, now_ns);
    if (!ms_nbds_is_fragment(d))
        return MS_NBDS_REASM_NOT_FRAGMENT;
    r->st.fragments++;

    /* Malformed by itself: says nothing about any set. */
    placing p;
    ms_nbds_reasm_reason bad = check_alone(r, d, &p);
    if (bad != MS_NBDS_REASON_NONE) {
        drop_alone(r, d, NULL, bad, frame);
        return dropped(out, bad);
    }
    rset *s = find(r, d);
    if (!s)
        s = new_set(r, d, now_ns);
    if (!same_header(s, d)) {
        bad = MS_NBDS_REASON_INCONSISTENT;
    } else {
        place(r, s, &p);
        bad = judge(r, s, &p, d->user_data);
    }
    if (bad == MS_NBDS_REASON_DUPLICATE) {
        drop_alone(r, d, s, bad, frame);
        return dropped(out, bad);
    }
    if (bad == MS_NBDS_REASON_NONE && !make_room(r, s, &p))
        bad = MS_NBDS_REASON_TOO_BIG;
    if (bad != MS_NBDS_REASON_NONE) {
        drop_set(r, s, bad, true, frame);
        return dropped(out, bad);
    }
    hold(r, s, &p, d, frame);
    if (!s->have_first || !s->have_last || s->held != s->end)
        return MS_NBDS_REASM_HELD;
    return complete(r, s, out);
}

ms_nbds_reasm_verdict ms_nbds_reasm_add(ms_nbds_reasm *r, const ms_dgram *d, uint64_t now_ns,
                                        uint64_t frame, ms_nbds_reasm_out *out)
{
    if (out) {
        out->len = 0;
        out->frames = NULL;
        out->nframes = 0;
        out->reason = MS_NBDS_REASON_NONE;
    }
    /* Nearly every datagram is no fragment and finds no set pending:
     * nothing to expire, nothing to join, so answer before any set up. */
    if (r->table.count == 0 && !ms_nbds_is_fragment(d))
        return MS_NBDS_REASM_NOT_FRAGMENT;
    return offer(r, d, now_ns, frame, out);
}
