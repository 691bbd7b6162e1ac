/* SPDX-License-Identifier: MIT */
/* The receive pipeline (pipeline.h): decode once, reassemble, judge,
 * filter, authenticate, deliver. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/dedup.h"
#include "mailslot/nbds_reasm.h"
#include "mailslot/net.h"
#include "mailslot/pipeline.h"
#include "sized.h"

#define MAX_FRAGMENTS 64   /* frame tags kept for a reassembled item */
#define STRIP_CAP 65536

struct ms_pipeline {
    ms_pipeline_opts o;
    ms_pipeline_fn fn;
    void *ctx;
    ms_message m;            /* the datagram as pushed */
    ms_message whole;        /* a reassembled datagram */
    ms_message stripped;     /* a write without its authentication trailer */
    ms_report findings;
    uint64_t pend_frame[MS_REPORT_MAX]; /* ms_pipeline_finish: per finding */
    uint64_t frames[MAX_FRAGMENTS];
    ms_nbds_reasm *reasm;
    uint8_t *joined;         /* MS_NBDS_REASM_OUT_MAX */
    ms_dedup *dedup;
    ms_auth_verifier *ver;
    uint8_t *strip;          /* STRIP_CAP */
    ms_udp_datagram sd;      /* the stripped datagram */
    ms_pipeline_stats st;
    void *mem[3];            /* reassembly, duplicate filter, verifier */
};

static const char *const verdict_names[MS_RX_VERDICT__COUNT] = {
    "write", "fragment", "not_mailslot", "malformed", "truncated", "duplicate", "auth_failed",
};

const char *ms_rx_verdict_name(ms_rx_verdict v)
{
    return (unsigned)v < MS_RX_VERDICT__COUNT ? verdict_names[v] : NULL;
}

void ms_pipeline_opts_init(ms_pipeline_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->validate_as = -1;
}

/* ---- reassembly events become F- findings ---- */

static void frame_list(char *out, size_t cap, const uint64_t *f, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o + 24 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%llu", i ? "," : "", (unsigned long long)f[i]);
}

static const char *fragment_rule(ms_nbds_reasm_reason r)
{
    switch (r) {
    case MS_NBDS_REASON_OVERLAP: return "F-01";
    case MS_NBDS_REASON_INCONSISTENT: return "F-02";
    case MS_NBDS_REASON_TIMEOUT:
    case MS_NBDS_REASON_PENDING: return "F-03";
    case MS_NBDS_REASON_DUPLICATE: return "F-04";
    default: return "F-05";
    }
}

static void on_event(void *vctx, const ms_nbds_reasm_event *e)
{
    ms_pipeline *p = vctx;
    ms_report *r = &p->findings;
    char frames[160];
    frame_list(frames, sizeof frames, e->frames, e->nframes);
    ms_report_add(r, fragment_rule(e->reason), "nbdgm.id", 2,
                  "DGM_ID 0x%04x: %s (fragments in frames %s)", e->id,
                  ms_nbds_reasm_reason_name(e->reason), frames[0] ? frames : "none");
    if (e->reason == MS_NBDS_REASON_PENDING && r->count) {
        uint64_t last = 0;
        for (size_t i = 0; i < e->nframes; i++)
            if (e->frames[i] > last)
                last = e->frames[i];
        p->pend_frame[r->count - 1] = last;
    }
}

/* ---- setting up ---- */

static ms_status fail(ms_pipeline *p, ms_status st, char *err, size_t errlen, const char *why)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", why);
    ms_pipeline_free(p);
    return st;
}

static ms_status setup_reasm(ms_pipeline *p)
{
    ms_nbds_reasm_limits lim;
    ms_nbds_reasm_limits_init(&lim);
    lim.max_sets = p->o.reasm_sets;
    lim.max_frags = p->o.reasm_frags;
    lim.max_bytes = p->o.reasm_bytes;
    lim.timeout_ns = p->o.reasm_timeout_ns;
    size_t n = ms_nbds_reasm_size(&lim);
    if (!n)
        return MS_ERR_INVALID_ARG;
    if (!(p->mem[0] = malloc(n)) || !(p->joined = malloc(MS_NBDS_REASM_OUT_MAX)))
        return MS_ERR_NO_MEMORY;
    return ms_nbds_reasm_init(p->mem[0], n, &lim, on_event, p, &p->reasm, NULL, 0);
}

