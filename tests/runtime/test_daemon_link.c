/* SPDX-License-Identifier: MIT */
/* Programs through mailslotd (src/runtime/daemon_link.c, server_daemon.c,
 * daemon_probe.c) against a fake daemon in a temporary directory
 * (tests/support/fake_mailslotd.c): probe and status, a server that
 * attaches instead of binding 138, one creator per name, deliveries read
 * with the sender's names, addresses and time, monitor copies, local
 * mailslots registered too, re-attaching after the daemon died and came
 * back, a stalled daemon, packets refused. Every wait is bounded. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fake_mailslotd.h"
#include "guard.h"
#include "mailslot/client.h"
#include "mailslot/ctl_sock.h"
#include "mailslot/daemon_link.h"
#include "mailslot/net.h"
#include "mailslot/server.h"

#define WAIT_MS 5000 /* bound for anything that should happen */

static char dir[64], rundir[80], err[512];

static void setup(void)
{
    fake_dir(dir, sizeof dir);
    setenv("MAILSLOTD_DIR", dir, 1);
    /* Local mailslots in a directory of this test's own. */
    snprintf(rundir, sizeof rundir, "%s/run", dir);
    ck_assert_int_eq(mkdir(rundir, 0700), 0);
    setenv("MAILSLOT_DIR", rundir, 1);
}

static void teardown(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    unsetenv("MAILSLOT_DIR");
}

/* A datagram as a peer would write it: FROM<00> -> FAKEHOST<00>. */
static size_t datagram(const char *slot, const char *data, uint8_t *buf, size_t cap)
{
    ms_client_opts o;
    ms_client_opts_init(&o);
    o.from = "PEER";
    o.dest_name = "FAKEHOST<00>";
    o.no_socket = true;
    o.src_ip = 0xC0000214u;
    ms_client *c;
    ck_assert_msg(ms_client_open("192.0.2.1", slot, &o, &c, err, sizeof err) == MS_OK, "%s", err);
    ms_write_result r;
    ck_assert_int_eq(ms_client_build(c, data, strlen(data), buf, cap, &r, err, sizeof err), MS_OK);
    ms_client_close(c);
    return r.payload_len;
}

static const fake_meta META = { .src_ip = 0xC0000214u, .src_port = 138, .dst_ip = 0xC00002FFu,
                                .dst_port = 138, .time_ns = 1700000000123456789ull,
                                .ifindex = 7, .via = MS_CTL_VIA_SOCKET };

static ms_server *attached_server(const ms_server_opts *in)
{
    ms_server_opts o;
    if (in)
        o = *in;
    else
        ms_server_opts_init(&o);
    ms_server *s;
    ck_assert_msg(ms_server_open(&o, &s, err, sizeof err) == MS_OK, "%s", err);
    return s;
}

static ms_daemon_state state_of(const ms_server *s)
{
    ms_daemon_link_info i = MS_SIZED(ms_daemon_link_info);
    ck_assert_int_eq(ms_server_get_daemon(s, &i), MS_OK);
    return i.state;
}

/* Run the server's loop until its link is in state want (bounded). */
static bool wait_state(ms_server *s, ms_daemon_state want, int ms)
{
    for (int waited = 0; waited < ms; waited += 20) {
        if (state_of(s) == want)
            return true;
        ms_server_wait(s, 20);
    }
    return state_of(s) == want;
}

