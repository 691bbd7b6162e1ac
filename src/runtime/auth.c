/* SPDX-License-Identifier: MIT */
/* Authenticated mailslots: trailer, key files, HMAC-SHA-256 tag,
 * verification (docs/AUTH.md). libcrypto only with MAILSLOT_HAVE_AUTH. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cursor.h"
#include "mailslot/auth.h"
#include "sized.h"

#ifdef MAILSLOT_HAVE_AUTH
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#endif

#define NOT_BUILT "this build has no authentication support (built with MAILSLOT_AUTH=OFF; " \
                  "it needs OpenSSL libcrypto)"

bool ms_auth_available(void)
{
#ifdef MAILSLOT_HAVE_AUTH
    return true;
#else
    return false;
#endif
}

static void wipe(void *p, size_t n)
{
#ifdef MAILSLOT_HAVE_AUTH
    OPENSSL_cleanse(p, n);
#else
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
#endif
}

/* ---- key files ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* One line of a key file: the keyword and its value, blanks trimmed. */
typedef struct key_line {
    size_t no;
    const char *kw, *val;
    size_t kwlen, vlen;
} key_line;

/* Split text[*pos..) at the next newline. 1: a line with a keyword; 0: a
 * blank or comment line; -1: a malformed line (err says why). */
static int next_line(const char *text, size_t len, size_t *pos, key_line *l, char *err,
                     size_t errlen)
{
    size_t end = *pos;
    while (end < len && text[end] != '\n')
        end++;
    l->no++;
    const char *s = text + *pos, *e = text + end;
    *pos = end + 1;
    while (s < e && is_space(*s))
        s++;
    while (e > s && is_space(e[-1]))
        e--;
    if (s == e || *s == '#')
        return 0;
    if (memchr(s, 0, (size_t)(e - s))) {
        snprintf(err, errlen, "key file line %zu: a NUL octet", l->no);
        return -1;
    }
    l->kw = s;
    while (s < e && !is_space(*s))
        s++;
    l->kwlen = (size_t)(s - l->kw);
    while (s < e && is_space(*s))
        s++;
    l->val = s;
    l->vlen = (size_t)(e - s);
    for (size_t i = 0; i < l->vlen; i++) {
        if (is_space(s[i])) {
            snprintf(err, errlen, "key file line %zu: unexpected text after the value", l->no);
            return -1;
        }
    }
    return 1;
}

/* "id N": a new, unused key id. */
static ms_status take_id(const key_line *l, const ms_auth_keyring *ring, uint32_t *id,
                         char *err, size_t errlen)
{
    uint64_t v = 0;
    bool digits = l->vlen > 0 && l->vlen <= 10;
    for (size_t i = 0; digits && i < l->vlen; i++) {
        digits = l->val[i] >= '0' && l->val[i] <= '9';
        v = v * 10 + (uint64_t)(l->val[i] - '0');
    }
    if (!digits) {
        snprintf(err, errlen, "key file line %zu: 'id' needs a number 0..4294967295", l->no);
        return MS_ERR_INVALID_ARG;
    }
    if (v > UINT32_MAX) {
        snprintf(err, errlen, "key file line %zu: key id over 4294967295", l->no);
        return MS_ERR_INVALID_ARG;
    }
    for (size_t k = 0; k < ring->count; k++) {
        if (ring->keys[k].id == v) {
            snprintf(err, errlen, "key file line %zu: key id %llu given twice", l->no,
                     (unsigned long long)v);
            return MS_ERR_INVALID_ARG;
        }
    }
    *id = (uint32_t)v;
    return MS_OK;
}

