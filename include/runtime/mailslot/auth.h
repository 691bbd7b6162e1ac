/* SPDX-License-Identifier: MIT */
/* Authenticated mailslots (docs/AUTH.md): a 52-octet trailer appended to
 * the mailslot data, carrying an HMAC-SHA-256 tag (truncated to 16 octets)
 * over the trailer header, the NBDS message type, the source and
 * destination NetBIOS names (wire octets), the mailslot name (ASCII
 * upper-cased) and the data. A Windows receiver sees an ordinary mailslot
 * write whose data ends with 52 more octets.
 *
 * Trailer (all integers big-endian):
 *   0  4  magic "MSAT" (4D 53 41 54)
 *   4  1  version (1)
 *   5  3  reserved, zero
 *   8  4  key id
 *  12  8  timestamp, milliseconds since 1970-01-01 UTC
 *  20 16  nonce (random)
 *  36 16  tag: the first 16 octets of HMAC-SHA-256
 *
 * The HMAC and key-file functions need the library built with
 * MAILSLOT_AUTH (OpenSSL libcrypto); without it they fail and
 * ms_auth_available() is false. The replay cache, the trailer parser and
 * ms_auth_strip_payload work in every build. Not thread-safe. */
#ifndef MAILSLOT_AUTH_H
#define MAILSLOT_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailslot/message.h"
#include "mailslot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MS_AUTH_VERSION 1
#define MS_AUTH_MAGIC "MSAT"
#define MS_AUTH_HEADER_LEN 36           /* magic .. nonce */
#define MS_AUTH_NONCE_LEN 16            /* 128 bits */
#define MS_AUTH_TAG_LEN 16              /* HMAC-SHA-256 truncated */
#define MS_AUTH_TRAILER_LEN 52          /* header + tag */
#define MS_AUTH_KEY_MIN 32              /* octets */
#define MS_AUTH_KEY_MAX 64              /* the SHA-256 block */
#define MS_AUTH_KEYS_MAX 16             /* keys in one key file */
#define MS_AUTH_KEYFILE_MAX 65536       /* octets */
#define MS_AUTH_WINDOW_MS_DEFAULT 30000 /* accepted clock difference, either way */
#define MS_AUTH_CACHE_DEFAULT 4096      /* replay cache entries */

/* True when the library was built with MAILSLOT_AUTH. */
MS_EXTERN bool ms_auth_available(void);

typedef struct ms_auth_key {
    uint32_t id;
    size_t len;
    uint8_t key[MS_AUTH_KEY_MAX];
} ms_auth_key;

typedef struct ms_auth_keyring {
    size_t count;
    ms_auth_key keys[MS_AUTH_KEYS_MAX];
} ms_auth_keyring;

/* Key file text (docs/AUTH.md): '#' comments, blank lines, and pairs of
 * lines "id N" (0..4294967295) then "key HEX" (64..128 hex digits = 32..64
 * octets); ids unique, at least one pair. Pure; err names the line. Needs
 * no OpenSSL. */
MS_EXTERN ms_status ms_auth_keys_parse(const char *text, size_t len, ms_auth_keyring *out, char *err,
                                       size_t errlen);
/* Read and parse a key file; refuse it unless it is a regular file that
 * neither group nor others may read or write (mode & 077 == 0).
 * MS_ERR_INVALID_ARG (also in a build without MAILSLOT_AUTH) or
 * MS_ERR_SYSTEM, a one-line reason in err. */
MS_EXTERN ms_status ms_auth_keys_load(const char *path, ms_auth_keyring *out, char *err, size_t errlen);
/* Zero the key material. */
MS_EXTERN void ms_auth_keys_wipe(ms_auth_keyring *k);
MS_EXTERN const ms_auth_key *ms_auth_keys_find(const ms_auth_keyring *k, uint32_t id);

