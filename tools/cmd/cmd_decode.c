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
#include "datagrams.h"
#include "stats.h"
#include "mailslot/validate.h"

enum { K_JSON = 400, K_STATS, K_COLOR, K_DATA };

static const cli_opt decode_opts[] = {
    DG_CLI_INPUT_OPTS,
    { "write", 'w', 'w', "FILE",
      "also copy the records of the datagrams shown to\nthe pcap FILE ('-' = standard output: then\n"
      "nothing else goes there)", "file" },
    { "verbose", 'v', 'v', NULL, "add a field tree under each line", NULL },
    { "data", K_DATA, 0, NULL, "end each line of a write to another mailslot than\nthe browser's or NETLOGON's with its data, quoted", NULL },
    { "json", K_JSON, 0, NULL, "one JSON object per datagram (NDJSON)", NULL },
    { "stats", K_STATS, 0, NULL, "only counts: message types, mailslots, senders,\nopcodes", NULL },
    DG_CLI_FILTER_OPTS,
    DG_CLI_REASM_OPTS,
    CLI_COLOR_OPT(K_COLOR),
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

int cmd_decode(int argc, char **argv)
{
    static decode_ctx c;
    memset(&c, 0, sizeof c);
    static dg_options o;
    memset(&o, 0, sizeof o);
    o.sub = "decode";
    o.ports[0] = 138;
    o.nports = 1;
    bool quiet = false;
    const char *color = "auto";
    int ch;
    while ((ch = cli_next(&cli_cmd_decode, argc, argv)) > 0) {
        switch (ch) {
        case 'v': c.verbose = true; break;
        case K_JSON: c.json = true; break;
        case K_STATS: c.stats_only = true; break;
        case 'q': quiet = true; break;
        case 'w': o.write_path = optarg; break;
        case K_COLOR: color = optarg; break;
        case K_DATA: dp_set_show_data(true); break;
        default:
            if (dg_option(&o, ch, optarg) < 0)
                return EXIT_USAGE;
            break;
        }
    }
    if (ch != CLI_END)
        return ch == CLI_EXIT_OK ? EXIT_OK : EXIT_USAGE;
    if (c.stats_only && c.json) {
        cli_error("decode", "--stats prints a text table; it does not go with --json");
        return EXIT_USAGE;
    }
    if (dg_take_input(&o, argc, argv, optind) != 0)
        return EXIT_USAGE;
    int col = cli_color_choice(color, stdout);
    if (col < 0) {
        cli_error("decode", "--color: '%s' is not auto, always or never", color);
        return EXIT_USAGE;
    }
    dp_set_color(col == 1);
    bool to_stdout = o.write_path && !strcmp(o.write_path, "-");
    if (to_stdout && !c.stats_only) {
        /* The pcap owns standard output: decode prints nothing there. */
        c.silent = true;
    }
    o.progress = !quiet && cli_progress_wanted();
    if (c.stats_only && stats_init(&c.st) != 0) {
        cli_error("decode", "out of memory");
        return EXIT_SYSTEM;
    }
    static char outbuf[1 << 18];
    if (!to_stdout)
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    jo_init(&c.j, stdout);
    dg_result res;
    o.validate = c.json && !c.stats_only && !c.silent;
    int status = dg_run(&o, on_datagram, &c, &res);
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
    if (!to_stdout && (fflush(stdout) != 0 || ferror(stdout))) {
        cli_error("decode", "writing the output failed");
        status = EXIT_SYSTEM;
    }
    if (!quiet || res.cs.datagrams == 0 || res.interrupted)
        dg_print_capture_summary(&o, &res);
    if (res.interrupted)
        return cli_signal_status();
    return status;
}
