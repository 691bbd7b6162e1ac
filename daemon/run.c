/* SPDX-License-Identifier: MIT */
/* Start, run, reload, stop. */
#include "run.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostname.h"
#include "log.h"
#include "privs.h"
#include "values.h"

volatile sig_atomic_t md_got_term, md_got_hup;
ms_loop *volatile md_signal_loop;

/* Long enough for a WINS server that sends WACKs; B nodes need 750 ms. */
#define REGISTER_WAIT_MS 60000

static void say_names(const md *d)
{
    char line[512] = "", t[24];
    for (size_t i = 0; i < d->names.held.count; i++) {
        md_nbname_text(d->names.held.n[i].raw, t, sizeof t);
        snprintf(line + strlen(line), sizeof line - strlen(line), "%s%s%s", i ? ", " : "", t,
                 d->names.held.n[i].group ? " (group)" : "");
    }
    if (d->beside)
        md_log("ready beside nmbd: nmbd holds %s; control socket %s",
               line[0] ? line : "no name yet", d->ctl_path);
    else
        md_log("ready: holding %s; control socket %s", line[0] ? line : "no name", d->ctl_path);
}

ms_status md_start(md *d, const md_cli *cli, const md_settings *set, char *err, size_t errlen,
                   int *rc)
{
    memset(d, 0, sizeof *d);
    d->fd = d->lfd = -1;
    d->cli = *cli;
    d->set = *set;
    d->port = cli->port;
    d->started_mono_ns = ms_monotonic_ns();
    d->qb.max = MD_QUEUE_BYTES;
    md_slots_init(&d->slots);
    md_tokens_init(&d->tokens);
    *rc = 1;
    ms_status st = md_host_name(d->host, err, errlen);
    if (st == MS_OK && ms_loop_new(&d->loop) != MS_OK) {
        snprintf(err, errlen, "out of memory");
        st = MS_ERR_NO_MEMORY;
    }
    md_signal_loop = d->loop;
    if (md_got_term || md_got_hup)
        ms_loop_stop(d->loop); /* a signal before the loop was there */
    if (st == MS_OK)
        st = md_rx_open(d, err, errlen);
    if (st == MS_ERR_EXISTS) { /* the port is held: by nmbd? */
        char held[600];
        snprintf(held, sizeof held, "%s", err);
        st = md_beside_start(d, held, err, errlen);
    }
    if (st == MS_OK && !d->beside)
        st = md_names_open(&d->names, d->loop, set, d->host, cli->name_port, err, errlen);
    if (st == MS_OK)
        st = md_drop_privileges(set->user, err, errlen);
    d->uid = geteuid();
    if (st == MS_OK && !d->beside &&
        md_names_wait(&d->names, REGISTER_WAIT_MS) == MS_ERR_STOPPED && md_got_term) {
        snprintf(err, errlen, "stopped while registering names");
        *rc = 0;
        st = MS_ERR_STOPPED;
    }
    if (st == MS_OK)
        st = md_ctl_open(d, err, errlen);
    if (st != MS_OK) {
        md_stop(d);
        return st;
    }
    say_names(d);
    *rc = 0;
    return MS_OK;
}

ms_status md_run(md *d)
{
    for (;;) {
        ms_status st = ms_loop_run(d->loop, -1);
        if (d->fatal)
            return MS_ERR_VERSION;
        if (md_got_term)
            return MS_OK;
        if (md_got_hup) {
            md_got_hup = 0;
            md_reload(d);
            continue;
        }
        if (st != MS_ERR_STOPPED) {
            md_log("event loop: %s", ms_strerror(st));
            return st;
        }
    }
}

void md_reload(md *d)
{
    md_conf c;
    char err[600];
    ms_status st = md_conf_load(d->cli.conf_path, &c, err, sizeof err);
    if (st == MS_ERR_NOT_FOUND && !d->cli.conf_given) {
        memset(&c, 0, sizeof c); /* no file: the defaults and the options */
    } else if (st != MS_OK) {
        md_log("SIGHUP: configuration not changed: %s", err);
        return;
    }
    md_settings s;
    md_settings_make(st == MS_OK ? &c : NULL, &d->cli, &s);
    md_log("SIGHUP: reading %s again", d->cli.conf_path);
    bool ifaces_same = s.nifaces == d->set.nifaces &&
                       !memcmp(s.ifaces, d->set.ifaces, sizeof s.ifaces);
    if (!ifaces_same || s.wins != d->set.wins || strcmp(s.user, d->set.user) ||
        s.rcvbuf != d->set.rcvbuf)
        md_log("SIGHUP: interfaces, wins, rcvbuf and user change only when mailslotd starts "
               "again");
    if (d->beside)
        md_log("SIGHUP: beside nmbd the names are nmbd's: names and workgroup not applied");
    else
        md_names_apply(&d->names, &s);
    d->set.queue = s.queue; /* for mailslots created from now on */
    memcpy(d->set.names, s.names, sizeof s.names);
    d->set.nnames = s.nnames;
    memcpy(d->set.workgroup, s.workgroup, sizeof s.workgroup);
}

void md_stop(md *d)
{
    md_ctl_close(d);
    md_names_close(&d->names);
    md_beside_stop(d);
    md_rx_close(d);
    md_slots_free(&d->slots);
    md_signal_loop = NULL;
    ms_loop_free(d->loop);
    d->loop = NULL;
}