START_TEST(probe_and_status)
{
    ms_daemon_hello h = MS_SIZED(ms_daemon_hello);
    ck_assert_int_eq(ms_daemon_probe(NULL, 500, &h, err, sizeof err), MS_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err, "no mailslotd at"));
    fake_daemon *f = fake_start(dir, false);
    ck_assert_msg(ms_daemon_probe(NULL, 0, &h, err, sizeof err) == MS_OK, "%s", err);
    ck_assert_uint_eq(h.version, MS_CTL_VERSION);
    ck_assert_uint_eq(h.nnames, 3);
    ck_assert_str_eq(h.names[0], "FAKEHOST<00>");
    ck_assert_str_eq(h.text, "fake mailslotd");
    ck_assert_ptr_nonnull(strstr(h.path, dir));
    ms_nb_name n;
    ck_assert_int_eq(ms_nb_name_parse(&n, "fakehost<20>", 12), MS_OK);
    ck_assert(ms_daemon_holds_name(&h, &n));
    ck_assert_int_eq(ms_nb_name_parse(&n, "FAKEHOST<03>", 12), MS_OK);
    ck_assert(!ms_daemon_holds_name(&h, &n));
    ck_assert_int_eq(fake_count(f, MS_CTL_HELLO), 1);
    char js[256];
    ck_assert_msg(ms_daemon_status(dir, 0, js, sizeof js, err, sizeof err) == MS_OK, "%s", err);
    ck_assert_str_eq(js, "{\"fake\":true,\"names\":[\"FAKEHOST<00>\"]}");
    ck_assert_int_eq(ms_daemon_status(dir, 0, js, 10, err, sizeof err), MS_ERR_NO_SPACE);
    ck_assert_str_eq(ms_daemon_use_name(MS_DAEMON_REQUIRE), "require");
    fake_stop(f);
}
END_TEST

START_TEST(create_exists_delete)
{
    fake_daemon *f = fake_start(dir, false);
    /* Port 138 without privilege: nothing is bound, the daemon is used. */
    ms_server *a = attached_server(NULL), *b = attached_server(NULL);
    ck_assert_int_eq(ms_server_fd(a), -1);
    ck_assert_int_eq(state_of(a), MS_DAEMON_STATE_UP);
    ms_mailslot *ma, *mb;
    ck_assert_int_eq(ms_mailslot_create(a, "\\MAILSLOT\\One", 0, 0, &ma), MS_OK);
    ck_assert(fake_holds(f, "\\MAILSLOT\\ONE"));
    /* Another program: the Win32 rule. */
    ck_assert_int_eq(ms_mailslot_create(b, "\\mailslot\\one", 0, 0, &mb), MS_ERR_EXISTS);
    ck_assert_ptr_null(mb);
    ms_mailslot_close(ma);
    ck_assert(fake_wait_count(f, MS_CTL_DELETE, 1, WAIT_MS));
    ck_assert_int_eq(ms_mailslot_create(b, "\\mailslot\\one", 0, 0, &mb), MS_OK);
    ck_assert(fake_holds(f, "\\MAILSLOT\\one"));
    /* Closing the server lets go of its names (the connection ends). */
    ms_server_close(b);
    for (int i = 0; i < 100 && fake_holds(f, "\\MAILSLOT\\one"); i++)
        ms_server_wait(a, 10);
    ck_assert(!fake_holds(f, "\\MAILSLOT\\one"));
    ms_server_close(a);
    fake_stop(f);
}
END_TEST

START_TEST(deliver_with_sender)
{
    fake_daemon *f = fake_start(dir, false);
    ms_server *s = attached_server(NULL);
    ms_mailslot *m;
    ck_assert_int_eq(ms_mailslot_create(s, "\\MAILSLOT\\app", 0, 2000, &m), MS_OK);
    uint8_t dg[600];
    size_t n = datagram("\\MAILSLOT\\APP", "hello", dg, sizeof dg);
    fake_meta meta = META;
    meta.dropped = 3;
    ck_assert_int_eq(fake_deliver(f, "\\MAILSLOT\\app", dg, n, &meta, false), 1);
    ms_mailslot_msg msg;
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
    ck_assert_uint_eq(msg.len, 5);
    ck_assert_mem_eq(msg.data, "hello", 5);
    ck_assert_ptr_nonnull(msg.m);
    char name[64];
    ms_nb_name_format(&msg.src, name, sizeof name);
    ck_assert_str_eq(name, "PEER<00>");
    ms_nb_name_format(&msg.dst, name, sizeof name);
    ck_assert_str_eq(name, "FAKEHOST<00>");
    ck_assert_uint_eq(msg.src_ip, 0xC0000214u);
    ck_assert_uint_eq(msg.src_port, 138);
    ck_assert_uint_eq(msg.dst_ip, 0xC00002FFu);
    ck_assert_uint_eq(msg.dst_port, 138);
    ck_assert_uint_eq(msg.time_ns, 1700000000123456789ull);
    ck_assert(msg.via_daemon);
    ck_assert_uint_eq(msg.daemon_via, MS_CTL_VIA_SOCKET);
    ck_assert_str_eq(msg.slot, "\\MAILSLOT\\APP");
    ms_mailslot_info info = MS_SIZED(ms_mailslot_info);
    ck_assert_int_eq(ms_mailslot_get_info(m, &info), MS_OK);
    ck_assert_uint_eq(info.daemon_dropped, 3);
    /* -i: another interface's datagram is counted, not queued. */
    ms_server_close(s);
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.ifindex = 2;
    s = attached_server(&o);
    ck_assert_int_eq(ms_mailslot_create(s, "\\MAILSLOT\\app", 0, 300, &m), MS_OK);
    ck_assert_int_eq(fake_deliver(f, "\\MAILSLOT\\app", dg, n, &META, false), 1);
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_ERR_TIMEOUT);
    ms_server_stats st = MS_SIZED(ms_server_stats);
    ms_server_get_stats(s, &st);
    ck_assert_uint_eq(st.other_iface, 1);
    ms_server_close(s);
    fake_stop(f);
}
END_TEST

