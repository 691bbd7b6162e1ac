/* SPDX-License-Identifier: MIT */
/* One NBNS request and the responses it draws (private to the transport
 * layer): the resolver, the lookup and the node status query share it.
 * It sends the request up to NBNS_XCHG_SENDS times spread over the
 * timeout, reads what comes back (bounded in count and time), drops what
 * does not decode and what is not a response to this transaction, and
 * hands every other response to the caller's function, which says whether
 * the exchange is over. */
#ifndef MS_TRANSPORT_NBNS_XCHG_H
#define MS_TRANSPORT_NBNS_XCHG_H

#include "mailslot/nbns.h"
#include "mailslot/nbns_resolve.h"

/* Sends of one request: the first and up to two retries (RFC 1002 §6:
 * BCAST_REQ_RETRY_COUNT 3, UCAST_REQ_RETRY_COUNT 3). */
#define NBNS_XCHG_SENDS 3
/* Datagrams read per exchange at most, so a flood cannot keep us looping
 * past the deadline checks. */
#define NBNS_XCHG_MAX_READS 256
#define NBNS_XCHG_DEFAULT_TIMEOUT_MS 1500

/* What the caller's function makes of one response. */
typedef enum xchg_verdict {
    XCHG_SKIP, /* not an answer to what we asked (counted as unmatched) */
    XCHG_MORE, /* taken; keep listening until the deadline */
    XCHG_DONE  /* taken; the exchange is over */
} xchg_verdict;

/* p: the decoded response (borrows from a buffer that lives until the
 * function returns); src_ip/src_port: who sent it; at_ms: since the first
 * send. */
typedef xchg_verdict (*xchg_fn)(void *ctx, const ms_nbns_packet *p, uint32_t src_ip,
                                uint16_t src_port, unsigned at_ms);

typedef struct nbns_xchg {
    /* Set by the caller. */
    const char *what;        /* subject for messages: "LABPEER<00>" */
    uint32_t dst_ip;         /* host order */
    uint16_t port;           /* 0: 137 */
    uint32_t bind_ip;        /* 0: any */
    bool broadcast;          /* SO_BROADCAST, and answers from any source;
                              * otherwise only dst_ip's are taken */
    int timeout_ms;          /* <= 0: NBNS_XCHG_DEFAULT_TIMEOUT_MS */
    xchg_fn on_response;
    void *ctx;
    /* Filled by nbns_xchg_run. */
    ms_lookup_stats st;
} nbns_xchg;

/* A fresh transaction ID, unpredictable when the kernel gives entropy. */
uint16_t nbns_trn_id(void);

/* Give req a fresh TRN_ID, send it and read responses until on_response
 * says XCHG_DONE (MS_OK), the deadline passes or NBNS_XCHG_MAX_READS
 * datagrams were read (MS_ERR_TIMEOUT: x->st tells which), or a socket
 * call fails (MS_ERR_SYSTEM, err filled). MS_ERR_INVALID_ARG when req
 * does not encode or dst_ip is 0. */
ms_status nbns_xchg_run(nbns_xchg *x, ms_nbns_packet *req, char *err, size_t errlen);

/* A name query response to a question about name: NBNS_ANSWER_NONE when
 * it is not one (no single answer record, another name, or a positive
 * answer without NB/IN address entries), else positive or negative
 * (RCODE != 0). */
typedef enum nbns_answer { NBNS_ANSWER_NONE, NBNS_ANSWER_POSITIVE, NBNS_ANSWER_NEGATIVE } nbns_answer;
nbns_answer nbns_answer_kind(const ms_nbns_packet *p, const ms_nb_name *name);

/* "no answer from 192.0.2.255:137 within 1500 ms (3 queries)" and the
 * like, for an exchange that ended with MS_ERR_TIMEOUT. */
void nbns_xchg_silence(const nbns_xchg *x, char *out, size_t cap);

#endif
