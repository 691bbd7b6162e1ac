/* SPDX-License-Identifier: MIT */
/* The host's NetBIOS names, held with the library's name service (one per
 * interface served, all on the same port):
 *
 *   HOST<00>       unique: the host name (hostname.h); mailslot writes to
 *                  \\HOST go to it, and SEND uses it as the source
 *   NAME<00>       unique: each --name (or NAME<xx> as given)
 *   WORKGROUP<00>  group: writes to \\WORKGROUP and \\* go to it
 *
 * and nothing else: no HOST<20> (that says "file server here", and
 * nothing answers SMB on this host for us), no HOST<03> (the Messenger
 * service, gone since Windows Vista), no WORKGROUP<1e> or <1d> (those are
 * the browser's; mailslotd takes no part in browser elections, which
 * would oblige it to serve browse lists). A Windows workstation
 * registers <00>, <20> when it shares files, and <1e> while its browser
 * service runs. Every event is logged; the set of names held now is kept
 * for routing. */
#ifndef MD_NAMES_H
#define MD_NAMES_H

#include "md_limits.h"
#include "mailslot/loop.h"
#include "mailslot/name_service.h"
#include "mailslot/net.h"
#include "opts.h"
#include "route.h"

typedef struct md_names md_names;

typedef struct md_ifns {
    md_names *owner;
    ms_iface ifc;
    ms_name_service *ns;
} md_ifns;

struct md_names {
    md_ifns ifs[MD_MAX_IFACES];
    size_t nifs;
    uint8_t host[16];
    uint8_t extra[MD_MAX_NAMES][16];
    size_t nextra;
    char workgroup[16];
    md_name_set held;       /* ACTIVE on some interface, now */
};

/* Resolve the interfaces (s->ifaces, or the first one up), open a name
 * service on each (port; a unicast WINS server from s->wins) and start
 * registering every name. MS_ERR_EXISTS when another program holds the
 * port (err names it), MS_ERR_NOT_FOUND for an interface, else the
 * service's status. */
ms_status md_names_open(md_names *n, ms_loop *loop, const md_settings *s, const uint8_t host[16],
                        uint16_t port, char *err, size_t errlen);
/* Wait for every registration to end (at most timeout_ms): MS_OK (a
 * refused name was logged and is simply not held), MS_ERR_STOPPED. */
ms_status md_names_wait(md_names *n, int timeout_ms);
/* A new configuration: names and workgroup added and removed. */
void md_names_apply(md_names *n, const md_settings *s);
/* Release every name and close. */
void md_names_close(md_names *n);
/* The interface that holds address ip, else the first. */
const md_ifns *md_names_iface_for(const md_names *n, uint32_t ip);

#endif
