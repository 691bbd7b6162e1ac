/* SPDX-License-Identifier: MIT */
/* `mailslot decode`: capture file -> one line (or NDJSON object) per NBDS
 * datagram. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "json_out.h"
#include "mailslot/capture.h"
#include "mailslot/message.h"
#include "text_out.h"
#include "dgram_print.h"
#include "datagrams.h"
#include "stats.h"
#include "mailslot/validate.h"

static void decode_usage(FILE *f)
{
    fputs("usage: mailslot decode [OPTIONS] FILE|-\n"
          "       mailslot decode [OPTIONS] -r FILE\n"
          "\n"
          "Decode the NetBIOS datagrams (UDP port 138) of a pcap or pcapng\n"
          "capture: one line per datagram, or NDJSON with --json.\n"
          "\n"
          "  -r FILE        read FILE ('-' = standard input)\n"
          "  -v, --verbose  add a field tree under each line\n"
          "      --json     one JSON object per datagram (NDJSON)\n"
          "      --port N   also take UDP port N (either side); repeatable\n"
          "      --stats    only counts: message types, mailslots, senders, opcodes\n"
          "      --reasm-timeout S  NBDS fragment sets complete within S seconds of\n"
          "                 capture time (default 2, RFC 1002 FRAGMENT_TO)\n"
          "      --reasm-sets N     at most N fragment sets in flight (default 64)\n"
          "      --reasm-bytes N    at most N octets of fragments held (default 262144)\n"
          "                 (oldest set evicted first)\n"
          "  -q, --quiet    no summary on stderr\n"
          "  -h, --help     this text\n"
          "\n"
          "NBDS fragments are each printed, and the datagram they make up is\n"
          "printed again after its last fragment (JSON: \"reassembled\": true).\n"
          "\n"
          "Exit status: 0 decoded (even when some datagrams carry errors),\n"
          "2 bad usage, 3 unreadable input (after printing what was readable).\n",
          f);
}

typedef struct decode_ctx {
    bool json, verbose, stats_only;
    json_out j;
    stats st;
    ms_report report;
} decode_ctx;


static void on_datagram(void *vctx, const dg_item *it)
{
    decode_ctx *c = vctx;
    if (it->at_eof) {
        /* Fragment sets never completed: no datagram to print them with. */
        for (size_t i = 0; i < it->findings->count; i++)
            fprintf(stderr, "mailslot decode: frame %llu: %s %s\n", (unsigned long long)it->d->frame,
                    it->findings->items[i].rule->id, it->findings->items[i].text);
        return;
    }
    if (c->stats_only) {
        stats_add(&c->st, it->m);
        return;
    }
    if (!c->json) {
        dp_line(stdout, it, c->verbose, NULL);
        return;
    }
    ms_report *r = &c->report;
    ms_report_clear(r);
    for (size_t i = 0; i < it->findings->count; i++)
        r->items[r->count++] = it->findings->items[i];
    ms_validate(it->d->payload, it->d->len, it->m, &it->info, r);
    dp_json(&c->j, it, r, NULL);
}

int cmd_decode(int argc, char **argv)
{
    static const struct option opts[] = {
        { "verbose", no_argument, NULL, 'v' },
        { "json", no_argument, NULL, 'j' },
        { "stats", no_argument, NULL, 's' },
        DG_LONG_OPTIONS,
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static decode_ctx c;
    memset(&c, 0, sizeof c);
    dg_options o = { "decode", NULL, { 138 }, 1, { 0, 0, 0, 0 } };
    bool quiet = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "vr:qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'v': c.verbose = true; break;
        case 'j': c.json = true; break;
        case 's': c.stats_only = true; break;
        case 'q': quiet = true; break;
        case 'r': case 'p': case 'T': case 'N': case 'B':
            if (dg_option(&o, ch, optarg) < 0)
                return EXIT_USAGE;
            break;
        case 'h': decode_usage(stdout); return EXIT_OK;
        default: decode_usage(stderr); return EXIT_USAGE;
        }
    }
    if (dg_take_input(&o, argc, argv, optind) != 0) {
        decode_usage(stderr);
        return EXIT_USAGE;
    }
    if (c.stats_only && stats_init(&c.st) != 0) {
        cli_error("decode", "out of memory");
        return EXIT_SYSTEM;
    }
    static char outbuf[1 << 18];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    jo_init(&c.j, stdout);
    ms_capture_stats cs;
    char linktype[64];
    int status = dg_run(&o, on_datagram, &c, &cs, linktype, sizeof linktype);
    if (status == EXIT_INPUT && cs.frames == 0) {
        /* Nothing was readable: the one error line says why, no summary. */
        if (c.stats_only)
            stats_free(&c.st);
        return status;
    }
    if (c.stats_only) {
        stats_print(&c.st, stdout);
        stats_free(&c.st);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("decode", "writing the output failed");
        status = EXIT_SYSTEM;
    }
    if (!quiet || cs.datagrams == 0)
        dg_print_capture_summary(&o, &cs, linktype);
    return status;
}
