/* SPDX-License-Identifier: MIT */
/* `mailslot hosts`: the LAN's hosts as their browser announcements describe
 * them (HostAnnouncement, LocalMasterAnnouncement, LAN Manager 2.x
 * announcement), from a capture or heard passively through libpcap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_opts.h"
#include "cli_signal.h"
#include "dg_cli.h"
#include "host_table.h"
#include "mailslot/message.h"
#include "mailslot/net.h"

enum { K_JSON = 400, K_PCAP };

static const cli_opt hosts_opts[] = {
    DG_CLI_INPUT_OPTS,
    { "pcap", K_PCAP, 0, "IFACE", "the same as -i IFACE (works beside nmbd)", "iface" },
    { "json", K_JSON, 0, NULL, "one JSON object per host (NDJSON)", NULL },
    DG_CLI_FILTER_OPTS,
    DG_CLI_REASM_OPTS,
    { "quiet", 'q', 'q', NULL, "no summary on stderr", NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const cli_cmd cli_cmd_hosts = {
    "hosts",
    "list the LAN's hosts from their browser announcements",
    "mailslot hosts [OPTIONS] FILE|- [BPF EXPRESSION]\n"
    "mailslot hosts [OPTIONS] -r FILE|-i IFACE [BPF EXPRESSION]\n",
    "List the hosts of a LAN from their browser announcements\n"
    "(HostAnnouncement, LocalMasterAnnouncement and the LAN Manager 2.x\n"
    "announcement, on \\MAILSLOT\\BROWSE and \\MAILSLOT\\LANMAN): name,\n"
    "workgroup or domain, OS version, server roles, comment and when each\n"
    "was last seen, sorted by name. The newest announcement of a name wins.\n"
    "With -i the list is printed at -c, --timeout, SIGINT or SIGTERM.\n",
    hosts_opts,
    DG_FILTER_NOTES
    "\n"
    "Roles (server type bits): workstation server sql dc bdc time afp\n"
    "novell member print dialin unix nt wfw mfpn ntserver potential-browser\n"
    "backup-browser master-browser domain-master osf vms windows dfs cluster\n"
    "terminal-server cluster-vs dce alt-transport local-list domain-enum;\n"
    "an unnamed bit is shown as bitN.\n"
    "\n"
    "Exit status: 0 hosts listed, 1 no host announcement seen, 2 bad usage,\n"
    "3 unreadable input (after listing what was readable), 4 system error;\n"
    "128+N when signal N stopped the reading of a file (the hosts seen so\n"
    "far are listed).\n",
    "file",
};

static void on_item(void *vctx, const dg_item *it)
{
    if (it->kind == MS_RX_INCOMPLETE || !it->m || ms_dgram_is_partial(&it->m->dgram))
        return;
    uint64_t t = (uint64_t)it->d->ts_sec * 1000000000u + it->d->ts_nsec;
    host_table_take(vctx, it->m, t, it->d->frame);
}

static bool hosts_option(dg_cli *a, int key, const char *arg, void *ctx)
{
    switch (key) {
    case K_JSON: *(bool *)ctx = true; return true;
    case K_PCAP: a->o.iface = arg; return true;
    default: return false;
    }
}

int cmd_hosts(int argc, char **argv)
{
    static dg_cli a;
    bool json = false;
    int st = dg_cli_options(&a, &cli_cmd_hosts, argc, argv, hosts_option, &json);
    if (st != DG_CLI_GO)
        return st;
    if (dg_take_input(&a.o, argc, argv, optind) != 0)
        return EXIT_USAGE;
    host_table c;
    memset(&c, 0, sizeof c);
    dg_result res;
    int status = dg_run(&a.o, on_item, &c, &res);
    if (status != EXIT_OK && res.cs.frames == 0) {
        free(c.h);
        return status;
    }
    if (c.oom) {
        cli_error("hosts", "out of memory");
        free(c.h);
        return EXIT_SYSTEM;
    }
    host_table_sort(&c);
    if (!json && c.n)
        host_table_heading(stdout);
    for (size_t i = 0; i < c.n; i++)
        host_table_print(stdout, &c.h[i], json);
    if (dg_cli_flush_stdout("hosts") != EXIT_OK)
        status = EXIT_SYSTEM;
    if (!a.quiet) {
        fprintf(stderr, "mailslot hosts: %zu host%s from %llu announcement%s\n", c.n,
                c.n == 1 ? "" : "s", (unsigned long long)c.announcements,
                c.announcements == 1 ? "" : "s");
        if (res.cs.datagrams == 0 || res.interrupted)
            dg_print_capture_summary(&a.o, &res);
    }
    free(c.h);
    if (res.interrupted)
        return cli_signal_status();
    if (status == EXIT_OK && c.n == 0)
        return EXIT_NEGATIVE;
    return status;
}
