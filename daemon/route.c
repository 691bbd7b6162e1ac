/* SPDX-License-Identifier: MIT */
/* Routing one clean mailslot write: addressing, then creator, Token,
 * monitors. */
#include "route.h"

#include "mailslot/control.h"

static unsigned char fold(unsigned char c)
{
    return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

static bool same_raw(const uint8_t *a, const uint8_t *b)
{
    for (size_t i = 0; i < 15; i++)
        if (fold(a[i]) != fold(b[i]))
            return false;
    return a[15] == b[15];
}

bool md_name_set_has(const md_name_set *ours, const uint8_t raw[16])
{
    for (size_t i = 0; i < ours->count; i++)
        if (same_raw(ours->n[i].raw, raw))
            return true;
    return false;
}

md_addr md_addressed(const md_name_set *ours, const ms_dgram *d)
{
    if (d->type == MS_NBDS_BROADCAST)
        return MD_ADDR_BROADCAST;
    if (d->type != MS_NBDS_DIRECT_UNIQUE && d->type != MS_NBDS_DIRECT_GROUP)
        return MD_ADDR_OTHER;
    /* Our names have no scope: a name with one is somebody else's. */
    if (!d->dst.valid || d->dst.wire_len != 34)
        return MD_ADDR_OTHER;
    return md_name_set_has(ours, d->dst.name) ? MD_ADDR_OURS : MD_ADDR_OTHER;
}

/* A GetBackupListResponse's Token. */
static bool reply_token(const ms_message *m, uint32_t *token)
{
    if (m->kind != MS_PAYLOAD_BROWSER || !m->payload_ok ||
        m->browser.opcode != MS_BRWS_GET_BACKUP_LIST_RESPONSE)
        return false;
    *token = m->browser.token;
    return true;
}

size_t md_route(const ms_message *m, const md_name_set *ours, const md_slots *slots,
                const md_tokens *tokens, uint64_t now_ns, md_target *out, md_verdict *v)
{
    size_t n = 0;
    *v = MD_NOT_OURS;
    if (md_addressed(ours, &m->dgram) != MD_ADDR_OTHER) {
        md_slot *s = md_slots_find(slots, m->trans.name.p, m->trans.name.len);
        uint32_t token, client = 0;
        if (reply_token(m, &token))
            client = md_tokens_find(tokens, token, now_ns);
        if (s)
            out[n++] = (md_target){ s, 0, 0 };
        if (client && (!s || s->owner_id != client))
            out[n++] = (md_target){ NULL, client, MS_CTL_F_REPLY };
        *v = n ? MD_ROUTED : MD_NO_MAILSLOT;
    }
    for (md_slot *s = slots->monitors; s && n < MD_MAX_TARGETS; s = s->next)
        out[n++] = (md_target){ s, 0, MS_CTL_F_COPY };
    return n;
}
