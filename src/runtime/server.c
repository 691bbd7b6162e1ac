/* SPDX-License-Identifier: MIT */
/* Mailslot server: datagrams in (socket, libpcap, injected) through the
 * receive pipeline, bounded queues per mailslot, reads that run the loop.
 * Untrusted octets are only ever looked at through the pipeline's decode. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mailslot/net.h"
#include "mailslot/pipeline.h"
#include "mailslot/server.h"
#include "server_int.h"
#include "sized.h"

void ms_server_opts_init(ms_server_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->fd = -1;
    o->reuse = true;
}

/* ---- the pipeline's items: count, route, queue ---- */

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

static void append(ms_mailslot *slot, qmsg *q)
{
    q->next = NULL;
    if (slot->tail)
        slot->tail->next = q;
    else
        slot->head = q;
    slot->tail = q;
    slot->count++;
    slot->bytes += q->data_len;
}

/* Where a node's decode sits: after the header and the octets, aligned. */
static size_t decode_offset(size_t len)
{
    return (sizeof(qmsg) + len + 15) & ~(size_t)15;
}

/* A node for len payload octets: from the pool when it is a small one. */
static qmsg *node_new(ms_server *s, size_t len)
{
    if (len <= NODE_SMALL && s->pool) {
        qmsg *q = s->pool;
        s->pool = q->next;
        s->npool--;
        return q;
    }
    size_t cap = len <= NODE_SMALL ? NODE_SMALL : len;
    return malloc(decode_offset(cap) + sizeof(ms_message));
}

static void node_free(ms_server *s, qmsg *q)
{
    if (!q)
        return;
    if (q->cap == NODE_SMALL && s->npool < POOL_MAX) {
        q->next = s->pool;
        s->pool = q;
        s->npool++;
        return;
    }
    free(q);
}

/* A copy of the item's octets and its decode (ms_message_copy), not a
 * second decode. */
static qmsg *keep(ms_server *s, const ms_rx_item *it)
{
    size_t len = it->d->len;
    qmsg *q = node_new(s, len);
    if (!q)
        return NULL;
    size_t cap = len <= NODE_SMALL ? NODE_SMALL : len;
    ms_message *m = (ms_message *)((char *)q + decode_offset(cap));
    memset(q, 0, sizeof *q);
    q->cap = cap;
    memcpy(q->payload, it->d->payload, len);
    ms_message_copy(m, it->m, it->d->payload, len, q->payload);
    q->m = m;
    q->len = len;
    q->seq = ++s->seq;
    uint64_t t = (uint64_t)it->d->ts_sec * 1000000000u + it->d->ts_nsec;
    q->time_ns = t ? t : ms_realtime_ns();
    q->src_ip = it->d->ip_src;
    q->dst_ip = it->d->ip_dst;
    q->src_port = it->d->sport;
    q->dst_port = it->d->dport;
    q->reassembled = it->kind == MS_RX_REASSEMBLED;
    q->daemon = s->hint != NULL;
    q->via = s->hint_via;
    q->authenticated = it->authenticated;
    if (it->authenticated) {
        q->auth_key_id = it->trailer.key_id;
        q->auth_time_ms = it->trailer.time_ms;
    }
    q->data_len = m->trans.data.len;
    return q;
}

/* Where a write goes: the mailslot it names, else the catch-all. A
 * DELIVER from mailslotd names the mailslot itself: a creator's must be
 * the one the write names; a monitor's copy goes where a write read from a
 * socket would (so a copy of what one of our own mailslots also gets is a
 * duplicate, and dropped as one). */
static ms_mailslot *route_to(ms_server *s, const ms_trans *t)
{
    if (!s->hint || s->hint->any)
        return find_slot(s, t->name.p, t->name.len);
    if (name_eq(s->hint->name, t->name.p, t->name.len))
        return s->hint;
    dlink_refuse(s->link);
    return NULL;
}