START_TEST(monitor_copies)
{
    fake_daemon *f = fake_start(dir, false);
    ms_server *mon = attached_server(NULL), *own = attached_server(NULL);
    ms_mailslot *any, *one;
    ck_assert_int_eq(ms_mailslot_create(mon, "*", 0, 2000, &any), MS_OK);
    ck_assert_int_eq(fake_monitors(f), 1);
    ck_assert_int_eq(ms_mailslot_create(own, "\\MAILSLOT\\one", 0, 2000, &one), MS_OK);
    uint8_t dg[600];
    size_t n = datagram("\\MAILSLOT\\one", "copy me", dg, sizeof dg);
    /* The creator and the monitor each get it. */
    ck_assert_int_eq(fake_deliver(f, "\\MAILSLOT\\one", dg, n, &META, false), 2);
    ms_mailslot_msg msg;
    ck_assert_int_eq(ms_mailslot_read(one, &msg), MS_OK);
    ck_assert_mem_eq(msg.data, "copy me", 7);
    ms_mailslot *from = NULL;
    ck_assert_int_eq(ms_server_read_any(mon, 2000, &from, &msg), MS_OK);
    ck_assert_ptr_eq(from, any);
    ck_assert_mem_eq(msg.data, "copy me", 7);
    ck_assert_str_eq(msg.slot, "\\MAILSLOT\\one");
    /* A write nobody created reaches the monitor alone. */
    n = datagram("\\MAILSLOT\\nobody", "stray", dg, sizeof dg);
    ck_assert_int_eq(fake_deliver(f, "\\MAILSLOT\\nobody", dg, n, &META, false), 1);
    ck_assert_int_eq(ms_server_read_any(mon, 2000, &from, &msg), MS_OK);
    ck_assert_mem_eq(msg.data, "stray", 5);
    /* Copies that name the mailslot written to (F_COPY says what they
     * are), as mailslotd sends them: still the monitor's. */
    fake_copies_named(f, true);
    n = datagram("\\MAILSLOT\\elsewhere", "named copy", dg, sizeof dg);
    ck_assert_int_eq(fake_deliver(f, "\\MAILSLOT\\elsewhere", dg, n, &META, false), 1);
    ck_assert_int_eq(ms_server_read_any(mon, 2000, &from, &msg), MS_OK);
    ck_assert_ptr_eq(from, any);
    ck_assert_mem_eq(msg.data, "named copy", 10);
    ms_daemon_link_info li = MS_SIZED(ms_daemon_link_info);
    ms_server_get_daemon(mon, &li);
    ck_assert_uint_eq(li.refused, 0);
    ms_server_close(own);
    ms_server_close(mon);
    fake_stop(f);
}
END_TEST

