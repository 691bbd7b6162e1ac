/* SPDX-License-Identifier: MIT */
/* The host's mailslots: who created each name, and who monitors.
 *
 * The Win32 rule: one creator per name; names compare without regard to
 * ASCII case; a nested name (\MAILSLOT\A\B) is a name of its own, not a
 * part of \MAILSLOT\A. Monitors are entries of their own ("*"), any
 * number up to MD_MAX_MONITORS, each with its own queue account.
 *
 * Who may create what (mailslotd(8), "WHO MAY CREATE A MAILSLOT"): any
 * local user may create any free name, except the mailslots of the
 * Windows system services (\MAILSLOT\BROWSE, \MAILSLOT\LANMAN,
 * \MAILSLOT\NET\NETLOGON, \MAILSLOT\NET\NTLOGON) and monitors, which need
 * root or the daemon's own user: a monitor sees every user's messages,
 * and whoever holds a service's mailslot reads the requests meant for
 * that service. */
#ifndef MD_SLOTS_H
#define MD_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "md_limits.h"
#include "mailslot/message.h"

/* A queue account: messages waiting for one mailslot's reader (in the
 * daemon, after the reader's socket filled up). */
typedef struct md_qacct {
    uint32_t max;           /* held at most; a new one past it is dropped */
    uint32_t queued;        /* held now */
    uint64_t delivered;     /* handed to the reader's socket */
    uint64_t dropped;       /* dropped: the queue was full */
} md_qacct;

typedef struct md_slot {
    struct md_slot *next;   /* hash chain, or the list of monitors */
    void *owner;            /* the client (opaque here) */
    uint32_t owner_id;      /* and its id (never 0) */
    pid_t pid;              /* the owner's, by SO_PEERCRED */
    uid_t uid;
    bool monitor;
    uint32_t hash;
    md_qacct q;
    size_t len;
    char name[MS_MAILSLOT_NAME_MAX + 1]; /* \MAILSLOT\... as created; "*" */
} md_slot;

#define MD_SLOT_BUCKETS 1024

typedef struct md_slots {
    md_slot *bucket[MD_SLOT_BUCKETS];
    md_slot *monitors;
    size_t n;               /* creators */
    size_t nmonitors;
} md_slots;

void md_slots_init(md_slots *t);
void md_slots_free(md_slots *t);

/* May a user create this (normalized) name, or a monitor? uid: the
 * client's, self: the daemon's. MS_ERR_DENIED with why. */
ms_status md_slot_allowed(const char *name, bool monitor, uid_t uid, uid_t self, char *why,
                          size_t whylen);
/* Create name (normalized, \MAILSLOT\...; ignored for a monitor).
 * MS_ERR_EXISTS (why: who holds it), MS_ERR_TOO_MANY (past MD_MAX_SLOTS
 * or MD_MAX_MONITORS), MS_ERR_NO_MEMORY. */
ms_status md_slots_create(md_slots *t, const char *name, bool monitor, void *owner,
                          uint32_t owner_id, pid_t pid, uid_t uid, uint32_t queue_max,
                          md_slot **out, char *why, size_t whylen);
/* The creator of a name as the wire carries it (any case); NULL. */
md_slot *md_slots_find(const md_slots *t, const uint8_t *name, size_t len);
/* One of owner's entries: the creator of name, or (monitor) its monitor. */
md_slot *md_slots_find_owned(const md_slots *t, const char *name, bool monitor, const void *owner);
void md_slots_remove(md_slots *t, md_slot *s);
/* Every entry, creators then monitors: pass NULL first, then the last one
 * returned; NULL at the end. Do not remove while walking. */
const md_slot *md_slots_next(const md_slots *t, const md_slot *prev);

#endif
