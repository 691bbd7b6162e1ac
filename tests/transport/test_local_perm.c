/* SPDX-License-Identifier: MIT */
/* Local mailslot permissions, enforced by the kernel: a child that
 * setuid()s to nobody cannot connect to a same-user (0600) socket, even
 * when the directory lets it through, and can write to a world-writable
 * one. Needs root (to become another user); skipped otherwise
 * (skip_or_fail: fails under MAILSLOT_REQUIRE_ALL). */
#include <check.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "mailslot/client.h"
#include "mailslot/local.h"
#include "mailslot/server.h"

static char err[512];

#include "open_or_null.h"
static char rundir[128];
static uid_t nobody_uid;
static gid_t nobody_gid;

/* Exit codes of the child. */
enum { C_EACCES = 10, C_CONNECTED, C_OTHER, C_SETUID, C_LIB_REFUSED, C_LIB_OK, C_LIB_OTHER };

/* In a child that became nobody: connect to the socket by hand (what the
 * kernel says) — or, with lib, write through the library. */
static int as_nobody(const char *stem, bool lib)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(nobody_gid) != 0 || setuid(nobody_uid) != 0 ||
            geteuid() != nobody_uid)
            _exit(C_SETUID);
        char dir[200];
        snprintf(dir, sizeof dir, "%s/mailslot", rundir);
        if (lib) {
            setenv("MAILSLOT_DIR", dir, 1);
            char path[200];
            snprintf(path, sizeof path, "\\\\.\\mailslot\\%s", stem);
            ms_status st;
            ms_client *c = path_open(path, &st);
            if (!c)
                _exit(st == MS_ERR_SYSTEM && strstr(err, "ermission") ? C_LIB_REFUSED
                                                                      : C_LIB_OTHER);
            st = ms_client_write(c, "from nobody", 11, NULL, err, sizeof err);
            _exit(st == MS_OK ? C_LIB_OK : C_LIB_OTHER);
        }
        int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char sp[300];
        snprintf(sp, sizeof sp, "%s/%s.s", dir, stem);
        if (strlen(sp) >= sizeof sa.sun_path)
            _exit(C_OTHER);
        memcpy(sa.sun_path, sp, strlen(sp) + 1);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
            _exit(C_CONNECTED);
        _exit(errno == EACCES ? C_EACCES : C_OTHER);
    }
    int wst;
    ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
    ck_assert(WIFEXITED(wst));
    return WEXITSTATUS(wst);
}

START_TEST(kernel_enforces_access)
{
    ms_server_opts o;
    ms_server_opts_init(&o);
    o.no_socket = true;
    ms_server *s = server_open(&o);
    ck_assert_msg(s != NULL, "%s", err);
    ms_status st;
    ms_mailslot *priv = slot_create(s, "\\\\.\\mailslot\\priv", 0, 0, &st);
    ck_assert_msg(priv != NULL, "%s", ms_strerror(st));
    /* Directory 0700: nobody does not even get to the socket. */
    ck_assert_int_eq(as_nobody("priv", false), C_EACCES);
    ck_assert_int_eq(as_nobody("priv", true), C_LIB_REFUSED);

    ms_server_set_local(s, MS_LOCAL_NAMED, MS_LOCAL_WORLD);
    ms_mailslot *pub = slot_create(s, "\\\\.\\mailslot\\pub", 0, 1000, &st);
    ck_assert_msg(pub != NULL, "%s", ms_strerror(st));
    /* Directory now 0711: the 0600 socket alone keeps nobody out. */
    ck_assert_int_eq(as_nobody("priv", false), C_EACCES);
    ck_assert_int_eq(as_nobody("priv", true), C_LIB_REFUSED);
    ck_assert_int_eq(as_nobody("pub", false), C_CONNECTED);
    ck_assert_int_eq(as_nobody("pub", true), C_LIB_OK);
    ms_mailslot_msg msg;
    ck_assert_int_eq(ms_mailslot_read(pub, &msg), MS_OK);
    ck_assert_uint_eq(msg.len, 11);
    ck_assert_mem_eq(msg.data, "from nobody", 11);
    ms_mailslot_info in = MS_SIZED(ms_mailslot_info);
    ck_assert_int_eq(ms_mailslot_get_info(priv, &in), MS_OK);
    ck_assert_uint_eq(in.count, 0);
    ms_server_close(s);
}
END_TEST

int main(void)
{
    if (geteuid() != 0)
        return skip_or_fail("test_local_perm: not root, cannot become another user to test "
                            "local mailslot permissions");
    struct passwd *pw = getpwnam("nobody");
    if (!pw)
        return skip_or_fail("test_local_perm: no user 'nobody'");
    nobody_uid = pw->pw_uid;
    nobody_gid = pw->pw_gid;
    snprintf(rundir, sizeof rundir, "/tmp/ms-local-perm-XXXXXX");
    if (!mkdtemp(rundir) || chmod(rundir, 0711) != 0) {
        perror("mkdtemp");
        return 1;
    }
    setenv("XDG_RUNTIME_DIR", rundir, 1);
    unsetenv("MAILSLOT_DIR");
    Suite *su = suite_create("local_perm");
    TCase *tc = tcase_create("perm");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, kernel_enforces_access);
    suite_add_tcase(su, tc);
    SRunner *r = srunner_create(su);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", rundir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", rundir);
    return failed ? 1 : 0;
}
