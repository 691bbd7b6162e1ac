/* SPDX-License-Identifier: MIT */
/* Local mailslots (\\.\mailslot\x over Unix domain sockets): names,
 * exists / not found, max size, 64 KiB, timeouts, info, set timeout,
 * close and crash, many writer processes, file modes, local + network on
 * one mailslot. Every test runs in its own runtime directory
 * (XDG_RUNTIME_DIR = a fresh mkdtemp directory). */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mailslot/client.h"
#include "mailslot/local.h"
#include "mailslot/net.h"
#include "mailslot/server.h"

static char err[512];

#include "open_or_null.h"
static char rundir[256];

static void rm_rf(const char *dir)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

static void setup(void)
{
    snprintf(rundir, sizeof rundir, "/tmp/ms-local-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(rundir));
    setenv("XDG_RUNTIME_DIR", rundir, 1);
    unsetenv("MAILSLOT_DIR");
}

static void teardown(void)
{
    rm_rf(rundir);
}

static ms_server *local_server(void)
{
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.no_socket = true;
    ms_server *s = server_open(&o);
    ck_assert_msg(s != NULL, "%s", err);
    return s;
}

static ms_mailslot *create(ms_server *s, const char *name, uint32_t max, uint32_t timeout)
{
    ms_status st;
    ms_mailslot *m = slot_create(s, name, max, timeout, &st);
    ck_assert_msg(m != NULL, "create %s: %s", name, ms_strerror(st));
    return m;
}

static ms_client *open_path(const char *path, ms_status *st)
{
    return path_open(path, st);
}

static ms_status write1(const char *path, const void *data, size_t len)
{
    ms_status st;
    ms_client *c = open_path(path, &st);
    if (!c)
        return st;
    st = ms_client_write(c, data, len, NULL, err, sizeof err);
    ms_client_close(c);
    return st;
}

static uint64_t now_ms(void)
{
    return ms_monotonic_ns() / 1000000u;
}

START_TEST(names_and_files)
{
    char a[128], b[128], c[128];
    ck_assert_int_eq(ms_local_stem("\\\\.\\mailslot\\A\\b", a, sizeof a, 100), MS_OK);
    ck_assert_int_eq(ms_local_stem("\\MAILSLOT\\a\\B", b, sizeof b, 100), MS_OK);
    ck_assert_int_eq(ms_local_stem("//./MailSlot/a/b", c, sizeof c, 100), MS_OK);
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(a, c);
    ck_assert_str_eq(a, "a%5cb");
    ck_assert_int_eq(ms_local_stem("\\MAILSLOT\\..", a, sizeof a, 100), MS_OK);
    ck_assert_str_eq(a, "%2e.");
    ck_assert_int_eq(ms_local_stem("\\MAILSLOT\\x/../y", a, sizeof a, 100), MS_OK);
    ck_assert_ptr_null(strchr(a, '/'));
    ck_assert_int_eq(ms_local_stem("mail\\x", a, sizeof a, 100), MS_ERR_INVALID_ARG);
    char longname[300] = "\\MAILSLOT\\";
    memset(longname + 10, 'q', 200);
    longname[210] = 0;
    ck_assert_int_eq(ms_local_stem(longname, a, sizeof a, 60), MS_OK);
    ck_assert_int_eq(strncmp(a, "%%", 2), 0);
    ck_assert_uint_eq(strlen(a), 18);
    ck_assert(ms_mailslot_name_is_local("\\\\.\\mailslot\\x"));
    ck_assert(!ms_mailslot_name_is_local("\\MAILSLOT\\x"));

    /* Files: directory 0700, socket 0600, info file; long names work. */
    ms_server *s = local_server();
    ms_mailslot *m = create(s, "\\\\.\\mailslot\\Files\\One", 0, 0);
    char lp[sizeof longname + 8];
    snprintf(lp, sizeof lp, "\\\\.%s", longname);
    ms_mailslot *m2 = create(s, lp, 0, 0);
    char dir[300], path[400];
    snprintf(dir, sizeof dir, "%s/mailslot", rundir);
    struct stat st;
    ck_assert_int_eq(lstat(dir, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_uint_eq(st.st_mode & 07777, 0700);
    snprintf(path, sizeof path, "%s/files%%5cone.s", dir);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    ck_assert_int_ge(ms_mailslot_local_fd(m), 0);
    ck_assert_int_eq(write1("\\\\.\\MAILSLOT\\FILES\\one", "x", 1), MS_OK);
    ck_assert_int_eq(write1("\\\\.\\mailslot\\files\\ONE", "y", 1), MS_OK);
    ck_assert_msg(write1(lp, "z", 1) == MS_OK, "%s", err);
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.count, 2);
    ck_assert_int_eq(ms_mailslot_get_info(m2, &in), MS_OK);
    ck_assert_uint_eq(in.count, 1);
    ms_server_close(s);
    ck_assert_int_ne(lstat(path, &st), 0);
}
END_TEST

START_TEST(exists_and_not_found)
{
    ms_server *s1 = local_server(), *s2 = local_server();
    ms_status st;
    create(s1, "\\\\.\\mailslot\\taken", 0, 0);
    ck_assert_ptr_null(slot_create(s2, "\\\\.\\mailslot\\TAKEN", 0, 0, &st));
    ck_assert_int_eq(st, MS_ERR_EXISTS);
    ck_assert_ptr_null(slot_create(s1, "\\\\.\\mailslot\\taken", 0, 0, &st));
    ck_assert_int_eq(st, MS_ERR_EXISTS);
    /* \MAILSLOT\taken is the same name once the server makes every name
     * local. */
    ms_server_set_local(s2, MS_LOCAL_ALL, MS_LOCAL_USER);
    ck_assert_ptr_null(slot_create(s2, "\\MAILSLOT\\Taken", 0, 0, &st));
    ck_assert_int_eq(st, MS_ERR_EXISTS);
    ck_assert_ptr_null(open_path("\\\\.\\mailslot\\nobody", &st));
    ck_assert_int_eq(st, MS_ERR_NOT_FOUND);
    ms_client *c = NULL;
    st = ms_client_open("\\\\.", "\\MAILSLOT\\taken", NULL, &c, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert(ms_client_is_local(c));
    ck_assert_int_eq(ms_client_fd(c), -1);
    uint8_t buf[64];
    ck_assert_int_eq(ms_client_build(c, "a", 1, buf, sizeof buf, NULL, err, sizeof err),
                     MS_ERR_INVALID_ARG);
    ms_client_close(c);
    ms_server_close(s1);
    ms_server_close(s2);
}
END_TEST

START_TEST(roundtrip_and_info)
{
    ms_server *s = local_server();
    ms_mailslot *m = create(s, "\\\\.\\mailslot\\rt", 0, 0);
    ms_status st;
    ms_client *c = open_path("\\\\.\\mailslot\\rt", &st);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(ms_client_write(c, "hello", 5, NULL, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_client_write(c, "", 0, NULL, err, sizeof err), MS_OK);
    ck_assert_int_eq(ms_client_write(c, "seven..", 7, NULL, err, sizeof err), MS_OK);
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.count, 3);
    ck_assert_uint_eq(in.next_size, 5);
    ck_assert_uint_eq(in.max_size, 0);
    ms_mailslot_msg msg;
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
    ck_assert_uint_eq(msg.len, 5);
    ck_assert_mem_eq(msg.data, "hello", 5);
    ck_assert_ptr_null(msg.m);
    ck_assert_uint_eq(msg.type, 0);
    ck_assert_str_eq(msg.slot, "\\MAILSLOT\\rt");
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.count, 2);
    ck_assert_uint_eq(in.next_size, 0);
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
    ck_assert_uint_eq(msg.len, 0);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.next_size, 7);
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.count, 0);
    ck_assert_uint_eq(in.next_size, MS_MAILSLOT_NO_MESSAGE);
    ms_client_close(c);
    ms_server_close(s);
}
END_TEST

