/* SPDX-License-Identifier: MIT */
/* nmbd's names, from its node status answer. */
#include "nmbd_names.h"

#include <string.h>

#include "mailslot/nbns_resolve.h"

static bool same15(const uint8_t *a, const uint8_t *b)
{
    for (size_t i = 0; i < 15; i++) {
        uint8_t x = a[i] >= 'a' && a[i] <= 'z' ? (uint8_t)(a[i] - 32) : a[i];
        uint8_t y = b[i] >= 'a' && b[i] <= 'z' ? (uint8_t)(b[i] - 32) : b[i];
        if (x != y)
            return false;
    }
    return a[15] == b[15];
}

void md_nmbd_names_take(const ms_nbns_node_status *st, const uint8_t our_host[16],
                        md_nmbd_names *out)
{
    memset(out, 0, sizeof *out);
    const uint8_t *first_unique = NULL;
    bool ours = false;
    for (size_t i = 0; i < st->nnames; i++) {
        const ms_nbns_status_name *n = &st->names[i];
        bool group = (n->flags & MS_NBNS_NB_GROUP) != 0;
        /* A name in conflict or being released is not the host's (any
         * longer); one not marked active is not yet. */
        if ((n->flags & (MS_NBNS_NAME_CNF | MS_NBNS_NAME_DRG)) || !(n->flags & MS_NBNS_NAME_ACT))
            continue;
        if (n->name[15] == 0x00 && !group && !first_unique)
            first_unique = n->name;
        if (n->name[15] == 0x00 && !group && same15(n->name, our_host))
            ours = true;
        if (n->name[15] == 0x00 && group && !out->workgroup[0]) {
            size_t len = 15;
            while (len && n->name[len - 1] == ' ')
                len--;
            memcpy(out->workgroup, n->name, len);
            out->workgroup[len] = '\0';
        }
        if (md_name_set_has(&out->set, n->name) ||
            out->set.count == sizeof out->set.n / sizeof out->set.n[0])
            continue;
        memcpy(out->set.n[out->set.count].raw, n->name, 16);
        out->set.n[out->set.count].group = group;
        out->set.count++;
    }
    memcpy(out->host, ours || !first_unique ? our_host : first_unique, 16);
}

ms_status md_nmbd_names_query(uint32_t ip, uint16_t port, int timeout_ms,
                              const uint8_t our_host[16], md_nmbd_names *out, char *err,
                              size_t errlen)
{
    ms_node_status_opts o;
    ms_node_status_opts_init(&o);
    o.dst_ip = ip;
    o.port = port;
    o.timeout_ms = timeout_ms;
    static ms_node_status_reply r; /* 255 names: not on the stack */
    ms_status st = ms_nbns_node_status_query(&o, &r, NULL, err, errlen);
    if (st != MS_OK)
        return st;
    md_nmbd_names_take(&r.status, our_host, out);
    return MS_OK;
}
