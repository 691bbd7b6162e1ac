/* SPDX-License-Identifier: MIT */
/* Name service events and states in words: the one-line text a program
 * logs and the short names its JSON carries. */
#include <stdio.h>

#include "mailslot/name_service.h"
#include "mailslot/net.h"

const char *ms_name_event_kind_name(ms_name_event_kind k)
{
    switch (k) {
    case MS_NAME_EV_REGISTERED: return "registered";
    case MS_NAME_EV_REFUSED: return "refused";
    case MS_NAME_EV_DEFENDED: return "defended";
    case MS_NAME_EV_CONFLICT: return "conflict";
    case MS_NAME_EV_CONFLICT_IGNORED: return "conflict_ignored";
    case MS_NAME_EV_REFRESHED: return "refreshed";
    case MS_NAME_EV_REFRESH_FAILED: return "refresh_failed";
    case MS_NAME_EV_WINS_SILENT: return "wins_silent";
    case MS_NAME_EV_RELEASED: return "released";
    }
    return "unknown";
}

const char *ms_name_state_name(ms_name_state s)
{
    switch (s) {
    case MS_NAME_REGISTERING: return "registering";
    case MS_NAME_ACTIVE: return "active";
    case MS_NAME_REFUSED: return "refused";
    case MS_NAME_CONFLICT: return "conflict";
    case MS_NAME_RELEASED: return "released";
    }
    return "unknown";
}

size_t ms_name_event_format(const ms_name_event *ev, char *out, size_t cap)
{
    char name[300], peer[16], owner[16];
    ms_nb_name_format(ev->name, name, sizeof name);
    ms_ip_format(ev->peer_ip, peer, sizeof peer);
    ms_ip_format(ev->owner_ip, owner, sizeof owner);
    const char *kind = ev->group ? " (group)" : "";
    const char *sep = ev->note[0] ? ": " : "";
    int n = 0;
    switch (ev->kind) {
    case MS_NAME_EV_REGISTERED:
        if (ev->wins)
            n = snprintf(out, cap, "registered %s%s with WINS server %s, TTL %u s", name, kind,
                         peer, ev->ttl);
        else
            n = snprintf(out, cap, "registered %s%s %s", name, kind, ev->note);
        break;
    case MS_NAME_EV_REFUSED:
        if (ev->owner_ip)
            n = snprintf(out, cap, "refused %s%s: held by %s (%s from %s%s, %s)", name, kind,
                         owner, ev->note, ev->wins ? "WINS server " : "", peer,
                         ms_nbns_rcode_name(ev->rcode));
        else if (ev->peer_ip)
            n = snprintf(out, cap, "refused %s%s: %s (from %s%s, %s)", name, kind, ev->note,
                         ev->wins ? "WINS server " : "", peer, ms_nbns_rcode_name(ev->rcode));
        else
            n = snprintf(out, cap, "refused %s%s: %s", name, kind, ev->note);
        break;
    case MS_NAME_EV_DEFENDED:
        n = snprintf(out, cap, "defended %s%s: refused its registration by %s", name, kind,
                     peer);
        break;
    case MS_NAME_EV_CONFLICT:
        n = snprintf(out, cap, "gave up %s%s: %s (%s)", name, kind, ev->note, peer);
        break;
    case MS_NAME_EV_CONFLICT_IGNORED:
        n = snprintf(out, cap, "kept %s%s: conflict demand from %s ignored%s%s", name, kind,
                     peer, sep, ev->note);
        break;
    case MS_NAME_EV_REFRESHED:
        n = snprintf(out, cap, "refreshed %s%s with WINS server %s, TTL %u s", name, kind, peer,
                     ev->ttl);
        break;
    case MS_NAME_EV_REFRESH_FAILED:
        n = snprintf(out, cap, "refresh of %s%s: WINS server %s did not answer%s%s", name, kind,
                     peer, sep, ev->note);
        break;
    case MS_NAME_EV_WINS_SILENT:
        n = snprintf(out, cap, "WINS server %s did not answer for %s%s%s%s", peer, name, kind,
                     sep, ev->note);
        break;
    case MS_NAME_EV_RELEASED:
        n = snprintf(out, cap, "released %s%s%s%s", name, kind, sep, ev->note);
        break;
    }
    return n < 0 ? 0 : (size_t)n;
}
