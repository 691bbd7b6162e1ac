/* SPDX-License-Identifier: MIT */
/* The host's NetBIOS name from its host name (daemon/hostname.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hostname.h"

static void made(const char *host, const char *want16)
{
    uint8_t raw[16];
    ck_assert_int_eq(md_host_name_from(host, raw), MS_OK);
    ck_assert_msg(!memcmp(raw, want16, 16), "%s -> %.16s", host, (const char *)raw);
}

START_TEST(cut_upper_bounded)
{
    made("hosta", "HOSTA          \x00");
    made("hosta.lab.example", "HOSTA          \x00");
    made("a-very-long-host-name-indeed.lab", "A-VERY-LONG-HOS\x00");
    made("fifteen-chars-x", "FIFTEEN-CHARS-X\x00");
    made("sixteen-chars-xy.z", "SIXTEEN-CHARS-X\x00");
    made("odd*name:x", "ODD-NAME-X     \x00");
    made("caf\xc3\xa9", "CAF--          \x00");
    uint8_t raw[16];
    ck_assert_int_eq(md_host_name_from("", raw), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(md_host_name_from(".lab", raw), MS_ERR_INVALID_ARG);
    char err[100];
    ck_assert_int_eq(md_host_name(raw, err, sizeof err), MS_OK);
    ck_assert_uint_eq(raw[15], 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("daemon_hostname");
    TCase *t = tcase_create("hostname");
    tcase_add_test(t, cut_upper_bounded);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
