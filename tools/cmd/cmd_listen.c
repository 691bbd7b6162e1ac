/* SPDX-License-Identifier: MIT */
/* `mailslot listen`: receive mailslot messages on UDP 138 (or through
 * libpcap beside nmbd) and print each as decode does, one line at once.
 * A thin command over the library: the server (pipeline, queues,
 * authentication) and its event loop, which also runs the name service
 * (listen_names.c); this file parses options, prints and counts. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "cli_keys.h"
#include "cli_opts.h"
#include "dgram_print.h"
#include "escape.h"
#include "listen_daemon.h"
#include "listen_names.h"
#include "listen_nmbd.h"
#include "live_print.h"
#include "mailslot/auth.h"
#include "mailslot/local.h"
#include "mailslot/net.h"
#include "mailslot/server.h"

#define MAX_SLOTS 64
#define CLI_DONE (-1) /* --help or --version printed: exit 0 */

typedef struct listen_args {
    ms_server_opts so;
    const char *iface, *pcap_if, *user, *key_file;
    const char *slots[MAX_SLOTS];
    size_t nslots;
    listen_names names;
    listen_daemon ld;
    long count, dedup, queue, auth_window, replay_cache;
    double timeout_s;
    bool json, stats, have_bind, local_net;
    bool data;              /* --data: the message on each text line */
    ms_local_access local_acc;
    char **local_names;      /* \\.\mailslot\NAME arguments */
    size_t nlocal;
    listen_nmbd nmbd;        /* --nmbd */
} listen_args;

/* What a run holds open. */
typedef struct listen_run {
    ms_server *srv;
    ms_iface ifc;
    bool have_if;
    uint64_t printed;
    json_out j;
} listen_run;

