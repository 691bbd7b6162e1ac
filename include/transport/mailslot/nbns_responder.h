/* SPDX-License-Identifier: MIT */
/* A B-node responder for our own names on UDP 137: answers name queries
 * and defends unique names against registrations by others. */
#ifndef MAILSLOT_NBNS_RESPONDER_H
#define MAILSLOT_NBNS_RESPONDER_H

#include "mailslot/nbns.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ms_nbns_responder ms_nbns_responder;

/* Most names one responder answers for. */
#define MS_NBNS_RESPONDER_MAX_NAMES 16

/* Bind UDP 137 on bind_ip (0 = any; SO_REUSEADDR, SO_BROADCAST,
 * non-blocking) and answer name queries for the given names with our_ip;
 * defend them against registrations by others. The names given here are
 * unique names; add group names with ms_nbns_responder_add. Needs privilege
 * for port 137 (port 0 means 137; tests pass another port). On Linux a
 * socket bound to a unicast bind_ip does not see subnet broadcasts, and B
 * node queries are broadcasts: bind 0 unless only unicast queries matter. */
MS_EXTERN ms_status ms_nbns_responder_open(uint32_t bind_ip, uint16_t port, uint32_t our_ip,
                                           const ms_nb_name *names, size_t nnames,
                                           ms_nbns_responder **out, char *err, size_t errlen);
/* Add one more name (group names are answered but never defended).
 * MS_ERR_TOO_MANY past MS_NBNS_RESPONDER_MAX_NAMES. */
MS_EXTERN ms_status ms_nbns_responder_add(ms_nbns_responder *r, const ms_nb_name *name,
                                          bool group);
MS_EXTERN int ms_nbns_responder_fd(const ms_nbns_responder *r);
/* Read and answer what is waiting on the socket (non-blocking, at most 64
 * datagrams per call): positive responses to NB queries for our names,
 * sent to the query's source address and port; negative registration
 * responses (ACT_ERR) to registrations of our unique names that claim
 * another address. Everything else is ignored. *answered (may be NULL):
 * the packets answered. MS_ERR_SYSTEM on a socket error (errno). */
MS_EXTERN ms_status ms_nbns_responder_handle(ms_nbns_responder *r, size_t *answered);
MS_EXTERN void ms_nbns_responder_close(ms_nbns_responder *r);

#ifdef __cplusplus
}
#endif
#endif
