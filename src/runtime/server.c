/* SPDX-License-Identifier: MIT */
/* Mailslot server: one UDP socket, many mailslots, bounded queues.
 * Untrusted octets are only ever looked at through ms_message_decode. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mailslot/dedup.h"
#include "mailslot/local.h"
#include "mailslot/nbds_reasm.h"
#include "mailslot/net.h"
#include "mailslot/server.h"

#define RECV_BATCH 32 /* datagrams per recvmmsg */
#define PUMP_MAX 512  /* datagrams per ms_server_pump */
#define RECV_CAP 65536

typedef struct qmsg {
    struct qmsg *next;
    uint64_t seq, time_ns;
    uint32_t src_ip, dst_ip;
    uint16_t src_port;
    bool reassembled;
    bool local;          /* from the local socket: payload is the data */
    size_t data_len;
    size_t len;
    uint8_t payload[];
} qmsg;

struct ms_mailslot {
    ms_server *s;
    ms_mailslot *next;
    char name[MS_MAILSLOT_NAME_MAX + 1];
    bool any;
    uint32_t max_size, timeout;
    qmsg *head, *tail;
    size_t count, bytes;
    uint64_t queue_full, too_big;
    qmsg *last;          /* the message handed out by the last read */
    char last_name[MS_MAILSLOT_NAME_MAX + 1];
    ms_message last_m;
    ms_local_slot *local; /* \\.\mailslot\x: local socket (local.h) */
};

struct ms_server {
    int fd;
    uint16_t port;
    ms_server_opts o;
    ms_mailslot *slots;
    ms_dedup *dedup;
    void *reasm_mem;
    ms_nbds_reasm *reasm;
    uint8_t *bufs;
    uint8_t *reasm_out;
    ms_udp_dgram d[RECV_BATCH];
    ms_message m;        /* scratch decode */
    uint64_t seq;
    ms_server_stats st;
    ms_local_scope local_scope;   /* local.h: ms_server_set_local */
    ms_local_access local_access;
};

static const char prefix[] = "\\MAILSLOT\\";
#define PREFIX_LEN (sizeof prefix - 1)

void ms_server_opts_init(ms_server_opts *o)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->reuse = true;
}

ms_server *ms_server_open(const ms_server_opts *oin, char *err, size_t errlen)
{
    ms_server_opts o;
    if (oin)
        o = *oin;
    else
        ms_server_opts_init(&o);
    if (!o.port)
        o.port = MS_NBDS_PORT;
    if (!o.rcvbuf)
        o.rcvbuf = 1 << 20;
    if (!o.queue_max)
        o.queue_max = 256;
    if (!o.queue_max_bytes)
        o.queue_max_bytes = 1 << 20;
    if (!o.dedup_window_ms)
        o.dedup_window_ms = 2000;
    ms_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->fd = -1;
    s->o = o;
    ms_nbds_reasm_limits lim = { sizeof lim, 16, 64, 64 * 1024, 0 };
    size_t rsz = ms_nbds_reasm_size(&lim);
    s->bufs = malloc((size_t)RECV_BATCH * RECV_CAP);
    s->reasm_out = malloc(MS_NBDS_REASM_OUT_MAX);
    s->reasm_mem = malloc(rsz);
    if (o.dedup_window_ms > 0)
        s->dedup = ms_dedup_new(o.dedup_entries, (uint64_t)o.dedup_window_ms * 1000000ull);
    if (!s->bufs || !s->reasm_out || !s->reasm_mem || (o.dedup_window_ms > 0 && !s->dedup) ||
        ms_nbds_reasm_init(s->reasm_mem, rsz, &lim, NULL, NULL, &s->reasm, NULL, 0) != MS_OK) {
        snprintf(err, errlen, "out of memory");
        ms_server_close(s);
        return NULL;
    }
    for (size_t i = 0; i < RECV_BATCH; i++) {
        s->d[i].buf = s->bufs + i * RECV_CAP;
        s->d[i].cap = RECV_CAP;
    }
    if (o.no_socket) {
        s->fd = -1;
    } else if (o.fd >= 0) {
        s->fd = o.fd;
    } else {
        ms_udp_opts uo = { o.bind_ip, o.port, o.reuse, true, true, o.rcvbuf, true };
        s->fd = ms_udp_open(&uo, err, errlen);
        if (s->fd < 0) {
            int e = errno;
            ms_server_close(s);
            errno = e;
            return NULL;
        }
    }
    s->port = s->fd >= 0 ? ms_udp_local_port(s->fd) : o.port;
    return s;
}

