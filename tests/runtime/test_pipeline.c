/* SPDX-License-Identifier: MIT */
/* The receive pipeline (src/runtime/pipeline.c): what it makes of each
 * kind of datagram (verdicts), fragments and the whole datagram after
 * them, sets that never complete, findings, the duplicate filter,
 * authentication, statistics and options. Datagrams are built with the
 * codec; nothing goes on a network. */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/client.h"
#include "mailslot/net.h"
#include "mailslot/pipeline.h"
#include "guard.h"

#define SEC 1000000000ull

typedef struct seen {
    size_t n;
    ms_rx_kind kind[8];
    ms_rx_verdict verdict[8];
    size_t findings[8];
    size_t nfragments[8];
    size_t data_len[8];
    bool authenticated[8];
    char first_rule[8][8];
} seen;

static void on_item(void *ctx, const ms_rx_item *it)
{
    seen *s = ctx;
    ck_assert_uint_lt(s->n, 8);
    size_t i = s->n++;
    s->kind[i] = it->kind;
    s->verdict[i] = it->verdict;
    s->findings[i] = it->findings->count;
    s->nfragments[i] = it->nfragments;
    s->authenticated[i] = it->authenticated;
    s->data_len[i] = it->m && it->m->has_smb ? it->m->trans.data.len : 0;
    if (it->findings->count)
        strcpy(s->first_rule[i], it->findings->items[0].rule->id);
    if (it->kind != MS_RX_INCOMPLETE)
        ck_assert_ptr_nonnull(it->m);
}

/* The SMB transaction of a mailslot write of data to slot. */
static size_t smb_of(const char *slot, const char *data, uint8_t *out, size_t cap)
{
    ms_smb_header h;
    ms_trans t;
    ms_trans_init(&h, &t, MS_STYLE_REDIRECTOR, slot, (const uint8_t *)data, strlen(data));
    size_t n;
    ck_assert_int_eq(ms_trans_encode(&h, &t, out, cap, &n), MS_OK);
    return n;
}

/* A datagram carrying user[0..len) at PACKET_OFFSET off with flags. */
static size_t dgram_of(uint8_t flags, uint16_t id, uint16_t off, const uint8_t *user,
                       size_t len, uint8_t *out, size_t cap)
{
    ms_dgram d;
    memset(&d, 0, sizeof d);
    d.type = MS_NBDS_DIRECT_UNIQUE;
    d.flags = flags;
    d.id = id;
    d.src_ip = 0xC0000201u;
    d.src_port = 138;
    d.packet_offset = off;
    ck_assert_int_eq(ms_nb_name_parse(&d.src, "SENDER<00>", 10), MS_OK);
    ck_assert_int_eq(ms_nb_name_parse(&d.dst, "RECEIVER<00>", 12), MS_OK);
    d.user_data.p = user;
    d.user_data.len = len;
    d.auto_fields = MS_DGRAM_AUTO_LENGTH;
    size_t n;
    ck_assert_int_eq(ms_dgram_encode(&d, out, cap, &n), MS_OK);
    return n;
}

static ms_udp_datagram udp(const uint8_t *p, size_t len, uint64_t frame)
{
    ms_udp_datagram u = { .frame = frame, .ts_sec = 1700000000, .ip_src = 0xC0000201u,
                          .ip_dst = 0xC0000202u, .sport = 138, .dport = 138, .payload = p,
                          .len = len, .orig_len = len, .udp_length = (uint16_t)(len + 8) };
    return u;
}

static ms_pipeline *pipeline(const ms_pipeline_opts *o, seen *s)
{
    ms_pipeline *p = NULL;
    char err[256];
    ck_assert_msg(ms_pipeline_new(o, on_item, s, &p, err, sizeof err) == MS_OK, "%s", err);
    return p;
}

