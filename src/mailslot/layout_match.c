/* SPDX-License-Identifier: MIT */
/* Which sender's shape a decoded frame has, and where it departs from one
 * (layout.h): the same table layout.c builds from. */
#include <string.h>

#include "layout_shape.h"

typedef struct dep_list {
    ms_layout_departure *out;
    size_t cap, n;
} dep_list;

static void dep(dep_list *l, const char *field, size_t off, uint64_t have, uint64_t want)
{
    if (have == want)
        return;
    if (l->n < l->cap)
        l->out[l->n] = (ms_layout_departure){ field, off, have, want };
    l->n++;
}

static bool flags_seen(const layout_shape *sh, uint8_t flags)
{
    for (size_t i = 0; i < sizeof sh->flags_seen && sh->flags_seen[i]; i++)
        if (sh->flags_seen[i] == flags)
            return true;
    return false;
}

static uint64_t security_u64(const uint8_t s[8])
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | s[i];
    return v;
}

/* The SMB header: three fields a sender chooses, the rest zero in all. */
static void header_deps(dep_list *l, const ms_smb_header *h, const layout_shape *sh, size_t b)
{
    dep(l, "smb.status", b + 5, h->status, 0);
    dep(l, "smb.flags", b + 9, h->flags, sh->smb_flags);
    dep(l, "smb.flags2", b + 10, h->flags2, sh->smb_flags2);
    dep(l, "smb.pid_high", b + 12, h->pid_high, 0);
    dep(l, "smb.security", b + 14, security_u64(h->security), 0);
    dep(l, "smb.reserved", b + 22, h->reserved, 0);
    dep(l, "smb.tid", b + 24, h->tid, 0);
    dep(l, "smb.pid_low", b + 26, h->pid_low, sh->pid_low);
    dep(l, "smb.uid", b + 28, h->uid, 0);
    dep(l, "smb.mid", b + 30, h->mid, 0);
}

size_t ms_layout_departures(const ms_message *m, ms_sender s, ms_layout_departure *out,
                            size_t cap)
{
    dep_list l = { out, out ? cap : 0, 0 };
    if (!m->has_smb)
        return 0;
    const layout_shape *sh = ms_layout_shape(s);
    const ms_trans *t = &m->trans;
    size_t b = ms_message_smb_offset(m);
    if (!flags_seen(sh, m->dgram.flags))
        dep(&l, "nbdgm.flags", 1, m->dgram.flags, ms_sender_nbds_flags(s, MS_NODE_DEFAULT));
    header_deps(&l, &m->smb, sh, b);
    dep(&l, "trans.max_param_count", b + 37, t->max_param_count, sh->max_param_count);
    dep(&l, "trans.flags", b + 43, t->flags, sh->trans_flags);
    dep(&l, "trans.timeout", b + 45, t->timeout, sh->timeout);
    dep(&l, "trans.param_offset", b + 53, t->param_offset, sh->param_at_data ? t->data_offset : 0);
    size_t name_end = 35 + 2 * (size_t)t->word_count + t->name.len + 1;
    dep(&l, "trans.data_offset", b + 57, t->data_offset,
        sh->pad4 ? (name_end + 3) & ~(size_t)3 : name_end);
    if (t->setup_words >= 3) {
        uint16_t prio = ms_sender_priority(s, (const char *)t->name.p, t->name.len, t->data.p,
                                           t->data.len, m->dgram.src.name[15]);
        dep(&l, "mailslot.priority", b + 63, t->setup[1], prio);
        dep(&l, "mailslot.class", b + 65, t->setup[2], 2);
    }
    return l.n;
}

/* What every sender writes alike: one whole, unfragmented write with the
 * counts and lengths an encoder computes and every reserved field 0. A
 * frame that breaks any of these was made by none of them. */
static bool as_encoders_write(const ms_message *m)
{
    const ms_dgram *d = &m->dgram;
    const ms_trans *t = &m->trans;
    /* A payload the browser or NETLOGON codec refuses was still laid out
     * by someone; a transaction that does not decode was not. */
    bool smb_whole = m->status == MS_OK || m->err_layer == MS_LAYER_BROWSER ||
                     m->err_layer == MS_LAYER_NETLOGON;
    if (!m->has_smb || !smb_whole || !ms_dgram_has_data(d->type) || d->packet_offset ||
        d->dgm_length != d->src.wire_len + d->dst.wire_len + d->user_data.len)
        return false;
    if (t->word_count != 17 || t->setup_count != 3 || t->setup_words != 3 || t->setup[0] != 1 ||
        t->total_param_count || t->param_count || t->max_data_count || t->max_setup_count ||
        t->reserved1 || t->reserved2 || t->reserved3 || t->total_data_count != t->data_count)
        return false;
    if (!t->name.terminated || !t->data_located || t->trailing.len ||
        t->data.len != t->data_count)
        return false;
    for (size_t i = 0; i < t->pad.len; i++)
        if (t->pad.p[i])
            return false;
    return t->byte_count == t->name.len + 1 + t->pad.len + t->data.len;
}

unsigned ms_sender_match(const ms_message *m)
{
    if (!as_encoders_write(m))
        return 0;
    unsigned bits = 0;
    for (int s = 0; s < MS_SENDER_COUNT; s++)
        if (ms_layout_departures(m, (ms_sender)s, NULL, 0) == 0)
            bits |= 1u << s;
    return bits;
}
