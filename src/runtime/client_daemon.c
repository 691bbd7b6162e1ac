/* SPDX-License-Identifier: MIT */
/* A client through mailslotd (client_daemon.h). The daemon sends from its
 * port 138 with the host's name; replies to a request reach the program
 * that created the mailslot they name, so a client that wants NETLOGON
 * replies creates the request's reply mailslot first, as Windows' clients
 * do with \MAILSLOT\NET\GETDCxxx, and one that asks the browser for its
 * backup list tells the daemon the request's Token. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "client_daemon.h"
#include "dlink.h"
#include "errf.h"
#include "mailslot/browser.h"
#include "mailslot/message.h"
#include "mailslot/netlogon.h"

#define REPLIES_MAX 64   /* replies held between two reads */
#define GETDC_TRIES 8    /* fresh reply mailslot names tried */

typedef struct reply {
    uint8_t *buf;
    size_t len;
    uint32_t src_ip, dst_ip;
    uint16_t src_port;
    int ifindex;
    uint64_t time_ns;
} reply;

struct cdaemon {
    dlink *l;
    bool replies;            /* the caller reads replies (not send_only) */
    char src_name[64];       /* SRC_NAME: the --from asked for, or "" */
    char reply_slot[MS_MAILSLOT_NAME_MAX + 1];
    bool token_next;         /* the next SEND carries TOKEN */
    uint32_t token;
    reply q[REPLIES_MAX];
    size_t qhead, qlen;
    uint64_t lost;           /* replies dropped: the caller did not read */
    uint8_t data[65536];     /* a request rewritten */
};

/* ---- replies ---- */

static void on_deliver(void *ctx, const ms_ctl_msg *m)
{
    cdaemon *d = ctx;
    if (!MS_CTL_HAS(m, MS_CTL_A_DATAGRAM)) {
        dlink_refuse(d->l);
        return;
    }
    if (d->qlen == REPLIES_MAX) {
        d->lost++;
        return;
    }
    reply *r = &d->q[(d->qhead + d->qlen) % REPLIES_MAX];
    if (!(r->buf = malloc(m->datagram.len ? m->datagram.len : 1))) {
        d->lost++;
        return;
    }
    memcpy(r->buf, m->datagram.p, m->datagram.len);
    r->len = m->datagram.len;
    r->src_ip = m->src_ip;
    r->dst_ip = m->dst_ip;
    r->src_port = m->src_port;
    r->ifindex = (int)m->ifindex;
    r->time_ns = m->time_ns;
    d->qlen++;
}

ms_status cdaemon_recv(cdaemon *d, ms_udp_dgram *out, size_t n, size_t *got)
{
    *got = 0;
    if (dlink_fd(d->l) >= 0)
        dlink_pump(d->l, 64);
    while (*got < n && d->qlen) {
        reply *r = &d->q[d->qhead];
        ms_udp_dgram *o = &out[(*got)++];
        size_t len = r->len < o->cap ? r->len : o->cap;
        memcpy(o->buf, r->buf, len);
        o->len = len;
        o->orig_len = r->len;
        o->truncated = len < r->len;
        o->src_ip = r->src_ip;
        o->dst_ip = r->dst_ip;
        o->src_port = r->src_port;
        o->ifindex = r->ifindex;
        o->time_ns = r->time_ns;
        free(r->buf);
        d->qhead = (d->qhead + 1) % REPLIES_MAX;
        d->qlen--;
    }
    return MS_OK;
}

/* ---- attaching ---- */

static bool absent(ms_status st, int e)
{
    return st == MS_ERR_NOT_FOUND ||
           (st == MS_ERR_SYSTEM && (e == EACCES || e == EPERM || e == ENOTDIR));
}

