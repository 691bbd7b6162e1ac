/* SPDX-License-Identifier: MIT */
/* A small stand-in for mailslotd in the unit tests: a thread that listens
 * on DIR/control and speaks the control protocol (<mailslot/control.h>)
 * with the codec: HELLO -> WELCOME (names FAKEHOST<00>, FAKEHOST<20>,
 * WORKGROUP<00>), CREATE (one creator per name, case-insensitive; monitors
 * with SLOT "*"), DELETE, SEND (recorded; RESULT says it went as
 * FAKEHOST<00> from 192.0.2.1, or FAKEHOST<20> when asked), STATUS;
 * DELIVERs on the test's word. It can die (every connection closed, the socket file removed),
 * come back, stall (accept and never answer) and send garbage. */
#ifndef MS_TEST_FAKE_MAILSLOTD_H
#define MS_TEST_FAKE_MAILSLOTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailslot/control.h"

typedef struct fake_daemon fake_daemon;

/* A temporary directory for a daemon (mkdtemp), and removing it. */
void fake_dir(char *out, size_t cap);
void fake_dir_remove(const char *dir);

/* Listen on dir/control; stall: accept, never read. */
fake_daemon *fake_start(const char *dir, bool stall);
/* Die: close everything, remove the socket file, end the thread. */
void fake_stop(fake_daemon *f);

/* How many messages of this type came in so far (all connections). */
int fake_count(fake_daemon *f, uint16_t type);
/* Wait up to ms for fake_count(type) >= n. */
bool fake_wait_count(fake_daemon *f, uint16_t type, int n, int ms);
/* Is name registered (creator) now? */
bool fake_holds(fake_daemon *f, const char *name);
/* Monitors attached now. */
int fake_monitors(fake_daemon *f);

/* The last SEND: its attributes (octets copied into the fake). */
typedef struct fake_send {
    uint8_t datagram[65536];
    size_t len;
    uint32_t dst_ip, token, flags;
    uint16_t dst_port;
    bool has_token, has_src_name;
    char src_name[64];
} fake_send;
bool fake_last_send(fake_daemon *f, fake_send *out);
/* The n-th CREATE's slot name (0 = first), "" when none. */
void fake_created(fake_daemon *f, int n, char *out, size_t cap);

/* Deliver a datagram as the daemon would: to the creator of slot (SLOT =
 * its name) and, unless only_creator, a copy to every monitor (SLOT "*",
 * F_COPY). extra: more attributes' values (flags added to FLAGS). Returns
 * how many DELIVERs went out. */
typedef struct fake_meta {
    uint32_t src_ip, dst_ip, ifindex, flags;
    uint16_t src_port, dst_port;
    uint64_t time_ns, dropped;
    uint8_t via;
} fake_meta;
int fake_deliver(fake_daemon *f, const char *slot, const uint8_t *dg, size_t len,
                 const fake_meta *meta, bool only_creator);
/* Copies name the mailslot written to (SLOT), F_COPY alone saying they are
 * copies, as mailslotd does; default: SLOT "*". */
void fake_copies_named(fake_daemon *f, bool yes);
/* Send one ready-made message to every connection (or raw octets when
 * m is NULL). */
void fake_broadcast(fake_daemon *f, const ms_ctl_msg *m, const uint8_t *raw, size_t rawlen);
/* Answer every SEND carrying a TOKEN with this datagram (a reply), routed
 * to the sender with F_REPLY; NULL: stop. */
void fake_reply_to_token(fake_daemon *f, const uint8_t *dg, size_t len);

#endif
