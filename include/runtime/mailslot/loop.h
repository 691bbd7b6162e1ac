/* SPDX-License-Identifier: MIT */
/* The event loop: one thread waits on any number of descriptors and
 * timers and calls back whoever asked. The server's UDP socket, its
 * libpcap handle and local mailslots, an NBNS responder, a caller's own
 * sockets, the reassembly and duplicate-filter expiry, registration
 * retries and refreshes all run on one loop, so a program that does all of
 * these needs no loop of its own (mailslot listen is one).
 *
 * Callbacks run inside ms_loop_run / ms_loop_run_once, one at a time, on
 * the calling thread. A callback may add and remove watches (its own
 * included) and call ms_loop_stop. Timers use CLOCK_MONOTONIC; a periodic
 * timer that falls behind fires once and is rescheduled from now, it does
 * not catch up. Not thread-safe, except ms_loop_stop. Allocated by the
 * library (ms_loop_new / ms_loop_free). */
#ifndef MAILSLOT_LOOP_H
#define MAILSLOT_LOOP_H

#include <stdint.h>

#include "mailslot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ms_loop ms_loop;
/* One descriptor or timer on a loop; valid until ms_loop_remove (or the
 * loop is freed). */
typedef struct ms_loop_watch ms_loop_watch;

/* Descriptor events (for ms_loop_add_fd and what the callback gets). */
#define MS_LOOP_IN 0x1u   /* readable */
#define MS_LOOP_OUT 0x2u  /* writable */
#define MS_LOOP_ERR 0x4u  /* error or hang-up: reported whatever was asked */

typedef void (*ms_loop_fd_fn)(void *ctx, int fd, unsigned events);
typedef void (*ms_loop_timer_fn)(void *ctx);

MS_EXTERN ms_status ms_loop_new(ms_loop **out);
/* Frees the loop and its watches; closes no descriptor. NULL is allowed. */
MS_EXTERN void ms_loop_free(ms_loop *l);

/* Call fn(ctx, fd, events) whenever fd has one of events (MS_LOOP_IN,
 * MS_LOOP_OUT). *w (may be NULL) is the watch. MS_ERR_EXISTS when fd is
 * watched already; MS_ERR_NO_MEMORY. */
MS_EXTERN ms_status ms_loop_add_fd(ms_loop *l, int fd, unsigned events, ms_loop_fd_fn fn,
                                   void *ctx, ms_loop_watch **w);
/* What a descriptor watch waits for from now on (0 = nothing for now). */
MS_EXTERN ms_status ms_loop_set_events(ms_loop_watch *w, unsigned events);
/* Call fn(ctx) after first_ms milliseconds, then every period_ms (0: once;
 * a one-shot timer removes itself after it fired). */
MS_EXTERN ms_status ms_loop_add_timer(ms_loop *l, uint64_t first_ms, uint64_t period_ms,
                                      ms_loop_timer_fn fn, void *ctx, ms_loop_watch **w);
/* Fire a timer watch after ms milliseconds from now (then by its period). */
MS_EXTERN ms_status ms_loop_timer_reset(ms_loop_watch *w, uint64_t ms);
/* Remove a watch; safe from any callback, its own included. NULL is
 * allowed. */
MS_EXTERN void ms_loop_remove(ms_loop_watch *w);

/* Wait up to timeout_ms (-1: no limit but the timers) for one round of
 * events and run their callbacks, due timers included. MS_OK after a
 * round (which may have run nothing when the time ran out), MS_ERR_STOPPED
 * when ms_loop_stop was called (the request is then used up),
 * MS_ERR_SYSTEM when poll failed (errno), MS_ERR_INVALID_ARG when called
 * from inside one of the loop's own callbacks (rounds do not nest). A
 * signal that interrupts the wait ends the round early with MS_OK. */
MS_EXTERN ms_status ms_loop_run_once(ms_loop *l, int timeout_ms);
/* Rounds until ms_loop_stop (MS_ERR_STOPPED), timeout_ms has passed
 * (MS_ERR_TIMEOUT; -1: never) or an error. */
MS_EXTERN ms_status ms_loop_run(ms_loop *l, int timeout_ms);
/* Make the running (or next) ms_loop_run / ms_loop_run_once return
 * MS_ERR_STOPPED. Safe in a signal handler and from another thread. */
MS_EXTERN void ms_loop_stop(ms_loop *l);

#ifdef __cplusplus
}
#endif
#endif
