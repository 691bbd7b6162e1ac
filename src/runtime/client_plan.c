/* SPDX-License-Identifier: MIT */
/* The client's plan: target -> NetBIOS names, message type, destination,
 * size limit. No I/O here (client_plan.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client_limits.h"
#include "client_plan.h"

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

ms_status ms_client_target(const char *target, ms_target_kind *kind, bool *local, uint32_t *ip,
                           char *name, size_t cap, char *err, size_t errlen)
{
    const char *t = target;
    *local = false;
    *ip = 0;
    if ((t[0] == '\\' && t[1] == '\\') || (t[0] == '/' && t[1] == '/'))
        t += 2;
    if (!*t || strlen(t) >= cap) {
        snprintf(err, errlen, "'%s' is not a target (\\\\HOST, \\\\DOMAIN, \\\\* or an address)",
                 target);
        return MS_ERR_INVALID_ARG;
    }
    strcpy(name, t);
    *kind = MS_TARGET_HOST;
    if (!strcmp(name, "."))
        *local = true;
    else if (!strcmp(name, "*"))
        *kind = MS_TARGET_ALL;
    else if (ms_ip_parse(name, ip) == MS_OK)
        *kind = MS_TARGET_ADDRESS;
    return MS_OK;
}

bool ms_client_plan_broadcasts(ms_target_kind kind, uint8_t type)
{
    return kind == MS_TARGET_DOMAIN || kind == MS_TARGET_ALL ||
           (kind == MS_TARGET_HOST && type == MS_NBDS_BROADCAST);
}

static bool is_bcast(uint32_t ip, const ms_iface *ifc)
{
    if (ip == 0xFFFFFFFFu)
        return true;
    return ifc && ifc->netmask && ifc->netmask != 0xFFFFFFFFu &&
           (ip & ifc->netmask) == (ifc->addr & ifc->netmask) && (ip | ifc->netmask) == 0xFFFFFFFFu;
}

/* Message type (§5.3, §2.8): asked for, or by target. */
static uint8_t plan_type(const ms_client_opts *o, ms_target_kind kind, uint32_t ip,
                         const ms_iface *ifc)
{
    if (o->type)
        return o->type;
    if (kind == MS_TARGET_HOST)
        return MS_NBDS_DIRECT_UNIQUE;
    if (kind == MS_TARGET_ADDRESS)
        return is_bcast(ip, ifc) ? MS_NBDS_DIRECT_GROUP : MS_NBDS_DIRECT_UNIQUE;
    return MS_NBDS_DIRECT_GROUP;
}

/* RFC 1002 §4.4.3: a BROADCAST's DESTINATION_NAME is '*' (a dest_name
 * given only lends its scope). */
static ms_status broadcast_name(ms_nb_name *dst, const char *dest_name, char *err, size_t errlen)
{
    uint8_t raw[16];
    const char *scope = NULL;
    ms_nb_name given;
    if (dest_name) {
        if (make_name(&given, dest_name, 0x00, err, errlen, "destination name") != MS_OK)
            return MS_ERR_INVALID_ARG;
        scope = strchr(dest_name, '.');
        scope = scope ? scope + 1 : NULL;
    }
    ms_nb_name_pad(raw, "*", 1, 0x00);
    if (ms_nb_name_make(dst, raw, scope) != MS_OK) {
        snprintf(err, errlen, "bad scope in '%s'", dest_name);
        return MS_ERR_INVALID_ARG;
    }
    return MS_OK;
}

static ms_status plan_dst_name(client_plan *p, const ms_client_opts *o, char *err,
                               size_t errlen)
{
    ms_client_info *in = &p->info;
    if (in->type == MS_NBDS_BROADCAST)
        return broadcast_name(&in->dst, o->dest_name, err, errlen);
    if (o->dest_name)
        return make_name(&in->dst, o->dest_name, 0x00, err, errlen, "destination name");
    if (in->kind == MS_TARGET_HOST || in->kind == MS_TARGET_DOMAIN)
        return make_name(&in->dst, p->name, 0x00, err, errlen, "target");
    if (in->kind == MS_TARGET_ALL ||
        (in->kind == MS_TARGET_ADDRESS && in->type == MS_NBDS_DIRECT_GROUP)) {
        char wg[16];
        snprintf(wg, sizeof wg, "%s", o->workgroup);
        upcase(wg);
        if (strlen(o->workgroup) > 15 ||
            make_name(&in->dst, wg, 0x00, err, errlen, "workgroup") != MS_OK) {
            snprintf(err, errlen, "workgroup '%s' is not a NetBIOS name (1 to 15 octets)",
                     o->workgroup);
            return MS_ERR_INVALID_ARG;
        }
        return MS_OK;
    }
    snprintf(err, errlen, "an address target needs the NetBIOS destination name "
                          "(dest_name, e.g. HOST<00>)");
    return MS_ERR_INVALID_ARG;
}