/* "key HEX": the key of the id before it. */
static ms_status take_key(const key_line *l, uint32_t id, ms_auth_keyring *ring, char *err,
                          size_t errlen)
{
    if (ring->count == MS_AUTH_KEYS_MAX) {
        snprintf(err, errlen, "key file line %zu: more than %d keys", l->no, MS_AUTH_KEYS_MAX);
        return MS_ERR_INVALID_ARG;
    }
    if (l->vlen % 2 || l->vlen < 2 * MS_AUTH_KEY_MIN || l->vlen > 2 * MS_AUTH_KEY_MAX) {
        snprintf(err, errlen,
                 "key file line %zu: the key must be %d to %d hex digits (%d to %d octets), not "
                 "%zu characters",
                 l->no, 2 * MS_AUTH_KEY_MIN, 2 * MS_AUTH_KEY_MAX, MS_AUTH_KEY_MIN,
                 MS_AUTH_KEY_MAX, l->vlen);
        return MS_ERR_INVALID_ARG;
    }
    ms_auth_key *k = &ring->keys[ring->count];
    if (ms_hex_decode(l->val, l->vlen, NULL, k->key, sizeof k->key, &k->len) != MS_OK) {
        snprintf(err, errlen, "key file line %zu: the key is not hex digits", l->no);
        return MS_ERR_INVALID_ARG;
    }
    k->id = id;
    ring->count++;
    return MS_OK;
}

static bool keyword(const key_line *l, const char *kw)
{
    return l->kwlen == strlen(kw) && memcmp(l->kw, kw, l->kwlen) == 0;
}

/* One "id" or "key" line, in its place in the id/key pairs. */
static ms_status take_line(const key_line *l, ms_auth_keyring *out, bool *have_id,
                           uint32_t *id, char *err, size_t errlen)
{
    if (keyword(l, "id")) {
        if (*have_id) {
            snprintf(err, errlen, "key file line %zu: 'id' again before a 'key' line", l->no);
            return MS_ERR_INVALID_ARG;
        }
        *have_id = true;
        return take_id(l, out, id, err, errlen);
    }
    if (keyword(l, "key")) {
        if (!*have_id) {
            snprintf(err, errlen, "key file line %zu: 'key' without an 'id' line before it",
                     l->no);
            return MS_ERR_INVALID_ARG;
        }
        *have_id = false;
        return take_key(l, *id, out, err, errlen);
    }
    snprintf(err, errlen, "key file line %zu: expected 'id N' or 'key HEX', not '%.*s'", l->no,
             (int)(l->kwlen > 20 ? 20 : l->kwlen), l->kw);
    return MS_ERR_INVALID_ARG;
}

ms_status ms_auth_keys_parse(const char *text, size_t len, ms_auth_keyring *out, char *err,
                             size_t errlen)
{
    memset(out, 0, sizeof *out);
    bool have_id = false;
    uint32_t id = 0;
    size_t pos = 0;
    key_line l = { 0 };
    ms_status st = MS_OK;
    while (st == MS_OK && pos < len) {
        int r = next_line(text, len, &pos, &l, err, errlen);
        if (r < 0)
            st = MS_ERR_INVALID_ARG;
        else if (r > 0)
            st = take_line(&l, out, &have_id, &id, err, errlen);
    }
    if (st == MS_OK && have_id) {
        snprintf(err, errlen, "key file: 'id %lu' has no 'key' line after it", (unsigned long)id);
        st = MS_ERR_INVALID_ARG;
    }
    if (st == MS_OK && out->count == 0) {
        snprintf(err, errlen, "key file holds no key ('id N' and 'key HEX' lines)");
        st = MS_ERR_INVALID_ARG;
    }
    if (st != MS_OK)
        ms_auth_keys_wipe(out);
    return st;
}