START_TEST(max_size_enforced)
{
    ms_server *s = local_server();
    ms_mailslot *m = create(s, "\\\\.\\mailslot\\small", 100, 0);
    static uint8_t buf[200];
    memset(buf, 'm', sizeof buf);
    ms_status st;
    ms_client *c = open_path("\\\\.\\mailslot\\small", &st);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_uint_eq(ms_client_get_info(c)->max_data, 100);
    ck_assert_int_eq(ms_client_write(c, buf, 101, NULL, err, sizeof err), MS_ERR_TOO_BIG);
    ck_assert_int_eq(ms_client_write(c, buf, 100, NULL, err, sizeof err), MS_OK);
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.count, 1);
    ck_assert_uint_eq(in.next_size, 100);
    ck_assert_uint_eq(in.max_size, 100);
    ms_client_close(c);

    /* A writer that ignores the info file: the server drops and counts. */
    ms_local_writer *w = NULL;
    st = ms_local_writer_open("\\MAILSLOT\\small", &w, err, sizeof err);
    ck_assert_msg(w != NULL, "%s", err);
    ck_assert_uint_eq(ms_local_writer_max_size(w), 100);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    ck_assert_uint_lt(strlen(rundir), 80);
    memcpy(sa.sun_path, rundir, strlen(rundir));
    strcpy(sa.sun_path + strlen(rundir), "/mailslot/small.s");
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(send(fd, buf, 150, 0), 150);
    close(fd);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.count, 1);
    ck_assert_uint_eq(in.too_big, 1);
    ms_server_close(s);
    ms_local_writer_close(w);
}
END_TEST

