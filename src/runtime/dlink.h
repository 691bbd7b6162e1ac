/* SPDX-License-Identifier: MIT */
/* One program's connection to mailslotd (private; daemon_link.c): HELLO,
 * requests answered in order, DELIVERs in between, and, on a loop, finding
 * the daemon again after it went away. The server (server_daemon.c) and
 * the client (client_daemon.c) build on it. */
#ifndef MS_RUNTIME_DLINK_H
#define MS_RUNTIME_DLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "mailslot/control.h"
#include "mailslot/daemon_link.h"
#include "mailslot/loop.h"

typedef struct dlink dlink;

/* What the link tells its owner; any may be NULL. */
typedef struct dlink_hooks {
    void (*deliver)(void *ctx, const ms_ctl_msg *m); /* one DELIVER */
    void (*up)(void *ctx);                 /* attached again (after down) */
    void (*down)(void *ctx, const char *why); /* the connection is gone */
    void *ctx;
} dlink_hooks;

/* The answer to one dlink_post request: st is the RESULT's STATUS (MS_OK
 * for a WELCOME or STATUS_REPLY); answer NULL when the link failed first
 * (st then says how: MS_ERR_END, MS_ERR_TIMEOUT, ...). */
typedef void (*dlink_done_fn)(void *ctx, uint64_t tag, ms_status st, const ms_ctl_msg *answer);

typedef struct dlink_opts {
    const char *dir;         /* NULL: ms_ctl_dir() */
    const char *who;         /* HELLO's TEXT; NULL: the program's name */
    ms_loop *loop;           /* watch the socket and re-attach on this loop;
                              * NULL: the owner pumps and reconnects */
    int timeout_ms;          /* an answer's deadline, <= 0: the default */
} dlink_opts;

/* Connect and say HELLO; waits (bounded) for WELCOME. MS_ERR_NOT_FOUND
 * when no daemon listens, MS_ERR_TIMEOUT when it does not answer,
 * MS_ERR_SYSTEM (errno kept: EACCES), or the daemon's refusal. */
ms_status dlink_open(const dlink_opts *o, const dlink_hooks *h, dlink **out, char *err,
                     size_t errlen);
void dlink_close(dlink *l);

bool dlink_up(const dlink *l);       /* connected and welcomed */
int dlink_fd(const dlink *l);        /* -1 while down */
const char *dlink_path(const dlink *l);
/* WELCOME's version, names and text (of the last attach). */
void dlink_hello(const dlink *l, ms_daemon_hello *out);
/* The link's counters and state, as far as it knows them. */
void dlink_info(const dlink *l, ms_daemon_link_info *out);
/* Count a DELIVER its owner refused. */
void dlink_refuse(dlink *l);

/* Send req and wait (bounded) for its answer, taking DELIVERs meanwhile.
 * *answer (may be NULL) borrows the link's buffer until its next use. A
 * refusal's TEXT goes to err. MS_ERR_END when the link is down or went
 * down meanwhile; MS_ERR_TIMEOUT (the link is then dropped). */
ms_status dlink_call(dlink *l, const ms_ctl_msg *req, ms_ctl_msg *answer, char *err,
                     size_t errlen);
/* Send req without waiting; fn (may be NULL) gets its answer later. A
 * full socket is a daemon that stopped reading: the link is dropped. */
ms_status dlink_post(dlink *l, const ms_ctl_msg *req, dlink_done_fn fn, void *ctx, uint64_t tag);
/* Read up to max packets that wait, never blocking. */
ms_status dlink_pump(dlink *l, size_t max);
/* Without a loop: connect and say HELLO again (bounded). */
ms_status dlink_reconnect(dlink *l, char *err, size_t errlen);

#endif
