/* SPDX-License-Identifier: MIT */
/* Token routes (daemon/tokens.c): found while fresh, expire, the last
 * sender wins, a client's go with it, the table's bound. */
#include <check.h>
#include <stdlib.h>

#include "tokens.h"

#define S 1000000000ull

static md_tokens T;

START_TEST(found_then_expired)
{
    md_tokens_init(&T);
    md_tokens_add(&T, 0x1234, 7, 10 * S, 15 * S);
    ck_assert_uint_eq(md_tokens_find(&T, 0x1234, 10 * S), 7);
    ck_assert_uint_eq(md_tokens_find(&T, 0x1234, 25 * S - 1), 7);
    ck_assert_uint_eq(md_tokens_find(&T, 0x1234, 25 * S), 0);
    ck_assert_uint_eq(md_tokens_find(&T, 0x1235, 11 * S), 0);
    ck_assert_uint_eq(md_tokens_expire(&T, 24 * S), 0);
    ck_assert_uint_eq(md_tokens_expire(&T, 25 * S), 1);
    ck_assert_uint_eq(T.n, 0);
}
END_TEST

START_TEST(last_sender_wins_and_clients_go)
{
    md_tokens_init(&T);
    md_tokens_add(&T, 1, 7, 0, 15 * S);
    md_tokens_add(&T, 1, 8, S, 15 * S);
    ck_assert_uint_eq(T.n, 1);
    ck_assert_uint_eq(md_tokens_find(&T, 1, 2 * S), 8);
    md_tokens_add(&T, 2, 8, S, 15 * S);
    md_tokens_add(&T, 3, 9, S, 15 * S);
    md_tokens_drop_client(&T, 8);
    ck_assert_uint_eq(T.n, 1);
    ck_assert_uint_eq(md_tokens_find(&T, 3, 2 * S), 9);
    ck_assert_uint_eq(md_tokens_find(&T, 1, 2 * S), 0);
}
END_TEST

START_TEST(bounded)
{
    md_tokens_init(&T);
    for (uint32_t i = 0; i < MD_TOKENS_MAX; i++)
        md_tokens_add(&T, i, 1, i, 15 * S);
    ck_assert_uint_eq(T.n, MD_TOKENS_MAX);
    ck_assert_uint_eq(T.evicted, 0);
    /* Full: the one that expires first (token 0) gives way. */
    md_tokens_add(&T, 999, 2, MD_TOKENS_MAX, 15 * S);
    ck_assert_uint_eq(T.n, MD_TOKENS_MAX);
    ck_assert_uint_eq(T.evicted, 1);
    ck_assert_uint_eq(md_tokens_find(&T, 0, MD_TOKENS_MAX), 0);
    ck_assert_uint_eq(md_tokens_find(&T, 1, MD_TOKENS_MAX), 1);
    ck_assert_uint_eq(md_tokens_find(&T, 999, MD_TOKENS_MAX), 2);
    /* Adding expires what is due first: no eviction then. */
    md_tokens_add(&T, 1000, 3, 16 * S + MD_TOKENS_MAX, 15 * S);
    ck_assert_uint_eq(T.evicted, 1);
    ck_assert_uint_eq(T.n, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("daemon_tokens");
    TCase *t = tcase_create("tokens");
    tcase_add_test(t, found_then_expired);
    tcase_add_test(t, last_sender_wins_and_clients_go);
    tcase_add_test(t, bounded);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