static ms_status setup_filters(ms_pipeline *p)
{
    if (p->o.dedup_window_ms > 0) {
        size_t n = ms_dedup_size(p->o.dedup_entries);
        if (!n)
            return MS_ERR_INVALID_ARG;
        if (!(p->mem[1] = malloc(n)))
            return MS_ERR_NO_MEMORY;
        ms_status st = ms_dedup_init(p->mem[1], n, p->o.dedup_entries,
                                     (uint64_t)p->o.dedup_window_ms * 1000000u, &p->dedup);
        if (st != MS_OK)
            return st;
    }
    if (p->o.keys) {
        if (!ms_auth_available())
            return MS_ERR_INVALID_ARG;
        size_t n = ms_auth_verifier_size(p->o.auth_cache);
        if (!n)
            return MS_ERR_INVALID_ARG;
        if (!(p->mem[2] = malloc(n)) || !(p->strip = malloc(STRIP_CAP)))
            return MS_ERR_NO_MEMORY;
        ms_status st = ms_auth_verifier_init(p->mem[2], n, p->o.keys, p->o.auth_window_ms,
                                             p->o.auth_cache, &p->ver);
        if (st != MS_OK)
            return st;
        p->o.keys = NULL; /* copied into the verifier */
    }
    return MS_OK;
}

ms_status ms_pipeline_new(const ms_pipeline_opts *o, ms_pipeline_fn fn, void *ctx,
                          ms_pipeline **out, char *err, size_t errlen)
{
    *out = NULL;
    if (o && o->size < sizeof o->size)
        return MS_ERR_INVALID_ARG;
    ms_pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return MS_ERR_NO_MEMORY;
    ms_pipeline_opts_init(&p->o);
    ms_sized_read(&p->o, sizeof p->o, o);
    p->fn = fn;
    p->ctx = ctx;
    p->st.size = sizeof p->st;
    ms_status st = setup_reasm(p);
    if (st != MS_OK)
        return fail(p, st, err, errlen, st == MS_ERR_NO_MEMORY ? "out of memory"
                                        : "reassembly limits out of range");
    st = setup_filters(p);
    if (st != MS_OK)
        return fail(p, st, err, errlen,
                    st == MS_ERR_NO_MEMORY ? "out of memory"
                    : p->o.keys && !ms_auth_available()
                        ? "authentication asked for, but the library has none (MAILSLOT_AUTH=OFF)"
                        : "duplicate filter or authentication options out of range, or no keys");
    *out = p;
    return MS_OK;
}

void ms_pipeline_free(ms_pipeline *p)
{
    if (!p)
        return;
    ms_auth_verifier_wipe(p->ver);
    for (size_t i = 0; i < 3; i++)
        free(p->mem[i]);
    free(p->joined);
    free(p->strip);
    free(p);
}

/* ---- judging ---- */

/* "\MAILSLOT\" in any case: ten octets compared as two words (this
 * runs for every datagram of a capture). Setting bit 5 folds an ASCII
 * letter to lower case (only 'M' and 'm' fold to 'm', and so on); the
 * backslashes are compared as they are. */
static bool mailslot_prefix(const uint8_t *p, size_t len)
{
    static const uint8_t want[10] = { '\\', 'm', 'a', 'i', 'l', 's', 'l', 'o', 't', '\\' };
    static const uint8_t fold[10] = { 0, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0 };
    if (len <= 10)
        return false;
    uint64_t w, f, t;
    uint16_t w2, f2, t2;
    memcpy(&w, p, 8);
    memcpy(&f, fold, 8);
    memcpy(&t, want, 8);
    memcpy(&w2, p + 8, 2);
    memcpy(&f2, fold + 8, 2);
    memcpy(&t2, want + 8, 2);
    return (w | f) == t && (uint16_t)(w2 | f2) == t2;
}

/* A clean mailslot write: every layer up to the transaction decoded (a
 * browser/NETLOGON payload that does not decode is still a message), the
 * opcode is 1 (write), the name starts \MAILSLOT\ and the data is where
 * DataOffset says, DataCount octets long. */
static bool clean_write(const ms_message *m)
{
    if (!m->has_smb)
        return false;
    if (m->status != MS_OK && m->err_layer != MS_LAYER_BROWSER &&
        m->err_layer != MS_LAYER_NETLOGON)
        return false;
    const ms_trans *t = &m->trans;
    return t->setup_words >= 1 && t->setup[0] == 1 && t->data_located &&
           t->data.len == t->data_count && mailslot_prefix(t->name.p, t->name.len);
}