START_TEST(local_slots_registered)
{
    fake_daemon *f = fake_start(dir, false);
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.no_socket = true;
    ms_server *s = attached_server(&o);
    ms_mailslot *loc, *inject;
    ck_assert_int_eq(ms_mailslot_create(s, "\\\\.\\mailslot\\Jobs", 0, 2000, &loc), MS_OK);
    ck_assert_int_ge(ms_mailslot_local_fd(loc), 0);
    ck_assert(fake_holds(f, "\\MAILSLOT\\jobs"));
    /* A network name of a no_socket server is the caller's to inject. */
    ck_assert_int_eq(ms_mailslot_create(s, "\\MAILSLOT\\inj", 0, 0, &inject), MS_OK);
    ck_assert(!fake_holds(f, "\\MAILSLOT\\inj"));
    uint8_t dg[600];
    size_t n = datagram("\\MAILSLOT\\JOBS", "from the lan", dg, sizeof dg);
    ck_assert_int_eq(fake_deliver(f, "\\MAILSLOT\\jobs", dg, n, &META, false), 1);
    ms_mailslot_msg msg;
    ck_assert_int_eq(ms_mailslot_read(loc, &msg), MS_OK);
    ck_assert_ptr_nonnull(msg.m);
    ck_assert_mem_eq(msg.data, "from the lan", 12);
    ck_assert_uint_eq(msg.src_ip, 0xC0000214u);
    /* The local socket works as before: no datagram information. */
    ms_client *c;
    ck_assert_msg(ms_client_open_path("\\\\.\\mailslot\\jobs", NULL, &c, err, sizeof err) == MS_OK,
                  "%s", err);
    ck_assert_int_eq(ms_client_write(c, "local", 5, NULL, err, sizeof err), MS_OK);
    ms_client_close(c);
    ck_assert_int_eq(ms_mailslot_read(loc, &msg), MS_OK);
    ck_assert_ptr_null(msg.m);
    ck_assert(!msg.via_daemon);
    ck_assert_mem_eq(msg.data, "local", 5);
    /* Held by another program at the daemon: refused, no files left. */
    ms_server *other = attached_server(NULL);
    ms_mailslot *held;
    ck_assert_int_eq(ms_mailslot_create(other, "\\MAILSLOT\\taken", 0, 0, &held), MS_OK);
    ck_assert_int_eq(ms_mailslot_create(s, "\\\\.\\mailslot\\taken", 0, 0, &held), MS_ERR_EXISTS);
    char p[200];
    snprintf(p, sizeof p, "%s/taken.s", rundir);
    ck_assert_int_ne(access(p, F_OK), 0);
    ms_server_close(other);
    ms_server_close(s);
    fake_stop(f);
}
END_TEST

START_TEST(modes)
{
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.no_socket = true;
    o.daemon = MS_DAEMON_REQUIRE;
    ms_server *s;
    ck_assert_int_eq(ms_server_open(&o, &s, err, sizeof err), MS_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(err, "no mailslotd"));
    /* AUTO without a daemon: direct, as before. */
    o.daemon = MS_DAEMON_AUTO;
    ck_assert_int_eq(ms_server_open(&o, &s, err, sizeof err), MS_OK);
    ck_assert_int_eq(state_of(s), MS_DAEMON_STATE_NONE);
    ms_server_close(s);
    fake_daemon *f = fake_start(dir, false);
    o.daemon = MS_DAEMON_NEVER;
    ck_assert_int_eq(ms_server_open(&o, &s, err, sizeof err), MS_OK);
    ms_mailslot *m;
    ck_assert_int_eq(ms_mailslot_create(s, "\\\\.\\mailslot\\never", 0, 0, &m), MS_OK);
    ck_assert_int_eq(state_of(s), MS_DAEMON_STATE_NONE);
    ms_server_close(s);
    ck_assert_int_eq(fake_count(f, MS_CTL_HELLO), 0);
    /* What the daemon cannot serve: direct in AUTO, refused in REQUIRE. */
    ms_server_opts_init(&o);
    o.port = 1;
    o.daemon = MS_DAEMON_REQUIRE;
    ck_assert_int_eq(ms_server_open(&o, &s, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err, "port other than 138"));
    ms_server_opts_init(&o);
    o.bind_ip = 0x7F000001u;
    o.port = 0;
    o.daemon = MS_DAEMON_REQUIRE;
    ck_assert_int_eq(ms_server_open(&o, &s, err, sizeof err), MS_ERR_INVALID_ARG);
    ck_assert_int_eq(fake_count(f, MS_CTL_HELLO), 0);
    /* An explicit directory wins over $MAILSLOTD_DIR. */
    setenv("MAILSLOTD_DIR", "/nonexistent", 1);
    ms_server_opts_init(&o);
    o.daemon_dir = dir;
    o.daemon = MS_DAEMON_REQUIRE;
    ck_assert_msg(ms_server_open(&o, &s, err, sizeof err) == MS_OK, "%s", err);
    ms_server_close(s);
    fake_stop(f);
}
END_TEST

