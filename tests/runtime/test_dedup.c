/* SPDX-License-Identifier: MIT */
/* The duplicate filter (src/runtime/dedup.c): the tuple, the window, the
 * bounded table in caller memory. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/dedup.h"
#include "guard.h"

#define MS 1000000ull

static ms_nb_name nm(const char *text)
{
    ms_nb_name n;
    ck_assert_int_eq(ms_nb_name_parse(&n, text, strlen(text)), MS_OK);
    return n;
}

static bool check(ms_dedup *d, const char *src, uint16_t id, const char *slot, const char *data,
                  uint64_t t)
{
    ms_nb_name n = nm(src);
    return ms_dedup_check(d, &n, id, (const uint8_t *)slot, strlen(slot), (const uint8_t *)data,
                          strlen(data), t);
}

START_TEST(tuple_and_window)
{
    static uint64_t mem[16384];
    ms_dedup *d;
    ck_assert_uint_le(ms_dedup_size(0), sizeof mem);
    ck_assert_int_eq(ms_dedup_init(mem, sizeof mem, 0, 2000 * MS, &d), MS_OK);
    ck_assert(!check(d, "HOST<00>", 7, "\\MAILSLOT\\x", "data", 0));
    /* Same tuple, slot in another case: a repeat. */
    ck_assert(check(d, "HOST<00>", 7, "\\mailslot\\X", "data", 100 * MS));
    /* At exactly the window: still a repeat. */
    ck_assert(check(d, "HOST<00>", 7, "\\MAILSLOT\\x", "data", 2000 * MS));
    /* Any part different: new. */
    ck_assert(!check(d, "HOST<00>", 8, "\\MAILSLOT\\x", "data", 1 * MS));
    ck_assert(!check(d, "OTHER<00>", 7, "\\MAILSLOT\\x", "data", 1 * MS));
    ck_assert(!check(d, "HOST<00>.scope", 7, "\\MAILSLOT\\x", "data", 1 * MS));
    ck_assert(!check(d, "HOST<20>", 7, "\\MAILSLOT\\x", "data", 1 * MS));
    ck_assert(!check(d, "HOST<00>", 7, "\\MAILSLOT\\y", "data", 1 * MS));
    ck_assert(!check(d, "HOST<00>", 7, "\\MAILSLOT\\x", "datb", 1 * MS));
    ck_assert(!check(d, "HOST<00>", 7, "\\MAILSLOT\\x", "dat", 1 * MS));
    /* After the window: new again. */
    ck_assert(!check(d, "HOST<00>", 7, "\\MAILSLOT\\x", "data", 2001 * MS));
    ms_dedup_stats st = MS_SIZED(ms_dedup_stats);
    ck_assert_int_eq(ms_dedup_get_stats(d, &st), MS_OK);
    ck_assert_uint_eq(st.checked, 11);
    ck_assert_uint_eq(st.dropped, 2);
}
END_TEST

START_TEST(bounded_table_forgets_oldest)
{
    static uint64_t mem[512];
    ms_dedup *d;
    ck_assert_int_eq(ms_dedup_init(mem, sizeof mem, 4, 2000 * MS, &d), MS_OK);
    char data[8];
    for (int i = 0; i < 5; i++) {
        snprintf(data, sizeof data, "m%d", i);
        ck_assert(!check(d, "HOST<00>", 1, "\\MAILSLOT\\x", data, (uint64_t)i * MS));
    }
    ms_dedup_stats st = MS_SIZED(ms_dedup_stats);
    ck_assert_int_eq(ms_dedup_get_stats(d, &st), MS_OK);
    ck_assert_uint_eq(st.evicted, 1);
    /* m0 was forgotten, m4 is remembered. */
    ck_assert(!check(d, "HOST<00>", 1, "\\MAILSLOT\\x", "m0", 10 * MS));
    ck_assert(check(d, "HOST<00>", 1, "\\MAILSLOT\\x", "m4", 10 * MS));
}
END_TEST

START_TEST(memory_and_stats_sizes)
{
    static uint64_t mem[64];
    ms_dedup *d = (ms_dedup *)1;
    /* Too small, misaligned, or too many entries: refused. */
    ck_assert_int_eq(ms_dedup_init(mem, 16, 4, MS, &d), MS_ERR_INVALID_ARG);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(ms_dedup_init((char *)mem + 1, sizeof mem - 8, 1, MS, &d),
                     MS_ERR_INVALID_ARG);
    ck_assert_uint_eq(ms_dedup_size(MS_DEDUP_MAX_ENTRIES + 1u), 0);
    ck_assert_int_eq(ms_dedup_init(mem, sizeof mem, 1, MS, &d), MS_OK);
    /* An older caller's smaller stats struct gets only what fits. */
    ck_assert(!check(d, "HOST<00>", 1, "\\MAILSLOT\\x", "a", 0));
    ck_assert(check(d, "HOST<00>", 1, "\\MAILSLOT\\x", "a", 0));
    struct { size_t size; uint64_t checked; uint64_t guard; } old = { sizeof(size_t) + 8, 0, 77 };
    ck_assert_int_eq(ms_dedup_get_stats(d, (ms_dedup_stats *)&old), MS_OK);
    ck_assert_uint_eq(old.checked, 2);
    ck_assert_uint_eq(old.guard, 77);
    ms_dedup_stats zero = { 0 };
    ck_assert_int_eq(ms_dedup_get_stats(d, &zero), MS_ERR_INVALID_ARG);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dedup");
    TCase *t = tcase_create("dedup");
    tcase_add_test(t, tuple_and_window);
    tcase_add_test(t, bounded_table_forgets_oldest);
    tcase_add_test(t, memory_and_stats_sizes);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
