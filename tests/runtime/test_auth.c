/* SPDX-License-Identifier: MIT */
/* Authenticated mailslots (docs/AUTH.md): key files, the trailer, the tag
 * (the worked example, cross-checked with `openssl dgst`), verification
 * outcomes, the replay cache, and a whole datagram built by the client,
 * decoded and stripped. In a build without MAILSLOT_AUTH only what needs
 * no libcrypto runs, plus the refusals. Either that build or a missing
 * `openssl` command is a skip (skip_or_fail: a failure under
 * MAILSLOT_REQUIRE_ALL). */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/auth.h"
#include "mailslot/client.h"
#include "mailslot/message.h"

static char tmp_dir[64] = "/tmp/test_auth.XXXXXX"; /* made by main */
static bool have_openssl;                           /* decided by main */

static const char *tmpdir(void)
{
    return tmp_dir;
}

static const char *write_file(const char *name, const char *text, mode_t mode)
{
    static char path[200];
    snprintf(path, sizeof path, "%s/%s", tmpdir(), name);
    unlink(path);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    ck_assert_int_eq(chmod(path, mode), 0);
    return path;
}

#define KEY64 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY64B "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

/* ---- key files (no libcrypto needed) ---- */

static ms_status parse(const char *text, ms_auth_keyring *k, char *err)
{
    return ms_auth_keys_parse(text, strlen(text), k, err, 300);
}

#ifdef MAILSLOT_HAVE_AUTH
/* A verifier in memory of its own, as the library wants it (caller
 * memory); freed by free_verifier. */
static ms_auth_verifier *new_verifier(const ms_auth_keyring *keys, uint32_t window_ms,
                                      size_t cache)
{
    size_t n = ms_auth_verifier_size(cache);
    ck_assert_uint_gt(n, 0);
    void *mem = malloc(n);
    ck_assert_ptr_nonnull(mem);
    ms_auth_verifier *v = NULL;
    ck_assert_int_eq(ms_auth_verifier_init(mem, n, keys, window_ms, cache, &v), MS_OK);
    ck_assert_ptr_eq(v, mem);
    return v;
}

static void free_verifier(ms_auth_verifier *v)
{
    ms_auth_verifier_wipe(v);
    free(v);
}

/* The verifier's counters by result. */
static ms_auth_stats counts_of(const ms_auth_verifier *v)
{
    ms_auth_stats st = MS_SIZED(ms_auth_stats);
    ck_assert_int_eq(ms_auth_verifier_get_stats(v, &st), MS_OK);
    return st;
}
#endif

START_TEST(keyfile_good)
{
    ms_auth_keyring k;
    char err[300] = "";
    ck_assert_int_eq(parse("# a comment\n\n  id 7  \nkey " KEY64 "\r\nid 4294967295\n"
                           "key " KEY64 KEY64 "\n",
                           &k, err),
                     MS_OK);
    ck_assert_uint_eq(k.count, 2);
    ck_assert_uint_eq(k.keys[0].id, 7);
    ck_assert_uint_eq(k.keys[0].len, 32);
    ck_assert_uint_eq(k.keys[0].key[31], 0x1f);
    ck_assert_uint_eq(k.keys[1].id, 4294967295u);
    ck_assert_uint_eq(k.keys[1].len, 64);
    ck_assert_ptr_eq(ms_auth_keys_find(&k, 7), &k.keys[0]);
    ck_assert_ptr_null(ms_auth_keys_find(&k, 8));
    ms_auth_keys_wipe(&k);
    ck_assert_uint_eq(k.count, 0);
}
END_TEST

