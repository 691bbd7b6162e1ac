/* SPDX-License-Identifier: MIT */
/* The capture object (src/capture/capture.c): files written with libpcap's
 * own writer (pcapng by hand or with editcap, since libpcap 1.10 cannot
 * write it) and read back, timestamps, damaged files, stdin, the statuses
 * of every call, statistics in the caller's sized structure, copying
 * records out, BPF filters, a live capture on lo in the receive-beside-a-
 * service mode (as root), and the shared third-party captures against
 * tshark's frame list. The layers below have test files of their own
 * (test_link_layer, test_ipv4, test_frame, reassembly/test_ipv4_reasm). */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture_files.h"
#include "cursor.h"
#include "guard.h"

static const char *skip_why; /* why part of the suite cannot run, or NULL */
static bool have_editcap;     /* decided in main */
static const char *shared_why; /* why the tshark comparison cannot run, or NULL */
static bool as_root;

/* ---- files ---------------------------------------------------------------- */

/* Microsecond files are reported in nanoseconds; nanosecond files keep
 * their precision (the reader asks libpcap for nanoseconds). */
START_TEST(timestamps_micro_and_nano)
{
    uint8_t f[FRAME_MAX];
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    const char *p = tmp_path("us.pcap");
    wr_open(p, DLT_EN10MB, false);
    wr_add_full(f, n, n, 1234567890L, 654321);
    wr_close();
    run *r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_int_eq(r->g[0].d.ts_sec, 1234567890);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 654321000u);

    p = tmp_path("ns.pcap");
    wr_open(p, DLT_EN10MB, true);
    wr_add_full(f, n, n, 1234567890L, 987654321);
    wr_close();
    r = read_all(p, NULL, 0);
    ck_assert_uint_eq(r->n, 1);
    ck_assert_int_eq(r->g[0].d.ts_sec, 1234567890);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 987654321u);
}
END_TEST

START_TEST(truncated_file)
{
    const char *p = tmp_path("cut.pcap");
    uint8_t f[FRAME_MAX];
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    wr_open(p, DLT_EN10MB, false);
    for (int i = 0; i < 3; i++)
        wr_add(f, n);
    wr_close();
    long full = file_size(p);
    ck_assert_int_eq(full, 24 + 3 * (16 + (long)n));
    /* mid-data of the third record, then mid-header of it */
    long cuts[] = { full - 10, full - (long)n - 8 };
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(truncate(p, cuts[i]), 0);
        run *r = read_all(p, NULL, 0);
        ck_assert_int_eq(r->rc, MS_ERR_BAD_INPUT);
        ck_assert_uint_eq(r->n, 2);
        ck_assert_uint_eq(r->st.frames, 2);
        if (strncmp(r->err, "truncated capture file: ", 24) != 0 || !strstr(r->err, "frame 2"))
            ck_abort_msg("unexpected error text: %s", r->err);
    }
}
END_TEST

START_TEST(not_a_capture)
{
    char err[512];
    ms_capture *c = (ms_capture *)&c; /* not NULL: open must clear it */
    const char *p = tmp_path("text.txt");
    FILE *fp = fopen(p, "w");
    fputs("this is not a capture file, just some text\n", fp);
    fclose(fp);
    ck_assert_int_eq(ms_capture_open(p, &c, err, sizeof err), MS_ERR_BAD_INPUT);
    ck_assert_ptr_null(c);
    ck_assert(strncmp(err, p, strlen(p)) == 0);
    ck_assert_ptr_nonnull(strstr(err, "unknown file format"));
    ck_assert_ptr_null(strchr(err, '\n'));

    p = tmp_path("missing.pcap");
    ck_assert_int_eq(ms_capture_open(p, &c, err, sizeof err), MS_ERR_NOT_FOUND);
    ck_assert_ptr_null(c);
    ck_assert(strncmp(err, p, strlen(p)) == 0);
    ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));

    p = tmp_path("empty.pcap");
    fp = fopen(p, "w");
    fclose(fp);
    ck_assert_int_eq(ms_capture_open(p, &c, err, sizeof err), MS_ERR_BAD_INPUT);
    ck_assert_ptr_null(c);
    ck_assert(strncmp(err, p, strlen(p)) == 0);

    /* A header that is only the start of a pcap header. */
    p = tmp_path("short.pcap");
    fp = fopen(p, "wb");
    fwrite("\xd4\xc3\xb2\xa1\x02\x00", 1, 6, fp);
    fclose(fp);
    ck_assert_int_eq(ms_capture_open(p, &c, err, sizeof err), MS_ERR_BAD_INPUT);
    ck_assert_ptr_null(c);
    ck_assert(strncmp(err, p, strlen(p)) == 0);
}
END_TEST

