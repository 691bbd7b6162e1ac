/* SPDX-License-Identifier: MIT */
/* Client -> server over loopback only (127.0.0.0/8, ephemeral ports, no
 * root): addressing modes, size rules, names, timeouts, info, queue bound,
 * duplicates, many mailslots on one socket, drops. Every datagram a client
 * sends must decode and pass ms_validate without `must` findings. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mailslot/client.h"
#include "mailslot/net.h"
#include "mailslot/server.h"
#include "mailslot/validate.h"
#include "guard.h"

#define LO 0x7F000001u      /* 127.0.0.1 */
#define LO_BCAST 0x7FFFFFFFu /* 127.255.255.255 */
#define WAIT_MS 2000         /* upper bound for anything that should arrive */

static char err[512];

static ms_server *server(uint32_t bind, uint16_t port, ms_server_opts *opt)
{
    ms_server_opts o;
    if (opt)
        o = *opt;
    else
        ms_server_opts_init(&o);
    ms_udp_opts uo;
    ms_udp_opts_init(&uo);
    uo.addr = bind;
    uo.port = port;
    uo.reuse = uo.broadcast = uo.pktinfo = uo.nonblock = true;
    ck_assert_msg(ms_udp_open(&uo, &o.fd, err, sizeof err) == MS_OK, "%s", err);
    ms_server *s;
    ck_assert_msg(ms_server_open(&o, &s, err, sizeof err) == MS_OK, "%s", err);
    return s;
}

#include "open_or_null.h"

/* For brevity below: the counters by value, the number of messages a pump
 * queued. */
static const ms_server_stats *stats_of(const ms_server *s)
{
    static ms_server_stats st;
    st = MS_SIZED(ms_server_stats);
    ck_assert_int_eq(ms_server_get_stats(s, &st), MS_OK);
    return &st;
}

static int pump_count(ms_server *s)
{
    size_t n = 0;
    return ms_server_pump(s, &n) == MS_OK ? (int)n : -1;
}

static ms_client *open_st(const char *target, const char *slot, const ms_client_opts *o,
                          ms_status *st)
{
    ms_client *c = NULL;
    *st = ms_client_open(target, slot, o, &c, err, sizeof err);
    return c;
}

static ms_client *client_ex(const char *target, const char *slot, uint16_t port, uint8_t type,
                            const char *dest, bool force, ms_status *st)
{
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.from = "TESTER";
    o.sport = MS_CLIENT_SPORT_EPHEMERAL;
    o.dport = port;
    o.type = type;
    o.dest_name = dest;
    o.force_size = force;
    return open_st(target, slot, &o, st);
}

static ms_client *client(const char *target, const char *slot, uint16_t port, uint8_t type,
                         const char *dest)
{
    ms_status st;
    ms_client *c = client_ex(target, slot, port, type, dest, false, &st);
    ck_assert_msg(c != NULL, "%s", err);
    return c;
}

static void write_ok(ms_client *c, const void *data, size_t len)
{
    ms_write_result r;
    ms_status st = ms_client_write(c, data, len, &r, err, sizeof err);
    ck_assert_msg(st == MS_OK, "%s", err);
}

/* The received datagram decodes and breaks no MUST rule. */
static void validate(const ms_mailslot_msg *m, uint16_t dport)
{
    static ms_message d;
    static ms_report r;
    ck_assert_int_eq(ms_message_decode(m->payload, m->payload_len, &d), MS_OK);
    ms_report_clear(&r);
    ms_frame_info info = { m->src_ip, m->dst_ip, m->src_port, dport, m->payload_len, false };
    ms_validate(m->payload, m->payload_len, &d, &info, &r);
    for (size_t i = 0; i < r.count; i++)
        if (r.items[i].rule->level == MS_LEVEL_MUST)
            ck_abort_msg("%s: %s", r.items[i].rule->id, r.items[i].text);
    ck_assert_uint_eq(r.must, 0);
}

static void read_ok(ms_mailslot *ms, ms_server *s, ms_mailslot_msg *m, const void *data,
                    size_t len)
{
    ms_mailslot_set_timeout(ms, WAIT_MS);
    ms_status st = ms_mailslot_read(ms, m);
    ck_assert_msg(st == MS_OK, "read: %s", ms_strerror(st));
    ck_assert_uint_eq(m->len, len);
    if (len)
        ck_assert_mem_eq(m->data, data, len);
    validate(m, ms_server_port(s));
}

static void name_is(const ms_nb_name *n, const char *text)
{
    char buf[300];
    ms_nb_name_format(n, buf, sizeof buf);
    ck_assert_str_eq(buf, text);
}