START_TEST(keyfile_malformed)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        { "", "no key" },
        { "# only a comment\n", "no key" },
        { "key " KEY64 "\n", "line 1: 'key' without an 'id'" },
        { "id 1\n", "no 'key' line" },
        { "id 1\nid 2\nkey " KEY64 "\n", "line 2: 'id' again" },
        { "id 1\nkey 0001\n", "line 2: the key must be 64 to 128 hex digits" },
        { "id 1\nkey " KEY64 "0\n", "line 2: the key must be" },
        { "id 1\nkey 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g\n",
          "not hex" },
        { "id x\nkey " KEY64 "\n", "line 1: 'id' needs a number" },
        { "id\nkey " KEY64 "\n", "line 1: 'id' needs a number" },
        { "id 4294967296\nkey " KEY64 "\n", "over 4294967295" },
        { "id 1\nkey " KEY64 "\nid 1\nkey " KEY64 "\n", "line 3: key id 1 given twice" },
        { "secret " KEY64 "\n", "line 1: expected 'id N' or 'key HEX'" },
        { "id 1\nkey " KEY64 " extra\n", "line 2: unexpected text after the value" },
        { "id 1 2\nkey " KEY64 "\n", "line 1: unexpected text" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ms_auth_keyring k;
        char err[300] = "";
        ck_assert_msg(parse(cases[i].text, &k, err) == MS_ERR_INVALID_ARG, "case %zu", i);
        ck_assert_msg(strstr(err, cases[i].want), "case %zu: '%s'", i, err);
        ck_assert_msg(!strchr(err, '\n'), "one line: '%s'", err);
        ck_assert_uint_eq(k.count, 0);
    }
    /* A NUL inside a line. */
    ms_auth_keyring k;
    char err[300] = "";
    static const char nul[] = "id 1\0\nkey " KEY64 "\n";
    ck_assert_int_eq(ms_auth_keys_parse(nul, sizeof nul - 1, &k, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "NUL"));
    /* 17 keys: one too many. */
    char many[4096] = "";
    for (int i = 0; i <= MS_AUTH_KEYS_MAX; i++) {
        char line[200];
        snprintf(line, sizeof line, "id %d\nkey " KEY64 "\n", i);
        strcat(many, line);
    }
    ck_assert_int_eq(parse(many, &k, err), MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "more than 16 keys"));
}
END_TEST

#ifdef MAILSLOT_HAVE_AUTH

