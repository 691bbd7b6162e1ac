/* SPDX-License-Identifier: MIT */
/* NBDS fragment reassembly: fragments are cut from a real mailslot write
 * (ms_trans_encode), encoded with ms_dgram_encode, decoded back from a
 * guard page and offered in various orders; completed datagrams must equal
 * the unfragmented encoding octet for octet and decode as a message. */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "mailslot/message.h"
#include "mailslot/nbds_reasm.h"

#define T0 1000000000ull
#define TO MS_NBDS_REASM_DEFAULT_TIMEOUT_NS

/* ---- the message and its fragments -------------------------------------- */

typedef struct msg {
    uint8_t data[1024]; /* mailslot data */
    size_t data_len;
    uint8_t user[2048]; /* USER_DATA: the SMB transaction */
    size_t len;
} msg;

static msg A, B, C;
static ms_nb_name n_sender, n_other, n_sender2, n_target, n_target2;

static void name(ms_nb_name *n, const char *text)
{
    ck_assert_int_eq(ms_nb_name_parse(n, text, strlen(text)), MS_OK);
}

static void build(msg *m, size_t data_len, uint8_t seed)
{
    ms_smb_header h;
    static ms_trans t;
    m->data_len = data_len;
    for (size_t i = 0; i < data_len; i++)
        m->data[i] = (uint8_t)(i * 7 + seed);
    ms_trans_init(&h, &t, MS_STYLE_BROWSER, "\\MAILSLOT\\TEST", m->data, data_len);
    ck_assert_int_eq(ms_trans_encode(&h, &t, m->user, sizeof m->user, &m->len), MS_OK);
}

static void setup_names(void)
{
    name(&n_sender, "SENDER<00>");
    name(&n_other, "OTHER<00>");
    name(&n_sender2, "SENDER2<00>");
    name(&n_target, "TARGET<00>");
    name(&n_target2, "TARGET2<00>");
    build(&A, 300, 3);
    build(&B, 250, 5);
    build(&C, 280, 11);
}

/* What a fragment looks like before encoding. */
typedef struct spec {
    uint8_t type;
    uint8_t flags;
    uint16_t id;
    uint32_t ip;
    uint16_t port;
    const ms_nb_name *src, *dst;
    const uint8_t *user; /* whole USER_DATA the fragment is cut from */
    size_t off, len;
} spec;

static spec base(const msg *m)
{
    spec s = { MS_NBDS_DIRECT_GROUP, 0, 0x4242, 0x0A000001, 138, &n_sender, &n_target,
               m->user, 0, 0 };
    return s;
}

static spec cut(spec s, uint8_t flags, size_t off, size_t len)
{
    s.flags = flags;
    s.off = off;
    s.len = len;
    return s;
}

static size_t encode(const spec *s, bool whole, size_t whole_len, uint8_t *buf, size_t cap)
{
    static ms_dgram d;
    memset(&d, 0, sizeof d);
    d.type = s->type;
    d.flags = s->flags;
    d.id = s->id;
    d.src_ip = s->ip;
    d.src_port = s->port;
    d.packet_offset = whole ? 0 : (uint16_t)s->off;
    d.src = *s->src;
    d.dst = *s->dst;
    d.user_data.p = whole ? s->user : s->user + s->off;
    d.user_data.len = whole ? whole_len : s->len;
    d.auto_fields = MS_DGRAM_AUTO_LENGTH;
    size_t n;
    ck_assert_int_eq(ms_dgram_encode(&d, buf, cap, &n), MS_OK);
    return n;
}

/* ---- the instance and what it tells us ---------------------------------- */

typedef struct rec {
    ms_nbds_reasm_reason reason;
    uint16_t id;
    uint32_t ip;
    bool have_first, have_last;
    uint32_t end, held;
    uint64_t first_ns;
    size_t nframes;
    uint64_t frames[8];
    bool offered;
    uint64_t frame;
} rec;

static rec ev[64];
static size_t nev;
static rec pend[64];
static size_t npend;

static void record(rec *into, size_t *n, const ms_nbds_reasm_event *e)
{
    ck_assert_uint_lt(*n, 64);
    rec *x = &into[(*n)++];
    memset(x, 0, sizeof *x);
    x->reason = e->reason;
    x->id = e->id;
    x->ip = e->src_ip;
    x->have_first = e->have_first;
    x->have_last = e->have_last;
    x->end = e->end;
    x->held = e->held;
    x->first_ns = e->first_ns;
    x->nframes = e->nframes;
    for (size_t i = 0; i < e->nframes && i < 8; i++)
        x->frames[i] = e->frames[i];
    x->offered = e->offered;
    x->frame = e->frame;
    ck_assert_ptr_nonnull(e->src_wire);
}

static void on_event(void *ctx, const ms_nbds_reasm_event *e)
{
    (void)ctx;
    record(ev, &nev, e);
}

static void on_pending(void *ctx, const ms_nbds_reasm_event *e)
{
    (void)ctx;
    ck_assert_int_eq(e->reason, MS_NBDS_REASON_PENDING);
    record(pend, &npend, e);
}

static void *mem;
static ms_nbds_reasm *R;
static uint8_t out_buf[MS_NBDS_REASM_OUT_MAX];
static ms_nbds_reasm_out out;

/* The counters now: a snapshot, valid until the next call. */
static const ms_nbds_reasm_stats *stats_of(const ms_nbds_reasm *r)
{
    static ms_nbds_reasm_stats snap;
    snap = MS_SIZED(ms_nbds_reasm_stats);
    ck_assert_int_eq(ms_nbds_reasm_get_stats(r, &snap), MS_OK);
    return &snap;
}

static void make(const ms_nbds_reasm_limits *lim)
{
    free(mem);
    size_t n = ms_nbds_reasm_size(lim);
    ck_assert_uint_gt(n, 0);
    mem = malloc(n);
    ck_assert_ptr_nonnull(mem);
    R = NULL;
    ck_assert_int_eq(ms_nbds_reasm_init(mem, n, lim, on_event, NULL, &R, NULL, 0), MS_OK);
    ck_assert_ptr_nonnull(R);
    nev = npend = 0;
}

static void setup(void)
{
    setup_names();
    make(NULL);
}

static void teardown(void)
{
    free(mem);
    mem = NULL;
    R = NULL;
}

