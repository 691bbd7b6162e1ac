/* SPDX-License-Identifier: MIT */
/* Duplicate suppression table (no sockets), and what the client builds for
 * browser frames: Windows browser style, no MUST findings. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/client.h"
#include "mailslot/dedup.h"
#include "mailslot/validate.h"

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
    ms_dedup *d = ms_dedup_new(0, 2000 * MS);
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
    ck_assert_uint_eq(ms_dedup_get_stats(d)->dropped, 2);
    ms_dedup_free(d);
}
END_TEST

START_TEST(bounded_table_forgets_oldest)
{
    ms_dedup *d = ms_dedup_new(4, 2000 * MS);
    char data[8];
    for (int i = 0; i < 5; i++) {
        snprintf(data, sizeof data, "m%d", i);
        ck_assert(!check(d, "HOST<00>", 1, "\\MAILSLOT\\x", data, (uint64_t)i * MS));
    }
    ck_assert_uint_eq(ms_dedup_get_stats(d)->evicted, 1);
    /* m0 was forgotten, m4 is remembered. */
    ck_assert(!check(d, "HOST<00>", 1, "\\MAILSLOT\\x", "m0", 10 * MS));
    ck_assert(check(d, "HOST<00>", 1, "\\MAILSLOT\\x", "m4", 10 * MS));
    ms_dedup_free(d);
}
END_TEST

static void no_must(const uint8_t *p, size_t n)
{
    static ms_message m;
    static ms_report r;
    ck_assert_int_eq(ms_message_decode(p, n, &m), MS_OK);
    ms_report_clear(&r);
    ms_validate(p, n, &m, NULL, &r);
    for (size_t i = 0; i < r.count; i++)
        if (r.items[i].rule->level == MS_LEVEL_MUST)
            ck_abort_msg("%s: %s", r.items[i].rule->id, r.items[i].text);
}

START_TEST(browser_frames_in_browser_style)
{
    char err[256];
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.no_socket = true;
    o.from = "TESTER";
    o.dest_name = "WORKGROUP<1d>";
    ms_status st;
    ms_client *c = ms_client_open("127.0.0.1", "\\MAILSLOT\\BROWSE", &o, &st, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    /* GetBackupListRequest: opcode 9, count 4, token. */
    static const uint8_t req[] = { 0x09, 0x04, 0x01, 0x00, 0x00, 0x00 };
    uint8_t buf[1024];
    ms_write_result r;
    ck_assert_int_eq(ms_client_build(c, req, sizeof req, buf, sizeof buf, &r, err, sizeof err),
                     MS_OK);
    no_must(buf, r.payload_len);
    static ms_message m;
    ms_message_decode(buf, r.payload_len, &m);
    ck_assert_uint_eq(m.trans.timeout, 1000);   /* Windows browser service */
    ck_assert_uint_eq(m.trans.data_offset, 86); /* no pad */
    ck_assert(m.payload_ok);
    ms_client_close(c);

    /* Anything else: the redirector's layout. */
    c = ms_client_open("127.0.0.1", "\\MAILSLOT\\app", &o, &st, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(ms_client_build(c, "hi", 2, buf, sizeof buf, &r, err, sizeof err), MS_OK);
    no_must(buf, r.payload_len);
    ms_message_decode(buf, r.payload_len, &m);
    ck_assert_uint_eq(m.trans.max_param_count, 2);
    ck_assert_uint_eq(m.trans.data_offset % 4, 0);
    ck_assert_uint_eq(m.dgram.flags, 0x02);
    ck_assert_uint_eq(m.dgram.src_port, 138); /* build-only: the port it would use */
    ms_client_close(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("live_dedup");
    TCase *t = tcase_create("dedup");
    tcase_add_test(t, tuple_and_window);
    tcase_add_test(t, bounded_table_forgets_oldest);
    tcase_add_test(t, browser_frames_in_browser_style);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