/* stdin through a pipe fed by a child process. */
START_TEST(stdin_pipe)
{
    const char *p = tmp_path("stdin.pcap");
    uint8_t f[FRAME_MAX];
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    wr_open(p, DLT_EN10MB, false);
    for (int i = 0; i < 50; i++)
        wr_add(f, n);
    wr_close();

    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        int in = open(p, O_RDONLY);
        char buf[4096];
        ssize_t k;
        while (in >= 0 && (k = read(in, buf, sizeof buf)) > 0)
            if (write(fds[1], buf, (size_t)k) != k)
                _exit(1);
        _exit(0);
    }
    close(fds[1]);
    int saved = dup(STDIN_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fds[0], STDIN_FILENO), 0);
    close(fds[0]);
    run *r = read_all("-", NULL, 0);
    dup2(saved, STDIN_FILENO);
    close(saved);
    int status;
    waitpid(pid, &status, 0);
    ck_assert_int_eq(r->rc, MS_ERR_END);
    ck_assert_uint_eq(r->n, 50);
    expect_hello(&r->g[49], 50);

    /* and a bad stdin names itself */
    int devnull = open("/dev/null", O_RDONLY);
    saved = dup(STDIN_FILENO);
    dup2(devnull, STDIN_FILENO);
    close(devnull);
    char err[512];
    ms_capture *c;
    ms_status st = ms_capture_open("-", &c, err, sizeof err);
    dup2(saved, STDIN_FILENO);
    close(saved);
    ck_assert_int_eq(st, MS_ERR_BAD_INPUT);
    ck_assert_ptr_null(c);
    ck_assert(strncmp(err, "stdin: ", 7) == 0);
}
END_TEST

/* pcapng built block by block (little-endian), read by libpcap. */
typedef struct ngbuf {
    uint8_t b[16384];
    ms_wcur w;
} ngbuf;

static void ng_shb(ngbuf *g)
{
    g->w = ms_wcur_make(g->b, sizeof g->b);
    ms_wcur_le32(&g->w, 0x0A0D0D0A);
    ms_wcur_le32(&g->w, 28);
    ms_wcur_le32(&g->w, 0x1A2B3C4D);
    ms_wcur_le16(&g->w, 1);
    ms_wcur_le16(&g->w, 0);
    ms_wcur_le64(&g->w, UINT64_MAX); /* section length unknown */
    ms_wcur_le32(&g->w, 28);
}

/* Interface with if_tsresol = 10^-tsresol seconds. */
static void ng_idb(ngbuf *g, uint16_t linktype, uint8_t tsresol)
{
    ms_wcur_le32(&g->w, 1);
    ms_wcur_le32(&g->w, 32);
    ms_wcur_le16(&g->w, linktype);
    ms_wcur_le16(&g->w, 0);
    ms_wcur_le32(&g->w, 262144);
    ms_wcur_le16(&g->w, 9); /* if_tsresol */
    ms_wcur_le16(&g->w, 1);
    ms_wcur_u8(&g->w, tsresol);
    ms_wcur_bytes(&g->w, "\0\0\0", 3);
    ms_wcur_le32(&g->w, 0); /* opt_endofopt */
    ms_wcur_le32(&g->w, 32);
}

static void ng_epb(ngbuf *g, uint32_t ifid, uint64_t ts, const uint8_t *d, size_t caplen,
                   size_t len)
{
    size_t pad = (4 - caplen % 4) % 4;
    uint32_t total = (uint32_t)(32 + caplen + pad);
    ms_wcur_le32(&g->w, 6);
    ms_wcur_le32(&g->w, total);
    ms_wcur_le32(&g->w, ifid);
    ms_wcur_le32(&g->w, (uint32_t)(ts >> 32));
    ms_wcur_le32(&g->w, (uint32_t)ts);
    ms_wcur_le32(&g->w, (uint32_t)caplen);
    ms_wcur_le32(&g->w, (uint32_t)len);
    ms_wcur_bytes(&g->w, d, caplen);
    ms_wcur_bytes(&g->w, "\0\0\0", pad);
    ms_wcur_le32(&g->w, total);
}

