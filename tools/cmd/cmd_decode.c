/* SPDX-License-Identifier: MIT */
/* `mailslot decode`: capture file -> one line (or NDJSON object) per NBDS
 * datagram. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_opts.h"
#include "cli_signal.h"
#include "cli_term.h"
#include "json_out.h"
#include "mailslot/capture.h"
#include "mailslot/message.h"
#include "text_out.h"
#include "dgram_print.h"
#include "dg_cli.h"
#include "stats.h"
#include "mailslot/validate.h"

enum { K_JSON = 400, K_STATS, K_DATA };

static const cli_opt decode_opts[] = {
    DG_CLI_INPUT_OPTS,
    { "write", 'w', 'w', "FILE",
      "also copy the records of the datagrams shown to\nthe pcap FILE ('-' = standard output: then\n"
      "nothing else goes there)", "file" },
    { "verbose", 'v', 'v', NULL, "add a field tree and the check findings\n(problems) under each line", NULL },
    { "data", K_DATA, 0, NULL, "end each line of a write to another mailslot than\nthe browser's or NETLOGON's with its data, quoted", NULL },
    { "json", K_JSON, 0, NULL, "one JSON object per datagram (NDJSON)", NULL },
    { "stats", K_STATS, 0, NULL, "only counts: message types, mailslots, senders,\nopcodes", NULL },
    DG_CLI_FILTER_OPTS,
    DG_CLI_REASM_OPTS,
    CLI_COLOR_OPT(DG_KEY_COLOR),
    { "quiet", 'q', 'q', NULL, "no summary and no progress line on stderr", NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const cli_cmd cli_cmd_decode = {
    "decode",
    "decode mailslot datagrams in a pcap/pcapng capture",
    "mailslot decode [OPTIONS] FILE|- [BPF EXPRESSION]\n"
    "mailslot decode [OPTIONS] -r FILE|-i IFACE [BPF EXPRESSION]\n",
    "Decode the NetBIOS datagrams (UDP port 138) of a pcap or pcapng\n"
    "capture: one line per datagram, or NDJSON with --json.\n",
    decode_opts,
    DG_FILTER_NOTES
    "\n"
    "NBDS fragments are each printed, and the datagram they make up is\n"
    "printed again after its last fragment (JSON: \"reassembled\": true).\n"
    "With -w an IPv4-reassembled datagram is written as its last fragment.\n"
    "A progress line goes to stderr during long runs when stderr is a\n"
    "terminal and stdout is not.\n"
    "\n"
    "Exit status: 0 decoded (even when some datagrams carry errors),\n"
    "2 bad usage, 3 unreadable input (after printing what was readable),\n"
    "4 system error (-i, -w); 128+N when signal N stopped the reading of a\n"
    "file (the summary is printed, an unfinished -w file removed).\n",
    "file",
};

typedef struct decode_ctx {
    bool json, verbose, stats_only;
    bool silent; /* -w -: the pcap goes to standard output */
    json_out j;
    stats st;
} decode_ctx;


static void on_datagram(void *vctx, const dg_item *it)
{
    decode_ctx *c = vctx;
    if (it->kind == MS_RX_INCOMPLETE) {
        /* Fragment sets never completed: no datagram to print them with. */
        for (size_t i = 0; i < it->findings->count; i++)
            fprintf(stderr, "mailslot decode: frame %llu: %s %s\n", (unsigned long long)it->d->frame,
                    it->findings->items[i].rule->id, it->findings->items[i].text);
        return;
    }
    if (c->silent)
        return;
    if (c->stats_only) {
        stats_add(&c->st, it->m);
        return;
    }
    if (!c->json) {
        dp_line(stdout, it, c->verbose, NULL);
        return;
    }
    /* The pipeline validated it (--json): F- findings, then the rules. */
    dp_json(&c->j, it, it->findings, NULL);
}

static bool decode_option(dg_cli *a, int key, const char *arg, void *ctx)
{
    (void)a;
    (void)arg;
    decode_ctx *c = ctx;
    switch (key) {
    case 'v': c->verbose = true; return true;
    case K_JSON: c->json = true; return true;
    case K_STATS: c->stats_only = true; return true;
    case K_DATA: dp_set_show_data(true); return true;
    default: return false;
    }
}

int cmd_decode(int argc, char **argv)
{
    static decode_ctx c;
    memset(&c, 0, sizeof c);
    static dg_cli a;
    int st = dg_cli_options(&a, &cli_cmd_decode, argc, argv, decode_option, &c);
    if (st != DG_CLI_GO)
        return st;
    if (c.stats_only && c.json) {
        cli_error("decode", "--stats prints a text table; it does not go with --json");
        return EXIT_USAGE;
    }
    bool color;
    if (dg_cli_input(&a, argc, argv, &color) != 0)
        return EXIT_USAGE;
    dp_set_color(color);
    dg_options *o = &a.o;
    bool to_stdout = o->write_path && !strcmp(o->write_path, "-");
    if (to_stdout && !c.stats_only) {
        /* The pcap owns standard output: decode prints nothing there. */
        c.silent = true;
    }
    if (c.stats_only && stats_init(&c.st) != 0) {
        cli_error("decode", "out of memory");
        return EXIT_SYSTEM;
    }
    if (!to_stdout)
        dg_cli_buffer_stdout();
    jo_init(&c.j, stdout);
    dg_result res;
    o->validate = (c.json || c.verbose) && !c.stats_only && !c.silent;
    int status = dg_run(o, on_datagram, &c, &res);
    if (status != EXIT_OK && res.cs.frames == 0) {
        /* Nothing was readable: the one error line says why, no summary. */
        if (c.stats_only)
            stats_free(&c.st);
        return status;
    }
    if (c.stats_only && !to_stdout) {
        stats_print(&c.st, stdout);
    }
    if (c.stats_only)
        stats_free(&c.st);
    if (!to_stdout && dg_cli_flush_stdout("decode") != EXIT_OK)
        status = EXIT_SYSTEM;
    if (!a.quiet || res.cs.datagrams == 0 || res.interrupted)
        dg_print_capture_summary(o, &res);
    if (res.interrupted)
        return cli_signal_status();
    return status;
}
