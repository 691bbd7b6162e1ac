/* SPDX-License-Identifier: MIT */
/* Inside the name service: its state, shared by name_service.c (socket,
 * lifetime), name_register.c (registration, refresh, release) and
 * name_answer.c (queries, node status, defence, conflict demands). */
#ifndef MS_NAME_SERVICE_INT_H
#define MS_NAME_SERVICE_INT_H

#include "mailslot/name_service.h"

/* What a name waits for. */
typedef enum ns_phase {
    PH_IDLE,
    PH_BCAST,           /* broadcast registration requests */
    PH_WINS_REG,        /* registration sent to the WINS server */
    PH_WINS_OWNER,      /* refused by WINS: asking it who holds the name */
    PH_WINS_REFRESH,    /* refresh sent */
    PH_WINS_RELEASE,    /* release sent */
} ns_phase;

typedef struct ns_name {
    struct ms_name_service *ns;
    ms_nb_name name;
    bool group;
    bool wins;              /* the WINS server holds it */
    ms_name_state state;
    ns_phase phase;
    const char *why;        /* REFUSED: the note of its event */
    uint16_t trn;           /* transaction of the request in flight */
    int sent;               /* requests sent in this phase */
    uint32_t ttl;           /* granted by the WINS server */
    uint32_t refused_by;    /* who sent the negative response */
    uint32_t owner;         /* who holds the name, by that response */
    uint8_t rcode;
    ms_loop_watch *timer;   /* one-shot: the next step of the phase */
} ns_name;

struct ms_name_service {
    ms_name_service_opts o;
    ms_loop *loop;
    int fd;
    ms_loop_watch *watch;
    uint16_t next_trn;
    uint16_t ont;           /* MS_NBNS_ONT_B, or _H with a WINS server */
    size_t nnames;
    ns_name names[MS_NAME_SERVICE_MAX_NAMES];
    ms_name_stats stats;
};

/* name_service.c */
uint16_t ns_new_trn(struct ms_name_service *ns);
/* Encode p and send it to ip:port (0 = the peer port); false on failure. */
bool ns_send(struct ms_name_service *ns, const ms_nbns_packet *p, uint32_t ip, uint16_t port);
void ns_emit(struct ms_name_service *ns, const ns_name *n, ms_name_event_kind kind,
             uint32_t peer, uint32_t owner, const char *note);
void ns_event(const ns_name *n, ms_name_event_kind kind, uint32_t peer, uint32_t owner,
              const char *note, ms_name_event *ev);
/* Run fn(n) after ms (replacing the name's pending step); fn starts with
 * ns_fired. */
void ns_after(ns_name *n, uint64_t ms, ms_loop_timer_fn fn);
static inline ns_name *ns_fired(void *ctx)
{
    ns_name *n = ctx;
    n->timer = NULL; /* the loop removes a one-shot timer that fired */
    return n;
}
void ns_cancel(ns_name *n);
uint16_t ns_nb_flags(const struct ms_name_service *ns, const ns_name *n);

/* name_register.c */
void ns_register_start(ns_name *n);
/* A response (R bit) from src: ours to route, or a conflict demand. */
void ns_register_response(struct ms_name_service *ns, const ms_nbns_packet *p, uint32_t src);
/* Send the releases; true when a WINS answer is awaited. */
bool ns_release_send(ns_name *n);

/* name_answer.c */
/* A request (no R bit) from src:sport. */
void ns_answer_request(struct ms_name_service *ns, const ms_nbns_packet *p, uint32_t src,
                       uint16_t sport);
void ns_conflict_demand(ns_name *n, const ms_nbns_packet *p, uint32_t src);
ns_name *ns_find(struct ms_name_service *ns, const ms_nb_name *name);

#endif
