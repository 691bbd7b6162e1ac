/* SPDX-License-Identifier: MIT */
/* Local mailslots: \\.\mailslot\NAME between processes on one host, with
 * no network traffic at all (README "Local mailslots").
 *
 * One Unix domain SOCK_DGRAM socket per mailslot name (a datagram is one
 * message: never split, never interleaved with another writer's), in a
 * per-user runtime directory:
 *   $MAILSLOT_DIR                 when set (shared directories, see below);
 *   else $XDG_RUNTIME_DIR/mailslot when XDG_RUNTIME_DIR is an absolute path;
 *   else /tmp/mailslot-UID.
 * The directory is created mode 0700; it must be a real directory (not a
 * symbolic link), owned by the effective user and writable by nobody else,
 * or it is refused. Per name (case-insensitive; \\.\mailslot\a\b and
 * \MAILSLOT\A\B are the same name) there are three files, the name
 * lower-cased and %XX-encoded (or "%%" + a 64-bit hash when too long for
 * sun_path):
 *   NAME.l  lock file: the server holds flock(LOCK_EX) on it for as long
 *           as the mailslot is open, so a second server gets MS_ERR_EXISTS
 *           and a crashed server's leftovers are recognised (the lock went
 *           with the process) and replaced;
 *   NAME.i  info file: "mailslot-local 1", the full name, the max message
 *           size; written before the socket appears, read by writers;
 *   NAME.s  the socket (bound under NAME.t, then renamed into place).
 * Closing the last handle unlinks all three.
 *
 * Access (kernel-enforced: connect() needs write permission on the socket
 * file and search permission on the directory):
 *   MS_LOCAL_USER   socket 0600 (directory 0700): the same user only;
 *   MS_LOCAL_GROUP  socket 0660, directory at least 0710: the directory's
 *                   group too;
 *   MS_LOCAL_WORLD  socket 0666, directory at least 0711: every user who
 *                   knows the directory (others cannot list it).
 * A writer of another user finds the directory through MAILSLOT_DIR (its
 * own default directory is its own). Widening never narrows what is
 * there: a directory once made 0711 stays so, but USER sockets in it are
 * still 0600.
 *
 * Sizes: the max size given at creation is written into NAME.i and checked
 * by the writer (over it: MS_ERR_TOO_BIG, nothing is sent); the server
 * drops (and counts as too_big) anything over it that slips through.
 * Size 0 means no limit of ours; the kernel's limit is about the writer's
 * SO_SNDBUF (we ask for MS_LOCAL_SNDBUF, capped by net.core.wmem_max,
 * often 208 KiB).
 * MS_LOCAL_MIN_GUARANTEED octets always fit. A message the kernel refuses
 * as too large is MS_ERR_TOO_BIG.
 *
 * Writes block while the server's socket queue is full (the kernel holds
 * net.unix.max_dgram_qlen messages, often 10, before the server moves
 * them into its own queue) for at most MS_LOCAL_WRITE_TIMEOUT_MS, then
 * fail with MS_ERR_TIMEOUT: nothing is dropped silently. */
#ifndef MAILSLOT_LOCAL_H
#define MAILSLOT_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailslot/message.h"
#include "mailslot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MS_LOCAL_MIN_GUARANTEED 65536u
#define MS_LOCAL_SNDBUF (4u << 20)
#define MS_LOCAL_WRITE_TIMEOUT_MS 5000

typedef enum ms_local_access {
    MS_LOCAL_USER = 0,
    MS_LOCAL_GROUP,
    MS_LOCAL_WORLD
} ms_local_access;

/* The runtime directory (see above) into out; create it when asked
 * (mode for access). MS_ERR_SYSTEM with a reason when refused. */
MS_EXTERN ms_status ms_local_dir(char *out, size_t cap, bool create, ms_local_access access,
                                 char *err, size_t errlen);
/* The file stem for a name (any form ms_mailslot_name_normalize takes):
 * lower-cased, %XX-encoded; "%%" + 16 hex digits when longer than
 * maxlen. */
MS_EXTERN ms_status ms_local_stem(const char *name, char *out, size_t cap, size_t maxlen);

/* ---- the server side (CreateMailslot) ---- */
typedef struct ms_local_slot ms_local_slot;

/* MS_ERR_EXISTS (a live server holds the name), MS_ERR_INVALID_ARG (bad
 * name), MS_ERR_SYSTEM (directory refused, ...), with a reason in err. */
MS_EXTERN ms_status ms_local_slot_open(const char *name, uint32_t max_size,
                                       ms_local_access access, ms_local_slot **out, char *err,
                                       size_t errlen);
MS_EXTERN void ms_local_slot_close(ms_local_slot *l);  /* unlinks the files */
MS_EXTERN int ms_local_slot_fd(const ms_local_slot *l); /* pollable for POLLIN */
/* Size of the next waiting message without taking it (never blocks):
 * MS_OK and *len, MS_ERR_AGAIN when none waits, MS_ERR_SYSTEM. */
MS_EXTERN ms_status ms_local_slot_peek(ms_local_slot *l, size_t *len);
/* Take the next message into buf (cap >= what peek said): MS_OK and *len,
 * MS_ERR_AGAIN when none waits, MS_ERR_SYSTEM. */
MS_EXTERN ms_status ms_local_slot_recv(ms_local_slot *l, uint8_t *buf, size_t cap,
                                       size_t *len);
MS_EXTERN const char *ms_local_slot_path(const ms_local_slot *l); /* the socket */

/* ---- the writer side (CreateFile + WriteFile) ---- */
typedef struct ms_local_writer ms_local_writer;

/* MS_ERR_NOT_FOUND when no live server has the name; MS_ERR_INVALID_ARG
 * for a bad name; MS_ERR_SYSTEM (err says why, e.g. permission denied). */
MS_EXTERN ms_status ms_local_writer_open(const char *name, ms_local_writer **out, char *err,
                                         size_t errlen);
/* The server's max size (0 = none). */
MS_EXTERN uint32_t ms_local_writer_max_size(const ms_local_writer *w);
/* The largest message the kernel takes from this writer (an estimate
 * from SO_SNDBUF; at least MS_LOCAL_MIN_GUARANTEED). */
MS_EXTERN size_t ms_local_writer_limit(const ms_local_writer *w);
/* One message. MS_ERR_TOO_BIG (nothing sent), MS_ERR_NOT_FOUND (the
 * mailslot went away), MS_ERR_TIMEOUT (queue full for
 * MS_LOCAL_WRITE_TIMEOUT_MS), MS_ERR_SYSTEM. */
MS_EXTERN ms_status ms_local_writer_write(ms_local_writer *w, const void *data, size_t len,
                                          char *err, size_t errlen);
MS_EXTERN void ms_local_writer_close(ms_local_writer *w);

/* The parser of a mailslot's info file (what a writer reads before it
 * writes): MS_OK and *max_size when text is an info file for the
 * normalised name norm, MS_ERR_BAD_INPUT otherwise. Exposed for tests and
 * fuzzing. */
MS_EXTERN ms_status ms_local_info_parse(const char *text, size_t len, const char *norm,
                                        uint32_t *max_size);

#ifdef __cplusplus
}
#endif
#endif