/* Encode, decode from a guard page, offer. */
static ms_nbds_reasm_verdict offer_cap(const spec *s, uint64_t now, uint64_t frame, size_t cap)
{
    uint8_t buf[2048];
    size_t n = encode(s, false, 0, buf, sizeof buf);
    const uint8_t *g = guarded_copy(buf, n);
    static ms_dgram d;
    size_t err;
    ck_assert_int_eq(ms_dgram_decode(g, n, &d, &err), MS_OK);
    ck_assert_uint_eq(d.packet_offset, s->off);
    ck_assert_uint_eq(d.user_data.len, s->len);
    memset(&out, 0, sizeof out);
    out.buf = out_buf;
    out.cap = cap;
    return ms_nbds_reasm_add(R, &d, now, frame, &out);
}

static ms_nbds_reasm_verdict offer(const spec *s, uint64_t now, uint64_t frame)
{
    return offer_cap(s, now, frame, sizeof out_buf);
}

static ms_nbds_reasm_verdict put(spec s, uint64_t now, uint64_t frame)
{
    return offer(&s, now, frame);
}

static size_t pending(void)
{
    npend = 0;
    size_t n = ms_nbds_reasm_pending(R, on_pending, NULL);
    ck_assert_uint_eq(n, npend);
    return n;
}

/* fragments offered = used + dropped/ignored + held, and nothing over a limit. */
static void check_books(size_t max_sets, size_t max_frags, size_t max_bytes)
{
    const ms_nbds_reasm_stats *st = stats_of(R);
    uint64_t dropped = 0;
    for (int i = 0; i < MS_NBDS_REASON__COUNT; i++)
        dropped += st->frags_dropped[i];
    ck_assert_uint_eq(st->fragments, st->completed_frags + dropped + st->frags);
    ck_assert_uint_le(st->sets_high, max_sets);
    ck_assert_uint_le(st->frags_high, max_frags);
    ck_assert_uint_le(st->bytes_high, max_bytes);
    ck_assert_uint_le(st->bytes, st->bytes_high);
    ck_assert_uint_eq(st->sets, pending());
}

static void check_defaults_books(void)
{
    check_books(MS_NBDS_REASM_DEFAULT_SETS, MS_NBDS_REASM_DEFAULT_FRAGS,
                MS_NBDS_REASM_DEFAULT_BYTES);
}

/* The completed datagram is the unfragmented encoding of the same message,
 * with the first fragment's FLAGS less M, and decodes as that message. */
