/* SPDX-License-Identifier: MIT */
/* The Token table: small (MD_TOKENS_MAX), scanned whole; looked at only for
 * replies that carry a Token and for requests that ask for one. */
#include "tokens.h"

#include <string.h>

void md_tokens_init(md_tokens *t)
{
    memset(t, 0, sizeof *t);
}

static void drop_at(md_tokens *t, size_t i)
{
    t->t[i] = t->t[--t->n];
}

size_t md_tokens_expire(md_tokens *t, uint64_t now_ns)
{
    size_t gone = 0;
    for (size_t i = 0; i < t->n;) {
        if (t->t[i].expires_ns <= now_ns) {
            drop_at(t, i);
            gone++;
        } else {
            i++;
        }
    }
    return gone;
}

void md_tokens_add(md_tokens *t, uint32_t token, uint32_t client, uint64_t now_ns,
                   uint64_t ttl_ns)
{
    md_tokens_expire(t, now_ns);
    size_t at = t->n;
    for (size_t i = 0; i < t->n; i++)
        if (t->t[i].token == token)
            at = i;
    if (at == MD_TOKENS_MAX) {
        /* Full: the one that expires first goes. */
        at = 0;
        for (size_t i = 1; i < t->n; i++)
            if (t->t[i].expires_ns < t->t[at].expires_ns)
                at = i;
        t->evicted++;
    } else if (at == t->n) {
        t->n++;
    }
    t->t[at] = (md_token){ token, client, now_ns + ttl_ns };
}

uint32_t md_tokens_find(const md_tokens *t, uint32_t token, uint64_t now_ns)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->t[i].token == token && t->t[i].expires_ns > now_ns)
            return t->t[i].client;
    return 0;
}

void md_tokens_drop_client(md_tokens *t, uint32_t client)
{
    for (size_t i = 0; i < t->n;) {
        if (t->t[i].client == client)
            drop_at(t, i);
        else
            i++;
    }
}
