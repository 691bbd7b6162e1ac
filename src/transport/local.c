/* SPDX-License-Identifier: MIT */
/* Local mailslots over Unix domain datagram sockets (mailslot/local.h). */
#define _GNU_SOURCE /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "mailslot/local.h"

#define DIR_MAX 200
#define INFO_MAGIC "mailslot-local 1"

struct ms_local_slot {
    int fd, lock_fd;
    char sock[DIR_MAX + 120];
    char lock[DIR_MAX + 120];
    char info[DIR_MAX + 120];
};

struct ms_local_writer {
    int fd;
    uint32_t max_size;
    size_t limit;
};

static mode_t dir_mode(ms_local_access a)
{
    return a == MS_LOCAL_WORLD ? 0711 : a == MS_LOCAL_GROUP ? 0710 : 0700;
}

static mode_t file_mode(ms_local_access a, bool sock)
{
    if (a == MS_LOCAL_WORLD)
        return sock ? 0666 : 0644;
    if (a == MS_LOCAL_GROUP)
        return sock ? 0660 : 0640;
    return 0600;
}

/* Refuse a directory that is a link, not ours (unless explicit), or
 * writable by others; widen its mode when asked (never narrow). */
static ms_status check_dir(const char *path, bool explicit_dir, bool create, ms_local_access a,
                           char *err, size_t errlen)
{
    /* A writer of another user may lack read permission (0711): O_PATH. */
    int how = (create ? O_RDONLY : O_PATH) | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(path, how);
    if (fd < 0 && errno == ENOENT && create) {
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
            return MS_ERR_SYSTEM;
        }
        fd = open(path, how);
    }
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, e == ENOENT ? "no such directory (no server)"
                                              : e == ELOOP || e == ENOTDIR
                                                  ? "not a directory (symbolic link?): refused"
                                                  : strerror(e));
        return e == ENOENT ? MS_ERR_NOT_FOUND : MS_ERR_SYSTEM;
    }
    struct stat st;
    ms_status rc = MS_OK;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = MS_ERR_SYSTEM;
    } else if ((!explicit_dir || create) && st.st_uid != geteuid()) {
        snprintf(err, errlen, "%s is owned by uid %u, not by us (uid %u): refused", path,
                 (unsigned)st.st_uid, (unsigned)geteuid());
        rc = MS_ERR_SYSTEM;
    } else if (st.st_mode & 022) {
        snprintf(err, errlen, "%s is writable by group or others (mode %04o): refused", path,
                 (unsigned)(st.st_mode & 07777));
        rc = MS_ERR_SYSTEM;
    } else if (create && (st.st_mode & dir_mode(a)) != dir_mode(a)) {
        if (fchmod(fd, (st.st_mode & 07777) | dir_mode(a)) != 0) {
            snprintf(err, errlen, "chmod %s: %s", path, strerror(errno));
            rc = MS_ERR_SYSTEM;
        }
    }
    close(fd);
    return rc;
}

