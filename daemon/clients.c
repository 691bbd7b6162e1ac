/* SPDX-License-Identifier: MIT */
/* The control socket: accept, read each client's requests, write what is
 * queued for it, and free everything of a client the moment it goes (its
 * socket hung up: a crash frees its mailslots at once). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "md.h"

/* Requests read from one client per loop round: the others get a turn. */
#define REQUESTS_PER_ROUND 32
#define ACCEPTS_PER_ROUND 16

md_client *md_client_by_id(md *d, uint32_t id)
{
    for (size_t i = 0; i < d->nclients; i++)
        if (d->clients[i]->id == id)
            return d->clients[i];
    return NULL;
}

/* A reader that falls behind first fills its socket, then its mailslot's
 * queue here. With the kernel's default (212992 octets, ~330 DELIVERs of
 * 300 octets) a reader descheduled for a few milliseconds lost messages
 * at 100 k/s, with 4 MiB some still did on a loaded machine, with 16 MiB
 * none did (bench/daemon.sh; docs/PERFORMANCE.md). The clients share
 * MD_CLIENT_SNDBUF_ALL, so that 256 stopped readers cannot pin 4 GiB of
 * kernel memory. Forced past net.core.wmem_max when we may. */
static void set_sndbuf(int fd, int b)
{
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &b, sizeof b) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &b, sizeof b);
}

/* The share after the number of clients changed: to every client when it
 * moved, else to the new one (NULL: none). */
static void share_sndbuf(md *d, const md_client *fresh)
{
    size_t n = d->nclients ? d->nclients : 1;
    int b = (int)(MD_CLIENT_SNDBUF_ALL / n < MD_CLIENT_SNDBUF ? MD_CLIENT_SNDBUF_ALL / n
                                                               : MD_CLIENT_SNDBUF);
    if (b != d->sndbuf) {
        d->sndbuf = b;
        for (size_t i = 0; i < d->nclients; i++)
            set_sndbuf(d->clients[i]->fd, b);
    } else if (fresh) {
        set_sndbuf(fresh->fd, b);
    }
}

static void mark_dead(md_client *c)
{
    c->dead = true;
    c->d->any_dead = true;
}

/* Read requests while few answers wait; write when something waits. */
static void update_events(md_client *c)
{
    unsigned ev = c->q.replies < MD_PENDING_REPLIES ? MS_LOOP_IN : 0;
    if (c->q.n)
        ev |= MS_LOOP_OUT;
    ms_loop_set_events(c->w, ev);
}

/* Where the DROPPED value sits in an encoded packet (0: not there). */
static size_t dropped_offset(const uint8_t *p, size_t len)
{
    for (size_t at = MS_CTL_HEADER_LEN; at + 4 <= len;) {
        unsigned type = (unsigned)p[at] << 8 | p[at + 1];
        size_t vlen = (size_t)p[at + 2] << 8 | p[at + 3];
        if (type == MS_CTL_A_DROPPED && vlen == 8 && at + 12 <= len)
            return at + 4;
        at += 4 + vlen;
    }
    return 0;
}

ms_status md_client_put(md_client *c, md_qacct *acct, const ms_ctl_msg *m)
{
    md *d = c->d;
    if (c->dead)
        return MS_ERR_END;
    size_t len;
    ms_status st = ms_ctl_encode(m, d->pkt, sizeof d->pkt, &len);
    if (st != MS_OK)
        return st;
    size_t before = c->q.n;
    size_t at = acct && MS_CTL_HAS(m, MS_CTL_A_DROPPED) ? dropped_offset(d->pkt, len) : 0;
    st = md_outq_put(&c->q, c->fd, acct, d->pkt, len, at, &d->qb);
    if (st == MS_ERR_END)
        mark_dead(c);
    else if (c->q.n != before)
        update_events(c);
    return st;
}

static void close_client(md *d, size_t i)
{
    md_client *c = d->clients[i];
    md_outq_clear(&c->q, &d->qb);
    size_t freed = 0;
    for (const md_slot *s = md_slots_next(&d->slots, NULL), *next; s; s = next) {
        next = md_slots_next(&d->slots, s);
        if (s->owner == c) {
            md_slots_remove(&d->slots, (md_slot *)s);
            freed++;
            /* Removing changed the walk: start again (rare, and bounded). */
            next = md_slots_next(&d->slots, NULL);
        }
    }
    md_tokens_drop_client(&d->tokens, c->id);
    md_log("client pid %ld (uid %ld%s%s) detached; %zu mailslot%s freed", (long)c->peer.pid,
           (long)c->peer.uid, c->who[0] ? ", " : "", c->who, freed, freed == 1 ? "" : "s");
    ms_loop_remove(c->w);
    close(c->fd);
    free(c);
    d->clients[i] = d->clients[--d->nclients];
}

void md_clients_sweep(md *d)
{
    if (!d->any_dead)
        return;
    d->any_dead = false;
    for (size_t i = 0; i < d->nclients;) {
        if (d->clients[i]->dead)
            close_client(d, i);
        else
            i++;
    }
    share_sndbuf(d, NULL);
}

