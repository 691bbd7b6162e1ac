/* SPDX-License-Identifier: MIT */
/* mailslotd's control socket: SOCK_SEQPACKET keeps each message one
 * packet, so neither side needs framing; SO_PEERCRED says who connected. */
#define _GNU_SOURCE /* struct ucred, accept4 */
#include "mailslot/ctl_sock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "errf.h"

const char *ms_ctl_dir(void)
{
    const char *d = getenv("MAILSLOTD_DIR");
    return d && *d ? d : MS_CTL_DEFAULT_DIR;
}

ms_status ms_ctl_path(const char *dir, char *out, size_t cap)
{
    struct sockaddr_un a;
    int n = snprintf(out, cap, "%s/%s", dir ? dir : ms_ctl_dir(), MS_CTL_SOCKET_NAME);
    if (n < 0 || (size_t)n >= cap || (size_t)n >= sizeof a.sun_path)
        return MS_ERR_NO_SPACE;
    return MS_OK;
}

static ms_status make_addr(const char *path, struct sockaddr_un *a)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a->sun_path)
        return MS_ERR_NO_SPACE;
    memcpy(a->sun_path, path, strlen(path) + 1);
    return MS_OK;
}

static int new_socket(void)
{
    return socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/* Does somebody accept on path? */
static bool live(const struct sockaddr_un *a)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool yes = connect(fd, (const struct sockaddr *)a, sizeof *a) == 0;
    close(fd);
    return yes;
}

ms_status ms_ctl_listen(const char *path, mode_t mode, int *fd, char *err, size_t errlen)
{
    *fd = -1;
    struct sockaddr_un a;
    if (make_addr(path, &a) != MS_OK) {
        ms_errf(err, errlen, "control socket path too long: %s", path);
        return MS_ERR_NO_SPACE;
    }
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            ms_errf(err, errlen, "%s exists and is not a socket", path);
            return MS_ERR_EXISTS;
        }
        if (live(&a)) {
            ms_errf(err, errlen, "%s: another mailslotd is running", path);
            return MS_ERR_EXISTS;
        }
        unlink(path); /* left by a daemon that died */
    }
    int s = new_socket();
    if (s < 0) {
        ms_errf(err, errlen, "control socket: %s", strerror(errno));
        return MS_ERR_SYSTEM;
    }
    /* The mode is the socket file's from its birth: no window in which
     * the umask's looser mode lets someone connect. */
    mode_t old = umask((mode_t)(~mode & 0777));
    int rc = bind(s, (struct sockaddr *)&a, sizeof a);
    int e = errno;
    umask(old);
    if (rc != 0 || listen(s, 64) != 0) {
        e = rc != 0 ? e : errno;
        ms_errf(err, errlen, "control socket %s: %s", path, strerror(e));
        close(s);
        errno = e;
        return MS_ERR_SYSTEM;
    }
    *fd = s;
    return MS_OK;
}

ms_status ms_ctl_accept(int lfd, int *fd, ms_ctl_peer *peer)
{
    *fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (*fd < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
                errno == ECONNABORTED)
                   ? MS_ERR_AGAIN
                   : MS_ERR_SYSTEM;
    struct ucred uc;
    socklen_t l = sizeof uc;
    if (getsockopt(*fd, SOL_SOCKET, SO_PEERCRED, &uc, &l) != 0) {
        close(*fd);
        *fd = -1;
        return MS_ERR_SYSTEM;
    }
    if (peer) {
        peer->pid = uc.pid;
        peer->uid = uc.uid;
        peer->gid = uc.gid;
    }
    return MS_OK;
}

ms_status ms_ctl_connect(const char *path, int *fd, char *err, size_t errlen)
{
    *fd = -1;
    struct sockaddr_un a;
    if (make_addr(path, &a) != MS_OK) {
        ms_errf(err, errlen, "control socket path too long: %s", path);
        return MS_ERR_NO_SPACE;
    }
    int s = new_socket();
    if (s < 0) {
        ms_errf(err, errlen, "control socket: %s", strerror(errno));
        return MS_ERR_SYSTEM;
    }
    /* Without waiting: a Unix connect never waits for accept, only for
     * room in the backlog, and a daemon that stopped accepting must not
     * hang its programs. */
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        close(s);
        errno = e;
        if (e == ENOENT || e == ECONNREFUSED) {
            ms_errf(err, errlen, "no mailslotd at %s", path);
            return MS_ERR_NOT_FOUND;
        }
        if (e == EAGAIN || e == EWOULDBLOCK) {
            ms_errf(err, errlen, "mailslotd at %s accepts no connection (its backlog is full)",
                    path);
            return MS_ERR_AGAIN;
        }
        ms_errf(err, errlen, "mailslotd at %s: %s", path, strerror(e));
        return MS_ERR_SYSTEM;
    }
    *fd = s;
    return MS_OK;
}

ms_status ms_ctl_send(int fd, const ms_ctl_msg *m, uint8_t *buf, size_t cap)
{
    size_t len;
    ms_status st = ms_ctl_encode(m, buf, cap, &len);
    if (st != MS_OK)
        return st;
    ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == (ssize_t)len)
        return MS_OK;
    if (n >= 0)
        return MS_ERR_SYSTEM; /* a packet socket sends all or nothing */
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return MS_ERR_AGAIN;
    if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
        return MS_ERR_END;
    return MS_ERR_SYSTEM;
}

ms_status ms_ctl_recv(int fd, uint8_t *buf, size_t cap, ms_ctl_msg *out)
{
    ssize_t n = recv(fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return MS_ERR_AGAIN;
        if (errno == ECONNRESET)
            return MS_ERR_END;
        return MS_ERR_SYSTEM;
    }
    if (n == 0)
        return MS_ERR_END; /* SEQPACKET: zero octets means the peer closed */
    if ((size_t)n > cap)
        return MS_ERR_TOO_BIG;
    return ms_ctl_decode(buf, (size_t)n, out, NULL);
}
