/* SPDX-License-Identifier: MIT */
/* Names of NBNS header values, for messages and printers. */
#include "mailslot/nbns.h"

const char *ms_nbns_rcode_name(unsigned rcode)
{
    switch (rcode) {
    case 0: return "OK";
    case MS_NBNS_RCODE_FMT_ERR: return "FMT_ERR";
    case MS_NBNS_RCODE_SRV_ERR: return "SRV_ERR";
    case MS_NBNS_RCODE_NAM_ERR: return "NAM_ERR";
    case MS_NBNS_RCODE_IMP_ERR: return "IMP_ERR";
    case MS_NBNS_RCODE_RFS_ERR: return "RFS_ERR";
    case MS_NBNS_RCODE_ACT_ERR: return "ACT_ERR";
    case MS_NBNS_RCODE_CFT_ERR: return "CFT_ERR";
    default: return "unknown";
    }
}
