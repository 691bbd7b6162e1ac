/* SPDX-License-Identifier: MIT */
/* The NetBIOS datagram-service header (src/netbios/dgram.c): all seven
 * message types built, encoded and decoded, every prefix against a guard
 * page, unknown types kept verbatim. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "mailslot/netbios.h"
#include "vectors.h"

static void pad16(uint8_t out[16], const char *text, uint8_t suffix)
{
    ck_assert_int_eq(ms_nb_name_pad(out, text, strlen(text), suffix), MS_OK);
}

/* PROTOCOL.md §4.6 worked example A: the 14-octet header and both names,
 * then the same octets back from the encoder. */
START_TEST(example_a_header)
{
    uint8_t v[300], out[300];
    size_t n = hex_to_bytes(VEC_EXAMPLE_A, v, sizeof v), off = 99, len = 0;
    ms_dgram d;
    ck_assert_uint_eq(n, 201);
    ck_assert_int_eq(ms_dgram_decode(v, n, &d, &off), MS_OK);
    ck_assert_uint_eq(d.type, MS_NBDS_DIRECT_GROUP);
    ck_assert_uint_eq(d.flags, 0x02);
    ck_assert_uint_eq(d.id, 0x8021);
    ck_assert_uint_eq(d.src_ip, 0xC0A8010A);
    ck_assert_uint_eq(d.src_port, 138);
    ck_assert_uint_eq(d.dgm_length, 187);
    ck_assert_uint_eq(d.packet_offset, 0);
    ck_assert_uint_eq(d.src.wire_len, 34);
    ck_assert_uint_eq(d.dst.wire_len, 34);
    ck_assert_mem_eq(d.src.name, "SERVER1        \x00", 16);
    ck_assert_mem_eq(d.dst.name, "WORKGROUP      \x1d", 16);
    ck_assert_uint_eq(d.user_data.len, 119);
    ck_assert_uint_eq(d.user_data.p[0], 0xFF);
    ck_assert_uint_eq(d.trailing.len, 0);
    ck_assert_uint_eq(ms_dgram_header_size(&d), 82);
    ck_assert_int_eq(ms_dgram_encode(&d, out, sizeof out, &len), MS_OK);
    ck_assert_uint_eq(len, n);
    ck_assert_mem_eq(out, v, n);
    ck_assert_str_eq(ms_dgram_type_name(d.type), "DIRECT_GROUP");
}
END_TEST

/* Names of the seven types and the three error codes; NULL otherwise. */
START_TEST(type_and_error_names)
{
    static const char *const want[7] = {
        "DIRECT_UNIQUE", "DIRECT_GROUP", "BROADCAST", "ERROR", "QUERY_REQUEST",
        "POSITIVE_QUERY_RESPONSE", "NEGATIVE_QUERY_RESPONSE",
    };
    for (unsigned t = 0; t < 7; t++)
        ck_assert_str_eq(ms_dgram_type_name((uint8_t)(0x10 + t)), want[t]);
    ck_assert_ptr_null(ms_dgram_type_name(0x0F));
    ck_assert_ptr_null(ms_dgram_type_name(0x17));
    ck_assert_str_eq(ms_dgram_error_name(0x82), "DESTINATION_NAME_NOT_PRESENT");
    ck_assert_str_eq(ms_dgram_error_name(0x83), "INVALID_SOURCE_NAME_FORMAT");
    ck_assert_str_eq(ms_dgram_error_name(0x84), "INVALID_DESTINATION_NAME_FORMAT");
    ck_assert_ptr_null(ms_dgram_error_name(0x81));
    ck_assert_ptr_null(ms_dgram_error_name(0x85));
}
END_TEST

