/* SPDX-License-Identifier: MIT */
/* Every size rule a message breaks, said at once: a sender that names
 * only the first makes its user fix one and trip over the next. */
#include <stdio.h>
#include <string.h>

#include "client_limits.h"

static size_t data_offset(const ms_client_info *in)
{
    return ms_layout_data_offset(in->sender, strlen(in->slot));
}

static bool group(const ms_client_info *in)
{
    return in->type != MS_NBDS_DIRECT_UNIQUE;
}

size_t ms_client_max_data(const ms_client_info *in)
{
    size_t off = data_offset(in);
    size_t smb_room = off < MS_SMB_MAX ? MS_SMB_MAX - off : 0;
    return group(in) && smb_room > MS_GROUP_MAX_DATA ? MS_GROUP_MAX_DATA : smb_room;
}

size_t ms_client_limits(const ms_client_info *in, size_t len, char *err, size_t errlen)
{
    size_t total = len + in->auth_overhead;
    size_t smb = data_offset(in) + total;
    size_t smb_over = smb > MS_SMB_MAX ? smb - MS_SMB_MAX : 0;
    size_t grp_over = group(in) && total > MS_GROUP_MAX_DATA ? total - MS_GROUP_MAX_DATA : 0;
    size_t broken = (smb_over > 0) + (grp_over > 0);
    if (!broken)
        return 0;
    char smb_text[80] = "", grp_text[80] = "", fit[120] = "";
    if (smb_over)
        snprintf(smb_text, sizeof smb_text, "its SMB message would be %zu octets, %zu over 512",
                 smb, smb_over);
    if (grp_over)
        snprintf(grp_text, sizeof grp_text, "a %s write carries at most 424 data octets, %zu over",
                 in->type == MS_NBDS_BROADCAST ? "broadcast" : "group", grp_over);
    size_t max = ms_client_max_data(in);
    if (in->auth_overhead)
        snprintf(fit, sizeof fit, " with the %zu-octet authentication trailer (%zu data octets fit "
                 "with authentication)", in->auth_overhead,
                 max > in->auth_overhead ? max - in->auth_overhead : 0);
    else
        snprintf(fit, sizeof fit, " (%zu data octets fit)", max);
    snprintf(err, errlen, "message of %zu octets%s is over %s: %s%s%s (PROTOCOL.md §5.4)", len, fit,
             broken == 2 ? "2 limits" : "a limit", smb_text, broken == 2 ? "; " : "", grp_text);
    return broken;
}
