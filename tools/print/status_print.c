/* SPDX-License-Identifier: MIT */
/* mailslotd's STATUS object in words: one line for the daemon, a table of
 * names, a table of mailslots, the counters that are not zero. */
#include "status_print.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "json_read.h"

static const char *s_of(const json_doc *d, json_ref o, const char *key)
{
    const char *s = json_str(d, json_get(d, o, key), NULL);
    return s ? s : "?";
}

static uint64_t u_of(const json_doc *d, json_ref o, const char *key)
{
    uint64_t v = 0;
    json_u64(d, json_get(d, o, key), &v);
    return v;
}

static bool b_of(const json_doc *d, json_ref o, const char *key)
{
    bool v = false;
    json_bool(d, json_get(d, o, key), &v);
    return v;
}

static void daemon_line(FILE *f, const json_doc *d, json_ref dm, json_ref ifs)
{
    fprintf(f, "mailslotd %s, pid %" PRIu64 ", up %" PRIu64 " s: host %s, workgroup %s\n",
            s_of(d, dm, "version"), u_of(d, dm, "pid"), u_of(d, dm, "uptime_s"),
            s_of(d, dm, "host"), s_of(d, dm, "workgroup"));
    fprintf(f, "control socket %s; UDP %" PRIu64 " and %" PRIu64 "; queue %" PRIu64
               " messages per mailslot, %" PRIu64 " octets queued\n",
            s_of(d, dm, "control"), u_of(d, dm, "port"), u_of(d, dm, "name_port"),
            u_of(d, dm, "queue"), u_of(d, dm, "queued_octets"));
    for (size_t i = 0; i < json_len(d, ifs); i++) {
        json_ref x = json_at(d, ifs, i);
        fprintf(f, "interface %s %s (broadcast %s)\n", s_of(d, x, "name"), s_of(d, x, "address"),
                s_of(d, x, "broadcast"));
    }
}

static void names(FILE *f, const json_doc *d, json_ref a)
{
    fprintf(f, "\nnames:\n");
    if (!json_len(d, a))
        fprintf(f, "  (none)\n");
    for (size_t i = 0; i < json_len(d, a); i++) {
        json_ref x = json_at(d, a, i);
        fprintf(f, "  %-20s %-6s %-12s %s%s\n", s_of(d, x, "name"),
                b_of(d, x, "group") ? "group" : "unique", s_of(d, x, "state"),
                s_of(d, x, "interface"), b_of(d, x, "wins") ? " (WINS)" : "");
    }
}

static void mailslots(FILE *f, const json_doc *d, json_ref a, uint64_t left_out)
{
    fprintf(f, "\nmailslots:\n");
    if (!json_len(d, a))
        fprintf(f, "  (none)\n");
    for (size_t i = 0; i < json_len(d, a); i++) {
        json_ref x = json_at(d, a, i);
        fprintf(f, "  %-28s pid %-7" PRIu64 " uid %-6" PRIu64 " queued %" PRIu64 "/%" PRIu64
                   ", delivered %" PRIu64 ", dropped %" PRIu64 "\n",
                b_of(d, x, "monitor") ? "* (monitor)" : s_of(d, x, "name"), u_of(d, x, "pid"),
                u_of(d, x, "uid"), u_of(d, x, "queued"), u_of(d, x, "queue_max"),
                u_of(d, x, "delivered"), u_of(d, x, "dropped"));
    }
    if (left_out)
        fprintf(f, "  ... and %" PRIu64 " more (the reply holds at most 64 KiB)\n", left_out);
}

/* Every counter that is not zero, as "name N", a few to a line. */
static void counters(FILE *f, const json_doc *d, json_ref o, size_t nclients)
{
    fprintf(f, "\nclients attached: %zu\ncounters:", nclients);
    size_t col = 0, shown = 0;
    for (size_t i = 0; i < json_len(d, o); i++) {
        json_ref x = json_at(d, o, i);
        uint64_t v;
        const char *k = json_key(d, x, NULL);
        if (!k || !json_u64(d, x, &v) || v == 0)
            continue;
        if (col == 0 || col > 60) {
            fprintf(f, "%s\n ", shown ? "," : "");
            col = 1;
        } else {
            fprintf(f, ",");
        }
        col += (size_t)fprintf(f, " %s %" PRIu64, k, v);
        shown++;
    }
    fprintf(f, "%s\n", shown ? "" : " all zero");
}

int status_print_text(FILE *f, const char *json, size_t len, char *err, size_t errlen)
{
    json_doc *d = json_parse(json, len, err, errlen);
    if (!d)
        return -1;
    json_ref root = json_root(d);
    json_ref dm = json_get(d, root, "daemon"), ms = json_get(d, root, "mailslots");
    if (json_type(d, dm) != JSON_OBJECT || json_type(d, ms) != JSON_ARRAY) {
        snprintf(err, errlen, "no \"daemon\" object or \"mailslots\" array");
        json_free(d);
        return -1;
    }
    daemon_line(f, d, dm, json_get(d, root, "interfaces"));
    names(f, d, json_get(d, root, "names"));
    mailslots(f, d, ms, u_of(d, root, "mailslots_left_out"));
    counters(f, d, json_get(d, root, "counters"), json_len(d, json_get(d, root, "clients")));
    json_free(d);
    return 0;
}
