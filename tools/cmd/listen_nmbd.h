/* SPDX-License-Identifier: MIT */
/* `listen --nmbd`: datagrams from nmbd's unexpected-packet socket, read
 * on the server's loop and pushed into its pipeline (beside nmbd, no
 * privilege needed). */
#ifndef MS_LISTEN_NMBD_H
#define MS_LISTEN_NMBD_H

#include <stdbool.h>

#include "mailslot/nmbd_unexpected.h"
#include "mailslot/server.h"

#define LISTEN_NMBD_BATCH 16

typedef struct listen_nmbd {
    bool on;                 /* --nmbd or --nmbd-socket-dir */
    const char *dir;         /* --nmbd-socket-dir, NULL = nmbd's default */
    bool failed;             /* the reader failed: listen ends, exit 4 */
    ms_nmbd_reader *r;
    ms_server *srv;
    ms_loop_watch *w;
    ms_udp_dgram d[LISTEN_NMBD_BATCH];
    uint8_t bufs[LISTEN_NMBD_BATCH][MS_NMBD_RECORD_MAX];
} listen_nmbd;

/* Connect to nmbd and put the reader on the server's loop: an exit status
 * (EXIT_SYSTEM, said on stderr, when nmbd is not there). */
int lnm_open(listen_nmbd *n, ms_server *srv);
void lnm_close(listen_nmbd *n);

#endif
