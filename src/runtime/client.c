/* SPDX-License-Identifier: MIT */
/* Mailslot client: target -> NetBIOS name, message type, address (§5.3);
 * one SMB mailslot write per datagram, size rules of §5.4. */
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

#include "mailslot/client.h"
#include "mailslot/local.h"
#include "mailslot/message.h"
#include "mailslot/nbns.h"
#include "mailslot/nbns_resolve.h"
#include "mailslot/net.h"
#include "mailslot/server.h"

struct ms_client {
    ms_client_opts o;
    bool auth;
    ms_auth_key key;            /* copy of o.auth_key */
    ms_client_info info;
    int fd;
    bool connected;          /* send_only: fd is connected to the destination */
    uint16_t next_id;
    ms_local_writer *local; /* \\.: a local mailslot (local.h) */
    uint8_t buf[65536]; /* the largest UDP payload */
    uint8_t *many;      /* ms_client_write_many: MANY x 65536, on first use */
    uint8_t adata[65536 + MS_AUTH_TRAILER_LEN]; /* data + trailer */
};

void ms_client_opts_init(ms_client_opts *o)
{
    memset(o, 0, sizeof *o);
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

static void upcase(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 32);
}

/* "TEXT" -> TEXT<suffix>; "TEXT<xx>[.scope]" as written. */
static ms_status make_name(ms_nb_name *n, const char *text, uint8_t suffix, char *err,
                           size_t errlen, const char *what)
{
    if (strchr(text, '<')) {
        if (ms_nb_name_parse(n, text, strlen(text)) != MS_OK) {
            snprintf(err, errlen, "%s '%s' is not a NetBIOS name (NAME<xx>[.scope])", what, text);
            return MS_ERR_INVALID_ARG;
        }
        return MS_OK;
    }
    uint8_t raw[16];
    if (!*text || strlen(text) > 15 || ms_nb_name_pad(raw, text, strlen(text), suffix) != MS_OK ||
        ms_nb_name_make(n, raw, NULL) != MS_OK) {
        snprintf(err, errlen, "%s '%s' is not a NetBIOS name (1 to 15 octets)", what, text);
        return MS_ERR_INVALID_ARG;
    }
    return MS_OK;
}

/* SMB octets before the data for this slot and style: the DataOffset. */
static size_t data_offset(const ms_client *c)
{
    ms_smb_header h;
    ms_trans t;
    uint8_t buf[600];
    size_t n = 0;
    ms_trans_init(&h, &t, (ms_trans_style)c->o.style, c->info.slot, NULL, 0);
    if (ms_trans_encode(&h, &t, buf, sizeof buf, &n) != MS_OK)
        return MS_SMB_MAX;
    return n;
}

static bool is_bcast(uint32_t ip, const ms_iface *ifc)
{
    if (ip == 0xFFFFFFFFu)
        return true;
    return ifc && ifc->netmask && ifc->netmask != 0xFFFFFFFFu &&
           (ip & ifc->netmask) == (ifc->addr & ifc->netmask) && (ip | ifc->netmask) == 0xFFFFFFFFu;
}

/* Bind our own address when we have one: a socket bound to it is
 * preferred over wildcard ones (a listener on 0.0.0.0:138 beside us) for
 * the unicast replies --wait waits for. */
static int bind_udp(ms_udp_opts *uo, uint32_t addr, char *err, size_t errlen)
{
    uo->addr = addr;
    int fd = ms_udp_open(uo, err, errlen);
    if (fd < 0 && addr && errno == EADDRNOTAVAIL) {
        uo->addr = 0;
        fd = ms_udp_open(uo, err, errlen);
    }
    return fd;
}

