/* SPDX-License-Identifier: MIT */
/* What decode and encode of NETLOGON messages must agree on: which opcodes
 * are SAM logon responses and which layout NtVersion selects for them. */
#ifndef MS_NETLOGON_LAYOUT_H
#define MS_NETLOGON_LAYOUT_H

#include "mailslot/netlogon.h"

static inline bool ms_nl_is_sam_response(uint16_t op)
{
    return (op >= 0x13 && op <= 0x15) || (op >= 0x17 && op <= 0x19);
}

/* §7.7 step 2, exactly as Samba chooses; RAW means "reject". */
static inline ms_netlogon_layout ms_nl_response_layout(uint32_t nt_version)
{
    if (nt_version == MS_NL_NT_VERSION_1)
        return MS_NL_LAYOUT_SAM_RESPONSE_NT40;
    if (nt_version & MS_NL_NT_VERSION_5EX)
        return MS_NL_LAYOUT_SAM_RESPONSE_EX;
    if (nt_version & MS_NL_NT_VERSION_5)
        return MS_NL_LAYOUT_SAM_RESPONSE_NT5;
    return MS_NL_LAYOUT_RAW;
}

#endif