static ms_rx_verdict judge(const ms_udp_datagram *d, const ms_message *m, bool whole)
{
    bool nbds_bad = m->status != MS_OK && m->err_layer == MS_LAYER_NBDGM;
    if (d->truncated || d->len < d->orig_len)
        return MS_RX_TRUNCATED;
    if (!ms_dgram_has_data(m->dgram.type))
        return nbds_bad ? MS_RX_MALFORMED : MS_RX_NOT_MAILSLOT;
    if (nbds_bad)
        return MS_RX_MALFORMED;
    if (!whole && ms_nbds_is_fragment(&m->dgram))
        return MS_RX_FRAGMENT;
    if (clean_write(m))
        return MS_RX_WRITE;
    if (!m->has_smb && (m->smb_status == MS_ERR_NOT_SMB || m->smb_status == MS_ERR_SMB_COMMAND))
        return MS_RX_NOT_MAILSLOT;
    if (m->has_smb && m->trans.setup_words >= 1 && m->trans.setup[0] != 1)
        return MS_RX_NOT_MAILSLOT;
    return MS_RX_MALFORMED;
}

/* ---- authentication: verify, then deliver what the sender meant ---- */

static void authenticate(ms_pipeline *p, ms_rx_item *it)
{
    ms_auth_msg am;
    ms_auth_msg_from_message(&am, it->m);
    uint64_t t_ns = (uint64_t)it->d->ts_sec * 1000000000u + it->d->ts_nsec;
    if (!t_ns)
        t_ns = ms_realtime_ns();
    it->auth_result = ms_auth_verify(p->ver, &am, t_ns / 1000000u, &it->trailer, NULL);
    if (it->auth_result != MS_AUTH_OK) {
        it->verdict = MS_RX_AUTH_FAILED;
        return;
    }
    it->authenticated = true;
    size_t n = 0;
    if (ms_auth_strip_payload(it->m, it->d->payload, it->d->len, p->strip, STRIP_CAP, &n) !=
        MS_OK)
        return; /* laid out so that it cannot be cut: shown as it came */
    p->sd = *it->d;
    p->sd.payload = p->strip;
    p->sd.len = p->sd.orig_len = n;
    p->sd.udp_length = (uint16_t)(n + 8);
    ms_message_decode(p->strip, n, &p->stripped);
    it->d = &p->sd;
    it->m = &p->stripped;
}

/* An empty report for the item about to be made (ms_report_reset, without
 * a call per datagram). */
static inline void findings_reset(ms_pipeline *p)
{
    p->findings.count = p->findings.dropped = p->findings.must = 0;
    p->findings.flags = p->o.report_flags;
}

/* Judge, filter, authenticate, validate and hand over one item. */
static inline __attribute__((always_inline)) void deliver(ms_pipeline *p, ms_rx_item *it, uint64_t now_ns)
{
    it->verdict = judge(it->d, it->m, it->kind == MS_RX_REASSEMBLED);
    const ms_trans *t = &it->m->trans;
    if (it->verdict == MS_RX_WRITE && p->dedup &&
        ms_dedup_check(p->dedup, &it->m->dgram.src, it->m->dgram.id, t->name.p, t->name.len,
                       t->data.p, t->data.len, now_ns))
        it->verdict = MS_RX_DUPLICATE;
    if (it->verdict == MS_RX_WRITE && p->ver)
        authenticate(p, it);
    if (it->authenticated) {
        p->st.auth[MS_AUTH_OK]++;
    } else if (p->ver && it->verdict == MS_RX_AUTH_FAILED &&
               (unsigned)it->auth_result < MS_RX_STATS_SLOTS) {
        p->st.auth[it->auth_result]++;
    }
    it->info = (ms_frame_info){ it->d->ip_src, it->d->ip_dst, it->d->sport, it->d->dport,
                                it->d->orig_len, it->d->truncated };
    if (p->o.validate) {
        ms_validate(it->d->payload, it->d->len, it->m, &it->info, &p->findings);
        if (p->o.validate_as >= 0)
            ms_validate_layout(it->m, (ms_layout)p->o.validate_as, &p->findings);
    }
    p->st.verdicts[it->verdict]++;
    it->findings = &p->findings;
    if (p->fn)
        p->fn(p->ctx, it);
}

/* The parts of an item every path sets; the trailer only when there is
 * one (this runs for every datagram: no zeroing of the whole item). */