static void free_queue(ms_mailslot *m)
{
    for (qmsg *q = m->head, *n; q; q = n) {
        n = q->next;
        free(q);
    }
    m->head = m->tail = NULL;
    free(m->last);
    m->last = NULL;
}

void ms_server_close(ms_server *s)
{
    if (!s)
        return;
    while (s->slots)
        ms_mailslot_close(s->slots);
    if (s->fd >= 0)
        close(s->fd);
    ms_dedup_free(s->dedup);
    free(s->bufs);
    free(s->reasm_out);
    free(s->reasm_mem);
    free(s);
}

int ms_server_fd(const ms_server *s)
{
    return s->fd;
}

uint16_t ms_server_port(const ms_server *s)
{
    return s->port;
}

const ms_server_stats *ms_server_get_stats(const ms_server *s)
{
    return &s->st;
}

static bool name_eq(const char *a, const uint8_t *b, size_t blen)
{
    return strlen(a) == blen && strncasecmp(a, (const char *)b, blen) == 0;
}

static ms_mailslot *find_slot(ms_server *s, const uint8_t *name, size_t len)
{
    ms_mailslot *any = NULL;
    for (ms_mailslot *m = s->slots; m; m = m->next) {
        if (m->any)
            any = m;
        else if (name_eq(m->name, name, len))
            return m;
    }
    return any;
}

/* A clean mailslot write: every layer up to the transaction decoded (a
 * browser/NETLOGON payload that does not decode is still a message), the
 * opcode is 1 (write), the name starts \MAILSLOT\ and the data is where
 * DataOffset says, DataCount octets long. */
static bool clean_write(const ms_message *m)
{
    if (!m->has_smb)
        return false;
    if (m->status != MS_OK && strcmp(m->err_layer, "browser") != 0 &&
        strcmp(m->err_layer, "netlogon") != 0)
        return false;
    const ms_trans *t = &m->trans;
    return t->setup_words >= 1 && t->setup[0] == 1 && t->data_located &&
           t->data.len == t->data_count && t->name.len > PREFIX_LEN &&
           strncasecmp((const char *)t->name.p, prefix, PREFIX_LEN) == 0;
}

/* frag_dropped counts fragments, whatever dropped them (timeout, eviction
 * by a newer set, overlap, ...): the reassembler's own per-reason counts,
 * so that fragments == fragments reassembled + dropped + held. */
static void frag_sync(ms_server *s)
{
    ms_nbds_reasm_stats rs = MS_SIZED(ms_nbds_reasm_stats);
    ms_nbds_reasm_get_stats(s->reasm, &rs);
    uint64_t d = 0;
    for (int i = 0; i < MS_NBDS_REASON__COUNT; i++)
        d += rs.frags_dropped[i];
    s->st.frag_dropped = d;
}

