/* SPDX-License-Identifier: MIT */
/* The client's plan (src/runtime/client_plan.c), without sockets: which
 * names, message type, destination and size limit each kind of target
 * gets (PROTOCOL.md §5.3, §5.4, §2.8). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "client_plan.h"
#include "guard.h"

static char err[512];
static ms_client_opts o;
/* eth0 192.0.2.1/24 */
static const ms_iface eth = { .name = "eth0", .addr = 0xC0000201u, .netmask = 0xFFFFFF00u,
                              .bcast = 0xC00002FFu, .index = 2 };

static void setup(void)
{
    ms_client_opts_init(&o);
    o.workgroup = "LABGROUP";
    o.dport = 138;
    err[0] = '\0';
}

static void name_is(const ms_nb_name *n, const char *text)
{
    char buf[300];
    ms_nb_name_format(n, buf, sizeof buf);
    ck_assert_str_eq(buf, text);
}

static client_plan plan_ok(const char *target, const char *slot, const ms_iface *ifc)
{
    client_plan p;
    ms_status st = ms_client_plan(target, slot, &o, ifc, "MYHOST", &p, err, sizeof err);
    ck_assert_msg(st == MS_OK, "%s: %s", target, err);
    return p;
}

START_TEST(host_is_unique_and_resolved)
{
    client_plan p = plan_ok("\\\\fileserver", "\\MAILSLOT\\app", &eth);
    ck_assert_int_eq(p.info.kind, MS_TARGET_HOST);
    ck_assert_uint_eq(p.info.type, MS_NBDS_DIRECT_UNIQUE);
    ck_assert_int_eq(p.dest, PLAN_DEST_RESOLVE);
    name_is(&p.info.dst, "FILESERVER<00>");
    name_is(&p.info.src, "MYHOST<00>");
    ck_assert_int_eq(p.sender, MS_SENDER_WINDOWS_REDIRECTOR);
    /* 512 minus the redirector's DataOffset for \MAILSLOT\app: 32
     * (SMB header) + 1 + 2 x 17 words + 2 (ByteCount) + 14 (the name and
     * its NUL) = 83, padded to 84. */
    ck_assert_uint_eq(p.info.max_data, 512 - 84);
}
END_TEST

START_TEST(domain_star_and_broadcast)
{
    client_plan p = plan_ok("\\\\labgroup", "\\MAILSLOT\\BROWSE", &eth);
    ck_assert_int_eq(p.info.kind, MS_TARGET_DOMAIN);
    ck_assert_uint_eq(p.info.type, MS_NBDS_DIRECT_GROUP);
    ck_assert_int_eq(p.dest, PLAN_DEST_BROADCAST);
    ck_assert_uint_eq(p.info.dst_ip, 0xC00002FFu);
    name_is(&p.info.dst, "LABGROUP<00>");
    ck_assert_int_eq(p.sender, MS_SENDER_WINDOWS_BROWSER);
    ck_assert_uint_eq(p.info.max_data, 424);

    p = plan_ok("\\\\*", "\\MAILSLOT\\x", NULL);
    ck_assert_int_eq(p.info.kind, MS_TARGET_ALL);
    ck_assert_uint_eq(p.info.dst_ip, 0xFFFFFFFFu); /* no interface known */
    name_is(&p.info.dst, "LABGROUP<00>");

    /* Forced BROADCAST: "*" and the scope of the name given. */
    o.type = MS_NBDS_BROADCAST;
    o.dest_name = "ANY<1d>.corp";
    p = plan_ok("\\\\somebody", "\\MAILSLOT\\x", &eth);
    ck_assert_int_eq(p.info.kind, MS_TARGET_DOMAIN);
    ck_assert_uint_eq(p.info.type, MS_NBDS_BROADCAST);
    ck_assert_int_eq(p.dest, PLAN_DEST_BROADCAST);
    /* '*', 14 octets 0x00, suffix 0x00 (RFC 1002 §4.4.3). */
    name_is(&p.info.dst, "*<00><00><00><00><00><00><00><00><00><00><00><00><00><00><00>.corp");
}
END_TEST

START_TEST(addresses)
{
    client_plan p;
    /* A unicast address needs the destination name. */
    ck_assert_int_eq(ms_client_plan("192.0.2.7", "\\MAILSLOT\\x", &o, &eth, "MYHOST", &p, err,
                                    sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "destination name"));
    o.dest_name = "PEER<03>";
    o.from = "SENDER<20>";
    p = plan_ok("192.0.2.7", "\\MAILSLOT\\x", &eth);
    ck_assert_int_eq(p.info.kind, MS_TARGET_ADDRESS);
    ck_assert_uint_eq(p.info.type, MS_NBDS_DIRECT_UNIQUE);
    ck_assert_int_eq(p.dest, PLAN_DEST_ADDRESS);
    ck_assert_uint_eq(p.info.dst_ip, 0xC0000207u);
    name_is(&p.info.dst, "PEER<03>");
    name_is(&p.info.src, "SENDER<20>");
    /* The subnet's broadcast address: a group write to the workgroup. */
    o.dest_name = NULL;
    p = plan_ok("192.0.2.255", "\\MAILSLOT\\x", &eth);
    ck_assert_uint_eq(p.info.type, MS_NBDS_DIRECT_GROUP);
    name_is(&p.info.dst, "LABGROUP<00>");
}
END_TEST

START_TEST(local_and_refusals)
{
    client_plan p = plan_ok("\\\\.", "\\\\.\\mailslot\\here", NULL);
    ck_assert_int_eq(p.dest, PLAN_DEST_LOCAL);
    ck_assert_str_eq(p.info.slot, "\\MAILSLOT\\here");
    ck_assert_int_eq(ms_client_plan("\\\\h", "\\PIPE\\x", &o, &eth, "MYHOST", &p, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "not a mailslot name"));
    ck_assert_int_eq(ms_client_plan("\\\\ABCDEFGHIJKLMNOP", "\\MAILSLOT\\x", &o, &eth, "MYHOST",
                                    &p, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "longer than 15"));
    ck_assert_int_eq(ms_client_plan("\\\\", "\\MAILSLOT\\x", &o, &eth, "MYHOST", &p, err,
                                    sizeof err),
                     MS_ERR_INVALID_ARG);
    o.type = MS_NBDS_ERROR;
    ck_assert_int_eq(ms_client_plan("\\\\h", "\\MAILSLOT\\x", &o, &eth, "MYHOST", &p, err,
                                    sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "does not carry mailslot data"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("client_plan");
    TCase *t = tcase_create("plan");
    tcase_add_checked_fixture(t, setup, NULL);
    tcase_add_test(t, host_is_unique_and_resolved);
    tcase_add_test(t, domain_star_and_broadcast);
    tcase_add_test(t, addresses);
    tcase_add_test(t, local_and_refusals);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
