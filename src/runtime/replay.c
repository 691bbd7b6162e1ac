/* SPDX-License-Identifier: MIT */
/* Replay cache for authenticated mailslots: a fixed table of (key id,
 * nonce, expiry). A lookup scans every entry (O(capacity)); only messages
 * whose tag verified get here, so the scan is paid per genuine message.
 * An entry is reused only after its expiry: when every entry is live the
 * new message is refused (MS_REPLAY_FULL), never let in by forgetting one
 * that could still be replayed. The table is one block of the caller's
 * memory. */
#include <stdint.h>
#include <string.h>

#include "mailslot/auth.h"

typedef struct replay_entry {
    uint64_t expires_ms;
    uint32_t key_id;
    bool used;
    uint8_t nonce[MS_AUTH_NONCE_LEN];
} replay_entry;

struct ms_replay_cache {
    size_t cap;
    replay_entry e[];
};

size_t ms_replay_size(size_t capacity)
{
    if (capacity == 0 || capacity > MS_REPLAY_MAX)
        return 0;
    return sizeof(ms_replay_cache) + capacity * sizeof(replay_entry);
}

ms_status ms_replay_init(void *mem, size_t len, size_t capacity, ms_replay_cache **out)
{
    *out = NULL;
    size_t need = ms_replay_size(capacity);
    if (!mem || !need || len < need || ((uintptr_t)mem & 7))
        return MS_ERR_INVALID_ARG;
    memset(mem, 0, need);
    ms_replay_cache *c = mem;
    c->cap = capacity;
    *out = c;
    return MS_OK;
}

static bool live(const replay_entry *e, uint64_t now_ms)
{
    return e->used && e->expires_ms >= now_ms;
}

ms_replay_result ms_replay_check_add(ms_replay_cache *c, uint32_t key_id,
                                     const uint8_t nonce[MS_AUTH_NONCE_LEN],
                                     uint64_t expires_ms, uint64_t now_ms)
{
    replay_entry *slot = NULL;
    for (size_t i = 0; i < c->cap; i++) {
        replay_entry *e = &c->e[i];
        if (!live(e, now_ms)) {
            if (!slot)
                slot = e;
            continue;
        }
        if (e->key_id == key_id && memcmp(e->nonce, nonce, MS_AUTH_NONCE_LEN) == 0)
            return MS_REPLAY_SEEN;
    }
    if (!slot)
        return MS_REPLAY_FULL;
    slot->used = true;
    slot->key_id = key_id;
    slot->expires_ms = expires_ms;
    memcpy(slot->nonce, nonce, MS_AUTH_NONCE_LEN);
    return MS_REPLAY_NEW;
}

size_t ms_replay_live(const ms_replay_cache *c, uint64_t now_ms)
{
    size_t n = 0;
    for (size_t i = 0; i < c->cap; i++)
        n += live(&c->e[i], now_ms);
    return n;
}

size_t ms_replay_capacity(const ms_replay_cache *c)
{
    return c->cap;
}
