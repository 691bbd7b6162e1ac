/* SPDX-License-Identifier: MIT */
/* mailslotd: the host's mailslot service (mailslotd(8)). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "detach.h"
#include "log.h"
#include "run.h"

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        md_got_hup = 1;
    else
        md_got_term = 1;
    ms_loop *l = md_signal_loop;
    if (l)
        ms_loop_stop(l);
}

static void signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The file, then the options over it. 0, or the exit status. */
static int settings(const md_cli *cli, md_settings *set)
{
    md_conf c;
    char err[600];
    ms_status st = md_conf_load(cli->conf_path, &c, err, sizeof err);
    if (st == MS_ERR_NOT_FOUND && !cli->conf_given) {
        md_settings_make(NULL, cli, set); /* no file: defaults */
        return 0;
    }
    if (st != MS_OK) {
        fprintf(stderr, "mailslotd: %s\n", err);
        return 2;
    }
    md_settings_make(&c, cli, set);
    return 0;
}

int main(int argc, char **argv)
{
    static md_cli cli;
    static md_settings set;
    static md d;
    int rc = md_cli_parse(argc, argv, &cli);
    if (rc >= 0)
        return rc;
    if ((rc = settings(&cli, &set)) != 0)
        return rc;
    int ready = -1;
    if (!cli.foreground && md_detach(&ready) != 0) {
        perror("mailslotd: fork");
        return 1;
    }
    /* Detached, events go to syslog from the start; an error that stops
     * the start also goes to the terminal that started it. */
    md_log_to_syslog(!cli.foreground);
    signals();
    char err[600];
    if (md_start(&d, &cli, &set, err, sizeof err, &rc) != MS_OK) {
        if (rc)
            md_log("%s", err);
        if (rc && !cli.foreground)
            fprintf(stderr, "mailslotd: %s\n", err);
        return rc;
    }
    if (ready >= 0)
        md_detach_done(ready);
    rc = md_run(&d) == MS_OK ? 0 : 1;
    md_log("stopping: releasing names, removing %s", d.ctl_path);
    md_stop(&d);
    return rc;
}
