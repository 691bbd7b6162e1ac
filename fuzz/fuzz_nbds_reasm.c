/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for NBDS fragment reassembly.
 *
 * Input: two config octets, then records.
 *   c0: bit 7 = compact mode; bits 0-2: max_sets - 1
 *   c1: bits 0-3: max_frags - 1; bits 4-7: pool blocks - 1
 * Plain mode record:   dt, len (2, BE), len octets of UDP payload, decoded
 *                      with ms_dgram_decode.
 * Compact mode record: dt, hdr, key, off (2, BE), len, len octets of data;
 *                      the datagram is built directly, so the fuzzer spends
 *                      its time on offsets and flags, not on name syntax.
 * dt advances the fake clock by dt * 50 ms (0xFF steps back a second), so the
 * 2 s timeout is crossed both ways.
 *
 * Checked: no limit is ever exceeded; the books balance (offered = used +
 * dropped + held); every frame tag handed back names a fragment that was
 * offered; a completed datagram decodes, is unfragmented with offset 0 and
 * a right DGM_LENGTH, and its USER_DATA is exactly its fragments laid side by
 * side in the order given; at the end every pending set is listed and
 * expires. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/nbds_reasm.h"

#define MAX_RECORDS 4096

typedef struct frag_seen {
    uint16_t off;
    size_t len;
    const uint8_t *p;
} frag_seen;

static frag_seen seen[MAX_RECORDS];
static size_t nseen;
static ms_nbds_reasm_limits lim;
static uint8_t out_buf[MS_NBDS_REASM_OUT_MAX];

static void check_frames(const uint64_t *frames, size_t n)
{
    if (n > lim.max_frags)
        abort();
    for (size_t i = 0; i < n; i++)
        if (frames[i] >= nseen)
            abort();
}

static void on_event(void *ctx, const ms_nbds_reasm_event *ev)
{
    size_t *count = ctx;
    (*count)++;
    if (ev->reason == MS_NBDS_REASON_NONE || ev->reason >= MS_NBDS_REASON__COUNT)
        abort();
    if (ev->src_wire_len > MS_NB_WIRE_MAX || (ev->src_wire_len && !ev->src_wire))
        abort();
    if (ev->offered && ev->frame >= nseen)
        abort();
    if (ev->have_last && ev->held > ev->end)
        abort();
    check_frames(ev->frames, ev->nframes);
}

static void read_stats(const ms_nbds_reasm *r, ms_nbds_reasm_stats *st)
{
    *st = MS_SIZED(ms_nbds_reasm_stats);
    if (ms_nbds_reasm_get_stats(r, st) != MS_OK)
        abort();
}

static void check_books(const ms_nbds_reasm *r)
{
    ms_nbds_reasm_stats stats, *st = &stats;
    read_stats(r, st);
    uint64_t dropped = 0;
    for (int i = 0; i < MS_NBDS_REASON__COUNT; i++)
        dropped += st->frags_dropped[i];
    if (st->fragments != st->completed_frags + dropped + st->frags)
        abort();
    if (st->bytes > lim.max_bytes || st->bytes_high > lim.max_bytes ||
        st->sets > lim.max_sets || st->frags > lim.max_frags || st->bytes % MS_NBDS_REASM_BLOCK)
        abort();
}

static void check_complete(const ms_nbds_reasm_out *out, const ms_dgram *in)
{
    static ms_dgram d;
    size_t err;
    if (ms_dgram_decode(out_buf, out->len, &d, &err) != MS_OK)
        abort();
    if ((d.flags & 3) != MS_NBDS_FLAG_FIRST || d.packet_offset != 0 ||
        d.dgm_length != out->len - 14 || d.id != in->id || d.src_ip != in->src_ip ||
        d.type != in->type || d.src.wire_len != in->src.wire_len ||
        memcmp(d.src.wire, in->src.wire, d.src.wire_len) != 0)
        abort();
    if (out->nframes < 2)
        abort(); /* one fragment alone is never a set (F=1,M=0 is not one) */
    check_frames(out->frames, out->nframes);
    size_t at = 0;
    for (size_t i = 0; i < out->nframes; i++) {
        const frag_seen *f = &seen[out->frames[i]];
        if (f->off != at || f->len > d.user_data.len - at ||
            memcmp(d.user_data.p + at, f->p, f->len) != 0)
            abort();
        at += f->len;
    }
    if (at != d.user_data.len)
        abort();
}

