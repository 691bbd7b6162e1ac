/* SPDX-License-Identifier: MIT */
/* Beside Samba (daemon/nmbd_src.c, nmbd_names.c). The source on a real
 * event loop against a stand-in nmbd (a child process on a Unix socket in
 * a temporary directory, playing nmbd 4.17's conversation): every record
 * is handed on, nmbd closing the connection is followed by a reconnection
 * (one LOST, one BACK), and a record of another layout ends the source
 * for good (FATAL, in the reader's words). nmbd's names from a node
 * status answer: active ones only, the host name and the workgroup. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "nmbd_names.h"
#include "nmbd_src.h"

/* A record as nmbd 4.17 wrote it (x86-64): 192.0.2.20:138, \MAILSLOT\custom
 * "unicast-custom" to LABPEER<20> (tests/transport/test_nmbd_unexpected.c). */
static const char REC[] =
    "b80000000000000001000000000000005171176b00000000c00002148a000000"
    "1002cab8c0000214008a00aa0000204641454645464643454945504644464543"
    "4143414341434143414341434141410020454d45424543464145464546464343"
    "414341434143414341434143414341434100ff534d4225000000001804000000"
    "000000000000000000000000fffe000000001100000e00020000000000020000"
    "0000000000000058000e005800030001000000020021005c4d41494c534c4f54"
    "5c637573746f6d000000756e69636173742d637573746f6d";

static char dir[64], sock_path[128];

static int listen_at(const char *path)
{
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    memcpy(a.sun_path, path, strlen(path) + 1);
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(s, 4), 0);
    return s;
}

/* One reader: take its query, answer 0, then records records, a bad one
 * when bad. */
static void serve_one(int ls, int records, bool bad)
{
    int c = accept(ls, NULL, NULL);
    if (c < 0)
        _exit(10);
    uint8_t q[64];
    size_t want = ms_nmbd_query_size(), got = 0;
    while (got < want) {
        ssize_t k = read(c, q + got, want - got);
        if (k <= 0)
            _exit(11);
        got += (size_t)k;
    }
    uint8_t b[4096];
    size_t n = 0;
    b[n++] = 0;
    for (int i = 0; i < records; i++)
        n += hex_to_bytes(REC, b + n, sizeof b - n);
    if (bad) {
        size_t at = n;
        n += hex_to_bytes(REC, b + n, sizeof b - n);
        b[at + 8] = 7; /* the record's type: not 1 */
    }
    if (write(c, b, n) != (ssize_t)n)
        _exit(12);
    usleep(100000);
    close(c);
}

typedef struct seen {
    int dgrams, lost, back, fatal;
    ms_status fatal_st;
    char text[300];
    uint32_t src_ip;
    size_t len;
    ms_loop *loop;
} seen;

static void on_dgram(void *ctx, const ms_udp_dgram *g)
{
    seen *s = ctx;
    s->dgrams++;
    s->src_ip = g->src_ip;
    s->len = g->len;
}

static void on_event(void *ctx, md_nmbd_event ev, ms_status st, const char *text)
{
    seen *s = ctx;
    if (ev == MD_NMBD_LOST)
        s->lost++;
    else if (ev == MD_NMBD_BACK)
        s->back++;
    else {
        s->fatal++;
        s->fatal_st = st;
        snprintf(s->text, sizeof s->text, "%s", text);
        ms_loop_stop(s->loop);
    }
}

