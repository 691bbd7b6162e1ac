/* SPDX-License-Identifier: MIT */
/* The senders' shapes (src/mailslot/layout.c, layout_match.c) against the
 * byte-level examples of PROTOCOL.md: worked example B (§4.7, redirector,
 * H node), the DC-locator ping (§7.8, redirector, B node) and worked
 * example A (§4.6, browser service). Each is built again from its names
 * and data and compared octet for octet; then which sender each matches,
 * where frames depart from a shape, and the rules behind the priority. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "mailslot/layout.h"
#include "vectors.h"

static uint8_t vec[1024], out[1024];
static ms_message m, e;

static size_t load(const char *hex)
{
    return hex_to_bytes(hex, vec, sizeof vec);
}

/* A datagram from its parts, the SMB write laid out by sender s. */
static size_t build(ms_sender s, ms_node_type nt, uint8_t type, uint16_t id, uint32_t ip,
                    const char *src, const char *dst, const char *slot, const uint8_t *data,
                    size_t len)
{
    memset(&e, 0, sizeof e);
    e.dgram.type = type;
    e.dgram.flags = ms_sender_nbds_flags(s, nt);
    e.dgram.id = id;
    e.dgram.src_ip = ip;
    e.dgram.src_port = 138;
    e.dgram.auto_fields = MS_DGRAM_AUTO_LENGTH;
    ck_assert_int_eq(ms_nb_name_parse(&e.dgram.src, src, strlen(src)), MS_OK);
    ck_assert_int_eq(ms_nb_name_parse(&e.dgram.dst, dst, strlen(dst)), MS_OK);
    ms_layout_init(&e.smb, &e.trans, s, slot, data, len, e.dgram.src.name[15]);
    e.has_smb = true;
    size_t n = 0;
    ck_assert_int_eq(ms_message_encode(&e, out, sizeof out, &n), MS_OK);
    return n;
}

/* §4.7: "hi" from CLIENT<00> (H node) to \\SERVER1\mailslot\DEMO1. */
START_TEST(windows_builds_example_b)
{
    size_t len = load(VEC_EXAMPLE_B);
    ms_sender s = ms_layout_sender(MS_LAYOUT_WINDOWS, "\\MAILSLOT\\DEMO1", 15);
    ck_assert_int_eq(s, MS_SENDER_WINDOWS_REDIRECTOR);
    size_t n = build(s, MS_NODE_H, MS_NBDS_DIRECT_UNIQUE, 0x1234, 0xC0A80114, "CLIENT<00>",
                     "SERVER1<00>", "\\MAILSLOT\\DEMO1", (const uint8_t *)"hi", 3);
    ck_assert_uint_eq(n, len);
    ck_assert_mem_eq(out, vec, len);
    ck_assert_uint_eq(ms_layout_data_offset(s, 15), 88);
}
END_TEST

/* §7.8: Windows' one redirector-shaped ping (30 of 31 captured pings are
 * the browser service's shape, which is what "windows" picks for NET\). */
START_TEST(redirector_builds_the_ping)
{
    size_t len = load(VEC_NETLOGON_PING);
    const char *slot = "\\MAILSLOT\\NET\\NETLOGON";
    ck_assert_int_eq(ms_layout_sender(MS_LAYOUT_WINDOWS, slot, strlen(slot)),
                     MS_SENDER_WINDOWS_BROWSER);
    ms_sender s = ms_layout_sender(MS_LAYOUT_WINDOWS_REDIRECTOR, slot, strlen(slot));
    size_t n = build(s, MS_NODE_DEFAULT, MS_NBDS_DIRECT_UNIQUE, 0xde9d, 0xAC135001, "HOST01<00>",
                     "SCAPY<1c>", slot, vec + 82 + 92, 64);
    ck_assert_uint_eq(n, len);
    ck_assert_mem_eq(out, vec, len);
}
END_TEST

/* §4.6: the example's SMB octets are the browser service's for a
 * HostAnnouncement from <20> (priority 0, §4.2). The example names the
 * source SERVER1<00>, and from [00] the rule (and the one such captured
 * Windows frame, ppp_solaris-snoop.pcap #100) gives priority 1: the only
 * octet that differs. */
