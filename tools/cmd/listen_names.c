/* SPDX-License-Identifier: MIT */
/* `listen --register`: names registered before they are answered (the
 * library's name service), events said as they happen. */
#include "listen_names.h"

#include <string.h>

#include "cli.h"
#include "cli_nbname.h"

/* Long enough for a WINS server that sends WACKs; B nodes need 750 ms. */
#define REGISTER_WAIT_MS 60000

int ln_add(listen_names *ln, const char *text, bool group)
{
    if (ln->n == LISTEN_MAX_NAMES) {
        cli_error("listen", "at most %d names (--register, --register-group)",
                  LISTEN_MAX_NAMES);
        return EXIT_USAGE;
    }
    ln->text[ln->n] = text;
    ln->group[ln->n] = group;
    ln->n++;
    return EXIT_OK;
}

static void event_json(json_out *j, const ms_name_event *ev, const char *line)
{
    char name[300];
    ms_nb_name_format(ev->name, name, sizeof name);
    jo_begin(j, NULL);
    jo_cstr(j, "event", ms_name_event_kind_name(ev->kind));
    jo_cstr(j, "name", name);
    jo_bool(j, "group", ev->group);
    jo_bool(j, "wins", ev->wins);
    if (ev->peer_ip)
        jo_ipv4(j, "peer", ev->peer_ip);
    if (ev->owner_ip)
        jo_ipv4(j, "owner", ev->owner_ip);
    if (ev->ttl && (ev->kind == MS_NAME_EV_REGISTERED || ev->kind == MS_NAME_EV_REFRESHED))
        jo_uint(j, "ttl", ev->ttl);
    jo_cstr(j, "text", line);
    jo_end_line(j);
    fflush(j->f);
}

/* Every event: one line on stderr; with --json also an object on stdout
 * (the only objects there with an "event" key). */
static void on_event(const ms_name_event *ev, void *ctx)
{
    listen_names *ln = ctx;
    char line[600];
    ms_name_event_format(ev, line, sizeof line);
    cli_error("listen", "%s", line);
    if (ln->json && ln->j)
        event_json(ln->j, ev, line);
}

int ln_open(listen_names *ln, ms_loop *loop, const ms_iface *ifc, uint32_t bind_ip,
            uint32_t our_ip)
{
    ms_nb_name nb[LISTEN_MAX_NAMES];
    for (size_t i = 0; i < ln->n; i++) {
        char why[64];
        if (cli_nb_name_arg(ln->text[i], &nb[i], why, sizeof why) != 0) {
            cli_error("listen", "%s: '%s' is not a NetBIOS name (NAME or NAME<xx>): %s",
                      ln->group[i] ? "--register-group" : "--register", ln->text[i], why);
            return EXIT_USAGE;
        }
    }
    ms_name_service_opts o;
    ms_name_service_opts_init(&o);
    o.our_ip = our_ip;
    o.bind_ip = bind_ip;
    o.bcast_ip = ifc->bcast;
    o.netmask = ifc->netmask;
    o.wins_ip = ln->wins_ip;
    o.ignore_conflict_demand = ln->ignore_conflict_demand;
    if (ifc->has_mac)
        memcpy(o.mac, ifc->mac, sizeof o.mac);
    o.on_event = on_event;
    o.ctx = ln;
    char err[512];
    ms_status st = ms_name_service_open(loop, &o, &ln->ns, err, sizeof err);
    if (st != MS_OK) {
        cli_error("listen", "--register: %s", err);
        return st == MS_ERR_INVALID_ARG ? EXIT_USAGE : EXIT_SYSTEM;
    }
    for (size_t i = 0; i < ln->n; i++) {
        st = ms_name_service_add(ln->ns, &nb[i], ln->group[i]);
        if (st == MS_ERR_EXISTS) {
            cli_error("listen", "'%s' is given twice", ln->text[i]);
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

int ln_wait(listen_names *ln)
{
    if (!ln->ns)
        return EXIT_OK;
    char err[600];
    ms_status st = ms_name_service_wait(ln->ns, REGISTER_WAIT_MS, err, sizeof err);
    if (st == MS_OK)
        return EXIT_OK;
    if (st == MS_ERR_STOPPED)
        return -1;
    if (st != MS_ERR_EXISTS) /* a refusal was said by its event already */
        cli_error("listen", "%s", err);
    return EXIT_SYSTEM;
}

void ln_print_stats(const listen_names *ln, FILE *f)
{
    if (!ln->ns)
        return;
    ms_name_stats s = MS_SIZED(ms_name_stats);
    ms_name_service_get_stats(ln->ns, &s);
    fprintf(f,
            "mailslot listen: names: %llu registered, %llu refused, %llu released; "
            "%llu queries answered, %llu node status answered, %llu registrations defended, "
            "%llu conflicts (%llu demands ignored), %llu WINS refreshes\n",
            (unsigned long long)s.registered, (unsigned long long)s.refused,
            (unsigned long long)s.released, (unsigned long long)s.queries_answered,
            (unsigned long long)s.status_answered, (unsigned long long)s.defended,
            (unsigned long long)s.conflicts, (unsigned long long)s.conflicts_ignored,
            (unsigned long long)s.refreshed);
}

void ln_close(listen_names *ln)
{
    ms_name_service_close(ln->ns);
    ln->ns = NULL;
}
