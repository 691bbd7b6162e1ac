/* SPDX-License-Identifier: MIT */
/* A NetBIOS name given on the command line (listen --register, lookup),
 * read the same way everywhere. */
#ifndef MS_TOOLS_CLI_NBNAME_H
#define MS_TOOLS_CLI_NBNAME_H

#include <stddef.h>

#include "mailslot/netbios.h"

/* NAME (suffix <00>) or NAME<xx>[.scope], <xx> two hex digits (other <xx>
 * escapes inside NAME as ms_nb_name_parse reads them). ASCII letters are
 * upper-cased, as names are registered, so the argument is case-
 * insensitive. At most 15 characters before the suffix. 0, or -1 with a
 * short reason in why ("longer than 15 characters", ...). */
int cli_nb_name_arg(const char *text, ms_nb_name *nb, char *why, size_t whylen);

#endif
