/* SPDX-License-Identifier: MIT */
/* The mailslot table (daemon/slots.c): one creator per name, names equal
 * without regard to ASCII case, nested names their own, monitors, the
 * bounds, who may create what, removal and the walk. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slots.h"

static md_slots T;
static int A, B; /* two clients (only their addresses matter) */
static char why[200];

static md_slot *made(const char *name, void *owner, uint32_t id)
{
    md_slot *s = NULL;
    ck_assert_int_eq(md_slots_create(&T, name, false, owner, id, 100 + id, 1000 + id, 8, &s, why,
                                     sizeof why),
                     MS_OK);
    return s;
}

static md_slot *find(const char *wire)
{
    return md_slots_find(&T, (const uint8_t *)wire, strlen(wire));
}

START_TEST(one_creator_any_case_nested)
{
    md_slots_init(&T);
    md_slot *a = made("\\MAILSLOT\\App", &A, 1);
    ck_assert_uint_eq(a->q.max, 8);
    md_slot *s = NULL;
    /* Another case is the same name: refused, naming the holder. */
    ck_assert_int_eq(md_slots_create(&T, "\\MAILSLOT\\APP", false, &B, 2, 102, 1002, 8, &s, why,
                                     sizeof why),
                     MS_ERR_EXISTS);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(why, "\\MAILSLOT\\App is created already (by pid 101, uid 1001)");
    /* Even by the same client. */
    ck_assert_int_eq(md_slots_create(&T, "\\mailslot\\app", false, &A, 1, 101, 1001, 8, &s, why,
                                     sizeof why),
                     MS_ERR_EXISTS);
    /* A nested name is a name of its own. */
    md_slot *ab = made("\\MAILSLOT\\App\\Sub", &B, 2);
    ck_assert_ptr_eq(find("\\MAILSLOT\\APP"), a);
    ck_assert_ptr_eq(find("\\mailslot\\app"), a);
    ck_assert_ptr_eq(find("\\MAILSLOT\\APP\\SUB"), ab);
    ck_assert_ptr_null(find("\\MAILSLOT\\APP\\"));
    ck_assert_ptr_null(find("\\MAILSLOT\\AP"));
    ck_assert_ptr_null(find("\\MAILSLOT\\APP\\SUB\\X"));
    /* Only octets a-z fold: others compare exactly. */
    made("\\MAILSLOT\\\xe9t\xe9", &A, 1);
    ck_assert_ptr_nonnull(find("\\MAILSLOT\\\xe9T\xe9"));
    ck_assert_ptr_null(find("\\MAILSLOT\\\xc9T\xc9"));
    /* Owned: by the creator only. */
    ck_assert_ptr_eq(md_slots_find_owned(&T, "\\MAILSLOT\\APP", false, &A), a);
    ck_assert_ptr_null(md_slots_find_owned(&T, "\\MAILSLOT\\APP", false, &B));
    /* Removed: the name is free again, for anyone. */
    md_slots_remove(&T, a);
    ck_assert_ptr_null(find("\\MAILSLOT\\App"));
    md_slot *b = made("\\MAILSLOT\\APP", &B, 2);
    ck_assert_ptr_eq(find("\\mailslot\\App"), b);
    ck_assert_uint_eq(T.n, 3);
    md_slots_free(&T);
    ck_assert_uint_eq(T.n, 0);
}
END_TEST

START_TEST(monitors_and_the_walk)
{
    md_slots_init(&T);
    md_slot *m1 = NULL, *m2 = NULL;
    ck_assert_int_eq(md_slots_create(&T, "ignored", true, &A, 1, 1, 0, 4, &m1, why, sizeof why),
                     MS_OK);
    ck_assert_int_eq(md_slots_create(&T, NULL, true, &B, 2, 2, 0, 4, &m2, why, sizeof why),
                     MS_OK);
    ck_assert_str_eq(m1->name, "*");
    ck_assert(m1->monitor);
    /* A monitor is no creator: "*" is not found as a mailslot. */
    ck_assert_ptr_null(find("*"));
    ck_assert_ptr_eq(md_slots_find_owned(&T, NULL, true, &B), m2);
    made("\\MAILSLOT\\X", &A, 1);
    made("\\MAILSLOT\\Y", &A, 1);
    size_t seen = 0, monitors = 0;
    for (const md_slot *s = md_slots_next(&T, NULL); s; s = md_slots_next(&T, s)) {
        seen++;
        monitors += s->monitor;
    }
    ck_assert_uint_eq(seen, 4);
    ck_assert_uint_eq(monitors, 2);
    md_slots_remove(&T, m1);
    ck_assert_uint_eq(T.nmonitors, 1);
    md_slots_free(&T);
}
END_TEST