static int open_socket(ms_client *c, char *err, size_t errlen)
{
    /* Blocking sends: a burst (--repeat, --interval 0) waits for room
     * instead of failing with EAGAIN; receives use MSG_DONTWAIT. */
    ms_udp_opts uo = { 0, 0, true, true, true, 0, false };
    int want = c->o.sport;
    uint32_t addr = c->info.src_ip;
    if (want > 0) {
        uo.port = (uint16_t)want;
        return bind_udp(&uo, addr, err, errlen);
    }
    if (want == MS_CLIENT_SPORT_DEFAULT) {
        uo.port = MS_NBDS_PORT;
        char why[160];
        int fd = bind_udp(&uo, addr, why, sizeof why);
        if (fd >= 0)
            return fd;
        c->info.sport_fallback = true;
        snprintf(c->info.note, sizeof c->info.note,
                 "port 138 not available (%s); sending from an ephemeral port: Windows "
                 "answers requests on 138, so its replies may not reach us",
                 errno == EADDRINUSE ? "in use, nmbd runs?" : strerror(errno));
    }
    uo.port = 0;
    return bind_udp(&uo, addr, err, errlen);
}

/* \\.\mailslot\x: a local mailslot (local.h); no socket on the network. */
static ms_status open_local(ms_client *c, ms_status *st, char *err, size_t errlen)
{
    c->local = ms_local_writer_open(c->info.slot, st, err, errlen);
    if (!c->local)
        return *st;
    uint32_t max = ms_local_writer_max_size(c->local);
    c->info.max_data = max ? max : ms_local_writer_limit(c->local);
    c->info.type = 0;
    *st = MS_OK;
    return MS_OK;
}

bool ms_client_is_local(const ms_client *c)
{
    return c->local != NULL;
}