START_TEST(keyfile_load_modes)
{
    ms_auth_keyring k;
    char err[300] = "";
    const char *text = "id 3\nkey " KEY64 "\n";
    ck_assert_int_eq(ms_auth_keys_load(write_file("k600", text, 0600), &k, err, sizeof err),
                     MS_OK);
    ck_assert_uint_eq(k.keys[0].id, 3);
    ck_assert_int_eq(ms_auth_keys_load(write_file("k400", text, 0400), &k, err, sizeof err),
                     MS_OK);
    static const mode_t bad[] = { 0644, 0640, 0604, 0660, 0602, 0620, 0610, 0601 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        ck_assert_int_eq(ms_auth_keys_load(write_file("kbad", text, bad[i]), &k, err, sizeof err),
                         MS_ERR_INVALID_ARG);
        ck_assert_msg(strstr(err, "group or others"), "mode %o: %s", (unsigned)bad[i], err);
        ck_assert_uint_eq(k.count, 0);
    }
    ck_assert_int_eq(ms_auth_keys_load("/nonexistent/key", &k, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "No such file"));
    ck_assert_int_eq(ms_auth_keys_load(tmpdir(), &k, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
    const char *p = write_file("kmal", "id 1\nkey 00\n", 0600);
    ck_assert_int_eq(ms_auth_keys_load(p, &k, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "line 2"));
    ck_assert_ptr_nonnull(strstr(err, p));
}
END_TEST

/* ---- the worked example of docs/AUTH.md ---- */

static ms_nb_name ex_src, ex_dst;
static const char ex_slot[] = "\\MAILSLOT\\Example";
static const uint8_t ex_data[] = "hello";
static ms_auth_key ex_key;
static uint8_t ex_nonce[16];
#define EX_TIME 1700000000000ull
static const char ex_trailer_hex[] =
    "4d534154" "01" "000000" "00000001" "0000018bcfe56800"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" "51dae70e5315a4b0ceb50bc9e3991d03";
static const char ex_full_hmac[] =
    "51dae70e5315a4b0ceb50bc9e3991d0343c1e5f3beb18be884deb7c926d57ca2";

static void example(ms_auth_msg *m)
{
    ex_key.id = 1;
    ex_key.len = 32;
    for (int i = 0; i < 32; i++)
        ex_key.key[i] = (uint8_t)i;
    for (int i = 0; i < 16; i++)
        ex_nonce[i] = (uint8_t)(0xa0 + i);
    ck_assert_int_eq(ms_nb_name_parse(&ex_src, "SENDER<00>", 10), MS_OK);
    ck_assert_int_eq(ms_nb_name_parse(&ex_dst, "WORKGROUP<00>", 13), MS_OK);
    *m = (ms_auth_msg){ 0x11, ex_src.wire, ex_src.wire_len, ex_dst.wire, ex_dst.wire_len,
                        (const uint8_t *)ex_slot, strlen(ex_slot), ex_data, 5 };
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

START_TEST(worked_example)
{
    ms_auth_msg m;
    example(&m);
    uint8_t t[MS_AUTH_TRAILER_LEN];
    ck_assert_int_eq(ms_auth_seal(&ex_key, &m, EX_TIME, ex_nonce, t), MS_OK);
    char h[2 * MS_AUTH_TRAILER_LEN + 1];
    hex(t, sizeof t, h);
    ck_assert_str_eq(h, ex_trailer_hex);

    /* The HMAC input octet by octet, as docs/AUTH.md lists it. */
    uint8_t in[512];
    size_t n = 0;
    memcpy(in, t, MS_AUTH_HEADER_LEN);
    n = MS_AUTH_HEADER_LEN;
    in[n++] = 0x11;
    in[n++] = 0;
    in[n++] = 34;
    memcpy(in + n, ex_src.wire, 34);
    n += 34;
    in[n++] = 0;
    in[n++] = 34;
    memcpy(in + n, ex_dst.wire, 34);
    n += 34;
    in[n++] = 0;
    in[n++] = 17;
    memcpy(in + n, "\\MAILSLOT\\EXAMPLE", 17);
    n += 17;
    memcpy(in + n, "\x00\x00\x00\x05hello", 9);
    n += 9;
    ck_assert_uint_eq(n, 137);

    /* openssl dgst over that input: the full HMAC, whose first 16 octets
     * are the tag. */
    if (!have_openssl)
        return; /* main reports the skip */
    char path[200], cmd[600], key[65];
    snprintf(path, sizeof path, "%s/hmac-input", tmpdir());
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(in, 1, n, f), n);
    fclose(f);
    hex(ex_key.key, 32, key);
    snprintf(cmd, sizeof cmd, "openssl dgst -sha256 -mac HMAC -macopt hexkey:%s %s", key, path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char line[300] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, p));
    pclose(p);
    ck_assert_msg(strstr(line, ex_full_hmac), "openssl said: %s", line);
    ck_assert_msg(strncmp(ex_full_hmac, ex_trailer_hex + 2 * MS_AUTH_HEADER_LEN, 32) == 0,
                  "tag = first 16 octets of the HMAC");
}
END_TEST

/* ---- verification ---- */

#define NOW 1800000000000ull

typedef struct sealed {
    uint8_t data[600];
    size_t len;
    ms_auth_msg m;
} sealed;

/* example() with data+trailer made at time t by key k, nonce by n. */
static void make(sealed *s, const ms_auth_key *k, uint64_t t, uint8_t n)
{
    example(&s->m);
    uint8_t nonce[16];
    memset(nonce, n, sizeof nonce);
    memcpy(s->data, ex_data, 5);
    ck_assert_int_eq(ms_auth_seal(k, &s->m, t, nonce, s->data + 5), MS_OK);
    s->len = 5 + MS_AUTH_TRAILER_LEN;
    s->m.data = s->data;
    s->m.len = s->len;
}

static ms_auth_keyring ring(void)
{
    ms_auth_keyring r;
    memset(&r, 0, sizeof r);
    ms_auth_msg m;
    example(&m);
    r.keys[0] = ex_key;
    r.keys[1] = ex_key;
    r.keys[1].id = 9;
    r.keys[1].key[0] ^= 0x55;
    r.count = 2;
    return r;
}

START_TEST(verify_good_and_wrong_key)
{
    ms_auth_keyring r = ring();
    ms_auth_verifier *v = new_verifier(&r, 0, 0);
    ck_assert_ptr_nonnull(v);
    sealed s;
    ms_auth_trailer t;
    size_t body = 0;
    make(&s, &r.keys[0], NOW, 1);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, &t, &body), MS_AUTH_OK);
    ck_assert_uint_eq(body, 5);
    ck_assert_uint_eq(t.key_id, 1);
    ck_assert_uint_eq(t.time_ms, NOW);
    make(&s, &r.keys[1], NOW, 2); /* the second key of the ring */
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, &t, &body), MS_AUTH_OK);
    ck_assert_uint_eq(t.key_id, 9);

    /* Wrong key under a known id. */
    ms_auth_key wrong = r.keys[0];
    wrong.key[5] ^= 1;
    make(&s, &wrong, NOW, 3);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_BAD_TAG);
    /* Unknown key id. */
    wrong.id = 2;
    make(&s, &wrong, NOW, 4);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, &t, NULL), MS_AUTH_UNKNOWN_KEY);
    ck_assert_uint_eq(t.key_id, 2);
    ms_auth_stats cs = counts_of(v);
    const uint64_t *c = cs.counts;
    ck_assert_uint_eq(c[MS_AUTH_OK], 2);
    ck_assert_uint_eq(c[MS_AUTH_BAD_TAG], 1);
    ck_assert_uint_eq(c[MS_AUTH_UNKNOWN_KEY], 1);
    free_verifier(v);
}
END_TEST

