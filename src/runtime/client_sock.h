/* SPDX-License-Identifier: MIT */
/* The client's sockets (private): which source port, how datagrams go out
 * and how replies come back, per ms_client_sport_mode (client.h). */
#ifndef MS_RUNTIME_CLIENT_SOCK_H
#define MS_RUNTIME_CLIENT_SOCK_H

#include "mailslot/client.h"
#include "mailslot/raw_udp.h"

typedef struct client_sock {
    ms_client_sport_mode mode;
    int fd;                  /* UDP socket, or the raw socket we send by */
    int rx;                  /* raw: the socket replies are copied to, or -1 */
    bool connected;          /* fd is connected to the destination */
    uint32_t dst_ip;
    uint16_t dport;
    ms_raw_udp_route route;  /* raw: addresses and ports of our headers */
    ms_raw_udp_filter filter; /* raw: which copies are replies to us */
} client_sock;

/* Open the sockets for o->sport (in->src_ip, dst_ip and dport planned)
 * and fill in->sport, sport_mode, sport_fallback and note. Explicit port
 * in use: MS_ERR_EXISTS, err naming the holder where /proc shows it. */
ms_status client_sock_open(client_sock *s, const ms_client_opts *o, ms_client_info *in,
                           char *err, size_t errlen);
void client_sock_close(client_sock *s);

/* n datagrams to the destination; *sent as ms_udp_send_batch says. */
ms_status client_sock_send(client_sock *s, const uint8_t *const *bufs, const size_t *lens,
                           size_t n, size_t *sent);

/* Replies waiting now (ms_client_recv_replies). */
ms_status client_sock_recv(client_sock *s, ms_udp_dgram *d, size_t n, size_t *got);

/* The descriptor replies make readable, -1 when none. */
int client_sock_reply_fd(const client_sock *s);

#endif