ms_client *ms_client_open(const char *target, const char *slot, const ms_client_opts *oin,
                          ms_status *st, char *err, size_t errlen)
{
    ms_status dummy;
    if (!st)
        st = &dummy;
    ms_client_opts o;
    if (oin)
        o = *oin;
    else
        ms_client_opts_init(&o);
    if (!o.workgroup)
        o.workgroup = "WORKGROUP";
    if (!o.dport)
        o.dport = MS_NBDS_PORT;
    if (!o.resolve_timeout_ms)
        o.resolve_timeout_ms = 1500;
    ms_client *c = calloc(1, sizeof *c);
    if (!c) {
        *st = MS_ERR_SYSTEM;
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->fd = -1;
    ms_client_info *in = &c->info;
    *st = MS_ERR_INVALID_ARG;

    if (ms_mailslot_name_normalize(slot, in->slot, sizeof in->slot) != MS_OK) {
        snprintf(err, errlen, "'%s' is not a mailslot name (\\MAILSLOT\\NAME[\\...])", slot);
        goto fail;
    }
    if (o.style == MS_CLIENT_STYLE_AUTO)
        o.style = (!strcasecmp(in->slot, "\\MAILSLOT\\BROWSE") ||
                   !strcasecmp(in->slot, "\\MAILSLOT\\LANMAN"))
                      ? MS_STYLE_BROWSER
                      : MS_STYLE_REDIRECTOR;
    if (o.auth_key) {
        if (!ms_auth_available()) {
            snprintf(err, errlen, "authentication asked for, but this build has none "
                                  "(MAILSLOT_AUTH=OFF)");
            goto fail;
        }
        if (o.auth_key->len < MS_AUTH_KEY_MIN || o.auth_key->len > MS_AUTH_KEY_MAX) {
            snprintf(err, errlen, "authentication key of %zu octets (%d to %d needed)",
                     o.auth_key->len, MS_AUTH_KEY_MIN, MS_AUTH_KEY_MAX);
            goto fail;
        }
        c->key = *o.auth_key;
        c->auth = true;
        in->auth_overhead = MS_AUTH_TRAILER_LEN;
        o.auth_key = NULL;
    }
    c->o = o;
    /* Target: strip \\ (or //). */
    const char *t = target;
    if ((t[0] == '\\' && t[1] == '\\') || (t[0] == '/' && t[1] == '/'))
        t += 2;
    char name[64];
    if (!*t || strlen(t) >= sizeof name) {
        snprintf(err, errlen, "'%s' is not a target (\\\\HOST, \\\\DOMAIN, \\\\* or an address)",
                 target);
        goto fail;
    }
    strcpy(name, t);
    uint32_t ip = 0;
    if (!strcmp(name, ".")) {
        if (open_local(c, st, err, errlen) != MS_OK)
            goto fail;
        return c;
    } else if (!strcmp(name, "*")) {
        in->kind = MS_TARGET_ALL;
    } else if (ms_ip_parse(name, &ip)) {
        in->kind = MS_TARGET_ADDRESS;
    } else {
        if (strlen(name) > 15) {
            snprintf(err, errlen, "NetBIOS name '%s' is longer than 15 octets", name);
            goto fail;
        }
        upcase(name);
        bool group = o.type == MS_NBDS_DIRECT_GROUP || o.type == MS_NBDS_BROADCAST;
        in->kind = (group || !strcasecmp(name, o.workgroup)) ? MS_TARGET_DOMAIN : MS_TARGET_HOST;
    }

    /* Interface: given, the route's for an address, else the first one up
     * (its broadcast address and the resolver's). */
    ms_iface ifc;
    bool have_if = false;
    bool to_bcast = in->kind == MS_TARGET_DOMAIN || in->kind == MS_TARGET_ALL ||
                    (in->kind == MS_TARGET_HOST && o.type == MS_NBDS_BROADCAST);
    if (o.iface) {
        *st = ms_net_iface(o.iface, &ifc, err, errlen);
        if (*st != MS_OK)
            goto fail;
        have_if = true;
    } else if (in->kind == MS_TARGET_ADDRESS) {
        uint32_t src = ms_net_route_src(ip);
        char e2[8];
        have_if = src && ms_net_iface_by_addr(src, &ifc, e2, sizeof e2) == MS_OK;
    } else {
        *st = ms_net_iface(NULL, &ifc, err, errlen);
        have_if = *st == MS_OK;
        if (!have_if && to_bcast)
            goto fail;
    }

    /* Message type (§5.3, §2.8). */
    if (o.type)
        in->type = o.type;
    else if (in->kind == MS_TARGET_HOST)
        in->type = MS_NBDS_DIRECT_UNIQUE;
    else if (in->kind == MS_TARGET_ADDRESS)
        in->type = is_bcast(ip, have_if ? &ifc : NULL) ? MS_NBDS_DIRECT_GROUP
                                                       : MS_NBDS_DIRECT_UNIQUE;
    else
        in->type = MS_NBDS_DIRECT_GROUP;
    if (!ms_dgram_has_data(in->type)) {
        snprintf(err, errlen, "message type 0x%02x does not carry mailslot data", in->type);
        goto fail;
    }

    /* Destination name. */
    *st = MS_ERR_INVALID_ARG;
    if (in->type == MS_NBDS_BROADCAST) {
        /* RFC 1002 §4.4.3: a BROADCAST's DESTINATION_NAME is '*' (any
         * dest_name given only lends its scope). */
        uint8_t raw[16];
        const char *scope = NULL;
        ms_nb_name given;
        if (o.dest_name) {
            if (make_name(&given, o.dest_name, 0x00, err, errlen, "destination name") != MS_OK)
                goto fail;
            scope = strchr(o.dest_name, '.');
            scope = scope ? scope + 1 : NULL;
        }
        ms_nb_name_pad(raw, "*", 1, 0x00);
        if (ms_nb_name_make(&in->dst, raw, scope) != MS_OK) {
            snprintf(err, errlen, "bad scope in '%s'", o.dest_name);
            goto fail;
        }
    } else if (o.dest_name) {
        if (make_name(&in->dst, o.dest_name, 0x00, err, errlen, "destination name") != MS_OK)
            goto fail;
    } else if (in->kind == MS_TARGET_HOST || in->kind == MS_TARGET_DOMAIN) {
        if (make_name(&in->dst, name, 0x00, err, errlen, "target") != MS_OK)
            goto fail;
    } else if (in->kind == MS_TARGET_ALL ||
               (in->kind == MS_TARGET_ADDRESS && in->type == MS_NBDS_DIRECT_GROUP)) {
        char wg[16];
        snprintf(wg, sizeof wg, "%s", o.workgroup);
        upcase(wg);
        if (strlen(o.workgroup) > 15 ||
            make_name(&in->dst, wg, 0x00, err, errlen, "workgroup") != MS_OK) {
            snprintf(err, errlen, "workgroup '%s' is not a NetBIOS name (1 to 15 octets)",
                     o.workgroup);
            goto fail;
        }
    } else {
        snprintf(err, errlen, "an address target needs the NetBIOS destination name "
                              "(e.g. --name HOST<00>)");
        goto fail;
    }

    /* Source name. */
    char from[16];
    if (o.from) {
        if (make_name(&in->src, o.from, 0x00, err, errlen, "source name") != MS_OK)
            goto fail;
    } else {
        ms_default_netbios_name(from);
        if (make_name(&in->src, from, 0x00, err, errlen, "host name") != MS_OK)
            goto fail;
    }

    /* Address. */
    if (in->kind == MS_TARGET_ADDRESS) {
        in->dst_ip = ip;
    } else if (to_bcast || in->type != MS_NBDS_DIRECT_UNIQUE) {
        in->dst_ip = have_if ? ifc.bcast : 0xFFFFFFFFu;
    } else {
        ms_resolve_opts ro = { 0 };
        ro.bcast_ip = have_if ? ifc.bcast : 0xFFFFFFFFu;
        ro.wins_ip = o.wins_ip;
        ro.bind_ip = 0;
        ro.timeout_ms = o.resolve_timeout_ms;
        ro.hosts_file = o.hosts_file;
        uint32_t ips[4];
        size_t n = 4;
        *st = ms_nbns_resolve(&in->dst, &ro, ips, &n, err, errlen);
        if (*st != MS_OK || n == 0) {
            char why[400];
            snprintf(why, sizeof why, "%s", err[0] ? err : "no answer");
            snprintf(err, errlen, "cannot resolve \\\\%s: %s", name, why);
            if (*st == MS_OK)
                *st = MS_ERR_NOT_FOUND;
            goto fail;
        }
        in->dst_ip = ips[0];
    }
    in->dport = o.dport;

    /* Our address: the interface's, else the route's. */
    if (o.src_ip)
        in->src_ip = o.src_ip;
    else if (o.iface && have_if)
        in->src_ip = ifc.addr;
    else if (!(in->src_ip = ms_net_route_src(in->dst_ip)) && have_if)
        in->src_ip = ifc.addr;

    if (o.no_socket) {
        in->sport = o.sport > 0 ? (uint16_t)o.sport : MS_NBDS_PORT;
    } else {
        c->fd = open_socket(c, err, errlen);
        if (c->fd < 0) {
            *st = MS_ERR_SYSTEM;
            goto fail;
        }
        in->sport = ms_udp_local_port(c->fd);
        if (o.send_only) {
            struct sockaddr_in sa = { 0 };
            sa.sin_family = AF_INET;
            sa.sin_addr.s_addr = htonl(in->dst_ip);
            sa.sin_port = htons(in->dport);
            c->connected = connect(c->fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        }
    }
    bool grp = in->type != MS_NBDS_DIRECT_UNIQUE;
    size_t off = data_offset(c);
    in->max_data = grp ? MS_GROUP_MAX_DATA : (off < MS_SMB_MAX ? MS_SMB_MAX - off : 0);
    if (getrandom(&c->next_id, sizeof c->next_id, GRND_NONBLOCK) != sizeof c->next_id)
        c->next_id = (uint16_t)(ms_realtime_ns() ^ (uint64_t)getpid());
    *st = MS_OK;
    return c;
fail:
    ms_client_close(c);
    return NULL;
}

ms_client *ms_client_open_path(const char *path, const ms_client_opts *o, ms_status *st,
                               char *err, size_t errlen)
{
    char buf[512];
    ms_status dummy;
    if (!st)
        st = &dummy;
    if (strlen(path) >= sizeof buf || !(path[0] == '\\' || path[0] == '/') ||
        !(path[1] == '\\' || path[1] == '/')) {
        *st = MS_ERR_INVALID_ARG;
        snprintf(err, errlen, "'%s' is not \\\\HOST\\mailslot\\NAME", path);
        return NULL;
    }
    strcpy(buf, path);
    char *sep = buf + 2;
    while (*sep && *sep != '\\' && *sep != '/')
        sep++;
    if (!*sep) {
        *st = MS_ERR_INVALID_ARG;
        snprintf(err, errlen, "'%s' has no \\mailslot\\NAME part", path);
        return NULL;
    }
    char slot[512];
    snprintf(slot, sizeof slot, "%s", sep);
    *sep = 0;
    return ms_client_open(buf, slot, o, st, err, errlen);
}

void ms_client_close(ms_client *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
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
    return c->fd;
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
    size_t total = len + in->auth_overhead;
    if (total > in->max_data && !c->o.force_size) {
        char extra[200] = "";
        if (in->auth_overhead)
            snprintf(extra, sizeof extra,
                     " with the %zu-octet authentication trailer (%zu data octets fit with "
                     "--key-file)",
                     in->auth_overhead, in->max_data > in->auth_overhead
                                            ? in->max_data - in->auth_overhead : 0);
        if (in->type != MS_NBDS_DIRECT_UNIQUE)
            snprintf(err, errlen,
                     "message of %zu octets is %zu over the %zu-octet limit of group and "
                     "broadcast writes%s (PROTOCOL.md §5.4; --force-size sends it anyway)",
                     len, total - in->max_data, in->max_data, extra);
        else
            snprintf(err, errlen,
                     "message of %zu octets is %zu over the %zu octets a direct write to %s "
                     "can carry%s (the SMB write must fit in 512 octets, PROTOCOL.md §5.4; "
                     "--force-size sends it anyway)",
                     len, total - in->max_data, in->max_data, in->slot, extra);
        return MS_ERR_TOO_BIG;
    }
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
    ms_trans_init(&m.smb, &m.trans, (ms_trans_style)c->o.style, in->slot, data, len);
    m.has_smb = true;
    m.dgram.type = in->type;
    m.dgram.flags = MS_NBDS_FLAG_FIRST; /* B-node, one datagram */
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
    if (c->fd < 0) {
        snprintf(err, errlen, "client opened without a socket (build only)");
        return MS_ERR_INVALID_ARG;
    }
    ms_status st = ms_client_build(c, data, len, c->buf, sizeof c->buf, res, err, errlen);
    if (st != MS_OK)
        return st;
    if (ms_udp_sendto(c->fd, c->info.dst_ip, c->connected ? 0 : c->info.dport, c->buf,
                      res->payload_len) != 0) {
        char ip[16];
        ms_ip_format(c->info.dst_ip, ip, sizeof ip);
        snprintf(err, errlen, "sendto %s:%u: %s", ip, c->info.dport, strerror(errno));
        return MS_ERR_SYSTEM;
    }
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
    if (c->local || c->fd < 0) {
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
        size_t went = ms_udp_send_batch(c->fd, c->info.dst_ip, c->connected ? 0 : c->info.dport,
                                        bufs, lens, n);
        if (res)
            memcpy(res + *sent, one, went * sizeof one[0]);
        *sent += went;
        if (went < n) {
            int e = errno;
            char ip[16];
            ms_ip_format(c->info.dst_ip, ip, sizeof ip);
            snprintf(err, errlen, "sendto %s:%u: %s", ip, c->info.dport, strerror(e));
            return MS_ERR_SYSTEM;
        }
        if (st != MS_OK)
            return st;
    }
    return MS_OK;
}