ms_status ms_auth_keys_load(const char *path, ms_auth_keyring *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!ms_auth_available()) {
        snprintf(err, errlen, "%s", NOT_BUILT);
        return MS_ERR_INVALID_ARG;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "key file %s: %s", path, strerror(e));
        return e == ENOENT || e == EACCES || e == ENOTDIR ? MS_ERR_INVALID_ARG : MS_ERR_SYSTEM;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
        close(fd);
        return MS_ERR_SYSTEM;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "key file %s is not a regular file", path);
        close(fd);
        return MS_ERR_INVALID_ARG;
    }
    if (st.st_mode & 077) {
        snprintf(err, errlen,
                 "key file %s is open to group or others (mode %04o); refusing it: "
                 "chmod 600 it",
                 path, (unsigned)(st.st_mode & 07777));
        close(fd);
        return MS_ERR_INVALID_ARG;
    }
    if (st.st_size > MS_AUTH_KEYFILE_MAX) {
        snprintf(err, errlen, "key file %s is over %d octets", path, MS_AUTH_KEYFILE_MAX);
        close(fd);
        return MS_ERR_INVALID_ARG;
    }
    char *buf = malloc(MS_AUTH_KEYFILE_MAX + 1);
    if (!buf) {
        snprintf(err, errlen, "key file %s: out of memory", path);
        close(fd);
        return MS_ERR_SYSTEM;
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, MS_AUTH_KEYFILE_MAX + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
            wipe(buf, n);
            free(buf);
            close(fd);
            return MS_ERR_SYSTEM;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > MS_AUTH_KEYFILE_MAX) {
            snprintf(err, errlen, "key file %s is over %d octets", path, MS_AUTH_KEYFILE_MAX);
            wipe(buf, n);
            free(buf);
            close(fd);
            return MS_ERR_INVALID_ARG;
        }
    }
    close(fd);
    char why[300];
    ms_status st2 = ms_auth_keys_parse(buf, n, out, why, sizeof why);
    wipe(buf, n);
    free(buf);
    if (st2 != MS_OK)
        snprintf(err, errlen, "%s: %s", path, why);
    return st2;
}

void ms_auth_keys_wipe(ms_auth_keyring *k)
{
    wipe(k, sizeof *k);
}

const ms_auth_key *ms_auth_keys_find(const ms_auth_keyring *k, uint32_t id)
{
    for (size_t i = 0; i < k->count; i++)
        if (k->keys[i].id == id)
            return &k->keys[i];
    return NULL;
}

/* ---- the trailer ---- */

void ms_auth_msg_from_message(ms_auth_msg *a, const ms_message *m)
{
    memset(a, 0, sizeof *a);
    a->type = m->dgram.type;
    a->src = m->dgram.src.wire;
    a->src_len = m->dgram.src.wire_len;
    a->dst = m->dgram.dst.wire;
    a->dst_len = m->dgram.dst.wire_len;
    a->slot = m->trans.name.p;
    a->slot_len = m->trans.name.len;
    a->data = m->trans.data.p;
    a->len = m->trans.data.len;
}

ms_status ms_auth_trailer_parse(const uint8_t *data, size_t len, ms_auth_trailer *t,
                                size_t *body_len)
{
    memset(t, 0, sizeof *t);
    if (len < MS_AUTH_TRAILER_LEN)
        return MS_ERR_TRUNCATED;
    ms_rcur c = ms_rcur_make(data + (len - MS_AUTH_TRAILER_LEN), MS_AUTH_TRAILER_LEN);
    const uint8_t *magic = ms_rcur_take(&c, 4);
    t->version = ms_rcur_u8(&c);
    const uint8_t *reserved = ms_rcur_take(&c, 3);
    t->key_id = ms_rcur_be32(&c);
    uint64_t hi = ms_rcur_be32(&c);
    t->time_ms = hi << 32 | ms_rcur_be32(&c);
    ms_rcur_copy(&c, t->nonce, MS_AUTH_NONCE_LEN);
    ms_rcur_copy(&c, t->tag, MS_AUTH_TAG_LEN);
    if (c.err)
        return c.err;
    if (memcmp(magic, MS_AUTH_MAGIC, 4) != 0 || reserved[0] || reserved[1] || reserved[2])
        return MS_ERR_LAYOUT;
    if (t->version != MS_AUTH_VERSION)
        return MS_ERR_OPCODE;
    if (body_len)
        *body_len = len - MS_AUTH_TRAILER_LEN;
    return MS_OK;
}