typedef struct events {
    int attached, detached, lost;
    char last[512];
} events;

static void on_event(const ms_daemon_event *ev, void *ctx)
{
    events *e = ctx;
    e->attached += ev->kind == MS_DAEMON_EV_ATTACHED;
    e->detached += ev->kind == MS_DAEMON_EV_DETACHED;
    e->lost += ev->kind == MS_DAEMON_EV_LOST;
    snprintf(e->last, sizeof e->last, "%s", ev->text);
}

START_TEST(reattach_after_restart)
{
    fake_daemon *f = fake_start(dir, false);
    static events ev;
    memset(&ev, 0, sizeof ev);
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.on_daemon = on_event;
    o.daemon_ctx = &ev;
    ms_server *s = attached_server(&o);
    ms_mailslot *one, *two, *any;
    ck_assert_int_eq(ms_mailslot_create(s, "\\MAILSLOT\\one", 0, 2000, &one), MS_OK);
    ck_assert_int_eq(ms_mailslot_create(s, "\\MAILSLOT\\two", 0, 2000, &two), MS_OK);
    ck_assert_int_eq(ms_mailslot_create(s, "*", 0, 0, &any), MS_OK);
    fake_stop(f); /* the daemon dies */
    ck_assert(wait_state(s, MS_DAEMON_STATE_DOWN, WAIT_MS));
    ck_assert_int_eq(ev.detached, 1);
    ck_assert_ptr_nonnull(strstr(ev.last, "re-attaching"));
    /* Created while it is away: registered when it is back. */
    ms_mailslot *three;
    ck_assert_int_eq(ms_mailslot_create(s, "\\MAILSLOT\\three", 0, 2000, &three), MS_OK);
    ms_server_wait(s, 300); /* a few retries find nothing */
    f = fake_start(dir, false);
    /* Another program took "two" meanwhile. */
    ms_server *thief = attached_server(NULL);
    ms_mailslot *t;
    ck_assert_int_eq(ms_mailslot_create(thief, "\\MAILSLOT\\two", 0, 0, &t), MS_OK);
    uint64_t t0 = ms_monotonic_ns();
    ck_assert(wait_state(s, MS_DAEMON_STATE_UP, WAIT_MS));
    for (int i = 0; i < 250 && ev.attached == 0; i++)
        ms_server_wait(s, 20);
    /* Back within the bounded retry interval (plus the hello). */
    ck_assert_uint_lt((ms_monotonic_ns() - t0) / 1000000u, MS_DAEMON_RETRY_MAX_MS + 1500);
    ck_assert_int_eq(ev.attached, 1);
    ck_assert_int_eq(ev.lost, 1);
    ck_assert(fake_holds(f, "\\MAILSLOT\\one"));
    ck_assert(fake_holds(f, "\\MAILSLOT\\three"));
    ck_assert_int_eq(fake_monitors(f), 1);
    ms_daemon_link_info li = MS_SIZED(ms_daemon_link_info);
    ms_server_get_daemon(s, &li);
    ck_assert_uint_eq(li.attaches, 2);
    ck_assert_uint_eq(li.detaches, 1);
    ck_assert_uint_eq(li.lost, 1);
    ck_assert_int_ge(li.fd, 0);
    /* Messages flow again. */
    uint8_t dg[600];
    size_t n = datagram("\\MAILSLOT\\one", "again", dg, sizeof dg);
    fake_deliver(f, "\\MAILSLOT\\one", dg, n, &META, true);
    ms_mailslot_msg msg;
    ck_assert_int_eq(ms_mailslot_read(one, &msg), MS_OK);
    ck_assert_mem_eq(msg.data, "again", 5);
    n = datagram("\\MAILSLOT\\three", "late", dg, sizeof dg);
    fake_deliver(f, "\\MAILSLOT\\three", dg, n, &META, true);
    ck_assert_int_eq(ms_mailslot_read(three, &msg), MS_OK);
    ck_assert_mem_eq(msg.data, "late", 4);
    ms_server_close(thief);
    ms_server_close(s);
    fake_stop(f);
}
END_TEST

