/* SPDX-License-Identifier: MIT */
/* fork, setsid, and a pipe that says "ready". */
#include "detach.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>


int md_detach(int *ready_fd)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        /* The parent: one octet means ready; end of file, a failure. */
        close(p[1]);
        char c;
        ssize_t n;
        do
            n = read(p[0], &c, 1);
        while (n < 0);
        _exit(n == 1 ? 0 : 1);
    }
    close(p[0]);
    (void)fcntl(p[1], F_SETFD, FD_CLOEXEC);
    setsid();
    if (chdir("/") != 0) {
        /* / is always there; nothing depends on the directory anyway */
    }
    *ready_fd = p[1];
    return 0;
}

void md_detach_done(int ready_fd)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
    }
    char c = 1;
    (void)!write(ready_fd, &c, 1);
    close(ready_fd);
}