START_TEST(big_messages)
{
    ms_server *s = local_server();
    ms_mailslot *m = create(s, "\\\\.\\mailslot\\big", 0, 2000);
    size_t n = 65536;
    uint8_t *buf = malloc(8u << 20);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < (8u << 20); i++)
        buf[i] = (uint8_t)(i * 7 + (i >> 8));
    ms_status st;
    ms_client *c = open_path("\\\\.\\mailslot\\big", &st);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_uint_ge(ms_client_get_info(c)->max_data, 65536);
    ck_assert_int_eq(ms_client_write(c, buf, n, NULL, err, sizeof err), MS_OK);
    ms_mailslot_msg msg;
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
    ck_assert_uint_eq(msg.len, n);
    ck_assert_int_eq(memcmp(msg.data, buf, n), 0);
    /* Over the kernel's limit: refused whole, nothing delivered. */
    ck_assert_int_eq(ms_client_write(c, buf, 8u << 20, NULL, err, sizeof err), MS_ERR_TOO_BIG);
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.count, 0);
    ms_client_close(c);
    ms_server_close(s);
    free(buf);
}
END_TEST

START_TEST(timeouts)
{
    ms_server *s = local_server();
    ms_mailslot *m = create(s, "\\\\.\\mailslot\\tmo", 0, 0);
    ms_mailslot_msg msg;
    uint64_t t0 = now_ms();
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_ERR_TIMEOUT);
    ck_assert_uint_lt(now_ms() - t0, 100);
    ms_mailslot_set_timeout(m, 300);
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.read_timeout_ms, 300);
    t0 = now_ms();
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_ERR_TIMEOUT);
    uint64_t el = now_ms() - t0;
    ck_assert_uint_ge(el, 290);
    ck_assert_uint_lt(el, 2000);
    /* Forever: a child writes after 200 ms. */
    ms_mailslot_set_timeout(m, MS_MAILSLOT_WAIT_FOREVER);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct timespec ts = { 0, 200000000L };
        nanosleep(&ts, NULL);
        _exit(write1("\\\\.\\mailslot\\tmo", "late", 4) == MS_OK ? 0 : 1);
    }
    t0 = now_ms();
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
    ck_assert_uint_ge(now_ms() - t0, 150);
    ck_assert_mem_eq(msg.data, "late", 4);
    int wst;
    ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
    ck_assert(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
    ms_server_close(s);
}
END_TEST

