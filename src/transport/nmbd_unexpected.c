/* SPDX-License-Identifier: MIT */
/* A reader of nmbd's unexpected-packet socket (nmbd_unexpected.h): connect,
 * one query, one answer octet, then a stream of records. The stream is cut
 * wherever the kernel likes, so records are gathered in a buffer of the
 * reader's and parsed from there (nmbd_unexpected_wire.c). */
#include "mailslot/nmbd_unexpected.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "errf.h"
#include "sized.h"

/* Many records (at most 32 + 1024 octets each) per read. */
#define BUF_LEN 65536

struct ms_nmbd_reader {
    int fd;
    bool acked;          /* nmbd's answer octet was read */
    ms_status failed;    /* sticky: MS_OK until the stream is lost */
    int failed_errno;
    char why[256];
    ms_nmbd_stats st;
    size_t start, end;   /* unparsed octets: buf[start..end) */
    uint8_t buf[BUF_LEN];
};

void ms_nmbd_opts_init(ms_nmbd_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->ack_timeout_ms = 2000;
}

ms_status ms_nmbd_socket_path(const char *dir, char *out, size_t cap)
{
    struct sockaddr_un a;
    int n = snprintf(out, cap, "%s/%s", dir ? dir : MS_NMBD_DEFAULT_SOCKET_DIR,
                     MS_NMBD_SOCKET_NAME);
    if (n < 0 || (size_t)n >= cap || (size_t)n >= sizeof a.sun_path)
        return MS_ERR_NO_SPACE;
    return MS_OK;
}

int ms_nmbd_reader_fd(const ms_nmbd_reader *r)
{
    return r ? r->fd : -1;
}

/* Remember why the stream is lost; every later call repeats it. */
static ms_status fail(ms_nmbd_reader *r, ms_status st, int e, const char *why)
{
    r->failed = st;
    r->failed_errno = e;
    snprintf(r->why, sizeof r->why, "%s", why);
    return st;
}

static ms_status connect_to(const char *path, int *fd, char *err, size_t errlen)
{
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, path, strlen(path) + 1); /* length checked by the caller */
    *fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (*fd < 0) {
        ms_errf(err, errlen, "nmbd's socket: %s", strerror(errno));
        return MS_ERR_SYSTEM;
    }
    if (connect(*fd, (struct sockaddr *)&a, sizeof a) == 0)
        return MS_OK;
    int e = errno;
    close(*fd);
    *fd = -1;
    errno = e;
    if (e == ENOENT || e == ECONNREFUSED) {
        ms_errf(err, errlen, "no nmbd accepts on %s (%s)", path, strerror(e));
        return MS_ERR_NOT_FOUND;
    }
    ms_errf(err, errlen, "connecting to %s: %s", path, strerror(e));
    return MS_ERR_SYSTEM;
}

static ms_status send_query(int fd, char *err, size_t errlen)
{
    uint8_t q[64];
    size_t n = 0;
    if (ms_nmbd_query_build(q, sizeof q, &n) != MS_OK)
        return MS_ERR_NO_SPACE;
    ssize_t w = send(fd, q, n, MSG_NOSIGNAL);
    if (w == (ssize_t)n)
        return MS_OK;
    ms_errf(err, errlen, "sending the query to nmbd: %s",
            w < 0 ? strerror(errno) : "short write");
    return MS_ERR_SYSTEM;
}

/* Wait (bounded) until the answer octet can be read, then read it. */
static ms_status wait_ack(ms_nmbd_reader *r, int timeout_ms, char *err, size_t errlen)
{
    uint64_t deadline = ms_monotonic_ns() + (uint64_t)timeout_ms * 1000000u;
    while (!r->acked) {
        uint64_t now = ms_monotonic_ns();
        if (now >= deadline) {
            ms_errf(err, errlen, "nmbd did not answer the query within %d ms", timeout_ms);
            return MS_ERR_TIMEOUT;
        }
        struct pollfd p = { r->fd, POLLIN, 0 };
        int left = (int)((deadline - now + 999999) / 1000000);
        if (poll(&p, 1, left) < 0 && errno != EINTR) {
            ms_errf(err, errlen, "waiting for nmbd: %s", strerror(errno));
            return MS_ERR_SYSTEM;
        }
        size_t got = 0;
        ms_status st = ms_nmbd_reader_recv(r, NULL, 0, &got, err, errlen);
        if (st != MS_OK)
            return st;
    }
    return MS_OK;
}

