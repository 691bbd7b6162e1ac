/* SPDX-License-Identifier: MIT */
/* Whole datagrams: PROTOCOL.md's worked examples decoded field by field,
 * rebuilt from scratch in each sender style, every prefix against a guard
 * page, and the odd shapes real senders produce. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "mailslot/message.h"
#include "vectors.h"

static uint8_t vec[1024];
static ms_message m;

static size_t load(const char *hex)
{
    return hex_to_bytes(hex, vec, sizeof vec);
}

static void assert_round_trip(const uint8_t *f, size_t len)
{
    uint8_t out[1024];
    size_t n;
    ck_assert_int_eq(ms_message_encode(&m, out, sizeof out, &n), MS_OK);
    ck_assert_uint_eq(n, len);
    ck_assert_mem_eq(out, f, len);
}

START_TEST(example_a_decodes)
{
    size_t len = load(VEC_EXAMPLE_A);
    ck_assert_uint_eq(len, 201);
    ck_assert_int_eq(ms_message_decode(vec, len, &m), MS_OK);
    const ms_dgram *d = &m.dgram;
    ck_assert_uint_eq(d->type, 0x11);
    ck_assert_uint_eq(d->flags, 0x02);
    ck_assert_uint_eq(d->id, 0x8021);
    ck_assert_uint_eq(d->src_ip, 0xC0A8010A);
    ck_assert_uint_eq(d->src_port, 138);
    ck_assert_uint_eq(d->dgm_length, 187);
    char name[64];
    ms_nb_name_format(&d->src, name, sizeof name);
    ck_assert_str_eq(name, "SERVER1<00>");
    ms_nb_name_format(&d->dst, name, sizeof name);
    ck_assert_str_eq(name, "WORKGROUP<1d>");
    ck_assert(m.has_smb);
    const ms_trans *t = &m.trans;
    ck_assert_uint_eq(t->word_count, 17);
    ck_assert_uint_eq(t->total_data_count, 33);
    ck_assert_uint_eq(t->timeout, 1000);
    ck_assert_uint_eq(t->data_count, 33);
    ck_assert_uint_eq(t->data_offset, 86);
    ck_assert_uint_eq(t->setup_count, 3);
    ck_assert_uint_eq(t->setup[0], 1);
    ck_assert_uint_eq(t->setup[1], 0);
    ck_assert_uint_eq(t->setup[2], 2);
    ck_assert_uint_eq(t->byte_count, 50);
    ck_assert_uint_eq(t->name.len, 16);
    ck_assert_mem_eq(t->name.p, "\\MAILSLOT\\BROWSE", 16);
    ck_assert_uint_eq(t->pad.len, 0);
    ck_assert_uint_eq(t->trailing.len, 0);
    ck_assert_int_eq(m.kind, MS_PAYLOAD_BROWSER);
    ck_assert(m.payload_ok);
    ck_assert_uint_eq(m.browser.opcode, 0x01);
    ck_assert_uint_eq(m.browser.periodicity, 720000);
    ck_assert_uint_eq(m.browser.server_type, 0x00011003);
    ck_assert_uint_eq(m.browser.signature, 0xAA55);
    assert_round_trip(vec, len);
}
END_TEST

/* Example A again, built from nothing but values: every count, offset and
 * length computed by the encoders. */
