/* SPDX-License-Identifier: MIT */
/* The unit tests' stand-in for mailslotd (fake_mailslotd.h). One thread,
 * poll(2) over the listening socket and the connections; a mutex between
 * it and the test's calls. Uses only the public codec and socket calls. */
#include "fake_mailslotd.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mailslot/ctl_sock.h"
#include "mailslot/status.h"

#define MAX_CONN 16
#define MAX_NAMES 64
#define MAX_CREATED 64

typedef struct conn {
    int fd;
    bool monitor;
} conn;

struct fake_daemon {
    char path[128];
    int lfd;
    bool stall, stop;
    pthread_t th;
    pthread_mutex_t mu;
    conn c[MAX_CONN];
    char names[MAX_NAMES][256];
    int owner[MAX_NAMES];   /* index into c, -1 = free */
    int counts[16];
    char created[MAX_CREATED][256];
    int ncreated;
    fake_send last;
    bool have_last;
    uint8_t reply[65536];
    size_t reply_len;
    bool copies_named;
    uint8_t in[MS_CTL_MAX_PACKET], out[MS_CTL_MAX_PACKET];
};

void fake_dir(char *out, size_t cap)
{
    snprintf(out, cap, "/tmp/ms-fake-XXXXXX");
    if (!mkdtemp(out))
        abort();
}

void fake_dir_remove(const char *dir)
{
    char p[200];
    snprintf(p, sizeof p, "%s/control", dir);
    unlink(p);
    rmdir(dir);
}

static void answer(fake_daemon *f, int fd, ms_ctl_msg *m)
{
    m->have |= MS_CTL_BIT(MS_CTL_A_VERSION);
    ms_ctl_send(fd, m, f->out, sizeof f->out);
}

static void result(fake_daemon *f, int fd, ms_status st, const char *text)
{
    ms_ctl_msg m;
    ms_ctl_init(&m, MS_CTL_RESULT);
    m.status = (uint32_t)st;
    m.have = MS_CTL_BIT(MS_CTL_A_STATUS);
    if (text) {
        m.text = (ms_bytes){ (const uint8_t *)text, strlen(text) };
        m.have |= MS_CTL_BIT(MS_CTL_A_TEXT);
    }
    answer(f, fd, &m);
}

static int find_name(fake_daemon *f, const uint8_t *p, size_t len)
{
    for (int i = 0; i < MAX_NAMES; i++)
        if (f->owner[i] >= 0 && strlen(f->names[i]) == len &&
            strncasecmp(f->names[i], (const char *)p, len) == 0)
            return i;
    return -1;
}

static void welcome(fake_daemon *f, int fd)
{
    static const char *names[] = { "FAKEHOST<00>", "FAKEHOST<20>", "WORKGROUP<00>" };
    ms_ctl_msg m;
    ms_ctl_init(&m, MS_CTL_WELCOME);
    for (size_t i = 0; i < 3; i++)
        m.names[m.nnames++] = (ms_bytes){ (const uint8_t *)names[i], strlen(names[i]) };
    m.text = (ms_bytes){ (const uint8_t *)"fake mailslotd", 14 };
    m.have = MS_CTL_BIT(MS_CTL_A_NAME) | MS_CTL_BIT(MS_CTL_A_TEXT);
    answer(f, fd, &m);
}

static void on_create(fake_daemon *f, int ci, const ms_ctl_msg *m)
{
    int fd = f->c[ci].fd;
    if (f->ncreated < MAX_CREATED)
        snprintf(f->created[f->ncreated++], 256, "%.*s", (int)m->slot.len,
                 (const char *)m->slot.p);
    if (m->mode == MS_CTL_MODE_MONITOR) {
        f->c[ci].monitor = true;
        result(f, fd, MS_OK, NULL);
        return;
    }
    int i = find_name(f, m->slot.p, m->slot.len);
    if (i >= 0) {
        result(f, fd, i >= 0 && f->owner[i] == ci ? MS_OK : MS_ERR_EXISTS,
               f->owner[i] == ci ? NULL : "another program created it");
        return;
    }
    for (i = 0; i < MAX_NAMES && f->owner[i] >= 0; i++)
        ;
    if (i == MAX_NAMES || m->slot.len >= 256) {
        result(f, fd, MS_ERR_TOO_MANY, "full");
        return;
    }
    snprintf(f->names[i], 256, "%.*s", (int)m->slot.len, (const char *)m->slot.p);
    f->owner[i] = ci;
    result(f, fd, MS_OK, NULL);
}