static void write_header(const ms_auth_trailer *t, uint8_t out[MS_AUTH_HEADER_LEN])
{
    ms_wcur w = ms_wcur_make(out, MS_AUTH_HEADER_LEN);
    ms_wcur_bytes(&w, MS_AUTH_MAGIC, 4);
    ms_wcur_u8(&w, t->version);
    ms_wcur_u8(&w, 0);
    ms_wcur_u8(&w, 0);
    ms_wcur_u8(&w, 0);
    ms_wcur_be32(&w, t->key_id);
    ms_wcur_be32(&w, (uint32_t)(t->time_ms >> 32));
    ms_wcur_be32(&w, (uint32_t)t->time_ms);
    ms_wcur_bytes(&w, t->nonce, MS_AUTH_NONCE_LEN);
}

void ms_auth_trailer_write(const ms_auth_trailer *t, uint8_t out[MS_AUTH_TRAILER_LEN])
{
    write_header(t, out);
    memcpy(out + MS_AUTH_HEADER_LEN, t->tag, MS_AUTH_TAG_LEN);
}

const char *ms_auth_result_name(ms_auth_result r)
{
    static const char *const names[MS_AUTH__COUNT] = {
        "ok", "no_trailer", "bad_version", "unknown_key", "bad_tag",
        "stale", "future", "replay", "cache_full", "error",
    };
    return (unsigned)r < MS_AUTH__COUNT ? names[r] : "?";
}

#ifdef MAILSLOT_HAVE_AUTH

ms_status ms_auth_compute_tag(const ms_auth_key *k, const ms_auth_msg *m,
                              const ms_auth_trailer *t, uint8_t tag[MS_AUTH_TAG_LEN])
{
    if (m->src_len > 0xFFFF || m->dst_len > 0xFFFF || m->slot_len > 0xFFFF ||
        m->len > 0xFFFFFFFFu || k->len < MS_AUTH_KEY_MIN || k->len > MS_AUTH_KEY_MAX)
        return MS_ERR_INVALID_ARG;
    uint8_t hdr[MS_AUTH_HEADER_LEN];
    write_header(t, hdr);
    uint8_t pre[7];
    ms_status st = MS_ERR_SYSTEM;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (!ctx || !EVP_MAC_init(ctx, k->key, k->len, params))
        goto out;
    /* 1. trailer header; 2. type; 3-4. names; 5. folded mailslot name; 6. data */
    pre[0] = m->type;
    pre[1] = (uint8_t)(m->src_len >> 8);
    pre[2] = (uint8_t)m->src_len;
    if (!EVP_MAC_update(ctx, hdr, sizeof hdr) || !EVP_MAC_update(ctx, pre, 3) ||
        !EVP_MAC_update(ctx, m->src, m->src_len))
        goto out;
    pre[0] = (uint8_t)(m->dst_len >> 8);
    pre[1] = (uint8_t)m->dst_len;
    if (!EVP_MAC_update(ctx, pre, 2) || !EVP_MAC_update(ctx, m->dst, m->dst_len))
        goto out;
    pre[0] = (uint8_t)(m->slot_len >> 8);
    pre[1] = (uint8_t)m->slot_len;
    if (!EVP_MAC_update(ctx, pre, 2))
        goto out;
    for (size_t off = 0; off < m->slot_len;) {
        uint8_t chunk[64];
        size_t n = m->slot_len - off < sizeof chunk ? m->slot_len - off : sizeof chunk;
        for (size_t i = 0; i < n; i++) {
            uint8_t ch = m->slot[off + i];
            chunk[i] = (ch >= 'a' && ch <= 'z') ? (uint8_t)(ch - 32) : ch;
        }
        if (!EVP_MAC_update(ctx, chunk, n))
            goto out;
        off += n;
    }
    pre[0] = (uint8_t)(m->len >> 24);
    pre[1] = (uint8_t)(m->len >> 16);
    pre[2] = (uint8_t)(m->len >> 8);
    pre[3] = (uint8_t)m->len;
    if (!EVP_MAC_update(ctx, pre, 4) || (m->len && !EVP_MAC_update(ctx, m->data, m->len)))
        goto out;
    uint8_t full[32];
    size_t outl = 0;
    if (!EVP_MAC_final(ctx, full, &outl, sizeof full) || outl != sizeof full)
        goto out;
    memcpy(tag, full, MS_AUTH_TAG_LEN);
    OPENSSL_cleanse(full, sizeof full);
    st = MS_OK;
out:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return st;
}

