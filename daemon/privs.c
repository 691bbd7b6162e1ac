/* SPDX-License-Identifier: MIT */
/* setuid (through the library) and an empty capability set. */
#include "privs.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mailslot/net.h"

/* No capability left: permitted, effective, inheritable and ambient
 * emptied (lowering one's own capabilities needs none). */
static ms_status drop_caps(char *err, size_t errlen)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];
    memset(none, 0, sizeof none);
    (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (syscall(SYS_capset, &h, none) != 0) {
        snprintf(err, errlen, "capset: %s", strerror(errno));
        return MS_ERR_SYSTEM;
    }
    return MS_OK;
}

ms_status md_drop_privileges(const char *user, char *err, size_t errlen)
{
    if (user && *user) {
        bool dropped = false;
        ms_status st = ms_net_drop_privileges(user, &dropped, err, errlen);
        if (st != MS_OK)
            return st;
    }
    /* Root that stays root keeps its capabilities: it owns files (the
     * runtime directory) it may have to remove. */
    if (geteuid() == 0 && !(user && *user))
        return MS_OK;
    return drop_caps(err, errlen);
}