START_TEST(close_and_crash)
{
    ms_server *s = local_server();
    ms_mailslot *m = create(s, "\\\\.\\mailslot\\gone", 0, 0);
    ms_status st;
    ms_client *c = open_path("\\\\.\\mailslot\\gone", &st);
    ck_assert_msg(c != NULL, "%s", err);
    ms_mailslot_close(m);
    ck_assert_ptr_null(open_path("\\\\.\\mailslot\\gone", &st));
    ck_assert_int_eq(st, MS_ERR_NOT_FOUND);
    /* An open handle to a closed mailslot fails too. */
    ck_assert_int_ne(ms_client_write(c, "x", 1, NULL, err, sizeof err), MS_OK);
    ms_client_close(c);
    /* The name is free again. */
    m = create(s, "\\\\.\\mailslot\\gone", 0, 0);
    ms_server_close(s);

    /* Crash: a child server is SIGKILLed; its files stay, the name does
     * not block a new server. */
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        ms_server_opts o;
        ms_server_opts_init(&o);
        o.no_socket = true;
        ms_server *cs = server_open(&o);
        ms_status cst;
        char ok = cs && slot_create(cs, "\\\\.\\mailslot\\crash", 0, 0, &cst) ? 'y' : 'n';
        if (write(p[1], &ok, 1) != 1)
            _exit(2);
        for (;;)
            pause();
    }
    close(p[1]);
    char ok = 0;
    ck_assert_int_eq(read(p[0], &ok, 1), 1);
    close(p[0]);
    ck_assert_int_eq(ok, 'y');
    ms_server *s2 = local_server();
    ck_assert_ptr_null(slot_create(s2, "\\\\.\\mailslot\\crash", 0, 0, &st));
    ck_assert_int_eq(st, MS_ERR_EXISTS);
    ck_assert_int_eq(write1("\\\\.\\mailslot\\crash", "alive", 5), MS_OK);
    kill(pid, SIGKILL);
    ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
    char sock[400];
    snprintf(sock, sizeof sock, "%s/mailslot/crash.s", rundir);
    ck_assert_int_eq(access(sock, F_OK), 0); /* stale socket left behind */
    ck_assert_int_eq(write1("\\\\.\\mailslot\\crash", "x", 1), MS_ERR_NOT_FOUND);
    m = create(s2, "\\\\.\\mailslot\\crash", 0, 1000);
    ck_assert_int_eq(write1("\\\\.\\mailslot\\crash", "again", 5), MS_OK);
    ms_mailslot_msg msg;
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
    ck_assert_mem_eq(msg.data, "again", 5);
    ms_server_close(s2);
}
END_TEST

#define WRITERS 8
#define PER_WRITER 500

static size_t msg_len(int w, int i)
{
    return 16 + (size_t)((w * 131 + i * 37) % 3000);
}

static void fill(uint8_t *b, int w, int i, size_t len)
{
    memcpy(b, &w, sizeof w);
    memcpy(b + 4, &i, sizeof i);
    uint32_t l = (uint32_t)len;
    memcpy(b + 8, &l, sizeof l);
    for (size_t k = 12; k < len; k++)
        b[k] = (uint8_t)(w * 31 + i * 7 + k);
}

START_TEST(many_writer_processes)
{
    ms_server *s = local_server();
    ms_mailslot *m = create(s, "\\\\.\\mailslot\\crowd", 0, 10000);
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        ck_assert_int_ge(pids[w], 0);
        if (pids[w] == 0) {
            ms_status st;
            ms_client *c = open_path("\\\\.\\mailslot\\crowd", &st);
            if (!c)
                _exit(3);
            static uint8_t b[4096];
            for (int i = 0; i < PER_WRITER; i++) {
                size_t len = msg_len(w, i);
                fill(b, w, i, len);
                if (ms_client_write(c, b, len, NULL, err, sizeof err) != MS_OK)
                    _exit(4);
            }
            ms_client_close(c);
            _exit(0);
        }
    }
    int next[WRITERS] = { 0 };
    static uint8_t want[4096];
    for (int got = 0; got < WRITERS * PER_WRITER; got++) {
        ms_mailslot_msg msg;
        ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
        ck_assert_uint_ge(msg.len, 12);
        int w, i;
        uint32_t l;
        memcpy(&w, msg.data, 4);
        memcpy(&i, msg.data + 4, 4);
        memcpy(&l, msg.data + 8, 4);
        ck_assert(w >= 0 && w < WRITERS);
        ck_assert_int_eq(i, next[w]); /* each writer's order kept */
        next[w]++;
        ck_assert_uint_eq(msg.len, l);
        ck_assert_uint_eq(msg.len, msg_len(w, i));
        fill(want, w, i, l);
        ck_assert_int_eq(memcmp(msg.data, want, l), 0);
    }
    for (int w = 0; w < WRITERS; w++) {
        int wst;
        ck_assert_int_eq(waitpid(pids[w], &wst, 0), pids[w]);
        ck_assert_msg(WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "writer %d failed", w);
        ck_assert_int_eq(next[w], PER_WRITER);
    }
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.count, 0);
    ms_server_close(s);
}
END_TEST