START_TEST(verdicts)
{
    static seen s;
    memset(&s, 0, sizeof s);
    ms_pipeline *p = pipeline(NULL, &s);
    uint8_t smb[600], frame[800];
    size_t sl = smb_of("\\MAILSLOT\\app", "hello", smb, sizeof smb);
    size_t n = dgram_of(MS_NBDS_FLAG_FIRST, 1, 0, smb, sl, frame, sizeof frame);
    ms_udp_datagram u = udp(frame, n, 1);
    ms_pipeline_push(p, &u, 0);
    /* Cut by the capture: truncated. */
    u.orig_len = n + 10;
    ms_pipeline_push(p, &u, 0);
    /* Not SMB (a whole header's worth of other octets): not a mailslot
     * write. */
    static const char other[] = "not an SMB message, just octets that are long enough";
    size_t n2 = dgram_of(MS_NBDS_FLAG_FIRST, 2, 0, (const uint8_t *)other, sizeof other - 1,
                         frame, sizeof frame);
    u = udp(frame, n2, 2);
    ms_pipeline_push(p, &u, 0);
    /* Cut inside the names: malformed. */
    u = udp(frame, 20, 3);
    ms_pipeline_push(p, &u, 0);
    ck_assert_uint_eq(s.n, 4);
    ck_assert_int_eq(s.verdict[0], MS_RX_WRITE);
    ck_assert_uint_eq(s.data_len[0], 5);
    ck_assert_int_eq(s.verdict[1], MS_RX_TRUNCATED);
    ck_assert_int_eq(s.verdict[2], MS_RX_NOT_MAILSLOT);
    ck_assert_int_eq(s.verdict[3], MS_RX_MALFORMED);
    ms_pipeline_stats st = MS_SIZED(ms_pipeline_stats);
    ck_assert_int_eq(ms_pipeline_get_stats(p, &st), MS_OK);
    ck_assert_uint_eq(st.datagrams, 4);
    ck_assert_uint_eq(st.verdicts[MS_RX_WRITE], 1);
    ck_assert_uint_eq(st.verdicts[MS_RX_MALFORMED], 1);
    ck_assert_str_eq(ms_rx_verdict_name(MS_RX_AUTH_FAILED), "auth_failed");
    ck_assert_ptr_null(ms_rx_verdict_name(MS_RX_VERDICT__COUNT));
    ms_pipeline_free(p);
}
END_TEST

START_TEST(fragments_then_the_whole)
{
    static seen s;
    memset(&s, 0, sizeof s);
    ms_pipeline *p = pipeline(NULL, &s);
    uint8_t smb[600], f1[800], f2[800];
    size_t sl = smb_of("\\MAILSLOT\\app", "a message in two parts", smb, sizeof smb);
    size_t half = sl / 2;
    size_t n1 = dgram_of(MS_NBDS_FLAG_FIRST | MS_NBDS_FLAG_MORE, 7, 0, smb, half, f1, sizeof f1);
    size_t n2 = dgram_of(0, 7, (uint16_t)half, smb + half, sl - half, f2, sizeof f2);
    ms_udp_datagram u1 = udp(f1, n1, 10), u2 = udp(f2, n2, 11);
    ms_pipeline_push(p, &u1, 1 * SEC);
    ms_pipeline_push(p, &u2, 1 * SEC);
    ck_assert_uint_eq(s.n, 3);
    ck_assert_int_eq(s.verdict[0], MS_RX_FRAGMENT);
    ck_assert_int_eq(s.verdict[1], MS_RX_FRAGMENT);
    ck_assert_int_eq(s.kind[2], MS_RX_REASSEMBLED);
    ck_assert_int_eq(s.verdict[2], MS_RX_WRITE);
    ck_assert_uint_eq(s.nfragments[2], 2);
    ck_assert_uint_eq(s.data_len[2], strlen("a message in two parts"));
    /* A set that never completes: an INCOMPLETE item at the end. */
    u1.frame = 12;
    u1.payload = f1;
    f1[2] ^= 0x55; /* another DGM_ID */
    ms_pipeline_push(p, &u1, 2 * SEC);
    ms_pipeline_finish(p);
    ck_assert_uint_eq(s.n, 5);
    ck_assert_int_eq(s.kind[4], MS_RX_INCOMPLETE);
    ck_assert_uint_eq(s.findings[4], 1);
    ck_assert_str_eq(s.first_rule[4], "F-03");
    ms_pipeline_stats st = MS_SIZED(ms_pipeline_stats);
    ms_pipeline_get_stats(p, &st);
    ck_assert_uint_eq(st.reassembled, 1);
    ck_assert_uint_eq(st.frag_held, 1);
    ms_pipeline_free(p);
}
END_TEST

START_TEST(findings_and_duplicates)
{
    static seen s;
    memset(&s, 0, sizeof s);
    ms_pipeline_opts o;
    ms_pipeline_opts_init(&o);
    o.validate = true;
    o.dedup_window_ms = 1000;
    ms_pipeline *p = pipeline(&o, &s);
    uint8_t smb[600], frame[800];
    size_t sl = smb_of("\\MAILSLOT\\app", "once", smb, sizeof smb);
    size_t n = dgram_of(MS_NBDS_FLAG_FIRST, 9, 0, smb, sl, frame, sizeof frame);
    ms_udp_datagram u = udp(frame, n, 1);
    u.sport = 40000; /* not from 138: a common finding (N-13) */
    ms_pipeline_push(p, &u, 1 * SEC);
    ms_pipeline_push(p, &u, 1 * SEC + SEC / 2);
    ms_pipeline_push(p, &u, 3 * SEC);
    ck_assert_int_eq(s.verdict[0], MS_RX_WRITE);
    ck_assert_uint_ge(s.findings[0], 1);
    ck_assert_str_eq(s.first_rule[0], "N-13");
    ck_assert_int_eq(s.verdict[1], MS_RX_DUPLICATE);
    ck_assert_int_eq(s.verdict[2], MS_RX_WRITE); /* after the window */
    ms_pipeline_free(p);
}
END_TEST