START_TEST(browser_builds_example_a)
{
    size_t len = load(VEC_EXAMPLE_A);
    ms_sender s = ms_layout_sender(MS_LAYOUT_WINDOWS, "\\MAILSLOT\\BROWSE", 16);
    ck_assert_int_eq(s, MS_SENDER_WINDOWS_BROWSER);
    size_t n = build(s, MS_NODE_B, MS_NBDS_DIRECT_GROUP, 0x8021, 0xC0A8010A, "SERVER1<20>",
                     "WORKGROUP<1d>", "\\MAILSLOT\\BROWSE", vec + 82 + 86, 33);
    ck_assert_uint_eq(n, len);
    ck_assert_mem_eq(out + 82, vec + 82, len - 82);   /* the SMB message */
    ck_assert_mem_eq(out, vec, 0x2d);                 /* up to the suffix */
    n = build(s, MS_NODE_B, MS_NBDS_DIRECT_GROUP, 0x8021, 0xC0A8010A, "SERVER1<00>",
              "WORKGROUP<1d>", "\\MAILSLOT\\BROWSE", vec + 82 + 86, 33);
    ck_assert_mem_eq(out, vec, 82 + 63);
    ck_assert_uint_eq(out[82 + 63], 1);               /* priority */
    ck_assert_mem_eq(out + 82 + 64, vec + 82 + 64, len - 82 - 64);
}
END_TEST

START_TEST(the_examples_match_their_senders)
{
    size_t len = load(VEC_EXAMPLE_B);
    ms_message_decode(vec, len, &m);
    ck_assert_uint_eq(ms_sender_match(&m), 1u << MS_SENDER_WINDOWS_REDIRECTOR);
    len = load(VEC_NETLOGON_PING);
    ms_message_decode(vec, len, &m);
    ck_assert_uint_eq(ms_sender_match(&m), 1u << MS_SENDER_WINDOWS_REDIRECTOR);
    /* Example A as named (priority 0 from [00]) is no sender's; from <20>
     * it is the browser service's. */
    len = load(VEC_EXAMPLE_A);
    ms_message_decode(vec, len, &m);
    ck_assert_uint_eq(ms_sender_match(&m), 0);
    m.dgram.src.name[15] = 0x20;
    ck_assert_uint_eq(ms_sender_match(&m), 1u << MS_SENDER_WINDOWS_BROWSER);
}
END_TEST

/* Shapes that coincide are all named; a frame made by one sender's
 * layout matches that sender. */
START_TEST(each_shape_matches_itself)
{
    static const uint8_t req[] = { 0x09, 0x04, 0x01, 0x00, 0x00, 0x00 };
    for (int s = 0; s < MS_SENDER_COUNT; s++) {
        size_t n = build((ms_sender)s, MS_NODE_DEFAULT, MS_NBDS_DIRECT_GROUP, 1, 0x0A000001,
                         "PC<00>", "WG<1d>", "\\MAILSLOT\\BROWSE", req, sizeof req);
        ck_assert_int_eq(ms_message_decode(out, n, &m), MS_OK);
        unsigned bits = ms_sender_match(&m);
        ck_assert_msg(bits & (1u << s), "%s", ms_sender_name((ms_sender)s));
        ck_assert_uint_eq(ms_layout_departures(&m, (ms_sender)s, NULL, 0), 0);
    }
    /* The browser service on an H node at priority 1 is also Samba's AD
     * server; its HostAnnouncement from <20> (priority 0) is not. */
    size_t n = build(MS_SENDER_WINDOWS_BROWSER, MS_NODE_H, MS_NBDS_DIRECT_GROUP, 1, 0x0A000001,
                     "PC<00>", "WG<1d>", "\\MAILSLOT\\BROWSE", req, sizeof req);
    ms_message_decode(out, n, &m);
    ck_assert_uint_eq(ms_sender_match(&m),
                      1u << MS_SENDER_WINDOWS_BROWSER | 1u << MS_SENDER_SAMBA_AD);
    uint8_t ann[33] = { 0x01 };
    n = build(MS_SENDER_WINDOWS_BROWSER, MS_NODE_H, MS_NBDS_DIRECT_GROUP, 1, 0x0A000001, "PC<20>",
              "WG<1d>", "\\MAILSLOT\\BROWSE", ann, sizeof ann);
    ms_message_decode(out, n, &m);
    ck_assert_uint_eq(ms_sender_match(&m), 1u << MS_SENDER_WINDOWS_BROWSER);
    /* win9x and nmbd differ in the node type only. */
    n = build(MS_SENDER_SAMBA_NMBD, MS_NODE_B, MS_NBDS_DIRECT_GROUP, 1, 0x0A000001, "PC<00>",
              "WG<1d>", "\\MAILSLOT\\BROWSE", req, sizeof req);
    ms_message_decode(out, n, &m);
    ck_assert_uint_eq(ms_sender_match(&m), 1u << MS_SENDER_WIN9X);
}
END_TEST

/* nmbd's frame against the browser service: exactly the node type and the
 * Timeout, at their offsets. */