static int accept_payload(ms_server *s, const uint8_t *p, size_t len, const ms_udp_dgram *g,
                          bool reassembled, uint64_t now)
{
    ms_message *m = &s->m;
    ms_message_decode(p, len, m);
    if (!ms_dgram_has_data(m->dgram.type)) {
        if (m->status != MS_OK && !strcmp(m->err_layer, "nbdgm"))
            s->st.malformed++;
        else
            s->st.not_mailslot++;
        return 0;
    }
    if (m->status != MS_OK && !strcmp(m->err_layer, "nbdgm")) {
        s->st.malformed++;
        return 0;
    }
    if (!reassembled && ms_nbds_is_fragment(&m->dgram)) {
        s->st.fragments++;
        ms_nbds_reasm_out out = { s->reasm_out, MS_NBDS_REASM_OUT_MAX, 0, NULL, 0, 0 };
        ms_nbds_reasm_verdict v = ms_nbds_reasm_add(s->reasm, &m->dgram, now, 0, &out);
        frag_sync(s);
        if (v == MS_NBDS_REASM_COMPLETE) {
            s->st.reassembled++;
            return accept_payload(s, s->reasm_out, out.len, g, true, now);
        }
        return 0;
    }
    if (!clean_write(m)) {
        if (!m->has_smb && (m->smb_status == MS_ERR_NOT_SMB || m->smb_status == MS_ERR_SMB_COMMAND))
            s->st.not_mailslot++;
        else if (m->has_smb && m->trans.setup_words >= 1 && m->trans.setup[0] != 1)
            s->st.not_mailslot++;
        else
            s->st.malformed++;
        return 0;
    }
    const ms_trans *t = &m->trans;
    ms_mailslot *slot = find_slot(s, t->name.p, t->name.len);
    if (!slot) {
        s->st.no_mailslot++;
        return 0;
    }
    if (slot->max_size && t->data.len > slot->max_size) {
        s->st.too_big++;
        slot->too_big++;
        return 0;
    }
    if (s->dedup && ms_dedup_check(s->dedup, &m->dgram.src, m->dgram.id, t->name.p, t->name.len,
                                   t->data.p, t->data.len, now)) {
        s->st.duplicates++;
        return 0;
    }
    if (slot->count >= s->o.queue_max || slot->bytes + t->data.len > s->o.queue_max_bytes) {
        /* Drop-newest: what waits keeps its place (see server.h). */
        s->st.queue_full++;
        slot->queue_full++;
        return 0;
    }
    qmsg *q = malloc(sizeof *q + len);
    if (!q) {
        s->st.queue_full++;
        slot->queue_full++;
        return 0;
    }
    q->next = NULL;
    q->seq = ++s->seq;
    q->time_ns = g->time_ns ? g->time_ns : ms_realtime_ns();
    q->src_ip = g->src_ip;
    q->dst_ip = g->dst_ip;
    q->src_port = g->src_port;
    q->reassembled = reassembled;
    q->local = false;
    q->data_len = t->data.len;
    q->len = len;
    memcpy(q->payload, p, len);
    if (slot->tail)
        slot->tail->next = q;
    else
        slot->head = q;
    slot->tail = q;
    slot->count++;
    slot->bytes += t->data.len;
    s->st.queued++;
    return 1;
}

int ms_server_inject(ms_server *s, const uint8_t *payload, size_t len, uint32_t src_ip,
                     uint16_t src_port, uint32_t dst_ip)
{
    return ms_server_inject_at(s, payload, len, src_ip, src_port, dst_ip, 0);
}

int ms_server_inject_at(ms_server *s, const uint8_t *payload, size_t len, uint32_t src_ip,
                        uint16_t src_port, uint32_t dst_ip, uint64_t time_ns)
{
    ms_udp_dgram g = { NULL, 0, len, len, false, src_ip, dst_ip, src_port, 0, time_ns };
    s->st.datagrams++;
    uint64_t now = ms_monotonic_ns();
    if (ms_nbds_reasm_expire(s->reasm, now))
        frag_sync(s);
    return accept_payload(s, payload, len, &g, false, now);
}

static int pump_local(ms_server *s);

/* Read up to `rounds` batches from the socket (fewer when it runs dry)
 * and queue what passes. */
