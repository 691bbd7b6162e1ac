/* SPDX-License-Identifier: MIT */
/* The pending-set table on its own (src/reassembly/settable.c): slots in
 * the owner's array, lookup by key, the oldest set evicted for a new one,
 * expiry from the first arrival, creation-order walks, the counters. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "settable.h"

/* An owner's set: the header first, then whatever the owner keeps. */
typedef struct tset {
    ms_setslot slot;
    int key;
    char junk[40];
} tset;

#define CAP 4
#define TIMEOUT 100u

static tset sets[CAP];
static ms_settable T;
static int dropped[32];
static size_t ndropped;

static void drop(void *ctx, ms_setslot *s)
{
    ck_assert_ptr_eq(ctx, &T);
    ck_assert_uint_lt(ndropped, 32);
    dropped[ndropped++] = ((tset *)s)->key;
    ms_settable_release(&T, s);
}

static bool match(const ms_setslot *s, const void *key)
{
    return ((const tset *)s)->key == *(const int *)key;
}

static tset *add(int key, uint64_t now)
{
    tset *s = (tset *)ms_settable_claim(&T, now, drop, &T);
    s->key = key;
    memset(s->junk, 0x5A, sizeof s->junk);
    return s;
}

static tset *find(int key)
{
    return (tset *)ms_settable_find(&T, match, &key);
}

static void setup(void)
{
    memset(sets, 0, sizeof sets);
    ms_settable_init(&T, sets, sizeof sets[0], CAP, TIMEOUT);
    ndropped = 0;
}

START_TEST(empty_table)
{
    ck_assert_uint_eq(T.count, 0);
    ck_assert_ptr_null(find(1));
    ck_assert_ptr_null(ms_settable_oldest(&T, NULL));
    ck_assert_ptr_null(ms_settable_next(&T, 0));
    ck_assert_uint_eq(ms_settable_expire(&T, UINT64_MAX, drop, &T), 0);
    for (size_t i = 0; i < CAP; i++) {
        ck_assert_ptr_eq(ms_settable_at(&T, i), &sets[i].slot);
        ck_assert(!ms_setslot_used(ms_settable_at(&T, i)));
    }
}
END_TEST

START_TEST(claim_find_release)
{
    tset *a = add(10, 1000), *b = add(20, 1001);
    ck_assert_ptr_ne(a, b);
    ck_assert(ms_setslot_used(&a->slot) && ms_setslot_used(&b->slot));
    ck_assert_uint_lt(a->slot.seq, b->slot.seq);
    ck_assert_uint_eq(a->slot.t0_ns, 1000);
    ck_assert_ptr_eq(find(10), a);
    ck_assert_ptr_eq(find(20), b);
    ck_assert_ptr_null(find(30));
    ck_assert_uint_eq(T.count, 2);
    ck_assert_uint_eq(T.high, 2);

    ms_settable_release(&T, &a->slot);
    ck_assert(!ms_setslot_used(&a->slot));
    ck_assert_ptr_null(find(10));
    ck_assert_uint_eq(T.count, 1);
    ck_assert_uint_eq(T.high, 2);
    /* A reused slot comes back zeroed past the header. */
    tset *c = (tset *)ms_settable_claim(&T, 1002, drop, &T);
    ck_assert_ptr_eq(c, a);
    ck_assert_int_eq(c->key, 0);
    for (size_t i = 0; i < sizeof c->junk; i++)
        ck_assert_int_eq(c->junk[i], 0);
    ck_assert_uint_gt(c->slot.seq, b->slot.seq);
    ck_assert_uint_eq(ndropped, 0);
}
END_TEST

START_TEST(full_table_evicts_oldest)
{
    for (int k = 1; k <= CAP; k++)
        add(k, 1000);
    ck_assert_uint_eq(T.count, CAP);
    /* Creation order decides, not time or slot: 1 goes, then 2. */
    add(5, 999);
    ck_assert_uint_eq(ndropped, 1);
    ck_assert_int_eq(dropped[0], 1);
    ck_assert_ptr_null(find(1));
    ck_assert_ptr_nonnull(find(5));
    add(6, 999);
    ck_assert_uint_eq(ndropped, 2);
    ck_assert_int_eq(dropped[1], 2);
    ck_assert_uint_eq(T.count, CAP);
    ck_assert_uint_eq(T.high, CAP);
    /* oldest() can pass over one set (the one being grown). */
    tset *three = find(3);
    ck_assert_ptr_eq(ms_settable_oldest(&T, NULL), &three->slot);
    ck_assert_ptr_eq(ms_settable_oldest(&T, &three->slot), &find(4)->slot);
}
END_TEST

START_TEST(expiry_from_first_arrival)
{
    add(1, 1000);
    add(2, 1050);
    add(3, 1000 + TIMEOUT); /* arrived later in time, created later */
    /* Exactly the timeout is still in time; one more nanosecond is not. */
    ck_assert_uint_eq(ms_settable_expire(&T, 1000 + TIMEOUT, drop, &T), 0);
    ck_assert(!ms_settable_expired(&T, &find(1)->slot, 1000 + TIMEOUT));
    ck_assert(ms_settable_expired(&T, &find(1)->slot, 1001 + TIMEOUT));
    ck_assert_uint_eq(ms_settable_expire(&T, 1001 + TIMEOUT, drop, &T), 1);
    ck_assert_int_eq(dropped[0], 1);
    /* Time running backwards counts as no time. */
    ck_assert_uint_eq(ms_settable_expire(&T, 0, drop, &T), 0);
    ck_assert(!ms_settable_expired(&T, &find(2)->slot, 5));
    /* Several at once go oldest first, whatever their slots. */
    ms_settable_release(&T, &find(2)->slot);
    add(4, 900); /* a slot before 3's, but created after it */
    ndropped = 0;
    ck_assert_uint_eq(ms_settable_expire(&T, UINT64_MAX, drop, &T), 2);
    ck_assert_int_eq(dropped[0], 3);
    ck_assert_int_eq(dropped[1], 4);
    ck_assert_uint_eq(T.count, 0);
}
END_TEST

START_TEST(walk_in_creation_order)
{
    add(1, 0);
    add(2, 0);
    add(3, 0);
    ms_settable_release(&T, &find(1)->slot);
    add(4, 0); /* slot 0 again, newest */
    int want[] = { 2, 3, 4 }, n = 0;
    for (const ms_setslot *s = ms_settable_next(&T, 0); s; s = ms_settable_next(&T, s->seq)) {
        ck_assert_int_lt(n, 3);
        ck_assert_int_eq(((const tset *)s)->key, want[n++]);
    }
    ck_assert_int_eq(n, 3);
    ck_assert_uint_eq(T.count, 3); /* walking changes nothing */
}
END_TEST

START_TEST(zero_timeout)
{
    ms_settable_init(&T, sets, sizeof sets[0], CAP, 0);
    add(1, 50);
    ck_assert_uint_eq(ms_settable_expire(&T, 50, drop, &T), 0);
    ck_assert_uint_eq(ms_settable_expire(&T, 51, drop, &T), 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("settable");
    TCase *tc = tcase_create("table");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, empty_table);
    tcase_add_test(tc, claim_find_release);
    tcase_add_test(tc, full_table_evicts_oldest);
    tcase_add_test(tc, expiry_from_first_arrival);
    tcase_add_test(tc, walk_in_creation_order);
    tcase_add_test(tc, zero_timeout);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