static void check_complete(const spec *first, const msg *m)
{
    uint8_t want[2048];
    spec w = *first;
    w.flags = (uint8_t)((first->flags & ~MS_NBDS_FLAG_MORE) | MS_NBDS_FLAG_FIRST);
    size_t wl = encode(&w, true, m->len, want, sizeof want);
    ck_assert_uint_eq(out.len, wl);
    ck_assert_mem_eq(out_buf, want, wl);

    static ms_message msg_;
    ck_assert_int_eq(ms_message_decode(out_buf, out.len, &msg_), MS_OK);
    ck_assert_uint_eq(msg_.dgram.flags & 3, MS_NBDS_FLAG_FIRST);
    ck_assert_uint_eq(msg_.dgram.packet_offset, 0);
    ck_assert_uint_eq(msg_.dgram.dgm_length, out.len - 14);
    ck_assert(msg_.has_smb);
    ck_assert_uint_eq(msg_.trans.data.len, m->data_len);
    ck_assert_mem_eq(msg_.trans.data.p, m->data, m->data_len);
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(two_in_order)
{
    spec s = base(&A);
    spec f1 = cut(s, 0x0B, 0, 200), f2 = cut(s, 0x08, 200, A.len - 200);
    ck_assert_int_eq(offer(&f1, T0, 1), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(out.len, 0);
    ck_assert_uint_eq(pending(), 1);
    ck_assert(pend[0].have_first && !pend[0].have_last);
    ck_assert_uint_eq(pend[0].held, 200);
    ck_assert_int_eq(offer(&f2, T0 + 1000, 2), MS_NBDS_REASM_COMPLETE);
    ck_assert_uint_eq(out.nframes, 2);
    ck_assert_uint_eq(out.frames[0], 1);
    ck_assert_uint_eq(out.frames[1], 2);
    check_complete(&f1, &A);
    ck_assert_uint_eq(out_buf[1], 0x0A); /* M-node SNT kept, M cleared */
    ck_assert_uint_eq(nev, 0);
    const ms_nbds_reasm_stats *st = stats_of(R);
    ck_assert_uint_eq(st->completed, 1);
    ck_assert_uint_eq(st->completed_frags, 2);
    ck_assert_uint_eq(st->sets, 0);
    ck_assert_uint_eq(st->frags, 0);
    ck_assert_uint_eq(st->bytes, 0);
    /* [0, 200) and [200, 368): two 256-octet blocks at most. */
    ck_assert_uint_eq(st->bytes_high, 2 * MS_NBDS_REASM_BLOCK);
    check_defaults_books();
}
END_TEST

START_TEST(three_out_of_order)
{
    spec s = base(&A);
    size_t a = 120, b = 250;
    spec f1 = cut(s, 0x03, 0, a), f2 = cut(s, 0x01, a, b - a), f3 = cut(s, 0x00, b, A.len - b);
    ck_assert_int_eq(offer(&f3, T0, 10), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(pending(), 1);
    ck_assert(!pend[0].have_first && pend[0].have_last);
    ck_assert_uint_eq(pend[0].end, A.len);
    ck_assert_int_eq(offer(&f2, T0 + 1, 20), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer(&f1, T0 + 2, 30), MS_NBDS_REASM_COMPLETE);
    ck_assert_uint_eq(out.nframes, 3);
    ck_assert_uint_eq(out.frames[0], 30); /* data order, not arrival order */
    ck_assert_uint_eq(out.frames[1], 20);
    ck_assert_uint_eq(out.frames[2], 10);
    check_complete(&f1, &A);
    ck_assert_uint_eq(out_buf[1], 0x02);
    ck_assert_uint_eq(nev, 0);
    check_defaults_books();
}
END_TEST

START_TEST(duplicate_ignored)
{
    spec s = base(&A);
    spec f1 = cut(s, 0x03, 0, 200), f2 = cut(s, 0x00, 200, A.len - 200);
    ck_assert_int_eq(offer(&f1, T0, 1), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer(&f1, T0 + 1, 2), MS_NBDS_REASM_DROPPED);
    ck_assert_int_eq(out.reason, MS_NBDS_REASON_DUPLICATE);
    ck_assert_uint_eq(nev, 1);
    ck_assert_int_eq(ev[0].reason, MS_NBDS_REASON_DUPLICATE);
    ck_assert(ev[0].offered);
    ck_assert_uint_eq(ev[0].frame, 2);
    ck_assert_uint_eq(ev[0].nframes, 0); /* nothing lost */
    ck_assert_uint_eq(pending(), 1);      /* the set lives on */
    ck_assert_int_eq(offer(&f2, T0 + 2, 3), MS_NBDS_REASM_COMPLETE);
    ck_assert_uint_eq(out.nframes, 2);
    ck_assert_uint_eq(out.frames[0], 1);
    ck_assert_uint_eq(out.frames[1], 3);
    check_complete(&f1, &A);
    const ms_nbds_reasm_stats *st = stats_of(R);
    ck_assert_uint_eq(st->frags_dropped[MS_NBDS_REASON_DUPLICATE], 1);
    ck_assert_uint_eq(st->sets_dropped[MS_NBDS_REASON_DUPLICATE], 0);
    check_defaults_books();
}
END_TEST

START_TEST(overlap_different_octets)
{
    msg bad = A;
    bad.user[170] ^= 0xFF;
    spec s = base(&A), t = base(&bad);
    spec f1 = cut(s, 0x03, 0, 200);
    /* Partial overlap, different octets in the overlapped part. */
    ck_assert_int_eq(offer(&f1, T0, 1), MS_NBDS_REASM_HELD);
    spec o1 = cut(t, 0x00, 150, A.len - 150);
    ck_assert_int_eq(offer(&o1, T0 + 1, 2), MS_NBDS_REASM_DROPPED);
    ck_assert_int_eq(out.reason, MS_NBDS_REASON_OVERLAP);
    ck_assert_uint_eq(nev, 1);
    ck_assert_int_eq(ev[0].reason, MS_NBDS_REASON_OVERLAP);
    ck_assert_uint_eq(ev[0].nframes, 1);
    ck_assert_uint_eq(ev[0].frames[0], 1);
    ck_assert(ev[0].offered);
    ck_assert_uint_eq(ev[0].frame, 2);
    ck_assert_uint_eq(pending(), 0);

    /* Same range as a held fragment, different octets. */
    ck_assert_int_eq(offer(&f1, T0 + 2, 3), MS_NBDS_REASM_HELD);
    spec o2 = cut(t, 0x03, 0, 200);
    ck_assert_int_eq(offer(&o2, T0 + 3, 4), MS_NBDS_REASM_DROPPED);
    ck_assert_int_eq(out.reason, MS_NBDS_REASON_OVERLAP);

    /* Overlap with the same octets but other boundaries is not a repeat
     * either: the sender's fragments disagree, the set goes. */
    ck_assert_int_eq(offer(&f1, T0 + 4, 5), MS_NBDS_REASM_HELD);
    spec o3 = cut(s, 0x00, 100, A.len - 100);
    ck_assert_int_eq(offer(&o3, T0 + 5, 6), MS_NBDS_REASM_DROPPED);
    ck_assert_int_eq(out.reason, MS_NBDS_REASON_OVERLAP);

    /* A fragment spanning a held one from both sides. */
    spec m1 = cut(s, 0x01, 100, 50);
    ck_assert_int_eq(offer(&m1, T0 + 6, 7), MS_NBDS_REASM_HELD);
    spec m2 = cut(s, 0x01, 90, 80);
    ck_assert_int_eq(offer(&m2, T0 + 7, 8), MS_NBDS_REASM_DROPPED);
    ck_assert_int_eq(out.reason, MS_NBDS_REASON_OVERLAP);

    const ms_nbds_reasm_stats *st = stats_of(R);
    ck_assert_uint_eq(st->sets_dropped[MS_NBDS_REASON_OVERLAP], 4);
    ck_assert_uint_eq(st->frags_dropped[MS_NBDS_REASON_OVERLAP], 8);
    ck_assert_uint_eq(st->completed, 0);
    ck_assert_uint_eq(pending(), 0);
    check_defaults_books();
}
END_TEST

START_TEST(missing_middle_times_out)
{
    spec s = base(&A);
    spec f1 = cut(s, 0x03, 0, 100), f3 = cut(s, 0x00, 200, A.len - 200);
    ck_assert_int_eq(offer(&f1, T0, 1), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer(&f3, T0 + 500, 3), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(pending(), 1);
    ck_assert(pend[0].have_first && pend[0].have_last);
    ck_assert_uint_eq(pend[0].end, A.len);
    ck_assert_uint_eq(pend[0].held, 100 + A.len - 200);
    ck_assert_uint_eq(pend[0].first_ns, T0);
    ck_assert_uint_eq(pend[0].nframes, 2);
    ck_assert_uint_eq(pend[0].frames[0], 1);
    ck_assert_uint_eq(pend[0].frames[1], 3);
    ck_assert_uint_eq(nev, 0);

    /* The timer runs from the first arrival, not the latest. */
    ck_assert_uint_eq(ms_nbds_reasm_expire(R, T0 + TO), 0);
    ck_assert_uint_eq(ms_nbds_reasm_expire(R, T0 + TO + 1), 1);
    ck_assert_uint_eq(nev, 1);
    ck_assert_int_eq(ev[0].reason, MS_NBDS_REASON_TIMEOUT);
    ck_assert(!ev[0].offered);
    ck_assert_uint_eq(ev[0].nframes, 2);
    ck_assert_uint_eq(ev[0].frames[0], 1);
    ck_assert_uint_eq(ev[0].frames[1], 3);
    ck_assert_uint_eq(pending(), 0);
    const ms_nbds_reasm_stats *st = stats_of(R);
    ck_assert_uint_eq(st->sets_dropped[MS_NBDS_REASON_TIMEOUT], 1);
    ck_assert_uint_eq(st->frags_dropped[MS_NBDS_REASON_TIMEOUT], 2);
    ck_assert_uint_eq(st->bytes, 0);
    check_defaults_books();
}
END_TEST

START_TEST(never_completes_before_eof)
{
    spec s = base(&A);
    spec a1 = cut(s, 0x03, 0, 100);
    s.id = 7;
    spec b3 = cut(s, 0x00, 200, A.len - 200);
    ck_assert_int_eq(offer(&a1, T0, 1), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer(&b3, T0 + 10, 2), MS_NBDS_REASM_HELD);
    /* End of input: both listed, oldest first, nothing dropped. */
    ck_assert_uint_eq(pending(), 2);
    ck_assert_uint_eq(pend[0].id, 0x4242);
    ck_assert(pend[0].have_first && !pend[0].have_last);
    ck_assert_uint_eq(pend[1].id, 7);
    ck_assert(!pend[1].have_first && pend[1].have_last);
    ck_assert_uint_eq(pend[1].frames[0], 2);
    ck_assert_uint_eq(pending(), 2);
    ck_assert_uint_eq(nev, 0);
    /* A set whose first fragment never came times out like any other. */
    ck_assert_uint_eq(ms_nbds_reasm_expire(R, T0 + 10 + TO + 1), 2);
    ck_assert_uint_eq(nev, 2);
    ck_assert_int_eq(ev[0].reason, MS_NBDS_REASON_TIMEOUT);
    ck_assert_uint_eq(ev[0].id, 0x4242);
    ck_assert_int_eq(ev[1].reason, MS_NBDS_REASON_TIMEOUT);
    ck_assert_uint_eq(ev[1].id, 7);
    ck_assert(!ev[1].have_first);
    check_defaults_books();
}
END_TEST

START_TEST(interleaved_sources_same_id)
{
    spec a = base(&A), b = base(&B), c = base(&C);
    b.ip = 0x0A000002;
    b.src = &n_other;
    c.src = &n_sender2; /* same IP as a: only the name tells them apart */
    spec a1 = cut(a, 0x03, 0, 150), a2 = cut(a, 0x00, 150, A.len - 150);
    spec b1 = cut(b, 0x03, 0, 100), b2 = cut(b, 0x00, 100, B.len - 100);
    spec c1 = cut(c, 0x03, 0, 200), c2 = cut(c, 0x00, 200, C.len - 200);
    ck_assert_int_eq(offer(&a1, T0, 1), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer(&b1, T0 + 1, 2), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer(&c1, T0 + 2, 3), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(pending(), 3);
    ck_assert_int_eq(offer(&b2, T0 + 3, 4), MS_NBDS_REASM_COMPLETE);
    check_complete(&b1, &B);
    ck_assert_int_eq(offer(&a2, T0 + 4, 5), MS_NBDS_REASM_COMPLETE);
    check_complete(&a1, &A);
    ck_assert_uint_eq(out.frames[0], 1);
    ck_assert_uint_eq(out.frames[1], 5);
    ck_assert_int_eq(offer(&c2, T0 + 5, 6), MS_NBDS_REASM_COMPLETE);
    check_complete(&c1, &C);
    ck_assert_uint_eq(nev, 0);
    ck_assert_uint_eq(stats_of(R)->completed, 3);
    check_defaults_books();
}
END_TEST

START_TEST(max_sets_evicts_oldest)
{
    ms_nbds_reasm_limits lim = { sizeof lim, 2, 0, 0, 0 };
    make(&lim);
    spec s = base(&A);
    spec f[3], l[3];
    for (int i = 0; i < 3; i++) {
        s.id = (uint16_t)(100 + i);
        f[i] = cut(s, 0x03, 0, 200);
        l[i] = cut(s, 0x00, 200, A.len - 200);
    }
    ck_assert_int_eq(offer(&f[0], T0, 1), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer(&f[1], T0 + 1, 2), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(nev, 0);
    ck_assert_int_eq(offer(&f[2], T0 + 2, 3), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(nev, 1);
    ck_assert_int_eq(ev[0].reason, MS_NBDS_REASON_EVICTED);
    ck_assert_uint_eq(ev[0].id, 100);
    ck_assert_uint_eq(ev[0].nframes, 1);
    ck_assert_uint_eq(ev[0].frames[0], 1);
    ck_assert(!ev[0].offered);
    ck_assert_uint_eq(pending(), 2);
    ck_assert_uint_eq(pend[0].id, 101);
    ck_assert_uint_eq(pend[1].id, 102);
    ck_assert_int_eq(offer(&l[1], T0 + 3, 4), MS_NBDS_REASM_COMPLETE);
    check_complete(&f[1], &A);
    ck_assert_int_eq(offer(&l[2], T0 + 4, 5), MS_NBDS_REASM_COMPLETE);
    /* The evicted set's last fragment starts a new set of its own. */
    ck_assert_int_eq(offer(&l[0], T0 + 5, 6), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(pending(), 1);
    ck_assert(!pend[0].have_first);
    ck_assert_uint_eq(stats_of(R)->sets_dropped[MS_NBDS_REASON_EVICTED], 1);
    check_books(2, MS_NBDS_REASM_DEFAULT_FRAGS, MS_NBDS_REASM_DEFAULT_BYTES);
}
END_TEST

START_TEST(max_frags_evicts_oldest)
{
    ms_nbds_reasm_limits lim = { sizeof lim, 0, 3, 0, 0 };
    make(&lim);
    spec s = base(&A), t = base(&A);
    t.id = 9;
    ck_assert_int_eq(put(cut(s, 0x03, 0, 100), T0, 1), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(put(cut(s, 0x01, 100, 100), T0, 2), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(put(cut(t, 0x03, 0, 100), T0, 3), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(nev, 0);
    /* A fourth fragment needs a descriptor: the older set goes. */
    ck_assert_int_eq(put(cut(t, 0x01, 100, 100), T0, 4), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(nev, 1);
    ck_assert_int_eq(ev[0].reason, MS_NBDS_REASON_EVICTED);
    ck_assert_uint_eq(ev[0].id, 0x4242);
    ck_assert_uint_eq(ev[0].nframes, 2);
    ck_assert_int_eq(put(cut(t, 0x00, 200, A.len - 200), T0, 5),
                     MS_NBDS_REASM_COMPLETE);
    ck_assert_uint_eq(out.nframes, 3);
    /* One set can never hold more than max_frags: refused, TOO_BIG. */
    s.id = 11;
    ck_assert_int_eq(put(cut(s, 0x03, 0, 50), T0, 6), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(put(cut(s, 0x01, 50, 50), T0, 7), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(put(cut(s, 0x01, 100, 50), T0, 8), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(put(cut(s, 0x00, 150, A.len - 150), T0, 9),
                     MS_NBDS_REASM_DROPPED);
    ck_assert_int_eq(out.reason, MS_NBDS_REASON_TOO_BIG);
    ck_assert_int_eq(ev[nev - 1].reason, MS_NBDS_REASON_TOO_BIG);
    ck_assert_uint_eq(ev[nev - 1].nframes, 3);
    ck_assert_uint_eq(pending(), 0);
    check_books(MS_NBDS_REASM_DEFAULT_SETS, 3, MS_NBDS_REASM_DEFAULT_BYTES);
}
END_TEST

/* Limit on pool octets: make room by evicting the oldest; refuse what
 * could not fit even alone. */
START_TEST(max_bytes_evicts_then_refuses)
{
    ms_nbds_reasm_limits lim = { sizeof lim, 0, 0, 4 * MS_NBDS_REASM_BLOCK + 100, 0 };
    make(&lim);
    static uint8_t raw[2000];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t)(i ^ (i >> 8));
    spec s = base(&A);
    s.user = raw;
    spec a = s, b = s, c = s;
    b.id = 2;
    c.id = 3;
    ck_assert_int_eq(put(cut(a, 0x03, 0, 300), T0, 1), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(stats_of(R)->bytes, 2 * MS_NBDS_REASM_BLOCK);
    ck_assert_int_eq(put(cut(b, 0x03, 0, 600), T0 + 1, 2), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(nev, 1);
    ck_assert_int_eq(ev[0].reason, MS_NBDS_REASON_EVICTED);
    ck_assert_uint_eq(ev[0].id, 0x4242);
    ck_assert_uint_eq(stats_of(R)->bytes, 3 * MS_NBDS_REASM_BLOCK);
    /* A lone fragment bigger than the pool: dropped alone, set b kept. */
    ck_assert_int_eq(put(cut(c, 0x03, 0, 1100), T0 + 2, 3), MS_NBDS_REASM_DROPPED);
    ck_assert_int_eq(out.reason, MS_NBDS_REASON_TOO_BIG);
    ck_assert_uint_eq(nev, 2);
    ck_assert(ev[1].offered && ev[1].nframes == 0);
    ck_assert_uint_eq(pending(), 1);
    /* Set b growing past the pool: refused with the set, and the younger
     * set d is not evicted for a fragment that could never fit. */
    spec d = s;
    d.id = 4;
    ck_assert_int_eq(put(cut(d, 0x01, 100, 10), T0 + 3, 7), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(stats_of(R)->bytes, 4 * MS_NBDS_REASM_BLOCK);
    ck_assert_int_eq(put(cut(b, 0x00, 600, 500), T0 + 3, 4), MS_NBDS_REASM_DROPPED);
    ck_assert_int_eq(out.reason, MS_NBDS_REASON_TOO_BIG);
    ck_assert_uint_eq(nev, 3);
    ck_assert_int_eq(ev[2].reason, MS_NBDS_REASON_TOO_BIG);
    ck_assert_uint_eq(ev[2].nframes, 1);
    ck_assert_uint_eq(ev[2].frames[0], 2);
    ck_assert_uint_eq(pending(), 1);
    ck_assert_uint_eq(pend[0].id, 4);
    ck_assert_uint_eq(stats_of(R)->bytes, MS_NBDS_REASM_BLOCK);
    ck_assert_uint_eq(ms_nbds_reasm_expire(R, UINT64_MAX), 1);
    ck_assert_uint_eq(stats_of(R)->bytes, 0);
    nev = 3;
    /* Exactly the whole pool still works. */
    ck_assert_int_eq(put(cut(c, 0x03, 0, 512), T0 + 4, 5), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(put(cut(c, 0x00, 512, 512), T0 + 5, 6), MS_NBDS_REASM_COMPLETE);
    ck_assert_uint_eq(out.len, 14 + 34 + 34 + 1024);
    ck_assert_mem_eq(out_buf + 82, raw, 1024);
    ck_assert_uint_eq(stats_of(R)->bytes_high, 4 * MS_NBDS_REASM_BLOCK);
    check_books(MS_NBDS_REASM_DEFAULT_SETS, MS_NBDS_REASM_DEFAULT_FRAGS, lim.max_bytes);
}
END_TEST

START_TEST(timeout_boundary)
{
    ms_nbds_reasm_limits lim = { sizeof lim, 0, 0, 0, 1000 };
    make(&lim);
    spec s = base(&A);
    spec f1 = cut(s, 0x03, 0, 200), f2 = cut(s, 0x00, 200, A.len - 200);
    /* Exactly timeout_ns after the first arrival is still in time. */
    ck_assert_int_eq(offer(&f1, 5000, 1), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer(&f2, 6000, 2), MS_NBDS_REASM_COMPLETE);
    check_complete(&f1, &A);
    /* One nanosecond later is not: the set expires before the fragment is
     * looked at, which then starts a set of its own. */
    ck_assert_int_eq(offer(&f1, 10000, 3), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer(&f2, 11001, 4), MS_NBDS_REASM_HELD);
    ck_assert_uint_eq(nev, 1);
    ck_assert_int_eq(ev[0].reason, MS_NBDS_REASON_TIMEOUT);
    ck_assert_uint_eq(ev[0].frames[0], 3);
    ck_assert_uint_eq(pending(), 1);
    ck_assert(!pend[0].have_first);
    ck_assert_uint_eq(pend[0].first_ns, 11001);
    /* Time running backwards expires nothing. */
    ck_assert_uint_eq(ms_nbds_reasm_expire(R, 0), 0);
    ck_assert_uint_eq(ms_nbds_reasm_expire(R, 12001), 0);
    ck_assert_uint_eq(ms_nbds_reasm_expire(R, 12002), 1);
    check_defaults_books();
}
END_TEST

/* Unusual but legal header values all survive: BROADCAST type, the NT 4.0
 * reserved bit, H-node SNT, a scoped source name, a non-138 port. */
START_TEST(byte_exact_against_unfragmented)
{
    ms_nb_name scoped, star;
    name(&scoped, "SENDER<00>.corp.example");
    name(&star, "*<00>");
    spec s = base(&A);
    s.type = MS_NBDS_BROADCAST;
    s.port = 1138;
    s.src = &scoped;
    s.dst = &star;
    s.ip = 0xC0A80105;
    s.id = 0xFFFF;
    spec f1 = cut(s, 0x1F, 0, 1), f2 = cut(s, 0x1D, 1, 254), f3 = cut(s, 0x1C, 255, A.len - 255);
    ck_assert_int_eq(offer(&f2, T0, 1), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer(&f3, T0, 2), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer(&f1, T0, 3), MS_NBDS_REASM_COMPLETE);
    check_complete(&f1, &A);
    ck_assert_uint_eq(out_buf[0], MS_NBDS_BROADCAST);
    ck_assert_uint_eq(out_buf[1], 0x1E);
    /* DGM_LENGTH = names + USER_DATA; PACKET_OFFSET 0. */
    size_t dl = scoped.wire_len + star.wire_len + A.len;
    ck_assert_uint_eq(out_buf[10], dl >> 8);
    ck_assert_uint_eq(out_buf[11], dl & 0xFF);
    ck_assert_uint_eq(out_buf[12], 0);
    ck_assert_uint_eq(out_buf[13], 0);
    ck_assert_uint_eq(out.len, 14 + dl);
    check_defaults_books();
}
END_TEST

START_TEST(inconsistent_against_the_set)
{
    spec s = base(&A);
    spec f1 = cut(s, 0x03, 0, 200), l = cut(s, 0x00, 200, A.len - 200);
    struct {
        spec held;
        spec bad;
    } cases[] = {
        /* a second first fragment of another length */
        { f1, cut(s, 0x03, 0, 100) },
        /* a second last fragment with another end */
        { l, cut(s, 0x00, 250, A.len - 260) },
        /* a last fragment ending before data already held */
        { cut(s, 0x01, 200, 100), cut(s, 0x00, 100, 50) },
        /* more data past the last fragment's end */
        { cut(s, 0x00, 100, 100), cut(s, 0x01, 200, 50) },
        /* "more follow" yet ending where the datagram ends */
        { cut(s, 0x00, 100, 100), cut(s, 0x01, 150, 50) },
        /* the held range again with the other M bit */
        { cut(s, 0x01, 100, 100), cut(s, 0x00, 100, 100) },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nev = 0;
        ck_assert_int_eq(offer(&cases[i].held, T0, 1), MS_NBDS_REASM_HELD);
        ck_assert_int_eq(offer(&cases[i].bad, T0, 2), MS_NBDS_REASM_DROPPED);
        ck_assert_int_eq(out.reason, MS_NBDS_REASON_INCONSISTENT);
        ck_assert_uint_eq(nev, 1);
        ck_assert_uint_eq(ev[0].nframes, 1);
        ck_assert(ev[0].offered);
        ck_assert_uint_eq(pending(), 0);
    }
    /* Header fields replicated in every fragment must agree. */
    spec other_dst = l, other_snt = l, other_type = l, other_port = l;
    other_dst.dst = &n_target2;
    other_snt.flags = 0x04;
    other_type.type = MS_NBDS_DIRECT_UNIQUE;
    other_port.port = 139;
    const spec *hdr[] = { &other_dst, &other_snt, &other_type, &other_port };
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(offer(&f1, T0, 1), MS_NBDS_REASM_HELD);
        ck_assert_int_eq(offer(hdr[i], T0, 2), MS_NBDS_REASM_DROPPED);
        ck_assert_int_eq(out.reason, MS_NBDS_REASON_INCONSISTENT);
        ck_assert_uint_eq(pending(), 0);
    }
    ck_assert_uint_eq(stats_of(R)->sets_dropped[MS_NBDS_REASON_INCONSISTENT], 10);
    check_defaults_books();
}
END_TEST

/* Malformed by itself: only the fragment goes, the set is not touched. */
START_TEST(inconsistent_alone)
{
    static uint8_t big[0x10000];
    spec s = base(&A);
    spec f1 = cut(s, 0x03, 0, 200);
    ck_assert_int_eq(offer(&f1, T0, 1), MS_NBDS_REASM_HELD);
    spec bigs = s;
    bigs.user = big;
    size_t names = n_sender.wire_len + n_target.wire_len;
    spec bad[] = {
        cut(s, 0x03, 10, 50),                   /* F=1 off the start */
        cut(s, 0x00, 0, 50),                    /* F=0 at offset 0 */
        cut(s, 0x01, 0, 50),                    /* F=0 at offset 0 */
        cut(bigs, 0x00, 0xFFFF - names - 10, 11), /* DGM_LENGTH would not fit */
        cut(bigs, 0x00, 0xFFFF - names, 1),     /* ... starting right at the edge */
        cut(bigs, 0x00, 0xFFFF - names + 3, 1), /* ... or past it */
        cut(s, 0x01, 300, 0),                   /* no data */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nev = 0;
        ck_assert_int_eq(offer(&bad[i], T0, 10 + i), MS_NBDS_REASM_DROPPED);
        ck_assert_int_eq(out.reason, MS_NBDS_REASON_INCONSISTENT);
        ck_assert_uint_eq(nev, 1);
        ck_assert(ev[0].offered);
        ck_assert_uint_eq(ev[0].frame, 10 + i);
        ck_assert_uint_eq(ev[0].nframes, 0);
        ck_assert_uint_eq(pending(), 1);
        ck_assert_uint_eq(pend[0].nframes, 1);
    }
    /* The largest that fits is fine. */
    ck_assert_int_eq(put(cut(bigs, 0x00, 0xFFFF - names - 10, 10), T0, 20),
                     MS_NBDS_REASM_HELD);
    const ms_nbds_reasm_stats *st = stats_of(R);
    ck_assert_uint_eq(st->frags_dropped[MS_NBDS_REASON_INCONSISTENT], 7);
    ck_assert_uint_eq(st->sets_dropped[MS_NBDS_REASON_INCONSISTENT], 0);
    check_defaults_books();
}
END_TEST

START_TEST(not_a_fragment)
{
    spec s = base(&A);
    for (uint8_t snt = 0; snt < 0x10; snt += 4) {
        spec u = cut(s, (uint8_t)(0x02 | snt), 0, A.len);
        ck_assert_int_eq(offer(&u, T0, 1), MS_NBDS_REASM_NOT_FRAGMENT);
    }
    static ms_dgram d;
    memset(&d, 0, sizeof d);
    d.type = MS_NBDS_ERROR;
    d.flags = 0x00;
    d.error_code = 0x82;
    memset(&out, 0, sizeof out);
    ck_assert_int_eq(ms_nbds_reasm_add(R, &d, T0, 2, &out), MS_NBDS_REASM_NOT_FRAGMENT);
    d.type = MS_NBDS_QUERY_REQUEST;
    d.flags = 0x01;
    ck_assert_int_eq(ms_nbds_reasm_add(R, &d, T0, 3, &out), MS_NBDS_REASM_NOT_FRAGMENT);
    d.type = 0x10;
    d.flags = 0x0E;
    ck_assert(!ms_nbds_is_fragment(&d));
    d.flags = 0x0C;
    ck_assert(ms_nbds_is_fragment(&d));
    ck_assert_uint_eq(stats_of(R)->fragments, 0);
    ck_assert_uint_eq(pending(), 0);
    ck_assert_uint_eq(nev, 0);
    /* Still expires on the way, whatever the datagram. */
    ck_assert_int_eq(put(cut(s, 0x03, 0, 100), T0, 4), MS_NBDS_REASM_HELD);
    spec u = cut(s, 0x02, 0, A.len);
    ck_assert_int_eq(offer(&u, T0 + TO + 1, 5), MS_NBDS_REASM_NOT_FRAGMENT);
    ck_assert_uint_eq(nev, 1);
    ck_assert_int_eq(ev[0].reason, MS_NBDS_REASON_TIMEOUT);
}
END_TEST

START_TEST(output_too_small)
{
    spec s = base(&A);
    spec f1 = cut(s, 0x03, 0, 200), f2 = cut(s, 0x00, 200, A.len - 200);
    size_t need = 14 + 68 + A.len;
    ck_assert_int_eq(offer_cap(&f1, T0, 1, need - 1), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer_cap(&f2, T0, 2, need - 1), MS_NBDS_REASM_DROPPED);
    ck_assert_int_eq(out.reason, MS_NBDS_REASON_NO_SPACE);
    ck_assert_uint_eq(out.len, 0);
    ck_assert_uint_eq(nev, 1);
    ck_assert_int_eq(ev[0].reason, MS_NBDS_REASON_NO_SPACE);
    ck_assert_uint_eq(ev[0].nframes, 2);
    ck_assert(!ev[0].offered);
    ck_assert_uint_eq(pending(), 0);
    /* No output at all: same outcome, nothing written anywhere. */
    static ms_dgram d1, d2;
    uint8_t b1[1024], b2[1024];
    size_t l1 = encode(&f1, false, 0, b1, sizeof b1), l2 = encode(&f2, false, 0, b2, sizeof b2);
    size_t err;
    ck_assert_int_eq(ms_dgram_decode(b1, l1, &d1, &err), MS_OK);
    ck_assert_int_eq(ms_dgram_decode(b2, l2, &d2, &err), MS_OK);
    ck_assert_int_eq(ms_nbds_reasm_add(R, &d1, T0, 5, NULL), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(ms_nbds_reasm_add(R, &d2, T0, 6, NULL), MS_NBDS_REASM_DROPPED);
    ck_assert_int_eq(ev[nev - 1].reason, MS_NBDS_REASON_NO_SPACE);
    ck_assert_uint_eq(stats_of(R)->sets_dropped[MS_NBDS_REASON_NO_SPACE], 2);
    /* One octet more is enough. */
    ck_assert_int_eq(offer_cap(&f1, T0, 3, need), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(offer_cap(&f2, T0, 4, need), MS_NBDS_REASM_COMPLETE);
    check_complete(&f1, &A);
    check_defaults_books();
}
END_TEST

START_TEST(limits_and_memory)
{
    ms_nbds_reasm_limits def = { sizeof def, MS_NBDS_REASM_DEFAULT_SETS,
                                 MS_NBDS_REASM_DEFAULT_FRAGS, MS_NBDS_REASM_DEFAULT_BYTES,
                                 MS_NBDS_REASM_DEFAULT_TIMEOUT_NS };
    size_t n = ms_nbds_reasm_size(NULL);
    ck_assert_uint_eq(n, ms_nbds_reasm_size(&def));
    ck_assert_uint_eq(n, ms_nbds_reasm_size(&MS_SIZED(ms_nbds_reasm_limits)));
    ms_nbds_reasm_limits init;
    memset(&init, 0xA5, sizeof init);
    ms_nbds_reasm_limits_init(&init);
    ck_assert_mem_eq(&init, &def, sizeof def);
    ms_nbds_reasm_limits_init(NULL); /* harmless */
    /* max_bytes + O(max_sets) + O(max_frags): 1.2 KiB a set, 32 octets a
     * fragment, a little for the instance and alignment. */
    ck_assert_uint_le(n, def.max_bytes + def.max_sets * 1200 + def.max_frags * 32 + 1024);
    ck_assert_uint_gt(n, def.max_bytes);
    const size_t sz = sizeof(ms_nbds_reasm_limits);
    ms_nbds_reasm_limits bad[] = {
        { sz, MS_NBDS_REASM_MAX_SETS + 1, 0, 0, 0 },
        { sz, 0, MS_NBDS_REASM_MAX_FRAGS + 1, 0, 0 },
        { sz, 0, 0, MS_NBDS_REASM_MAX_BYTES + 1, 0 },
        { sz, 0, 0, MS_NBDS_REASM_BLOCK - 1, 0 },
        { 0, 0, 0, 0, 0 }, /* the size field left out */
    };
    ms_nbds_reasm *r = NULL;
    char err[128];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_uint_eq(ms_nbds_reasm_size(&bad[i]), 0);
        r = R;
        err[0] = '\0';
        ck_assert_int_eq(ms_nbds_reasm_init(mem, n, &bad[i], NULL, NULL, &r, err, sizeof err),
                         MS_ERR_INVALID_ARG);
        ck_assert_ptr_null(r);
        ck_assert(strncmp(err, "NBDS reassembly: ", 17) == 0 && strlen(err) > 17);
    }
    ck_assert(strstr(err, "size"));
    /* A caller's structure shorter than ours: the fields it has count, the
     * rest take their defaults. */
    ms_nbds_reasm_limits shortl = { offsetof(ms_nbds_reasm_limits, max_frags), 2, 7, 7, 7 };
    ms_nbds_reasm_limits two = { sz, 2, 0, 0, 0 };
    ck_assert_uint_eq(ms_nbds_reasm_size(&shortl), ms_nbds_reasm_size(&two));
    ms_nbds_reasm_limits top = { sz, MS_NBDS_REASM_MAX_SETS, MS_NBDS_REASM_MAX_FRAGS,
                                 MS_NBDS_REASM_MAX_BYTES, 1 };
    ck_assert_uint_gt(ms_nbds_reasm_size(&top), MS_NBDS_REASM_MAX_BYTES);
    /* Too small or misaligned memory is refused. */
    void *m = malloc(n + 16);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(ms_nbds_reasm_init(m, n - 1, NULL, NULL, NULL, &r, err, sizeof err),
                     MS_ERR_NO_SPACE);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(ms_nbds_reasm_init((uint8_t *)m + 1, n, NULL, NULL, NULL, &r, NULL, 0),
                     MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_nbds_reasm_init(NULL, n, NULL, NULL, NULL, &r, err, 0),
                     MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_nbds_reasm_init(m, n, NULL, NULL, NULL, NULL, NULL, 0),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_null(r);
    err[0] = 'x';
    ck_assert_int_eq(ms_nbds_reasm_init(m, n, NULL, NULL, NULL, &r, err, sizeof err), MS_OK);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(err, "");
    /* Statistics go into the caller's structure as far as its size says. */
    ms_nbds_reasm_stats st0 = { 0 };
    ck_assert_int_eq(ms_nbds_reasm_get_stats(r, &st0), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_nbds_reasm_get_stats(r, NULL), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_nbds_reasm_get_stats(NULL, &st0), MS_ERR_INVALID_ARG);
    /* No callback: still counts. */
    ms_nbds_reasm *keep = R;
    R = r;
    spec s = base(&A);
    ck_assert_int_eq(put(cut(s, 0x03, 0, 100), T0, 1), MS_NBDS_REASM_HELD);
    ck_assert_int_eq(put(cut(s, 0x03, 0, 100), T0, 2), MS_NBDS_REASM_DROPPED);
    ck_assert_uint_eq(stats_of(r)->frags_dropped[MS_NBDS_REASON_DUPLICATE], 1);
    ms_nbds_reasm_stats part;
    memset(&part, 0xEE, sizeof part);
    part.size = offsetof(ms_nbds_reasm_stats, completed);
    ck_assert_int_eq(ms_nbds_reasm_get_stats(r, &part), MS_OK);
    ck_assert_uint_eq(part.size, offsetof(ms_nbds_reasm_stats, completed));
    ck_assert_uint_eq(part.fragments, 2);
    ck_assert_uint_eq(part.completed, 0xEEEEEEEEEEEEEEEEull); /* beyond its size */
    ck_assert_uint_eq(ms_nbds_reasm_expire(r, UINT64_MAX), 1);
    ck_assert_uint_eq(nev, 0);
    R = keep;
    free(m);
    for (int i = 0; i < MS_NBDS_REASON__COUNT; i++)
        ck_assert_ptr_nonnull(ms_nbds_reasm_reason_name((ms_nbds_reasm_reason)i));
    ck_assert_str_eq(ms_nbds_reasm_reason_name(MS_NBDS_REASON_TIMEOUT), "timeout");
    ck_assert_ptr_null(ms_nbds_reasm_reason_name(MS_NBDS_REASON__COUNT));
}
END_TEST

static size_t gcd(size_t a, size_t b)
{
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Many one-octet fragments in reverse order, then a shuffle: any number of
 * fragments, any order. */
START_TEST(many_small_fragments)
{
    spec s = base(&B);
    size_t n = B.len;
    ms_nbds_reasm_limits lim = { sizeof lim, 0, 1024, 0, 0 };
    make(&lim);
    for (size_t i = n; i-- > 1;) {
        spec f = cut(s, i == n - 1 ? 0x00 : 0x01, i, 1);
        ck_assert_int_eq(offer(&f, T0, i), MS_NBDS_REASM_HELD);
    }
    spec f0 = cut(s, 0x03, 0, 1);
    ck_assert_int_eq(offer(&f0, T0, 0), MS_NBDS_REASM_COMPLETE);
    check_complete(&f0, &B);
    ck_assert_uint_eq(out.nframes, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(out.frames[i], i);

    /* Chunks of 7, last first, then in strides prime to the chunk count. */
    size_t chunks = (n + 6) / 7, stride = 5;
    while (gcd(chunks, stride) != 1)
        stride++;
    ms_nbds_reasm_verdict v = MS_NBDS_REASM_HELD;
    for (size_t k = 0, c = chunks - 1; k < chunks; k++, c = (c + stride) % chunks) {
        size_t off = c * 7, len = off + 7 <= n ? 7 : n - off;
        uint8_t fl = (uint8_t)((c == 0 ? 0x02 : 0) | (c == chunks - 1 ? 0 : 0x01));
        spec f = cut(s, fl, off, len);
        ck_assert_int_eq(v, MS_NBDS_REASM_HELD);
        v = offer(&f, T0, c);
    }
    ck_assert_int_eq(v, MS_NBDS_REASM_COMPLETE);
    check_complete(&f0, &B);
    ck_assert_uint_eq(nev, 0);
    check_books(MS_NBDS_REASM_DEFAULT_SETS, 1024, MS_NBDS_REASM_DEFAULT_BYTES);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("nbds_reasm");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, two_in_order);
    tcase_add_test(tc, three_out_of_order);
    tcase_add_test(tc, duplicate_ignored);
    tcase_add_test(tc, overlap_different_octets);
    tcase_add_test(tc, missing_middle_times_out);
    tcase_add_test(tc, never_completes_before_eof);
    tcase_add_test(tc, interleaved_sources_same_id);
    tcase_add_test(tc, max_sets_evicts_oldest);
    tcase_add_test(tc, max_frags_evicts_oldest);
    tcase_add_test(tc, max_bytes_evicts_then_refuses);
    tcase_add_test(tc, timeout_boundary);
    tcase_add_test(tc, byte_exact_against_unfragmented);
    tcase_add_test(tc, inconsistent_against_the_set);
    tcase_add_test(tc, inconsistent_alone);
    tcase_add_test(tc, not_a_fragment);
    tcase_add_test(tc, output_too_small);
    tcase_add_test(tc, limits_and_memory);
    tcase_add_test(tc, many_small_fragments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