static uint64_t ms_since(uint64_t t0)
{
    return (ms_monotonic_ns() - t0) / 1000000u;
}

/* ---- addressing ---------------------------------------------------------- */

START_TEST(unique_to_address)
{
    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\test", 0, 0, NULL);
    ck_assert_ptr_nonnull(ms);
    ms_client *c = client("127.0.0.1", "\\MAILSLOT\\test", ms_server_port(s), 0, "PEER<00>");
    const ms_client_info *ci = ms_client_get_info(c);
    ck_assert_uint_eq(ci->type, MS_NBDS_DIRECT_UNIQUE);
    ck_assert_uint_eq(ci->src_ip, LO);
    write_ok(c, "hello", 5);
    ms_mailslot_msg m;
    read_ok(ms, s, &m, "hello", 5);
    ck_assert_uint_eq(m.type, MS_NBDS_DIRECT_UNIQUE);
    name_is(&m.src, "TESTER<00>");
    name_is(&m.dst, "PEER<00>");
    ck_assert_uint_eq(m.src_ip, LO);
    ck_assert_uint_eq(m.dst_ip, LO);
    ck_assert_uint_eq(m.nbds_src_ip, LO);
    ck_assert_uint_eq(m.nbds_src_port, ci->sport);
    ck_assert_uint_eq(m.src_port, ci->sport);
    ck_assert_str_eq(m.slot, "\\MAILSLOT\\test");
    ck_assert_uint_eq(m.m->dgram.flags, 0x02);
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

START_TEST(group_to_broadcast_address)
{
    ms_server *s = server(0, 0, NULL); /* any: hears broadcasts */
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\grp", 0, 0, NULL);
    ms_client *c = client("127.255.255.255", "\\MAILSLOT\\grp", ms_server_port(s), 0, NULL);
    ck_assert_uint_eq(ms_client_get_info(c)->type, MS_NBDS_DIRECT_GROUP);
    write_ok(c, "all", 3);
    ms_mailslot_msg m;
    read_ok(ms, s, &m, "all", 3);
    ck_assert_uint_eq(m.type, MS_NBDS_DIRECT_GROUP);
    name_is(&m.dst, "WORKGROUP<00>");
    ck_assert_uint_eq(m.dst_ip, LO_BCAST);
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

START_TEST(group_and_broadcast_types_forced)
{
    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\grp", 0, 0, NULL);
    ms_client *c = client("127.0.0.1", "\\MAILSLOT\\grp", ms_server_port(s),
                          MS_NBDS_DIRECT_GROUP, NULL);
    write_ok(c, "g", 1);
    ms_mailslot_msg m;
    read_ok(ms, s, &m, "g", 1);
    ck_assert_uint_eq(m.type, MS_NBDS_DIRECT_GROUP);
    name_is(&m.dst, "WORKGROUP<00>");
    ms_client_close(c);
    c = client("127.0.0.1", "\\MAILSLOT\\grp", ms_server_port(s), MS_NBDS_BROADCAST, NULL);
    write_ok(c, "b", 1);
    read_ok(ms, s, &m, "b", 1);
    ck_assert_uint_eq(m.type, MS_NBDS_BROADCAST);
    ck_assert_uint_eq(m.dst.name[0], '*');
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

START_TEST(address_needs_a_name_and_local_is_refused)
{
    ms_status st;
    ck_assert_ptr_null(client_ex("127.0.0.1", "\\MAILSLOT\\x", 9, 0, NULL, false, &st));
    ck_assert_int_eq(st, MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "destination name"));
    ck_assert_ptr_null(client_ex("\\\\.", "\\MAILSLOT\\x", 9, 0, NULL, false, &st));
    ck_assert_int_eq(st, MS_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err, "local"));
    ck_assert_ptr_null(client_ex("127.0.0.1", "\\PIPE\\x", 9, 0, "A<00>", false, &st));
    ck_assert_int_eq(st, MS_ERR_INVALID_ARG);
}
END_TEST

START_TEST(open_by_path)
{
    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\p\\q", 0, 0, NULL);
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.sport = MS_CLIENT_SPORT_EPHEMERAL;
    o.dport = ms_server_port(s);
    o.dest_name = "PEER<03>";
    ms_status st;
    ms_client *c = NULL;
    st = ms_client_open_path("\\\\127.0.0.1\\mailslot\\p\\q", &o, &c, err, sizeof err);
    ck_assert_msg(st == MS_OK && c != NULL, "%s", err);
    ck_assert_str_eq(ms_client_get_info(c)->slot, "\\MAILSLOT\\p\\q");
    write_ok(c, "x", 1);
    ms_mailslot_msg m;
    read_ok(ms, s, &m, "x", 1);
    name_is(&m.dst, "PEER<03>");
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

/* \\HOST through an LMHOSTS-style file (no name query leaves the host),
 * \\* and \\DOMAIN to lo's broadcast address (-i lo). */
START_TEST(host_domain_and_star_targets)
{
    ms_server *s = server(0, 0, NULL);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\t", 0, 0, NULL);
    char hosts[] = "/tmp/ms_live_hostsXXXXXX";
    int hfd = mkstemp(hosts);
    ck_assert_int_ge(hfd, 0);
    static const char map[] = "127.0.0.1 LOOPHOST\n";
    ck_assert_int_eq(write(hfd, map, sizeof map - 1), (ssize_t)(sizeof map - 1));
    close(hfd);

    ms_client_opts o;
    ms_client_opts_init(&o);
    o.from = "TESTER";
    o.sport = MS_CLIENT_SPORT_EPHEMERAL;
    o.dport = ms_server_port(s);
    o.hosts_file = hosts;
    o.iface = "lo";
    o.wins_ip = LO; /* should the map miss: ask 127.0.0.1, nothing else */
    ms_status st;
    ms_client *c = open_st("\\\\loophost", "\\MAILSLOT\\t", &o, &st);
    unlink(hosts);
    ck_assert_msg(c != NULL, "%s", err);
    const ms_client_info *in = ms_client_get_info(c);
    ck_assert_int_eq(in->kind, MS_TARGET_HOST);
    ck_assert_uint_eq(in->type, MS_NBDS_DIRECT_UNIQUE);
    ck_assert_uint_eq(in->dst_ip, LO);
    write_ok(c, "host", 4);
    ms_mailslot_msg m;
    read_ok(ms, s, &m, "host", 4);
    name_is(&m.dst, "LOOPHOST<00>");
    ms_client_close(c);

    c = open_st("\\\\*", "\\MAILSLOT\\t", &o, &st);
    ck_assert_msg(c != NULL, "%s", err);
    in = ms_client_get_info(c);
    ck_assert_int_eq(in->kind, MS_TARGET_ALL);
    ck_assert_uint_eq(in->dst_ip, LO_BCAST);
    write_ok(c, "star", 4);
    read_ok(ms, s, &m, "star", 4);
    ck_assert_uint_eq(m.type, MS_NBDS_DIRECT_GROUP);
    name_is(&m.dst, "WORKGROUP<00>");
    ms_client_close(c);

    o.workgroup = "labdom";
    c = open_st("\\\\LABDOM", "\\MAILSLOT\\t", &o, &st);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(ms_client_get_info(c)->kind, MS_TARGET_DOMAIN);
    write_ok(c, "dom", 3);
    read_ok(ms, s, &m, "dom", 3);
    ck_assert_uint_eq(m.type, MS_NBDS_DIRECT_GROUP);
    name_is(&m.dst, "LABDOM<00>");
    ck_assert_uint_eq(m.dst_ip, LO_BCAST);
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

/* ---- sizes (PROTOCOL.md §5.4) -------------------------------------------- */

static uint8_t big[2048];

START_TEST(group_sizes)
{
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 13 + 1);
    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\grp", 0, 0, NULL);
    ms_client *c = client("127.0.0.1", "\\MAILSLOT\\grp", ms_server_port(s),
                          MS_NBDS_DIRECT_GROUP, NULL);
    ck_assert_uint_eq(ms_client_get_info(c)->max_data, 424);
    static const size_t ok[] = { 0, 1, 424 };
    ms_mailslot_msg m;
    for (size_t i = 0; i < 3; i++) {
        write_ok(c, big, ok[i]);
        read_ok(ms, s, &m, big, ok[i]);
    }
    ms_write_result r;
    ck_assert_int_eq(ms_client_write(c, big, 425, &r, err, sizeof err), MS_ERR_TOO_BIG);
    ck_assert_ptr_nonnull(strstr(err, "424"));
    ck_assert_ptr_nonnull(strstr(err, "424 data octets, 1 over"));
    ms_client_close(c);
    /* The override sends it anyway. */
    ms_status st;
    c = client_ex("127.0.0.1", "\\MAILSLOT\\grp", ms_server_port(s), MS_NBDS_DIRECT_GROUP,
                  NULL, true, &st);
    ck_assert_ptr_nonnull(c);
    write_ok(c, big, 425);
    read_ok(ms, s, &m, big, 425);
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

static void direct_max(const char *slot, size_t expect)
{
    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *ms = slot_create(s, slot, 0, 0, NULL);
    ms_client *c = client("127.0.0.1", slot, ms_server_port(s), 0, "PEER<00>");
    size_t max = ms_client_get_info(c)->max_data;
    ck_assert_uint_eq(max, expect);
    ms_mailslot_msg m;
    write_ok(c, big, max);
    read_ok(ms, s, &m, big, max);
    /* The whole SMB write is exactly 512 octets. */
    ck_assert_uint_eq(m.payload_len - ms_message_smb_offset(m.m), 512);
    ms_write_result r;
    ck_assert_int_eq(ms_client_write(c, big, max + 1, &r, err, sizeof err), MS_ERR_TOO_BIG);
    ck_assert_ptr_nonnull(strstr(err, ", 1 over 512"));
    ck_assert_ptr_nonnull(strstr(err, "512"));
    ms_client_close(c);
    ms_server_close(s);
}

START_TEST(direct_maximum)
{
    /* MS-MAIL note <2>: 432 - ROUND_UP_4(tail length) with padding. */
    direct_max("\\MAILSLOT\\abcd", 428);
    direct_max("\\MAILSLOT\\test", 428);
    direct_max("\\MAILSLOT\\abcde", 424);
    direct_max("\\MAILSLOT\\abc\\defghijk", 420); /* as NET\\NETLOGON */
    direct_max("\\MAILSLOT\\a234567890123456b", 412); /* tail of 17 */
}
END_TEST

START_TEST(over_576_is_flagged)
{
    ms_status st;
    ms_client *c = client_ex("127.0.0.1", "\\MAILSLOT\\test", 9, 0, "PEER<00>", false, &st);
    ck_assert_ptr_nonnull(c);
    uint8_t buf[1024];
    ms_write_result r;
    ck_assert_int_eq(ms_client_build(c, big, 400, buf, sizeof buf, &r, err, sizeof err), MS_OK);
    ck_assert(!r.over_576);
    ck_assert_int_eq(ms_client_build(c, big, 428, buf, sizeof buf, &r, err, sizeof err), MS_OK);
    ck_assert(r.over_576);
    ck_assert_uint_eq(r.payload_len, 14 + 68 + 512);
    ms_client_close(c);
}
END_TEST

START_TEST(fresh_dgm_id_per_datagram)
{
    ms_status st;
    ms_client *c = client_ex("127.0.0.1", "\\MAILSLOT\\test", 9, 0, "PEER<00>", false, &st);
    uint8_t buf[1024];
    ms_write_result a, b;
    ck_assert_int_eq(ms_client_build(c, "x", 1, buf, sizeof buf, &a, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_client_build(c, "x", 1, buf, sizeof buf, &b, err, sizeof err), MS_OK);
    ck_assert_uint_ne(a.dgm_id, b.dgm_id);
    ms_client_close(c);
}
END_TEST

/* ---- names --------------------------------------------------------------- */

START_TEST(nested_and_case_insensitive_names)
{
    char out[300];
    ck_assert_int_eq(ms_mailslot_name_normalize("\\\\.\\mailslot\\taxes\\bobs", out, sizeof out),
                     MS_OK);
    ck_assert_str_eq(out, "\\MAILSLOT\\taxes\\bobs");
    ck_assert_int_eq(ms_mailslot_name_normalize("/mailslot/a/b", out, sizeof out), MS_OK);
    ck_assert_str_eq(out, "\\MAILSLOT\\a\\b");
    ck_assert_int_eq(ms_mailslot_name_normalize("\\MAILSLOT\\", out, sizeof out),
                     MS_ERR_INVALID_ARG);
    ck_assert_int_eq(ms_mailslot_name_normalize("\\PIPE\\x", out, sizeof out), MS_ERR_INVALID_ARG);

    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *ms = slot_create(s, "\\\\.\\mailslot\\taxes\\bobs_comments", 0, 0, NULL);
    ck_assert_ptr_nonnull(ms);
    ms_status st;
    ck_assert_ptr_null(slot_create(s, "\\MAILSLOT\\TAXES\\BOBS_COMMENTS", 0, 0, &st));
    ck_assert_int_eq(st, MS_ERR_EXISTS);
    ms_client *c = client("127.0.0.1", "\\MAILSLOT\\TAXES\\Bobs_Comments", ms_server_port(s), 0,
                          "PEER<00>");
    write_ok(c, "tax", 3);
    ms_mailslot_msg m;
    read_ok(ms, s, &m, "tax", 3);
    ck_assert_str_eq(m.slot, "\\MAILSLOT\\TAXES\\Bobs_Comments");
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

/* ---- timeouts, info ------------------------------------------------------ */

START_TEST(read_timeouts)
{
    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\t", 0, 0, NULL);
    ms_mailslot_msg m;
    uint64_t t0 = ms_monotonic_ns();
    ck_assert_int_eq(ms_mailslot_read(ms, &m), MS_ERR_TIMEOUT);
    ck_assert_uint_lt(ms_since(t0), 100);
    ms_mailslot_set_timeout(ms, 200);
    t0 = ms_monotonic_ns();
    ck_assert_int_eq(ms_mailslot_read(ms, &m), MS_ERR_TIMEOUT);
    uint64_t el = ms_since(t0);
    ck_assert_uint_ge(el, 195);
    ck_assert_uint_lt(el, WAIT_MS);

    /* Forever: a child writes after 150 ms while we block. */
    ms_mailslot_set_timeout(ms, MS_MAILSLOT_WAIT_FOREVER);
    uint16_t port = ms_server_port(s);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct timespec ts = { 0, 150000000L };
        nanosleep(&ts, NULL);
        ms_status st;
        ms_client *c = client_ex("127.0.0.1", "\\MAILSLOT\\t", port, 0, "PEER<00>", false, &st);
        int ok = c && ms_client_write(c, "late", 4, NULL, err, sizeof err) == MS_OK;
        _exit(ok ? 0 : 1);
    }
    /* Bounded even if the child fails: SIGALRM would end the test. */
    alarm(10);
    t0 = ms_monotonic_ns();
    ck_assert_int_eq(ms_mailslot_read(ms, &m), MS_OK);
    alarm(0);
    ck_assert_uint_ge(ms_since(t0), 100);
    ck_assert_uint_eq(m.len, 4);
    ck_assert_mem_eq(m.data, "late", 4);
    int wst;
    ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
    ck_assert(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
    ms_server_close(s);
}
END_TEST

/* Wait until the server has queued n messages (bounded). */
static void settle(ms_server *s, uint64_t datagrams)
{
    uint64_t t0 = ms_monotonic_ns();
    while (stats_of(s)->datagrams < datagrams && ms_since(t0) < WAIT_MS)
        ms_server_wait(s, 50);
    ck_assert_uint_ge(stats_of(s)->datagrams, datagrams);
}

/* A message carries its arrival time, not the time it was read: the
 * kernel's receive time on the socket, the given time when injected. */
START_TEST(time_is_arrival_not_read)
{
    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\when", 0, 0, NULL);
    ms_client *c = client("127.0.0.1", "\\MAILSLOT\\when", ms_server_port(s), 0, "PEER<00>");
    /* The kernel turns receive timestamps on a moment after the first
     * socket asks (deferred work); until then a datagram is stamped when
     * read. Probe (bounded) until a probe read 50 ms late shows its send
     * time. */
    ms_mailslot_msg m;
    struct timespec short_pause = { 0, 50000000L };
    bool stamped = false;
    for (int i = 0; i < 40 && !stamped; i++) {
        uint64_t t = ms_realtime_ns();
        write_ok(c, "p", 1);
        nanosleep(&short_pause, NULL);
        read_ok(ms, s, &m, "p", 1);
        stamped = m.time_ns < t + 25000000u;
    }
    ck_assert_msg(stamped, "the kernel never stamped a datagram on arrival");
    uint64_t sent = ms_realtime_ns();
    write_ok(c, "t", 1);
    struct timespec pause = { 0, 600000000L }; /* unread for 0.6 s */
    nanosleep(&pause, NULL);
    read_ok(ms, s, &m, "t", 1);
    ck_assert_uint_ge(m.time_ns + 1000000u, sent);
    ck_assert_uint_lt(m.time_ns, sent + 300000000u); /* not the read, 0.6 s on */
    /* Injected with a capture time: that time. */
    uint8_t frame[600];
    ms_write_result res;
    ck_assert_int_eq(ms_client_build(c, "u", 1, frame, sizeof frame, &res, err, sizeof err), MS_OK);
    ms_udp_datagram d = { .ts_sec = 1700000000, .ts_nsec = 123456789, .ip_src = LO,
                          .ip_dst = LO, .sport = 138, .dport = 138, .payload = frame,
                          .len = res.payload_len, .orig_len = res.payload_len };
    bool queued = false;
    ck_assert_int_eq(ms_server_inject(s, &d, &queued), MS_OK);
    ck_assert(queued);
    read_ok(ms, s, &m, "u", 1);
    ck_assert_uint_eq(m.time_ns, 1700000000123456789ull);
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

START_TEST(info_and_set_timeout)
{
    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\info", 300, 0, NULL);
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ck_assert_int_eq(ms_mailslot_get_info(ms, &in), MS_OK);
    ck_assert_uint_eq(in.next_size, MS_MAILSLOT_NO_MESSAGE);
    ck_assert_uint_eq(in.count, 0);
    ck_assert_uint_eq(in.max_size, 300);
    ck_assert_uint_eq(in.read_timeout_ms, 0);
    ms_client *c = client("127.0.0.1", "\\MAILSLOT\\info", ms_server_port(s), 0, "PEER<00>");
    write_ok(c, "12345", 5);
    write_ok(c, "1234567", 7);
    write_ok(c, big, 301); /* over max_size: dropped */
    settle(s, 3);
    ck_assert_int_eq(ms_mailslot_get_info(ms, &in), MS_OK);
    ck_assert_uint_eq(in.next_size, 5);
    ck_assert_uint_eq(in.count, 2);
    ck_assert_uint_eq(in.too_big, 1);
    ck_assert_uint_eq(stats_of(s)->too_big, 1);
    ms_mailslot_msg m;
    ck_assert_int_eq(ms_mailslot_read(ms, &m), MS_OK);
    ck_assert_int_eq(ms_mailslot_get_info(ms, &in), MS_OK);
    ck_assert_uint_eq(in.next_size, 7);
    ck_assert_uint_eq(in.count, 1);
    ck_assert_int_eq(ms_mailslot_read(ms, &m), MS_OK);
    ck_assert_int_eq(ms_mailslot_get_info(ms, &in), MS_OK);
    ck_assert_uint_eq(in.next_size, MS_MAILSLOT_NO_MESSAGE);
    ck_assert_uint_eq(in.count, 0);
    ms_mailslot_set_timeout(ms, 1234);
    ck_assert_int_eq(ms_mailslot_get_info(ms, &in), MS_OK);
    ck_assert_uint_eq(in.read_timeout_ms, 1234);
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

/* ---- queue, duplicates, drops -------------------------------------------- */

START_TEST(queue_full_drops_newest)
{
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.queue_max = 3;
    ms_server *s = server(LO, 0, &o);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\q", 0, 0, NULL);
    ms_client *c = client("127.0.0.1", "\\MAILSLOT\\q", ms_server_port(s), 0, "PEER<00>");
    const char *msgs[] = { "m0", "m1", "m2", "m3", "m4" };
    for (int i = 0; i < 5; i++)
        write_ok(c, msgs[i], 2);
    settle(s, 5);
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ms_mailslot_get_info(ms, &in);
    ck_assert_uint_eq(in.count, 3);
    ck_assert_uint_eq(in.queue_full, 2);
    ck_assert_uint_eq(stats_of(s)->queue_full, 2);
    ms_mailslot_msg m;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(ms_mailslot_read(ms, &m), MS_OK);
        ck_assert_mem_eq(m.data, msgs[i], 2); /* the oldest are kept */
    }
    ck_assert_int_eq(ms_mailslot_read(ms, &m), MS_ERR_TIMEOUT);
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

START_TEST(duplicates_suppressed_within_window)
{
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.dedup_window_ms = 300;
    ms_server *s = server(LO, 0, &o);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\dup", 0, 0, NULL);
    ms_client *c = client("127.0.0.1", "\\MAILSLOT\\dup", ms_server_port(s), 0, "PEER<00>");
    uint8_t buf[1024];
    ms_write_result r;
    ck_assert_int_eq(ms_client_build(c, "same", 4, buf, sizeof buf, &r, err, sizeof err), MS_OK);
    int fd = ms_client_fd(c);
    /* The same datagram twice (a second transport), then after the window. */
    ck_assert_int_eq(ms_udp_sendto(fd, LO, ms_server_port(s), buf, r.payload_len), 0);
    ck_assert_int_eq(ms_udp_sendto(fd, LO, ms_server_port(s), buf, r.payload_len), 0);
    settle(s, 2);
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ms_mailslot_get_info(ms, &in);
    ck_assert_uint_eq(in.count, 1);
    ck_assert_uint_eq(stats_of(s)->duplicates, 1);
    /* Same data, fresh DGM_ID: a new message. */
    write_ok(c, "same", 4);
    settle(s, 3);
    ms_mailslot_get_info(ms, &in);
    ck_assert_uint_eq(in.count, 2);
    struct timespec ts = { 0, 400000000L };
    nanosleep(&ts, NULL);
    ck_assert_int_eq(ms_udp_sendto(fd, LO, ms_server_port(s), buf, r.payload_len), 0);
    settle(s, 4);
    ms_mailslot_get_info(ms, &in);
    ck_assert_uint_eq(in.count, 3);
    ck_assert_uint_eq(stats_of(s)->duplicates, 1);
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

START_TEST(many_mailslots_one_socket)
{
    ms_server *s = server(LO, 0, NULL);
    enum { N = 12 };
    ms_mailslot *ms[N];
    char names[N][64];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "\\MAILSLOT\\many\\slot%d", i);
        ms[i] = slot_create(s, names[i], 0, 0, NULL);
        ck_assert_ptr_nonnull(ms[i]);
    }
    for (int i = N - 1; i >= 0; i--) {
        ms_client *c = client("127.0.0.1", names[i], ms_server_port(s), 0, "PEER<00>");
        write_ok(c, names[i], strlen(names[i]));
        ms_client_close(c);
    }
    ms_mailslot_msg m;
    for (int i = 0; i < N; i++)
        read_ok(ms[i], s, &m, names[i], strlen(names[i]));
    /* read_any returns in arrival order across mailslots. */
    for (int i = 0; i < 3; i++) {
        ms_client *c = client("127.0.0.1", names[i * 2], ms_server_port(s), 0, "PEER<00>");
        write_ok(c, names[i * 2], strlen(names[i * 2]));
        ms_client_close(c);
    }
    settle(s, N + 3);
    for (int i = 0; i < 3; i++) {
        ms_mailslot *from = NULL;
        ck_assert_int_eq(ms_server_read_any(s, WAIT_MS, &from, &m), MS_OK);
        ck_assert_ptr_eq(from, ms[i * 2]);
    }
    ms_mailslot_close(ms[3]);
    ms_server_close(s);
}
END_TEST

START_TEST(unopened_and_malformed_dropped)
{
    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\open", 0, 0, NULL);
    ms_client *c = client("127.0.0.1", "\\MAILSLOT\\closed", ms_server_port(s), 0, "PEER<00>");
    write_ok(c, "nobody", 6);
    int fd = ms_client_fd(c);
    static const uint8_t junk[] = { 0x10, 0x02, 0, 1, 127, 0, 0, 1, 0, 138, 0, 4, 0, 0, 1, 2 };
    ck_assert_int_eq(ms_udp_sendto(fd, LO, ms_server_port(s), junk, sizeof junk), 0);
    settle(s, 2);
    ms_mailslot_msg m;
    ck_assert_int_eq(ms_mailslot_read(ms, &m), MS_ERR_TIMEOUT);
    ck_assert_uint_eq(stats_of(s)->no_mailslot, 1);
    ck_assert_uint_eq(stats_of(s)->malformed, 1);
    ck_assert_uint_eq(stats_of(s)->queued, 0);
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

START_TEST(catch_all_and_nonblocking_use)
{
    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *named = slot_create(s, "\\MAILSLOT\\named", 0, 0, NULL);
    ms_mailslot *any = slot_create(s, "*", 0, 0, NULL);
    ck_assert_ptr_nonnull(any);
    ms_client *c = client("127.0.0.1", "\\MAILSLOT\\other", ms_server_port(s), 0, "PEER<00>");
    write_ok(c, "o", 1);
    struct pollfd p = { ms_server_fd(s), POLLIN, 0 };
    ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
    ck_assert_int_eq(pump_count(s), 1);
    ms_mailslot_msg m;
    ck_assert_int_eq(ms_mailslot_read(named, &m), MS_ERR_TIMEOUT);
    ck_assert_int_eq(ms_mailslot_read(any, &m), MS_OK);
    ck_assert_str_eq(m.slot, "\\MAILSLOT\\other");
    validate(&m, ms_server_port(s));
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

/* Two NBDS fragments of one write arrive out of order: one message. */
START_TEST(nbds_fragments_reassembled)
{
    ms_server *s = server(LO, 0, NULL);
    ms_mailslot *ms = slot_create(s, "\\MAILSLOT\\frag", 0, 0, NULL);
    ms_client *c = client("127.0.0.1", "\\MAILSLOT\\frag", ms_server_port(s), 0, "PEER<00>");
    uint8_t whole[1024];
    ms_write_result r;
    ck_assert_int_eq(ms_client_build(c, big, 300, whole, sizeof whole, &r, err, sizeof err),
                     MS_OK);
    static ms_message d;
    ck_assert_int_eq(ms_message_decode(whole, r.payload_len, &d), MS_OK);
    const uint8_t *ud = d.dgram.user_data.p;
    size_t ulen = d.dgram.user_data.len, cut = 200;
    uint8_t f1[1024], f2[1024];
    size_t n1, n2;
    ms_dgram g = d.dgram;
    g.auto_fields = MS_DGRAM_AUTO_LENGTH;
    g.trailing.len = 0;
    g.flags = MS_NBDS_FLAG_FIRST | MS_NBDS_FLAG_MORE;
    g.user_data = (ms_bytes){ ud, cut };
    ck_assert_int_eq(ms_dgram_encode(&g, f1, sizeof f1, &n1), MS_OK);
    g.flags = 0;
    g.packet_offset = (uint16_t)cut;
    g.user_data = (ms_bytes){ ud + cut, ulen - cut };
    ck_assert_int_eq(ms_dgram_encode(&g, f2, sizeof f2, &n2), MS_OK);
    int fd = ms_client_fd(c);
    ck_assert_int_eq(ms_udp_sendto(fd, LO, ms_server_port(s), f2, n2), 0);
    ck_assert_int_eq(ms_udp_sendto(fd, LO, ms_server_port(s), f1, n1), 0);
    ms_mailslot_msg m;
    read_ok(ms, s, &m, big, 300);
    ck_assert(m.reassembled);
    ck_assert_uint_eq(stats_of(s)->reassembled, 1);
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

/* SO_REUSEADDR on Linux: a broadcast reaches every socket bound to the
 * port; a unicast datagram reaches exactly one of them. */
START_TEST(shared_port_broadcast_reaches_all)
{
    ms_server *a = server(0, 0, NULL);
    uint16_t port = ms_server_port(a);
    ms_server *b = server(0, port, NULL);
    ms_mailslot *ma = slot_create(a, "*", 0, 0, NULL);
    ms_mailslot *mb = slot_create(b, "*", 0, 0, NULL);
    ms_client *c = client("127.255.255.255", "\\MAILSLOT\\shared", port, 0, NULL);
    write_ok(c, "bc", 2);
    ms_mailslot_msg m;
    read_ok(ma, a, &m, "bc", 2);
    read_ok(mb, b, &m, "bc", 2);
    ms_client_close(c);
    c = client("127.0.0.1", "\\MAILSLOT\\shared", port, 0, "PEER<00>");
    write_ok(c, "uc", 2);
    uint64_t t0 = ms_monotonic_ns();
    while (stats_of(a)->datagrams + stats_of(b)->datagrams < 3 &&
           ms_since(t0) < WAIT_MS) {
        ms_server_wait(a, 20);
        ms_server_wait(b, 20);
    }
    struct timespec ts = { 0, 100000000L };
    nanosleep(&ts, NULL);
    pump_count(a);
    pump_count(b);
    ck_assert_uint_eq(stats_of(a)->datagrams + stats_of(b)->datagrams, 3);
    ms_client_close(c);
    ms_server_close(a);
    ms_server_close(b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("live");
    TCase *t = tcase_create("loopback");
    tcase_set_timeout(t, 30);
    tcase_add_test(t, unique_to_address);
    tcase_add_test(t, time_is_arrival_not_read);
    tcase_add_test(t, group_to_broadcast_address);
    tcase_add_test(t, group_and_broadcast_types_forced);
    tcase_add_test(t, address_needs_a_name_and_local_is_refused);
    tcase_add_test(t, open_by_path);
    tcase_add_test(t, host_domain_and_star_targets);
    tcase_add_test(t, group_sizes);
    tcase_add_test(t, direct_maximum);
    tcase_add_test(t, over_576_is_flagged);
    tcase_add_test(t, fresh_dgm_id_per_datagram);
    tcase_add_test(t, nested_and_case_insensitive_names);
    tcase_add_test(t, read_timeouts);
    tcase_add_test(t, info_and_set_timeout);
    tcase_add_test(t, queue_full_drops_newest);
    tcase_add_test(t, duplicates_suppressed_within_window);
    tcase_add_test(t, many_mailslots_one_socket);
    tcase_add_test(t, unopened_and_malformed_dropped);
    tcase_add_test(t, catch_all_and_nonblocking_use);
    tcase_add_test(t, nbds_fragments_reassembled);
    tcase_add_test(t, shared_port_broadcast_reaches_all);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