START_TEST(drains_reconnects_and_refuses_another_layout)
{
    if (ms_nmbd_record_header_size() != 32)
        return; /* the octets are x86-64's */
    signal(SIGPIPE, SIG_IGN);
    snprintf(dir, sizeof dir, "/tmp/ms-nmbd-src.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(ms_nmbd_socket_path(dir, sock_path, sizeof sock_path), MS_OK);
    int ls = listen_at(sock_path);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        serve_one(ls, 2, false);  /* two records, then nmbd "stops" */
        serve_one(ls, 1, true);   /* back: one record, then a foreign one */
        _exit(0);
    }
    close(ls);
    static md_nmbd_src src;
    seen s = { 0 };
    ms_loop *loop;
    ck_assert_int_eq(ms_loop_new(&loop), MS_OK);
    s.loop = loop;
    src.on_dgram = on_dgram;
    src.on_event = on_event;
    src.ctx = &s;
    char err[256];
    ck_assert_int_eq(md_nmbd_src_open(&src, loop, dir, 2000, err, sizeof err), MS_OK);
    ck_assert(md_nmbd_src_up(&src));
    uint64_t end = ms_monotonic_ns() + 5000000000ull;
    while (!s.fatal && ms_monotonic_ns() < end)
        (void)ms_loop_run(loop, 100);
    ck_assert_int_eq(s.dgrams, 3);
    ck_assert_uint_eq(s.src_ip, 0xC0000214u);
    ck_assert_uint_eq(s.len, 184);
    ck_assert_int_eq(s.lost, 1);
    ck_assert_int_eq(s.back, 1);
    ck_assert_int_eq(s.fatal, 1);
    ck_assert_int_eq(s.fatal_st, MS_ERR_VERSION);
    ck_assert_msg(strstr(s.text, "not recognised") != NULL, "%s", s.text);
    ck_assert_uint_eq(src.reconnects, 1);
    ck_assert(!md_nmbd_src_up(&src));
    md_nmbd_src_close(&src);
    ms_loop_free(loop);
    int wst;
    ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
    ck_assert(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
    unlink(sock_path);
    rmdir(dir);
}
END_TEST

START_TEST(no_nmbd_is_not_found)
{
    static md_nmbd_src src;
    ms_loop *loop;
    ck_assert_int_eq(ms_loop_new(&loop), MS_OK);
    char err[256];
    ck_assert_int_eq(md_nmbd_src_open(&src, loop, "/nonexistent-ms-dir", 100, err, sizeof err),
                     MS_ERR_NOT_FOUND);
    ck_assert(!md_nmbd_src_up(&src));
    ck_assert_str_eq(src.path, "/nonexistent-ms-dir/unexpected");
    md_nmbd_src_close(&src);
    ms_loop_free(loop);
}
END_TEST

static void name(ms_nbns_node_status *st, const char *n15, uint8_t suffix, uint16_t flags)
{
    ms_nbns_status_name *e = &st->names[st->nnames++];
    memset(e->name, ' ', 15);
    memcpy(e->name, n15, strlen(n15));
    e->name[15] = suffix;
    e->flags = flags;
}

START_TEST(names_from_node_status)
{
    static ms_nbns_node_status st;
    const uint16_t act = MS_NBNS_NAME_ACT, grp = MS_NBNS_NB_GROUP | MS_NBNS_NAME_ACT;
    uint8_t ours[16] = "SAMBAA         ";
    ours[15] = 0;
    md_nmbd_names nn;
    /* nmbd lists its netbios name, an alias, the workgroup and the
     * browser's names; one name in conflict, one being released, one not
     * active yet. */
    memset(&st, 0, sizeof st);
    name(&st, "SAMBAA", 0x00, act);
    name(&st, "SAMBAA", 0x20, act);
    name(&st, "ALIASA", 0x00, act);
    name(&st, "MSLAB", 0x00, grp);
    name(&st, "MSLAB", 0x1e, grp);
    name(&st, "MSLAB", 0x1c, act);
    name(&st, "CLASH", 0x00, act | MS_NBNS_NAME_CNF);
    name(&st, "GOING", 0x00, act | MS_NBNS_NAME_DRG);
    name(&st, "LATER", 0x00, 0);
    name(&st, "sambaa", 0x00, act); /* again in another case: kept once */
    name(&st, "SAMBAA", 0x00, act);
    md_nmbd_names_take(&st, ours, &nn);
    ck_assert_uint_eq(nn.set.count, 6);
    ck_assert_mem_eq(nn.host, ours, 16);
    ck_assert_str_eq(nn.workgroup, "MSLAB");
    uint8_t q[16] = "aliasa         ";
    q[15] = 0;
    ck_assert(md_name_set_has(&nn.set, q)); /* the case of a name does not count */
    memcpy(q, "CLASH          ", 15);
    ck_assert(!md_name_set_has(&nn.set, q));
    memcpy(q, "LATER          ", 15);
    ck_assert(!md_name_set_has(&nn.set, q));
    ck_assert(nn.set.n[3].group && !nn.set.n[0].group);
    /* nmbd's netbios name is not the host name: the first unique <00>. */
    uint8_t other[16] = "LINUXBOX       ";
    other[15] = 0;
    md_nmbd_names_take(&st, other, &nn);
    ck_assert_mem_eq(nn.host, ours, 16);
    /* Nothing listed: our host name, no workgroup. */
    memset(&st, 0, sizeof st);
    md_nmbd_names_take(&st, other, &nn);
    ck_assert_uint_eq(nn.set.count, 0);
    ck_assert_mem_eq(nn.host, other, 16);
    ck_assert_str_eq(nn.workgroup, "");
    /* More names than the set holds: the first 16. */
    for (int i = 0; i < 40; i++) {
        char t[16];
        snprintf(t, sizeof t, "N%d", i);
        name(&st, t, 0x00, act);
    }
    md_nmbd_names_take(&st, other, &nn);
    ck_assert_uint_eq(nn.set.count, 16);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("daemon_nmbd_src");
    TCase *t = tcase_create("nmbd");
    tcase_set_timeout(t, 20);
    tcase_add_test(t, drains_reconnects_and_refuses_another_layout);
    tcase_add_test(t, no_nmbd_is_not_found);
    tcase_add_test(t, names_from_node_status);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
