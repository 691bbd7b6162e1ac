/* SPDX-License-Identifier: MIT */
/* `listen` beside mailslotd (listen_daemon.h). The daemon owns UDP 138;
 * a listener that bound it too (or took unicast writes from it) would
 * break what the issue set out to fix, so a network listen either goes
 * through the daemon or says why it cannot. */
#include "listen_daemon.h"

#include <errno.h>
#include <string.h>

#include "cli.h"
#include "cli_nbname.h"

static void on_daemon(const ms_daemon_event *ev, void *ctx)
{
    (void)ctx;
    cli_error("listen", "%s", ev->text);
}

/* A --register name the daemon holds: refused (it answers for it). */
static int names_held(const listen_daemon *ld, const listen_names *names)
{
    for (size_t i = 0; names && i < names->n; i++) {
        ms_nb_name nb;
        char why[64];
        if (cli_nb_name_arg(names->text[i], &nb, why, sizeof why) != 0)
            continue; /* ln_open says what is wrong with it */
        if (ms_daemon_holds_name(&ld->hello, &nb)) {
            char text[300];
            ms_nb_name_format(&nb, text, sizeof text);
            cli_error("listen", "%s: mailslotd (%s) holds %s already; it answers for the "
                                "name itself",
                      names->group[i] ? "--register-group" : "--register", ld->hello.path, text);
            return EXIT_SYSTEM;
        }
    }
    return EXIT_OK;
}

int ld_decide(listen_daemon *ld, ms_server_opts *so, const char *what,
              const listen_names *names)
{
    ld->via = false;
    if (ld->direct || so->pcap_iface) {
        so->daemon = MS_DAEMON_NEVER;
        return EXIT_OK;
    }
    char err[400] = "";
    ld->hello = MS_SIZED(ms_daemon_hello);
    ms_status st = ms_daemon_probe(NULL, 0, &ld->hello, err, sizeof err);
    int e = errno;
    if (st == MS_ERR_NOT_FOUND || (st == MS_ERR_SYSTEM && (e == EACCES || e == EPERM))) {
        so->daemon = MS_DAEMON_NEVER; /* nobody there for us: the old way */
        return EXIT_OK;
    }
    if (st != MS_OK) {
        cli_error("listen", "%s; --direct listens without it", err);
        return EXIT_SYSTEM;
    }
    if (what) {
        cli_error("listen", "mailslotd runs (%s) and owns UDP 138: %s does not go through it; "
                            "--direct binds the socket anyway",
                  ld->hello.path, what);
        return EXIT_SYSTEM;
    }
    int rc = names_held(ld, names);
    if (rc != EXIT_OK)
        return rc;
    ld->via = true;
    so->daemon = MS_DAEMON_REQUIRE;
    so->on_daemon = on_daemon;
    return EXIT_OK;
}

void ld_announce(const listen_daemon *ld, size_t nslots, size_t nlocal)
{
    if (!ld->via)
        return;
    if (nslots == 0 && nlocal == 0)
        cli_error("listen", "through mailslotd (%s): a monitor, copies of every message",
                  ld->hello.path);
    else
        cli_error("listen", "through mailslotd (%s): creator of %zu mailslot%s",
                  ld->hello.path, nslots + nlocal, nslots + nlocal == 1 ? "" : "s");
}

int ld_refused(const listen_daemon *ld, const ms_server *srv, const char *what, ms_status st)
{
    ms_daemon_link_info i = MS_SIZED(ms_daemon_link_info);
    ms_server_get_daemon(srv, &i);
    const char *why = i.refusal[0] ? i.refusal : ms_strerror(st);
    if (st == MS_ERR_EXISTS)
        cli_error("listen", "%s: another program created it (mailslotd %s: %s)", what,
                  ld->hello.path, why);
    else if (st == MS_ERR_TIMEOUT)
        cli_error("listen", "%s: mailslotd (%s) did not answer", what, ld->hello.path);
    else
        cli_error("listen", "mailslotd (%s) refused %s: %s%s", ld->hello.path, what, why,
                  !strcmp(what, "the monitor") ? "; name mailslots with --slot, or --direct"
                                                : "");
    return EXIT_SYSTEM;
}

void ld_print_stats(const listen_daemon *ld, const ms_server *srv, FILE *f)
{
    if (!ld->via)
        return;
    ms_daemon_link_info i = MS_SIZED(ms_daemon_link_info);
    ms_server_get_daemon(srv, &i);
    fprintf(f,
            "mailslot listen: mailslotd: %llu delivered, %llu dropped by the daemon (its queue "
            "full), %llu refused, %llu detaches, %llu mailslots lost\n",
            (unsigned long long)i.delivered, (unsigned long long)i.dropped,
            (unsigned long long)i.refused, (unsigned long long)i.detaches,
            (unsigned long long)i.lost);
}