ms_status cdaemon_open(const ms_client_opts *o, cdaemon **out, char *err, size_t errlen)
{
    *out = NULL;
    if (o->daemon == MS_DAEMON_NEVER)
        return MS_OK;
    const char *why = o->no_socket                       ? "building datagrams only"
                      : o->sport != MS_CLIENT_SPORT_DEFAULT ? "a chosen source port"
                                                            : NULL;
    if (why) {
        if (o->daemon != MS_DAEMON_REQUIRE)
            return MS_OK;
        ms_errf(err, errlen, "mailslotd does not go with %s", why);
        return MS_ERR_INVALID_ARG;
    }
    cdaemon *d = calloc(1, sizeof *d);
    if (!d) {
        ms_errf(err, errlen, "out of memory");
        return MS_ERR_NO_MEMORY;
    }
    d->replies = !o->send_only;
    if (o->from)
        snprintf(d->src_name, sizeof d->src_name, strchr(o->from, '<') ? "%s" : "%s<00>",
                 o->from);
    dlink_opts lo = { o->daemon_dir, NULL, NULL, o->daemon_timeout_ms };
    dlink_hooks h = { on_deliver, NULL, NULL, d };
    ms_status st = dlink_open(&lo, &h, &d->l, err, errlen);
    int e = errno;
    if (st != MS_OK) {
        free(d);
        if (o->daemon == MS_DAEMON_AUTO && absent(st, e)) {
            if (err && errlen)
                err[0] = 0;
            return MS_OK;
        }
        errno = e;
        return st;
    }
    *out = d;
    return MS_OK;
}

void cdaemon_close(cdaemon *d)
{
    if (!d)
        return;
    dlink_close(d->l);
    while (d->qlen) {
        free(d->q[d->qhead].buf);
        d->qhead = (d->qhead + 1) % REPLIES_MAX;
        d->qlen--;
    }
    free(d);
}

int cdaemon_fd(const cdaemon *d)
{
    return dlink_fd(d->l);
}

const char *cdaemon_path(const cdaemon *d)
{
    return dlink_path(d->l);
}

const char *cdaemon_reply_slot(const cdaemon *d)
{
    return d->reply_slot;
}

/* ---- reply mailslots ---- */

static ms_status create_slot(cdaemon *d, const char *name, char *err, size_t errlen)
{
    ms_ctl_msg req;
    ms_ctl_init(&req, MS_CTL_CREATE);
    req.slot = (ms_bytes){ (const uint8_t *)name, strlen(name) };
    req.mode = MS_CTL_MODE_CREATOR;
    req.queue_max = REPLIES_MAX;
    req.have = MS_CTL_BIT(MS_CTL_A_VERSION) | MS_CTL_BIT(MS_CTL_A_SLOT) |
               MS_CTL_BIT(MS_CTL_A_MODE) | MS_CTL_BIT(MS_CTL_A_QUEUE_MAX);
    return dlink_call(d->l, &req, NULL, err, errlen);
}

/* Ours: the request's own name when nobody holds it, else a fresh one. */
static ms_status make_reply_slot(cdaemon *d, const ms_str *asked, char *err, size_t errlen)
{
    char text[MS_MAILSLOT_NAME_MAX + 1], norm[MS_MAILSLOT_NAME_MAX + 1];
    snprintf(text, sizeof text, "%.*s", (int)asked->len, (const char *)asked->p);
    ms_status st = MS_ERR_EXISTS;
    if (asked->len < sizeof text &&
        ms_mailslot_name_normalize(text, norm, sizeof norm) == MS_OK &&
        !ms_mailslot_name_is_local(text)) {
        st = create_slot(d, norm, err, errlen);
        if (st == MS_OK)
            snprintf(d->reply_slot, sizeof d->reply_slot, "%s", norm);
    }
    for (int i = 0; st == MS_ERR_EXISTS && i < GETDC_TRIES; i++) {
        uint32_t r;
        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
            r = (uint32_t)(ms_realtime_ns() ^ (uint64_t)getpid() * 2654435761u) + (uint32_t)i;
        snprintf(norm, sizeof norm, "\\MAILSLOT\\NET\\GETDC%08X", r);
        st = create_slot(d, norm, err, errlen);
        if (st == MS_OK)
            snprintf(d->reply_slot, sizeof d->reply_slot, "%s", norm);
    }
    return st;
}

