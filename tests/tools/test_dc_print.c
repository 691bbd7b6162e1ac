/* SPDX-License-Identifier: MIT */
/* dcping's line per DC reply (tools/print/dc_print.c): a Windows DC's
 * LOGON_SAM_LOGON_RESPONSE_EX from the shared captures, and the NT 4.0
 * form nmbd sends, built here. The test executables link only the
 * library, so the printer's sources are included. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "shared_frames.h"

#include "dc_print.c"
#include "escape.c"

static ms_message m;
static char line[2048];

/* The line for a reply from `name` at `ip` whose NETLOGON data is d. */
static const char *print(const uint8_t *d, size_t n, const char *name, uint32_t ip)
{
    memset(&m, 0, sizeof m);
    ck_assert_int_eq(ms_netlogon_decode(d, n, &m.netlogon, NULL), MS_OK);
    ck_assert_int_eq(ms_nb_name_parse(&m.dgram.src, name, strlen(name)), MS_OK);
    ms_udp_datagram u = { .ip_src = ip };
    FILE *f = fmemopen(line, sizeof line, "w");
    ck_assert_ptr_nonnull(f);
    dc_reply_line(f, &u, &m);
    fclose(f);
    return line;
}

static const char *skip_why;

/* elcab_more_netshare_nbt.pcapng #5: Windows DC SNICKLEFRITZ's 0x17. */
START_TEST(windows_ex_reply)
{
    uint8_t d[512];
    size_t n;
    char err[256];
    if (shared_frame_data("elcab_more_netshare_nbt.pcapng", 5, d, sizeof d, &n, err,
                          sizeof err) != SHARED_FRAME_OK) {
        skip_why = "shared captures not found (set MAILSLOT_SHARED)";
        return;
    }
    ck_assert_str_eq(print(d, n, "SNICKLEFRITZ<00>", 0xC0A801C3),
                     "192.168.1.195 SNICKLEFRITZ<00> LOGON_SAM_LOGON_RESPONSE_EX (0x17): flags "
                     "0x33fd (PDC|GC|LDAP|DS|KDC|TIMESERV|CLOSEST|WRITABLE|GOOD_TIMESERV|"
                     "FULL_SECRET_DOMAIN_6|WS) guid {1cf54cdf-31d0-4ffb-9b75-b0bc6b579c6e} forest "
                     "picklesworth.local dns-domain picklesworth.local host "
                     "SnickleFritz.picklesworth.local domain PICKLESWORTH dc SNICKLEFRITZ site "
                     "Default-First-Site-Name client-site Default-First-Site-Name address "
                     "192.168.1.195 nt-version 0xd (V1|V5EX|V5EP)\n");
}
END_TEST

/* The NT 4.0 response (PROTOCOL.md §7.4.4) nmbd answers a classic PDC's
 * pings with: a logon server "\\LABPEER" kept as it is, an empty user
 * left out, anything outside printable ASCII escaped. */
START_TEST(nt40_reply)
{
    static const uint8_t d[] = {
        0x13, 0x00,
        '\\', 0, '\\', 0, 'L', 0, 'A', 0, 'B', 0, 0xe9, 0, 0, 0, /* \\LABé */
        0, 0,                                                     /* user "" */
        'M', 0, 'S', 0, 'L', 0, 'A', 0, 'B', 0, 0, 0,             /* MSLAB */
        0x01, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
    };
    ck_assert_str_eq(print(d, sizeof d, "LABPEER<00>", 0xC000020A),
                     "192.0.2.10 LABPEER<00> LOGON_SAM_LOGON_RESPONSE (0x13): server \\\\LAB\\u00e9 "
                     "domain MSLAB nt-version 0x1 (V1)\n");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dc_print");
    TCase *t = tcase_create("lines");
    tcase_add_test(t, nt40_reply);
    tcase_add_test(t, windows_ex_reply);
    suite_add_tcase(s, t);
    int rc = run_suite(s, NULL);
    return rc ? rc : skip_why ? skip_or_fail(skip_why) : 0;
}
