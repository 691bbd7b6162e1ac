/* SPDX-License-Identifier: MIT */
/* The mailslotd control protocol (src/mailslot/control.c): a vector laid
 * out by hand from the header comment of control.h, round trips, every
 * prefix against a guard page, unknown attributes skipped, every refusal. */
#include <check.h>
#include <string.h>

#include "guard.h"
#include "mailslot/control.h"

/* CREATE \MAILSLOT\A, creator, queue 256; then an unknown attribute 0x7777. */
static const char *CREATE_HEX =
    "4d5344 01 0003 0000 "
    "0004 000b 5c4d41494c534c4f545c41 "
    "0005 0001 00 "
    "0006 0004 00000100 "
    "7777 0002 abcd";

START_TEST(create_vector)
{
    uint8_t b[200];
    size_t bl = hex_to_bytes(CREATE_HEX, b, sizeof b);
    const uint8_t *g = guarded_copy(b, bl);
    ms_ctl_msg m;
    size_t off = 0;
    ck_assert_int_eq(ms_ctl_decode(g, bl, &m, &off), MS_OK);
    ck_assert_uint_eq(off, bl);
    ck_assert_uint_eq(m.type, MS_CTL_CREATE);
    ck_assert_uint_eq(m.have, MS_CTL_BIT(MS_CTL_A_SLOT) | MS_CTL_BIT(MS_CTL_A_MODE) |
                                  MS_CTL_BIT(MS_CTL_A_QUEUE_MAX));
    ck_assert_uint_eq(m.unknown, 1);
    ck_assert_uint_eq(m.slot.len, 11);
    ck_assert_mem_eq(m.slot.p, "\\MAILSLOT\\A", 11);
    ck_assert_uint_eq(m.mode, MS_CTL_MODE_CREATOR);
    ck_assert_uint_eq(m.queue_max, 256);
    ck_assert_str_eq(ms_ctl_type_name(m.type), "create");

    /* Encoding writes the known attributes only, in order. */
    uint8_t e[200];
    size_t el;
    ck_assert_int_eq(ms_ctl_encode(&m, e, sizeof e, &el), MS_OK);
    ck_assert_uint_eq(el, bl - 6);
    ck_assert_mem_eq(e, b, el);

    /* Built from scratch: the same octets. */
    ms_ctl_msg n;
    ms_ctl_init(&n, MS_CTL_CREATE);
    n.slot = (ms_bytes){ (const uint8_t *)"\\MAILSLOT\\A", 11 };
    n.mode = MS_CTL_MODE_CREATOR;
    n.queue_max = 256;
    n.have = MS_CTL_BIT(MS_CTL_A_SLOT) | MS_CTL_BIT(MS_CTL_A_MODE) | MS_CTL_BIT(MS_CTL_A_QUEUE_MAX);
    ck_assert_int_eq(ms_ctl_encode(&n, e, sizeof e, &el), MS_OK);
    ck_assert_uint_eq(el, bl - 6);
    ck_assert_mem_eq(e, b, el);
    /* Every shorter buffer is refused, nothing claimed written. */
    for (size_t cap = 0; cap < el; cap++) {
        size_t got = 99;
        ck_assert_int_eq(ms_ctl_encode(&n, e, cap, &got), MS_ERR_NO_SPACE);
        ck_assert_uint_eq(got, 0);
    }
}
END_TEST

