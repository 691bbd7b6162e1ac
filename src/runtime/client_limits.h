/* SPDX-License-Identifier: MIT */
/* The size rules of a remote mailslot write (PROTOCOL.md §5.4), all of
 * them at once (private): the whole SMB message within 512 octets
 * (MS-MAIL <2>, rule D-11) and, for group and broadcast writes, the data
 * within 424 octets (CreateMailslot, rule D-13). Pure: no socket. */
#ifndef MS_RUNTIME_CLIENT_LIMITS_H
#define MS_RUNTIME_CLIENT_LIMITS_H

#include "mailslot/client.h"

/* The most data octets a write of this plan carries (the tighter rule). */
size_t ms_client_max_data(const ms_client_info *in);

/* How many rules a message of len octets (plus in->auth_overhead) breaks:
 * 0, or 1..2 with one line in err naming each rule and its excess. */
size_t ms_client_limits(const ms_client_info *in, size_t len, char *err, size_t errlen);

#endif