ms_status ms_auth_seal(const ms_auth_key *k, const ms_auth_msg *m, uint64_t time_ms,
                       const uint8_t *nonce, uint8_t out[MS_AUTH_TRAILER_LEN])
{
    ms_auth_trailer t;
    memset(&t, 0, sizeof t);
    t.version = MS_AUTH_VERSION;
    t.key_id = k->id;
    t.time_ms = time_ms;
    if (nonce)
        memcpy(t.nonce, nonce, MS_AUTH_NONCE_LEN);
    else if (RAND_bytes(t.nonce, MS_AUTH_NONCE_LEN) != 1)
        return MS_ERR_SYSTEM;
    ms_status st = ms_auth_compute_tag(k, m, &t, t.tag);
    if (st == MS_OK)
        ms_auth_trailer_write(&t, out);
    return st;
}

static bool tag_equal(const uint8_t *a, const uint8_t *b)
{
    return CRYPTO_memcmp(a, b, MS_AUTH_TAG_LEN) == 0;
}

#else /* !MAILSLOT_HAVE_AUTH */

ms_status ms_auth_compute_tag(const ms_auth_key *k, const ms_auth_msg *m,
                              const ms_auth_trailer *t, uint8_t tag[MS_AUTH_TAG_LEN])
{
    (void)k;
    (void)m;
    (void)t;
    memset(tag, 0, MS_AUTH_TAG_LEN);
    return MS_ERR_INVALID_ARG;
}

ms_status ms_auth_seal(const ms_auth_key *k, const ms_auth_msg *m, uint64_t time_ms,
                       const uint8_t *nonce, uint8_t out[MS_AUTH_TRAILER_LEN])
{
    (void)k;
    (void)m;
    (void)time_ms;
    (void)nonce;
    memset(out, 0, MS_AUTH_TRAILER_LEN);
    return MS_ERR_INVALID_ARG;
}

static bool tag_equal(const uint8_t *a, const uint8_t *b)
{
    (void)a;
    (void)b;
    return false;
}

#endif

/* ---- verification ---- */

struct ms_auth_verifier {
    ms_auth_keyring keys;
    uint32_t window_ms;
    ms_replay_cache *cache;   /* right after this header, in the same block */
    ms_auth_stats st;
};

static size_t header_size(void)
{
    return (sizeof(ms_auth_verifier) + 7) & ~(size_t)7;
}

size_t ms_auth_verifier_size(size_t cache_entries)
{
    size_t c = ms_replay_size(cache_entries ? cache_entries : MS_AUTH_CACHE_DEFAULT);
    return c ? header_size() + c : 0;
}

ms_status ms_auth_verifier_init(void *mem, size_t len, const ms_auth_keyring *keys,
                                uint32_t window_ms, size_t cache_entries,
                                ms_auth_verifier **out)
{
    *out = NULL;
    size_t need = ms_auth_verifier_size(cache_entries);
    if (!keys || keys->count == 0 || keys->count > MS_AUTH_KEYS_MAX || !mem || !need ||
        len < need || ((uintptr_t)mem & 7))
        return MS_ERR_INVALID_ARG;
    ms_auth_verifier *v = mem;
    memset(v, 0, header_size());
    v->keys = *keys;
    v->window_ms = window_ms ? window_ms : MS_AUTH_WINDOW_MS_DEFAULT;
    v->st.size = sizeof v->st;
    ms_status st = ms_replay_init((char *)mem + header_size(), len - header_size(),
                                  cache_entries ? cache_entries : MS_AUTH_CACHE_DEFAULT,
                                  &v->cache);
    if (st != MS_OK)
        return st;
    *out = v;
    return MS_OK;
}

void ms_auth_verifier_wipe(ms_auth_verifier *v)
{
    if (v)
        ms_auth_keys_wipe(&v->keys);
}