START_TEST(verify_flipped_bits)
{
    ms_auth_keyring r = ring();
    ms_auth_verifier *v = new_verifier(&r, 0, 100000);
    sealed s;
    make(&s, &r.keys[0], NOW, 7);
    size_t checked = 0;
    /* Every bit of data + trailer. */
    for (size_t i = 0; i < s.len; i++) {
        for (int b = 0; b < 8; b++) {
            sealed x = s;
            x.m.data = x.data;
            x.data[i] ^= (uint8_t)(1u << b);
            ms_auth_result res = ms_auth_verify(v, &x.m, NOW, NULL, NULL);
            ck_assert_msg(res != MS_AUTH_OK, "data octet %zu bit %d verified", i, b);
            checked++;
        }
    }
    /* Type, names, mailslot name: copies with one bit flipped. */
    uint8_t src[64], dst[64], slot[64];
    for (int part = 0; part < 4; part++) {
        size_t n = part == 0 ? 1 : part == 1 ? s.m.src_len : part == 2 ? s.m.dst_len : s.m.slot_len;
        for (size_t i = 0; i < n; i++) {
            for (int b = 0; b < 8; b++) {
                sealed x = s;
                x.m.data = x.data;
                memcpy(src, s.m.src, s.m.src_len);
                memcpy(dst, s.m.dst, s.m.dst_len);
                memcpy(slot, s.m.slot, s.m.slot_len);
                x.m.src = src;
                x.m.dst = dst;
                x.m.slot = slot;
                uint8_t bit = (uint8_t)(1u << b);
                if (part == 0) {
                    x.m.type ^= bit;
                } else if (part == 1) {
                    src[i] ^= bit;
                } else if (part == 2) {
                    dst[i] ^= bit;
                } else {
                    uint8_t ch = slot[i];
                    slot[i] ^= bit;
                    /* a letter's case is folded: the same name */
                    if (bit == 0x20 && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) {
                        ms_auth_verifier *v2 = new_verifier(&r, 0, 0);
                        ck_assert_int_eq(ms_auth_verify(v2, &x.m, NOW, NULL, NULL),
                                         MS_AUTH_OK);
                        free_verifier(v2);
                        continue;
                    }
                }
                ck_assert_msg(ms_auth_verify(v, &x.m, NOW, NULL, NULL) == MS_AUTH_BAD_TAG,
                              "part %d octet %zu bit %d", part, i, b);
                checked++;
            }
        }
    }
    ck_assert_uint_ge(checked, 8 * (57 + 1 + 34 + 34));
    /* The header fields flip into specific reasons. */
    sealed x = s;
    x.m.data = x.data;
    x.data[5] ^= 1; /* magic */
    ck_assert_int_eq(ms_auth_verify(v, &x.m, NOW, NULL, NULL), MS_AUTH_NO_TRAILER);
    x = s;
    x.m.data = x.data;
    x.data[5 + 4] = 2; /* version */
    ck_assert_int_eq(ms_auth_verify(v, &x.m, NOW, NULL, NULL), MS_AUTH_BAD_VERSION);
    x = s;
    x.m.data = x.data;
    x.data[5 + 6] = 1; /* reserved */
    ck_assert_int_eq(ms_auth_verify(v, &x.m, NOW, NULL, NULL), MS_AUTH_NO_TRAILER);
    x = s;
    x.m.data = x.data;
    x.data[5 + 19] ^= 1; /* time */
    ck_assert_int_eq(ms_auth_verify(v, &x.m, NOW, NULL, NULL), MS_AUTH_BAD_TAG);
    /* The original still verifies once (nothing above reached the cache). */
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_OK);
    free_verifier(v);
}
END_TEST

