/* SPDX-License-Identifier: MIT */
/* One-shot questions to mailslotd (daemon_link.h): is it there and which
 * names does it hold (HELLO, WELCOME), and its state (STATUS). */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "dlink.h"
#include "errf.h"
#include "sized.h"

ms_status ms_daemon_probe(const char *dir, int timeout_ms, ms_daemon_hello *out, char *err,
                          size_t errlen)
{
    if (out && out->size < sizeof out->size)
        return MS_ERR_INVALID_ARG;
    dlink_opts o = { dir, NULL, NULL, timeout_ms };
    dlink *l;
    ms_status st = dlink_open(&o, NULL, &l, err, errlen);
    if (st != MS_OK)
        return st;
    if (out)
        dlink_hello(l, out);
    dlink_close(l);
    return MS_OK;
}

ms_status ms_daemon_status(const char *dir, int timeout_ms, char *json, size_t cap, char *err,
                           size_t errlen)
{
    if (!json || !cap)
        return MS_ERR_INVALID_ARG;
    json[0] = 0;
    dlink_opts o = { dir, NULL, NULL, timeout_ms };
    dlink *l;
    ms_status st = dlink_open(&o, NULL, &l, err, errlen);
    if (st != MS_OK)
        return st;
    ms_ctl_msg req, ans;
    ms_ctl_init(&req, MS_CTL_STATUS);
    req.have = MS_CTL_BIT(MS_CTL_A_VERSION);
    st = dlink_call(l, &req, &ans, err, errlen);
    if (st == MS_OK && ans.type != MS_CTL_STATUS_REPLY) {
        ms_errf(err, errlen, "mailslotd answered STATUS with a %s", ms_ctl_type_name(ans.type));
        st = MS_ERR_BAD_INPUT;
    } else if (st == MS_OK && ans.json.len >= cap) {
        ms_errf(err, errlen, "mailslotd's status is %zu octets, more than %zu", ans.json.len,
                cap - 1);
        st = MS_ERR_NO_SPACE;
    } else if (st == MS_OK) {
        if (ans.json.len)
            memcpy(json, ans.json.p, ans.json.len);
        json[ans.json.len] = 0;
    }
    dlink_close(l);
    return st;
}

/* Same name: 15 octets without regard to ASCII case, the suffix and
 * the scope's labels (case-insensitively, as DNS labels are). */
static bool same_name(const ms_nb_name *a, const ms_nb_name *b)
{
    for (int i = 0; i < 15; i++)
        if (toupper(a->name[i]) != toupper(b->name[i]))
            return false;
    if (a->name[15] != b->name[15])
        return false;
    size_t sa = a->wire_len - a->scope_off, sb = b->wire_len - b->scope_off;
    if (sa != sb)
        return false;
    for (size_t i = 0; i < sa; i++)
        if (toupper(a->wire[a->scope_off + i]) != toupper(b->wire[b->scope_off + i]))
            return false;
    return true;
}

bool ms_daemon_holds_name(const ms_daemon_hello *h, const ms_nb_name *name)
{
    for (size_t i = 0; h && name && i < h->nnames && i < MS_CTL_MAX_NAMES; i++) {
        ms_nb_name n;
        if (ms_nb_name_parse(&n, h->names[i], strlen(h->names[i])) == MS_OK &&
            same_name(&n, name))
            return true;
    }
    return false;
}

const char *ms_daemon_use_name(ms_daemon_use u)
{
    switch (u) {
    case MS_DAEMON_AUTO: return "auto";
    case MS_DAEMON_NEVER: return "never";
    case MS_DAEMON_REQUIRE: return "require";
    }
    return "unknown";
}
