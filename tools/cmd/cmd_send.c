/* SPDX-License-Identifier: MIT */
/* `mailslot send`: one message (or --repeat N) to a remote mailslot, over
 * the network or into a pcap file (-w). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "cli_keys.h"
#include "cli_opts.h"
#include "cli_signal.h"
#include "live_print.h"
#include "mailslot/client.h"
#include "mailslot/local.h"
#include "mailslot/message.h"
#include "mailslot/net.h"
#include "mailslot/pipeline.h"
#include "pcap_out.h"
#include "send_json.h"

#define DATA_MAX 65536
#define CLI_DONE (-1) /* --help or --version printed: exit 0 */

typedef struct send_args {
    ms_client_opts o;
    const char *to, *slot, *text, *hex, *file, *out, *key_file;
    double wait_s;
    long repeat, interval;
    bool json, quiet;
    bool json_in;            /* --json without --slot: frames from NDJSON */
    bool names_given;        /* --from, --name, --type, --as or --node-type */
    bool local;              /* --to '\\.': a local mailslot */
    const char *net_opt;     /* the first option only datagrams use */
} send_args;

static int exit_for(ms_status st);
static void sleep_ms(long ms);

static const cli_opt send_opts[] = {
    { "to", 't', 0, "TARGET", "\\\\HOST (unique, resolved by NBNS), \\\\DOMAIN or \\\\*\n(group, to the subnet broadcast), an IPv4 address,\nor \\\\. (a local mailslot)", NULL },
    { "slot", 's', 0, "NAME", "mailslot, e.g. \\MAILSLOT\\BROWSE (nested paths\nallowed)", NULL },
    { "from", 'f', 0, "NAME", "our NetBIOS name (default: host name, upper case,\n<= 15)", NULL },
    { "name", 'n', 0, "NAME<xx>", "NetBIOS destination name (needed with an address,\ne.g. WORKGROUP<1d>)", NULL },
    { "data", 'd', 0, "TEXT", "the message (no NUL added); default: standard input", NULL },
    { "hex", 'x', 0, "HEX", "the message as hex digits", NULL },
    { "file", 'F', 0, "FILE", "the message is FILE's contents", "file" },
    { "type", 'T', 0, "T", "unique | group | broadcast (default: unique for\n\\\\HOST and unicast addresses, group for \\\\DOMAIN,\n\\\\*, broadcasts)", "unique group broadcast" },
    { "workgroup", 'W', 0, "WG", "workgroup for \\\\* (default WORKGROUP)", NULL },
    { "interface", 'i', 'i', "IFACE", "the network to use (address, broadcast)", "iface" },
    { "sport", 'S', 0, "N|raw|ephemeral", "UDP source port (default: 138 through a raw\nsocket with CAP_NET_RAW, else ephemeral; N: bind\nexactly N, not shared; see 'Source port' below)", "raw ephemeral" },
    { "port", 'P', 0, "N", "UDP destination port (default 138; for tests)", NULL },
    { "wait", 'a', 0, "S", "print replies arriving within S seconds (as decode\ndoes)", NULL },
    { "json", 'j', 0, NULL, "replies as NDJSON (like decode --json); without --slot\nalso the frames: NDJSON as encode reads it, from\n--file or standard input, sent where --to says", NULL },
    { "repeat", 'r', 0, "N", "send N times (fresh DGM_ID each), --interval MS\napart", NULL },
    { "interval", 'I', 0, "MS", "milliseconds between --repeat sends (default 1000)", NULL },
    { "write", 'w', 'w', "FILE", "write the frames to a pcap FILE instead of sending\n('-' = standard output)", "file" },
    { "force-size", 'z', 0, NULL, "send messages over the size limits (interop tests)", NULL },
    { "as", 'A', 0, "SENDER", "lay the frames out as SENDER does: windows (default:\nthe browser service's shape for \\MAILSLOT\\BROWSE,\nLANMAN and NET\\..., the redirector's otherwise),\nwindows-browser, windows-redirector, win9x,\nsamba-nmbd, samba-ad (docs/LAYOUTS.md)", "windows windows-browser windows-redirector win9x samba-nmbd samba-ad" },
    { "node-type", 'Y', 0, "T", "node type in the NBDS flags: b, p, m or h (default:\nthe sender's: b; m for samba-nmbd, h for samba-ad)", "b p m h" },
    { "key-file", 'K', 0, "K", "append an authentication trailer (HMAC-SHA-256, 52\noctets, docs/AUTH.md) made with the first key in K", "file" },
    { "wins", 'N', 0, "IP", "resolve \\\\HOST by asking this WINS server", NULL },
    { "hosts", 'H', 0, "FILE", "LMHOSTS-style map (IP NAME[#xx]) tried first", "file" },
    { "quiet", 'q', 'q', NULL, "no summary on stderr", NULL },
    { "direct", 'D', 0, NULL, "never through mailslotd: send from a socket of our\nown even while it runs", NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const cli_cmd cli_cmd_send = {
    "send",
    "write a message to a remote mailslot",
    "mailslot send --to TARGET --slot \\MAILSLOT\\NAME [OPTIONS]\n",
    "Write one message to a remote mailslot (NetBIOS datagram, UDP 138).\n",
    send_opts,
    "Size limits (PROTOCOL.md 5.4): the SMB message within 512 octets, so at\n"
    "most 512 minus the DataOffset data octets; the DataOffset is 70 plus the\n"
    "length L of the whole name (\\MAILSLOT\\ counted), rounded up to a\n"
    "multiple of 4 in the redirector's shape: 428 data octets for a name of\n"
    "1 to 4 characters after \\MAILSLOT\\, 4 fewer for every 4 more (412 for\n"
    "17); 442 - L in the browser's shape (426 for \\MAILSLOT\\BROWSE). Group\n"
    "and broadcast writes carry at most 424 data octets. A refusal says what\n"
    "fits and names every limit broken and by how much.\n"
    "Datagrams over 576 octets draw a warning: Samba nmbd drops them. With\n"
    "--key-file the 52-octet trailer counts against these limits.\n"
    "\n"
    "Layout: each frame is laid out as the Windows sender of its kind lays it\n"
    "out (the browser service for \\MAILSLOT\\BROWSE, LANMAN and NET\\..., the\n"
    "redirector for any other mailslot); --as picks another sender's shape and\n"
    "--node-type the node type in the NBDS flags (docs/LAYOUTS.md).\n"
    "\n"
    "Exit status: 0 sent, 1 refused (size) or name not resolved, 2 bad usage,\n"
    "4 system error (also: --sport N in use); 128+N when signal N stopped a\n"
    "--repeat run (the count sent is printed; an unfinished -w file is removed).\n"
    "\n"
    "Source port: send never shares a port another program holds (a unicast\n"
    "datagram reaches one socket only, so sharing 138 would take nmbd's or a\n"
    "listener's datagrams). By default, with root or CAP_NET_RAW\n"
    "(setcap cap_net_raw+ep), it sends from 138 through a raw socket that binds\n"
    "no port: whatever holds 138 keeps its datagrams, and --wait reads copies\n"
    "of those addressed to 138 here. Without it, it sends from an ephemeral\n"
    "port and says so: replies Windows sends to 138 do not reach it. --sport N\n"
    "binds N alone (no one else can bind it meanwhile); N in use is an error\n"
    "naming the holder.\n"
    "\n"
    "mailslotd: while it runs, send hands the datagram to it (no socket of\n"
    "ours): it goes from the daemon's port 138 with the host's name (--from\n"
    "when the host holds that name). --wait then shows the replies that come\n"
    "back to us: to a NETLOGON request's reply mailslot, which send creates\n"
    "with the daemon first (the request's own name, or \\MAILSLOT\\NET\\GETDC\n"
    "and 8 hex digits written into it when another program holds that one),\n"
    "and GetBackupListResponses carrying our request's Token. With --json\n"
    "each frame goes as it is (the host's name, address and port put in):\n"
    "--wait then shows the replies to the reply mailslot a NETLOGON request\n"
    "names, created with the daemon under that very name (refused, exit 4,\n"
    "when another program holds it), and those carrying a\n"
    "GetBackupListRequest's Token. --sport and --direct send directly, as\n"
    "without it.\n"
    "\n"
    "Local mailslots: --to '\\\\.' --slot '\\MAILSLOT\\NAME' writes to a mailslot a\n"
    "server on this host created (mailslot listen '\\\\.\\mailslot\\NAME'), through\n"
    "a Unix domain socket: as long as the server's max size, else what the\n"
    "kernel takes on a local socket (about 4 MiB), nothing on the network;\n"
    "it takes --data, --hex, --file, --repeat, --interval and -q only (the\n"
    "options of datagrams are refused, exit 2). Exit 1 when no server has the\n"
    "name or the message is over its limit (named).\n",
    NULL,
};

/* ---- the command line ---- */

static bool local_target(const char *to)
{
    return (to[0] == '\\' || to[0] == '/') && (to[1] == '\\' || to[1] == '/') &&
           !strcmp(to + 2, ".");
}

/* Arguments that would otherwise fail late or quietly: a target made of
 * digits and dots that is no IPv4 address (it would go out as a NetBIOS
 * name query), a --hosts file that cannot be read (it would be skipped). */
static int check_target(const char *to, const char *hosts)
{
    const char *t = to;
    if ((t[0] == '\\' || t[0] == '/') && (t[1] == '\\' || t[1] == '/'))
        t += 2;
    if (strspn(t, "0123456789.") == strlen(t) && strchr(t, '.') && strpbrk(t, "0123456789")) {
        uint32_t ip;
        if (ms_ip_parse(t, &ip) != MS_OK) {
            cli_error("send", "--to: '%s' is not an IPv4 address", to);
            return EXIT_USAGE;
        }
    }
    if (hosts) {
        FILE *f = fopen(hosts, "r");
        if (!f) {
            cli_error("send", "--hosts: %s: %s", hosts, strerror(errno));
            return EXIT_SYSTEM;
        }
        fclose(f);
    }
    return EXIT_OK;
}

/* Whether opening `to` would ask NBNS for an address: a \\NAME that is
 * not "*", ".", an IPv4 address or the workgroup, and no forced group or
 * broadcast type. */
static bool needs_resolution(const char *to, const ms_client_opts *o)
{
    const char *t = to;
    if (!((t[0] == '\\' || t[0] == '/') && (t[1] == '\\' || t[1] == '/')))
        return false;
    t += 2;
    size_t n = strcspn(t, "\\/");
    uint32_t ip;
    char name[64];
    if (n == 0 || n >= sizeof name)
        return false;
    memcpy(name, t, n);
    name[n] = '\0';
    const char *wg = o->workgroup ? o->workgroup : "WORKGROUP";
    if (!strcmp(name, "*") || !strcmp(name, ".") || ms_ip_parse(name, &ip) == MS_OK ||
        !strcasecmp(name, wg))
        return false;
    return o->type != MS_NBDS_DIRECT_GROUP && o->type != MS_NBDS_BROADCAST;
}

static int bad_value(const char *opt, const char *arg, const char *what)
{
    cli_error("send", "%s: '%s' is not %s", opt, arg, what);
    return EXIT_USAGE;
}

/* The options that take a number or a choice. */
static int take_value(send_args *a, int ch, const char *arg)
{
    char *end;
    int p;
    switch (ch) {
    case 'T':
        if (!strcasecmp(arg, "unique"))
            a->o.type = MS_NBDS_DIRECT_UNIQUE;
        else if (!strcasecmp(arg, "group"))
            a->o.type = MS_NBDS_DIRECT_GROUP;
        else if (!strcasecmp(arg, "broadcast"))
            a->o.type = MS_NBDS_BROADCAST;
        else {
            cli_error("send", "--type must be unique, group or broadcast, not '%s'", arg);
            return EXIT_USAGE;
        }
        return EXIT_OK;
    case 'S':
        if (cli_parse_sport(arg, &a->o.sport) < 0)
            return bad_value("--sport", arg, "a port, raw or ephemeral");
        return EXIT_OK;
    case 'P':
        if ((p = cli_parse_port(arg)) < 0)
            return bad_value("--port", arg, "a port");
        a->o.dport = (uint16_t)p;
        return EXIT_OK;
    case 'a':
        a->wait_s = strtod(arg, &end);
        if (!*arg || *end || !(a->wait_s >= 0 && a->wait_s <= 86400))
            return bad_value("--wait", arg, "a number of seconds");
        return EXIT_OK;
    case 'r':
        a->repeat = strtol(arg, &end, 10);
        if (!*arg || *end || a->repeat < 1 || a->repeat > 1000000)
            return bad_value("--repeat", arg, "a count (1..1000000)");
        return EXIT_OK;
    case 'I':
        a->interval = strtol(arg, &end, 10);
        if (!*arg || *end || a->interval < 0 || a->interval > 3600000)
            return bad_value("--interval", arg, "milliseconds");
        return EXIT_OK;
    case 'N':
        if (ms_ip_parse(arg, &a->o.wins_ip) != MS_OK)
            return bad_value("--wins", arg, "an IPv4 address");
        return EXIT_OK;
    case 'K':
        return cli_key_file_arg("send", arg, &a->key_file);
    case 'A': {
        ms_layout l;
        if (ms_layout_parse(arg, &l) != MS_OK)
            return bad_value("--as", arg, "windows, windows-browser, windows-redirector, win9x, "
                                          "samba-nmbd or samba-ad");
        a->o.layout = (int)l;
        return EXIT_OK;
    }
    case 'Y': {
        static const char types[] = "bpmh";
        const char *at = strchr(types, arg[0] | 0x20);
        if (!arg[0] || arg[1] || !at)
            return bad_value("--node-type", arg, "b, p, m or h");
        a->o.node_type = MS_NODE_B + (int)(at - types);
        return EXIT_OK;
    }
    }
    return EXIT_OK;
}

/* The options that shape or route a datagram: nothing for a local
 * mailslot. */
static const char *net_option(int ch)
{
    static const struct { int ch; const char *name; } net[] = {
        { 'f', "--from" },      { 'n', "--name" },      { 'T', "--type" },
        { 'A', "--as" },        { 'Y', "--node-type" }, { 'W', "--workgroup" },
        { 'i', "-i" },          { 'S', "--sport" },     { 'P', "--port" },
        { 'N', "--wins" },      { 'H', "--hosts" },     { 'D', "--direct" },
        { 'z', "--force-size" }, { 'j', "--json" },
    };
    for (size_t i = 0; i < sizeof net / sizeof net[0]; i++)
        if (net[i].ch == ch)
            return net[i].name;
    return NULL;
}

static int take_option(send_args *a, int ch, const char *arg)
{
    if (ch == 'T' || ch == 'A' || ch == 'Y')
        a->names_given = true;
    if (!a->net_opt)
        a->net_opt = net_option(ch);
    switch (ch) {
    case 't': a->to = arg; break;
    case 's': a->slot = arg; break;
    case 'f': a->o.from = arg; a->names_given = true; break;
    case 'n': a->o.dest_name = arg; a->names_given = true; break;
    case 'd': a->text = arg; break;
    case 'x': a->hex = arg; break;
    case 'F': a->file = arg; break;
    case 'W': a->o.workgroup = arg; break;
    case 'i': a->o.iface = arg; break;
    case 'w': a->out = arg; break;
    case 'j': a->json = true; break;
    case 'z': a->o.force_size = true; break;
    case 'H': a->o.hosts_file = arg; break;
    case 'q': a->quiet = true; break;
    case 'D': a->o.daemon = MS_DAEMON_NEVER; break;
    default: return take_value(a, ch, arg);
    }
    return EXIT_OK;
}

static int parse_args(send_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    ms_client_opts_init(&a->o);
    a->repeat = 1;
    a->interval = 1000;
    int ch;
    while ((ch = cli_next(&cli_cmd_send, argc, argv)) > 0) {
        int st = take_option(a, ch, optarg);
        if (st != EXIT_OK)
            return st;
    }
    if (ch != CLI_END)
        return ch == CLI_EXIT_OK ? CLI_DONE : EXIT_USAGE;
    if (optind < argc) {
        cli_error("send", "unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* --json without --slot: the JSON says what each frame is, the options
 * only where it goes. */
static int check_json_args(const send_args *a)
{
    if (!a->to) {
        cli_error("send", "--json without --slot sends the frames of its NDJSON input: it needs "
                          "--to (where they go)");
        return EXIT_USAGE;
    }
    if (a->names_given || a->text || a->hex || a->key_file || a->repeat != 1) {
        cli_error("send", "--json without --slot takes the names, type and message from the JSON: "
                          "no --from, --name, --type, --as, --node-type, --data, --hex, "
                          "--key-file or --repeat");
        return EXIT_USAGE;
    }
    if (local_target(a->to)) {
        cli_error("send", "--json sends datagrams: not to a local mailslot (\\\\.)");
        return EXIT_USAGE;
    }
    return check_target(a->to, a->o.hosts_file);
}

/* What the options say together. */
static int check_args(send_args *a)
{
    a->json_in = a->json && !a->slot;
    a->local = a->to && local_target(a->to);
    if (a->json_in)
        return check_json_args(a);
    if (!a->to || !a->slot) {
        cli_error("send", "--to and --slot are required; try 'mailslot send --help'");
        return EXIT_USAGE;
    }
    if ((a->text != NULL) + (a->hex != NULL) + (a->file != NULL) > 1) {
        cli_error("send", "give at most one of --data, --hex, --file");
        return EXIT_USAGE;
    }
    if (a->out && a->wait_s > 0) {
        cli_error("send", "--wait needs the network; it does not go with -w");
        return EXIT_USAGE;
    }
    int st = check_target(a->to, a->o.hosts_file);
    if (st != EXIT_OK)
        return st;
    if (a->out && needs_resolution(a->to, &a->o) && !a->o.hosts_file && !a->o.wins_ip) {
        /* -w promises nothing goes on the network: no name query either. */
        cli_error("send", "-w with --to '%s' would resolve the name on the network; "
                          "give --hosts FILE or --wins IP, or --to an address with --name",
                  a->to);
        return EXIT_USAGE;
    }
    if (a->local && (a->out || a->wait_s > 0 || a->key_file)) {
        cli_error("send", "a local mailslot (\\\\.) takes no %s",
                  a->out ? "-w" : a->wait_s > 0 ? "--wait" : "--key-file (file permissions guard it)");
        return EXIT_USAGE;
    }
    if (a->local && a->net_opt) {
        cli_error("send", "a local mailslot (\\\\.) takes no %s: it shapes or routes datagrams, "
                          "and a local write is none", a->net_opt);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Up to cap octets of f into a buffer that grows as it fills: 1 when f
 * holds more, -1 on a read or memory error. */
static int read_all(FILE *f, uint8_t **out, size_t cap, size_t *len)
{
    size_t n = 0, size = 0;
    uint8_t *buf = NULL;
    for (;;) {
        if (n == size) {
            size_t want = size ? size * 2 : 65536;
            if (want > cap + 1)
                want = cap + 1;
            uint8_t *nb = realloc(buf, want);
            if (!nb) {
                free(buf);
                return -1;
            }
            buf = nb;
            size = want;
        }
        size_t got = fread(buf + n, 1, size - n, f);
        n += got;
        if (ferror(f)) {
            free(buf);
            return -1;
        }
        if (n > cap) {
            free(buf);
            return 1;
        }
        if (got == 0 || feof(f))
            break;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* A message over cap: a datagram's 64 KiB is a usage error, a local
 * mailslot's limit (its max size, else the kernel's socket buffer) the
 * library's refusal, exit 1. */
static int too_long(const send_args *a, const char *what, size_t cap)
{
    if (!a->local) {
        cli_error("send", "%s is longer than %zu octets", what, cap);
        return EXIT_USAGE;
    }
    cli_error("send", "%s is over %zu octets, the most local mailslot %s takes (its max size, "
                      "else what the kernel takes on a local socket)", what, cap, a->slot);
    return EXIT_NEGATIVE;
}

/* The message: --data, --hex, --file or standard input, up to cap octets
 * in a buffer the caller frees. */
static int read_message(const send_args *a, size_t cap, uint8_t **data, size_t *len)
{
    if (a->text || a->hex) {
        size_t n = a->text ? strlen(a->text) : strlen(a->hex) / 2;
        if (!(*data = malloc(n ? n : 1)))
            return EXIT_SYSTEM;
        if (a->text)
            memcpy(*data, a->text, (*len = n));
        else if (ms_hex_decode(a->hex, strlen(a->hex), " :\n", *data, n, len) != MS_OK) {
            cli_error("send", "--hex: not an even number of hex digits");
            return EXIT_USAGE;
        }
        return *len > cap ? too_long(a, a->text ? "--data" : "--hex", cap) : EXIT_OK;
    }
    FILE *f = a->file ? fopen(a->file, "rb") : stdin;
    if (!f) {
        cli_error("send", "%s: %s", a->file, strerror(errno));
        return EXIT_SYSTEM;
    }
    int r = read_all(f, data, cap, len);
    if (a->file)
        fclose(f);
    const char *what = a->file ? a->file : "standard input";
    if (r > 0)
        return too_long(a, what, cap);
    if (r < 0) {
        cli_error("send", "%s: read error", what);
        return EXIT_SYSTEM;
    }
    return EXIT_OK;
}

/* After SIGINT/SIGTERM in a --repeat run: say how far it got. */
static int stopped_status(long done, long repeat)
{
    if (!cli_stop_signal)
        return EXIT_OK;
    cli_error("send", "stopped by signal %d after %ld of %ld messages", (int)cli_stop_signal, done,
              repeat);
    return cli_signal_status();
}

/* ---- local mailslots (--to '\\.') ---- */

static int send_local(ms_client *c, const uint8_t *data, size_t len, long repeat, long interval,
                      bool quiet)
{
    char err[512];
    const ms_client_info *info = ms_client_get_info(c);
    if (repeat > 1)
        cli_signals_install(NULL);
    long i;
    for (i = 0; i < repeat && !cli_stop_signal; i++) {
        if (i > 0 && interval > 0)
            sleep_ms(interval);
        if (cli_stop_signal)
            break;
        ms_status st = ms_client_write(c, data, len, NULL, err, sizeof err);
        if (st != MS_OK) {
            cli_error("send", "%s", err);
            return exit_for(st);
        }
        if (!quiet)
            fprintf(stderr, "mailslot send: local \\\\.%s, %zu data octets\n", info->slot, len);
    }
    return stopped_status(i, repeat);
}

static int exit_for(ms_status st)
{
    switch (st) {
    case MS_ERR_TOO_BIG:
    case MS_ERR_NOT_FOUND:
    case MS_ERR_TIMEOUT:
        return EXIT_NEGATIVE;
    case MS_ERR_INVALID_ARG:
        return EXIT_USAGE;
    default:
        return EXIT_SYSTEM;
    }
}

/* The library's reason, and what the command line can do about it. */
static void refused(const char *err, ms_status st)
{
    if (st == MS_ERR_TOO_BIG)
        cli_error("send", "%s; --force-size sends it anyway", err);
    else
        cli_error("send", "%s", err);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !cli_stop_signal)
        ;
}

/* ---- --wait: replies, through the receive pipeline ---- */

typedef struct reply_ctx {
    json_out j;
    bool json;
} reply_ctx;

static void on_reply(void *vctx, const ms_rx_item *it)
{
    reply_ctx *r = vctx;
    if (it->kind == MS_RX_INCOMPLETE || it->verdict == MS_RX_FRAGMENT)
        return; /* a fragment is shown as part of its whole datagram */
    live_print(stdout, &r->j, r->json, it, true, NULL, false);
}

/* Print every reply to our source port arriving for `seconds`. */
static int wait_replies(ms_client *c, double seconds, bool json, uint16_t our_port)
{
    static uint8_t bufs[8][65536];
    ms_udp_dgram d[8];
    for (int i = 0; i < 8; i++)
        d[i] = (ms_udp_dgram){ .buf = bufs[i], .cap = sizeof bufs[i] };
    static reply_ctx r;
    r.json = json;
    jo_init(&r.j, stdout);
    ms_pipeline_opts po;
    ms_pipeline_opts_init(&po);
    po.validate = json;
    ms_pipeline *p;
    char err[256];
    if (ms_pipeline_new(&po, on_reply, &r, &p, err, sizeof err) != MS_OK) {
        cli_error("send", "%s", err);
        return EXIT_SYSTEM;
    }
    uint64_t deadline = ms_monotonic_ns() + (uint64_t)(seconds * 1e9);
    uint64_t frame = 0;
    int status = EXIT_OK;
    for (uint64_t now; status == EXIT_OK && (now = ms_monotonic_ns()) < deadline;) {
        size_t n = 0;
        /* What waits first (through mailslotd, replies that came during
         * the write are held, the socket no longer readable for them). */
        if (ms_client_recv_replies(c, d, 8, &n) != MS_OK) {
            cli_error("send", "receive: %s", strerror(errno));
            status = EXIT_SYSTEM;
        } else if (n == 0) {
            struct pollfd pfd = { ms_client_fd(c), POLLIN, 0 };
            if (poll(&pfd, 1, (int)((deadline - now + 999999) / 1000000)) < 0 && errno != EINTR) {
                cli_error("send", "poll: %s", strerror(errno));
                status = EXIT_SYSTEM;
            }
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t t = d[i].time_ns ? d[i].time_ns : ms_realtime_ns();
            /* frame is touched once in this initializer: no order to depend on. */
            // cppcheck-suppress unknownEvaluationOrder
            ms_udp_datagram u = { .frame = ++frame, .ts_sec = (int64_t)(t / 1000000000u),
                                  .ts_nsec = (uint32_t)(t % 1000000000u),
                                  .ip_src = d[i].src_ip, .ip_dst = d[i].dst_ip,
                                  .sport = d[i].src_port, .dport = our_port,
                                  .udp_length = (uint16_t)(d[i].len + 8), .payload = d[i].buf,
                                  .len = d[i].len, .orig_len = d[i].orig_len,
                                  .truncated = d[i].truncated };
            ms_pipeline_push(p, &u, ms_monotonic_ns());
        }
    }
    ms_pipeline_free(p);
    return status;
}

/* ---- sending ---- */

/* What send says on stderr about one datagram. At most ~1400 octets:
 * names of 300, slots of 255. */
static int summary(char *out, size_t cap, const send_args *a, const ms_client_info *in,
                   const ms_write_result *res, size_t len, const char *verb)
{
    char dst[16], sn[300], dn[300], reply[300] = "";
    ms_ip_format(in->dst_ip, dst, sizeof dst);
    ms_nb_name_format(&in->src, sn, sizeof sn);
    ms_nb_name_format(&in->dst, dn, sizeof dn);
    if (in->reply_slot[0]) /* through mailslotd: where the replies come back */
        snprintf(reply, sizeof reply, ", replies to %s", in->reply_slot);
    (void)a;
    return snprintf(out, cap,
                    "mailslot send: %s %s -> %s %s, %zu data octets%s%s, as %s (FLAGS 0x%02x), "
                    "DGM_ID 0x%04x, %zu octets %s %s:%u from port %u\n",
                    ms_dgram_type_name(in->type), sn, dn, in->slot, len,
                    in->auth_overhead ? " + 52-octet authentication trailer" : "", reply,
                    ms_sender_name(in->sender), in->nbds_flags, res->dgm_id, res->payload_len,
                    verb, dst, in->dport, in->sport);
}

static const char *verb_of(const ms_client_info *in, bool pcap)
{
    return pcap ? "written for"
                : in->sport_mode == MS_SPORT_MODE_DAEMON ? "sent through mailslotd to" : "sent to";
}

static void warn_576(const ms_write_result *res)
{
    cli_error("send", "warning: the datagram is %zu octets of UDP payload, over 576: Samba "
                      "nmbd drops datagrams longer than that",
              res->payload_len);
}

/* --repeat N --interval 0 over the network: the same datagrams and the
 * same lines on stderr as N ms_client_write calls, but sent BURST per
 * system call (ms_client_write_many) and their lines written together.
 * Returns an exit status. */
#define BURST 32
static int send_burst(ms_client *c, const send_args *a, const uint8_t *data, size_t len,
                      long *done)
{
    static char lines[BURST * 1500];
    const ms_client_info *in = ms_client_get_info(c);
    ms_write_result res[BURST];
    char err[512];
    *done = 0;
    for (long i = 0; i < a->repeat && !cli_stop_signal;) {
        size_t n = a->repeat - i < BURST ? (size_t)(a->repeat - i) : BURST, sent = 0;
        ms_status st = ms_client_write_many(c, data, len, n, res, &sent, err, sizeof err);
        size_t used = 0;
        for (size_t k = 0; k < sent && !a->quiet; k++) {
            bool warn = res[k].over_576 && i + (long)k == 0;
            if (warn || sizeof lines - used < 2048) {
                fwrite(lines, 1, used, stderr);
                used = 0;
            }
            if (warn)
                warn_576(&res[k]);
            int w = summary(lines + used, sizeof lines - used, a, in, &res[k], len,
                            verb_of(in, false));
            if (w > 0)
                used += (size_t)w < sizeof lines - used ? (size_t)w : sizeof lines - used - 1;
        }
        fwrite(lines, 1, used, stderr);
        *done += (long)sent;
        if (st != MS_OK) {
            refused(err, st);
            return exit_for(st);
        }
        i += (long)n;
    }
    return EXIT_OK;
}

/* One message: sent, or (-w) written to the pcap file. */
static ms_status send_one(ms_client *c, const send_args *a, pcap_out *po, const uint8_t *data,
                          size_t len, ms_write_result *res, char *err, size_t errlen)
{
    static uint8_t frame[65536];
    const ms_client_info *in = ms_client_get_info(c);
    if (!po)
        return ms_client_write(c, data, len, res, err, errlen);
    ms_status st = ms_client_build(c, data, len, frame, sizeof frame, res, err, errlen);
    if (st != MS_OK)
        return st;
    uint64_t now = ms_realtime_ns();
    if (pcap_out_write(po, (int64_t)(now / 1000000000ull), (uint32_t)(now % 1000000000ull),
                       in->src_ip, in->dst_ip, in->sport, in->dport, frame,
                       res->payload_len) != 0) {
        if (!pcap_out_error(po, err, errlen))
            snprintf(err, errlen, "%s: frame too large for UDP", a->out);
        return MS_ERR_SYSTEM;
    }
    return MS_OK;
}

/* --repeat messages, --interval apart; *done counts those that went. */
static int send_each(ms_client *c, const send_args *a, pcap_out *po, const uint8_t *data,
                     size_t len, long *done)
{
    char err[512], line[1500];
    for (long i = 0; i < a->repeat && !cli_stop_signal; i++) {
        if (i > 0 && a->interval > 0)
            sleep_ms(a->interval);
        if (cli_stop_signal)
            break;
        ms_write_result res;
        ms_status st = send_one(c, a, po, data, len, &res, err, sizeof err);
        if (st != MS_OK) {
            refused(err, st);
            return exit_for(st);
        }
        if (res.over_576 && !a->quiet && i == 0)
            warn_576(&res);
        if (!a->quiet && summary(line, sizeof line, a, ms_client_get_info(c), &res, len,
                                 verb_of(ms_client_get_info(c), po != NULL)) > 0)
            fputs(line, stderr);
        ++*done;
    }
    return EXIT_OK;
}

/* The -w file: kept when all went well, removed otherwise. */
static int close_output(pcap_out *po, int status)
{
    char err[512];
    if (status != EXIT_OK) {
        pcap_out_abort(po);
        return status;
    }
    if (pcap_out_commit(po, err, sizeof err) != 0) {
        cli_error("send", "%s", err);
        return EXIT_SYSTEM;
    }
    return EXIT_OK;
}

static int send_network(ms_client *c, const send_args *a, const uint8_t *data, size_t len)
{
    const ms_client_info *in = ms_client_get_info(c);
    if (in->sport_fallback && !a->quiet)
        cli_error("send", "%s", in->note);
    char err[512];
    pcap_out *po = NULL;
    /* A run that takes time, or one with a temporary to remove: stop it
     * cleanly. */
    if (a->repeat > 1 || a->out)
        cli_signals_install(NULL);
    if (a->out && !(po = pcap_out_open(a->out, err, sizeof err))) {
        cli_error("send", "%s", err);
        return EXIT_SYSTEM;
    }
    long done = 0;
    int status = !po && a->interval == 0 && a->repeat > 1 ? send_burst(c, a, data, len, &done)
                                                          : send_each(c, a, po, data, len, &done);
    if (status == EXIT_OK && a->wait_s > 0 && !a->quiet && in->sport_mode == MS_SPORT_MODE_DAEMON &&
        !in->reply_slot[0] && strcasecmp(in->slot, "\\MAILSLOT\\BROWSE"))
        cli_error("send", "through mailslotd --wait shows replies to a NETLOGON request or a "
                          "GetBackupListRequest only; other replies go to the program that "
                          "created the mailslot they name");
    if (status == EXIT_OK)
        status = stopped_status(done, a->repeat);
    if (a->repeat > 1) { /* --wait ends at a signal as before */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
    }
    if (po)
        status = close_output(po, status);
    if (status == EXIT_OK && a->wait_s > 0)
        status = wait_replies(c, a->wait_s, a->json, in->sport);
    return status;
}

/* The client for the target, with the key of --key-file. */
static int open_client(send_args *a, ms_client **c)
{
    static ms_auth_keyring keys;
    if (a->key_file) {
        int ks = cli_load_keys("send", a->key_file, &keys);
        if (ks)
            return ks;
        a->o.auth_key = &keys.keys[0];
    }
    a->o.no_socket = a->out != NULL;
    /* Without --wait nothing reads replies: a connected socket spares the
     * kernel a route lookup per datagram. */
    a->o.send_only = a->wait_s <= 0;
    char err[512] = "";
    const char *slot = a->slot;
    if (a->json_in) {
        /* The frames carry their own names: the client only finds where
         * they go (an address needs a destination name to plan with). */
        const char *t = a->to + ((a->to[0] == '\\' || a->to[0] == '/') ? 2 : 0);
        uint32_t ip;
        slot = "\\MAILSLOT\\JSON";
        a->o.dest_name = ms_ip_parse(t, &ip) == MS_OK ? "JSON<00>" : NULL;
    }
    ms_status st = ms_client_open(a->to, slot, &a->o, c, err, sizeof err);
    ms_auth_keys_wipe(&keys);
    a->o.auth_key = NULL;
    if (st == MS_ERR_EXISTS) {
        cli_error("send", "%s; without --sport, send takes no port another program "
                          "could need", err);
        return EXIT_SYSTEM;
    }
    if (st != MS_OK && strstr(err, "mailslotd")) {
        cli_error("send", "%s; --direct sends without it", err);
        return EXIT_SYSTEM;
    }
    if (st != MS_OK) {
        cli_error("send", "%s", err);
        return exit_for(st);
    }
    return EXIT_OK;
}

/* --json without --slot: the frames of the NDJSON input. */
static int send_json_input(ms_client *c, const send_args *a)
{
    const ms_client_info *in = ms_client_get_info(c);
    if (in->sport_fallback && !a->quiet)
        cli_error("send", "%s", in->note);
    FILE *f = a->file ? fopen(a->file, "r") : stdin;
    if (!f) {
        cli_error("send", "%s: %s", a->file, strerror(errno));
        return EXIT_SYSTEM;
    }
    char err[512];
    send_json_opts so = { f, a->file ? a->file : "standard input", NULL, a->o.force_size,
                          a->quiet };
    int status = EXIT_OK;
    cli_signals_install(NULL); /* before the temporary exists */
    if (a->out && !(so.po = pcap_out_open(a->out, err, sizeof err))) {
        cli_error("send", "%s", err);
        status = EXIT_SYSTEM;
    }
    if (status == EXIT_OK) {
        status = send_json_frames(c, &so);
        if (status == EXIT_OK && cli_stop_signal)
            status = cli_signal_status();
    }
    if (so.po)
        status = close_output(so.po, status);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (a->file)
        fclose(f);
    if (status == EXIT_OK && a->wait_s > 0)
        status = wait_replies(c, a->wait_s, true, in->sport);
    return status;
}

int cmd_send(int argc, char **argv)
{
    static send_args a;
    uint8_t *data = NULL;
    size_t len = 0;
    ms_client *c = NULL;
    int status = parse_args(&a, argc, argv);
    if (status == EXIT_OK)
        status = check_args(&a);
    /* A local mailslot's limit is known once it is open: read after. */
    if (status == EXIT_OK && !a.json_in && !a.local)
        status = read_message(&a, DATA_MAX, &data, &len);
    if (status == EXIT_OK)
        status = open_client(&a, &c);
    if (status == EXIT_OK && a.local)
        status = read_message(&a, ms_client_get_info(c)->max_data, &data, &len);
    if (status != EXIT_OK) {
        free(data);
        ms_client_close(c);
        return status == CLI_DONE ? EXIT_OK : status;
    }
    if (a.json_in)
        status = send_json_input(c, &a);
    else if (a.local)
        status = send_local(c, data, len, a.repeat, a.interval, a.quiet);
    else
        status = send_network(c, &a, data, len);
    free(data);
    ms_client_close(c);
    return status;
}
