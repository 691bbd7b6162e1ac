/* SPDX-License-Identifier: MIT */
/* Mailslot names as programs write them (\\.\mailslot\x, \MAILSLOT\x,
 * mailslot\x, '/' for '\') and as the wire carries them (\MAILSLOT\x). */
#include <string.h>
#include <strings.h>

#include "mailslot/message.h"

static const char prefix[] = "\\MAILSLOT\\";
#define PREFIX_LEN (sizeof prefix - 1)

ms_status ms_mailslot_name_normalize(const char *in, char *out, size_t cap)
{
    char tmp[MS_MAILSLOT_NAME_MAX + 16];
    size_t n = strlen(in);
    if (n >= sizeof tmp)
        return MS_ERR_NO_SPACE;
    for (size_t i = 0; i <= n; i++)
        tmp[i] = in[i] == '/' ? '\\' : in[i];
    const char *p = tmp;
    if (!strncmp(p, "\\\\.\\", 4))
        p += 4;               /* \\.\mailslot\x: the local form */
    else if (*p == '\\')
        p += 1;
    if (strncasecmp(p, "mailslot\\", 9) != 0)
        return MS_ERR_INVALID_ARG;
    const char *tail = p + 9;
    if (!*tail || *tail == '\\')
        return MS_ERR_INVALID_ARG;
    size_t need = PREFIX_LEN + strlen(tail) + 1;
    if (need > cap || need > MS_MAILSLOT_NAME_MAX + 1)
        return MS_ERR_NO_SPACE;
    memcpy(out, prefix, PREFIX_LEN);
    memcpy(out + PREFIX_LEN, tail, strlen(tail) + 1);
    return MS_OK;
}

bool ms_mailslot_name_is_local(const char *name)
{
    return name && (name[0] == '\\' || name[0] == '/') && (name[1] == '\\' || name[1] == '/') &&
           name[2] == '.' && (name[3] == '\\' || name[3] == '/');
}