static void deliver_one(fake_daemon *f, int fd, const char *slot, const uint8_t *dg, size_t len,
                        const fake_meta *meta, uint32_t flags)
{
    ms_ctl_msg m;
    ms_ctl_init(&m, MS_CTL_DELIVER);
    m.slot = (ms_bytes){ (const uint8_t *)slot, strlen(slot) };
    m.datagram = (ms_bytes){ dg, len };
    m.src_ip = meta->src_ip;
    m.src_port = meta->src_port;
    m.dst_ip = meta->dst_ip;
    m.dst_port = meta->dst_port;
    m.time_ns = meta->time_ns;
    m.ifindex = meta->ifindex;
    m.via = meta->via;
    m.flags = meta->flags | flags;
    m.dropped = meta->dropped;
    m.have = MS_CTL_BIT(MS_CTL_A_SLOT) | MS_CTL_BIT(MS_CTL_A_DATAGRAM) |
             MS_CTL_BIT(MS_CTL_A_SRC_IP) | MS_CTL_BIT(MS_CTL_A_SRC_PORT) |
             MS_CTL_BIT(MS_CTL_A_DST_IP) | MS_CTL_BIT(MS_CTL_A_DST_PORT) |
             MS_CTL_BIT(MS_CTL_A_TIME_NS) | MS_CTL_BIT(MS_CTL_A_IFINDEX) |
             MS_CTL_BIT(MS_CTL_A_VIA) | MS_CTL_BIT(MS_CTL_A_FLAGS) |
             MS_CTL_BIT(MS_CTL_A_DROPPED);
    answer(f, fd, &m);
}

static void on_send(fake_daemon *f, int ci, const ms_ctl_msg *m)
{
    fake_send *s = &f->last;
    memset(s, 0, sizeof *s);
    s->len = m->datagram.len < sizeof s->datagram ? m->datagram.len : sizeof s->datagram;
    memcpy(s->datagram, m->datagram.p, s->len);
    s->dst_ip = m->dst_ip;
    s->dst_port = m->dst_port;
    s->has_token = MS_CTL_HAS(m, MS_CTL_A_TOKEN);
    s->token = m->token;
    s->has_src_name = MS_CTL_HAS(m, MS_CTL_A_SRC_NAME);
    snprintf(s->src_name, sizeof s->src_name, "%.*s", (int)m->src_name.len,
             (const char *)m->src_name.p);
    f->have_last = true;
    /* Sent as the host: the name asked for when it is one of ours. */
    ms_ctl_msg r;
    ms_ctl_init(&r, MS_CTL_RESULT);
    const char *src = !strcasecmp(s->src_name, "FAKEHOST<20>") ? "FAKEHOST<20>" : "FAKEHOST<00>";
    r.src_name = (ms_bytes){ (const uint8_t *)src, strlen(src) };
    r.src_ip = 0xC0000201u;
    r.have = MS_CTL_BIT(MS_CTL_A_STATUS) | MS_CTL_BIT(MS_CTL_A_SRC_NAME) |
             MS_CTL_BIT(MS_CTL_A_SRC_IP);
    answer(f, f->c[ci].fd, &r);
    if (s->has_token && f->reply_len) {
        fake_meta meta = { 0xC0000214u, 0x7F000001u, 0, 0, 138, 138, 1, 0, 0 };
        deliver_one(f, f->c[ci].fd, "\\MAILSLOT\\BROWSE", f->reply, f->reply_len, &meta,
                    MS_CTL_F_REPLY);
    }
}