START_TEST(deliver_round_trip)
{
    static const uint8_t dgram[] = { 0x11, 0x02, 0xbe, 0xef, 1, 2, 3 };
    ms_ctl_msg m, d;
    ms_ctl_init(&m, MS_CTL_DELIVER);
    m.slot = (ms_bytes){ (const uint8_t *)"\\MAILSLOT\\BROWSE", 16 };
    m.datagram = (ms_bytes){ dgram, sizeof dgram };
    m.src_ip = 0xC0000214u;
    m.src_port = 138;
    m.dst_ip = 0xC00002FFu;
    m.dst_port = 138;
    m.time_ns = 0x0123456789ABCDEFull;
    m.ifindex = 7;
    m.via = MS_CTL_VIA_NMBD;
    m.flags = MS_CTL_F_COPY;
    m.dropped = 3;
    m.nnames = 2;
    m.names[0] = (ms_bytes){ (const uint8_t *)"HOST<00>", 8 };
    m.names[1] = (ms_bytes){ (const uint8_t *)"WORKGROUP<1e>", 13 };
    m.have = MS_CTL_BIT(MS_CTL_A_SLOT) | MS_CTL_BIT(MS_CTL_A_DATAGRAM) |
             MS_CTL_BIT(MS_CTL_A_SRC_IP) | MS_CTL_BIT(MS_CTL_A_SRC_PORT) |
             MS_CTL_BIT(MS_CTL_A_DST_IP) | MS_CTL_BIT(MS_CTL_A_DST_PORT) |
             MS_CTL_BIT(MS_CTL_A_TIME_NS) | MS_CTL_BIT(MS_CTL_A_IFINDEX) |
             MS_CTL_BIT(MS_CTL_A_VIA) | MS_CTL_BIT(MS_CTL_A_FLAGS) |
             MS_CTL_BIT(MS_CTL_A_DROPPED) | MS_CTL_BIT(MS_CTL_A_NAME);
    uint8_t b[400];
    size_t bl;
    ck_assert_int_eq(ms_ctl_encode(&m, b, sizeof b, &bl), MS_OK);
    ck_assert_int_eq(ms_ctl_decode(b, bl, &d, NULL), MS_OK);
    ck_assert_uint_eq(d.have, m.have);
    ck_assert_uint_eq(d.time_ns, m.time_ns);
    ck_assert_uint_eq(d.src_ip, m.src_ip);
    ck_assert_uint_eq(d.dst_port, 138);
    ck_assert_uint_eq(d.via, MS_CTL_VIA_NMBD);
    ck_assert_uint_eq(d.dropped, 3);
    ck_assert_uint_eq(d.nnames, 2);
    ck_assert_mem_eq(d.names[1].p, "WORKGROUP<1e>", 13);
    ck_assert_mem_eq(d.datagram.p, dgram, sizeof dgram);

    /* Every proper prefix: truncated (or, at the header's end, an empty
     * message), never a read past the end. */
    for (size_t n = 0; n < bl; n++) {
        const uint8_t *g = guarded_copy(b, n);
        ms_status st = ms_ctl_decode(g, n, &d, NULL);
        if (n < MS_CTL_HEADER_LEN)
            ck_assert_int_eq(st, MS_ERR_TRUNCATED);
        else
            ck_assert(st == MS_OK || st == MS_ERR_TRUNCATED);
    }
}
END_TEST

static ms_status decode_hex(const char *h, size_t *off)
{
    uint8_t b[200];
    size_t bl = hex_to_bytes(h, b, sizeof b);
    ms_ctl_msg m;
    return ms_ctl_decode(b, bl, &m, off);
}