START_TEST(verify_replay_and_time)
{
    ms_auth_keyring r = ring();
    ms_auth_verifier *v = new_verifier(&r, 0, 0);
    sealed s;
    make(&s, &r.keys[0], NOW, 1);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_OK);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_REPLAY);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW + 30000, NULL, NULL), MS_AUTH_REPLAY);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW + 30001, NULL, NULL), MS_AUTH_STALE);
    /* Same nonce, other key id: not a replay. */
    make(&s, &r.keys[1], NOW, 1);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_OK);
    /* The window, both ways, boundaries included. */
    make(&s, &r.keys[0], NOW - 30000, 2);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_OK);
    make(&s, &r.keys[0], NOW - 30001, 3);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_STALE);
    make(&s, &r.keys[0], NOW + 30000, 4);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_OK);
    make(&s, &r.keys[0], NOW + 30001, 5);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_FUTURE);
    make(&s, &r.keys[0], 0, 6);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_STALE);
    make(&s, &r.keys[0], UINT64_MAX, 7);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_FUTURE);
    free_verifier(v);
    /* A window of 5 s. */
    v = new_verifier(&r, 5000, 0);
    make(&s, &r.keys[0], NOW - 5001, 8);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_STALE);
    make(&s, &r.keys[0], NOW - 4999, 8);
    ck_assert_int_eq(ms_auth_verify(v, &s.m, NOW, NULL, NULL), MS_AUTH_OK);
    ms_auth_stats cs = counts_of(v);
    const uint64_t *c = cs.counts;
    ck_assert_uint_eq(c[MS_AUTH_STALE], 1);
    ck_assert_uint_eq(c[MS_AUTH_OK], 1);
    free_verifier(v);
}
END_TEST

START_TEST(verify_truncated)
{
    ms_auth_keyring r = ring();
    ms_auth_verifier *v = new_verifier(&r, 0, 0);
    sealed s;
    make(&s, &r.keys[0], NOW, 1);
    /* Every shorter length: the trailer is read from the end, so cutting
     * octets off either has no trailer or the wrong one. */
    for (size_t len = 0; len < s.len; len++) {
        const uint8_t *g = guarded_copy(s.data, len);
        ms_auth_msg m = s.m;
        m.data = g;
        m.len = len;
        ms_auth_result res = ms_auth_verify(v, &m, NOW, NULL, NULL);
        ck_assert_msg(res == MS_AUTH_NO_TRAILER || res == MS_AUTH_BAD_VERSION ||
                          res == MS_AUTH_UNKNOWN_KEY || res == MS_AUTH_BAD_TAG,
                      "len %zu: %s", len, ms_auth_result_name(res));
        if (len < MS_AUTH_TRAILER_LEN)
            ck_assert_int_eq(res, MS_AUTH_NO_TRAILER);
    }
    /* The trailer parser, through a guard page. */
    ms_auth_trailer t;
    size_t body;
    const uint8_t *g = guarded_copy(s.data + 5, MS_AUTH_TRAILER_LEN);
    ck_assert_int_eq(ms_auth_trailer_parse(g, MS_AUTH_TRAILER_LEN, &t, &body), MS_OK);
    ck_assert_uint_eq(body, 0);
    g = guarded_copy(s.data + 6, MS_AUTH_TRAILER_LEN - 1);
    ck_assert_int_eq(ms_auth_trailer_parse(g, MS_AUTH_TRAILER_LEN - 1, &t, &body),
                     MS_ERR_TRUNCATED);
    uint8_t back[MS_AUTH_TRAILER_LEN];
    ck_assert_int_eq(ms_auth_trailer_parse(s.data, s.len, &t, &body), MS_OK);
    ms_auth_trailer_write(&t, back);
    ck_assert_mem_eq(back, s.data + 5, MS_AUTH_TRAILER_LEN);
    free_verifier(v);
}
END_TEST

