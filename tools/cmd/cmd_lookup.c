/* SPDX-License-Identifier: MIT */
/* `mailslot lookup`: who answers for a NetBIOS name (a name query by
 * broadcast, to a WINS server or to one host), and a host's name table
 * (node status). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_nbname.h"
#include "cli_opts.h"
#include "lookup_print.h"
#include "mailslot/nbns_resolve.h"
#include "mailslot/net.h"

/* Answers kept from one query: more than a subnet's holders of a group
 * name usually are; the rest are counted and reported. */
#define MAX_ANSWERS 64
#define DEFAULT_TIMEOUT_MS 1500
#define MAX_TIMEOUT_MS 600000

enum { K_WINS = 400, K_TO, K_TIMEOUT, K_PORT, K_JSON };

static const cli_opt lookup_opts[] = {
    { "broadcast", 'B', 'B', "IP", "broadcast the query to IP (default: the broadcast\naddress of -i, or of the first interface up)", NULL },
    { "interface", 'i', 'i', "IFACE", "the network to use: its broadcast address, and its\naddress as the source", "iface" },
    { "wins", K_WINS, 0, "IP", "ask the WINS server IP (unicast); its answer ends it", NULL },
    { "to", K_TO, 0, "IP", "ask the host IP (unicast) for its own name", NULL },
    { "status", 'A', 'A', "IP", "node status: the name table of the host IP", NULL },
    { "timeout", K_TIMEOUT, 0, "MS", "wait MS milliseconds (default 1500; 3 queries inside)", NULL },
    { "port", K_PORT, 0, "N", "UDP destination port (default 137; for tests)", NULL },
    { "json", K_JSON, 0, NULL, "one JSON object per answer (NDJSON)", NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const cli_cmd cli_cmd_lookup = {
    "lookup",
    "look up a NetBIOS name, or a host's names (node status)",
    "mailslot lookup [OPTIONS] NAME[<xx>]\n"
    "mailslot lookup [OPTIONS] -A IP\n",
    "Ask the network who holds a NetBIOS name (NBNS name query, UDP 137):\n"
    "by broadcast, where every holder answers and every answer that comes\n"
    "within the timeout is listed, or by unicast to a WINS server (--wins) or\n"
    "to one host (--to). NAME alone is NAME<00>; the case does not matter.\n"
    "With -A, ask the host IP for the names it holds (node status).\n",
    lookup_opts,
    "Output: one line per address, \"IP NAME<xx>\", with \"group\" for a group\n"
    "name and \"(answered by IP)\" when another host answered (a WINS server);\n"
    "negative answers on standard error. -A: one row per name (type, owner\n"
    "node type B/P/M/H, state), then the MAC address the host gave.\n"
    "\n"
    "Exit status: 0 found (an answer, or the name table), 1 not found (no\n"
    "answer within the timeout, or only negative ones), 2 bad usage, 3 a\n"
    "node status response that does not decode, 4 system error.\n",
    NULL,
};

typedef struct lookup_args {
    const char *name, *iface;
    uint32_t bcast, wins, to, status;
    bool have_bcast, have_wins, have_to, have_status, json;
    int timeout;
    uint16_t port;
} lookup_args;

static int bad_value(const char *opt, const char *arg, const char *what)
{
    cli_error("lookup", "%s: '%s' is not %s", opt, arg, what);
    return EXIT_USAGE;
}

static int take_ip(const char *opt, const char *arg, uint32_t *ip, bool *have)
{
    if (ms_ip_parse(arg, ip) != MS_OK || *ip == 0)
        return bad_value(opt, arg, "an IPv4 address");
    *have = true;
    return EXIT_OK;
}

static int take_option(lookup_args *a, int key, const char *arg)
{
    char *end;
    long v;
    int p;
    switch (key) {
    case 'B': return take_ip("-B", arg, &a->bcast, &a->have_bcast);
    case K_WINS: return take_ip("--wins", arg, &a->wins, &a->have_wins);
    case K_TO: return take_ip("--to", arg, &a->to, &a->have_to);
    case 'A': return take_ip("-A", arg, &a->status, &a->have_status);
    case 'i': a->iface = arg; return EXIT_OK;
    case K_JSON: a->json = true; return EXIT_OK;
    case K_TIMEOUT:
        v = strtol(arg, &end, 10);
        if (!*arg || *end || v < 1 || v > MAX_TIMEOUT_MS)
            return bad_value("--timeout", arg, "milliseconds (1..600000)");
        a->timeout = (int)v;
        return EXIT_OK;
    case K_PORT:
        if ((p = cli_parse_port(arg)) < 0)
            return bad_value("--port", arg, "a port");
        a->port = (uint16_t)p;
        return EXIT_OK;
    default: return EXIT_USAGE;
    }
}

/* What the options and operands say together. */
static int check_args(const lookup_args *a, int argc, char **argv)
{
    int where = a->have_bcast + a->have_wins + a->have_to;
    if (a->have_status && (where || optind < argc)) {
        cli_error("lookup", "-A asks one host for its names: give no NAME, -B, --wins or --to");
        return EXIT_USAGE;
    }
    if (!a->have_status && optind >= argc) {
        cli_error("lookup", "give a NAME or -A IP; try 'mailslot lookup --help'");
        return EXIT_USAGE;
    }
    if (!a->have_status && optind + 1 < argc) {
        cli_error("lookup", "unexpected argument '%s'", argv[optind + 1]);
        return EXIT_USAGE;
    }
    if (where > 1) {
        cli_error("lookup", "give at most one of -B, --wins and --to");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int parse_args(lookup_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->timeout = DEFAULT_TIMEOUT_MS;
    int key;
    while ((key = cli_next(&cli_cmd_lookup, argc, argv)) > 0) {
        int st = take_option(a, key, optarg);
        if (st != EXIT_OK)
            return st;
    }
    if (key != CLI_END)
        return key == CLI_EXIT_OK ? CLI_EXIT_OK : EXIT_USAGE;
    int st = check_args(a, argc, argv);
    if (st == EXIT_OK && !a->have_status)
        a->name = argv[optind];
    return st;
}

static int exit_for(ms_status st)
{
    switch (st) {
    case MS_OK: return EXIT_OK;
    case MS_ERR_NOT_FOUND: return EXIT_NEGATIVE;
    case MS_ERR_BAD_INPUT: return EXIT_INPUT;
    case MS_ERR_INVALID_ARG: return EXIT_USAGE;
    default: return EXIT_SYSTEM;
    }
}

/* -i: the interface's address to send from, and its broadcast address. */
static int local_side(const lookup_args *a, uint32_t *bind_ip, uint32_t *bcast)
{
    char err[256];
    ms_iface ifc;
    *bind_ip = 0;
    *bcast = 0xFFFFFFFFu; /* as send does when no interface is up */
    if (a->iface) {
        if (ms_net_iface(a->iface, &ifc, err, sizeof err) != MS_OK) {
            cli_error("lookup", "%s", err);
            return EXIT_USAGE;
        }
        *bind_ip = ifc.addr;
        *bcast = ifc.bcast;
    } else if (!a->have_status && !a->have_bcast && !a->have_wins && !a->have_to &&
               ms_net_iface(NULL, &ifc, err, sizeof err) == MS_OK) {
        *bcast = ifc.bcast;
    }
    return EXIT_OK;
}

static int run_status(const lookup_args *a, uint32_t bind_ip)
{
    ms_node_status_opts o;
    ms_node_status_opts_init(&o);
    o.dst_ip = a->status;
    o.bind_ip = bind_ip;
    o.port = a->port;
    o.timeout_ms = a->timeout;
    static ms_node_status_reply r;
    char err[256] = "";
    ms_status st = ms_nbns_node_status_query(&o, &r, NULL, err, sizeof err);
    if (st != MS_OK) {
        cli_error("lookup", "%s", err);
        return exit_for(st);
    }
    lookup_print_status(stdout, &r, a->json);
    return EXIT_OK;
}

/* Negative answers beside positive ones, and entries not kept. */
static void notes(const ms_lookup_answer *ans, size_t n, const ms_lookup_stats *s)
{
    char from[16];
    for (size_t i = 0; i < n; i++) {
        ms_ip_format(ans[i].from_ip, from, sizeof from);
        unsigned rc = MS_NBNS_RCODE(ans[i].flags);
        if (rc)
            cli_error("lookup", "negative answer from %s (rcode %u %s)", from, rc,
                      ms_nbns_rcode_name(rc));
        else if (ans[i].naddrs_total > ans[i].naddrs)
            cli_error("lookup", "the answer from %s held %zu addresses; the first %zu are shown",
                      from, ans[i].naddrs_total, ans[i].naddrs);
    }
    if (s->overflow)
        cli_error("lookup", "%u more answers were not kept (at most %d)", s->overflow,
                  MAX_ANSWERS);
}

static int run_name(const lookup_args *a, uint32_t bind_ip, uint32_t bcast)
{
    ms_nb_name nb;
    char why[64];
    if (cli_nb_name_arg(a->name, &nb, why, sizeof why) != 0) {
        cli_error("lookup", "'%s' is not a NetBIOS name: %s", a->name, why);
        return EXIT_USAGE;
    }
    ms_lookup_opts o;
    ms_lookup_opts_init(&o);
    o.mode = a->have_wins ? MS_LOOKUP_WINS : a->have_to ? MS_LOOKUP_HOST : MS_LOOKUP_BROADCAST;
    o.dst_ip = a->have_wins ? a->wins : a->have_to ? a->to : a->have_bcast ? a->bcast : bcast;
    o.bind_ip = bind_ip;
    o.port = a->port;
    o.timeout_ms = a->timeout;
    static ms_lookup_answer ans[MAX_ANSWERS];
    size_t n = MAX_ANSWERS;
    ms_lookup_stats s = MS_SIZED(ms_lookup_stats);
    char err[256] = "";
    ms_status st = ms_nbns_lookup(&nb, &o, ans, &n, &s, err, sizeof err);
    if (st != MS_OK && st != MS_ERR_NOT_FOUND) {
        cli_error("lookup", "%s", err);
        return exit_for(st);
    }
    lookup_print_answers(stdout, &nb, ans, n, a->json);
    if (st == MS_OK)
        notes(ans, n, &s);
    else
        cli_error("lookup", "%s", err);
    return exit_for(st);
}

int cmd_lookup(int argc, char **argv)
{
    lookup_args a;
    int st = parse_args(&a, argc, argv);
    if (st != EXIT_OK)
        return st == CLI_EXIT_OK ? EXIT_OK : st;
    uint32_t bind_ip, bcast;
    if ((st = local_side(&a, &bind_ip, &bcast)) != EXIT_OK)
        return st;
    st = a.have_status ? run_status(&a, bind_ip) : run_name(&a, bind_ip, bcast);
    if (fflush(stdout) != 0 && st == EXIT_OK) {
        cli_error("lookup", "writing the output failed");
        st = EXIT_SYSTEM;
    }
    return st;
}