static void route(ms_server *s, const ms_rx_item *it)
{
    const ms_trans *t = &it->m->trans;
    ms_mailslot *slot = route_to(s, t);
    if (!slot) {
        s->st.no_mailslot++;
        return;
    }
    if (slot->max_size && t->data.len > slot->max_size) {
        s->st.too_big++;
        slot->too_big++;
        return;
    }
    qmsg *q = NULL;
    if (slot->count >= s->o.queue_max || slot->bytes + t->data.len > s->o.queue_max_bytes ||
        !(q = keep(s, it))) {
        /* Drop-newest: what waits keeps its place (see server.h). */
        s->st.queue_full++;
        slot->queue_full++;
        return;
    }
    append(slot, q);
    s->st.queued++;
    s->queued++;
}

static void on_item(void *ctx, const ms_rx_item *it)
{
    ms_server *s = ctx;
    if (it->kind == MS_RX_REASSEMBLED)
        s->st.reassembled++;
    switch (it->verdict) {
    case MS_RX_WRITE: route(s, it); break;
    case MS_RX_FRAGMENT: s->st.fragments++; break;
    case MS_RX_NOT_MAILSLOT: s->st.not_mailslot++; break;
    case MS_RX_MALFORMED: s->st.malformed++; break;
    case MS_RX_TRUNCATED: s->st.truncated++; break;
    case MS_RX_DUPLICATE: s->st.duplicates++; break;
    case MS_RX_AUTH_FAILED: s->st.auth_failed++; break;
    case MS_RX_VERDICT__COUNT: break;
    }
}

/* ---- receiving ---- */

void server_push(ms_server *s, const ms_udp_datagram *d)
{
    s->st.datagrams++;
    ms_pipeline_push(s->pipe, d, ms_monotonic_ns());
}

/* One batch from the socket; -1 on a socket error, else how many. */
static int pump_batch(ms_server *s)
{
    /* The batch follows the traffic (4 to RECV_BATCH): setting up 32
     * message headers for the one datagram a quiet socket holds costs more
     * than reading it. */
    size_t want = s->batch, n = 0;
    if (ms_udp_recv_batch(s->fd, s->d, want, &n) != MS_OK)
        return -1;
    s->last_full = n == want;
    if (s->last_full && s->batch < RECV_BATCH)
        s->batch *= 2;
    else if (n < want / 2 && s->batch > 4)
        s->batch /= 2;
    for (size_t i = 0; i < n; i++) {
        const ms_udp_dgram *g = &s->d[i];
        if (s->o.ifindex > 0 && g->ifindex && g->ifindex != s->o.ifindex) {
            s->st.datagrams++;
            s->st.other_iface++;
            continue;
        }
        ms_udp_datagram d = { .ip_src = g->src_ip, .ip_dst = g->dst_ip,
                              .sport = g->src_port, .dport = s->port, .payload = g->buf,
                              .len = g->len, .orig_len = g->orig_len,
                              .truncated = g->truncated };
        d.ts_sec = (int64_t)(g->time_ns / 1000000000u);
        d.ts_nsec = (uint32_t)(g->time_ns % 1000000000u);
        server_push(s, &d);
    }
    return (int)n;
}

/* What libpcap holds: -1 on an error. */
static int pump_pcap(ms_server *s)
{
    ms_udp_datagram d;
    ms_status st = MS_OK;
    int n = 0;
    while (n < PUMP_MAX && (st = ms_capture_next(s->pcap, &d)) == MS_OK) {
        server_push(s, &d);
        n++;
    }
    return st == MS_OK || st == MS_ERR_AGAIN ? n : -1;
}

static void on_socket(void *ctx, int fd, unsigned ev)
{
    (void)fd;
    (void)ev;
    ms_server *s = ctx;
    if (pump_batch(s) < 0)
        s->io_error = true;
}

static void on_pcap(void *ctx, int fd, unsigned ev)
{
    (void)fd;
    (void)ev;
    ms_server *s = ctx;
    if (pump_pcap(s) < 0)
        s->io_error = true;
}

static void on_pcap_timer(void *ctx)
{
    on_pcap(ctx, -1, 0);
}

static void on_expire(void *ctx)
{
    ms_server *s = ctx;
    ms_pipeline_expire(s->pipe, ms_monotonic_ns());
}

/* ---- opening ---- */

