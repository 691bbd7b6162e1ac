/* SPDX-License-Identifier: MIT */
/* X-04 (check --as): every field where a write departs from the shape a
 * given sender would have used for it (layout.h, docs/LAYOUTS.md), so an
 * interop tester sees at once why a Windows peer might take a Linux-made
 * frame differently. Asked for only; never a MUST. */
#include <string.h>

#include "mailslot/layout.h"
#include "validator.h"

/* Fields whose values read better in hex. */
static bool hex_field(const char *field)
{
    static const char *const hex[] = { "nbdgm.flags", "smb.flags", "smb.flags2", "smb.pid_low",
                                       "smb.status", "smb.security", "trans.flags" };
    for (size_t i = 0; i < sizeof hex / sizeof hex[0]; i++)
        if (!strcmp(field, hex[i]))
            return true;
    return false;
}

void ms_validate_layout(const ms_message *m, ms_layout as, ms_report *r)
{
    if (!m->has_smb)
        return;
    const ms_trans *t = &m->trans;
    ms_sender s = ms_layout_sender(as, (const char *)t->name.p, t->name.len);
    ms_layout_departure d[24];
    size_t n = ms_layout_departures(m, s, d, sizeof d / sizeof d[0]);
    const char *who = ms_sender_name(s);
    for (size_t i = 0; i < n && i < sizeof d / sizeof d[0]; i++) {
        unsigned long long have = d[i].have, want = d[i].want;
        if (!strcmp(d[i].field, "nbdgm.flags"))
            ADD(r, "X-04", d[i].field, d[i].offset,
                "FLAGS 0x%02llx: %s writes 0x%02llx (B node; P 0x06, H 0x0e)", have, who, want);
        else if (hex_field(d[i].field))
            ADD(r, "X-04", d[i].field, d[i].offset, "%s 0x%llx: %s writes 0x%llx", d[i].field,
                have, who, want);
        else
            ADD(r, "X-04", d[i].field, d[i].offset, "%s %llu: %s writes %llu", d[i].field, have,
                who, want);
    }
}