/* One message of each of the seven types, built, encoded, decoded. */
START_TEST(all_message_types)
{
    uint8_t buf[600], n16[16];
    for (uint8_t type = 0x10; type <= 0x16; type++) {
        ms_dgram d, back;
        memset(&d, 0, sizeof d);
        d.type = type;
        d.flags = type == MS_NBDS_ERROR ? 0 : 0x02;
        d.id = 0x1234;
        d.src_ip = 0xC0000214; /* 192.0.2.20 */
        d.src_port = 138;
        pad16(n16, "SRC", 0);
        ms_nb_name_make(&d.src, n16, NULL);
        pad16(n16, "DST", 0x1d);
        ms_nb_name_make(&d.dst, n16, NULL);
        static const uint8_t ud[] = { 1, 2, 3 };
        d.user_data.p = ud;
        d.user_data.len = sizeof ud;
        d.error_code = 0x82;
        d.auto_fields = MS_DGRAM_AUTO_LENGTH;
        size_t len, off;
        ck_assert_int_eq(ms_dgram_encode(&d, buf, sizeof buf, &len), MS_OK);
        ck_assert_uint_eq(len, ms_dgram_header_size(&d) + (ms_dgram_has_data(type) ? 3 : 0));
        ck_assert_int_eq(ms_dgram_decode(buf, len, &back, &off), MS_OK);
        ck_assert_uint_eq(back.type, type);
        ck_assert_uint_eq(back.id, 0x1234);
        ck_assert_uint_eq(back.src_ip, 0xC0000214);
        ck_assert_uint_eq(back.trailing.len, 0);
        if (ms_dgram_has_data(type)) {
            ck_assert_uint_eq(back.dgm_length, 34 + 34 + 3);
            ck_assert_uint_eq(back.user_data.len, 3);
            ck_assert_mem_eq(back.user_data.p, ud, 3);
        } else if (type == MS_NBDS_ERROR) {
            ck_assert_uint_eq(len, 11);
            ck_assert_uint_eq(back.error_code, 0x82);
        } else {
            ck_assert_uint_eq(len, 44);
            ck_assert_mem_eq(back.dst.wire, d.dst.wire, 34);
        }
        /* Every proper prefix fails, read against a guard page. */
        for (size_t p = 0; p < len; p++) {
            const uint8_t *g = guarded_copy(buf, p);
            ms_status st = ms_dgram_decode(g, p, &back, &off);
            if (ms_dgram_has_data(type) && p >= 82)
                ck_assert_int_eq(st, MS_OK); /* names complete: user data is just shorter */
            else
                ck_assert_int_ne(st, MS_OK);
        }
    }
}
END_TEST

START_TEST(unknown_type_round_trips)
{
    static const uint8_t f[] = { 0x20, 0x02, 0, 1, 192, 0, 2, 1, 0, 138, 0xAA, 0xBB };
    ms_dgram d;
    size_t off, len;
    uint8_t out[32];
    ck_assert_int_eq(ms_dgram_decode(f, sizeof f, &d, &off), MS_ERR_MSG_TYPE);
    ck_assert_uint_eq(d.trailing.len, 2);
    ck_assert_int_eq(ms_dgram_encode(&d, out, sizeof out, &len), MS_OK);
    ck_assert_uint_eq(len, sizeof f);
    ck_assert_mem_eq(out, f, sizeof f);
    /* Extra octets after a DATAGRAM ERROR are kept too. */
    static const uint8_t e[] = { 0x13, 0x00, 0, 1, 192, 0, 2, 1, 0, 138, 0x82, 0x99 };
    ck_assert_int_eq(ms_dgram_decode(e, sizeof e, &d, &off), MS_OK);
    ck_assert_uint_eq(d.trailing.len, 1);
    ck_assert_int_eq(ms_dgram_encode(&d, out, sizeof out, &len), MS_OK);
    ck_assert_mem_eq(out, e, sizeof e);
    ck_assert_int_eq(ms_dgram_encode(&d, out, 5, &len), MS_ERR_NO_SPACE);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dgram");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, example_a_header);
    tcase_add_test(tc, type_and_error_names);
    tcase_add_test(tc, all_message_types);
    tcase_add_test(tc, unknown_type_round_trips);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
