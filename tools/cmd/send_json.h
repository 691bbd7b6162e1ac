/* SPDX-License-Identifier: MIT */
/* `send --json`: the frames come from the NDJSON that `decode --json`
 * writes (and `encode` reads), by their fields only, and go where --to
 * says through the client's socket (or into the -w pcap). */
#ifndef MS_TOOLS_SEND_JSON_H
#define MS_TOOLS_SEND_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "mailslot/client.h"
#include "pcap_out.h"

typedef struct send_json_opts {
    FILE *in;             /* the NDJSON */
    const char *in_name;  /* for messages */
    pcap_out *po;         /* -w: frames written here instead of sent */
    bool force_size;      /* --force-size */
    bool quiet;           /* -q: no line per frame */
} send_json_opts;

/* Every object of o->in: built (a "payload" key refused; lengths, counts
 * and offsets computed, a given one that differs refused), held to the
 * size rules, sent. Returns an exit status; stops at the first refusal. */
int send_json_frames(ms_client *c, const send_json_opts *o);

#endif
