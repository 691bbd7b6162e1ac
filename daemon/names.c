/* SPDX-License-Identifier: MIT */
/* Registering, logging and releasing the host's names on each interface. */
#include "names.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "values.h"

/* What the host holds now, across interfaces. */
static void refresh(md_names *n)
{
    md_name_set *h = &n->held;
    h->count = 0;
    for (size_t i = 0; i < n->nifs; i++) {
        /* While closing, the services closed already are NULL. */
        for (size_t k = 0; n->ifs[i].ns; k++) {
            ms_name_info info;
            if (ms_name_service_name(n->ifs[i].ns, k, &info) != MS_OK)
                break;
            if (info.state != MS_NAME_ACTIVE || md_name_set_has(h, info.name.name) ||
                h->count == MS_NAME_SERVICE_MAX_NAMES)
                continue;
            memcpy(h->n[h->count].raw, info.name.name, 16);
            h->n[h->count].group = info.group;
            h->count++;
        }
    }
}

static void on_event(const ms_name_event *ev, void *ctx)
{
    md_ifns *f = ctx;
    char line[600];
    ms_name_event_format(ev, line, sizeof line);
    if (f->owner->nifs > 1)
        md_log("%s: %s", f->ifc.name, line);
    else
        md_log("%s", line);
    refresh(f->owner);
}

static ms_status find_iface(const char *name, ms_iface *out, char *err, size_t errlen)
{
    char why[256];
    ms_status st = ms_net_iface(name, out, why, sizeof why);
    if (st != MS_OK)
        snprintf(err, errlen, "%s: %s", name ? name : "no interface up with IPv4", why);
    else if (!out->bcast)
        snprintf(err, errlen, "%s has no broadcast address", out->name);
    return st != MS_OK ? MS_ERR_NOT_FOUND : !out->bcast ? MS_ERR_INVALID_ARG : MS_OK;
}

static ms_status open_one(md_names *n, md_ifns *f, ms_loop *loop, const md_settings *s,
                          bool bind_dev, uint16_t port, char *err, size_t errlen)
{
    f->owner = n;
    ms_name_service_opts o;
    ms_name_service_opts_init(&o);
    o.our_ip = f->ifc.addr;
    o.port = port;
    o.peer_port = port;
    o.bcast_ip = f->ifc.bcast;
    o.netmask = f->ifc.netmask;
    o.wins_ip = s->wins;
    if (f->ifc.has_mac)
        memcpy(o.mac, f->ifc.mac, sizeof o.mac);
    if (bind_dev)
        snprintf(o.ifname, sizeof o.ifname, "%s", f->ifc.name);
    o.on_event = on_event;
    o.ctx = f;
    return ms_name_service_open(loop, &o, &f->ns, err, errlen);
}

/* Start registering one name on every interface. */
static void add_name(md_names *n, const uint8_t raw[16], bool group)
{
    ms_nb_name nb;
    md_nbname_make(raw, &nb);
    for (size_t i = 0; i < n->nifs; i++) {
        ms_status st = ms_name_service_add(n->ifs[i].ns, &nb, group);
        if (st != MS_OK && st != MS_ERR_EXISTS) {
            char t[40];
            md_nbname_text(raw, t, sizeof t);
            md_log("cannot hold %s: %s", t, ms_strerror(st));
        }
    }
}

static void remove_name(md_names *n, const uint8_t raw[16])
{
    ms_nb_name nb;
    md_nbname_make(raw, &nb);
    for (size_t i = 0; i < n->nifs; i++)
        (void)ms_name_service_remove(n->ifs[i].ns, &nb);
}

static void workgroup_raw(const char *wg, uint8_t raw[16])
{
    size_t len = strlen(wg);
    memset(raw, ' ', 15);
    memcpy(raw, wg, len);
    raw[15] = 0x00;
}

/* The name service shares its port (SO_REUSEADDR) by design; the daemon
 * must not share it with another name server: a bind without sharing
 * says whether anyone holds the port (whoever: /proc may not tell). */
