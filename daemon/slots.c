/* SPDX-License-Identifier: MIT */
/* The mailslot table: a hash on the case-folded name for the creators (one
 * look-up per datagram), a list for the monitors. */
#include "slots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static unsigned char fold(unsigned char c)
{
    return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

static uint32_t hash_name(const uint8_t *p, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ fold(p[i])) * 16777619u;
    return h;
}

static bool same_name(const md_slot *s, const uint8_t *p, size_t len)
{
    if (s->len != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (fold((unsigned char)s->name[i]) != fold(p[i]))
            return false;
    return true;
}

void md_slots_init(md_slots *t)
{
    memset(t, 0, sizeof *t);
}

void md_slots_free(md_slots *t)
{
    for (size_t b = 0; b < MD_SLOT_BUCKETS; b++)
        for (md_slot *s = t->bucket[b], *next; s; s = next) {
            next = s->next;
            free(s);
        }
    for (md_slot *s = t->monitors, *next; s; s = next) {
        next = s->next;
        free(s);
    }
    md_slots_init(t);
}

/* The mailslots of the Windows services nmbd and Windows keep for
 * themselves (the browser, the LAN Manager browser, Netlogon). */
static const char *const RESERVED[] = {
    "\\MAILSLOT\\BROWSE",
    "\\MAILSLOT\\LANMAN",
    "\\MAILSLOT\\NET\\NETLOGON",
    "\\MAILSLOT\\NET\\NTLOGON",
};

ms_status md_slot_allowed(const char *name, bool monitor, uid_t uid, uid_t self, char *why,
                          size_t whylen)
{
    if (uid == 0 || uid == self)
        return MS_OK;
    if (monitor) {
        snprintf(why, whylen, "a monitor sees every mailslot's messages: root only");
        return MS_ERR_DENIED;
    }
    for (size_t i = 0; i < sizeof RESERVED / sizeof RESERVED[0]; i++)
        if (!strcasecmp(name, RESERVED[i])) {
            snprintf(why, whylen, "%s belongs to a system service: root only", RESERVED[i]);
            return MS_ERR_DENIED;
        }
    return MS_OK;
}

ms_status md_slots_create(md_slots *t, const char *name, bool monitor, void *owner,
                          uint32_t owner_id, pid_t pid, uid_t uid, uint32_t queue_max,
                          md_slot **out, char *why, size_t whylen)
{
    *out = NULL;
    if (monitor)
        name = "*";
    size_t len = strlen(name);
    if (len > MS_MAILSLOT_NAME_MAX) {
        snprintf(why, whylen, "a mailslot name has at most %d octets", MS_MAILSLOT_NAME_MAX);
        return MS_ERR_INVALID_ARG;
    }
    uint32_t h = hash_name((const uint8_t *)name, len);
    if (!monitor) {
        const md_slot *s = md_slots_find(t, (const uint8_t *)name, len);
        if (s) {
            snprintf(why, whylen, "%s is created already (by pid %ld, uid %ld)", s->name,
                     (long)s->pid, (long)s->uid);
            return MS_ERR_EXISTS;
        }
    }
    if (monitor ? t->nmonitors >= MD_MAX_MONITORS : t->n + t->nmonitors >= MD_MAX_SLOTS) {
        snprintf(why, whylen, "the host has %s already",
                 monitor ? "as many monitors as mailslotd allows"
                         : "as many mailslots as mailslotd allows");
        return MS_ERR_TOO_MANY;
    }
    md_slot *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(why, whylen, "out of memory");
        return MS_ERR_NO_MEMORY;
    }
    memcpy(s->name, name, len + 1);
    s->len = len;
    s->hash = h;
    s->owner = owner;
    s->owner_id = owner_id;
    s->pid = pid;
    s->uid = uid;
    s->monitor = monitor;
    s->q.max = queue_max;
    md_slot **head = monitor ? &t->monitors : &t->bucket[h % MD_SLOT_BUCKETS];
    s->next = *head;
    *head = s;
    if (monitor)
        t->nmonitors++;
    else
        t->n++;
    *out = s;
    return MS_OK;
}

md_slot *md_slots_find(const md_slots *t, const uint8_t *name, size_t len)
{
    uint32_t h = hash_name(name, len);
    for (md_slot *s = t->bucket[h % MD_SLOT_BUCKETS]; s; s = s->next)
        if (s->hash == h && same_name(s, name, len))
            return s;
    return NULL;
}

md_slot *md_slots_find_owned(const md_slots *t, const char *name, bool monitor, const void *owner)
{
    if (monitor) {
        for (md_slot *s = t->monitors; s; s = s->next)
            if (s->owner == owner)
                return s;
        return NULL;
    }
    md_slot *s = md_slots_find(t, (const uint8_t *)name, strlen(name));
    return s && s->owner == owner ? s : NULL;
}

void md_slots_remove(md_slots *t, md_slot *s)
{
    md_slot **p = s->monitor ? &t->monitors : &t->bucket[s->hash % MD_SLOT_BUCKETS];
    for (; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            if (s->monitor)
                t->nmonitors--;
            else
                t->n--;
            free(s);
            return;
        }
}

const md_slot *md_slots_next(const md_slots *t, const md_slot *prev)
{
    if (prev && prev->next)
        return prev->next;
    if (prev && prev->monitor)
        return NULL;
    size_t b = prev ? prev->hash % MD_SLOT_BUCKETS + 1 : 0;
    for (; b < MD_SLOT_BUCKETS; b++)
        if (t->bucket[b])
            return t->bucket[b];
    return t->monitors;
}