START_TEST(verify_cache_full)
{
    ms_auth_keyring r = ring();
    ms_auth_verifier *v = new_verifier(&r, 0, 3);
    sealed s[5];
    for (int i = 0; i < 5; i++)
        make(&s[i], &r.keys[0], NOW, (uint8_t)(i + 1));
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(ms_auth_verify(v, &s[i].m, NOW, NULL, NULL), MS_AUTH_OK);
    /* Full of live entries: refused, and nothing forgotten. */
    ck_assert_int_eq(ms_auth_verify(v, &s[3].m, NOW + 1000, NULL, NULL), MS_AUTH_CACHE_FULL);
    ck_assert_int_eq(ms_auth_verify(v, &s[4].m, NOW + 1000, NULL, NULL), MS_AUTH_CACHE_FULL);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(ms_auth_verify(v, &s[i].m, NOW + 30000, NULL, NULL), MS_AUTH_REPLAY);
    /* Refused once, it is no replay later: it was never remembered. */
    ck_assert_int_eq(ms_auth_verify(v, &s[3].m, NOW + 30000, NULL, NULL), MS_AUTH_CACHE_FULL);
    /* Expired entries are reused: a fresh message after the window. */
    sealed late;
    make(&late, &r.keys[0], NOW + 30001, 9);
    ck_assert_int_eq(ms_auth_verify(v, &late.m, NOW + 30001, NULL, NULL), MS_AUTH_OK);
    make(&late, &r.keys[0], NOW + 30001, 10);
    ck_assert_int_eq(ms_auth_verify(v, &late.m, NOW + 30001, NULL, NULL), MS_AUTH_OK);
    make(&late, &r.keys[0], NOW + 30001, 11);
    ck_assert_int_eq(ms_auth_verify(v, &late.m, NOW + 30001, NULL, NULL), MS_AUTH_OK);
    make(&late, &r.keys[0], NOW + 30001, 12);
    ck_assert_int_eq(ms_auth_verify(v, &late.m, NOW + 30001, NULL, NULL), MS_AUTH_CACHE_FULL);
    ms_auth_stats cs = counts_of(v);
    const uint64_t *c = cs.counts;
    ck_assert_uint_eq(c[MS_AUTH_CACHE_FULL], 4);
    ck_assert_uint_eq(c[MS_AUTH_REPLAY], 3);
    ck_assert_uint_eq(c[MS_AUTH_OK], 6);
    free_verifier(v);
}
END_TEST

