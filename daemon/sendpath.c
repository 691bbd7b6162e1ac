/* SPDX-License-Identifier: MIT */
/* SEND: a datagram a client built goes out from the daemon's port, as
 * the host: the daemon sets SOURCE_IP and SOURCE_PORT (its own address
 * towards the destination, its port) and the source name (the host name,
 * or SRC_NAME when the host holds that name; else the SEND is refused).
 * A TOKEN routes the replies that carry it back to the client. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "md.h"
#include "values.h"

static void refuse(md *d, md_client *c, ms_status st, const char *why)
{
    d->n.send_refused++;
    md_result(c, st, why, NULL);
}

/* Our address towards ip: the interface whose subnet or broadcast it is,
 * else what the routing table says, else the first interface's. */
static uint32_t source_ip(const md *d, uint32_t ip)
{
    for (size_t i = 0; i < d->names.nifs; i++) {
        const ms_iface *f = &d->names.ifs[i].ifc;
        if (ip == f->bcast || (f->netmask && (ip & f->netmask) == (f->addr & f->netmask)))
            return f->addr;
    }
    uint32_t src;
    if (ms_net_route_src(ip, &src) == MS_OK && src)
        return src;
    return d->names.nifs ? d->names.ifs[0].ifc.addr : 0;
}

/* The source name: SRC_NAME if the host holds it, else the host name. */
static ms_status source_name(const md *d, const ms_ctl_msg *r, uint8_t raw[16], char *why,
                             size_t whylen)
{
    char text[24], w[80];
    if (!MS_CTL_HAS(r, MS_CTL_A_SRC_NAME)) {
        memcpy(raw, d->host, 16);
    } else {
        if (r->src_name.len >= sizeof text) {
            snprintf(why, whylen, "SRC_NAME is not a NetBIOS name");
            return MS_ERR_INVALID_ARG;
        }
        memcpy(text, r->src_name.p, r->src_name.len);
        text[r->src_name.len] = '\0';
        if (memchr(text, '\0', r->src_name.len) ||
            md_parse_nbname(text, raw, w, sizeof w) != MS_OK) {
            snprintf(why, whylen, "SRC_NAME is not a NetBIOS name: %s", w);
            return MS_ERR_INVALID_ARG;
        }
    }
    if (!md_name_set_has(&d->names.held, raw)) {
        md_nbname_text(raw, text, sizeof text);
        snprintf(why, whylen, "the host does not hold %s", text);
        return MS_CTL_HAS(r, MS_CTL_A_SRC_NAME) ? MS_ERR_DENIED : MS_ERR_NOT_FOUND;
    }
    return MS_OK;
}

static void answer(md_client *c, const uint8_t raw[16], uint32_t src_ip)
{
    char text[24];
    md_nbname_text(raw, text, sizeof text);
    ms_ctl_msg m;
    ms_ctl_init(&m, MS_CTL_RESULT);
    m.status = MS_OK;
    m.src_name = (ms_bytes){ (const uint8_t *)text, strlen(text) };
    m.src_ip = src_ip;
    m.have = MS_CTL_BIT(MS_CTL_A_STATUS) | MS_CTL_BIT(MS_CTL_A_SRC_NAME) |
             MS_CTL_BIT(MS_CTL_A_SRC_IP);
    (void)md_client_put(c, NULL, &m);
}

void md_send_request(md *d, md_client *c, const ms_ctl_msg *r)
{
    if (!MS_CTL_HAS(r, MS_CTL_A_DATAGRAM) || !MS_CTL_HAS(r, MS_CTL_A_DST_IP) || !r->dst_ip) {
        refuse(d, c, MS_ERR_INVALID_ARG, "SEND needs DATAGRAM and DST_IP");
        return;
    }
    ms_dgram dg;
    size_t off;
    if (ms_dgram_decode(r->datagram.p, r->datagram.len, &dg, &off) != MS_OK ||
        !ms_dgram_has_data(dg.type)) {
        refuse(d, c, MS_ERR_BAD_INPUT, "DATAGRAM is not a NetBIOS datagram of type 0x10-0x12");
        return;
    }
    uint8_t raw[16];
    char why[160];
    ms_status st = source_name(d, r, raw, why, sizeof why);
    if (st != MS_OK) {
        refuse(d, c, st, why);
        return;
    }
    md_nbname_make(raw, &dg.src);
    dg.src_ip = source_ip(d, r->dst_ip);
    dg.src_port = d->port;
    dg.auto_fields |= MS_DGRAM_AUTO_LENGTH;
    static uint8_t out[65536];
    size_t len;
    if (ms_dgram_encode(&dg, out, sizeof out, &len) != MS_OK || len > 65507) {
        refuse(d, c, MS_ERR_TOO_BIG, "the datagram does not fit one UDP datagram");
        return;
    }
    uint16_t port = MS_CTL_HAS(r, MS_CTL_A_DST_PORT) && r->dst_port ? r->dst_port : MS_NBDS_PORT;
    if (ms_udp_sendto(d->fd, r->dst_ip, port, out, len) != MS_OK) {
        d->n.send_failed++;
        snprintf(why, sizeof why, "sendto: %s", strerror(errno));
        md_result(c, MS_ERR_SYSTEM, why, NULL);
        return;
    }
    if (MS_CTL_HAS(r, MS_CTL_A_TOKEN))
        md_tokens_add(&d->tokens, r->token, c->id, ms_monotonic_ns(),
                      (uint64_t)MD_TOKEN_TTL_MS * 1000000u);
    d->n.sent++;
    answer(c, raw, dg.src_ip);
}
