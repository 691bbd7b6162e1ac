/* SPDX-License-Identifier: MIT */
/* Reading what answers a request, for a while, through a decoding receive
 * pipeline (pipeline.h): the client's replies, and optionally a second
 * socket (browse's, bound to the subnet broadcast address) and nmbd's
 * unexpected-packet socket. */
#ifndef MS_TOOLS_REPLY_WAIT_H
#define MS_TOOLS_REPLY_WAIT_H

#include <stdbool.h>

#include "mailslot/client.h"
#include "mailslot/nmbd_unexpected.h"
#include "mailslot/pipeline.h"

typedef struct reply_wait_opts {
    ms_client *c;          /* its replies (ms_client_recv_replies); NULL:
                            * only extra_fd is read */
    int extra_fd;          /* -1, or a UDP socket read as well */
    uint16_t extra_port;   /* that socket's port, for the datagrams' dport */
    ms_nmbd_reader *nmbd;  /* NULL, or nmbd's unexpected-packet socket: the
                            * datagrams nmbd read on port 138 (drained at
                            * every wake-up, whatever they are) */
    double seconds;        /* how long at most */
    bool validate;         /* the validator's findings on each item */
    ms_pipeline_fn fn;     /* each decoded datagram */
    void *ctx;
    bool *done;            /* NULL, or set by fn to stop early */
} reply_wait_opts;

/* Returns an exit status: EXIT_OK at the end of the time, when *done, or
 * at SIGINT/SIGTERM (cli_stop_signal); EXIT_SYSTEM after saying why. */
int reply_wait(const char *cmd, const reply_wait_opts *o);

#endif
