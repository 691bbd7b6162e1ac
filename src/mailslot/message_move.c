/* SPDX-License-Identifier: MIT */
/* ms_message_move: a decoded message follows its octets to a new place,
 * so a receiver that keeps a datagram keeps its decode too instead of
 * decoding it again. Every borrowed range of every layer is listed here;
 * tests/codec/test_message.c checks on real captures that none is missed
 * (it poisons the old octets and compares with a fresh decode). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailslot/message.h"

typedef struct span {
    uintptr_t from, end, to;
} span;

static const uint8_t *moved(const span *s, const uint8_t *p)
{
    uintptr_t a = (uintptr_t)p;
    if (!p || a < s->from || a > s->end)
        return p; /* not in the old octets (a caller's own string) */
    return (const uint8_t *)(s->to + (a - s->from));
}

static void bytes(const span *s, ms_bytes *b)
{
    b->p = moved(s, b->p);
}

static void str(const span *s, ms_str *t)
{
    t->p = moved(s, t->p);
}

static void browser(const span *s, ms_browser *b)
{
    str(s, &b->comment);
    for (size_t i = 0; i < b->name_count && i < MS_BRWS_MAX_BACKUP_NAMES; i++)
        str(s, &b->names[i]);
    str(s, &b->name);
    bytes(s, &b->trailing);
}

static void netlogon(const span *s, ms_netlogon *n)
{
    ms_str *strs[] = { &n->computer_name,         &n->user_name,
                       &n->mailslot_name,         &n->primary_dc_name,
                       &n->domain_name,           &n->unicode_computer_name,
                       &n->unicode_user_name,     &n->unicode_logon_server,
                       &n->unicode_primary_dc_name, &n->unicode_domain_name };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        str(s, strs[i]);
    ms_bytes *bs[] = { &n->pad, &n->sid_pad, &n->domain_sid, &n->body, &n->message,
                       &n->trailing };
    for (size_t i = 0; i < sizeof bs / sizeof bs[0]; i++)
        bytes(s, bs[i]);
    for (size_t i = 0; i < MS_NL_CN_COUNT; i++)
        bytes(s, &n->names[i]);
}

static bool has_browser(const ms_message *m)
{
    return m->kind == MS_PAYLOAD_BROWSER || m->kind == MS_PAYLOAD_LANMAN;
}

void ms_message_move(ms_message *m, const uint8_t *from, size_t len, const uint8_t *to)
{
    span s = { (uintptr_t)from, (uintptr_t)from + len, (uintptr_t)to };
    bytes(&s, &m->dgram.user_data);
    bytes(&s, &m->dgram.trailing);
    str(&s, &m->trans.name);
    bytes(&s, &m->trans.pad);
    bytes(&s, &m->trans.data);
    bytes(&s, &m->trans.trailing);
    if (has_browser(m))
        browser(&s, &m->browser);
    else if (m->kind == MS_PAYLOAD_NETLOGON)
        netlogon(&s, &m->netlogon);
}

void ms_message_copy(ms_message *dst, const ms_message *src, const uint8_t *from, size_t len,
                     const uint8_t *to)
{
    /* Everything before the payload structures, then the one in use. */
    memcpy(dst, src, offsetof(ms_message, browser));
    if (has_browser(src))
        dst->browser = src->browser;
    else if (src->kind == MS_PAYLOAD_NETLOGON)
        dst->netlogon = src->netlogon;
    ms_message_move(dst, from, len, to);
}