START_TEST(example_a_built)
{
    size_t len = load(VEC_EXAMPLE_A);
    ms_browser b;
    memset(&b, 0, sizeof b);
    b.opcode = MS_BRWS_HOST_ANNOUNCEMENT;
    b.periodicity = 720000;
    memcpy(b.server_name, "SERVER1", 7);
    b.os_major = 10;
    b.server_type = 0x00011003;
    b.browser_major = 15;
    b.browser_minor = 1;
    b.signature = 0xAA55;
    b.comment.p = (const uint8_t *)"";
    b.comment.terminated = true;
    uint8_t data[64];
    size_t dlen;
    ck_assert_int_eq(ms_browser_encode(&b, data, sizeof data, &dlen), MS_OK);
    ck_assert_uint_eq(dlen, 33);

    ms_message e;
    memset(&e, 0, sizeof e);
    e.dgram.type = MS_NBDS_DIRECT_GROUP;
    e.dgram.flags = 0x02;
    e.dgram.id = 0x8021;
    e.dgram.src_ip = 0xC0A8010A;
    e.dgram.src_port = 138;
    e.dgram.auto_fields = MS_DGRAM_AUTO_LENGTH;
    ck_assert_int_eq(ms_nb_name_parse(&e.dgram.src, "SERVER1<00>", 11), MS_OK);
    ck_assert_int_eq(ms_nb_name_parse(&e.dgram.dst, "WORKGROUP<1d>", 13), MS_OK);
    ms_trans_init(&e.smb, &e.trans, MS_STYLE_BROWSER, "\\MAILSLOT\\BROWSE", data, dlen);
    e.trans.setup[1] = 0; /* HostAnnouncement goes out at priority 0 */
    e.has_smb = true;
    uint8_t out[512];
    size_t n;
    ck_assert_int_eq(ms_message_encode(&e, out, sizeof out, &n), MS_OK);
    ck_assert_uint_eq(n, len);
    ck_assert_mem_eq(out, vec, len);
    /* Too small an output buffer: refused, not overrun. */
    for (size_t cap = 0; cap < len; cap += 13)
        ck_assert_int_eq(ms_message_encode(&e, out, cap, &n), MS_ERR_NO_SPACE);
}
END_TEST

START_TEST(example_b_decodes_and_builds)
{
    size_t len = load(VEC_EXAMPLE_B);
    ck_assert_uint_eq(len, 173);
    ck_assert_int_eq(ms_message_decode(vec, len, &m), MS_OK);
    ck_assert_uint_eq(m.dgram.type, 0x10);
    ck_assert_uint_eq(m.dgram.flags, 0x0E);
    ck_assert_uint_eq(m.dgram.dgm_length, 159);
    ck_assert_uint_eq(m.smb.flags, 0x18);
    ck_assert_uint_eq(m.smb.flags2, 0x0004);
    ck_assert_uint_eq(m.smb.pid_low, 0xFEFF);
    ck_assert_uint_eq(m.trans.max_param_count, 2);
    ck_assert_uint_eq(m.trans.flags, 2);
    ck_assert_uint_eq(m.trans.param_offset, 88);
    ck_assert_uint_eq(m.trans.data_offset, 88);
    ck_assert_uint_eq(m.trans.byte_count, 22);
    ck_assert_uint_eq(m.trans.pad.len, 3);
    ck_assert_uint_eq(m.trans.data.len, 3);
    ck_assert_mem_eq(m.trans.data.p, "hi", 3);
    ck_assert_int_eq(m.kind, MS_PAYLOAD_NONE);
    assert_round_trip(vec, len);

    ms_message e;
    memset(&e, 0, sizeof e);
    e.dgram.type = MS_NBDS_DIRECT_UNIQUE;
    e.dgram.flags = 0x0E;
    e.dgram.id = 0x1234;
    e.dgram.src_ip = 0xC0A80114;
    e.dgram.src_port = 138;
    e.dgram.auto_fields = MS_DGRAM_AUTO_LENGTH;
    ms_nb_name_parse(&e.dgram.src, "CLIENT<00>", 10);
    ms_nb_name_parse(&e.dgram.dst, "SERVER1<00>", 11);
    ms_trans_init(&e.smb, &e.trans, MS_STYLE_REDIRECTOR, "\\MAILSLOT\\DEMO1",
                  (const uint8_t *)"hi", 3);
    e.trans.setup[1] = 0;
    e.has_smb = true;
    uint8_t out[512];
    size_t n;
    ck_assert_int_eq(ms_message_encode(&e, out, sizeof out, &n), MS_OK);
    ck_assert_uint_eq(n, len);
    ck_assert_mem_eq(out, vec, len);
}
END_TEST