static const cli_opt listen_opts[] = {
    { "port", 'p', 0, "N", "UDP port (default 138)", NULL },
    { "interface", 'i', 'i', "IFACE", "the network to listen on (broadcasts and unicast)", "iface" },
    { "bind", 'b', 0, "ADDR", "bind this address (a unicast address hears no\nbroadcasts)", NULL },
    { "slot", 's', 0, "NAME", "only this mailslot (repeatable; default: every one)", NULL },
    { "json", 'j', 0, NULL, "NDJSON like decode --json", NULL },
    { "data", 'X', 0, NULL, "end each line with the message's data, quoted (as\ndecode --data; browser and NETLOGON lines keep\ntheir summary); local messages too", NULL },
    { "count", 'c', 'c', "N", "stop after N messages", NULL },
    { "timeout", 't', 0, "S", "stop after S seconds", NULL },
    { "pcap", 'P', 0, "IFACE", "receive passively through libpcap (beside nmbd)", "iface" },
    { "nmbd", 'N', 0, NULL, "receive what Samba's nmbd passes on, through its\nunexpected-packet socket (beside nmbd, no\nprivilege; see 'Beside Samba')", NULL },
    { "nmbd-socket-dir", 'M', 0, "DIR", "nmbd's socket directory (default /run/samba/nmbd,\nsmb.conf 'nmbd:socket dir'); implies --nmbd", "dir" },
    { "register", 'R', 0, "NAME", "register the unique name NAME (NAME or NAME<xx>,\ndefault <00>) on UDP 137, then answer for it;\nexit 4 when another node holds it (repeatable)", NULL },
    { "register-group", 'G', 0, "NAME", "register a group name, e.g. WORKGROUP<1e>\n(repeatable)", NULL },
    { "wins", 'W', 0, "IP", "register with this WINS server (H node), refresh\nbefore the TTL ends, release at the end", NULL },
    { "ignore-conflict-demand", 'I', 0, NULL, "keep registered names whatever conflict demand\ncomes", NULL },
    { "user", 'u', 0, "USER", "user to drop to when started as root (default\nnobody)", NULL },
    { "dedup-window", 'D', 0, "MS", "drop repeats within MS milliseconds (default 2000,\n0 = off)", NULL },
    { "queue", 'Q', 0, "N", "messages held per mailslot (default 256; when full\nthe newest is dropped and counted)", NULL },
    { "key-file", 'K', 0, "K", "accept only messages whose authentication trailer\nverifies with a key in K (docs/AUTH.md); the\ntrailer is stripped before printing", "file" },
    { "auth-window", 'A', 0, "S", "accepted clock difference, seconds (default 30)", NULL },
    { "replay-cache", 'C', 0, "N", "remembered nonces (default 4096; when all are live,\nnew messages are refused and counted)", NULL },
    { "stats", 'S', 0, NULL, "counters on stderr at the end", NULL },
    { "net", 'n', 0, NULL, "with local mailslots: also receive them from the\nnetwork (UDP 138)", NULL },
    { "local-access", 'l', 0, "A", "who may write to local mailslots: user (default,\n0600), group (0660), world (0666; directory 0711)", "user group world" },
    { "direct", 'd', 0, NULL, "never through mailslotd: bind UDP 138 (or --port)\nhere even while it runs", NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const cli_cmd cli_cmd_listen = {
    "listen",
    "receive mailslot messages (UDP 138, or libpcap)",
    "mailslot listen [OPTIONS]\n"
    "mailslot listen [OPTIONS] '\\\\.\\mailslot\\NAME' ...\n",
    "Receive remote mailslot writes (NetBIOS datagrams, UDP 138) and print\n"
    "each message as decode prints it, one line at once.\n",
    listen_opts,
    "Exit status: 0 done (--count reached, or at least one message before\n"
    "--timeout or a signal), 1 timed out (--count not reached, or nothing\n"
    "received), 2 bad usage, 4 system error (e.g. port taken) or a name\n"
    "that another node holds. A reader that goes away (a closed pipe) ends\n"
    "it quietly, as --count does.\n"
    "\n"
    "Names: each --register name is claimed only after three broadcast\n"
    "registrations 250 ms apart drew no objection (or the --wins server\n"
    "accepted it); then queries and node status requests are answered and\n"
    "the name is defended. Every registration, refusal, defence, conflict\n"
    "and release is one line on stderr (and, with --json, an object with an\n"
    "\"event\" key on stdout). Names are released when listen ends normally\n"
    "(--count, --timeout, SIGINT, SIGTERM).\n"
    "\n"
    "Local mailslots: each '\\\\.\\mailslot\\NAME' argument is created as a local\n"
    "mailslot (Unix domain socket in $XDG_RUNTIME_DIR/mailslot, README \"Local\n"
    "mailslots\"); nothing is bound on the network unless --net (or --port,\n"
    "-i, --bind, --slot, --register, --pcap) asks for it, and then the same\n"
    "mailslot also takes network writes. A name that another server holds\n"
    "is refused (exit 4).\n"
    "\n"
    "Beside Samba: with --nmbd, listen binds nothing and reads the datagrams\n"
    "nmbd does not consume itself from nmbd's socket DIR/unexpected. nmbd\n"
    "keeps \\MAILSLOT\\BROWSE, \\MAILSLOT\\LANMAN, \\MAILSLOT\\NET\\NETLOGON and\n"
    "\\MAILSLOT\\NET\\NTLOGON addressed to its own names, and drops fragments\n"
    "and datagrams over 576 octets addressed to them; it passes on the rest,\n"
    "cut to 576 octets, with times in whole seconds. nmbd blocks while a\n"
    "reader's socket is full, so listen reads at once and queues on its side.\n"
    "When nmbd stops, listen ends (exit 4).\n"
    "\n"
    "mailslotd: while it runs ($MAILSLOTD_DIR/control, else\n"
    "/run/mailslotd/control) listen binds nothing: it becomes the daemon's\n"
    "client, a monitor (copies of every message) without --slot or local\n"
    "mailslots, else the creator of each one named (a name another program\n"
    "created: exit 4); local mailslots then also take network writes.\n"
    "--port and --bind do not go with it (exit 4, naming it), nor --register\n"
    "of a name it holds; --pcap is unaffected; --direct binds as before.\n",
    NULL,
};

/* ---- the command line ---- */

static int parse_count(const char *opt, const char *arg, long max, long *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < 0 || v > max) {
        cli_error("listen", "%s: '%s' is not a number (0..%ld)", opt, arg, max);
        return EXIT_USAGE;
    }
    *out = v;
    return EXIT_OK;
}

/* A count that must be at least 1. */
static int parse_positive(const char *opt, const char *arg, long max, long *out)
{
    int st = parse_count(opt, arg, max, out);
    if (st == EXIT_OK && *out == 0) {
        cli_error("listen", "%s must be at least 1%s", opt,
                  !strcmp(opt, "--auth-window") ? " second" : "");
        return EXIT_USAGE;
    }
    return st;
}

static int add_to(const char **list, size_t *n, size_t max, const char *arg, const char *opt)
{
    if (*n == max) {
        cli_error("listen", "at most %zu %s options", max, opt);
        return EXIT_USAGE;
    }
    list[(*n)++] = arg;
    return EXIT_OK;
}

/* The options that take a number or a choice. */
static int take_value(listen_args *a, int ch, const char *arg)
{
    char *end;
    int p;
    switch (ch) {
    case 'p':
        if ((p = cli_parse_port(arg)) < 0) {
            cli_error("listen", "--port: '%s' is not a port", arg);
            return EXIT_USAGE;
        }
        a->so.port = (uint16_t)p;
        return EXIT_OK;
    case 'b':
        if (ms_ip_parse(arg, &a->so.bind_ip) != MS_OK) {
            cli_error("listen", "--bind: '%s' is not an IPv4 address", arg);
            return EXIT_USAGE;
        }
        a->have_bind = true;
        return EXIT_OK;
    case 'c': return parse_count("--count", arg, 100000000L, &a->count);
    case 'D': return parse_count("--dedup-window", arg, 3600000L, &a->dedup);
    case 'Q': return parse_positive("--queue", arg, 1000000L, &a->queue);
    case 'A': return parse_positive("--auth-window", arg, 86400L, &a->auth_window);
    case 'C': return parse_positive("--replay-cache", arg, 1000000L, &a->replay_cache);
    case 't':
        a->timeout_s = strtod(arg, &end);
        if (!*arg || *end || !(a->timeout_s >= 0 && a->timeout_s <= 31536000)) {
            cli_error("listen", "--timeout: '%s' is not a number of seconds", arg);
            return EXIT_USAGE;
        }
        return EXIT_OK;
    case 'l':
        if (!strcmp(arg, "user"))
            a->local_acc = MS_LOCAL_USER;
        else if (!strcmp(arg, "group"))
            a->local_acc = MS_LOCAL_GROUP;
        else if (!strcmp(arg, "world"))
            a->local_acc = MS_LOCAL_WORLD;
        else {
            cli_error("listen", "--local-access must be user, group or world, not '%s'", arg);
            return EXIT_USAGE;
        }
        return EXIT_OK;
    }
    return EXIT_OK;
}

static int take_option(listen_args *a, int ch, const char *arg)
{
    switch (ch) {
    case 'i': a->iface = arg; break;
    case 's': return add_to(a->slots, &a->nslots, MAX_SLOTS, arg, "--slot");
    case 'j': a->json = true; break;
    case 'S': a->stats = true; break;
    case 'X': dp_set_show_data(true); a->data = true; break;
    case 'P': a->pcap_if = arg; break;
    case 'N': a->nmbd.on = true; break;
    case 'M':
        a->nmbd.on = true;
        a->nmbd.dir = arg;
        break;
    case 'u': a->user = arg; break;
    case 'R': return ln_add(&a->names, arg, false);
    case 'G': return ln_add(&a->names, arg, true);
    case 'I': a->names.ignore_conflict_demand = true; break;
    case 'W':
        if (ms_ip_parse(arg, &a->names.wins_ip) != MS_OK || !a->names.wins_ip) {
            cli_error("listen", "--wins: '%s' is not an IPv4 address", arg);
            return EXIT_USAGE;
        }
        break;
    case 'K': return cli_key_file_arg("listen", arg, &a->key_file);
    case 'n': a->local_net = true; break;
    case 'd': a->ld.direct = true; break;
    default: return take_value(a, ch, arg);
    }
    return EXIT_OK;
}

static int parse_args(listen_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    ms_server_opts_init(&a->so);
    a->dedup = 2000;
    a->timeout_s = -1;
    a->local_acc = MS_LOCAL_USER;
    int ch;
    while ((ch = cli_next(&cli_cmd_listen, argc, argv)) > 0) {
        int st = take_option(a, ch, optarg);
        if (st != EXIT_OK)
            return st;
    }
    if (ch != CLI_END)
        return ch == CLI_EXIT_OK ? CLI_DONE : EXIT_USAGE;
    /* Arguments: local mailslots; without a network option, only those. */
    a->local_names = argv + optind;
    a->nlocal = (size_t)(argc - optind);
    return EXIT_OK;
}

/* What the options say together; the server's options from them. */
static int check_args(listen_args *a)
{
    if (a->nlocal && !a->local_net && !a->iface && !a->have_bind && !a->pcap_if &&
        !a->names.n && !a->nslots && !a->so.port)
        a->so.no_socket = true;
    if (!a->nlocal && a->local_net) {
        cli_error("listen", "--net goes with local mailslot arguments ('\\\\.\\mailslot\\NAME')");
        return EXIT_USAGE;
    }
    if (a->pcap_if && (a->iface || a->have_bind)) {
        cli_error("listen", "--pcap IFACE names the interface itself; no -i or --bind with it");
        return EXIT_USAGE;
    }
    if (a->nmbd.on && (a->pcap_if || a->iface || a->have_bind || a->so.port || a->names.n ||
                       a->local_net)) {
        cli_error("listen", "--nmbd reads what nmbd receives: no --pcap, -i, --bind, --port, "
                            "--net or --register with it (nmbd registers its own names)");
        return EXIT_USAGE;
    }
    if (a->nmbd.on)
        a->so.no_socket = true;
    if ((a->names.wins_ip || a->names.ignore_conflict_demand) && !a->names.n) {
        cli_error("listen", "--wins and --ignore-conflict-demand go with --register or "
                            "--register-group");
        return EXIT_USAGE;
    }
    if ((a->auth_window || a->replay_cache) && !a->key_file) {
        cli_error("listen", "--auth-window and --replay-cache need --key-file");
        return EXIT_USAGE;
    }
    a->so.dedup_window_ms = a->dedup ? (int)a->dedup : -1;
    a->so.queue_max = (size_t)a->queue;
    /* A burst waits in the kernel while we print: 32 MiB, not the
     * library's 1 MiB (root passes rmem_max; kernel memory is taken only
     * by what actually waits). */
    a->so.rcvbuf = 32 << 20;
    a->so.auth_window_ms = (uint32_t)a->auth_window * 1000u;
    a->so.auth_cache = (size_t)a->replay_cache;
    a->so.pcap_iface = a->pcap_if;
    a->so.local_scope = MS_LOCAL_NAMED;
    a->so.local_access = a->local_acc;
    return EXIT_OK;
}

/* ---- setting up ---- */

/* --register: the name service on the server's loop (UDP 137). */
static int open_names(listen_args *a, listen_run *r)
{
    char err[512];
    if (!r->have_if && ms_net_iface(NULL, &r->ifc, err, sizeof err) != MS_OK) {
        cli_error("listen", "--register: %s", err);
        return EXIT_SYSTEM;
    }
    r->have_if = true;
    uint32_t our_ip = (a->have_bind && a->so.bind_ip) ? a->so.bind_ip : r->ifc.addr;
    return ln_open(&a->names, ms_server_loop(r->srv), &r->ifc, a->have_bind ? a->so.bind_ip : 0,
                   our_ip);
}

/* The interface of -i / --pcap / --bind. */
static int find_iface(listen_args *a, listen_run *r)
{
    char err[512];
    if (a->iface || a->pcap_if) {
        if (ms_net_iface(a->iface ? a->iface : a->pcap_if, &r->ifc, err, sizeof err) != MS_OK) {
            cli_error("listen", "%s", err);
            return EXIT_USAGE;
        }
        r->have_if = true;
        a->so.ifindex = a->iface ? r->ifc.index : 0;
    } else if (a->have_bind && a->so.bind_ip) {
        r->have_if = ms_net_iface_by_addr(a->so.bind_ip, &r->ifc, err, sizeof err) == MS_OK;
    }
    return EXIT_OK;
}

/* The server, with the keys of --key-file. */
static int open_server(listen_args *a, listen_run *r)
{
    static ms_auth_keyring keys;
    char err[512] = "";
    if (a->key_file) {
        int ks = cli_load_keys("listen", a->key_file, &keys);
        if (ks)
            return ks;
        a->so.keys = &keys;
    }
    ms_status st = ms_server_open(&a->so, &r->srv, err, sizeof err);
    int e = errno;
    ms_auth_keys_wipe(&keys);
    a->so.keys = NULL;
    if (st == MS_OK)
        return EXIT_OK;
    cli_error("listen", "%s", err);
    if (st == MS_ERR_SYSTEM && e == EADDRINUSE)
        cli_error("listen", "UDP port %u is taken (nmbd runs?) by a socket that does not "
                            "share it; use --pcap IFACE to receive passively beside it",
                  a->so.port ? a->so.port : MS_NBDS_PORT);
    return st == MS_ERR_INVALID_ARG ? EXIT_USAGE : EXIT_SYSTEM;
}

/* Create the local mailslots; 0 or an exit status. */
static int open_local_slots(const listen_args *a, listen_run *r)
{
    for (size_t i = 0; i < a->nlocal; i++) {
        char norm[MS_MAILSLOT_NAME_MAX + 1], local[MS_MAILSLOT_NAME_MAX + 8];
        if (ms_mailslot_name_normalize(a->local_names[i], norm, sizeof norm) != MS_OK) {
            cli_error("listen", "'%s' is not a mailslot name (\\\\.\\mailslot\\NAME)",
                      a->local_names[i]);
            return EXIT_USAGE;
        }
        snprintf(local, sizeof local, "\\\\.%s", norm);
        ms_mailslot *m;
        ms_status st = ms_mailslot_create(r->srv, local, 0, 0, &m);
        ms_daemon_link_info li = MS_SIZED(ms_daemon_link_info);
        ms_server_get_daemon(r->srv, &li);
        if (st != MS_OK && a->ld.via && li.refusal[0])
            return ld_refused(&a->ld, r->srv, norm, st);
        if (st != MS_OK) {
            cli_error("listen", "cannot create local mailslot %s: %s", norm,
                      st != MS_ERR_EXISTS ? ms_strerror(st)
                      : a->ld.via         ? "another server holds it (here, or at mailslotd)"
                                          : "another server holds it");
            return st == MS_ERR_INVALID_ARG ? EXIT_USAGE : EXIT_SYSTEM;
        }
    }
    return EXIT_OK;
}

/* Was the i-th --slot named before it (in any spelling)? */
static bool named_before(const listen_args *a, size_t i, const char *norm)
{
    for (size_t k = 0; k < i; k++) {
        char other[MS_MAILSLOT_NAME_MAX + 1];
        if (ms_mailslot_name_normalize(a->slots[k], other, sizeof other) == MS_OK &&
            !strcasecmp(other, norm))
            return true;
    }
    return false;
}

/* The network mailslots: --slot names, or the catch-all. Through
 * mailslotd a name another program created is refused. */
static int open_slots(const listen_args *a, listen_run *r)
{
    ms_mailslot *m;
    if (a->nslots == 0 && a->nlocal == 0) {
        ms_status st = ms_mailslot_create(r->srv, "*", 0, 0, &m);
        if (st == MS_OK)
            return EXIT_OK;
        return a->ld.via ? ld_refused(&a->ld, r->srv, "the monitor", st) : EXIT_SYSTEM;
    }
    for (size_t i = 0; i < a->nslots; i++) {
        char norm[MS_MAILSLOT_NAME_MAX + 1];
        ms_status st = ms_mailslot_name_normalize(a->slots[i], norm, sizeof norm);
        if (st == MS_OK && named_before(a, i, norm))
            continue;
        if (st == MS_OK)
            st = ms_mailslot_create(r->srv, a->slots[i], 0, 0, &m);
        if (st != MS_OK && a->ld.via && st != MS_ERR_INVALID_ARG && st != MS_ERR_NO_SPACE)
            return ld_refused(&a->ld, r->srv, norm, st);
        if (st == MS_ERR_NO_MEMORY) {
            cli_error("listen", "--slot %s: %s", norm, ms_strerror(st));
            return EXIT_SYSTEM;
        }
        if (st != MS_OK && st != MS_ERR_EXISTS) {
            cli_error("listen", "--slot: '%s' is not a mailslot name (\\MAILSLOT\\NAME)",
                      a->slots[i]);
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

/* Everything that needs privilege first (the port, the pcap handle, the
 * name service's port 137), then drop it, before reading a single datagram. */
static int setup(listen_args *a, listen_run *r)
{
    const char *what = a->so.port ? "--port" : a->have_bind ? "--bind" : NULL;
    if (a->nmbd.on)
        a->ld.direct = true; /* nmbd's socket, like --pcap, needs no daemon */
    int st = ld_decide(&a->ld, &a->so, what, &a->names);
    if (st == EXIT_OK)
        st = find_iface(a, r);
    if (st == EXIT_OK)
        st = open_server(a, r);
    if (st == EXIT_OK && a->names.n)
        st = open_names(a, r);
    if (st == EXIT_OK && a->nlocal)
        st = open_local_slots(a, r);
    if (st == EXIT_OK && a->nmbd.on)
        st = lnm_open(&a->nmbd, r->srv);
    if (st != EXIT_OK)
        return st;
    char err[512];
    bool dropped = false;
    /* Local mailslots alone took no privilege (and must unlink their files
     * at exit), nor does a client of mailslotd: no drop unless --user asks
     * for one. */
    bool local_only = a->so.no_socket && !a->pcap_if && a->nlocal;
    bool unprivileged = local_only || (a->ld.via && !a->names.n);
    if ((!unprivileged || a->user) &&
        ms_net_drop_privileges(a->user, &dropped, err, sizeof err) != MS_OK) {
        cli_error("listen", "%s", err);
        return EXIT_SYSTEM;
    }
    st = open_slots(a, r);
    if (st == EXIT_OK)
        ld_announce(&a->ld, a->nslots, a->nlocal);
    return st;
}

/* ---- printing ---- */

static ms_loop *signal_loop;
static volatile sig_atomic_t stop_flag;

/* A signal ends the run: the flag for a reader that never waits (a
 * flood keeps the queue full), the loop's stop for one that does. */
static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
    if (signal_loop)
        ms_loop_stop(signal_loop);
}

/* stdout failed: a reader that went away (EPIPE: `listen | head`) ends the
 * run quietly, as --count would; anything else is an error. */
static int output_failed(bool *reader_gone)
{
    if (errno == EPIPE) {
        *reader_gone = true;
        return EXIT_OK;
    }
    cli_error("listen", "writing the output failed: %s", strerror(errno));
    return EXIT_SYSTEM;
}

/* One local message: no NBDS/SMB to decode, just the data. */
static void print_local(FILE *f, bool json, bool data, uint64_t frame,
                        const ms_mailslot_msg *msg)
{
    if (json) {
        fprintf(f, "{\"frame\":%llu,\"time_ns\":%llu,\"local\":true,\"slot\":\"",
                (unsigned long long)frame, (unsigned long long)msg->time_ns);
        esc_write(f, (const uint8_t *)msg->slot, strlen(msg->slot), ESC_JSON_BARE);
        fprintf(f, "\",\"len\":%zu,\"data\":\"", msg->len);
        esc_write(f, msg->data, msg->len, ESC_JSON_BARE);
        fputs("\"}\n", f);
    } else {
        /* The data only with --data, as for a network message. */
        fprintf(f, "%llu local %s %zu octet%s", (unsigned long long)frame, msg->slot, msg->len,
                msg->len == 1 ? "" : "s");
        if (data) {
            fputs(": \"", f);
            esc_write(f, msg->data, msg->len, ESC_TEXT_QUOTED);
            fputc('"', f);
        }
        fputc('\n', f);
    }
    fflush(f);
}

static void print_message(const listen_args *a, listen_run *r, const ms_mailslot_msg *msg)
{
    r->printed++;
    if (!msg->m) {
        print_local(stdout, a->json, a->data, r->printed, msg);
        return;
    }
    ms_udp_datagram d;
    dg_item it;
    live_item(msg, r->printed, &d, &it);
    dp_auth auth = { msg->auth_key_id, msg->auth_time_ms };
    live_print(stdout, &r->j, a->json, &it, false, msg->authenticated ? &auth : NULL, true);
}

static void print_stats(const listen_run *r)
{
    ms_server_stats s = MS_SIZED(ms_server_stats);
    ms_server_get_stats(r->srv, &s);
    fprintf(stderr,
            "mailslot listen: %llu datagrams, %llu messages printed; dropped: %llu duplicate, "
            "%llu queue full, %llu no such mailslot, %llu too big, %llu not a mailslot write, "
            "%llu malformed, %llu truncated, %llu other interface; NBDS fragments %llu "
            "(%llu reassembled, %llu dropped)\n",
            (unsigned long long)s.datagrams, (unsigned long long)r->printed,
            (unsigned long long)s.duplicates, (unsigned long long)s.queue_full,
            (unsigned long long)s.no_mailslot, (unsigned long long)s.too_big,
            (unsigned long long)s.not_mailslot, (unsigned long long)s.malformed,
            (unsigned long long)s.truncated, (unsigned long long)s.other_iface,
            (unsigned long long)s.fragments, (unsigned long long)s.reassembled,
            (unsigned long long)s.frag_dropped);
}

static void print_auth_stats(const listen_run *r)
{
    ms_auth_stats a = MS_SIZED(ms_auth_stats);
    ms_server_get_auth_stats(r->srv, &a);
    const uint64_t *c = a.counts;
    fprintf(stderr,
            "mailslot listen: authentication: %llu accepted; rejected: %llu bad tag, "
            "%llu stale, %llu future, %llu replay, %llu no or short trailer, "
            "%llu bad version, %llu unknown key id, %llu cache full, %llu error\n",
            (unsigned long long)c[MS_AUTH_OK], (unsigned long long)c[MS_AUTH_BAD_TAG],
            (unsigned long long)c[MS_AUTH_STALE], (unsigned long long)c[MS_AUTH_FUTURE],
            (unsigned long long)c[MS_AUTH_REPLAY], (unsigned long long)c[MS_AUTH_NO_TRAILER],
            (unsigned long long)c[MS_AUTH_BAD_VERSION], (unsigned long long)c[MS_AUTH_UNKNOWN_KEY],
            (unsigned long long)c[MS_AUTH_CACHE_FULL], (unsigned long long)c[MS_AUTH_ERROR]);
}

/* ---- the run ---- */

/* Print messages until --count, --timeout, a signal or a closed pipe. */
static int receive(const listen_args *a, listen_run *r, bool *timed_out, bool *stopped,
                   bool *reader_gone)
{
    uint64_t deadline = a->timeout_s >= 0 ? ms_monotonic_ns() + (uint64_t)(a->timeout_s * 1e9)
                                          : UINT64_MAX;
    while (a->count == 0 || r->printed < (uint64_t)a->count) {
        if (stop_flag) {
            *stopped = true;
            return EXIT_OK;
        }
        ms_mailslot_msg msg;
        /* What waits first; lines are held while messages keep coming. */
        ms_status st = ms_server_read_any(r->srv, 0, NULL, &msg);
        if (st == MS_ERR_TIMEOUT) {
            if (fflush(stdout) != 0)
                return output_failed(reader_gone);
            uint64_t now = ms_monotonic_ns();
            if (now >= deadline) {
                *timed_out = true;
                return EXIT_OK;
            }
            uint64_t left = deadline == UINT64_MAX ? 1000 : (deadline - now + 999999) / 1000000;
            st = ms_server_read_any(r->srv, left > 1000 ? 1000 : (int)left, NULL, &msg);
        }
        if (st == MS_ERR_TIMEOUT)
            continue;
        if (st == MS_ERR_STOPPED) {
            *stopped = true;
            return EXIT_OK;
        }
        if (st != MS_OK) {
            int e = errno;
            fflush(stdout);
            cli_error("listen", "receive: %s", strerror(e));
            return EXIT_SYSTEM;
        }
        print_message(a, r, &msg);
        if (ferror(stdout))
            return output_failed(reader_gone);
    }
    return EXIT_OK;
}

static void catch_signals(ms_loop *loop)
{
    signal_loop = loop;
    stop_flag = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The exit status after the run, and its last words. */
static int finish(const listen_args *a, listen_run *r, int status, bool timed_out, bool stopped,
                  bool reader_gone)
{
    /* Every message before the counters and messages on stderr. */
    if (!reader_gone && fflush(stdout) != 0)
        status = output_failed(&reader_gone);
    /* Names are released before the counters, which count the releases. */
    if (a->names.ns)
        ms_name_service_release(a->names.ns);
    if (a->stats) {
        print_stats(r);
        ld_print_stats(&a->ld, r->srv, stderr);
        ln_print_stats(&a->names, stderr);
        if (a->key_file)
            print_auth_stats(r);
    }
    if (status == EXIT_OK && !reader_gone && (timed_out || stopped) &&
        ((a->count && r->printed < (uint64_t)a->count) || r->printed == 0)) {
        if (timed_out)
            cli_error("listen", "listen timed out (%llu message%s)",
                      (unsigned long long)r->printed, r->printed == 1 ? "" : "s");
        status = EXIT_NEGATIVE;
    }
    if (!reader_gone && fflush(stdout) != 0)
        status = output_failed(&reader_gone);
    return status;
}

int cmd_listen(int argc, char **argv)
{
    static listen_args a;
    static listen_run r;
    memset(&r, 0, sizeof r);
    int status = parse_args(&a, argc, argv);
    if (status == EXIT_OK)
        status = check_args(&a);
    if (status == EXIT_OK)
        status = setup(&a, &r);
    bool timed_out = false, stopped = false, reader_gone = false;
    if (status == EXIT_OK) {
        catch_signals(ms_server_loop(r.srv));
        jo_init(&r.j, stdout);
        a.names.json = a.json;
        a.names.j = &r.j;
        /* Registration first: a refused name ends the run (exit 4). */
        int reg = ln_wait(&a.names);
        stopped = reg < 0;
        if (reg > 0)
            status = reg;
        else if (!stopped)
            status = receive(&a, &r, &timed_out, &stopped, &reader_gone);
        if (a.nmbd.failed && status == EXIT_OK)
            status = EXIT_SYSTEM;
        if (reg <= 0)
            status = finish(&a, &r, status, timed_out, stopped, reader_gone);
        signal_loop = NULL;
    }
    ln_close(&a.names);
    lnm_close(&a.nmbd);
    ms_server_close(r.srv);
    return status == CLI_DONE ? EXIT_OK : status;
}
