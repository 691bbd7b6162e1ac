/* SPDX-License-Identifier: MIT */
/* A client through mailslotd (private; client_daemon.c): datagrams handed
 * over with SEND, and the replies that come back as DELIVERs — to the
 * reply mailslot a NETLOGON request names, which the client creates with
 * the daemon, and to a browser request's Token. */
#ifndef MS_RUNTIME_CLIENT_DAEMON_H
#define MS_RUNTIME_CLIENT_DAEMON_H

#include "mailslot/client.h"

typedef struct cdaemon cdaemon;

/* Attach when the options allow it and a daemon answers: *out NULL when
 * the client goes directly (no daemon, MS_DAEMON_NEVER, a chosen source
 * port, build only). An error only when it must (MS_DAEMON_REQUIRE) or
 * the daemon misbehaves. */
ms_status cdaemon_open(const ms_client_opts *o, cdaemon **out, char *err, size_t errlen);
void cdaemon_close(cdaemon *d);
int cdaemon_fd(const cdaemon *d);
const char *cdaemon_path(const cdaemon *d);
/* The reply mailslot created with the daemon, "" when none yet. */
const char *cdaemon_reply_slot(const cdaemon *d);

/* One message's data as it goes through the daemon (*out may point into
 * d, until the next call). When replies are wanted: a NETLOGON request's
 * reply mailslot becomes one of ours (the name it gives when nobody holds
 * it, else \MAILSLOT\NET\GETDC + 8 hex digits, written into the request);
 * a GetBackupListRequest's Token goes with the next cdaemon_send. */
ms_status cdaemon_prepare(cdaemon *d, const char *slot, const uint8_t *data, size_t len,
                          const uint8_t **out, size_t *outlen, char *err, size_t errlen);
/* A whole datagram handed over as it is (ms_client_send_payload), when
 * replies are wanted: the reply mailslot a NETLOGON request names is
 * created with the daemon under that very name (MS_ERR_EXISTS, err
 * saying so, when another program holds it: the daemon gives its replies
 * to that program), a GetBackupListRequest's Token goes with the next
 * cdaemon_send. Nothing in the datagram changes. */
ms_status cdaemon_prepare_payload(cdaemon *d, const uint8_t *dg, size_t len, char *err,
                                  size_t errlen);
/* Hand one datagram over (SEND) and wait for the daemon's answer. The
 * source name, address and port it says it sent with go to *src, *src_ip
 * and *src_port (left as they are when it does not say: a daemon beside
 * nmbd sends from a port of its own, not 138). */
ms_status cdaemon_send(cdaemon *d, const uint8_t *dg, size_t len, uint32_t dst_ip,
                       uint16_t dport, ms_nb_name *src, uint32_t *src_ip, uint16_t *src_port,
                       char *err, size_t errlen);
/* Replies waiting now, as ms_client_recv_replies gives them. */
ms_status cdaemon_recv(cdaemon *d, ms_udp_dgram *out, size_t n, size_t *got);

#endif