START_TEST(access_modes)
{
    ms_server *s = local_server();
    ms_server_set_local(s, MS_LOCAL_NAMED, MS_LOCAL_WORLD);
    create(s, "\\\\.\\mailslot\\open", 0, 0);
    char path[400];
    struct stat st;
    snprintf(path, sizeof path, "%s/mailslot", rundir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0711);
    snprintf(path, sizeof path, "%s/mailslot/open.s", rundir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0666);
    snprintf(path, sizeof path, "%s/mailslot/open.i", rundir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0644);
    ms_server_set_local(s, MS_LOCAL_NAMED, MS_LOCAL_GROUP);
    create(s, "\\\\.\\mailslot\\grp", 0, 0);
    snprintf(path, sizeof path, "%s/mailslot/grp.s", rundir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0660);
    ms_server_close(s);

    /* A directory writable by others, or a link, is refused. */
    char d2[300];
    snprintf(d2, sizeof d2, "%s/shared", rundir);
    ck_assert_int_eq(mkdir(d2, 0777), 0);
    ck_assert_int_eq(chmod(d2, 0777), 0);
    setenv("MAILSLOT_DIR", d2, 1);
    s = local_server();
    ms_status mst;
    ck_assert_ptr_null(slot_create(s, "\\\\.\\mailslot\\x", 0, 0, &mst));
    ck_assert_int_eq(mst, MS_ERR_SYSTEM);
    char l2[300];
    snprintf(l2, sizeof l2, "%s/link", rundir);
    ck_assert_int_eq(symlink(rundir, l2), 0);
    setenv("MAILSLOT_DIR", l2, 1);
    ck_assert_ptr_null(slot_create(s, "\\\\.\\mailslot\\x", 0, 0, &mst));
    ck_assert_int_eq(mst, MS_ERR_SYSTEM);
    unsetenv("MAILSLOT_DIR");
    ms_server_close(s);
}
END_TEST

START_TEST(local_and_network)
{
    /* One mailslot, one queue: local writes and UDP writes to loopback. */
    ms_server_opts o;
    ms_server_opts_init(&o);
    ms_udp_opts uo;
    ms_udp_opts_init(&uo);
    uo.addr = 0x7F000001u;
    uo.reuse = uo.broadcast = uo.pktinfo = uo.nonblock = true;
    ck_assert_msg(ms_udp_open(&uo, &o.fd, err, sizeof err) == MS_OK, "%s", err);
    ms_server *s = server_open(&o);
    ck_assert_msg(s != NULL, "%s", err);
    ms_mailslot *m = create(s, "\\\\.\\mailslot\\both", 0, 2000);
    ms_client_opts co;
    ms_client_opts_init(&co);
    co.from = "TESTER";
    co.sport = MS_CLIENT_SPORT_EPHEMERAL;
    co.dport = ms_server_port(s);
    co.dest_name = "SERVER<00>";
    ms_status st;
    ms_client *net = NULL;
    st = ms_client_open("127.0.0.1", "\\MAILSLOT\\both", &co, &net, err, sizeof err);
    ck_assert_msg(st == MS_OK && net != NULL, "%s", err);
    ck_assert(!ms_client_is_local(net));
    ck_assert_int_eq(ms_client_write(net, "from-net", 8, NULL, err, sizeof err), MS_OK);
    ms_mailslot_msg msg;
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
    ck_assert_uint_eq(msg.len, 8);
    ck_assert_mem_eq(msg.data, "from-net", 8);
    ck_assert_ptr_nonnull(msg.m);
    ck_assert_int_eq(write1("\\\\.\\mailslot\\both", "from-local", 10), MS_OK);
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
    ck_assert_uint_eq(msg.len, 10);
    ck_assert_mem_eq(msg.data, "from-local", 10);
    ck_assert_ptr_null(msg.m);
    /* read_any sees local messages too; a mailslot named \MAILSLOT\x
     * (network form) is not local by default. */
    ms_mailslot *n2 = create(s, "\\MAILSLOT\\netonly", 0, 0);
    ck_assert_int_eq(ms_mailslot_local_fd(n2), -1);
    ck_assert_int_eq(write1("\\\\.\\mailslot\\netonly", "x", 1), MS_ERR_NOT_FOUND);
    ck_assert_int_eq(write1("\\\\.\\mailslot\\both", "any", 3), MS_OK);
    ms_mailslot *from = NULL;
    ck_assert_int_eq(ms_server_read_any(s, 2000, &from, &msg), MS_OK);
    ck_assert_ptr_eq(from, m);
    ck_assert_int_ge(ms_mailslot_local_fd(m), 0);
    ms_client_close(net);
    ms_server_close(s);
}
END_TEST

