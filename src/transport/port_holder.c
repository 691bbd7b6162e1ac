/* SPDX-License-Identifier: MIT */
/* Which process holds a UDP port: the sockets bound to it from
 * /proc/net/udp and udp6 (their inodes), then the process with a
 * descriptor on one of them from /proc/PID/fd. Only what /proc shows
 * this process: another user's descriptors need privilege. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mailslot/net.h"

#define MAX_INODES 16

/* The inodes of the sockets bound to `port` in one /proc/net table. */
static size_t bound_inodes(const char *table, uint16_t port, unsigned long *ino, size_t n,
                           size_t max)
{
    FILE *f = fopen(table, "r");
    if (!f)
        return n;
    char line[512];
    /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
    while (n < max && fgets(line, sizeof line, f)) {
        unsigned p;
        unsigned long inode;
        if (sscanf(line, " %*s %*[0-9A-Fa-f]:%x %*s %*s %*s %*s %*s %*s %*s %lu", &p, &inode) ==
                2 &&
            p == port && inode)
            ino[n++] = inode;
    }
    fclose(f);
    return n;
}

/* Whether process `pid` has a descriptor on one of the sockets. */
static bool holds(const char *pid, const unsigned long *ino, size_t n)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%.20s/fd", pid); /* pid: digits */
    DIR *d = opendir(path);
    if (!d)
        return false;
    bool found = false;
    for (struct dirent *e; !found && (e = readdir(d));) {
        char fd[320], link[64];
        snprintf(fd, sizeof fd, "%s/%s", path, e->d_name);
        ssize_t l = readlink(fd, link, sizeof link - 1);
        unsigned long inode;
        if (l <= 0)
            continue;
        link[l] = '\0';
        if (sscanf(link, "socket:[%lu]", &inode) != 1)
            continue;
        for (size_t i = 0; i < n && !found; i++)
            found = ino[i] == inode;
    }
    closedir(d);
    return found;
}

static void name_of(const char *pid, char *out, size_t outlen)
{
    char path[64], comm[64] = "";
    snprintf(path, sizeof path, "/proc/%.20s/comm", pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(comm, sizeof comm, f))
            comm[0] = '\0';
        fclose(f);
    }
    comm[strcspn(comm, "\n")] = '\0';
    snprintf(out, outlen, "%s (pid %.20s)", comm[0] ? comm : "a process", pid);
}

ms_status ms_udp_port_holder(uint16_t port, char *out, size_t outlen)
{
    if (out && outlen)
        out[0] = '\0';
    unsigned long ino[MAX_INODES];
    size_t n = bound_inodes("/proc/net/udp", port, ino, 0, MAX_INODES);
    n = bound_inodes("/proc/net/udp6", port, ino, n, MAX_INODES);
    if (n == 0)
        return MS_ERR_NOT_FOUND;
    DIR *d = opendir("/proc");
    if (!d)
        return MS_ERR_NOT_FOUND;
    ms_status st = MS_ERR_NOT_FOUND;
    for (struct dirent *e; st != MS_OK && (e = readdir(d));) {
        if (strspn(e->d_name, "0123456789") != strlen(e->d_name) || !e->d_name[0])
            continue;
        if (holds(e->d_name, ino, n)) {
            if (out && outlen)
                name_of(e->d_name, out, outlen);
            st = MS_OK;
        }
    }
    closedir(d);
    return st;
}