static ms_status open_pipeline(ms_server *s, char *err, size_t errlen)
{
    ms_pipeline_opts po;
    ms_pipeline_opts_init(&po);
    po.reasm_sets = 16;
    po.reasm_frags = 64;
    po.reasm_bytes = 64 * 1024;
    po.dedup_window_ms = s->o.dedup_window_ms > 0 ? s->o.dedup_window_ms : 0;
    po.dedup_entries = s->o.dedup_entries;
    po.keys = s->o.keys;
    po.auth_window_ms = s->o.auth_window_ms;
    po.auth_cache = s->o.auth_cache;
    s->o.keys = NULL;
    return ms_pipeline_new(&po, on_item, s, &s->pipe, err, errlen);
}

static ms_status open_input(ms_server *s, char *err, size_t errlen)
{
    const ms_server_opts *o = &s->o;
    if (o->pcap_iface) {
        ms_capture_live_opts lo;
        ms_capture_live_opts_init(&lo);
        lo.promisc = false;
        lo.nonblock = true;
        lo.dport = o->port;
        ms_status st = ms_capture_open_live(o->pcap_iface, &lo, &s->pcap, err, errlen);
        if (st != MS_OK)
            return st;
        s->port = o->port;
        if (ms_loop_add_fd(s->loop, ms_capture_fd(s->pcap), MS_LOOP_IN, on_pcap, s,
                           &s->w_pcap) != MS_OK ||
            ms_loop_add_timer(s->loop, PCAP_POLL_MS, PCAP_POLL_MS, on_pcap_timer, s,
                              &s->w_pcap_timer) != MS_OK)
            return MS_ERR_NO_MEMORY;
        return MS_OK;
    }
    if (o->no_socket || s->link) { /* mailslotd's socket, not ours */
        s->port = o->port;
        return MS_OK;
    }
    if (o->fd >= 0) {
        s->fd = o->fd;
    } else {
        ms_udp_opts uo;
        ms_udp_opts_init(&uo);
        uo.addr = o->bind_ip;
        uo.port = o->port;
        uo.reuse = o->reuse;
        uo.broadcast = true;
        uo.pktinfo = true;
        uo.rcvbuf = o->rcvbuf;
        uo.nonblock = true;
        ms_status st = ms_udp_open(&uo, &s->fd, err, errlen);
        if (st != MS_OK)
            return st;
    }
    uint32_t addr;
    ms_udp_local(s->fd, &addr, &s->port);
    return ms_loop_add_fd(s->loop, s->fd, MS_LOOP_IN, on_socket, s, &s->w_sock);
}

ms_status ms_server_open(const ms_server_opts *oin, ms_server **out, char *err, size_t errlen)
{
    *out = NULL;
    if (oin && oin->size < sizeof oin->size)
        return MS_ERR_INVALID_ARG;
    ms_server *s = calloc(1, sizeof *s);
    if (!s)
        return MS_ERR_NO_MEMORY;
    s->fd = -1;
    s->batch = 4;
    ms_server_opts_init(&s->o);
    ms_sized_read(&s->o, sizeof s->o, oin);
    ms_server_opts *o = &s->o;
    if (!o->port)
        o->port = MS_NBDS_PORT;
    if (!o->rcvbuf)
        o->rcvbuf = 1 << 20;
    if (!o->queue_max)
        o->queue_max = 256;
    if (!o->queue_max_bytes)
        o->queue_max_bytes = 1 << 20;
    if (!o->dedup_window_ms)
        o->dedup_window_ms = 2000;
    s->st.size = sizeof s->st;
    ms_status st = MS_OK;
    if (o->loop) {
        s->loop = o->loop;
    } else {
        st = ms_loop_new(&s->loop);
        s->own_loop = st == MS_OK;
    }
    if (st == MS_OK)
        st = open_pipeline(s, err, errlen);
    if (st == MS_OK && !(s->bufs = malloc((size_t)RECV_BATCH * RECV_CAP)))
        st = MS_ERR_NO_MEMORY;
    if (st == MS_OK)
        st = ms_loop_add_timer(s->loop, EXPIRE_MS, EXPIRE_MS, on_expire, s, &s->w_expire);
    for (size_t i = 0; st == MS_OK && i < RECV_BATCH; i++) {
        s->d[i].buf = s->bufs + i * RECV_CAP;
        s->d[i].cap = RECV_CAP;
    }
    if (st == MS_OK && !o->pcap_iface)
        st = server_daemon_open(s, err, errlen);
    if (st == MS_OK)
        st = open_input(s, err, errlen);
    if (st != MS_OK) {
        int e = errno;
        if (st == MS_ERR_NO_MEMORY && err && errlen)
            snprintf(err, errlen, "out of memory");
        if (o->fd >= 0 && s->fd == o->fd)
            s->fd = -1; /* not taken over after all */
        ms_server_close(s);
        errno = e;
        return st;
    }
    *out = s;
    return MS_OK;
}