START_TEST(netlogon_ping_decodes)
{
    size_t len = load(VEC_NETLOGON_PING);
    ck_assert_uint_eq(len, 238);
    ck_assert_int_eq(ms_message_decode(vec, len, &m), MS_OK);
    ck_assert_uint_eq(m.dgram.dgm_length, 224);
    char name[64];
    ms_nb_name_format(&m.dgram.dst, name, sizeof name);
    ck_assert_str_eq(name, "SCAPY<1c>");
    ck_assert_uint_eq(m.trans.data_offset, 92);
    ck_assert_uint_eq(m.trans.data_count, 64);
    ck_assert_int_eq(m.kind, MS_PAYLOAD_NETLOGON);
    ck_assert(m.payload_ok);
    assert_round_trip(vec, len);
}
END_TEST

/* No proper prefix of a vector decodes cleanly, and none reads past its end
 * (each sits against a guard page). The only prefixes that decode are those
 * cut inside the padding of example B: DataOffset then points past the end,
 * which decodes as "no data located" (tshark does not flag it either); they
 * are listed here by length. */
START_TEST(prefixes_fail_cleanly)
{
    const char *all[] = { VEC_EXAMPLE_A, VEC_EXAMPLE_B, VEC_NETLOGON_PING };
    const size_t complete[3][3] = { { 0 }, { 167, 168, 169 }, { 0 } };
    for (size_t v = 0; v < 3; v++) {
        size_t len = load(all[v]);
        size_t ok = 0;
        for (size_t p = 0; p < len; p++) {
            const uint8_t *g = guarded_copy(vec, p);
            ms_status st = ms_message_decode(g, p, &m);
            ck_assert_uint_le(m.err_off, p);
            if (st == MS_OK) {
                ck_assert_msg(ok < 3 && complete[v][ok] == p,
                              "vector %zu prefix %zu decoded OK", v, p);
                ck_assert(m.has_smb && !m.trans.data_located);
                ok++;
            }
        }
        ck_assert_uint_eq(ok, v == 1 ? 3 : 0);
    }
}
END_TEST

/* Odd real shapes: each still re-encodes to the same octets. */
START_TEST(odd_shapes_round_trip)
{
    size_t len = load(VEC_EXAMPLE_A);
    uint8_t f[512];

    /* Header-inclusive DGM_LENGTH (an OS/2 sender) decodes without error. */
    memcpy(f, vec, len);
    f[10] = 0;
    f[11] = 201;
    ck_assert_int_eq(ms_message_decode(f, len, &m), MS_OK);
    ck_assert_uint_eq(m.dgram.dgm_length, 201);
    assert_round_trip(f, len);

    /* Reserved FLAGS bit 0x10 (NT 4.0): decodes, round-trips. */
    memcpy(f, vec, len);
    f[1] = 0x1A;
    ck_assert_int_eq(ms_message_decode(f, len, &m), MS_OK);
    assert_round_trip(f, len);

    /* Trailing octets after the data: kept. */
    memcpy(f, vec, len);
    f[len] = 0xEE;
    ck_assert_int_eq(ms_message_decode(f, len + 1, &m), MS_OK);
    ck_assert_uint_eq(m.trans.trailing.len, 1);
    assert_round_trip(f, len + 1);

    /* DataCount one past the end: DATA_RANGE, still re-encodes. */
    memcpy(f, vec, len);
    f[0x89] = 34;
    ck_assert_int_eq(ms_message_decode(f, len, &m), MS_ERR_DATA_RANGE);
    ck_assert(m.has_smb);
    assert_round_trip(f, len);

    /* DataOffset inside the name: data not located, octets kept, not a
     * decoding failure (the validator's business). */
    memcpy(f, vec, len);
    f[0x8b] = 70;
    ck_assert_int_eq(ms_message_decode(f, len, &m), MS_OK);
    ck_assert(!m.trans.data_located);
    assert_round_trip(f, len);

    /* DataOffset one past the end. */
    memcpy(f, vec, len);
    f[0x8b] = (uint8_t)(len - 82 + 1);
    ck_assert_int_eq(ms_message_decode(f, len, &m), MS_OK);
    ck_assert(!m.trans.data_located);
    ck_assert(!m.payload_ok);
    assert_round_trip(f, len);

    /* Unterminated mailslot name (CVE-2006-3942 class): the name runs to
     * the end of the message. */
    memcpy(f, vec, 0x97 + 10);
    memset(f + 0x97, 'A', 10);
    ck_assert_int_eq(ms_message_decode(f, 0x97 + 10, &m), MS_ERR_UNTERMINATED);
    ck_assert_int_eq(m.err_layer, MS_LAYER_SMB);
    ck_assert_str_eq(ms_layer_name(m.err_layer), "smb");
    ck_assert_uint_eq(m.err_off, 0x97);
    assert_round_trip(f, 0x97 + 10);

    /* Not SMB: the user data stays as octets; not an error. */
    memcpy(f, vec, len);
    f[0x52] = 0xFE;
    ck_assert_int_eq(ms_message_decode(f, len, &m), MS_OK);
    ck_assert_int_eq(m.smb_status, MS_ERR_NOT_SMB);
    ck_assert(!m.has_smb);
    assert_round_trip(f, len);

    /* WordCount 16 (one setup word missing) is refused as a mailslot write
     * but the frame is still whole. */
    memcpy(f, vec, len);
    f[0x72] = 13;
    ck_assert_int_eq(ms_message_decode(f, len, &m), MS_OK);
    ck_assert_int_eq(m.smb_status, MS_ERR_WORD_COUNT);
    assert_round_trip(f, len);
}
END_TEST

