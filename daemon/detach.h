/* SPDX-License-Identifier: MIT */
/* Going into the background (without -F): the parent waits until the
 * daemon is ready, so that `mailslotd && next-step` works, and exits 0
 * then, or 1 when the daemon could not start (its error went to the
 * terminal). */
#ifndef MD_DETACH_H
#define MD_DETACH_H

/* In the child: 0, with the pipe's write end in *ready_fd. The parent
 * never returns. -1 when fork failed (errno). */
int md_detach(int *ready_fd);
/* The child is ready: tell the parent; standard streams to /dev/null. */
void md_detach_done(int ready_fd);

#endif
