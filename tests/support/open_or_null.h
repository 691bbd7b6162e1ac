/* SPDX-License-Identifier: MIT */
/* For tests that create many objects in a row: the library's calls in the
 * shape "object, or NULL with *st", the reason in the test's own `err`
 * buffer. Include after `static char err[512];`. */
#ifndef MS_TEST_OPEN_OR_NULL_H
#define MS_TEST_OPEN_OR_NULL_H

#include "mailslot/client.h"
#include "mailslot/server.h"

static inline ms_mailslot *slot_create(ms_server *s, const char *name, uint32_t max,
                                       uint32_t timeout, ms_status *st)
{
    ms_mailslot *m = NULL;
    ms_status r = ms_mailslot_create(s, name, max, timeout, &m);
    if (st)
        *st = r;
    return m;
}

static inline ms_server *server_open(const ms_server_opts *o)
{
    ms_server *s = NULL;
    if (ms_server_open(o, &s, err, sizeof err) != MS_OK)
        return NULL;
    return s;
}

static inline ms_client *path_open(const char *path, ms_status *st)
{
    ms_client *c = NULL;
    *st = ms_client_open_path(path, NULL, &c, err, sizeof err);
    return c;
}

#endif