START_TEST(stalled_daemon)
{
    fake_daemon *f = fake_start(dir, true);
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.daemon_timeout_ms = 300;
    ms_server *s;
    uint64_t t0 = ms_monotonic_ns();
    ck_assert_int_eq(ms_server_open(&o, &s, err, sizeof err), MS_ERR_TIMEOUT);
    ck_assert_ptr_nonnull(strstr(err, "did not answer"));
    ck_assert_int_eq(ms_daemon_probe(NULL, 300, NULL, err, sizeof err), MS_ERR_TIMEOUT);
    ck_assert_uint_lt((ms_monotonic_ns() - t0) / 1000000u, 2000);
    fake_stop(f);
    /* A daemon that answers HELLO and then stops reading: a request
     * times out, the server keeps running. */
    f = fake_start(dir, false);
    s = attached_server(&o);
    fake_stop(f);
    f = fake_start(dir, true);
    ck_assert(wait_state(s, MS_DAEMON_STATE_DOWN, WAIT_MS));
    ms_mailslot *m;
    ck_assert_int_eq(ms_mailslot_create(s, "\\MAILSLOT\\later", 0, 0, &m), MS_OK);
    t0 = ms_monotonic_ns();
    for (int i = 0; i < 100; i++)
        ms_server_wait(s, 20); /* reconnects, HELLO unanswered, gives up, again */
    ck_assert_uint_lt((ms_monotonic_ns() - t0) / 1000000u, 4000);
    ck_assert_int_eq(state_of(s), MS_DAEMON_STATE_DOWN);
    ms_server_close(s);
    fake_stop(f);
}
END_TEST