/* A whole datagram: client build with the key, decode, verify, strip. */
START_TEST(client_datagram)
{
    ms_auth_msg em;
    example(&em);
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.no_socket = true;
    o.from = "SENDER";
    o.auth_key = &ex_key;
    for (int grp = 0; grp < 2; grp++) {
        o.type = grp ? MS_NBDS_DIRECT_GROUP : MS_NBDS_DIRECT_UNIQUE;
        o.dest_name = grp ? "WORKGROUP<00>" : "PEER<00>";
        char err[512] = "";
        ms_client *c;
        ck_assert_msg(ms_client_open("127.0.0.1", "\\MAILSLOT\\Auth", &o, &c, err, sizeof err) ==
                          MS_OK,
                      "%s", err);
        const ms_client_info *in = ms_client_get_info(c);
        ck_assert_uint_eq(in->auth_overhead, MS_AUTH_TRAILER_LEN);
        static uint8_t data[600], buf[2048];
        memset(data, 'x', sizeof data);
        size_t fit = in->max_data - MS_AUTH_TRAILER_LEN;
        if (grp)
            ck_assert_uint_eq(fit, 424 - 52);
        ms_write_result res;
        ck_assert_int_eq(ms_client_build(c, data, fit + 1, buf, sizeof buf, &res, err, sizeof err),
                         MS_ERR_TOO_BIG);
        ck_assert_msg(strstr(err, "52-octet authentication trailer"), "%s", err);
        ck_assert_int_eq(ms_client_build(c, data, fit, buf, sizeof buf, &res, err, sizeof err),
                         MS_OK);
        static ms_message m, sm;
        ck_assert_int_eq(ms_message_decode(buf, res.payload_len, &m), MS_OK);
        ck_assert_uint_eq(m.trans.data.len, fit + MS_AUTH_TRAILER_LEN);
        ck_assert(m.trans.data_located);
        ms_auth_keyring r = ring();
        ms_auth_verifier *v = new_verifier(&r, 0, 0);
        ms_auth_msg am;
        ms_auth_msg_from_message(&am, &m);
        uint64_t now = (uint64_t)time(NULL) * 1000;
        size_t body = 0;
        ck_assert_int_eq(ms_auth_verify(v, &am, now, NULL, &body), MS_AUTH_OK);
        ck_assert_uint_eq(body, fit);
        /* Stripped: the same write without the trailer, every length right. */
        static uint8_t out[2048];
        size_t ol = 0;
        ck_assert_int_eq(ms_auth_strip_payload(&m, buf, res.payload_len, out, sizeof out, &ol),
                         MS_OK);
        ck_assert_uint_eq(ol, res.payload_len - MS_AUTH_TRAILER_LEN);
        ck_assert_int_eq(ms_message_decode(out, ol, &sm), MS_OK);
        ck_assert_uint_eq(sm.trans.data.len, fit);
        ck_assert_uint_eq(sm.trans.data_count, fit);
        ck_assert_uint_eq(sm.trans.total_data_count, fit);
        ck_assert_uint_eq(sm.dgram.dgm_length, m.dgram.dgm_length - MS_AUTH_TRAILER_LEN);
        ck_assert_mem_eq(sm.trans.data.p, data, fit);
        /* A stripped write no longer has a trailer. */
        ms_auth_msg_from_message(&am, &sm);
        ck_assert_int_ne(ms_auth_verify(v, &am, now, NULL, NULL), MS_AUTH_OK);
        free_verifier(v);
        ms_client_close(c);
    }
    /* A bad key length is refused by the client. */
    ms_auth_key shortk = ex_key;
    shortk.len = 16;
    o.auth_key = &shortk;
    char err[512] = "";
    ms_client *c;
    ck_assert_int_eq(ms_client_open("127.0.0.1", "\\MAILSLOT\\Auth", &o, &c, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err, "key of 16 octets"));
}
END_TEST

START_TEST(nonces_differ)
{
    ms_auth_msg m;
    example(&m);
    uint8_t a[MS_AUTH_TRAILER_LEN], b[MS_AUTH_TRAILER_LEN];
    ck_assert_int_eq(ms_auth_seal(&ex_key, &m, NOW, NULL, a), MS_OK);
    ck_assert_int_eq(ms_auth_seal(&ex_key, &m, NOW, NULL, b), MS_OK);
    ck_assert(memcmp(a + 20, b + 20, MS_AUTH_NONCE_LEN) != 0);
}
END_TEST

#else /* !MAILSLOT_HAVE_AUTH */

START_TEST(not_built)
{
    ck_assert(!ms_auth_available());
    ms_auth_keyring k;
    char err[300] = "";
    const char *p = write_file("k", "id 1\nkey " KEY64 "\n", 0600);
    ck_assert_int_eq(ms_auth_keys_load(p, &k, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "MAILSLOT_AUTH=OFF"));
    ms_auth_key key = { 1, 32, { 0 } };
    ms_auth_msg m = { 0x11, NULL, 0, NULL, 0, NULL, 0, NULL, 0 };
    uint8_t t[MS_AUTH_TRAILER_LEN];
    ck_assert_int_ne(ms_auth_seal(&key, &m, 0, NULL, t), MS_OK);
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.no_socket = true;
    o.dest_name = "PEER<00>";
    o.auth_key = &key;
    ms_client *c;
    ck_assert_int_eq(ms_client_open("127.0.0.1", "\\MAILSLOT\\x", &o, &c, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "MAILSLOT_AUTH=OFF"));
}
END_TEST

#endif

/* ---- the replay cache alone (no libcrypto needed) ---- */