static bool names_reply_slot(const ms_netlogon *n)
{
    switch (n->layout) {
    case MS_NL_LAYOUT_LOGON_REQUEST:
    case MS_NL_LAYOUT_PRIMARY_QUERY:
    case MS_NL_LAYOUT_PRIMARY_QUERY_W95:
    case MS_NL_LAYOUT_SAM_REQUEST:
        return n->mailslot_name.len > 0;
    default:
        return false;
    }
}

/* A NETLOGON request whose replies should come back to us. */
static ms_status netlogon_request(cdaemon *d, const uint8_t *data, size_t len,
                                  const uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
    ms_netlogon n;
    if (ms_netlogon_decode(data, len, &n, NULL) != MS_OK || !names_reply_slot(&n))
        return MS_OK;
    ms_status st = d->reply_slot[0] ? MS_OK : make_reply_slot(d, &n.mailslot_name, err, errlen);
    if (st != MS_OK)
        return st;
    if (n.mailslot_name.len == strlen(d->reply_slot) &&
        !strncasecmp((const char *)n.mailslot_name.p, d->reply_slot, n.mailslot_name.len))
        return MS_OK; /* it names ours already */
    n.mailslot_name = (ms_str){ (const uint8_t *)d->reply_slot, strlen(d->reply_slot), true };
    n.pad.p = NULL; /* recomputed for the new length */
    n.sid_pad.p = NULL;
    st = ms_netlogon_encode(&n, d->data, sizeof d->data, outlen);
    if (st != MS_OK) {
        ms_errf(err, errlen, "cannot name our reply mailslot in the request: %s",
                ms_strerror(st));
        return st;
    }
    *out = d->data;
    return MS_OK;
}

ms_status cdaemon_prepare(cdaemon *d, const char *slot, const uint8_t *data, size_t len,
                          const uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
    *out = data;
    *outlen = len;
    d->token_next = false;
    if (!d->replies)
        return MS_OK;
    if (!strcasecmp(slot, "\\MAILSLOT\\BROWSE")) {
        ms_browser b;
        if (ms_browser_decode(data, len, false, &b, NULL) == MS_OK &&
            b.opcode == MS_BRWS_GET_BACKUP_LIST_REQUEST) {
            d->token_next = true;
            d->token = b.token;
        }
        return MS_OK;
    }
    if (!strcasecmp(slot, "\\MAILSLOT\\NET\\NETLOGON") ||
        !strcasecmp(slot, "\\MAILSLOT\\NET\\NTLOGON"))
        return netlogon_request(d, data, len, out, outlen, err, errlen);
    return MS_OK;
}

