/* SPDX-License-Identifier: MIT */
/* The client (src/runtime/client.c) without sockets: what it builds. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/client.h"
#include "mailslot/validate.h"
#include "guard.h"

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
    ms_client *c;
    ck_assert_msg(ms_client_open("127.0.0.1", "\\MAILSLOT\\BROWSE", &o, &c, err, sizeof err) ==
                      MS_OK,
                  "%s", err);
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
    ck_assert_msg(ms_client_open("127.0.0.1", "\\MAILSLOT\\app", &o, &c, err, sizeof err) ==
                      MS_OK,
                  "%s", err);
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
    Suite *s = suite_create("client");
    TCase *t = tcase_create("build");
    tcase_add_test(t, browser_frames_in_browser_style);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