static ms_status port_free(uint16_t port, char *err, size_t errlen)
{
    ms_udp_opts o;
    ms_udp_opts_init(&o);
    o.port = port;
    int fd;
    char why[200];
    if (ms_udp_open(&o, &fd, why, sizeof why) == MS_OK) {
        close(fd);
        return MS_OK;
    }
    if (errno != EADDRINUSE) {
        snprintf(err, errlen, "%s", why);
        return MS_ERR_SYSTEM;
    }
    char holder[128];
    if (ms_udp_port_holder(port, holder, sizeof holder) != MS_OK)
        snprintf(holder, sizeof holder, "another program");
    snprintf(err, errlen, "UDP %u is held by %s: mailslotd does not share the name service's port",
             port, holder);
    return MS_ERR_EXISTS;
}

ms_status md_names_open(md_names *n, ms_loop *loop, const md_settings *s, const uint8_t host[16],
                        uint16_t port, char *err, size_t errlen)
{
    memset(n, 0, sizeof *n);
    ms_status free_st = port_free(port, err, errlen);
    if (free_st != MS_OK)
        return free_st;
    size_t want = s->nifaces ? s->nifaces : 1;
    for (size_t i = 0; i < want; i++) {
        md_ifns *f = &n->ifs[n->nifs];
        ms_status st = find_iface(s->nifaces ? s->ifaces[i] : NULL, &f->ifc, err, errlen);
        if (st == MS_OK)
            st = open_one(n, f, loop, s, s->nifaces > 0, port, err, errlen);
        if (st != MS_OK) {
            md_names_close(n);
            return st;
        }
        n->nifs++;
    }
    memcpy(n->host, host, 16);
    memcpy(n->extra, s->names, sizeof n->extra);
    n->nextra = s->nnames;
    memcpy(n->workgroup, s->workgroup, sizeof n->workgroup);
    add_name(n, n->host, false);
    for (size_t i = 0; i < n->nextra; i++)
        add_name(n, n->extra[i], false);
    uint8_t wg[16];
    workgroup_raw(n->workgroup, wg);
    add_name(n, wg, true);
    return MS_OK;
}

ms_status md_names_wait(md_names *n, int timeout_ms)
{
    for (size_t i = 0; i < n->nifs; i++) {
        ms_status st = ms_name_service_wait(n->ifs[i].ns, timeout_ms, NULL, 0);
        if (st == MS_ERR_STOPPED)
            return st;
        if (st == MS_ERR_TIMEOUT)
            md_log("%s: registration still going on after %d ms", n->ifs[i].ifc.name,
                   timeout_ms);
    }
    refresh(n);
    return MS_OK;
}

static bool listed(const uint8_t (*list)[16], size_t count, const uint8_t raw[16])
{
    for (size_t i = 0; i < count; i++)
        if (!memcmp(list[i], raw, 16))
            return true;
    return false;
}

void md_names_apply(md_names *n, const md_settings *s)
{
    size_t added = 0, removed = 0;
    for (size_t i = 0; i < n->nextra; i++)
        if (!listed(s->names, s->nnames, n->extra[i]) && memcmp(n->extra[i], n->host, 16)) {
            remove_name(n, n->extra[i]);
            removed++;
        }
    for (size_t i = 0; i < s->nnames; i++)
        if (!listed((const uint8_t(*)[16])n->extra, n->nextra, s->names[i])) {
            add_name(n, s->names[i], false);
            added++;
        }
    memcpy(n->extra, s->names, sizeof n->extra);
    n->nextra = s->nnames;
    if (strcmp(n->workgroup, s->workgroup)) {
        uint8_t wg[16];
        workgroup_raw(n->workgroup, wg);
        remove_name(n, wg);
        memcpy(n->workgroup, s->workgroup, sizeof n->workgroup);
        workgroup_raw(n->workgroup, wg);
        add_name(n, wg, true);
        removed++;
        added++;
    }
    md_log("names: %zu added, %zu removed", added, removed);
    refresh(n);
}

void md_names_close(md_names *n)
{
    for (size_t i = 0; i < n->nifs; i++) {
        ms_name_service_close(n->ifs[i].ns);
        n->ifs[i].ns = NULL;
    }
    n->nifs = 0;
    n->held.count = 0;
}

const md_ifns *md_names_iface_for(const md_names *n, uint32_t ip)
{
    for (size_t i = 0; i < n->nifs; i++)
        if (n->ifs[i].ifc.addr == ip)
            return &n->ifs[i];
    return n->nifs ? &n->ifs[0] : NULL;
}
