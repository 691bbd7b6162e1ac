/* SPDX-License-Identifier: MIT */
/* Giving up privilege once the ports are bound: the user (when started
 * as root and told to), then every capability (the one the unit grants,
 * CAP_NET_BIND_SERVICE, is needed only for the binds). */
#ifndef MD_PRIVS_H
#define MD_PRIVS_H

#include <stddef.h>

#include "mailslot/status.h"

/* user "" or NULL: keep the user. MS_ERR_SYSTEM with err. */
ms_status md_drop_privileges(const char *user, char *err, size_t errlen);

#endif