START_TEST(auto_pad_to_given_offset)
{
    ms_message e;
    memset(&e, 0, sizeof e);
    e.dgram.type = MS_NBDS_DIRECT_UNIQUE;
    e.dgram.auto_fields = MS_DGRAM_AUTO_LENGTH;
    ms_nb_name_parse(&e.dgram.src, "A<00>", 5);
    ms_nb_name_parse(&e.dgram.dst, "B<00>", 5);
    ms_trans_init(&e.smb, &e.trans, MS_STYLE_SAMBA, "\\MAILSLOT\\X", (const uint8_t *)"z", 1);
    e.trans.auto_fields &= ~MS_TRANS_AUTO_DATA_OFFSET;
    e.trans.auto_fields |= MS_TRANS_AUTO_PAD_TO_OFFSET;
    e.trans.data_offset = 84; /* name ends at 81: three pad octets */
    e.has_smb = true;
    uint8_t out[512];
    size_t n;
    ck_assert_int_eq(ms_message_encode(&e, out, sizeof out, &n), MS_OK);
    ck_assert_int_eq(ms_message_decode(out, n, &m), MS_OK);
    ck_assert_uint_eq(m.trans.pad.len, 3);
    ck_assert_uint_eq(m.trans.data_offset, 84);
    ck_assert_uint_eq(m.trans.byte_count, 12 + 3 + 1);
    ck_assert_uint_eq(m.dgram.dgm_length, n - 14);
}
END_TEST

START_TEST(mailslot_kinds)
{
    ck_assert_int_eq(ms_mailslot_kind((const uint8_t *)"\\mailslot\\browse", 16), MS_PAYLOAD_BROWSER);
    ck_assert_int_eq(ms_mailslot_kind((const uint8_t *)"\\MAILSLOT\\LANMAN", 16), MS_PAYLOAD_LANMAN);
    ck_assert_int_eq(ms_mailslot_kind((const uint8_t *)"\\MAILSLOT\\NET\\GETDC917", 22), MS_PAYLOAD_NETLOGON);
    ck_assert_int_eq(ms_mailslot_kind((const uint8_t *)"\\MAILSLOT\\BROWSEX", 17), MS_PAYLOAD_NONE);
    ck_assert_int_eq(ms_mailslot_kind((const uint8_t *)"\\MAILSLOT\\BROWS", 15), MS_PAYLOAD_NONE);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("message");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, example_a_decodes);
    tcase_add_test(tc, example_a_built);
    tcase_add_test(tc, example_b_decodes_and_builds);
    tcase_add_test(tc, netlogon_ping_decodes);
    tcase_add_test(tc, prefixes_fail_cleanly);
    tcase_add_test(tc, odd_shapes_round_trip);
    tcase_add_test(tc, auto_pad_to_given_offset);
    tcase_add_test(tc, mailslot_kinds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
