/* SPDX-License-Identifier: MIT */
/* Routes for replies: a client that sends a browser request carrying a
 * Token (GetBackupListRequest) through mailslotd gets the replies that
 * carry the same Token (GetBackupListResponse on \MAILSLOT\BROWSE) for
 * MD_TOKEN_TTL_MS, besides BROWSE's creator. One client per Token (the
 * last to send it); at most MD_TOKENS_MAX remembered, the oldest given up
 * first. Time is the caller's (CLOCK_MONOTONIC nanoseconds). */
#ifndef MD_TOKENS_H
#define MD_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "md_limits.h"

typedef struct md_token {
    uint32_t token;
    uint32_t client;        /* the client's id (never 0) */
    uint64_t expires_ns;
} md_token;

typedef struct md_tokens {
    md_token t[MD_TOKENS_MAX];
    size_t n;
    uint64_t evicted;       /* given up before their time: the table was full */
} md_tokens;

void md_tokens_init(md_tokens *t);
/* Remember token for client until now + ttl. */
void md_tokens_add(md_tokens *t, uint32_t token, uint32_t client, uint64_t now_ns,
                   uint64_t ttl_ns);
/* The client a reply with token goes to; 0 for none (or expired). */
uint32_t md_tokens_find(const md_tokens *t, uint32_t token, uint64_t now_ns);
/* Forget a client's tokens (it went away). */
void md_tokens_drop_client(md_tokens *t, uint32_t client);
/* Forget expired tokens; how many. */
size_t md_tokens_expire(md_tokens *t, uint64_t now_ns);

#endif
