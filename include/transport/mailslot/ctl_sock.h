/* SPDX-License-Identifier: MIT */
/* The socket of mailslotd's control protocol (<mailslot/control.h>): a
 * Unix SOCK_SEQPACKET socket, one message per packet, in the daemon's
 * runtime directory. Used by the daemon (listen, accept) and by the
 * library (connect); both sides send and receive the same way. */
#ifndef MAILSLOT_CTL_SOCK_H
#define MAILSLOT_CTL_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mailslot/control.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where mailslotd lives when $MAILSLOTD_DIR does not say. */
#define MS_CTL_DEFAULT_DIR "/run/mailslotd"
#define MS_CTL_SOCKET_NAME "control"

/* The daemon's directory: $MAILSLOTD_DIR when set and not empty, else
 * MS_CTL_DEFAULT_DIR. */
MS_EXTERN const char *ms_ctl_dir(void);
/* dir/control into out. MS_ERR_NO_SPACE when it does not fit (a Unix
 * socket path has at most 107 octets). dir NULL: ms_ctl_dir(). */
MS_EXTERN ms_status ms_ctl_path(const char *dir, char *out, size_t cap);

/* Who is at the other end (SO_PEERCRED). */
typedef struct ms_ctl_peer {
    pid_t pid;
    uid_t uid;
    gid_t gid;
} ms_ctl_peer;

/* Listen on path with permissions mode (non-blocking, close-on-exec). A
 * stale socket file (nobody accepts on it) is replaced; a live one is
 * MS_ERR_EXISTS (another daemon runs). */
MS_EXTERN ms_status ms_ctl_listen(const char *path, mode_t mode, int *fd, char *err,
                                  size_t errlen);
/* Accept one connection (non-blocking): MS_ERR_AGAIN when none waits. */
MS_EXTERN ms_status ms_ctl_accept(int lfd, int *fd, ms_ctl_peer *peer);
/* Connect to the daemon at path, without waiting. MS_ERR_NOT_FOUND when
 * no daemon listens there (no file, or a stale one); MS_ERR_AGAIN when it
 * accepts no more connections (its backlog is full: a stalled daemon);
 * MS_ERR_SYSTEM otherwise (errno; EACCES: no permission). The descriptor
 * is non-blocking and close-on-exec. */
MS_EXTERN ms_status ms_ctl_connect(const char *path, int *fd, char *err, size_t errlen);

/* Encode m into buf (cap octets; MS_CTL_MAX_PACKET is always enough) and
 * send it as one packet without waiting. MS_ERR_AGAIN when the socket's
 * buffer is full (nothing sent), MS_ERR_END when the peer went away,
 * MS_ERR_SYSTEM otherwise. */
MS_EXTERN ms_status ms_ctl_send(int fd, const ms_ctl_msg *m, uint8_t *buf, size_t cap);
/* Receive one packet into buf without waiting and decode it into *out
 * (borrowing from buf). MS_ERR_AGAIN when none waits, MS_ERR_END when the
 * peer closed, MS_ERR_TOO_BIG when the packet did not fit buf (it is
 * consumed), or the decoder's status. */
MS_EXTERN ms_status ms_ctl_recv(int fd, uint8_t *buf, size_t cap, ms_ctl_msg *out);

#ifdef __cplusplus
}
#endif
#endif