static void build_name(ms_nb_name *n, uint8_t sel)
{
    uint8_t raw[16];
    memset(raw, 'A' + (sel & 3), 15);
    raw[15] = 0;
    ms_nb_name_make(n, raw, (sel & 4) ? "scope" : NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    bool compact = data[0] & 0x80;
    ms_nbds_reasm_limits_init(&lim);
    lim.max_sets = 1 + (data[0] & 7u);
    lim.max_frags = 1 + (data[1] & 15u);
    lim.max_bytes = MS_NBDS_REASM_BLOCK * (1 + (data[1] >> 4));
    lim.timeout_ns = MS_NBDS_REASM_DEFAULT_TIMEOUT_NS;
    size_t memlen = ms_nbds_reasm_size(&lim);
    void *mem = malloc(memlen);
    if (!mem)
        return 0;
    size_t events = 0;
    ms_nbds_reasm *r;
    if (ms_nbds_reasm_init(mem, memlen, &lim, on_event, &events, &r, NULL, 0) != MS_OK)
        abort();

    static ms_dgram d;
    static ms_nb_name names[8];
    for (uint8_t i = 0; i < 8; i++)
        build_name(&names[i], i);
    uint64_t now = 5000000000ull;
    size_t pos = 2;
    nseen = 0;
    while (pos < size && nseen < MAX_RECORDS) {
        uint8_t dt = data[pos++];
        if (dt == 0xFF) {
            if (now >= 1000000000ull)
                now -= 1000000000ull;
        } else {
            now += dt * 50000000ull;
        }
        if (compact) {
            if (size - pos < 5)
                break;
            uint8_t hdr = data[pos], key = data[pos + 1];
            uint16_t off = (uint16_t)(data[pos + 2] << 8 | data[pos + 3]);
            size_t len = data[pos + 4];
            pos += 5;
            if (len > size - pos)
                len = size - pos;
            memset(&d, 0, sizeof d);
            d.type = (uint8_t)(0x10 + ((hdr >> 4) & 3)); /* 0x13 now and then */
            d.flags = hdr & 0x0F;
            d.id = key & 3;
            d.src_ip = (key >> 2) & 1;
            d.src_port = (hdr & 0x40) ? 139 : 138;
            d.src = names[(key >> 3) & 7];
            d.dst = names[(hdr & 0x80) ? 1 : 0];
            d.packet_offset = off;
            d.user_data.p = data + pos;
            d.user_data.len = len;
            pos += len;
        } else {
            if (size - pos < 2)
                break;
            size_t len = (size_t)data[pos] << 8 | data[pos + 1];
            pos += 2;
            if (len > size - pos)
                len = size - pos;
            size_t err;
            ms_status st = ms_dgram_decode(data + pos, len, &d, &err);
            pos += len;
            if (st != MS_OK)
                continue;
        }
        size_t tag = nseen++;
        seen[tag].off = d.packet_offset;
        seen[tag].len = d.user_data.len;
        seen[tag].p = d.user_data.p;
        ms_nbds_reasm_out out = { out_buf, sizeof out_buf, 0, NULL, 0, MS_NBDS_REASON_NONE };
        ms_nbds_reasm_verdict v = ms_nbds_reasm_add(r, &d, now, tag, &out);
        switch (v) {
        case MS_NBDS_REASM_NOT_FRAGMENT:
            if (ms_nbds_is_fragment(&d))
                abort();
            break;
        case MS_NBDS_REASM_HELD:
            break;
        case MS_NBDS_REASM_COMPLETE:
            check_complete(&out, &d);
            break;
        case MS_NBDS_REASM_DROPPED:
            if (out.reason != MS_NBDS_REASON_DUPLICATE && out.reason != MS_NBDS_REASON_OVERLAP &&
                out.reason != MS_NBDS_REASON_INCONSISTENT && out.reason != MS_NBDS_REASON_TOO_BIG)
                abort();
            break;
        default:
            abort();
        }
        check_books(r);
    }
    ms_nbds_reasm_stats stats, *st = &stats;
    read_stats(r, st);
    size_t sets = st->sets;
    size_t before = events;
    if (ms_nbds_reasm_pending(r, on_event, &events) != sets || events - before != sets)
        abort();
    if (ms_nbds_reasm_expire(r, UINT64_MAX) != sets)
        abort();
    read_stats(r, st);
    if (st->sets != 0 || st->frags != 0 || st->bytes != 0)
        abort();
    check_books(r);
    free(mem);
    return 0;
}
