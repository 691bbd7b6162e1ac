/* SPDX-License-Identifier: MIT */
/* Mailslot client: the plan (client_plan.c) carried out: the interface,
 * name resolution, the socket; then one SMB mailslot write per datagram,
 * within the size rules of §5.4. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client_limits.h"
#include "client_daemon.h"
#include "client_plan.h"
#include "client_sock.h"
#include "mailslot/local.h"
#include "mailslot/message.h"
#include "mailslot/nbns_resolve.h"
#include "sized.h"

struct ms_client {
    ms_client_opts o;
    bool auth;
    ms_auth_key key;            /* copy of o.auth_key */
    ms_client_info info;
    client_sock sock;        /* the source port and the sockets (client_sock.c) */
    uint16_t next_id;
    ms_local_writer *local; /* \\.: a local mailslot (local.h) */
    cdaemon *daemon;    /* through mailslotd (client_daemon.c) */
    uint8_t buf[65536]; /* the largest UDP payload */
    uint8_t *many;      /* ms_client_write_many: MANY x 65536, on first use */
    uint8_t adata[65536 + MS_AUTH_TRAILER_LEN]; /* data + trailer */
};

void ms_client_opts_init(ms_client_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->style = MS_CLIENT_STYLE_AUTO;
}

void ms_default_netbios_name(char out[16])
{
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        strcpy(host, "LOCALHOST");
    size_t n = 0;
    while (host[n] && host[n] != '.' && n < 15) {
        char c = host[n];
        out[n++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    out[n] = 0;
}

/* \\.\mailslot\x: a local mailslot (local.h); no socket on the network. */
static ms_status open_local(ms_client *c, char *err, size_t errlen)
{
    ms_status st = ms_local_writer_open(c->info.slot, &c->local, err, errlen);
    if (st != MS_OK)
        return st;
    uint32_t max = ms_local_writer_max_size(c->local);
    c->info.max_data = max ? max : ms_local_writer_limit(c->local);
    c->info.type = 0;
    return MS_OK;
}

bool ms_client_is_local(const ms_client *c)
{
    return c->local != NULL;
}

/* The options with their defaults filled in, the key taken out. */
static ms_status take_opts(ms_client *c, const ms_client_opts *oin, char *err, size_t errlen)
{
    ms_client_opts_init(&c->o);
    ms_sized_read(&c->o, sizeof c->o, oin);
    ms_client_opts *o = &c->o;
    if (!o->workgroup)
        o->workgroup = "WORKGROUP";
    if (!o->dport)
        o->dport = MS_NBDS_PORT;
    if (!o->resolve_timeout_ms)
        o->resolve_timeout_ms = 1500;
    if (!o->auth_key)
        return MS_OK;
    if (!ms_auth_available()) {
        snprintf(err, errlen, "authentication asked for, but this build has none "
                              "(MAILSLOT_AUTH=OFF)");
        return MS_ERR_INVALID_ARG;
    }
    if (o->auth_key->len < MS_AUTH_KEY_MIN || o->auth_key->len > MS_AUTH_KEY_MAX) {
        snprintf(err, errlen, "authentication key of %zu octets (%d to %d needed)",
                 o->auth_key->len, MS_AUTH_KEY_MIN, MS_AUTH_KEY_MAX);
        return MS_ERR_INVALID_ARG;
    }
    c->key = *o->auth_key;
    c->auth = true;
    o->auth_key = NULL;
    return MS_OK;
}

/* The interface the datagrams leave by: the one asked for, the route's
 * for an address, else the first one up. *have is false when none is
 * known, which is an error only where a broadcast must go out. */
static ms_status pick_iface(const ms_client *c, const char *target, ms_iface *ifc, bool *have,
                            char *err, size_t errlen)
{
    *have = false;
    ms_target_kind kind;
    bool local;
    uint32_t ip;
    char name[64];
    ms_status st = ms_client_target(target, &kind, &local, &ip, name, sizeof name, err, errlen);
    if (st != MS_OK || local)
        return st;
    if (c->o.iface) {
        st = ms_net_iface(c->o.iface, ifc, err, errlen);
        *have = st == MS_OK;
        return st;
    }
    if (kind == MS_TARGET_ADDRESS) {
        uint32_t src;
        char e2[8];
        *have = ms_net_route_src(ip, &src) == MS_OK &&
                ms_net_iface_by_addr(src, ifc, e2, sizeof e2) == MS_OK;
        return MS_OK;
    }
    st = ms_net_iface(NULL, ifc, err, errlen);
    *have = st == MS_OK;
    bool group = c->o.type == MS_NBDS_DIRECT_GROUP || c->o.type == MS_NBDS_BROADCAST;
    if (!*have && (kind == MS_TARGET_ALL || group || !strcasecmp(name, c->o.workgroup)))
        return st;
    return MS_OK;
}

static ms_status resolve(ms_client *c, const client_plan *p, const ms_iface *ifc, char *err,
                         size_t errlen)
{
    ms_resolve_opts ro;
    ms_resolve_opts_init(&ro);
    ro.bcast_ip = ifc ? ifc->bcast : 0xFFFFFFFFu;
    ro.wins_ip = c->o.wins_ip;
    ro.timeout_ms = c->o.resolve_timeout_ms;
    ro.hosts_file = c->o.hosts_file;
    uint32_t ips[4];
    size_t n = 4;
    char why[400] = "";
    ms_status st = ms_nbns_resolve(&c->info.dst, &ro, ips, &n, why, sizeof why);
    if (st != MS_OK || n == 0) {
        snprintf(err, errlen, "cannot resolve \\\\%s: %s", p->name, why[0] ? why : "no answer");
        return st == MS_OK ? MS_ERR_NOT_FOUND : st;
    }
    c->info.dst_ip = ips[0];
    return MS_OK;
}

/* Our address: given, the interface's, else the route's. */
static void pick_src(ms_client *c, const ms_iface *ifc)
{
    ms_client_info *in = &c->info;
    if (c->o.src_ip)
        in->src_ip = c->o.src_ip;
    else if (c->o.iface && ifc)
        in->src_ip = ifc->addr;
    else if (ms_net_route_src(in->dst_ip, &in->src_ip) != MS_OK && ifc)
        in->src_ip = ifc->addr;
}

static ms_status open_net(ms_client *c, char *err, size_t errlen)
{
    ms_client_info *in = &c->info;
    if (c->o.no_socket) {
        in->sport = c->o.sport > 0 ? (uint16_t)c->o.sport : MS_NBDS_PORT;
        return MS_OK;
    }
    ms_status st = cdaemon_open(&c->o, &c->daemon, err, errlen);
    if (st != MS_OK)
        return st;
    if (!c->daemon)
        return client_sock_open(&c->sock, &c->o, in, err, errlen);
    in->sport = MS_NBDS_PORT;
    in->sport_mode = MS_SPORT_MODE_DAEMON;
    snprintf(in->note, sizeof in->note,
             "sending through mailslotd (%.160s): from its port (138; beside nmbd one of its "
             "own) with the host's name%s",
             cdaemon_path(c->daemon),
             c->o.send_only ? "" : "; replies come back through it");
    return MS_OK;
}

/* Plan, then carry the plan out: a local writer, or name resolution, our
 * address and the socket. */
static ms_status open_client(ms_client *c, const char *target, const char *slot, char *err,
                             size_t errlen)
{
    ms_iface ifc;
    bool have_if = false;
    char host[16];
    ms_default_netbios_name(host);
    client_plan p;
    ms_status st = pick_iface(c, target, &ifc, &have_if, err, errlen);
    if (st == MS_OK)
        st = ms_client_plan(target, slot, &c->o, have_if ? &ifc : NULL, host, &p, err, errlen);
    if (st != MS_OK)
        return st;
    c->info = p.info;
    if (c->auth)
        c->info.auth_overhead = MS_AUTH_TRAILER_LEN;
    if (p.dest == PLAN_DEST_LOCAL)
        return open_local(c, err, errlen);
    if (p.dest == PLAN_DEST_RESOLVE && (st = resolve(c, &p, have_if ? &ifc : NULL, err,
                                                     errlen)) != MS_OK)
        return st;
    pick_src(c, have_if ? &ifc : NULL);
    return open_net(c, err, errlen);
}

ms_status ms_client_open(const char *target, const char *slot, const ms_client_opts *oin,
                         ms_client **out, char *err, size_t errlen)
{
    *out = NULL;
    if (oin && oin->size < sizeof oin->size)
        return MS_ERR_INVALID_ARG;
    ms_client *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return MS_ERR_NO_MEMORY;
    }
    c->sock = (client_sock){ .fd = -1, .rx = -1 };
    ms_status st = take_opts(c, oin, err, errlen);
    if (st == MS_OK)
        st = open_client(c, target, slot, err, errlen);
    if (st != MS_OK) {
        ms_client_close(c);
        return st;
    }
    if (getrandom(&c->next_id, sizeof c->next_id, GRND_NONBLOCK) != sizeof c->next_id)
        c->next_id = (uint16_t)(ms_realtime_ns() ^ (uint64_t)getpid());
    *out = c;
    return MS_OK;
}

ms_status ms_client_open_path(const char *path, const ms_client_opts *o, ms_client **out,
                              char *err, size_t errlen)
{
    char buf[512];
    *out = NULL;
    if (strlen(path) >= sizeof buf || !(path[0] == '\\' || path[0] == '/') ||
        !(path[1] == '\\' || path[1] == '/')) {
        snprintf(err, errlen, "'%s' is not \\\\HOST\\mailslot\\NAME", path);
        return MS_ERR_INVALID_ARG;
    }
    strcpy(buf, path);
    char *sep = buf + 2;
    while (*sep && *sep != '\\' && *sep != '/')
        sep++;
    if (!*sep) {
        snprintf(err, errlen, "'%s' has no \\mailslot\\NAME part", path);
        return MS_ERR_INVALID_ARG;
    }
    char slot[512];
    snprintf(slot, sizeof slot, "%s", sep);
    *sep = 0;
    return ms_client_open(buf, slot, o, out, err, errlen);
}

void ms_client_close(ms_client *c)
{
    if (!c)
        return;
    client_sock_close(&c->sock);
    cdaemon_close(c->daemon);
    ms_local_writer_close(c->local);
    memset(&c->key, 0, sizeof c->key);
    free(c->many);
    free(c);
}

const ms_client_info *ms_client_get_info(const ms_client *c)
{
    return &c->info;
}

int ms_client_fd(const ms_client *c)
{
    return c->daemon ? cdaemon_fd(c->daemon) : client_sock_reply_fd(&c->sock);
}

ms_status ms_client_recv_replies(ms_client *c, ms_udp_dgram *d, size_t n, size_t *got)
{
    *got = 0;
    if (c->local)
        return MS_ERR_INVALID_ARG;
    if (c->daemon)
        return cdaemon_recv(c->daemon, d, n, got);
    return client_sock_recv(&c->sock, d, n, got);
}

ms_status ms_client_build(ms_client *c, const void *data, size_t len, uint8_t *buf,
                          size_t cap, ms_write_result *res, char *err, size_t errlen)
{
    const ms_client_info *in = &c->info;
    ms_write_result dummy;
    if (!res)
        res = &dummy;
    memset(res, 0, sizeof *res);
    if (c->local) {
        snprintf(err, errlen, "a local mailslot (\\\\.) takes no datagram: use ms_client_write");
        return MS_ERR_INVALID_ARG;
    }
    if (!c->o.force_size && ms_client_limits(in, len, err, errlen))
        return MS_ERR_TOO_BIG;
    if (c->auth) {
        if (len > sizeof c->adata - MS_AUTH_TRAILER_LEN) {
            snprintf(err, errlen, "message of %zu octets is too long to authenticate", len);
            return MS_ERR_TOO_BIG;
        }
        if (len)
            memmove(c->adata, data, len);
        ms_auth_msg am = { in->type, in->src.wire, in->src.wire_len, in->dst.wire,
                           in->dst.wire_len, (const uint8_t *)in->slot, strlen(in->slot),
                           c->adata, len };
        ms_status ast = ms_auth_seal(&c->key, &am, ms_realtime_ns() / 1000000u, NULL,
                                     c->adata + len);
        if (ast != MS_OK) {
            snprintf(err, errlen, "cannot compute the authentication tag (libcrypto failed)");
            return ast;
        }
        data = c->adata;
        len += MS_AUTH_TRAILER_LEN;
    }
    static const ms_message zero;
    ms_message m = zero;
    ms_layout_init(&m.smb, &m.trans, in->sender, in->slot, data, len, in->src.name[15]);
    m.has_smb = true;
    m.dgram.type = in->type;
    m.dgram.flags = in->nbds_flags;
    m.dgram.id = c->next_id++;
    m.dgram.src_ip = in->src_ip;
    m.dgram.src_port = in->sport;
    m.dgram.src = in->src;
    m.dgram.dst = in->dst;
    m.dgram.auto_fields = MS_DGRAM_AUTO_LENGTH;
    size_t n = 0;
    ms_status st = ms_message_encode(&m, buf, cap, &n);
    if (st != MS_OK) {
        snprintf(err, errlen, "cannot encode the message: %s", ms_strerror(st));
        return st;
    }
    res->payload_len = n;
    res->dgm_id = m.dgram.id;
    res->over_576 = n > MS_SAMBA_MAX_PAYLOAD;
    return MS_OK;
}

/* The reason a send failed (errno), in err. */
static ms_status send_failed(const ms_client *c, char *err, size_t errlen)
{
    char ip[16];
    ms_ip_format(c->info.dst_ip, ip, sizeof ip);
    snprintf(err, errlen, "sendto %s:%u: %s", ip, c->info.dport, strerror(errno));
    return MS_ERR_SYSTEM;
}

/* Through mailslotd: the request made to bring its replies to us, the
 * datagram built as for a socket, handed over. */
static ms_status write_daemon(ms_client *c, const void *data, size_t len, ms_write_result *res,
                              char *err, size_t errlen)
{
    const uint8_t *d;
    size_t dlen;
    ms_status st = cdaemon_prepare(c->daemon, c->info.slot, data, len, &d, &dlen, err, errlen);
    if (st == MS_OK)
        snprintf(c->info.reply_slot, sizeof c->info.reply_slot, "%s",
                 cdaemon_reply_slot(c->daemon));
    if (st == MS_OK)
        st = ms_client_build(c, d, dlen, c->buf, sizeof c->buf, res, err, errlen);
    if (st == MS_OK)
        st = cdaemon_send(c->daemon, c->buf, res->payload_len, c->info.dst_ip, c->info.dport,
                          &c->info.src, &c->info.src_ip, &c->info.sport, err, errlen);
    return st;
}

ms_status ms_client_write(ms_client *c, const void *data, size_t len, ms_write_result *res,
                          char *err, size_t errlen)
{
    ms_write_result dummy;
    if (!res)
        res = &dummy;
    if (c->local) {
        memset(res, 0, sizeof *res);
        return ms_local_writer_write(c->local, data, len, err, errlen);
    }
    if (c->daemon)
        return write_daemon(c, data, len, res, err, errlen);
    if (c->sock.fd < 0) {
        snprintf(err, errlen, "client opened without a socket (build only)");
        return MS_ERR_INVALID_ARG;
    }
    ms_status st = ms_client_build(c, data, len, c->buf, sizeof c->buf, res, err, errlen);
    if (st != MS_OK)
        return st;
    const uint8_t *b = c->buf;
    size_t sent;
    if (client_sock_send(&c->sock, &b, &res->payload_len, 1, &sent) != MS_OK)
        return send_failed(c, err, errlen);
    return MS_OK;
}

ms_status ms_client_send_payload(ms_client *c, const uint8_t *payload, size_t len, char *err,
                                 size_t errlen)
{
    if (c->daemon) { /* as it is; the reply mailslot it names made ours */
        ms_status st = cdaemon_prepare_payload(c->daemon, payload, len, err, errlen);
        if (st == MS_OK)
            snprintf(c->info.reply_slot, sizeof c->info.reply_slot, "%s",
                     cdaemon_reply_slot(c->daemon));
        return st != MS_OK ? st
                           : cdaemon_send(c->daemon, payload, len, c->info.dst_ip, c->info.dport,
                                          &c->info.src, &c->info.src_ip, &c->info.sport,
                                          err, errlen);
    }
    if (c->local || c->sock.fd < 0) {
        snprintf(err, errlen, "this client has no network socket (local or build only)");
        return MS_ERR_INVALID_ARG;
    }
    size_t sent = 0;
    if (client_sock_send(&c->sock, &payload, &len, 1, &sent) != MS_OK || sent != 1)
        return send_failed(c, err, errlen);
    return MS_OK;
}

#define MANY 32

ms_status ms_client_write_many(ms_client *c, const void *data, size_t len, size_t count,
                               ms_write_result *res, size_t *sent, char *err, size_t errlen)
{
    size_t dummy_sent;
    if (!sent)
        sent = &dummy_sent;
    *sent = 0;
    if (c->local || c->daemon || c->sock.fd < 0) {
        for (size_t i = 0; i < count; i++) {
            ms_status st = ms_client_write(c, data, len, res ? &res[i] : NULL, err, errlen);
            if (st != MS_OK)
                return st;
            ++*sent;
        }
        return MS_OK;
    }
    if (!c->many && !(c->many = malloc((size_t)MANY * sizeof c->buf))) {
        snprintf(err, errlen, "out of memory");
        return MS_ERR_SYSTEM;
    }
    while (*sent < count) {
        const uint8_t *bufs[MANY];
        size_t lens[MANY], n = 0, used = 0;
        ms_write_result one[MANY];
        ms_status st = MS_OK;
        /* Packed one after the other (64-octet aligned), not 64 KiB apart:
         * small datagrams share cache lines' sets less. */
        while (n < MANY && *sent + n < count &&
               MANY * sizeof c->buf - used >= sizeof c->buf) {
            uint8_t *b = c->many + used;
            st = ms_client_build(c, data, len, b, sizeof c->buf, &one[n], err, errlen);
            if (st != MS_OK)
                break;
            bufs[n] = b;
            lens[n] = one[n].payload_len;
            used += (one[n].payload_len + 63) & ~(size_t)63;
            n++;
        }
        size_t went = 0;
        client_sock_send(&c->sock, bufs, lens, n, &went);
        if (res)
            memcpy(res + *sent, one, went * sizeof one[0]);
        *sent += went;
        if (went < n)
            return send_failed(c, err, errlen);
        if (st != MS_OK)
            return st;
    }
    return MS_OK;
}