ms_status ms_local_dir(char *out, size_t cap, bool create, ms_local_access access, char *err,
                       size_t errlen)
{
    const char *env = getenv("MAILSLOT_DIR");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int n;
    bool explicit_dir = env && *env;
    if (explicit_dir)
        n = snprintf(out, cap, "%s", env);
    else if (xdg && xdg[0] == '/')
        n = snprintf(out, cap, "%s/mailslot", xdg);
    else
        n = snprintf(out, cap, "/tmp/mailslot-%u", (unsigned)geteuid());
    if (n < 0 || (size_t)n >= cap || n > DIR_MAX) {
        snprintf(err, errlen, "runtime directory path too long (over %d octets)", DIR_MAX);
        return MS_ERR_NO_SPACE;
    }
    if (out[0] != '/') {
        snprintf(err, errlen, "MAILSLOT_DIR must be an absolute path, not '%s'", out);
        return MS_ERR_INVALID_ARG;
    }
    return check_dir(out, explicit_dir, create, access, err, errlen);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

ms_status ms_local_stem(const char *name, char *out, size_t cap, size_t maxlen)
{
    char norm[MS_MAILSLOT_NAME_MAX + 1];
    ms_status st = ms_mailslot_name_normalize(name, norm, sizeof norm);
    if (st != MS_OK)
        return st;
    for (char *p = norm; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    const char *tail = norm + 10; /* after \mailslot\ */
    static const char hex[] = "0123456789abcdef";
    char buf[3 * MS_MAILSLOT_NAME_MAX + 1];
    size_t n = 0;
    for (const char *p = tail; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                    (c == '.' && p != tail);
        if (keep) {
            buf[n++] = (char)c;
        } else {
            buf[n++] = '%';
            buf[n++] = hex[c >> 4];
            buf[n++] = hex[c & 15];
        }
    }
    buf[n] = 0;
    if (n > maxlen)
        n = (size_t)snprintf(buf, sizeof buf, "%%%%%016llx", (unsigned long long)fnv1a(norm));
    if (n + 1 > cap)
        return MS_ERR_NO_SPACE;
    memcpy(out, buf, n + 1);
    return MS_OK;
}

/* Paths of the files for name: stem fitted so that dir/stem.s fits in
 * sun_path. */
static ms_status paths(const char *name, bool create, ms_local_access a, char *dir, char *stem,
                       char *err, size_t errlen)
{
    ms_status st = ms_local_dir(dir, DIR_MAX + 1, create, a, err, errlen);
    if (st != MS_OK)
        return st;
    size_t room = sizeof(((struct sockaddr_un *)0)->sun_path) - strlen(dir) - 4;
    if (room < 20) {
        snprintf(err, errlen, "runtime directory %s is too long for a socket path", dir);
        return MS_ERR_NO_SPACE;
    }
    st = ms_local_stem(name, stem, 100, room);
    if (st != MS_OK)
        snprintf(err, errlen, "'%s' is not a mailslot name (\\\\.\\mailslot\\NAME)", name);
    return st;
}

static int unix_addr(struct sockaddr_un *sa, const char *path)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa->sun_path)
        return -1;
    strcpy(sa->sun_path, path);
    return 0;
}

/* Take the lock file's flock; retry when the file we locked was unlinked
 * (a closing server) under us. 1 ours, 0 held by a live server, -1 error. */
static int take_lock(const char *path, int *out)
{
    for (int tries = 0; tries < 16; tries++) {
        int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            return -1;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK)
                return 0;
            errno = e;
            return -1;
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev) {
            *out = fd;
            return 1;
        }
        close(fd);
    }
    errno = EAGAIN;
    return -1;
}