static void free_queue(ms_mailslot *m)
{
    for (qmsg *q = m->head, *n; q; q = n) {
        n = q->next;
        node_free(m->s, q);
    }
    m->head = m->tail = NULL;
    node_free(m->s, m->last);
    m->last = NULL;
}

void ms_server_close(ms_server *s)
{
    if (!s)
        return;
    s->closing = true;
    while (s->slots)
        ms_mailslot_close(s->slots);
    server_daemon_close(s);
    ms_loop_remove(s->w_sock);
    ms_loop_remove(s->w_pcap);
    ms_loop_remove(s->w_pcap_timer);
    ms_loop_remove(s->w_expire);
    if (s->fd >= 0)
        close(s->fd);
    ms_capture_close(s->pcap);
    ms_pipeline_free(s->pipe);
    for (qmsg *q = s->pool, *n; q; q = n) {
        n = q->next;
        free(q);
    }
    if (s->own_loop)
        ms_loop_free(s->loop);
    free(s->bufs);
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

ms_loop *ms_server_loop(const ms_server *s)
{
    return s->loop;
}

ms_status ms_server_get_stats(const ms_server *s, ms_server_stats *out)
{
    if (!out || out->size < sizeof out->size)
        return MS_ERR_INVALID_ARG;
    ms_pipeline_stats ps = MS_SIZED(ms_pipeline_stats);
    ms_pipeline_get_stats(s->pipe, &ps);
    ms_server_stats st = s->st;
    st.frag_dropped = ps.frag_dropped;
    ms_sized_write(out, &st, sizeof st);
    return MS_OK;
}

ms_status ms_server_get_auth_stats(const ms_server *s, ms_auth_stats *out)
{
    if (!out || out->size < sizeof out->size)
        return MS_ERR_INVALID_ARG;
    ms_pipeline_stats ps = MS_SIZED(ms_pipeline_stats);
    ms_pipeline_get_stats(s->pipe, &ps);
    ms_auth_stats a = MS_SIZED(ms_auth_stats);
    memcpy(a.counts, ps.auth, sizeof a.counts);
    ms_sized_write(out, &a, sizeof a);
    return MS_OK;
}

ms_status ms_server_inject(ms_server *s, const ms_udp_datagram *d, bool *queued)
{
    size_t before = s->queued;
    server_push(s, d);
    if (queued)
        *queued = s->queued != before;
    return MS_OK;
}

static size_t pump_local(ms_server *s, ms_mailslot *only);

/* Up to `rounds` batches from the socket (fewer when it runs dry), what
 * libpcap holds, and the local sockets. */
static ms_status pump_rounds(ms_server *s, int rounds, size_t *queued)
{
    size_t before = s->queued;
    s->queued += pump_local(s, NULL);
    server_daemon_pump(s);
    ms_status st = MS_OK;
    for (int round = 0; s->fd >= 0 && round < rounds; round++) {
        if (pump_batch(s) < 0) {
            st = MS_ERR_SYSTEM;
            break;
        }
        if (!s->last_full)
            break;
    }
    if (st == MS_OK && s->pcap && pump_pcap(s) < 0)
        st = MS_ERR_SYSTEM;
    if (queued)
        *queued = s->queued - before;
    return st;
}

ms_status ms_server_pump(ms_server *s, size_t *queued)
{
    /* Bounded: a flood cannot keep us here forever. */
    return pump_rounds(s, PUMP_MAX / RECV_BATCH, queued);
}

ms_status ms_server_wait(ms_server *s, int timeout_ms)
{
    s->io_error = false;
    ms_status st = ms_loop_run_once(s->loop, timeout_ms);
    if (st == MS_OK && s->io_error)
        st = MS_ERR_SYSTEM;
    return st;
}

/* ---- local mailslots (local.h) ---- */

void ms_server_set_local(ms_server *s, ms_local_scope scope, ms_local_access access)
{
    s->o.local_scope = scope;
    s->o.local_access = access;
}

int ms_mailslot_local_fd(const ms_mailslot *m)
{
    return m->local ? ms_local_slot_fd(m->local) : -1;
}

/* One message from a local socket into m's queue: 1 queued, 0 none waits
 * or no room (what does not fit stays in the kernel: its writers wait),
 * -1 a message over the max size was dropped. */
static int take_local(ms_server *s, ms_mailslot *m)
{
    size_t len;
    if (ms_local_slot_peek(m->local, &len) != MS_OK)
        return 0;
    bool too_big = m->max_size && len > m->max_size;
    if (!too_big && (m->count >= s->o.queue_max ||
                     (m->bytes && m->bytes + len > s->o.queue_max_bytes)))
        return 0;
    qmsg *q = malloc(sizeof *q + (len ? len : 1));
    if (!q)
        return 0;
    size_t got = 0;
    ms_status r = ms_local_slot_recv(m->local, q->payload, len ? len : 1, &got);
    if (r != MS_OK || too_big) {
        free(q);
        if (r != MS_OK)
            return 0;
        s->st.too_big++;
        m->too_big++;
        return -1;
    }
    memset(q, 0, sizeof *q);
    q->seq = ++s->seq;
    q->time_ns = ms_realtime_ns();
    q->local = true;
    q->data_len = q->len = got;
    append(m, q);
    s->st.queued++;
    return 1;
}

/* Move waiting local messages into the queues, as far as the bounds
 * allow; nothing is dropped but what is over the max size. */
static size_t pump_local(ms_server *s, ms_mailslot *only)
{
    size_t queued = 0;
    for (ms_mailslot *m = only ? only : s->slots; m; m = only ? NULL : m->next) {
        for (int round = 0; m->local && round < 256; round++) {
            int r = take_local(s, m);
            if (r == 0)
                break;
            queued += r > 0;
        }
    }
    return queued;
}

static void on_local(void *ctx, int fd, unsigned ev)
{
    (void)fd;
    (void)ev;
    ms_mailslot *m = ctx;
    m->s->queued += pump_local(m->s, m);
}

static bool local_wanted(const ms_server *s, const char *name)
{
    if (s->o.local_scope == MS_LOCAL_OFF)
        return false;
    return s->o.local_scope == MS_LOCAL_ALL || ms_mailslot_name_is_local(name);
}

ms_status ms_mailslot_create(ms_server *s, const char *name, uint32_t max_size,
                             uint32_t read_timeout_ms, ms_mailslot **out)
{
    *out = NULL;
    char norm[MS_MAILSLOT_NAME_MAX + 1];
    bool any = !strcmp(name, "*");
    if (any) {
        strcpy(norm, "*");
    } else {
        ms_status st = ms_mailslot_name_normalize(name, norm, sizeof norm);
        if (st != MS_OK)
            return st == MS_ERR_NO_SPACE ? MS_ERR_INVALID_ARG : st;
    }
    for (ms_mailslot *m = s->slots; m; m = m->next)
        if (any ? m->any : (!m->any && !strcasecmp(m->name, norm)))
            return MS_ERR_EXISTS;
    ms_mailslot *m = calloc(1, sizeof *m);
    if (!m)
        return MS_ERR_NO_MEMORY;
    if (!any && local_wanted(s, name)) {
        char lerr[300];
        ms_status st = ms_local_slot_open(norm, max_size, s->o.local_access, &m->local, lerr,
                                          sizeof lerr);
        if (st == MS_OK)
            st = ms_loop_add_fd(s->loop, ms_local_slot_fd(m->local), MS_LOOP_IN, on_local, m,
                                &m->w_local);
        if (st != MS_OK) {
            ms_local_slot_close(m->local);
            free(m);
            return st;
        }
    }
    m->s = s;
    strcpy(m->name, norm);
    m->any = any;
    m->max_size = max_size;
    m->timeout = read_timeout_ms;
    m->next = s->slots;
    s->slots = m;
    ms_status st = server_daemon_create(s, m);
    if (st != MS_OK) {
        m->reg = REG_NONE; /* nothing to unregister */
        ms_mailslot_close(m);
        return st;
    }
    *out = m;
    return MS_OK;
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
    server_daemon_delete(m->s, m);
    ms_loop_remove(m->w_local);
    ms_local_slot_close(m->local);
    free_queue(m);
    free(m);
}

/* ---- reading ---- */

static void pop_local(ms_mailslot *m, const qmsg *q, ms_mailslot_msg *out)
{
    memset(out, 0, sizeof *out);
    out->data = q->payload;
    out->len = q->len;
    out->slot = m->name;
    out->time_ns = q->time_ns;
    out->payload = q->payload;
    out->payload_len = q->len;
}

static void pop(ms_mailslot *m, ms_mailslot_msg *out)
{
    qmsg *q = m->head;
    m->head = q->next;
    if (!m->head)
        m->tail = NULL;
    m->count--;
    m->bytes -= q->data_len;
    node_free(m->s, m->last);
    m->last = q;
    if (q->local) {
        pop_local(m, q, out);
        return;
    }
    const ms_message *d = q->m;
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
    out->dst_port = q->dst_port;
    out->time_ns = q->time_ns;
    out->reassembled = q->reassembled;
    out->authenticated = q->authenticated;
    out->auth_key_id = q->auth_key_id;
    out->auth_time_ms = q->auth_time_ms;
    out->payload = q->payload;
    out->payload_len = q->len;
    out->m = d;
    out->via_daemon = q->daemon;
    out->daemon_via = q->via;
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

/* Milliseconds to the deadline (monotonic ns; UINT64_MAX forever): -1 for
 * no limit, 0 when it passed. */
static int ms_left(uint64_t deadline)
{
    if (deadline == UINT64_MAX)
        return -1;
    uint64_t now = ms_monotonic_ns();
    if (now >= deadline)
        return 0;
    uint64_t left = (deadline - now + 999999) / 1000000;
    return left > 1000000 ? 1000000 : (int)left;
}

/* Everything that is ready now, without waiting: one round of the loop
 * (the socket, libpcap, local mailslots and whatever else the caller put
 * on it); from inside one of the loop's own callbacks, where rounds do not
 * nest, the server's own sources directly. */
static ms_status serve_now(ms_server *s)
{
    ms_status st = ms_server_wait(s, 0);
    if (st == MS_ERR_INVALID_ARG)
        st = pump_rounds(s, 1, NULL);
    return st;
}

static ms_status read_loop(ms_server *s, ms_mailslot *only, uint64_t deadline,
                           ms_mailslot **from, ms_mailslot_msg *out)
{
    for (;;) {
        /* What is queued came before anything still in the socket: the
         * socket is read only when nothing waits for this reader, one
         * batch at a time, so a backlog stays in the kernel's large
         * buffer instead of overflowing the bounded queue. */
        ms_mailslot *best = oldest(s, only);
        if (best) {
            if (from)
                *from = best;
            pop(best, out);
            return MS_OK;
        }
        int left = ms_left(deadline);
        ms_status st = left == 0 ? serve_now(s) : ms_server_wait(s, left);
        if (st != MS_OK)
            return st;
        if (left == 0 && !oldest(s, only))
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
    if (!out || out->size < sizeof out->size)
        return MS_ERR_INVALID_ARG;
    ms_status st = serve_now(m->s);
    ms_mailslot_info i = { .size = sizeof i,
                           .max_size = m->max_size,
                           .next_size = m->head ? (uint32_t)m->head->data_len
                                                : MS_MAILSLOT_NO_MESSAGE,
                           .count = (uint32_t)m->count,
                           .read_timeout_ms = m->timeout,
                           .queue_full = m->queue_full,
                           .too_big = m->too_big,
                           .daemon_dropped = m->daemon_dropped };
    ms_sized_write(out, &i, sizeof i);
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