static void read_requests(md *d, md_client *c)
{
    for (int k = 0; k < REQUESTS_PER_ROUND && !c->dead && c->q.replies < MD_PENDING_REPLIES;
         k++) {
        ms_ctl_msg m;
        ms_status st = ms_ctl_recv(c->fd, d->req, sizeof d->req, &m);
        if (st == MS_ERR_AGAIN)
            return;
        if (st == MS_ERR_END || st == MS_ERR_SYSTEM) {
            mark_dead(c);
            return;
        }
        if (st == MS_ERR_VERSION) {
            /* It speaks another version: say which we speak, then part. */
            md_result(c, st, "mailslotd speaks control protocol version 1", NULL);
            d->n.bad_requests++;
            mark_dead(c);
            return;
        }
        if (st != MS_OK) {
            d->n.bad_requests++;
            md_result(c, st, "the request did not decode", NULL);
            continue;
        }
        md_request(d, c, &m);
    }
}

static void on_client(void *ctx, int fd, unsigned events)
{
    (void)fd;
    md_client *c = ctx;
    md *d = c->d;
    if (!c->dead && (events & MS_LOOP_OUT) &&
        md_outq_flush(&c->q, c->fd, &d->qb) == MS_ERR_END)
        mark_dead(c);
    if (!c->dead && (events & (MS_LOOP_IN | MS_LOOP_ERR)))
        read_requests(d, c);
    if (!c->dead)
        update_events(c);
    md_clients_sweep(d);
}

static void refuse_client(md *d, int fd, const ms_ctl_peer *peer)
{
    ms_ctl_msg m;
    ms_ctl_init(&m, MS_CTL_RESULT);
    static const char text[] = "mailslotd has as many clients as it allows";
    m.status = MS_ERR_TOO_MANY;
    m.text = (ms_bytes){ (const uint8_t *)text, sizeof text - 1 };
    m.have = MS_CTL_BIT(MS_CTL_A_STATUS) | MS_CTL_BIT(MS_CTL_A_TEXT);
    (void)ms_ctl_send(fd, &m, d->pkt, sizeof d->pkt);
    close(fd);
    d->n.clients_refused++;
    md_log("client pid %ld (uid %ld) refused: %d clients attached already", (long)peer->pid,
           (long)peer->uid, MD_MAX_CLIENTS);
}

static void on_accept(void *ctx, int lfd, unsigned events)
{
    (void)events;
    md *d = ctx;
    for (int k = 0; k < ACCEPTS_PER_ROUND; k++) {
        int fd;
        ms_ctl_peer peer;
        if (ms_ctl_accept(lfd, &fd, &peer) != MS_OK)
            return;
        md_client *c = d->nclients < MD_MAX_CLIENTS ? calloc(1, sizeof *c) : NULL;
        if (!c) {
            refuse_client(d, fd, &peer);
            continue;
        }
        c->d = d;
        c->fd = fd;
        c->peer = peer;
        c->id = ++d->next_id;
        c->replies.max = d->set.queue;
        if (ms_loop_add_fd(d->loop, fd, MS_LOOP_IN, on_client, c, &c->w) != MS_OK) {
            free(c);
            refuse_client(d, fd, &peer);
            continue;
        }
        d->clients[d->nclients++] = c;
        share_sndbuf(d, c);
        d->n.clients++;
        md_log("client pid %ld (uid %ld) attached", (long)peer.pid, (long)peer.uid);
    }
}

ms_status md_ctl_open(md *d, char *err, size_t errlen)
{
    ms_status st = ms_ctl_path(NULL, d->ctl_path, sizeof d->ctl_path);
    if (st != MS_OK) {
        snprintf(err, errlen, "%s/%s: path too long for a Unix socket", ms_ctl_dir(),
                 MS_CTL_SOCKET_NAME);
        return st;
    }
    /* Every local user may attach (mailslotd(8), "WHO MAY ATTACH"). */
    st = ms_ctl_listen(d->ctl_path, 0666, &d->lfd, err, errlen);
    if (st != MS_OK) {
        d->ctl_path[0] = '\0';
        return st;
    }
    if (ms_loop_add_fd(d->loop, d->lfd, MS_LOOP_IN, on_accept, d, &d->lwatch) != MS_OK) {
        snprintf(err, errlen, "out of memory");
        return MS_ERR_NO_MEMORY;
    }
    return MS_OK;
}

void md_ctl_close(md *d)
{
    for (size_t i = 0; i < d->nclients; i++)
        mark_dead(d->clients[i]);
    md_clients_sweep(d);
    ms_loop_remove(d->lwatch);
    d->lwatch = NULL;
    if (d->lfd >= 0)
        close(d->lfd);
    d->lfd = -1;
    if (d->ctl_path[0])
        unlink(d->ctl_path);
    d->ctl_path[0] = '\0';
}