START_TEST(refusals)
{
    size_t off;
    ck_assert_int_eq(decode_hex("4d5345 01 0001 0000", &off), MS_ERR_BAD_INPUT);
    ck_assert_int_eq(decode_hex("4d5344 02 0001 0000", &off), MS_ERR_VERSION);
    ck_assert_int_eq(decode_hex("4d5344 01 0001 0001", &off), MS_ERR_LAYOUT);
    ck_assert_uint_eq(off, 6);
    /* VERSION is 2 octets, not 3. */
    ck_assert_int_eq(decode_hex("4d5344 01 0001 0000 0001 0003 000001", &off), MS_ERR_LAYOUT);
    ck_assert_uint_eq(off, 8);
    /* STATUS twice. */
    ck_assert_int_eq(decode_hex("4d5344 01 0005 0000 0002 0004 00000000 0002 0004 00000001", &off),
                     MS_ERR_LAYOUT);
    ck_assert_uint_eq(off, 16);
    /* A value longer than what is left. */
    ck_assert_int_eq(decode_hex("4d5344 01 0005 0000 0003 0005 6869", &off), MS_ERR_TRUNCATED);
    /* An attribute header cut short. */
    ck_assert_int_eq(decode_hex("4d5344 01 0005 0000 00", &off), MS_ERR_TRUNCATED);

    /* More names than kept. */
    uint8_t b[400];
    size_t bl = hex_to_bytes("4d5344 01 0002 0000", b, sizeof b);
    for (int i = 0; i <= MS_CTL_MAX_NAMES; i++) {
        static const uint8_t name[] = { 0, 15, 0, 1, 'X' };
        memcpy(b + bl, name, sizeof name);
        bl += sizeof name;
    }
    ms_ctl_msg m;
    ck_assert_int_eq(ms_ctl_decode(b, bl, &m, &off), MS_ERR_TOO_MANY);
    ck_assert_int_eq(ms_ctl_decode(b, bl - 5, &m, &off), MS_OK);
    ck_assert_uint_eq(m.nnames, MS_CTL_MAX_NAMES);

    /* Encoding: a value over 65535 octets, a NULL range. */
    static uint8_t big[70000];
    ms_ctl_init(&m, MS_CTL_SEND);
    m.datagram = (ms_bytes){ big, sizeof big };
    m.have = MS_CTL_BIT(MS_CTL_A_DATAGRAM);
    static uint8_t out[MS_CTL_MAX_PACKET + 100];
    ck_assert_int_eq(ms_ctl_encode(&m, out, sizeof out, &bl), MS_ERR_INVALID_ARG);
    m.datagram = (ms_bytes){ NULL, 3 };
    ck_assert_int_eq(ms_ctl_encode(&m, out, sizeof out, &bl), MS_ERR_INVALID_ARG);
    /* The largest datagram fits the largest packet. */
    m.datagram = (ms_bytes){ big, 65535 };
    ck_assert_int_eq(ms_ctl_encode(&m, out, MS_CTL_MAX_PACKET, &bl), MS_OK);
    ck_assert_str_eq(ms_ctl_type_name(999), "unknown");
}
END_TEST

/* WELCOME as mailslotd sends it: the host's names and its workgroup
 * (attribute 22, added after the first release of the protocol). */
START_TEST(welcome_vector)
{
    static const char *hex = "4d5344 01 0002 0000 "
                             "0001 0002 0001 "
                             "000f 0009 484f5354413c30303e "
                             "0011 0004 00000064 "
                             "0016 0005 4d534c4142";
    uint8_t b[200];
    size_t bl = hex_to_bytes(hex, b, sizeof b);
    ms_ctl_msg m;
    ck_assert_int_eq(ms_ctl_decode(b, bl - 1, &m, NULL), MS_ERR_TRUNCATED);
    ck_assert_int_eq(ms_ctl_decode(b, bl, &m, NULL), MS_OK);
    ck_assert_uint_eq(m.nnames, 1);
    ck_assert_mem_eq(m.names[0].p, "HOSTA<00>", 9);
    ck_assert(MS_CTL_HAS(&m, MS_CTL_A_WORKGROUP));
    ck_assert_uint_eq(m.workgroup.len, 5);
    ck_assert_mem_eq(m.workgroup.p, "MSLAB", 5);
    ck_assert_uint_eq(m.pid, 100);
    uint8_t e[200];
    size_t el;
    ck_assert_int_eq(ms_ctl_encode(&m, e, sizeof e, &el), MS_OK);
    ck_assert_uint_eq(el, bl);
    ck_assert_mem_eq(e, b, bl);
    /* Given twice: refused like every attribute but NAME. */
    memcpy(b + bl, "\x00\x16\x00\x01X", 5);
    ck_assert_int_eq(ms_ctl_decode(b, bl + 5, &m, NULL), MS_ERR_LAYOUT);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("control");
    TCase *t = tcase_create("control");
    tcase_add_test(t, create_vector);
    tcase_add_test(t, deliver_round_trip);
    tcase_add_test(t, refusals);
    tcase_add_test(t, welcome_vector);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
