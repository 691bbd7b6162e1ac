/* SPDX-License-Identifier: MIT */
/* Every size rule a message breaks, said at once: a sender that names
 * only the first makes its user fix one and trip over the next. */
#include <stdio.h>
#include <string.h>

#include "client_limits.h"

static bool group(uint8_t type)
{
    return type != MS_NBDS_DIRECT_UNIQUE;
}

/* The most data octets a write of this type and DataOffset carries. */
static size_t max_data(uint8_t type, size_t data_offset)
{
    size_t smb_room = data_offset < MS_SMB_MAX ? MS_SMB_MAX - data_offset : 0;
    return group(type) && smb_room > MS_GROUP_MAX_DATA ? MS_GROUP_MAX_DATA : smb_room;
}

static size_t data_offset(const ms_client_info *in)
{
    return ms_layout_data_offset(in->sender, strlen(in->slot));
}

size_t ms_client_max_data(const ms_client_info *in)
{
    return max_data(in->type, data_offset(in));
}

size_t ms_write_limits(uint8_t type, size_t doff, size_t len, size_t trailer, char *err,
                       size_t errlen)
{
    size_t total = len + trailer;
    size_t smb = doff + total;
    size_t smb_over = smb > MS_SMB_MAX ? smb - MS_SMB_MAX : 0;
    size_t grp_over = group(type) && total > MS_GROUP_MAX_DATA ? total - MS_GROUP_MAX_DATA : 0;
    size_t broken = (smb_over > 0) + (grp_over > 0);
    if (!broken)
        return 0;
    char smb_text[80] = "", grp_text[80] = "", fit[120] = "";
    if (smb_over)
        snprintf(smb_text, sizeof smb_text, "its SMB message would be %zu octets, %zu over 512",
                 smb, smb_over);
    if (grp_over)
        snprintf(grp_text, sizeof grp_text, "a %s write carries at most 424 data octets, %zu over",
                 type == MS_NBDS_BROADCAST ? "broadcast" : "group", grp_over);
    size_t max = max_data(type, doff);
    if (trailer)
        snprintf(fit, sizeof fit, " with the %zu-octet authentication trailer (%zu data octets fit "
                 "with authentication)", trailer, max > trailer ? max - trailer : 0);
    else
        snprintf(fit, sizeof fit, " (%zu data octets fit)", max);
    snprintf(err, errlen, "message of %zu octets%s is over %s: %s%s%s (PROTOCOL.md §5.4)", len, fit,
             broken == 2 ? "2 limits" : "a limit", smb_text, broken == 2 ? "; " : "", grp_text);
    return broken;
}

size_t ms_client_limits(const ms_client_info *in, size_t len, char *err, size_t errlen)
{
    return ms_write_limits(in->type, data_offset(in), len, in->auth_overhead, err, errlen);
}