#if MAILSLOT_HAVE_AUTH
START_TEST(authentication)
{
    static seen s;
    memset(&s, 0, sizeof s);
    static ms_auth_keyring ring;
    char err[256];
    const char *text = "id 5\nkey 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
    ck_assert_int_eq(ms_auth_keys_parse(text, strlen(text), &ring, err, sizeof err), MS_OK);
    ms_pipeline_opts o;
    ms_pipeline_opts_init(&o);
    o.keys = &ring;
    ms_pipeline *p = pipeline(&o, &s);
    ms_client_opts co;
    ms_client_opts_init(&co);
    co.no_socket = true;
    co.from = "SENDER";
    co.dest_name = "RECEIVER<00>";
    co.auth_key = &ring.keys[0];
    ms_client *c;
    ck_assert_int_eq(ms_client_open("192.0.2.2", "\\MAILSLOT\\app", &co, &c, err, sizeof err),
                     MS_OK);
    uint8_t frame[800];
    ms_write_result r;
    ck_assert_int_eq(ms_client_build(c, "sealed", 6, frame, sizeof frame, &r, err, sizeof err),
                     MS_OK);
    ms_udp_datagram u = udp(frame, r.payload_len, 1);
    u.ts_sec = (int64_t)(ms_realtime_ns() / SEC);
    ms_pipeline_push(p, &u, 0);
    /* The same datagram again: a replay. */
    ms_pipeline_push(p, &u, 0);
    ck_assert_int_eq(s.verdict[0], MS_RX_WRITE);
    ck_assert(s.authenticated[0]);
    ck_assert_uint_eq(s.data_len[0], 6); /* the trailer is gone */
    ck_assert_int_eq(s.verdict[1], MS_RX_AUTH_FAILED);
    ms_pipeline_stats st = MS_SIZED(ms_pipeline_stats);
    ms_pipeline_get_stats(p, &st);
    ck_assert_uint_eq(st.auth[MS_AUTH_OK], 1);
    ck_assert_uint_eq(st.auth[MS_AUTH_REPLAY], 1);
    ms_client_close(c);
    ms_pipeline_free(p);
}
END_TEST
#endif

START_TEST(options)
{
    ms_pipeline *p = (ms_pipeline *)1;
    ms_pipeline_opts o = { 0 };
    ck_assert_int_eq(ms_pipeline_new(&o, NULL, NULL, &p, NULL, 0), MS_ERR_INVALID_ARG);
    ck_assert_ptr_null(p);
    ms_pipeline_opts_init(&o);
    o.reasm_sets = 1u << 20; /* over the reassembler's limit */
    char err[128] = "";
    ck_assert_int_eq(ms_pipeline_new(&o, NULL, NULL, &p, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "reassembly"));
    /* An older caller's smaller options: the rest are defaults. */
    ms_pipeline_opts_init(&o);
    o.size = offsetof(ms_pipeline_opts, validate);
    o.validate = true; /* beyond its size: not read */
    ck_assert_int_eq(ms_pipeline_new(&o, NULL, NULL, &p, NULL, 0), MS_OK);
    ms_pipeline_free(p);
    ms_pipeline_stats st = { 0 };
    ms_pipeline_opts_init(&o);
    ck_assert_int_eq(ms_pipeline_new(&o, NULL, NULL, &p, NULL, 0), MS_OK);
    ck_assert_int_eq(ms_pipeline_get_stats(p, &st), MS_ERR_INVALID_ARG);
    ms_pipeline_free(p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pipeline");
    TCase *t = tcase_create("pipeline");
    tcase_add_test(t, verdicts);
    tcase_add_test(t, fragments_then_the_whole);
    tcase_add_test(t, findings_and_duplicates);
#if MAILSLOT_HAVE_AUTH
    tcase_add_test(t, authentication);
#endif
    tcase_add_test(t, options);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
#if MAILSLOT_HAVE_AUTH
    return run_suite(suite(), NULL);
#else
    return run_suite(suite(), "built without MAILSLOT_AUTH: the authenticated pipeline is not tested");
#endif
}