static void ng_write(const ngbuf *g, const char *path, size_t len)
{
    ck_assert_int_eq(g->w.err, MS_OK);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(g->b, 1, len, fp), len);
    fclose(fp);
}

START_TEST(pcapng_by_hand)
{
    static ngbuf g;
    uint8_t f[FRAME_MAX];
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    ng_shb(&g);
    ng_idb(&g, 1, 9); /* nanoseconds */
    uint64_t t0 = 1600000000ull * 1000000000ull + 123456789ull;
    ng_epb(&g, 0, t0, f, n, n);
    uint8_t arp[60] = { 0 };
    arp[12] = 0x08, arp[13] = 0x06;
    ng_epb(&g, 0, t0 + 1, arp, sizeof arp, sizeof arp);
    ng_epb(&g, 0, t0 + 2, f, n, n);
    size_t before_last = g.w.pos;
    ng_epb(&g, 0, t0 + 3, f, 40, n); /* snaplen-cut record */
    const char *p = tmp_path("hand.pcapng");
    ng_write(&g, p, g.w.pos);
    run *r = read_all(p, NULL, 0);
    ck_assert_int_eq(r->rc, MS_ERR_END);
    ck_assert_str_eq(r->link, "EN10MB");
    ck_assert_uint_eq(r->n, 2);
    expect_hello(&r->g[0], 1);
    ck_assert_int_eq(r->g[0].d.ts_sec, 1600000000);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 123456789u);
    expect_hello(&r->g[1], 3);
    ck_assert_uint_eq(r->g[1].d.ts_nsec, 123456791u);
    expect_stats(r, 4, 2, 1, 0, 0, 0, 1, 0, 0);

    /* Cut inside the last block. */
    ng_write(&g, p, before_last + 20);
    r = read_all(p, NULL, 0);
    ck_assert_int_eq(r->rc, MS_ERR_BAD_INPUT);
    ck_assert_uint_eq(r->n, 2);
    ck_assert_uint_eq(r->st.frames, 3);
    ck_assert(strncmp(r->err, "truncated capture file: ", 24) == 0);

    /* Microsecond resolution (the pcapng default) and SLL. */
    uint8_t ip[FRAME_MAX], s[FRAME_MAX];
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    size_t sn = wrap_link(DLT_LINUX_SLL, s, sizeof s, ip, in);
    ng_shb(&g);
    ng_idb(&g, 113, 6);
    ng_epb(&g, 0, 1600000000ull * 1000000ull + 42ull, s, sn, sn);
    ng_write(&g, p, g.w.pos);
    r = read_all(p, NULL, 0);
    ck_assert_str_eq(r->link, "LINUX_SLL");
    ck_assert_uint_eq(r->n, 1);
    ck_assert_uint_eq(r->g[0].d.ts_nsec, 42000u);
}
END_TEST

/* Two interfaces with different link types in one pcapng: libpcap reports
 * one link type per file and (1.10) refuses the second interface when it
 * meets it. Whatever a libpcap does, we must not misparse: refuse with a
 * message (at open or while reading), or read the records correctly. */
START_TEST(pcapng_mixed_links)
{
    static ngbuf g;
    uint8_t f[FRAME_MAX], ip[FRAME_MAX];
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    size_t in = mk_ip_udp(ip, sizeof ip, 138, 138, HELLO, HELLO_N);
    ng_shb(&g);
    ng_idb(&g, 1, 6);
    ng_idb(&g, 101, 6);
    ng_epb(&g, 0, 1, f, n, n);
    ng_epb(&g, 1, 2, ip, in, in);
    const char *p = tmp_path("mixed.pcapng");
    ng_write(&g, p, g.w.pos);
    char err[512] = "";
    ms_capture *c;
    /* As capture.h says: the file opens (the first interface's link type)
     * and reading stops with a read error at the second interface block,
     * which comes before any record: neither an open failure nor the end
     * of the file passes. */
    ms_status st = ms_capture_open(p, &c, err, sizeof err);
    ck_assert_msg(st == MS_OK, "open: %s: %s", ms_strerror(st), err);
    ms_udp_datagram d;
    ms_status rc;
    size_t n_ok = 0;
    while ((rc = ms_capture_next(c, &d)) == MS_OK) {
        ck_assert_uint_eq(d.frame, 1); /* the raw record never passes as Ethernet */
        n_ok++;
    }
    ck_assert_msg(rc == MS_ERR_BAD_INPUT, "read: %s, want a read error", ms_strerror(rc));
    ck_assert_uint_eq(n_ok, 0);
    const char *why = ms_capture_error(c);
    ck_assert_msg(strstr(why, "stops after frame 0") && strstr(why, "interface"), "%s", why);
    check_partition(stats_now(c));
    ms_capture_close(c);
}
END_TEST