static void item_init(ms_rx_item *it, ms_rx_kind kind, const ms_udp_datagram *d,
                      const ms_message *m)
{
    it->kind = kind;
    it->d = d;
    it->m = m;
    it->fragments = NULL;
    it->nfragments = 0;
    it->authenticated = false;
    it->auth_result = MS_AUTH_OK;
}

/* The whole datagram a fragment completed: an extra item after it. */
static void deliver_whole(ms_pipeline *p, const ms_udp_datagram *d,
                          const ms_nbds_reasm_out *out, uint64_t now_ns)
{
    p->st.reassembled++;
    ms_udp_datagram j = *d;
    j.payload = p->joined;
    j.len = j.orig_len = out->len;
    j.truncated = false;
    j.reassembled = true;
    ms_message_decode(p->joined, out->len, &p->whole);
    ms_report_reset(&p->findings, p->o.report_flags);
    size_t nf = out->nframes < MAX_FRAGMENTS ? out->nframes : MAX_FRAGMENTS;
    memcpy(p->frames, out->frames, nf * sizeof *p->frames);
    ms_rx_item w;
    item_init(&w, MS_RX_REASSEMBLED, &j, &p->whole);
    w.fragments = p->frames;
    w.nfragments = nf;
    deliver(p, &w, now_ns);
}

void ms_pipeline_push(ms_pipeline *p, const ms_udp_datagram *d, uint64_t now_ns)
{
    p->st.datagrams++;
    findings_reset(p);
    ms_message_decode(d->payload, d->len, &p->m);
    ms_nbds_reasm_verdict v = MS_NBDS_REASM_NOT_FRAGMENT;
    ms_nbds_reasm_out out;
    out.buf = p->joined;
    out.cap = MS_NBDS_REASM_OUT_MAX;
    /* With no set pending the reassembler answers a datagram that is not a
     * fragment at once; the counters are looked at only when it did more. */
    if (p->m.status == MS_OK || p->m.err_layer != MS_LAYER_NBDGM) {
        v = ms_nbds_reasm_add(p->reasm, &p->m.dgram, now_ns, d->frame, &out);
    } else {
        ms_nbds_reasm_expire(p->reasm, now_ns);
    }
    ms_rx_item it;
    item_init(&it, MS_RX_DATAGRAM, d, &p->m);
    deliver(p, &it, now_ns);
    if (v == MS_NBDS_REASM_COMPLETE)
        deliver_whole(p, d, &out, now_ns);
}

size_t ms_pipeline_expire(ms_pipeline *p, uint64_t now_ns)
{
    ms_report_reset(&p->findings, p->o.report_flags);
    return ms_nbds_reasm_expire(p->reasm, now_ns);
}

void ms_pipeline_finish(ms_pipeline *p)
{
    ms_report_reset(&p->findings, p->o.report_flags);
    ms_nbds_reasm_pending(p->reasm, on_event, p);
    ms_report all = p->findings;
    for (size_t i = 0; i < all.count; i++) {
        ms_report one;
        ms_report_reset(&one, p->o.report_flags);
        one.items[0] = all.items[i];
        one.count = 1;
        one.must = all.items[i].rule->level == MS_LEVEL_MUST;
        ms_udp_datagram e;
        memset(&e, 0, sizeof e);
        e.frame = p->pend_frame[i];
        ms_rx_item it;
        item_init(&it, MS_RX_INCOMPLETE, &e, NULL);
        it.verdict = MS_RX_FRAGMENT;
        it.findings = &one;
        it.info = (ms_frame_info){ 0, 0, 0, 0, 0, false };
        if (p->fn)
            p->fn(p->ctx, &it);
    }
}

ms_status ms_pipeline_get_stats(const ms_pipeline *p, ms_pipeline_stats *out)
{
    if (!out || out->size < sizeof out->size)
        return MS_ERR_INVALID_ARG;
    /* The fragment counters are the reassembler's, read when asked for. */
    ms_nbds_reasm_stats rs = MS_SIZED(ms_nbds_reasm_stats);
    ms_nbds_reasm_get_stats(p->reasm, &rs);
    ms_pipeline_stats st = p->st;
    st.frag_dropped = 0;
    for (int i = 0; i < MS_NBDS_REASON__COUNT; i++)
        st.frag_dropped += rs.frags_dropped[i];
    st.frag_held = rs.frags;
    ms_sized_write(out, &st, sizeof st);
    return MS_OK;
}