static int pump_rounds(ms_server *s, int rounds)
{
    int queued = pump_local(s);
    if (s->fd < 0)
        return queued;
    uint64_t now = ms_monotonic_ns();
    if (ms_nbds_reasm_expire(s->reasm, now))
        frag_sync(s);
    for (int round = 0; round < rounds; round++) {
        int n = ms_udp_recv_batch(s->fd, s->d, RECV_BATCH);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        now = ms_monotonic_ns();
        for (int i = 0; i < n; i++) {
            const ms_udp_dgram *g = &s->d[i];
            s->st.datagrams++;
            if (g->truncated) {
                s->st.truncated++;
                continue;
            }
            if (s->o.ifindex > 0 && g->ifindex && g->ifindex != s->o.ifindex) {
                s->st.other_iface++;
                continue;
            }
            queued += accept_payload(s, g->buf, g->len, g, false, now);
        }
        if (n < RECV_BATCH)
            break;
    }
    return queued;
}

int ms_server_pump(ms_server *s)
{
    /* Bounded: a flood cannot keep us here forever. */
    return pump_rounds(s, PUMP_MAX / RECV_BATCH);
}

/* ---- local mailslots (local.h) ---- */

void ms_server_set_local(ms_server *s, ms_local_scope scope, ms_local_access access)
{
    s->local_scope = scope;
    s->local_access = access;
}

int ms_mailslot_local_fd(const ms_mailslot *m)
{
    return m->local ? ms_local_slot_fd(m->local) : -1;
}

size_t ms_server_local_fds(const ms_server *s, int *fds, size_t cap)
{
    size_t n = 0;
    for (const ms_mailslot *m = s->slots; m; m = m->next) {
        if (!m->local)
            continue;
        if (n < cap)
            fds[n] = ms_local_slot_fd(m->local);
        n++;
    }
    return n;
}

/* Move waiting local messages into the queues, as far as the bounds allow:
 * what does not fit stays in the kernel (its writers wait) — nothing is
 * dropped but what is over the max size. */
static int pump_local(ms_server *s)
{
    int queued = 0;
    for (ms_mailslot *m = s->slots; m; m = m->next) {
        if (!m->local)
            continue;
        for (int round = 0; round < 256; round++) {
            long n = ms_local_slot_peek(m->local);
            if (n < 0)
                break;
            size_t len = (size_t)n;
            bool too_big = m->max_size && len > m->max_size;
            if (!too_big && (m->count >= s->o.queue_max ||
                             (m->bytes && m->bytes + len > s->o.queue_max_bytes)))
                break;
            qmsg *q = malloc(sizeof *q + (len ? len : 1));
            if (!q)
                break;
            size_t got = 0;
            int r = ms_local_slot_recv(m->local, q->payload, len ? len : 1, &got);
            if (r <= 0 || too_big) {
                free(q);
                if (r < 0)
                    break;
                if (too_big) {
                    s->st.too_big++;
                    m->too_big++;
                }
                continue;
            }
            memset(q, 0, sizeof *q);
            q->seq = ++s->seq;
            q->time_ns = ms_realtime_ns();
            q->local = true;
            q->data_len = q->len = got;
            if (m->tail)
                m->tail->next = q;
            else
                m->head = q;
            m->tail = q;
            m->count++;
            m->bytes += got;
            s->st.queued++;
            queued++;
        }
    }
    return queued;
}

/* poll() the UDP socket and every local socket; with more local sockets
 * than fit, wake up every 10 ms instead. */
static int poll_all(ms_server *s, int timeout_ms)
{
    struct pollfd pfd[65];
    int fds[64];
    nfds_t n = 0;
    if (s->fd >= 0)
        pfd[n++] = (struct pollfd){ s->fd, POLLIN, 0 };
    size_t nl = ms_server_local_fds(s, fds, 64);
    for (size_t i = 0; i < nl && i < 64; i++)
        pfd[n++] = (struct pollfd){ fds[i], POLLIN, 0 };
    if (nl > 64 && (timeout_ms < 0 || timeout_ms > 10))
        timeout_ms = 10;
    return poll(pfd, n, timeout_ms);
}