ms_status ms_auth_verifier_get_stats(const ms_auth_verifier *v, ms_auth_stats *out)
{
    if (!out || out->size < sizeof out->size)
        return MS_ERR_INVALID_ARG;
    ms_sized_write(out, &v->st, sizeof v->st);
    return MS_OK;
}

static ms_auth_result check(ms_auth_verifier *v, const ms_auth_msg *m, uint64_t now_ms,
                            ms_auth_trailer *t, size_t *body_len)
{
    size_t body = 0;
    ms_status st = ms_auth_trailer_parse(m->data, m->len, t, &body);
    if (st == MS_ERR_OPCODE)
        return MS_AUTH_BAD_VERSION;
    if (st != MS_OK)
        return MS_AUTH_NO_TRAILER;
    const ms_auth_key *k = ms_auth_keys_find(&v->keys, t->key_id);
    if (!k)
        return MS_AUTH_UNKNOWN_KEY;
    ms_auth_msg body_msg = *m;
    body_msg.len = body;
    uint8_t want[MS_AUTH_TAG_LEN];
    if (ms_auth_compute_tag(k, &body_msg, t, want) != MS_OK)
        return MS_AUTH_ERROR;
    if (!tag_equal(want, t->tag))
        return MS_AUTH_BAD_TAG;
    uint64_t w = v->window_ms;
    if (now_ms > w && t->time_ms < now_ms - w)
        return MS_AUTH_STALE;
    if (t->time_ms > now_ms + w)
        return MS_AUTH_FUTURE;
    switch (ms_replay_check_add(v->cache, t->key_id, t->nonce, t->time_ms + w, now_ms)) {
    case MS_REPLAY_SEEN: return MS_AUTH_REPLAY;
    case MS_REPLAY_FULL: return MS_AUTH_CACHE_FULL;
    case MS_REPLAY_NEW: break;
    }
    if (body_len)
        *body_len = body;
    return MS_AUTH_OK;
}

ms_auth_result ms_auth_verify(ms_auth_verifier *v, const ms_auth_msg *m, uint64_t now_ms,
                              ms_auth_trailer *t, size_t *body_len)
{
    ms_auth_trailer dummy;
    ms_auth_result r = check(v, m, now_ms, t ? t : &dummy, body_len);
    v->st.counts[r]++;
    return r;
}

/* ---- stripping the trailer from a received datagram ---- */

static uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

ms_status ms_auth_strip_payload(const ms_message *m, const uint8_t *payload, size_t len,
                                uint8_t *out, size_t cap, size_t *out_len)
{
    const ms_trans *t = &m->trans;
    const size_t T = MS_AUTH_TRAILER_LEN;
    size_t smb = ms_message_smb_offset(m);
    if (!m->has_smb || !t->data_located || t->data.len < T || t->data_count < T ||
        t->total_data_count < T || t->byte_count < T || m->dgram.dgm_length < T || t->word_count < 14 ||
        !ms_dgram_has_data(m->dgram.type) || ms_dgram_is_partial(&m->dgram) ||
        t->data.p < payload || t->data.p + t->data.len > payload + len ||
        (t->param_count && t->param_offset >= t->data_offset) || len - T > cap ||
        smb + 33 + 2 * (size_t)t->word_count + 2 > len)
        return MS_ERR_LAYOUT;
    size_t end = (size_t)(t->data.p - payload) + t->data.len; /* data end in payload */
    memcpy(out, payload, end - T);
    memcpy(out + end - T, payload + end, len - end);
    out[10] = (uint8_t)((m->dgram.dgm_length - T) >> 8);
    out[11] = (uint8_t)(m->dgram.dgm_length - T);
    put_le16(out + smb + 35, (uint16_t)(get_le16(out + smb + 35) - T));  /* TotalDataCount */
    put_le16(out + smb + 55, (uint16_t)(get_le16(out + smb + 55) - T));  /* DataCount */
    size_t bc = smb + 33 + 2 * (size_t)t->word_count;
    put_le16(out + bc, (uint16_t)(get_le16(out + bc) - T));             /* ByteCount */
    *out_len = len - T;
    return MS_OK;
}