START_TEST(departures_name_each_field)
{
    static const uint8_t req[] = { 0x09, 0x04, 0x01, 0x00, 0x00, 0x00 };
    size_t n = build(MS_SENDER_SAMBA_NMBD, MS_NODE_DEFAULT, MS_NBDS_DIRECT_GROUP, 7, 0x0A000001,
                     "PC<00>", "WG<1d>", "\\MAILSLOT\\BROWSE", req, sizeof req);
    ms_message_decode(out, n, &m);
    ms_layout_departure d[8];
    ck_assert_uint_eq(ms_layout_departures(&m, MS_SENDER_WINDOWS_BROWSER, d, 8), 2);
    ck_assert_str_eq(d[0].field, "nbdgm.flags");
    ck_assert_uint_eq(d[0].offset, 1);
    ck_assert_uint_eq(d[0].have, 0x0A);
    ck_assert_uint_eq(d[0].want, 0x02);
    ck_assert_str_eq(d[1].field, "trans.timeout");
    ck_assert_uint_eq(d[1].offset, 82 + 45);
    ck_assert_uint_eq(d[1].have, 0);
    ck_assert_uint_eq(d[1].want, 1000);
    /* Against the redirector: header, words, pad and priority; a count
     * larger than cap is still counted. */
    size_t all = ms_layout_departures(&m, MS_SENDER_WINDOWS_REDIRECTOR, d, 2);
    ck_assert_uint_eq(all, 9); /* node type, 3 header fields, 3 words, pad, priority */
    ck_assert_str_eq(d[0].field, "nbdgm.flags");
    ck_assert_str_eq(d[1].field, "smb.flags");
}
END_TEST

/* A frame no encoder writes (a count or a reserved field off) matches
 * nobody, whatever its shape fields say. */
START_TEST(odd_frames_match_nobody)
{
    static const uint8_t req[] = { 0x09, 0x04, 0x01, 0x00, 0x00, 0x00 };
    size_t n = build(MS_SENDER_WINDOWS_BROWSER, MS_NODE_DEFAULT, MS_NBDS_DIRECT_GROUP, 1,
                     0x0A000001, "PC<00>", "WG<1d>", "\\MAILSLOT\\BROWSE", req, sizeof req);
    static const size_t smb_octet[] = { 33, 37 + 2, 41, 42, 49, 51, 60, 61, 67 };
    for (size_t i = 0; i < sizeof smb_octet / sizeof smb_octet[0]; i++) {
        uint8_t f[256];
        memcpy(f, out, n);
        f[82 + smb_octet[i]] ^= 0x01;
        ck_assert_int_eq(ms_message_decode(f, n, &m) == MS_OK || m.has_smb, 1);
        ck_assert_msg(ms_sender_match(&m) == 0, "SMB octet %zu", smb_octet[i]);
    }
    /* DGM_LENGTH off by one. */
    out[11] ^= 1;
    ms_message_decode(out, n, &m);
    ck_assert_uint_eq(ms_sender_match(&m), 0);
}
END_TEST

START_TEST(priority_rule)
{
    const char *b = "\\MAILSLOT\\BROWSE", *l = "\\MAILSLOT\\LANMAN", *n = "\\MAILSLOT\\NET\\NETLOGON";
    static const uint8_t host[] = { 0x01 }, lmb[] = { 0x0F }, req[] = { 0x02 }, dom[] = { 0x0C };
    ms_sender w = MS_SENDER_WINDOWS_BROWSER;
    ck_assert_uint_eq(ms_sender_priority(w, b, 16, host, 1, 0x20), 0);
    ck_assert_uint_eq(ms_sender_priority(w, b, 16, lmb, 1, 0x20), 0);
    ck_assert_uint_eq(ms_sender_priority(w, l, 16, host, 1, 0x20), 0);
    ck_assert_uint_eq(ms_sender_priority(w, b, 16, host, 1, 0x00), 1);
    ck_assert_uint_eq(ms_sender_priority(w, b, 16, req, 1, 0x20), 1);
    ck_assert_uint_eq(ms_sender_priority(w, b, 16, dom, 1, 0x20), 1);
    ck_assert_uint_eq(ms_sender_priority(w, n, strlen(n), host, 1, 0x20), 1);
    ck_assert_uint_eq(ms_sender_priority(w, b, 16, NULL, 0, 0x20), 1);
    ck_assert_uint_eq(ms_sender_priority(MS_SENDER_WINDOWS_REDIRECTOR, b, 16, host, 1, 0x20), 0);
    ck_assert_uint_eq(ms_sender_priority(MS_SENDER_WIN9X, b, 16, host, 1, 0x20), 1);
    ck_assert_uint_eq(ms_sender_priority(MS_SENDER_SAMBA_NMBD, b, 16, host, 1, 0x20), 1);
    ck_assert_uint_eq(ms_sender_priority(MS_SENDER_SAMBA_AD, b, 16, host, 1, 0x20), 1);
}
END_TEST