START_TEST(bounds)
{
    md_slots_init(&T);
    char name[40];
    md_slot *s;
    for (int i = 0; i < MD_MAX_SLOTS; i++) {
        snprintf(name, sizeof name, "\\MAILSLOT\\N%d", i);
        made(name, &A, 1);
    }
    ck_assert_int_eq(md_slots_create(&T, "\\MAILSLOT\\ONEMORE", false, &A, 1, 1, 1, 1, &s, why,
                                     sizeof why),
                     MS_ERR_TOO_MANY);
    /* A monitor has a bound of its own (and takes room from mailslots). */
    ck_assert_int_eq(md_slots_create(&T, NULL, true, &A, 1, 1, 1, 1, &s, why, sizeof why),
                     MS_OK);
    md_slots_free(&T);
    for (int i = 0; i < MD_MAX_MONITORS; i++)
        ck_assert_int_eq(md_slots_create(&T, NULL, true, &A, 1, 1, 1, 1, &s, why, sizeof why),
                         MS_OK);
    ck_assert_int_eq(md_slots_create(&T, NULL, true, &A, 1, 1, 1, 1, &s, why, sizeof why),
                     MS_ERR_TOO_MANY);
    char longname[300];
    memset(longname, 'x', sizeof longname);
    longname[sizeof longname - 1] = '\0';
    ck_assert_int_eq(md_slots_create(&T, longname, false, &A, 1, 1, 1, 1, &s, why, sizeof why),
                     MS_ERR_INVALID_ARG);
    md_slots_free(&T);
}
END_TEST

START_TEST(who_may_create_what)
{
    /* Any user: any free name. */
    ck_assert_int_eq(md_slot_allowed("\\MAILSLOT\\MYAPP", false, 1000, 999, why, sizeof why), MS_OK);
    /* The system services' mailslots and monitors: root or the daemon's user. */
    ck_assert_int_eq(md_slot_allowed("\\MAILSLOT\\browse", false, 1000, 999, why, sizeof why),
                     MS_ERR_DENIED);
    ck_assert_str_eq(why, "\\MAILSLOT\\BROWSE belongs to a system service: root only");
    ck_assert_int_eq(md_slot_allowed("\\MAILSLOT\\NET\\NETLOGON", false, 1000, 999, why,
                                     sizeof why),
                     MS_ERR_DENIED);
    ck_assert_int_eq(md_slot_allowed("\\MAILSLOT\\NET\\NTLOGON", false, 1000, 999, why, sizeof why),
                     MS_ERR_DENIED);
    ck_assert_int_eq(md_slot_allowed("\\MAILSLOT\\LANMAN", false, 1000, 999, why, sizeof why),
                     MS_ERR_DENIED);
    ck_assert_int_eq(md_slot_allowed("*", true, 1000, 999, why, sizeof why), MS_ERR_DENIED);
    /* A reply mailslot of NETLOGON is anybody's. */
    ck_assert_int_eq(md_slot_allowed("\\MAILSLOT\\NET\\GETDC123", false, 1000, 999, why,
                                     sizeof why),
                     MS_OK);
    ck_assert_int_eq(md_slot_allowed("\\MAILSLOT\\BROWSE", false, 0, 999, why, sizeof why), MS_OK);
    ck_assert_int_eq(md_slot_allowed("*", true, 999, 999, why, sizeof why), MS_OK);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("daemon_slots");
    TCase *t = tcase_create("slots");
    tcase_add_test(t, one_creator_any_case_nested);
    tcase_add_test(t, monitors_and_the_walk);
    tcase_add_test(t, bounds);
    tcase_add_test(t, who_may_create_what);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