/* The same records as pcap and as editcap's pcapng give the same result. */
START_TEST(pcapng_via_editcap)
{
    if (!have_editcap)
        return; /* main reports the skip */
    const char *p = tmp_path("ed.pcap");
    const char *q = tmp_path("ed.pcapng");
    fr_make(138, 138, 3000, 10);
    uint8_t f[FRAME_MAX];
    wr_open(p, DLT_EN10MB, true);
    size_t n = mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N);
    wr_add_full(f, n, n, 1500000000L, 1);
    wr_add_full(f, n, n, 1500000000L, 999999999);
    fr_add(40, 1480, 1480);
    fr_add(40, 0, 1480);
    fr_add(40, 2960, 48);
    wr_close();
    char cmd[2 * PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "editcap -F pcapng '%s' '%s' >/dev/null 2>&1", p, q);
    ck_assert_int_eq(system(cmd), 0);
    static run a;
    a = *read_all(p, NULL, 0);
    run *b = read_all(q, NULL, 0);
    ck_assert_uint_eq(a.n, 3);
    ck_assert_uint_eq(b->n, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(a.g[i].d.frame, b->g[i].d.frame);
        ck_assert_int_eq(a.g[i].d.ts_sec, b->g[i].d.ts_sec);
        ck_assert_uint_eq(a.g[i].d.ts_nsec, b->g[i].d.ts_nsec);
        ck_assert_uint_eq(a.g[i].sum, b->g[i].sum);
    }
    ck_assert_uint_eq(b->g[1].d.ts_nsec, 999999999u);
    ck_assert(b->g[2].d.reassembled);
    ck_assert_mem_eq(&a.st, &b->st, sizeof a.st);
}
END_TEST

/* ---- the statuses and the caller's structures ------------------------- */

/* Three datagrams on 138 and an ARP frame between them. */
static const char *three_datagrams(void)
{
    const char *p = tmp_path("three.pcap");
    uint8_t f[FRAME_MAX];
    uint8_t arp[60] = { 0 };
    arp[12] = 0x08, arp[13] = 0x06;
    wr_open(p, DLT_EN10MB, false);
    wr_add(f, mk_eth_udp(f, sizeof f, 138, 138, HELLO, HELLO_N));
    wr_add(arp, sizeof arp);
    wr_add(f, mk_eth_udp(f, sizeof f, 5000, 138, HELLO, HELLO_N));
    wr_add(f, mk_eth_udp(f, sizeof f, 138, 5000, HELLO, HELLO_N));
    wr_close();
    return p;
}

static ms_capture *open_ok(const char *path)
{
    char err[512];
    ms_capture *c = NULL;
    if (ms_capture_open(path, &c, err, sizeof err) != MS_OK)
        ck_abort_msg("open %s: %s", path, err);
    ck_assert_ptr_nonnull(c);
    return c;
}

/* OK per datagram, then END for good; a cut file: BAD_INPUT for good. */
START_TEST(next_statuses)
{
    const char *p = three_datagrams();
    ms_capture *c = open_ok(p);
    ck_assert_int_eq(ms_capture_fd(c), -1); /* a file has nothing to poll */
    ms_udp_datagram d;
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(ms_capture_next(c, &d), MS_OK);
    ck_assert_uint_eq(d.frame, 4);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_ERR_END);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_ERR_END);
    ck_assert_str_eq(ms_capture_error(c), "");
    ms_capture_close(c);

    /* ms_capture_break stops a file too, at the next call. */
    c = open_ok(p);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_OK);
    ms_capture_break(c);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_ERR_END);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_ERR_END);
    ck_assert_uint_eq(stats_now(c)->frames, 1);
    ms_capture_close(c);
    ms_capture_break(NULL); /* harmless */
    ms_capture_close(NULL);

    ck_assert_int_eq(truncate(p, file_size(p) - 5), 0);
    c = open_ok(p);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(ms_capture_next(c, &d), MS_OK);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_ERR_BAD_INPUT);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_ERR_BAD_INPUT);
    ck_assert(strncmp(ms_capture_error(c), "truncated capture file: ", 24) == 0);
    ck_assert_uint_eq(stats_now(c)->frames, 3);
    ms_capture_close(c);
}
END_TEST

