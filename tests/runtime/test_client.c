/* SPDX-License-Identifier: MIT */
/* The client (src/runtime/client.c) without sockets: what it builds. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/client.h"
#include "mailslot/validate.h"
#include "guard.h"
#include "vectors.h"

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

/* ms_client_build against PROTOCOL.md's byte-level examples: the same
 * octets but the DGM_ID (fresh per datagram). */
static void builds(const char *hex, const char *target, const char *slot, ms_client_opts *o,
                   size_t data_at, size_t data_len)
{
    static uint8_t want[512], buf[1024];
    char err[256];
    size_t len = hex_to_bytes(hex, want, sizeof want);
    o->no_socket = true;
    ms_client *c;
    ck_assert_msg(ms_client_open(target, slot, o, &c, err, sizeof err) == MS_OK, "%s", err);
    ms_write_result r;
    ck_assert_int_eq(ms_client_build(c, want + data_at, data_len, buf, sizeof buf, &r, err,
                                     sizeof err),
                     MS_OK);
    ck_assert_uint_eq(r.payload_len, len);
    buf[2] = want[2];
    buf[3] = want[3];
    ck_assert_mem_eq(buf, want, len);
    ms_client_close(c);
}

START_TEST(builds_the_protocol_examples)
{
    ms_client_opts o;
    /* §4.7: \\\\SERVER1\\mailslot\\DEMO1 from an H node: Windows' layout. */
    ms_client_opts_init(&o);
    o.from = "CLIENT";
    o.dest_name = "SERVER1<00>";
    o.src_ip = 0xC0A80114;
    o.node_type = MS_NODE_H;
    builds(VEC_EXAMPLE_B, "192.168.1.10", "\\MAILSLOT\\DEMO1", &o, 82 + 88, 3);
    /* §7.8: the redirector-shaped ping (Windows' services use the browser
     * shape for NET\\..., so it takes --as windows-redirector). */
    ms_client_opts_init(&o);
    o.from = "HOST01";
    o.dest_name = "SCAPY<1c>";
    o.src_ip = 0xAC135001;
    o.layout = MS_LAYOUT_WINDOWS_REDIRECTOR;
    builds(VEC_NETLOGON_PING, "172.19.80.2", "\\MAILSLOT\\NET\\NETLOGON", &o, 82 + 92, 64);
    /* The old option still picks a shape. */
    ms_client_opts_init(&o);
    o.from = "HOST01";
    o.dest_name = "SCAPY<1c>";
    o.src_ip = 0xAC135001;
    o.style = MS_STYLE_REDIRECTOR;
    builds(VEC_NETLOGON_PING, "172.19.80.2", "\\MAILSLOT\\NET\\NETLOGON", &o, 82 + 92, 64);
}
END_TEST

START_TEST(refuses_unknown_layouts)
{
    char err[256];
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.no_socket = true;
    o.from = "A";
    o.dest_name = "B<00>";
    ms_client *c;
    o.layout = MS_LAYOUT_SAMBA_AD + 1;
    ck_assert_int_eq(ms_client_open("10.0.0.1", "\\MAILSLOT\\x", &o, &c, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_null(c);
    o.layout = MS_LAYOUT_WINDOWS;
    o.node_type = MS_NODE_H + 1;
    ck_assert_int_eq(ms_client_open("10.0.0.1", "\\MAILSLOT\\x", &o, &c, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    /* samba-ad: its own node type, H. */
    o.node_type = MS_NODE_DEFAULT;
    o.layout = MS_LAYOUT_SAMBA_AD;
    ck_assert_int_eq(ms_client_open("10.0.0.1", "\\MAILSLOT\\x", &o, &c, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_client_get_info(c)->sender, MS_SENDER_SAMBA_AD);
    ck_assert_uint_eq(ms_client_get_info(c)->nbds_flags, 0x0E);
    ms_client_close(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("client");
    TCase *t = tcase_create("build");
    tcase_add_test(t, browser_frames_in_browser_style);
    tcase_add_test(t, builds_the_protocol_examples);
    tcase_add_test(t, refuses_unknown_layouts);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