ms_status ms_nmbd_reader_open(const ms_nmbd_opts *o, ms_nmbd_reader **out, char *err,
                              size_t errlen)
{
    *out = NULL;
    ms_nmbd_opts opt;
    ms_nmbd_opts_init(&opt);
    ms_sized_read(&opt, sizeof opt, o);
    char path[128];
    if (ms_nmbd_socket_path(opt.socket_dir, path, sizeof path) != MS_OK) {
        ms_errf(err, errlen, "nmbd socket directory too long: %s", opt.socket_dir);
        return MS_ERR_NO_SPACE;
    }
    ms_nmbd_reader *r = calloc(1, sizeof *r);
    if (!r) {
        ms_errf(err, errlen, "out of memory");
        return MS_ERR_NO_MEMORY;
    }
    r->st.size = sizeof r->st;
    ms_status st = connect_to(path, &r->fd, err, errlen);
    if (st == MS_OK)
        st = send_query(r->fd, err, errlen);
    if (st == MS_OK && opt.ack_timeout_ms > 0)
        st = wait_ack(r, opt.ack_timeout_ms, err, errlen);
    if (st != MS_OK) {
        int e = errno;
        ms_nmbd_reader_close(r);
        errno = e;
        return st;
    }
    *out = r;
    return MS_OK;
}

/* One record into d: its octets (cut to d->cap) and what nmbd said of it. */
static void hand_out(ms_nmbd_reader *r, const ms_nmbd_record *rec, ms_udp_dgram *d)
{
    size_t n = rec->len < d->cap ? rec->len : d->cap;
    if (n)
        memcpy(d->buf, rec->dgram, n);
    d->len = n;
    d->orig_len = rec->len;
    d->truncated = n < rec->len;
    d->src_ip = rec->src_ip;
    d->src_port = rec->src_port;
    d->dst_ip = 0;
    d->ifindex = 0;
    d->time_ns = (uint64_t)rec->time_s * 1000000000u;
    r->st.records++;
    r->st.cut += d->truncated;
}

/* Hand out the complete records buffered, up to n; false once the stream
 * is lost (r->failed set). */
static bool drain(ms_nmbd_reader *r, ms_udp_dgram *d, size_t n, size_t *got)
{
    if (!r->acked && r->end > r->start) {
        if (r->buf[r->start] != 0) {
            fail(r, MS_ERR_VERSION, 0,
                 "nmbd's unexpected-packet format not recognised (Samba 4.17 layout "
                 "expected): its answer to the query is not the octet 0");
            return false;
        }
        r->start++;
        r->acked = true;
    }
    while (r->acked && *got < n) {
        ms_nmbd_record rec;
        size_t used = 0;
        char why[sizeof r->why];
        ms_status st = ms_nmbd_record_parse(r->buf + r->start, r->end - r->start, &rec, &used,
                                            why, sizeof why);
        if (st == MS_ERR_TRUNCATED)
            break;
        if (st != MS_OK) {
            fail(r, st, 0, why);
            return false;
        }
        hand_out(r, &rec, &d[*got]);
        (*got)++;
        r->start += used;
    }
    return true;
}

/* Read what the socket holds into the buffer: 1 read, 0 nothing now,
 * -1 the stream ended or failed (r->failed set). */
static int fill(ms_nmbd_reader *r)
{
    if (r->start == r->end) {
        r->start = r->end = 0;
    } else if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    for (;;) {
        ssize_t k = read(r->fd, r->buf + r->end, sizeof r->buf - r->end);
        if (k > 0) {
            r->end += (size_t)k;
            r->st.octets += (uint64_t)k;
            return 1;
        }
        if (k == 0) {
            fail(r, MS_ERR_END, 0, "nmbd closed its unexpected-packet connection");
            return -1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        int e = errno;
        char why[128];
        snprintf(why, sizeof why, "reading nmbd's socket: %s", strerror(e));
        fail(r, MS_ERR_SYSTEM, e, why);
        return -1;
    }
}

ms_status ms_nmbd_reader_recv(ms_nmbd_reader *r, ms_udp_dgram *d, size_t n, size_t *got,
                              char *err, size_t errlen)
{
    *got = 0;
    if (!r || (n && !d))
        return MS_ERR_INVALID_ARG;
    /* Records read before a failure are handed out first; the failure is
     * told by the call that has nothing left to hand out. */
    for (;;) {
        if (r->failed != MS_OK || !drain(r, d, n, got))
            break;
        if ((*got == n && r->acked) || fill(r) <= 0)
            break;
    }
    if (*got == 0 && r->failed != MS_OK) {
        ms_errf(err, errlen, "%s", r->why);
        errno = r->failed_errno;
        return r->failed;
    }
    return MS_OK;
}

ms_status ms_nmbd_reader_get_stats(const ms_nmbd_reader *r, ms_nmbd_stats *out)
{
    if (!r || !out)
        return MS_ERR_INVALID_ARG;
    ms_sized_write(out, &r->st, sizeof r->st);
    return MS_OK;
}

void ms_nmbd_reader_close(ms_nmbd_reader *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    free(r);
}