int ms_server_wait(ms_server *s, int timeout_ms)
{
    int r;
    do
        r = poll_all(s, timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    return ms_server_pump(s);
}

static bool local_wanted(const ms_server *s, const char *name)
{
    if (s->local_scope == MS_LOCAL_OFF)
        return false;
    return s->local_scope == MS_LOCAL_ALL || ms_mailslot_name_is_local(name);
}

ms_mailslot *ms_mailslot_create(ms_server *s, const char *name, uint32_t max_size,
                                uint32_t read_timeout_ms, ms_status *st)
{
    ms_status dummy;
    if (!st)
        st = &dummy;
    char norm[MS_MAILSLOT_NAME_MAX + 1];
    bool any = !strcmp(name, "*");
    if (any) {
        strcpy(norm, "*");
    } else {
        *st = ms_mailslot_name_normalize(name, norm, sizeof norm);
        if (*st != MS_OK)
            return NULL;
    }
    for (ms_mailslot *m = s->slots; m; m = m->next) {
        if (any ? m->any : (!m->any && !strcasecmp(m->name, norm))) {
            *st = MS_ERR_EXISTS;
            return NULL;
        }
    }
    ms_mailslot *m = calloc(1, sizeof *m);
    if (!m) {
        *st = MS_ERR_SYSTEM;
        return NULL;
    }
    if (!any && local_wanted(s, name)) {
        char lerr[300];
        m->local = ms_local_slot_open(norm, max_size, s->local_access, st, lerr, sizeof lerr);
        if (!m->local) {
            free(m);
            return NULL;
        }
    }
    m->s = s;
    strcpy(m->name, norm);
    m->any = any;
    m->max_size = max_size;
    m->timeout = read_timeout_ms;
    m->next = s->slots;
    s->slots = m;
    *st = MS_OK;
    return m;
}

void ms_mailslot_close(ms_mailslot *m)
{
    if (!m)
        return;
    for (ms_mailslot **pp = &m->s->slots; *pp; pp = &(*pp)->next) {
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    }
    ms_local_slot_close(m->local);
    free_queue(m);
    free(m);
}

/* A local message: no NBDS, no SMB (local.h). */
static void pop_local(ms_mailslot *m, const qmsg *q, ms_mailslot_msg *out)
{
    memset(out, 0, sizeof *out);
    out->data = q->payload;
    out->len = q->len;
    out->slot = m->name;
    out->time_ns = q->time_ns;
    out->payload = q->payload;
    out->payload_len = q->len;
    out->m = NULL;
}

static void pop(ms_mailslot *m, ms_mailslot_msg *out)
{
    qmsg *q = m->head;
    m->head = q->next;
    if (!m->head)
        m->tail = NULL;
    m->count--;
    m->bytes -= q->data_len;
    free(m->last);
    m->last = q;
    if (q->local) {
        pop_local(m, q, out);
        return;
    }
    ms_message *d = &m->last_m;
    ms_message_decode(q->payload, q->len, d);
    memset(out, 0, sizeof *out);
    out->data = d->trans.data.p;
    out->len = d->trans.data.len;
    size_t nl = d->trans.name.len < MS_MAILSLOT_NAME_MAX ? d->trans.name.len : MS_MAILSLOT_NAME_MAX;
    memcpy(m->last_name, d->trans.name.p, nl);
    m->last_name[nl] = 0;
    out->slot = m->last_name;
    out->type = d->dgram.type;
    out->dgm_id = d->dgram.id;
    out->src = d->dgram.src;
    out->dst = d->dgram.dst;
    out->nbds_src_ip = d->dgram.src_ip;
    out->nbds_src_port = d->dgram.src_port;
    out->src_ip = q->src_ip;
    out->src_port = q->src_port;
    out->dst_ip = q->dst_ip;
    out->time_ns = q->time_ns;
    out->reassembled = q->reassembled;
    out->payload = q->payload;
    out->payload_len = q->len;
    out->m = d;
}

/* Wait for the socket until deadline (monotonic ns; UINT64_MAX forever):
 * 1 woke up (data, signal or a slice of a long wait), 0 deadline passed,
 * -1 poll failed. */
static int wait_until(ms_server *s, uint64_t deadline)
{
    int ms = -1;
    if (deadline != UINT64_MAX) {
        uint64_t now = ms_monotonic_ns();
        if (now >= deadline)
            return 0;
        uint64_t left = (deadline - now + 999999) / 1000000;
        ms = left > 1000000 ? 1000000 : (int)left;
    }
    int r = poll_all(s, ms);
    if (r < 0 && errno != EINTR)
        return -1;
    return 1;
}

/* The mailslot whose head is the oldest queued message (only: that one,
 * if it holds any), or NULL. */
static ms_mailslot *oldest(ms_server *s, ms_mailslot *only)
{
    if (only)
        return only->head ? only : NULL;
    ms_mailslot *best = NULL;
    for (ms_mailslot *m = s->slots; m; m = m->next)
        if (m->head && (!best || m->head->seq < best->head->seq))
            best = m;
    return best;
}

static ms_status read_loop(ms_server *s, ms_mailslot *only, uint64_t deadline,
                           ms_mailslot **from, ms_mailslot_msg *out)
{
    for (;;) {
        /* What is queued came before anything still in the socket: the
         * socket is read only when nothing waits for this reader, one
         * batch at a time. Draining it on every call would move a backlog
         * out of the large kernel buffer into the bounded queue, where a
         * burst is dropped. */
        ms_mailslot *best = oldest(s, only);
        if (!best) {
            /* One batch: the rest waits in the kernel's buffer. */
            if (pump_rounds(s, 1) < 0)
                return MS_ERR_SYSTEM;
            best = oldest(s, only);
        }
        if (best) {
            if (from)
                *from = best;
            pop(best, out);
            return MS_OK;
        }
        int w = wait_until(s, deadline);
        if (w < 0)
            return MS_ERR_SYSTEM;
        if (w == 0)
            return MS_ERR_TIMEOUT;
    }
}

static uint64_t deadline_of(uint32_t timeout_ms)
{
    if (timeout_ms == MS_MAILSLOT_WAIT_FOREVER)
        return UINT64_MAX;
    return ms_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
}

ms_status ms_mailslot_read(ms_mailslot *m, ms_mailslot_msg *out)
{
    return read_loop(m->s, m, deadline_of(m->timeout), NULL, out);
}

ms_status ms_server_read_any(ms_server *s, int timeout_ms, ms_mailslot **from,
                             ms_mailslot_msg *out)
{
    return read_loop(s, NULL, deadline_of(timeout_ms < 0 ? MS_MAILSLOT_WAIT_FOREVER
                                                         : (uint32_t)timeout_ms),
                     from, out);
}

ms_status ms_mailslot_get_info(ms_mailslot *m, ms_mailslot_info *out)
{
    ms_status st = ms_server_pump(m->s) < 0 ? MS_ERR_SYSTEM : MS_OK;
    out->max_size = m->max_size;
    out->next_size = m->head ? (uint32_t)m->head->data_len : MS_MAILSLOT_NO_MESSAGE;
    out->count = (uint32_t)m->count;
    out->read_timeout_ms = m->timeout;
    out->queue_full = m->queue_full;
    out->too_big = m->too_big;
    return st;
}

void ms_mailslot_set_timeout(ms_mailslot *m, uint32_t read_timeout_ms)
{
    m->timeout = read_timeout_ms;
}

const char *ms_mailslot_name(const ms_mailslot *m)
{
    return m->name;
}