/* What the tag binds besides the trailer header. */
typedef struct ms_auth_msg {
    uint8_t type;                    /* NBDS MSG_TYPE 0x10..0x12 */
    const uint8_t *src;              /* source name, wire octets */
    size_t src_len;
    const uint8_t *dst;              /* destination name, wire octets */
    size_t dst_len;
    const uint8_t *slot;             /* \MAILSLOT\..., no NUL (folded here) */
    size_t slot_len;
    const uint8_t *data;             /* seal: the data; verify: data + trailer */
    size_t len;
} ms_auth_msg;

/* The fields from a decoded message (data = the transaction's data). */
MS_EXTERN void ms_auth_msg_from_message(ms_auth_msg *a, const ms_message *m);

typedef struct ms_auth_trailer {
    uint8_t version;
    uint32_t key_id;
    uint64_t time_ms;
    uint8_t nonce[MS_AUTH_NONCE_LEN];
    uint8_t tag[MS_AUTH_TAG_LEN];
} ms_auth_trailer;

/* Parse the last MS_AUTH_TRAILER_LEN octets of data (through the cursor).
 * MS_ERR_TRUNCATED: shorter than a trailer; MS_ERR_LAYOUT: no magic, or
 * nonzero reserved octets; MS_ERR_OPCODE: another version (t->version
 * set). *body_len = len - MS_AUTH_TRAILER_LEN on success. */
MS_EXTERN ms_status ms_auth_trailer_parse(const uint8_t *data, size_t len, ms_auth_trailer *t,
                                          size_t *body_len);
/* Write the trailer for t (header fields and tag as given). */
MS_EXTERN void ms_auth_trailer_write(const ms_auth_trailer *t, uint8_t out[MS_AUTH_TRAILER_LEN]);

/* The 16-octet tag of m (m->data/len = the data without trailer) under k,
 * with the header fields of t. MS_ERR_SYSTEM when libcrypto fails,
 * MS_ERR_INVALID_ARG without MAILSLOT_AUTH. */
MS_EXTERN ms_status ms_auth_compute_tag(const ms_auth_key *k, const ms_auth_msg *m,
                                        const ms_auth_trailer *t, uint8_t tag[MS_AUTH_TAG_LEN]);
/* The trailer for m: key k, time_ms, nonce (NULL: RAND_bytes). */
MS_EXTERN ms_status ms_auth_seal(const ms_auth_key *k, const ms_auth_msg *m, uint64_t time_ms,
                                 const uint8_t *nonce, uint8_t out[MS_AUTH_TRAILER_LEN]);

/* Replay cache: remembers (key id, nonce) until an expiry time. Fixed
 * capacity; an entry is reused only once expired, never evicted early. A
 * bounded table in the caller's memory, like nbds_reasm.h and dedup.h. */
typedef struct ms_replay_cache ms_replay_cache;
typedef enum ms_replay_result {
    MS_REPLAY_NEW,     /* remembered now */
    MS_REPLAY_SEEN,    /* an unexpired entry holds it */
    MS_REPLAY_FULL     /* every entry unexpired: not remembered */
} ms_replay_result;
#define MS_REPLAY_MAX (1u << 24) /* most entries */
/* Octets for a cache of `capacity` entries; 0 when capacity is 0 or over
 * MS_REPLAY_MAX. */
MS_EXTERN size_t ms_replay_size(size_t capacity);
/* Set up a cache in mem (8-octet aligned, ms_replay_size octets, the
 * caller's for its life). MS_ERR_INVALID_ARG for a block too small. */
MS_EXTERN ms_status ms_replay_init(void *mem, size_t len, size_t capacity,
                                   ms_replay_cache **out);
/* Look (key_id, nonce) up among entries with expires_ms >= now_ms; when
 * absent, remember it until expires_ms in a free or expired entry. */
MS_EXTERN ms_replay_result ms_replay_check_add(ms_replay_cache *c, uint32_t key_id,
                                               const uint8_t nonce[MS_AUTH_NONCE_LEN],
                                               uint64_t expires_ms, uint64_t now_ms);