static int write_info(const char *tmp, const char *final, const char *norm, uint32_t max_size,
                      mode_t mode)
{
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    char buf[MS_MAILSLOT_NAME_MAX + 64];
    int n = snprintf(buf, sizeof buf, INFO_MAGIC "\nname %s\nmax_size %lu\n", norm,
                     (unsigned long)max_size);
    bool ok = n > 0 && write(fd, buf, (size_t)n) == n && fchmod(fd, mode) == 0;
    ok = (close(fd) == 0) && ok;
    if (!ok || rename(tmp, final) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static ms_local_slot *slot_open(const char *name, uint32_t max_size, ms_local_access access,
                                ms_status *st, char *err, size_t errlen)
{
    ms_status dummy;
    if (!st)
        st = &dummy;
    char dir[DIR_MAX + 1], stem[104], norm[MS_MAILSLOT_NAME_MAX + 1], tmp[DIR_MAX + 120];
    *st = ms_mailslot_name_normalize(name, norm, sizeof norm);
    if (*st != MS_OK) {
        snprintf(err, errlen, "'%s' is not a mailslot name (\\\\.\\mailslot\\NAME)", name);
        return NULL;
    }
    *st = paths(name, true, access, dir, stem, err, errlen);
    if (*st != MS_OK)
        return NULL;
    ms_local_slot *l = calloc(1, sizeof *l);
    if (!l) {
        *st = MS_ERR_SYSTEM;
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    l->fd = l->lock_fd = -1;
    snprintf(l->sock, sizeof l->sock, "%s/%s.s", dir, stem);
    snprintf(l->lock, sizeof l->lock, "%s/%s.l", dir, stem);
    snprintf(l->info, sizeof l->info, "%s/%s.i", dir, stem);
    snprintf(tmp, sizeof tmp, "%s/%s.t", dir, stem);
    int r = take_lock(l->lock, &l->lock_fd);
    if (r == 0) {
        *st = MS_ERR_EXISTS;
        snprintf(err, errlen, "local mailslot %s exists (a server holds %s)", norm, l->lock);
        free(l);
        return NULL;
    }
    *st = MS_ERR_SYSTEM;
    if (r < 0) {
        snprintf(err, errlen, "lock %s: %s", l->lock, strerror(errno));
        free(l);
        return NULL;
    }
    /* The name is ours: whatever socket or info is there is stale. */
    if (write_info(tmp, l->info, norm, max_size, file_mode(access, false)) != 0) {
        snprintf(err, errlen, "info file %s: %s", l->info, strerror(errno));
        goto fail;
    }
    l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_un sa;
    if (l->fd < 0 || unix_addr(&sa, tmp) != 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        goto fail;
    }
    unlink(tmp);
    if (bind(l->fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        chmod(tmp, file_mode(access, true)) != 0 || rename(tmp, l->sock) != 0) {
        snprintf(err, errlen, "bind %s: %s", l->sock, strerror(errno));
        unlink(tmp);
        goto fail;
    }
    *st = MS_OK;
    return l;
fail:
    unlink(l->info);
    if (l->fd >= 0)
        close(l->fd);
    unlink(l->lock);
    close(l->lock_fd);
    free(l);
    return NULL;
}

ms_status ms_local_slot_open(const char *name, uint32_t max_size, ms_local_access access,
                             ms_local_slot **out, char *err, size_t errlen)
{
    ms_status st;
    *out = slot_open(name, max_size, access, &st, err, errlen);
    return st;
}

void ms_local_slot_close(ms_local_slot *l)
{
    if (!l)
        return;
    /* Socket first: a writer that still finds the info file finds no
     * socket and gets "not found". The lock goes last. */
    unlink(l->sock);
    unlink(l->info);
    close(l->fd);
    unlink(l->lock);
    close(l->lock_fd);
    free(l);
}

int ms_local_slot_fd(const ms_local_slot *l)
{
    return l->fd;
}

const char *ms_local_slot_path(const ms_local_slot *l)
{
    return l->sock;
}

/* EAGAIN: nothing waits; anything else is an error. */
static ms_status recv_failed(void)
{
    return (errno == EAGAIN || errno == EWOULDBLOCK) ? MS_ERR_AGAIN : MS_ERR_SYSTEM;
}

ms_status ms_local_slot_peek(ms_local_slot *l, size_t *len)
{
    char c;
    ssize_t n;
    *len = 0;
    do
        n = recv(l->fd, &c, 1, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return recv_failed();
    *len = (size_t)n;
    return MS_OK;
}

ms_status ms_local_slot_recv(ms_local_slot *l, uint8_t *buf, size_t cap, size_t *len)
{
    ssize_t n;
    *len = 0;
    do
        n = recv(l->fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return recv_failed();
    *len = (size_t)n > cap ? cap : (size_t)n;
    return MS_OK;
}

/* ---- writer ---- */

ms_status ms_local_info_parse(const char *text, size_t len, const char *norm, uint32_t *max_size)
{
    char buf[MS_MAILSLOT_NAME_MAX + 96];
    if (len == 0 || len >= sizeof buf)
        return MS_ERR_BAD_INPUT;
    memcpy(buf, text, len);
    buf[len] = 0;
    char *nm = strstr(buf, "\nname ");
    char *ms = strstr(buf, "\nmax_size ");
    if (strncmp(buf, INFO_MAGIC "\n", sizeof INFO_MAGIC) != 0 || !nm || !ms)
        return MS_ERR_BAD_INPUT;
    nm += 6;
    char *end = strchr(nm, '\n');
    if (!end || (size_t)(end - nm) != strlen(norm) || strncasecmp(nm, norm, strlen(norm)) != 0)
        return MS_ERR_BAD_INPUT; /* another name hashed to the same stem */
    char *e2;
    unsigned long v = strtoul(ms + 10, &e2, 10);
    if (*e2 != '\n' || v > UINT32_MAX)
        return MS_ERR_BAD_INPUT;
    *max_size = (uint32_t)v;
    return MS_OK;
}

static int read_info(const char *path, const char *norm, uint32_t *max_size)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[MS_MAILSLOT_NAME_MAX + 96];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    return ms_local_info_parse(buf, (size_t)n, norm, max_size) == MS_OK ? 0 : -1;
}

static ms_local_writer *writer_open(const char *name, ms_status *st, char *err, size_t errlen)
{
    ms_status dummy;
    if (!st)
        st = &dummy;
    char dir[DIR_MAX + 1], stem[104], norm[MS_MAILSLOT_NAME_MAX + 1], path[DIR_MAX + 120];
    *st = ms_mailslot_name_normalize(name, norm, sizeof norm);
    if (*st != MS_OK) {
        snprintf(err, errlen, "'%s' is not a mailslot name (\\\\.\\mailslot\\NAME)", name);
        return NULL;
    }
    *st = paths(name, false, MS_LOCAL_USER, dir, stem, err, errlen);
    if (*st != MS_OK) {
        if (*st == MS_ERR_NOT_FOUND)
            snprintf(err, errlen, "local mailslot %s does not exist (no runtime directory %s)",
                     norm, dir);
        return NULL;
    }
    ms_local_writer *w = calloc(1, sizeof *w);
    if (!w) {
        *st = MS_ERR_SYSTEM;
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *st = MS_ERR_SYSTEM;
    snprintf(path, sizeof path, "%s/%s.s", dir, stem);
    struct sockaddr_un sa;
    w->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (w->fd < 0 || unix_addr(&sa, path) != 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        goto fail;
    }
    if (connect(w->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        if (e == ENOENT || e == ECONNREFUSED) {
            *st = MS_ERR_NOT_FOUND;
            snprintf(err, errlen, "local mailslot %s does not exist%s", norm,
                     e == ECONNREFUSED ? " (stale socket of a server that died)" : "");
        } else {
            snprintf(err, errlen, "local mailslot %s: %s", norm, strerror(e));
        }
        goto fail;
    }
    snprintf(path, sizeof path, "%s/%s.i", dir, stem);
    if (read_info(path, norm, &w->max_size) != 0) {
        *st = MS_ERR_NOT_FOUND;
        snprintf(err, errlen, "local mailslot %s does not exist (no valid info file)", norm);
        goto fail;
    }
    int want = (int)MS_LOCAL_SNDBUF, got = 0;
    socklen_t gl = sizeof got;
    setsockopt(w->fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
    if (getsockopt(w->fd, SOL_SOCKET, SO_SNDBUF, &got, &gl) != 0)
        got = 0;
    /* Linux reports twice what it charges against; the skb overhead is
     * a few hundred octets. */
    w->limit = got > 4096 ? (size_t)got / 2 - 1024 : 0;
    if (w->limit < MS_LOCAL_MIN_GUARANTEED)
        w->limit = MS_LOCAL_MIN_GUARANTEED;
    struct timeval tv = { MS_LOCAL_WRITE_TIMEOUT_MS / 1000, (MS_LOCAL_WRITE_TIMEOUT_MS % 1000) * 1000 };
    setsockopt(w->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    *st = MS_OK;
    return w;
fail:
    if (w->fd >= 0)
        close(w->fd);
    free(w);
    return NULL;
}

ms_status ms_local_writer_open(const char *name, ms_local_writer **out, char *err,
                               size_t errlen)
{
    ms_status st;
    *out = writer_open(name, &st, err, errlen);
    return st;
}

uint32_t ms_local_writer_max_size(const ms_local_writer *w)
{
    return w->max_size;
}

size_t ms_local_writer_limit(const ms_local_writer *w)
{
    return w->limit;
}

ms_status ms_local_writer_write(ms_local_writer *w, const void *data, size_t len, char *err,
                                size_t errlen)
{
    if (w->max_size && len > w->max_size) {
        snprintf(err, errlen, "message of %zu octets is over the mailslot's max size of %lu "
                 "octets (given at creation)", len, (unsigned long)w->max_size);
        return MS_ERR_TOO_BIG;
    }
    ssize_t n;
    do
        n = send(w->fd, data, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)len)
        return MS_OK;
    int e = n < 0 ? errno : EMSGSIZE;
    switch (e) {
    case EMSGSIZE:
    case ENOBUFS:
        snprintf(err, errlen, "message of %zu octets is over what the kernel takes on a local "
                 "socket (about %zu octets: SO_SNDBUF, net.core.wmem_max)", len, w->limit);
        return MS_ERR_TOO_BIG;
    case ECONNREFUSED:
    case ENOTCONN:
    case ECONNRESET:
        snprintf(err, errlen, "the local mailslot is gone (its server closed it)");
        return MS_ERR_NOT_FOUND;
    case EAGAIN:
        snprintf(err, errlen, "the local mailslot's queue stayed full for %d ms",
                 MS_LOCAL_WRITE_TIMEOUT_MS);
        return MS_ERR_TIMEOUT;
    default:
        snprintf(err, errlen, "send: %s", strerror(e));
        return MS_ERR_SYSTEM;
    }
}

void ms_local_writer_close(ms_local_writer *w)
{
    if (!w)
        return;
    close(w->fd);
    free(w);
}
