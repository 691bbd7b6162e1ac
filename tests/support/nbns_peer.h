/* SPDX-License-Identifier: MIT */
/* For the NBNS tests: the codec's (tests/codec/test_nbns.c), the
 * resolver's and the responder's (tests/transport/): names, one vector both
 * the codec and the responder tests send, and a responder on 127.0.0.1. */
#ifndef MS_TEST_NBNS_PEER_H
#define MS_TEST_NBNS_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "mailslot/nbns.h"
#include "mailslot/name_service.h"
#include <sys/types.h>

#define LOOPBACK 0x7F000001u
#define OUR_IP 0x0A010203u /* 10.1.2.3: only data, never contacted */

/* "LABPEER" + 8 spaces + <00>, first-level encoded (RFC 1001 §14.1). */
#define LABPEER_00 "20 454d454245434641454645464643434143414341434143414341434143414141 00"
/* "WORKGROUP<1d>" */
#define WORKGROUP_1D "20 464845504643454c4548464345504646464143414341434143414341434142 4e 00"

/* §4.2.13 POSITIVE NAME QUERY RESPONSE: R AA RD; TTL 300000; one entry,
 * unique B node, 192.168.1.10. */
static const char POSITIVE_HEX[] =
    "1234 8500 0000 0001 0000 0000 " LABPEER_00 " 0020 0001 000493e0 0006 0000 c0a8010a";

/* A name from its text (padded), suffix and scope (asserts success). */
ms_nb_name mkname(const char *text, uint8_t suffix, const char *scope);
/* Octets from hex text with blanks (hex_to_bytes). */
size_t hex(const char *h, uint8_t *out, size_t cap);
/* CLOCK_MONOTONIC in milliseconds. */
int64_t now_ms(void);
/* A UDP port on 127.0.0.1 that was free a moment ago. */
uint16_t free_port(void);
/* A child process running the name service on 127.0.0.1 for LABPEER<00>,
 * LABPEER<20> and the group LABGROUP<00>, answering with OUR_IP; returns
 * once the names are registered. *port is where it listens; it ends after
 * ms milliseconds or when killed. */
pid_t serve_names_in_child(uint16_t *port, int ms);

#endif