START_TEST(replay_cache)
{
    static uint64_t mem[64];
    ms_replay_cache *c = (ms_replay_cache *)1;
    ck_assert_uint_eq(ms_replay_size(0), 0);
    ck_assert_int_eq(ms_replay_init(mem, sizeof mem, 0, &c), MS_ERR_INVALID_ARG);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(ms_replay_init(mem, 8, 2, &c), MS_ERR_INVALID_ARG);
    ck_assert_uint_le(ms_replay_size(2), sizeof mem);
    ck_assert_int_eq(ms_replay_init(mem, sizeof mem, 2, &c), MS_OK);
    ck_assert_uint_eq(ms_replay_capacity(c), 2);
    uint8_t n1[16], n2[16], n3[16];
    memset(n1, 1, 16);
    memset(n2, 2, 16);
    memset(n3, 3, 16);
    ck_assert_int_eq(ms_replay_check_add(c, 1, n1, 100, 0), MS_REPLAY_NEW);
    ck_assert_int_eq(ms_replay_check_add(c, 1, n1, 100, 50), MS_REPLAY_SEEN);
    ck_assert_int_eq(ms_replay_check_add(c, 2, n1, 200, 50), MS_REPLAY_NEW);
    ck_assert_uint_eq(ms_replay_live(c, 50), 2);
    ck_assert_int_eq(ms_replay_check_add(c, 1, n2, 300, 60), MS_REPLAY_FULL);
    ck_assert_int_eq(ms_replay_check_add(c, 1, n1, 100, 100), MS_REPLAY_SEEN); /* kept */
    /* (1, n1) expired at 101: its entry is reused, the other stays. */
    ck_assert_int_eq(ms_replay_check_add(c, 1, n3, 300, 101), MS_REPLAY_NEW);
    ck_assert_int_eq(ms_replay_check_add(c, 2, n1, 200, 101), MS_REPLAY_SEEN);
    ck_assert_int_eq(ms_replay_check_add(c, 1, n1, 100, 101), MS_REPLAY_FULL);
    ck_assert_uint_eq(ms_replay_live(c, 201), 1);
    ck_assert_int_eq(ms_replay_check_add(c, 1, n1, 400, 201), MS_REPLAY_NEW);
}
END_TEST

START_TEST(result_names)
{
    ck_assert_str_eq(ms_auth_result_name(MS_AUTH_OK), "ok");
    ck_assert_str_eq(ms_auth_result_name(MS_AUTH_BAD_TAG), "bad_tag");
    ck_assert_str_eq(ms_auth_result_name(MS_AUTH_CACHE_FULL), "cache_full");
    ck_assert_str_eq(ms_auth_result_name(MS_AUTH__COUNT), "?");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("auth");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, keyfile_good);
    tcase_add_test(tc, keyfile_malformed);
    tcase_add_test(tc, replay_cache);
    tcase_add_test(tc, result_names);
#ifdef MAILSLOT_HAVE_AUTH
    tcase_add_test(tc, keyfile_load_modes);
    tcase_add_test(tc, worked_example);
    tcase_add_test(tc, verify_good_and_wrong_key);
    tcase_add_test(tc, verify_flipped_bits);
    tcase_add_test(tc, verify_replay_and_time);
    tcase_add_test(tc, verify_truncated);
    tcase_add_test(tc, verify_cache_full);
    tcase_add_test(tc, client_datagram);
    tcase_add_test(tc, nonces_differ);
#else
    tcase_add_test(tc, not_built);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    /* Decided here, before Check runs: a skip must reach the exit code. */
    have_openssl = system("openssl version >/dev/null 2>&1") == 0;
#ifdef MAILSLOT_HAVE_AUTH
    const char *skip_why = have_openssl ? NULL
                                        : "no openssl command (Debian: openssl): the worked "
                                          "example's HMAC is not cross-checked";
#else
    const char *skip_why = "built without MAILSLOT_AUTH (no OpenSSL >= 3.0 libcrypto): "
                           "authentication is not tested";
#endif
    int status = run_suite(suite(), skip_why);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir());
    if (system(cmd) != 0)
        fprintf(stderr, "test_auth: could not remove %s\n", tmpdir());
    return status;
}