ms_status cdaemon_prepare_payload(cdaemon *d, const uint8_t *dg, size_t len, char *err,
                                  size_t errlen)
{
    d->token_next = false;
    if (!d->replies)
        return MS_OK;
    ms_message *m = malloc(sizeof *m); /* large: the payload decoders' room */
    if (!m) {
        ms_errf(err, errlen, "out of memory");
        return MS_ERR_NO_MEMORY;
    }
    char slot[MS_MAILSLOT_NAME_MAX + 1] = "", norm[MS_MAILSLOT_NAME_MAX + 1];
    ms_message_decode(dg, len, m);
    if (m->has_smb && m->trans.name.len < sizeof slot)
        snprintf(slot, sizeof slot, "%.*s", (int)m->trans.name.len, (const char *)m->trans.name.p);
    ms_status st = MS_OK;
    ms_browser b;
    ms_netlogon n;
    if (!strcasecmp(slot, "\\MAILSLOT\\BROWSE")) {
        if (ms_browser_decode(m->trans.data.p, m->trans.data.len, false, &b, NULL) == MS_OK &&
            b.opcode == MS_BRWS_GET_BACKUP_LIST_REQUEST) {
            d->token_next = true;
            d->token = b.token;
        }
    } else if ((!strcasecmp(slot, "\\MAILSLOT\\NET\\NETLOGON") ||
                !strcasecmp(slot, "\\MAILSLOT\\NET\\NTLOGON")) &&
               ms_netlogon_decode(m->trans.data.p, m->trans.data.len, &n, NULL) == MS_OK &&
               names_reply_slot(&n) && n.mailslot_name.len < sizeof slot) {
        snprintf(slot, sizeof slot, "%.*s", (int)n.mailslot_name.len,
                 (const char *)n.mailslot_name.p);
        if (ms_mailslot_name_normalize(slot, norm, sizeof norm) == MS_OK &&
            strcasecmp(norm, d->reply_slot)) {
            st = create_slot(d, norm, err, errlen);
            if (st == MS_OK)
                snprintf(d->reply_slot, sizeof d->reply_slot, "%s", norm);
            else if (st == MS_ERR_EXISTS)
                ms_errf(err, errlen, "the reply mailslot %s the request names is another "
                        "program's: the daemon would give it the replies", norm);
        }
    }
    free(m);
    return st;
}

/* ---- sending ---- */

/* The daemon went away: find it again, with our reply mailslot. */
static ms_status reattach(cdaemon *d, char *err, size_t errlen)
{
    ms_status st = dlink_reconnect(d->l, err, errlen);
    if (st == MS_OK && d->reply_slot[0])
        st = create_slot(d, d->reply_slot, err, errlen);
    return st;
}

/* What the daemon says it sent with: its source name and address. */
static void take_source(const ms_ctl_msg *a, ms_nb_name *src, uint32_t *src_ip,
                        uint16_t *src_port)
{
    ms_nb_name n;
    if (MS_CTL_HAS(a, MS_CTL_A_SRC_NAME) &&
        ms_nb_name_parse(&n, (const char *)a->src_name.p, a->src_name.len) == MS_OK)
        *src = n;
    if (MS_CTL_HAS(a, MS_CTL_A_SRC_IP) && a->src_ip)
        *src_ip = a->src_ip;
    if (MS_CTL_HAS(a, MS_CTL_A_SRC_PORT) && a->src_port)
        *src_port = a->src_port;
}

ms_status cdaemon_send(cdaemon *d, const uint8_t *dg, size_t len, uint32_t dst_ip,
                       uint16_t dport, ms_nb_name *src, uint32_t *src_ip, uint16_t *src_port,
                       char *err, size_t errlen)
{
    ms_ctl_msg req;
    ms_ctl_init(&req, MS_CTL_SEND);
    req.datagram = (ms_bytes){ dg, len };
    req.dst_ip = dst_ip;
    req.dst_port = dport;
    req.have = MS_CTL_BIT(MS_CTL_A_VERSION) | MS_CTL_BIT(MS_CTL_A_DATAGRAM) |
               MS_CTL_BIT(MS_CTL_A_DST_IP) | MS_CTL_BIT(MS_CTL_A_DST_PORT);
    if (d->src_name[0]) {
        req.src_name = (ms_bytes){ (const uint8_t *)d->src_name, strlen(d->src_name) };
        req.have |= MS_CTL_BIT(MS_CTL_A_SRC_NAME);
    }
    if (d->token_next) {
        req.token = d->token;
        req.have |= MS_CTL_BIT(MS_CTL_A_TOKEN);
    }
    ms_ctl_msg answer;
    ms_status st = dlink_up(d->l) ? MS_OK : reattach(d, err, errlen);
    if (st == MS_OK)
        st = dlink_call(d->l, &req, &answer, err, errlen);
    if (st == MS_ERR_END && reattach(d, err, errlen) == MS_OK)
        st = dlink_call(d->l, &req, &answer, err, errlen); /* once more */
    if (st == MS_OK)
        take_source(&answer, src, src_ip, src_port);
    return st;
}
