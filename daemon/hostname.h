/* SPDX-License-Identifier: MIT */
/* The host's NetBIOS name, made from its host name as Windows makes a
 * computer's: cut at the first dot, upper case, at most 15 octets. */
#ifndef MD_HOSTNAME_H
#define MD_HOSTNAME_H

#include <stddef.h>
#include <stdint.h>

#include "mailslot/status.h"

/* From a host name: the 16 octets (suffix 0x00). A character a NetBIOS
 * name may not hold becomes '-'. MS_ERR_INVALID_ARG when nothing is left
 * (empty, or a name starting with a dot). */
ms_status md_host_name_from(const char *host, uint8_t raw[16]);
/* The same from gethostname(2); err says why not. */
ms_status md_host_name(uint8_t raw[16], char *err, size_t errlen);

#endif
