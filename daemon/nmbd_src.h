/* SPDX-License-Identifier: MIT */
/* Beside Samba: nmbd's unexpected-packet socket as a source of datagrams
 * on the daemon's loop (<mailslot/nmbd_unexpected.h> does the octets).
 *
 * It is read whenever it is readable, to the end, every time: a reader
 * that falls behind freezes nmbd (its end of the connection blocks), so
 * every datagram is handed on at once and any queueing is the daemon's,
 * within its bounds. When nmbd closes the connection (it stopped or
 * restarts) the source connects again, after 0.1 s, then twice as late
 * each time, at most every 2 s, for as long as the daemon runs; a record
 * of a layout we do not know ends it for good (the stream's framing is
 * lost, and reading on would misread nmbd). Each change is told to the
 * owner once. */
#ifndef MD_NMBD_SRC_H
#define MD_NMBD_SRC_H

#include <stdbool.h>
#include <stdint.h>

#include "md_limits.h"
#include "mailslot/loop.h"
#include "mailslot/net.h"
#include "mailslot/nmbd_unexpected.h"

#define MD_NMBD_BATCH 16
#define MD_NMBD_RETRY_FIRST_MS 100
#define MD_NMBD_RETRY_MAX_MS 2000

typedef enum md_nmbd_event {
    MD_NMBD_LOST,           /* nmbd closed the connection: trying again */
    MD_NMBD_BACK,           /* connected again */
    MD_NMBD_FATAL           /* a record of another layout (MS_ERR_VERSION)
                             * or a system error: the source is closed */
} md_nmbd_event;

typedef struct md_nmbd_src {
    ms_loop *loop;
    char dir[MD_DIR_MAX + 1];
    char path[112];         /* dir/unexpected, for the log */
    ms_nmbd_reader *r;
    ms_loop_watch *w, *retry;
    uint64_t retry_ms;
    /* One datagram: the owner pushes it through its pipeline. */
    void (*on_dgram)(void *ctx, const ms_udp_dgram *g);
    /* A change; text says why (LOST, FATAL). */
    void (*on_event)(void *ctx, md_nmbd_event ev, ms_status st, const char *text);
    void *ctx;
    bool fatal;
    uint64_t datagrams, reconnects;
    ms_udp_dgram d[MD_NMBD_BATCH];
    uint8_t bufs[MD_NMBD_BATCH][MS_NMBD_RECORD_MAX];
} md_nmbd_src;

/* Try once to connect to dir/unexpected and have nmbd accept our query
 * (waiting at most ack_ms for its answer): MS_OK, or the reader's status
 * (MS_ERR_NOT_FOUND: no nmbd there; MS_ERR_VERSION: not the format we
 * know), err saying why. On MS_OK the source reads on loop from now on.
 * s is the caller's (it is large: keep it in the daemon's state). */
ms_status md_nmbd_src_open(md_nmbd_src *s, ms_loop *loop, const char *dir, int ack_ms,
                           char *err, size_t errlen);
bool md_nmbd_src_up(const md_nmbd_src *s);
void md_nmbd_src_close(md_nmbd_src *s);

#endif
