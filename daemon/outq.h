/* SPDX-License-Identifier: MIT */
/* What waits to be written to one client's socket, in order. A packet is
 * sent at once when nothing waits and the socket takes it; otherwise it is
 * queued, charged to its mailslot's account, and when that account is full
 * the new packet is dropped and counted there (drop-newest: what waits
 * keeps its order). Answers to requests (no account) are never dropped:
 * the client's requests are not read while MD_PENDING_REPLIES of them
 * wait. Every queued octet also counts against a global bound (*total,
 * at most max), so that no number of slow readers can take more. */
#ifndef MD_OUTQ_H
#define MD_OUTQ_H

#include <stddef.h>
#include <stdint.h>

#include "mailslot/status.h"
#include "slots.h"

typedef struct md_qitem {
    struct md_qitem *next;
    md_qacct *acct;         /* NULL: an answer */
    size_t dropped_at;      /* offset of a DROPPED value (u64), 0: none */
    size_t len;
    uint8_t data[];
} md_qitem;

typedef struct md_outq {
    md_qitem *head, *tail;
    size_t n;               /* packets waiting */
    size_t replies;         /* of them answers */
    size_t bytes;           /* octets waiting */
} md_outq;

typedef struct md_qbound {
    size_t total;           /* octets queued for every client */
    size_t max;             /* at most */
    uint64_t over;          /* packets dropped for the global bound */
} md_qbound;

/* Send or queue one packet (see above). dropped_at: the offset of its
 * DROPPED value (8 octets, big-endian), rewritten with the account's
 * count when a queued packet goes, so that the first message a reader
 * gets after a pause says how many were dropped meanwhile (0: none).
 * MS_OK: sent or queued;
 * MS_ERR_TOO_MANY: dropped, the account is full (acct->dropped counts
 * it); MS_ERR_NO_MEMORY: dropped, the global bound or malloc (b->over);
 * MS_ERR_END: the client is gone (nothing queued). */
ms_status md_outq_put(md_outq *q, int fd, md_qacct *acct, const uint8_t *pkt, size_t len,
                      size_t dropped_at, md_qbound *b);
/* Send what waits, in order, until the socket is full. MS_OK when
 * nothing waits any more, MS_ERR_AGAIN when some still does, MS_ERR_END
 * when the client is gone. */
ms_status md_outq_flush(md_outq *q, int fd, md_qbound *b);
/* Forget what waits for one account (its mailslot is deleted). */
void md_outq_purge(md_outq *q, const md_qacct *acct, md_qbound *b);
/* Forget everything (the client is gone). */
void md_outq_clear(md_outq *q, md_qbound *b);

#endif