/* The shape: an old-style choice (opts.style) wins, else the layout. */
static ms_sender plan_sender(const ms_client_opts *o, const char *slot)
{
    static const ms_sender by_style[] = { MS_SENDER_WINDOWS_BROWSER,
                                          MS_SENDER_WINDOWS_REDIRECTOR, MS_SENDER_SAMBA_NMBD };
    if (o->style >= MS_STYLE_BROWSER && o->style <= MS_STYLE_SAMBA)
        return by_style[o->style];
    return ms_layout_sender((ms_layout)o->layout, slot, strlen(slot));
}

/* Where the datagrams go: an address, the broadcast, or the name's. */
static void plan_dest_of(client_plan *p, uint32_t ip, const ms_iface *ifc)
{
    ms_client_info *in = &p->info;
    if (in->kind == MS_TARGET_ADDRESS) {
        p->dest = PLAN_DEST_ADDRESS;
        in->dst_ip = ip;
    } else if (ms_client_plan_broadcasts(in->kind, in->type) ||
               in->type != MS_NBDS_DIRECT_UNIQUE) {
        p->dest = PLAN_DEST_BROADCAST;
        in->dst_ip = ifc ? ifc->bcast : 0xFFFFFFFFu;
    } else {
        p->dest = PLAN_DEST_RESOLVE;
    }
}

ms_status ms_client_plan(const char *target, const char *slot, const ms_client_opts *o,
                         const ms_iface *ifc, const char *host, client_plan *p, char *err,
                         size_t errlen)
{
    memset(p, 0, sizeof *p);
    ms_client_info *in = &p->info;
    if (ms_mailslot_name_normalize(slot, in->slot, sizeof in->slot) != MS_OK) {
        snprintf(err, errlen, "'%s' is not a mailslot name (\\MAILSLOT\\NAME[\\...])", slot);
        return MS_ERR_INVALID_ARG;
    }
    if (o->layout < MS_LAYOUT_WINDOWS || o->layout > MS_LAYOUT_SAMBA_AD ||
        o->node_type < MS_NODE_DEFAULT || o->node_type > MS_NODE_H) {
        snprintf(err, errlen, "layout %d or node type %d is not one the library knows",
                 o->layout, o->node_type);
        return MS_ERR_INVALID_ARG;
    }
    p->sender = in->sender = plan_sender(o, in->slot);
    in->nbds_flags = ms_sender_nbds_flags(p->sender, (ms_node_type)o->node_type);
    bool local;
    uint32_t ip;
    ms_status st = ms_client_target(target, &in->kind, &local, &ip, p->name, sizeof p->name,
                                    err, errlen);
    if (st != MS_OK)
        return st;
    if (local) {
        p->dest = PLAN_DEST_LOCAL;
        return MS_OK;
    }
    if (in->kind == MS_TARGET_HOST) {
        if (strlen(p->name) > 15) {
            snprintf(err, errlen, "NetBIOS name '%s' is longer than 15 octets", p->name);
            return MS_ERR_INVALID_ARG;
        }
        upcase(p->name);
        bool group = o->type == MS_NBDS_DIRECT_GROUP || o->type == MS_NBDS_BROADCAST;
        if (group || !strcasecmp(p->name, o->workgroup))
            in->kind = MS_TARGET_DOMAIN;
    }
    in->type = plan_type(o, in->kind, ip, ifc);
    if (!ms_dgram_has_data(in->type)) {
        snprintf(err, errlen, "message type 0x%02x does not carry mailslot data", in->type);
        return MS_ERR_INVALID_ARG;
    }
    if ((st = plan_dst_name(p, o, err, errlen)) != MS_OK)
        return st;
    st = o->from ? make_name(&in->src, o->from, 0x00, err, errlen, "source name")
                 : make_name(&in->src, host, 0x00, err, errlen, "host name");
    if (st != MS_OK)
        return st;
    plan_dest_of(p, ip, ifc);
    in->dport = o->dport;
    in->max_data = ms_client_max_data(in);
    return MS_OK;
}
