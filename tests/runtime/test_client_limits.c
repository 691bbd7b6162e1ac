/* SPDX-License-Identifier: MIT */
/* The size rules of the client (src/runtime/client_limits.c): every limit
 * a message breaks is named at once, and a sweep over data sizes,
 * mailslot-name lengths, message types and layouts finds no frame the
 * client accepts that the validator calls malformed (a MUST finding), and
 * no frame it refuses that breaks no rule. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_limits.h"
#include "guard.h"
#include "mailslot/validate.h"

static ms_client *open_client(const char *slot, uint8_t type, int layout, bool force)
{
    char err[256];
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.no_socket = true;
    o.from = "SWEEPER";
    o.dest_name = "TARGET<00>";
    o.type = type;
    o.layout = layout;
    o.force_size = force;
    ms_client *c;
    ck_assert_msg(ms_client_open("192.0.2.7", slot, &o, &c, err, sizeof err) == MS_OK, "%s: %s",
                  slot, err);
    return c;
}

/* The group limit and the SMB limit broken together: both named, each
 * with its excess, in one line (issue 15: a 60-character name took 424
 * octets past the SMB limit). */
START_TEST(every_limit_at_once)
{
    char slot[80] = "\\MAILSLOT\\", err[512];
    memset(slot + 10, 'n', 60);
    slot[70] = '\0';
    ms_client *c = open_client(slot, MS_NBDS_DIRECT_GROUP, MS_LAYOUT_WINDOWS, false);
    static uint8_t data[600], buf[2048];
    ms_write_result r;
    /* DataOffset 70 + 70 = 140 (redirector, already aligned): 372 fit. */
    ck_assert_uint_eq(ms_client_get_info(c)->max_data, 372);
    ck_assert_int_eq(ms_client_build(c, data, 424, buf, sizeof buf, &r, err, sizeof err),
                     MS_ERR_TOO_BIG);
    ck_assert_str_eq(err, "message of 424 octets (372 data octets fit) is over a limit: its SMB "
                          "message would be 564 octets, 52 over 512 (PROTOCOL.md §5.4)");
    ck_assert_int_eq(ms_client_build(c, data, 430, buf, sizeof buf, &r, err, sizeof err),
                     MS_ERR_TOO_BIG);
    ck_assert_str_eq(err, "message of 430 octets (372 data octets fit) is over 2 limits: its SMB "
                          "message would be 570 octets, 58 over 512; a group write carries at "
                          "most 424 data octets, 6 over (PROTOCOL.md §5.4)");
    ck_assert_int_eq(ms_client_build(c, data, 372, buf, sizeof buf, &r, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_client_build(c, data, 373, buf, sizeof buf, &r, err, sizeof err),
                     MS_ERR_TOO_BIG);
    ms_client_close(c);

    c = open_client("\\MAILSLOT\\x", MS_NBDS_BROADCAST, MS_LAYOUT_WINDOWS, false);
    ck_assert_int_eq(ms_client_build(c, data, 425, buf, sizeof buf, &r, err, sizeof err),
                     MS_ERR_TOO_BIG);
    ck_assert_str_eq(err, "message of 425 octets (424 data octets fit) is over a limit: a "
                          "broadcast write carries at most 424 data octets, 1 over (PROTOCOL.md "
                          "§5.4)");
    ms_client_close(c);
}
END_TEST

/* The same rules for any write, as send --json holds its frames to them. */
START_TEST(write_limits_for_any_frame)
{
    char err[512];
    ck_assert_uint_eq(ms_write_limits(MS_NBDS_DIRECT_GROUP, 86, 424, 0, err, sizeof err), 0);
    ck_assert_uint_eq(ms_write_limits(MS_NBDS_DIRECT_UNIQUE, 86, 426, 0, err, sizeof err), 0);
    ck_assert_uint_eq(ms_write_limits(MS_NBDS_DIRECT_UNIQUE, 86, 427, 0, err, sizeof err), 1);
    ck_assert_str_eq(err, "message of 427 octets (426 data octets fit) is over a limit: its SMB "
                          "message would be 513 octets, 1 over 512 (PROTOCOL.md §5.4)");
    ck_assert_uint_eq(ms_write_limits(MS_NBDS_BROADCAST, 140, 430, 0, err, sizeof err), 2);
    ck_assert_uint_eq(ms_write_limits(MS_NBDS_DIRECT_GROUP, 86, 373, 52, err, sizeof err), 1);
    ck_assert_str_eq(err, "message of 373 octets with the 52-octet authentication trailer (372 "
                          "data octets fit with authentication) is over a limit: a group write "
                          "carries at most 424 data octets, 1 over (PROTOCOL.md §5.4)");
    /* A DataOffset past 512 leaves room for nothing. */
    ck_assert_uint_eq(ms_write_limits(MS_NBDS_DIRECT_UNIQUE, 600, 0, 0, err, sizeof err), 1);
}
END_TEST

static ms_message m;
static ms_report rep;

/* Which of the two rules the frame breaks, as the validator says. */
static void validate(const uint8_t *p, size_t n, bool *must, bool *size_rule)
{
    ck_assert_int_eq(ms_message_decode(p, n, &m), MS_OK);
    ck_assert_int_eq(m.kind, MS_PAYLOAD_NONE);
    ms_report_reset(&rep, MS_REPORT_NO_TEXT);
    ms_validate(p, n, &m, NULL, &rep);
    *must = rep.must > 0;
    *size_rule = false;
    for (size_t i = 0; i < rep.count; i++)
        if (!strcmp(rep.items[i].rule->id, "D-11") || !strcmp(rep.items[i].rule->id, "D-13"))
            *size_rule = true;
}

/* Data sizes 0..600 x name tails of 1..245 octets x unique, group,
 * broadcast x the two DataOffsets (padded: Windows' layout of these names,
 * the redirector's; unpadded: the browser service's, nmbd's): accepted
 * frames break no MUST rule and no size rule; refused ones break D-11 or
 * D-13 when sent anyway. The names select no payload codec, so the
 * octets checked are the write's, not a browser or NETLOGON frame's
 * (whose rules hold the data to its opcode's layout). */
START_TEST(sweep)
{
    static const uint8_t types[] = { MS_NBDS_DIRECT_UNIQUE, MS_NBDS_DIRECT_GROUP,
                                     MS_NBDS_BROADCAST };
    static const int layouts[] = { MS_LAYOUT_WINDOWS, MS_LAYOUT_WINDOWS_BROWSER,
                                   MS_LAYOUT_SAMBA_NMBD };
    static uint8_t data[601], buf[2048];
    size_t accepted = 0, refused = 0;
    char err[512];
    for (size_t tail = 1; tail <= 245; tail++) {
        char slot[300] = "\\MAILSLOT\\";
        memset(slot + 10, 'a' + (char)(tail % 26), tail);
        slot[10 + tail] = '\0';
        for (size_t ti = 0; ti < 3; ti++)
            for (size_t li = 0; li < 3; li++) {
                ms_client *c = open_client(slot, types[ti], layouts[li], false);
                ms_client *f = open_client(slot, types[ti], layouts[li], true);
                for (size_t len = 0; len <= 600; len++) {
                    ms_write_result r;
                    bool must, size_rule;
                    ms_status st = ms_client_build(c, data, len, buf, sizeof buf, &r, err,
                                                   sizeof err);
                    if (st == MS_OK) {
                        validate(buf, r.payload_len, &must, &size_rule);
                        ck_assert_msg(!must && !size_rule, "%s type 0x%x layout %d len %zu: %s",
                                      slot, types[ti], layouts[li], len,
                                      rep.count ? rep.items[0].rule->id : "");
                        accepted++;
                        continue;
                    }
                    ck_assert_int_eq(st, MS_ERR_TOO_BIG);
                    ck_assert_int_eq(ms_client_build(f, data, len, buf, sizeof buf, &r, err,
                                                     sizeof err),
                                     MS_OK);
                    validate(buf, r.payload_len, &must, &size_rule);
                    ck_assert_msg(size_rule, "%s len %zu refused, but no size rule broken", slot,
                                  len);
                    refused++;
                }
                ms_client_close(c);
                ms_client_close(f);
            }
    }
    ck_assert_uint_gt(accepted, 100000);
    ck_assert_uint_gt(refused, 100000);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("client_limits");
    TCase *t = tcase_create("limits");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, every_limit_at_once);
    tcase_add_test(t, write_limits_for_any_frame);
    tcase_add_test(t, sweep);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