MS_EXTERN size_t ms_replay_live(const ms_replay_cache *c, uint64_t now_ms);
MS_EXTERN size_t ms_replay_capacity(const ms_replay_cache *c);

typedef enum ms_auth_result {
    MS_AUTH_OK,
    MS_AUTH_NO_TRAILER,   /* too short, or no magic / bad reserved octets */
    MS_AUTH_BAD_VERSION,  /* a trailer version we do not know */
    MS_AUTH_UNKNOWN_KEY,  /* key id not in the keyring */
    MS_AUTH_BAD_TAG,      /* the tag does not verify */
    MS_AUTH_STALE,        /* timestamp older than now - window */
    MS_AUTH_FUTURE,       /* timestamp newer than now + window */
    MS_AUTH_REPLAY,       /* (key id, nonce) seen within the window */
    MS_AUTH_CACHE_FULL,   /* replay cache full of unexpired entries */
    MS_AUTH_ERROR,        /* libcrypto failed, or built without MAILSLOT_AUTH */
    MS_AUTH__COUNT
} ms_auth_result;

/* "ok", "no_trailer", "bad_version", "unknown_key", "bad_tag", "stale",
 * "future", "replay", "cache_full", "error". */
MS_EXTERN const char *ms_auth_result_name(ms_auth_result r);

/* Room for the counters of ms_auth_stats: fixed, so that a new result
 * does not move anything. */
#define MS_AUTH_STATS_SLOTS 16

typedef struct ms_auth_stats {
    size_t size;                          /* sizeof, set by the caller */
    uint64_t counts[MS_AUTH_STATS_SLOTS]; /* by ms_auth_result */
} ms_auth_stats;

/* The verifier: keys, clock window, replay cache, counters, in one block
 * of the caller's memory (a bounded table like the others).
 * ms_auth_verifier_size: octets for cache_entries (0 =
 * MS_AUTH_CACHE_DEFAULT); 0 when too many. init copies the keys; window_ms
 * 0 = MS_AUTH_WINDOW_MS_DEFAULT; MS_ERR_INVALID_ARG for no keys or a block
 * too small or misaligned. ms_auth_verifier_wipe zeroes the key copy when
 * the verifier is done with (the block is then the caller's again). */
typedef struct ms_auth_verifier ms_auth_verifier;
MS_EXTERN size_t ms_auth_verifier_size(size_t cache_entries);
MS_EXTERN ms_status ms_auth_verifier_init(void *mem, size_t len, const ms_auth_keyring *keys,
                                          uint32_t window_ms, size_t cache_entries,
                                          ms_auth_verifier **out);
MS_EXTERN void ms_auth_verifier_wipe(ms_auth_verifier *v);
/* Check m (m->data ends with the trailer) at now_ms: trailer, key, tag
 * (CRYPTO_memcmp), |now - time| <= window, then the replay cache. Only a
 * message whose tag verifies reaches the cache. On MS_AUTH_OK *body_len is
 * the data length without the trailer. t (may be NULL) gets the parsed
 * trailer whenever one parsed. Every outcome is counted. */
MS_EXTERN ms_auth_result ms_auth_verify(ms_auth_verifier *v, const ms_auth_msg *m, uint64_t now_ms,
                                        ms_auth_trailer *t, size_t *body_len);
/* The counters by result, copied into *out (out->size set by the caller). */
MS_EXTERN ms_status ms_auth_verifier_get_stats(const ms_auth_verifier *v, ms_auth_stats *out);

/* Copy payload (the UDP payload m was decoded from, one unfragmented
 * mailslot write) into out without the last MS_AUTH_TRAILER_LEN data
 * octets, lowering DGM_LENGTH, TotalDataCount, DataCount and ByteCount to
 * match. MS_ERR_LAYOUT when the write is not laid out so (data not
 * located, parameters after the data, fields too small). */
MS_EXTERN ms_status ms_auth_strip_payload(const ms_message *m, const uint8_t *payload, size_t len,
                                          uint8_t *out, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