static void handle(fake_daemon *f, int ci, const ms_ctl_msg *m)
{
    int fd = f->c[ci].fd;
    if (m->type < 16)
        f->counts[m->type]++;
    switch (m->type) {
    case MS_CTL_HELLO: welcome(f, fd); break;
    case MS_CTL_CREATE: on_create(f, ci, m); break;
    case MS_CTL_DELETE: {
        int i = find_name(f, m->slot.p, m->slot.len);
        if (i >= 0 && f->owner[i] == ci)
            f->owner[i] = -1;
        result(f, fd, MS_OK, NULL);
        break;
    }
    case MS_CTL_SEND: on_send(f, ci, m); break;
    case MS_CTL_STATUS: {
        ms_ctl_msg r;
        ms_ctl_init(&r, MS_CTL_STATUS_REPLY);
        static const char js[] = "{\"fake\":true,\"names\":[\"FAKEHOST<00>\"]}";
        r.json = (ms_bytes){ (const uint8_t *)js, sizeof js - 1 };
        r.have = MS_CTL_BIT(MS_CTL_A_JSON);
        answer(f, fd, &r);
        break;
    }
    default: result(f, fd, MS_ERR_INVALID_ARG, "not a request"); break;
    }
}

static void drop_conn(fake_daemon *f, int ci)
{
    close(f->c[ci].fd);
    f->c[ci] = (conn){ .fd = -1 };
    for (int i = 0; i < MAX_NAMES; i++)
        if (f->owner[i] == ci)
            f->owner[i] = -1;
}

static void accept_all(fake_daemon *f)
{
    int fd;
    ms_ctl_peer peer;
    while (ms_ctl_accept(f->lfd, &fd, &peer) == MS_OK) {
        int i = 0;
        while (i < MAX_CONN && f->c[i].fd >= 0)
            i++;
        if (i == MAX_CONN) {
            close(fd);
            continue;
        }
        f->c[i] = (conn){ .fd = fd };
    }
}

static void *run(void *arg)
{
    fake_daemon *f = arg;
    for (;;) {
        struct pollfd p[MAX_CONN + 1];
        int idx[MAX_CONN + 1], n = 0;
        pthread_mutex_lock(&f->mu);
        bool stop = f->stop;
        p[n] = (struct pollfd){ f->lfd, POLLIN, 0 };
        idx[n++] = -1;
        for (int i = 0; i < MAX_CONN && !f->stall; i++)
            if (f->c[i].fd >= 0) {
                p[n] = (struct pollfd){ f->c[i].fd, POLLIN, 0 };
                idx[n++] = i;
            }
        pthread_mutex_unlock(&f->mu);
        if (stop)
            return NULL;
        if (poll(p, (nfds_t)n, 20) <= 0)
            continue;
        pthread_mutex_lock(&f->mu);
        if (p[0].revents)
            accept_all(f);
        for (int k = 1; k < n; k++) {
            int ci = idx[k];
            if (!p[k].revents || f->c[ci].fd != p[k].fd)
                continue;
            ms_ctl_msg m;
            ms_status st;
            while ((st = ms_ctl_recv(f->c[ci].fd, f->in, sizeof f->in, &m)) == MS_OK)
                handle(f, ci, &m);
            if (st != MS_ERR_AGAIN)
                drop_conn(f, ci);
        }
        pthread_mutex_unlock(&f->mu);
    }
}

fake_daemon *fake_start(const char *dir, bool stall)
{
    fake_daemon *f = calloc(1, sizeof *f);
    if (!f)
        abort();
    snprintf(f->path, sizeof f->path, "%s/control", dir);
    char err[200];
    if (ms_ctl_listen(f->path, 0666, &f->lfd, err, sizeof err) != MS_OK) {
        fprintf(stderr, "fake mailslotd: %s\n", err);
        abort();
    }
    f->stall = stall;
    for (int i = 0; i < MAX_CONN; i++)
        f->c[i].fd = -1;
    for (int i = 0; i < MAX_NAMES; i++)
        f->owner[i] = -1;
    pthread_mutex_init(&f->mu, NULL);
    if (pthread_create(&f->th, NULL, run, f) != 0)
        abort();
    return f;
}