START_TEST(bad_packets_refused)
{
    fake_daemon *f = fake_start(dir, false);
    ms_server *s = attached_server(NULL);
    ms_mailslot *m;
    ck_assert_int_eq(ms_mailslot_create(s, "\\MAILSLOT\\one", 0, 300, &m), MS_OK);
    ms_daemon_link_info li = MS_SIZED(ms_daemon_link_info);
    /* A DELIVER without a datagram, one for a mailslot we never made, one
     * whose datagram names another mailslot: refused, link kept. */
    ms_ctl_msg d;
    ms_ctl_init(&d, MS_CTL_DELIVER);
    d.slot = (ms_bytes){ (const uint8_t *)"\\MAILSLOT\\one", 13 };
    d.have = MS_CTL_BIT(MS_CTL_A_SLOT);
    fake_broadcast(f, &d, NULL, 0);
    uint8_t dg[600];
    size_t n = datagram("\\MAILSLOT\\other", "x", dg, sizeof dg);
    d.datagram = (ms_bytes){ dg, n };
    d.have |= MS_CTL_BIT(MS_CTL_A_DATAGRAM);
    fake_broadcast(f, &d, NULL, 0);
    d.slot = (ms_bytes){ (const uint8_t *)"\\MAILSLOT\\zzz", 13 };
    fake_broadcast(f, &d, NULL, 0);
    /* Garbage in the datagram: the pipeline counts it malformed. */
    d.slot = (ms_bytes){ (const uint8_t *)"\\MAILSLOT\\one", 13 };
    d.datagram = (ms_bytes){ (const uint8_t *)"\x10\x02", 2 };
    fake_broadcast(f, &d, NULL, 0);
    ms_mailslot_msg msg;
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_ERR_TIMEOUT);
    ms_server_get_daemon(s, &li);
    ck_assert_uint_eq(li.refused, 3);
    ck_assert_int_eq(li.state, MS_DAEMON_STATE_UP);
    ms_server_stats st = MS_SIZED(ms_server_stats);
    ms_server_get_stats(s, &st);
    ck_assert_uint_eq(st.malformed, 1);
    /* An answer to no request, then octets that are no message: dropped
     * connection, found again. */
    ms_ctl_init(&d, MS_CTL_RESULT);
    d.have = MS_CTL_BIT(MS_CTL_A_STATUS);
    fake_broadcast(f, &d, NULL, 0);
    ck_assert(wait_state(s, MS_DAEMON_STATE_DOWN, WAIT_MS));
    ck_assert(wait_state(s, MS_DAEMON_STATE_UP, WAIT_MS));
    fake_broadcast(f, NULL, (const uint8_t *)"GARBAGE!", 8);
    ck_assert(wait_state(s, MS_DAEMON_STATE_DOWN, WAIT_MS));
    ck_assert(wait_state(s, MS_DAEMON_STATE_UP, WAIT_MS));
    static uint8_t huge[MS_CTL_MAX_PACKET + 100];
    memcpy(huge, "MSD\1\0\6\0\0", 8);
    fake_broadcast(f, NULL, huge, sizeof huge);
    ck_assert(wait_state(s, MS_DAEMON_STATE_DOWN, WAIT_MS));
    ck_assert(wait_state(s, MS_DAEMON_STATE_UP, WAIT_MS));
    ms_server_get_daemon(s, &li);
    ck_assert_uint_eq(li.refused, 6);
    ck_assert_uint_eq(li.detaches, 3);
    /* Still works. */
    for (int i = 0; i < 100 && !fake_holds(f, "\\MAILSLOT\\one"); i++)
        ms_server_wait(s, 20);
    n = datagram("\\MAILSLOT\\one", "fine", dg, sizeof dg);
    ck_assert_int_eq(fake_deliver(f, "\\MAILSLOT\\one", dg, n, &META, true), 1);
    ms_mailslot_set_timeout(m, 2000);
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
    ck_assert_mem_eq(msg.data, "fine", 4);
    ms_server_close(s);
    fake_stop(f);
}
END_TEST

START_TEST(backlog_full_connect)
{
    /* A daemon that stopped accepting: connect says so at once. */
    char path[128];
    ck_assert_int_eq(ms_ctl_path(dir, path, sizeof path), MS_OK);
    int l;
    ck_assert_int_eq(ms_ctl_listen(path, 0600, &l, err, sizeof err), MS_OK);
    int fds[300], n = 0;
    ms_status st = MS_OK;
    uint64_t t0 = ms_monotonic_ns();
    while (n < 300 && (st = ms_ctl_connect(path, &fds[n], err, sizeof err)) == MS_OK)
        n++;
    ck_assert_int_eq(st, MS_ERR_AGAIN);
    ck_assert_ptr_nonnull(strstr(err, "backlog is full"));
    ck_assert_uint_lt((ms_monotonic_ns() - t0) / 1000000u, 2000);
    ms_server_opts o;
    ms_server_opts_init(&o);
    ms_server *s;
    ck_assert_int_eq(ms_server_open(&o, &s, err, sizeof err), MS_ERR_AGAIN);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    close(l);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("daemon_link");
    TCase *t = tcase_create("daemon_link");
    tcase_set_timeout(t, 30);
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, probe_and_status);
    tcase_add_test(t, create_exists_delete);
    tcase_add_test(t, deliver_with_sender);
    tcase_add_test(t, monitor_copies);
    tcase_add_test(t, local_slots_registered);
    tcase_add_test(t, modes);
    tcase_add_test(t, reattach_after_restart);
    tcase_add_test(t, stalled_daemon);
    tcase_add_test(t, bad_packets_refused);
    tcase_add_test(t, backlog_full_connect);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    return run_suite(suite(), NULL);
}
