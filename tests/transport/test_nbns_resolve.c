/* SPDX-License-Identifier: MIT */
/* The NBNS resolver (src/transport/nbns_resolve.c): the LMHOSTS-style hosts
 * file, and queries over 127.0.0.1 only, answered by the name service or by a
 * fake NBNS that says no. */
#include <check.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/nbns.h"
#include "mailslot/nbns_resolve.h"
#include "nbns_peer.h"

/* ---- hosts file ------------------------------------------------------ */

static char hosts_path[256];

static void write_hosts(const char *text)
{
    snprintf(hosts_path, sizeof hosts_path, "/tmp/ms_nbns_hosts_%ld", (long)getpid());
    FILE *f = fopen(hosts_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static ms_status hosts(const char *text, uint8_t suffix, uint32_t *ip)
{
    ms_nb_name n = mkname(text, suffix, NULL);
    char err[256] = "";
    ms_status st = ms_nbns_hosts_lookup(hosts_path, &n, ip, err, sizeof err);
    if (st != MS_OK)
        ck_assert_msg(err[0] && !strchr(err, '\n'), "one-line error wanted: %s", err);
    return st;
}

START_TEST(hosts_file)
{
    char longline[3000];
    memset(longline, 'x', sizeof longline);
    memcpy(longline, "10.9.9.9 LONGNAME ", 18);
    longline[sizeof longline - 2] = '\n';
    longline[sizeof longline - 1] = 0;
    char text[4096];
    snprintf(text, sizeof text,
             "# LMHOSTS for the test\n"
             "   # indented comment 10.0.0.99 LABPEER\n"
             "\n"
             "192.168.1.5   labpeer\n"
             "10.0.0.2\tWORKGROUP#1d\n"
             "10.0.0.3 WORKGROUP   #PRE #DOM:WORKGROUP\n"
             "300.1.1.1 BADIP\n"
             "10.0.0.4\n"
             "10.0.0.5 WAYTOOLONGNETBIOSNAME\n"
             "10.0.0.6 CRLFHOST\r\n"
             "%s"
             "10.0.0.7 AFTERLONG\n"
             "10.0.0.8 LASTLINE", longline);
    write_hosts(text);
    uint32_t ip = 0;
    ck_assert_int_eq(hosts("LABPEER", 0x20, &ip), MS_OK); /* no #xx: any suffix */
    ck_assert_uint_eq(ip, 0xC0A80105);
    ck_assert_int_eq(hosts("LabPeer", 0x00, &ip), MS_OK);
    ck_assert_uint_eq(ip, 0xC0A80105);
    ck_assert_int_eq(hosts("WORKGROUP", 0x1d, &ip), MS_OK);
    ck_assert_uint_eq(ip, 0x0A000002);
    ck_assert_int_eq(hosts("WORKGROUP", 0x00, &ip), MS_OK); /* #1d line skipped */
    ck_assert_uint_eq(ip, 0x0A000003);
    ck_assert_int_eq(hosts("BADIP", 0x00, &ip), MS_ERR_NOT_FOUND);
    ck_assert_int_eq(hosts("CRLFHOST", 0x20, &ip), MS_OK);
    ck_assert_uint_eq(ip, 0x0A000006);
    ck_assert_int_eq(hosts("LONGNAME", 0x00, &ip), MS_ERR_NOT_FOUND);
    ck_assert_int_eq(hosts("AFTERLONG", 0x00, &ip), MS_OK);
    ck_assert_uint_eq(ip, 0x0A000007);
    ck_assert_int_eq(hosts("LASTLINE", 0x00, &ip), MS_OK);
    ck_assert_uint_eq(ip, 0x0A000008);
    ck_assert_int_eq(hosts("NOSUCH", 0x00, &ip), MS_ERR_NOT_FOUND);

    /* Through the resolver: the map answers, no socket needed. */
    ms_nb_name n = mkname("labpeer", 0x00, NULL);
    ms_resolve_opts o = { .size = sizeof(ms_resolve_opts), .hosts_file = hosts_path, .timeout_ms = 100 };
    uint32_t ips[4];
    size_t cnt = 4;
    char err[256];
    ck_assert_int_eq(ms_nbns_resolve(&n, &o, ips, &cnt, err, sizeof err), MS_OK);
    ck_assert_uint_eq(cnt, 1);
    ck_assert_uint_eq(ips[0], 0xC0A80105);

    unlink(hosts_path);
    ck_assert_int_eq(hosts("LABPEER", 0x00, &ip), MS_ERR_SYSTEM);
    /* A missing map is an error for the resolver too, not a silent miss. */
    cnt = 4;
    ck_assert_int_eq(ms_nbns_resolve(&n, &o, ips, &cnt, err, sizeof err), MS_ERR_SYSTEM);
    ck_assert_ptr_nonnull(strstr(err, hosts_path));
}
END_TEST

/* ---- loopback -------------------------------------------------------- */

/* SIGKILL: the child inherits Check's SIGTERM handler, which would pass
 * the signal on to the whole process group. */
static void stop_child(pid_t pid)
{
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
}

START_TEST(resolve_over_loopback)
{
    uint16_t port;
    pid_t pid = serve_names_in_child(&port, 8000);

    uint32_t ips[4];
    size_t n;
    char err[256];

    /* Unicast, "WINS" = the name service; lower-case query matches. */
    ms_resolve_opts o = { .size = sizeof(ms_resolve_opts), .wins_ip = LOOPBACK, .bind_ip = LOOPBACK, .timeout_ms = 1500, .port = port };
    ms_nb_name name = mkname("labpeer", 0x20, NULL);
    n = 4;
    ms_status st = ms_nbns_resolve(&name, &o, ips, &n, err, sizeof err);
    ck_assert_msg(st == MS_OK, "%s", err);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(ips[0], OUR_IP);

    /* "Broadcast" path (B bit set), aimed at 127.0.0.1 so nothing leaves
     * the host. */
    ms_resolve_opts b = { .size = sizeof(ms_resolve_opts), .bcast_ip = LOOPBACK, .bind_ip = LOOPBACK, .timeout_ms = 1500, .port = port };
    name = mkname("LABPEER", 0x00, NULL);
    n = 1;
    st = ms_nbns_resolve(&name, &b, ips, &n, err, sizeof err);
    ck_assert_msg(st == MS_OK, "%s", err);
    ck_assert_uint_eq(ips[0], OUR_IP);

    /* A group name of ours. */
    name = mkname("LABGROUP", 0x00, NULL);
    n = 4;
    ck_assert_int_eq(ms_nbns_resolve(&name, &o, ips, &n, err, sizeof err), MS_OK);

    /* Someone else's name: silence, NOT_FOUND once the timeout passes. */
    name = mkname("OTHERPEER", 0x00, NULL);
    o.timeout_ms = 600;
    n = 4;
    int64_t t0 = now_ms();
    st = ms_nbns_resolve(&name, &o, ips, &n, err, sizeof err);
    int64_t took = now_ms() - t0;
    ck_assert_int_eq(st, MS_ERR_NOT_FOUND);
    ck_assert_uint_eq(n, 0);
    ck_assert_msg(took >= 550 && took < 1600, "took %lld ms", (long long)took);
    ck_assert_msg(strstr(err, "OTHERPEER<00>") && !strchr(err, '\n'), "%s", err);
    /* Our name with another suffix is not ours either. */
    name = mkname("LABPEER", 0x1d, NULL);
    n = 4;
    ck_assert_int_eq(ms_nbns_resolve(&name, &o, ips, &n, err, sizeof err), MS_ERR_NOT_FOUND);

    stop_child(pid);
}
END_TEST

/* A fake NBNS that answers every query negatively (RCODE NAM_ERR, NULL
 * record): the resolver gives up at once. */
START_TEST(resolve_negative)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    uint16_t port = ntohs(a.sin_port);

    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int64_t end = now_ms() + 5000;
        while (now_ms() < end) {
            struct pollfd pfd = { .fd = fd, .events = POLLIN };
            if (poll(&pfd, 1, 50) <= 0)
                continue;
            uint8_t in[600], out[600];
            struct sockaddr_in from;
            socklen_t fl = sizeof from;
            ssize_t got = recvfrom(fd, in, sizeof in, 0, (struct sockaddr *)&from, &fl);
            ms_nbns_packet q, r;
            if (got <= 0 || ms_nbns_decode(in, (size_t)got, &q, NULL) != MS_OK)
                continue;
            ms_nbns_positive_response(&r, &q, 0, 0, 0);
            r.flags |= MS_NBNS_RCODE_NAM_ERR;
            r.rr.type = MS_NBNS_TYPE_NULL;
            r.rr.naddrs = 0;
            size_t ol;
            if (ms_nbns_encode(&r, out, sizeof out, &ol) == MS_OK)
                sendto(fd, out, ol, 0, (struct sockaddr *)&from, fl);
        }
        _exit(0);
    }
    close(fd);

    ms_resolve_opts o = { .size = sizeof(ms_resolve_opts), .wins_ip = LOOPBACK, .timeout_ms = 3000, .port = port };
    ms_nb_name name = mkname("GHOST", 0x00, NULL);
    uint32_t ips[2];
    size_t n = 2;
    char err[256];
    int64_t t0 = now_ms();
    ck_assert_int_eq(ms_nbns_resolve(&name, &o, ips, &n, err, sizeof err), MS_ERR_NOT_FOUND);
    ck_assert_msg(now_ms() - t0 < 1500, "negative answer not taken at once");
    ck_assert_msg(strstr(err, "negative") && strstr(err, "NAM_ERR"), "%s", err);
    stop_child(pid);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("nbns_resolve");
    TCase *tc = tcase_create("hosts");
    tcase_add_test(tc, hosts_file);
    suite_add_tcase(s, tc);
    TCase *net = tcase_create("loopback");
    tcase_set_timeout(net, 30);
    tcase_add_test(net, resolve_over_loopback);
    tcase_add_test(net, resolve_negative);
    suite_add_tcase(s, net);
    return s;
}

int main(void)
{
    return run_suite(suite(), NULL);
}