void fake_stop(fake_daemon *f)
{
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->th, NULL);
    for (int i = 0; i < MAX_CONN; i++)
        if (f->c[i].fd >= 0)
            close(f->c[i].fd);
    close(f->lfd);
    unlink(f->path);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

int fake_count(fake_daemon *f, uint16_t type)
{
    pthread_mutex_lock(&f->mu);
    int n = type < 16 ? f->counts[type] : 0;
    pthread_mutex_unlock(&f->mu);
    return n;
}

bool fake_wait_count(fake_daemon *f, uint16_t type, int n, int ms)
{
    for (int waited = 0; waited <= ms; waited += 10) {
        if (fake_count(f, type) >= n)
            return true;
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, NULL);
    }
    return false;
}

bool fake_holds(fake_daemon *f, const char *name)
{
    pthread_mutex_lock(&f->mu);
    bool yes = find_name(f, (const uint8_t *)name, strlen(name)) >= 0;
    pthread_mutex_unlock(&f->mu);
    return yes;
}

int fake_monitors(fake_daemon *f)
{
    pthread_mutex_lock(&f->mu);
    int n = 0;
    for (int i = 0; i < MAX_CONN; i++)
        n += f->c[i].fd >= 0 && f->c[i].monitor;
    pthread_mutex_unlock(&f->mu);
    return n;
}

bool fake_last_send(fake_daemon *f, fake_send *out)
{
    pthread_mutex_lock(&f->mu);
    bool have = f->have_last;
    if (have)
        *out = f->last;
    pthread_mutex_unlock(&f->mu);
    return have;
}

void fake_created(fake_daemon *f, int n, char *out, size_t cap)
{
    pthread_mutex_lock(&f->mu);
    snprintf(out, cap, "%s", n >= 0 && n < f->ncreated ? f->created[n] : "");
    pthread_mutex_unlock(&f->mu);
}

int fake_deliver(fake_daemon *f, const char *slot, const uint8_t *dg, size_t len,
                 const fake_meta *meta, bool only_creator)
{
    pthread_mutex_lock(&f->mu);
    int n = 0;
    int i = find_name(f, (const uint8_t *)slot, strlen(slot));
    if (i >= 0) {
        deliver_one(f, f->c[f->owner[i]].fd, f->names[i], dg, len, meta, 0);
        n++;
    }
    for (int k = 0; k < MAX_CONN && !only_creator; k++)
        if (f->c[k].fd >= 0 && f->c[k].monitor) {
            deliver_one(f, f->c[k].fd, f->copies_named ? slot : "*", dg, len, meta,
                        MS_CTL_F_COPY);
            n++;
        }
    pthread_mutex_unlock(&f->mu);
    return n;
}

void fake_broadcast(fake_daemon *f, const ms_ctl_msg *m, const uint8_t *raw, size_t rawlen)
{
    pthread_mutex_lock(&f->mu);
    for (int k = 0; k < MAX_CONN; k++) {
        if (f->c[k].fd < 0)
            continue;
        if (m)
            ms_ctl_send(f->c[k].fd, m, f->out, sizeof f->out);
        else if (send(f->c[k].fd, raw, rawlen, MSG_NOSIGNAL) < 0)
            continue;
    }
    pthread_mutex_unlock(&f->mu);
}

void fake_copies_named(fake_daemon *f, bool yes)
{
    pthread_mutex_lock(&f->mu);
    f->copies_named = yes;
    pthread_mutex_unlock(&f->mu);
}

void fake_reply_to_token(fake_daemon *f, const uint8_t *dg, size_t len)
{
    pthread_mutex_lock(&f->mu);
    f->reply_len = dg && len <= sizeof f->reply ? len : 0;
    if (f->reply_len)
        memcpy(f->reply, dg, len);
    pthread_mutex_unlock(&f->mu);
}
