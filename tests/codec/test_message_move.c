/* SPDX-License-Identifier: MIT */
/* ms_message_move (src/mailslot/message_move.c): a decode moved along with
 * its octets must describe the new copy exactly as a fresh decode of it
 * does, with nothing left pointing at the old octets. The old octets are
 * overwritten before the comparison, so a range the move missed shows. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailslot/capture.h"
#include "mailslot/message.h"
#include "guard.h"

/* The field stream of a message as one string: keys, kinds, values and
 * the octets of every range. */
typedef struct flat {
    char s[65536];
    size_t n;
} flat;

static void put(flat *f, const char *fmt, unsigned long long v)
{
    if (f->n < sizeof f->s - 64)
        f->n += (size_t)snprintf(f->s + f->n, sizeof f->s - f->n, fmt, v);
}

static void on_field(void *ctx, const ms_field *fd)
{
    flat *f = ctx;
    put(f, "|%llu:", (unsigned long long)fd->kind);
    if (fd->key && f->n + strlen(fd->key) < sizeof f->s - 64) {
        memcpy(f->s + f->n, fd->key, strlen(fd->key));
        f->n += strlen(fd->key);
    }
    put(f, "=%llu", fd->u);
    for (size_t i = 0; i < fd->len; i++)
        put(f, "%02llx", fd->p[i]);
}

static void flatten(const ms_message *m, flat *f)
{
    f->n = 0;
    ms_message_fields(m, on_field, f);
}

static size_t checked;

/* Decode at a, copy to b, move, wreck a: the moved decode must equal a
 * fresh decode of b. */
static void check_move(const uint8_t *frame, size_t len)
{
    static uint8_t a[65536], b[65536];
    static ms_message moved, fresh;
    static flat fm, ff;
    ck_assert_uint_le(len, sizeof a);
    memcpy(a, frame, len);
    ms_message_decode(a, len, &moved);
    memcpy(b, a, len);
    ms_message_move(&moved, a, len, b);
    memset(a, 0xA5, len);
    ms_message_decode(b, len, &fresh);
    flatten(&moved, &fm);
    flatten(&fresh, &ff);
    ck_assert_uint_eq(fm.n, ff.n);
    ck_assert_msg(memcmp(fm.s, ff.s, fm.n) == 0, "moved decode differs: %.200s", fm.s);
    checked++;
}

static void each_datagram(const char *path)
{
    char err[256];
    ms_capture *c;
    ck_assert_msg(ms_capture_open(path, &c, err, sizeof err) == MS_OK, "%s", err);
    ms_udp_datagram d;
    while (ms_capture_next(c, &d) == MS_OK)
        check_move(d.payload, d.len);
    ms_capture_close(c);
}

START_TEST(own_captures)
{
    const char *src = getenv("MAILSLOT_SRC");
    char path[1024];
    checked = 0;
    snprintf(path, sizeof path, "%s/captures/nmbd-announce.pcap", src ? src : ".");
    each_datagram(path);
    snprintf(path, sizeof path, "%s/captures/nmbd-backuplist.pcapng", src ? src : ".");
    each_datagram(path);
    ck_assert_uint_ge(checked, 18);
}
END_TEST

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    ck_assert_int_eq(ms_hex_decode(h, strlen(h), NULL, out, cap, &n), MS_OK);
    return n;
}

/* A mailslot write carrying data to slot, built by the codec. */
static void wrapped(const char *slot, const char *data_hex)
{
    uint8_t data[1024], frame[2048];
    size_t dl = unhex(data_hex, data, sizeof data);
    static ms_message m;
    memset(&m, 0, sizeof m);
    ms_trans_init(&m.smb, &m.trans, MS_STYLE_BROWSER, slot, data, dl);
    m.has_smb = true;
    m.dgram.type = MS_NBDS_DIRECT_GROUP;
    m.dgram.flags = MS_NBDS_FLAG_FIRST;
    m.dgram.auto_fields = MS_DGRAM_AUTO_LENGTH;
    ck_assert_int_eq(ms_nb_name_parse(&m.dgram.src, "HOST<00>", 8), MS_OK);
    ck_assert_int_eq(ms_nb_name_parse(&m.dgram.dst, "DOM<1c>", 7), MS_OK);
    size_t n;
    ck_assert_int_eq(ms_message_encode(&m, frame, sizeof frame, &n), MS_OK);
    check_move(frame, n);
}

START_TEST(every_payload_layout)
{
    /* NETLOGON: a SAM logon request with a SID and a 0x17 response with
     * compressed names (names[] and message ranges); browser: a backup
     * list with names[], an announcement with a comment. */
    wrapped("\\MAILSLOT\\NET\\NETLOGON",
            "1200030048004f005300540030003200000062006f00620000005c4d41494c53"
            "4c4f545c4e45545c474554444337008000000010000000000102000000000005"
            "20000000200200000b000010ffffffff");
    wrapped("\\MAILSLOT\\NET\\GETDC7",
            "17000000fc31000000112233445566778899aabbccddeeff067175696e636504"
            "7465737400c018084f72616e67657279c018065155494e434500084f52414e47"
            "45525900000b47617264656e2d5369746500c04510020000000a141e28000000"
            "00000000000d000000ffffffff");
    wrapped("\\MAILSLOT\\BROWSE", "0a0301000000414c50484100424554410047414d4d4100");
    wrapped("\\MAILSLOT\\BROWSE",
            "01ffc0d40100484f5354000000000000000000000005010310000f0155aa"
            "636f6d6d656e7400");
    /* Not a mailslot payload we decode: only NBDS and SMB ranges. */
    wrapped("\\MAILSLOT\\app", "68656c6c6f");
}
END_TEST

START_TEST(outside_ranges_untouched)
{
    /* A range that does not point into the old octets (a caller-built
     * message) is left as it is. */
    static ms_message m;
    static const uint8_t mine[] = "mine";
    memset(&m, 0, sizeof m);
    m.trans.data.p = mine;
    m.trans.data.len = 4;
    uint8_t from[8] = { 0 }, to[8] = { 0 };
    ms_message_move(&m, from, sizeof from, to);
    ck_assert_ptr_eq(m.trans.data.p, mine);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("message_move");
    TCase *t = tcase_create("move");
    tcase_add_test(t, own_captures);
    tcase_add_test(t, every_payload_layout);
    tcase_add_test(t, outside_ranges_untouched);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