START_TEST(open_arguments)
{
    char err[256];
    ms_capture *c = (ms_capture *)&c;
    ck_assert_int_eq(ms_capture_open(NULL, &c, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err, "(none): no capture file given");
    ck_assert_int_eq(ms_capture_open("", &c, NULL, 0), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_capture_open(three_datagrams(), NULL, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "out is NULL"));

    ms_capture_live_opts o;
    memset(&o, 0xA5, sizeof o);
    ms_capture_live_opts_init(&o);
    ck_assert_uint_eq(o.size, sizeof o);
    ck_assert(o.promisc);
    ck_assert(!o.nonblock);
    ck_assert_uint_eq(o.dport, 0);
    ms_capture_live_opts_init(NULL);
    c = (ms_capture *)&c;
    ck_assert_int_eq(ms_capture_open_live(NULL, NULL, &c, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err, "(none): no interface given");
    ck_assert_int_eq(ms_capture_open_live("lo", NULL, NULL, NULL, 0), MS_ERR_INVALID_ARG);
    ms_capture_live_opts zero = { 0 };
    ck_assert_int_eq(ms_capture_open_live("lo", &zero, &c, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "size"));
    if (as_root) {
        ck_assert_int_eq(ms_capture_open_live("ms-no-such-if", NULL, &c, err, sizeof err),
                         MS_ERR_NOT_FOUND);
        ck_assert_ptr_null(c);
        ck_assert(strncmp(err, "ms-no-such-if: ", 15) == 0);
    }
}
END_TEST

START_TEST(stats_sized)
{
    ms_capture *c = open_ok(three_datagrams());
    ms_udp_datagram d;
    while (ms_capture_next(c, &d) == MS_OK)
        ;
    ms_capture_stats st = { 0 };
    ck_assert_int_eq(ms_capture_get_stats(c, &st), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_capture_get_stats(c, NULL), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_capture_get_stats(NULL, &st), MS_ERR_INVALID_ARG);
    /* An older caller's shorter structure gets the fields it knows. */
    memset(&st, 0xEE, sizeof st);
    st.size = offsetof(ms_capture_stats, datagrams);
    ck_assert_int_eq(ms_capture_get_stats(c, &st), MS_OK);
    ck_assert_uint_eq(st.size, offsetof(ms_capture_stats, datagrams));
    ck_assert_uint_eq(st.frames, 4);
    ck_assert_uint_eq(st.datagrams, 0xEEEEEEEEEEEEEEEEull);
    st = MS_SIZED(ms_capture_stats);
    ck_assert_int_eq(ms_capture_get_stats(c, &st), MS_OK);
    ck_assert_uint_eq(st.datagrams, 3);
    ck_assert_uint_eq(st.not_ipv4, 1);
    check_partition(&st);
    ms_capture_close(c);
}
END_TEST

/* The records behind the datagrams, copied to a new file. */
START_TEST(dump_records)
{
    char err[512];
    ms_capture *c = open_ok(three_datagrams());
    const char *out = tmp_path("dump.pcap");
    ck_assert_int_eq(ms_capture_dump_record(c), MS_ERR_INVALID_ARG); /* none open */
    ck_assert_int_eq(ms_capture_dump_close(c, err, sizeof err), MS_OK); /* nothing to do */
    ck_assert_int_eq(ms_capture_dump_open(c, "/nonexistent/dir/x.pcap", err, sizeof err),
                     MS_ERR_SYSTEM);
    ck_assert(strncmp(err, "/nonexistent/dir/x.pcap: ", 25) == 0);
    ck_assert_int_eq(ms_capture_dump_open(c, out, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_capture_dump_record(c), MS_ERR_INVALID_ARG); /* nothing read yet */
    ck_assert_int_eq(ms_capture_dump_open(c, out, err, sizeof err), MS_ERR_EXISTS);
    ms_udp_datagram d;
    size_t n = 0;
    while (ms_capture_next(c, &d) == MS_OK) {
        if (d.sport == 5000)
            continue; /* copy two of the three */
        ck_assert_int_eq(ms_capture_dump_record(c), MS_OK);
        n++;
    }
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(ms_capture_dump_close(c, err, sizeof err), MS_OK);
    ms_capture_close(c);
    run *r = read_all(out, NULL, 0);
    ck_assert_int_eq(r->rc, MS_ERR_END);
    ck_assert_str_eq(r->link, "EN10MB");
    ck_assert_uint_eq(r->n, 2);
    expect_hello(&r->g[0], 1);
    ck_assert_uint_eq(r->g[1].d.dport, 5000);
    ck_assert_int_eq(r->g[1].d.ts_sec, 1000000003);
    expect_stats(r, 2, 2, 0, 0, 0, 0, 0, 0, 0);

    /* A dump file left open is flushed and closed with the capture. */
    c = open_ok(three_datagrams());
    ck_assert_int_eq(ms_capture_dump_open(c, out, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_OK);
    ck_assert_int_eq(ms_capture_dump_record(c), MS_OK);
    ms_capture_close(c);
    r = read_all(out, NULL, 0);
    ck_assert_uint_eq(r->n, 1);

    /* Into the caller's stream: flushed, never closed (the caller writes
     * after it and closes it). */
    FILE *f = fopen(out, "w");
    ck_assert_ptr_nonnull(f);
    c = open_ok(three_datagrams());
    ck_assert_int_eq(ms_capture_dump_fopen(c, f, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_capture_dump_fopen(c, f, err, sizeof err), MS_ERR_EXISTS);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_OK);
    ck_assert_int_eq(ms_capture_dump_record(c), MS_OK);
    ck_assert_int_eq(ms_capture_dump_close(c, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_capture_dump_fopen(c, f, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_OK);
    ck_assert_int_eq(ms_capture_dump_record(c), MS_OK);
    int fd = fileno(f);
    ms_capture_close(c);
    ck_assert_int_ne(fcntl(fd, F_GETFD), -1); /* the descriptor is still open */
    ck_assert_int_eq(fclose(f), 0);
    r = read_all(out, NULL, 0);
    ck_assert_int_ge(r->n, 1); /* the second header is in the middle */
}
END_TEST

START_TEST(filter_expression)
{
    char err[512];
    ms_capture *c = open_ok(three_datagrams());
    ck_assert_int_eq(ms_capture_set_filter(c, "udp port 5000 and", err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ck_assert(strncmp(err, "filter 'udp port 5000 and': ", 28) == 0);
    ck_assert_int_eq(ms_capture_set_filter(c, NULL, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_capture_set_filter(c, "udp port 5000", err, sizeof err), MS_OK);
    ms_udp_datagram d;
    size_t n = 0;
    ms_status st;
    while ((st = ms_capture_next(c, &d)) == MS_OK)
        n++;
    ck_assert_int_eq(st, MS_ERR_END);
    ck_assert_uint_eq(n, 2);
    const ms_capture_stats *s = stats_now(c);
    ck_assert_uint_eq(s->frames, 4);
    ck_assert_uint_eq(s->filtered, 2);
    ck_assert_uint_eq(s->datagrams, 2);
    ms_capture_close(c);
}
END_TEST

/* ---- live ------------------------------------------------------------------ */

static int udp_socket(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void send_to(int fd, uint16_t port, const char *text)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    ck_assert_int_eq(sendto(fd, text, strlen(text), 0, (struct sockaddr *)&a, sizeof a),
                     (ssize_t)strlen(text));
}

/* Non-blocking reads and poll until a datagram comes (MS_OK) or 3 s pass. */
static ms_status next_within(ms_capture *c, ms_udp_datagram *d)
{
    for (int i = 0; i < 30; i++) {
        ms_status st = ms_capture_next(c, d);
        if (st != MS_ERR_AGAIN)
            return st;
        struct pollfd pfd = { ms_capture_fd(c), POLLIN, 0 };
        ck_assert_int_ge(poll(&pfd, 1, 100), 0);
    }
    return MS_ERR_AGAIN;
}

/* listen --pcap's mode on lo: not promiscuous, non-blocking, only what is
 * sent to the port (the kernel filter keeps other ports away; the port's
 * own replies are counted, not handed up). */
START_TEST(live_dport_on_lo)
{
    if (!as_root)
        return; /* main reports the skip */
    uint16_t port, sport;
    int rx = udp_socket(&port); /* holds the port: nobody else gets it */
    int tx = udp_socket(&sport);
    ms_capture_live_opts o;
    ms_capture_live_opts_init(&o);
    o.promisc = false;
    o.nonblock = true;
    o.dport = port;
    char err[512];
    ms_capture *c = NULL;
    if (ms_capture_open_live("lo", &o, &c, err, sizeof err) != MS_OK)
        ck_abort_msg("open lo: %s", err);
    ck_assert_int_ge(ms_capture_fd(c), 0);
    ck_assert_str_eq(ms_capture_linktype_name(c), "EN10MB");
    ms_udp_datagram d;
    ck_assert_int_eq(ms_capture_next(c, &d), MS_ERR_AGAIN); /* nothing waits */

    uint16_t other_port;
    int other = udp_socket(&other_port);
    send_to(tx, other_port, "not for us"); /* another port: the kernel drops it */
    send_to(tx, port, HELLO);
    send_to(rx, sport, "a reply from the port");
    ck_assert_int_eq(next_within(c, &d), MS_OK);
    ck_assert_uint_eq(d.dport, port);
    ck_assert_uint_eq(d.sport, sport);
    ck_assert_uint_eq(d.ip_src, INADDR_LOOPBACK);
    ck_assert_uint_eq(d.ip_dst, INADDR_LOOPBACK);
    ck_assert_uint_eq(d.len, HELLO_N);
    ck_assert_mem_eq(d.payload, HELLO, HELLO_N);
    ck_assert(!d.truncated && !d.reassembled);
    ck_assert_uint_eq(d.frame, 1);
    time_t now = time(NULL);
    ck_assert_int_le(d.ts_sec, (int64_t)now + 1);
    ck_assert_int_ge(d.ts_sec, (int64_t)now - 60);
    ck_assert_uint_lt(d.ts_nsec, 1000000000u);
    /* The reply is read and counted, never handed up. */
    for (int i = 0; i < 30 && stats_now(c)->other_port == 0; i++) {
        ck_assert_int_eq(ms_capture_next(c, &d), MS_ERR_AGAIN);
        struct pollfd pfd = { ms_capture_fd(c), POLLIN, 0 };
        ck_assert_int_ge(poll(&pfd, 1, 100), 0);
    }
    ck_assert_int_eq(ms_capture_next(c, &d), MS_ERR_AGAIN);
    const ms_capture_stats *st = stats_now(c);
    ck_assert_uint_eq(st->datagrams, 1);
    ck_assert_uint_eq(st->other_port, 1);
    ck_assert_uint_eq(st->frames, 2);
    check_partition(st);
    ms_capture_close(c);

    /* Blocking (the default otherwise): a break ends the wait at once. */
    ms_capture_live_opts_init(&o);
    o.promisc = false;
    o.dport = port;
    if (ms_capture_open_live("lo", &o, &c, err, sizeof err) != MS_OK)
        ck_abort_msg("open lo: %s", err);
    ms_capture_break(c);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_ERR_END);
    ck_assert_int_eq(ms_capture_next(c, &d), MS_ERR_END);
    ms_capture_close(c);
    close(other);
    close(tx);
    close(rx);
}
END_TEST

/* ---- the shared third-party captures against tshark ------------------------ */

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* tshark's frame numbers for udp.port==138 (single pass: a reassembled
 * datagram shows at the fragment that completed it). */
static size_t tshark_frames(const char *path, uint64_t *out, size_t cap)
{
    char cmd[PATH_MAX + 128];
    snprintf(cmd, sizeof cmd,
             "tshark -n -r '%s' -Y 'udp.port==138' -T fields -e frame.number 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = 0;
    char line[64];
    while (fgets(line, sizeof line, p)) {
        ck_assert_uint_lt(n, cap);
        out[n++] = strtoull(line, NULL, 10);
    }
    ck_assert_int_eq(pclose(p), 0);
    return n;
}

/* Decided in main, before Check forks: the skip must reach the exit code. */
static const char *shared_check(void)
{
    if (!shared_captures_dir())
        return "shared captures directory not found (set MAILSLOT_SHARED)";
    if (!have_tool("tshark"))
        return "tshark not installed: cannot compare with the shared captures";
    return NULL;
}

START_TEST(shared_captures_vs_tshark)
{
    if (shared_why)
        return; /* main reports the skip */
    const char *dir = shared_captures_dir();
    DIR *dp = opendir(dir);
    ck_assert_ptr_nonnull(dp);
    char *names[256];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        const char *x = strrchr(e->d_name, '.');
        if (!x || (strcmp(x, ".pcap") && strcmp(x, ".pcapng") && strcmp(x, ".cap")))
            continue;
        if (strchr(e->d_name, '\''))
            continue;
        ck_assert_uint_lt(nn, 256);
        names[nn++] = strdup(e->d_name);
    }
    closedir(dp);
    ck_assert_uint_gt(nn, 0);
    /* The loop above set names[0..nn); qsort reads no further. */
    // cppcheck-suppress uninitvar
    qsort(names, nn, sizeof names[0], cmp_name);

    static uint64_t ts[4096], ours[4096];
    int mismatches = 0;
    for (size_t i = 0; i < nn; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t nt = tshark_frames(path, ts, 4096);
        char err[512];
        ms_capture *c;
        if (ms_capture_open(path, &c, err, sizeof err) != MS_OK)
            ck_abort_msg("%s", err);
        size_t no = 0;
        ms_udp_datagram d;
        ms_status rc;
        while ((rc = ms_capture_next(c, &d)) == MS_OK) {
            ck_assert_uint_lt(no, 4096);
            ours[no++] = d.frame;
        }
        const ms_capture_stats *st = stats_now(c);
        check_partition(st);
        bool same = rc == MS_ERR_END && no == nt && memcmp(ours, ts, no * sizeof ours[0]) == 0;
        fprintf(stderr,
                "%-55s %-7s frames=%-4llu ours=%-3zu tshark=%-3zu %s"
                " (not_ipv4=%llu not_udp=%llu other=%llu bad=%llu cut=%llu frag=%llu/%llu)\n",
                names[i], ms_capture_linktype_name(c), (unsigned long long)st->frames, no, nt,
                same ? "ok" : "MISMATCH", (unsigned long long)st->not_ipv4,
                (unsigned long long)st->not_udp, (unsigned long long)st->other_port,
                (unsigned long long)st->bad_header, (unsigned long long)st->truncated_header,
                (unsigned long long)st->fragments, (unsigned long long)st->frag_dropped);
        if (!same) {
            mismatches++;
            if (rc != MS_ERR_END)
                fprintf(stderr, "  read error: %s\n", ms_capture_error(c));
            for (size_t k = 0; k < no || k < nt; k++)
                if (k >= no || k >= nt || ours[k] != ts[k]) {
                    fprintf(stderr, "  first difference at #%zu: ours %llu, tshark %llu\n", k,
                            k < no ? (unsigned long long)ours[k] : 0ull,
                            k < nt ? (unsigned long long)ts[k] : 0ull);
                    break;
                }
        }
        ms_capture_close(c);
        free(names[i]);
    }
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

static Suite *capture_suite(void)
{
    Suite *s = suite_create("capture");
    TCase *tc = tcase_create("files");
    tcase_add_test(tc, timestamps_micro_and_nano);
    tcase_add_test(tc, truncated_file);
    tcase_add_test(tc, not_a_capture);
    tcase_add_test(tc, stdin_pipe);
    tcase_add_test(tc, pcapng_by_hand);
    tcase_add_test(tc, pcapng_mixed_links);
    tcase_add_test(tc, pcapng_via_editcap);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("calls");
    tcase_add_test(tc, next_statuses);
    tcase_add_test(tc, open_arguments);
    tcase_add_test(tc, stats_sized);
    tcase_add_test(tc, dump_records);
    tcase_add_test(tc, filter_expression);
    suite_add_tcase(s, tc);

    tc = tcase_create("live");
    tcase_add_test(tc, live_dport_on_lo);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);

    tc = tcase_create("shared");
    tcase_add_test(tc, shared_captures_vs_tshark);
    tcase_set_timeout(tc, 600);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (tmp_init("capture") != 0)
        return 1;
    /* Decided here, before Check runs: a skip must reach the exit code. */
    as_root = geteuid() == 0;
    have_editcap = have_tool("editcap");
    shared_why = shared_check();
    skip_why = shared_why     ? shared_why
               : !have_editcap ? "editcap (wireshark-common) is not installed: "
                                 "the pcapng it writes is not read"
               : !as_root     ? "not root: the live capture on lo is not tested"
                              : NULL;
    int status = run_suite(capture_suite(), skip_why);
    tmp_remove();
    return status;
}