/* The server's own queue is bounded (queue_max): what does not fit waits
 * in the kernel and its writer waits; nothing is dropped. */
START_TEST(bounded_queue_no_drop)
{
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.no_socket = true;
    o.queue_max = 4;
    ms_server *s = server_open(&o);
    ck_assert_msg(s != NULL, "%s", err);
    ms_mailslot *m = create(s, "\\\\.\\mailslot\\bounded", 0, 5000);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        ms_status st;
        ms_client *c = open_path("\\\\.\\mailslot\\bounded", &st);
        if (!c)
            _exit(3);
        for (int i = 0; i < 40; i++)
            if (ms_client_write(c, &i, sizeof i, NULL, err, sizeof err) != MS_OK)
                _exit(4);
        _exit(0);
    }
    struct timespec ts = { 0, 300000000L };
    nanosleep(&ts, NULL);
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.count, 4); /* the bound; the rest wait */
    for (int i = 0; i < 40; i++) {
        ms_mailslot_msg msg;
        ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
        int v;
        ck_assert_uint_eq(msg.len, sizeof v);
        memcpy(&v, msg.data, sizeof v);
        ck_assert_int_eq(v, i);
    }
    int wst;
    ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
    ck_assert(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.queue_full, 0);
    ms_server_stats sst = MS_SIZED(ms_server_stats);
    ck_assert_int_eq(ms_server_get_stats(s, &sst), MS_OK);
    ck_assert_uint_eq(sst.queue_full, 0);
    ms_server_close(s);
}
END_TEST

/* Non-blocking use: poll the mailslot's local socket, pump, read with 0. */
START_TEST(poll_loop)
{
    ms_server *s = local_server();
    ms_mailslot *m = create(s, "\\\\.\\mailslot\\polled", 0, 0);
    struct pollfd p = { ms_mailslot_local_fd(m), POLLIN, 0 };
    ck_assert_int_eq(poll(&p, 1, 0), 0);
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ck_assert_int_eq(ms_server_wait(s, 50), MS_OK);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.count, 0);
    ck_assert_int_eq(write1("\\\\.\\mailslot\\polled", "p", 1), MS_OK);
    ck_assert_int_eq(poll(&p, 1, 2000), 1);
    size_t queued = 0;
    ck_assert_int_eq(ms_server_pump(s, &queued), MS_OK);
    ck_assert_uint_eq(queued, 1);
    ms_mailslot_msg msg;
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_OK);
    ck_assert_int_eq(ms_mailslot_read(m, &msg), MS_ERR_TIMEOUT);
    ck_assert_int_eq(write1("\\\\.\\mailslot\\polled", "q", 1), MS_OK);
    /* A round of the loop takes it in: the socket's watch. */
    ck_assert_int_eq(ms_server_wait(s, 2000), MS_OK);
    ck_assert_int_eq(ms_mailslot_get_info(m, &in), MS_OK);
    ck_assert_uint_eq(in.count, 1);
    ms_mailslot *from;
    ck_assert_int_eq(ms_server_read_any(s, 0, &from, &msg), MS_OK);
    ck_assert_ptr_eq(from, m);
    ck_assert_mem_eq(msg.data, "q", 1);
    ms_server_close(s);
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("local");
    TCase *tc = tcase_create("local");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, names_and_files);
    tcase_add_test(tc, exists_and_not_found);
    tcase_add_test(tc, roundtrip_and_info);
    tcase_add_test(tc, max_size_enforced);
    tcase_add_test(tc, big_messages);
    tcase_add_test(tc, timeouts);
    tcase_add_test(tc, close_and_crash);
    tcase_add_test(tc, many_writer_processes);
    tcase_add_test(tc, access_modes);
    tcase_add_test(tc, local_and_network);
    tcase_add_test(tc, bounded_queue_no_drop);
    tcase_add_test(tc, poll_loop);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