START_TEST(names_flags_and_windows_choice)
{
    static const char *const names[] = { "windows", "windows-browser", "windows-redirector",
                                         "win9x", "samba-nmbd", "samba-ad" };
    for (int l = 0; l < 6; l++) {
        ms_layout got;
        ck_assert_str_eq(ms_layout_name((ms_layout)l), names[l]);
        ck_assert_int_eq(ms_layout_parse(names[l], &got), MS_OK);
        ck_assert_int_eq(got, l);
    }
    ms_layout got;
    ck_assert_int_eq(ms_layout_parse("samba", &got), MS_ERR_INVALID_ARG);
    ck_assert_ptr_null(ms_sender_name(MS_SENDER_COUNT));
    ck_assert_ptr_null(ms_layout_name((ms_layout)6));

    ck_assert_uint_eq(ms_sender_nbds_flags(MS_SENDER_WINDOWS_BROWSER, MS_NODE_DEFAULT), 0x02);
    ck_assert_uint_eq(ms_sender_nbds_flags(MS_SENDER_WINDOWS_BROWSER, MS_NODE_P), 0x06);
    ck_assert_uint_eq(ms_sender_nbds_flags(MS_SENDER_WIN9X, MS_NODE_H), 0x0E);
    ck_assert_uint_eq(ms_sender_nbds_flags(MS_SENDER_SAMBA_NMBD, MS_NODE_DEFAULT), 0x0A);
    ck_assert_uint_eq(ms_sender_nbds_flags(MS_SENDER_SAMBA_AD, MS_NODE_DEFAULT), 0x0E);
    ck_assert_uint_eq(ms_sender_nbds_flags(MS_SENDER_SAMBA_AD, MS_NODE_B), 0x02);

    /* Windows' services for BROWSE, LANMAN and NET\..., in any case. */
    static const struct { const char *slot; ms_sender s; } w[] = {
        { "\\MAILSLOT\\BROWSE", MS_SENDER_WINDOWS_BROWSER },
        { "\\mailslot\\lanman", MS_SENDER_WINDOWS_BROWSER },
        { "\\MAILSLOT\\NET\\GETDC042", MS_SENDER_WINDOWS_BROWSER },
        { "\\MAILSLOT\\Net\\x", MS_SENDER_WINDOWS_BROWSER },
        { "\\MAILSLOT\\NET\\", MS_SENDER_WINDOWS_REDIRECTOR },
        { "\\MAILSLOT\\NETLOGON", MS_SENDER_WINDOWS_REDIRECTOR },
        { "\\MAILSLOT\\BROWSER", MS_SENDER_WINDOWS_REDIRECTOR },
        { "\\MAILSLOT\\TEMP\\NETLOGON", MS_SENDER_WINDOWS_REDIRECTOR },
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        ck_assert_msg(ms_layout_sender(MS_LAYOUT_WINDOWS, w[i].slot, strlen(w[i].slot)) == w[i].s,
                      "%s", w[i].slot);
    ck_assert_int_eq(ms_layout_sender(MS_LAYOUT_SAMBA_AD, "\\MAILSLOT\\x", 11),
                     MS_SENDER_SAMBA_AD);
    ck_assert_uint_eq(ms_layout_data_offset(MS_SENDER_WINDOWS_BROWSER, 16), 86);
    ck_assert_uint_eq(ms_layout_data_offset(MS_SENDER_WINDOWS_REDIRECTOR, 16), 88);
    ck_assert_uint_eq(ms_layout_data_offset(MS_SENDER_WINDOWS_REDIRECTOR, 22), 92);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("layout");
    TCase *t = tcase_create("examples");
    tcase_add_test(t, windows_builds_example_b);
    tcase_add_test(t, redirector_builds_the_ping);
    tcase_add_test(t, browser_builds_example_a);
    tcase_add_test(t, the_examples_match_their_senders);
    suite_add_tcase(s, t);
    t = tcase_create("shapes");
    tcase_add_test(t, each_shape_matches_itself);
    tcase_add_test(t, departures_name_each_field);
    tcase_add_test(t, odd_frames_match_nobody);
    tcase_add_test(t, priority_rule);
    tcase_add_test(t, names_flags_and_windows_choice);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
