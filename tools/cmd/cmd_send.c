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
#include "cli_opts.h"
#include "cli_signal.h"
#include "live_print.h"
#include "mailslot/client.h"
#include "mailslot/local.h"
#include "mailslot/message.h"
#include "mailslot/net.h"
#include "pcap_out.h"

#define DATA_MAX 65536

/* ---- local mailslots (--to '\\.') ---- */

static int exit_for(ms_status st);
static void sleep_ms(long ms);

static bool local_target(const char *to)
{
    return (to[0] == '\\' || to[0] == '/') && (to[1] == '\\' || to[1] == '/') &&
           !strcmp(to + 2, ".");
}

/* Arguments that would otherwise fail late or quietly: a target made of
 * digits and dots that is no IPv4 address (it would go out as a NetBIOS
 * name query), a --hosts file that cannot be read (it would be skipped). */
static int send_check_args(const char *to, const char *hosts)
{
    const char *t = to;
    if ((t[0] == '\\' || t[0] == '/') && (t[1] == '\\' || t[1] == '/'))
        t += 2;
    if (strspn(t, "0123456789.") == strlen(t) && strchr(t, '.') && strpbrk(t, "0123456789")) {
        uint32_t ip;
        if (!ms_ip_parse(t, &ip)) {
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
    if (!strcmp(name, "*") || !strcmp(name, ".") || ms_ip_parse(name, &ip) || !strcasecmp(name, wg))
        return false;
    return o->type != MS_NBDS_DIRECT_GROUP && o->type != MS_NBDS_BROADCAST;
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

static void sleep_ms(long ms);

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
            ms_client_close(c);
            return exit_for(st);
        }
        if (!quiet)
            fprintf(stderr, "mailslot send: local \\\\.%s, %zu data octets\n", info->slot, len);
    }
    ms_client_close(c);
    return stopped_status(i, repeat);
}

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
    { "sport", 'S', 0, "N", "UDP source port (default 138 when free, else\nephemeral)", NULL },
    { "port", 'P', 0, "N", "UDP destination port (default 138; for tests)", NULL },
    { "wait", 'a', 0, "S", "print replies arriving within S seconds (as decode\ndoes)", NULL },
    { "json", 'j', 0, NULL, "replies as NDJSON (like decode --json)", NULL },
    { "repeat", 'r', 0, "N", "send N times (fresh DGM_ID each), --interval MS\napart", NULL },
    { "interval", 'I', 0, "MS", "milliseconds between --repeat sends (default 1000)", NULL },
    { "write", 'w', 'w', "FILE", "write the frames to a pcap FILE instead of sending\n('-' = standard output)", "file" },
    { "force-size", 'z', 0, NULL, "send messages over the size limits (interop tests)", NULL },
    { "key-file", 'K', 0, "K", "append an authentication trailer (HMAC-SHA-256, 52\noctets, docs/AUTH.md) made with the first key in K", "file" },
    { "wins", 'N', 0, "IP", "resolve \\\\HOST by asking this WINS server", NULL },
    { "hosts", 'H', 0, "FILE", "LMHOSTS-style map (IP NAME[#xx]) tried first", "file" },
    { "quiet", 'q', 'q', NULL, "no summary on stderr", NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const cli_cmd cli_cmd_send = {
    "send",
    "write a message to a remote mailslot",
    "mailslot send --to TARGET --slot \\MAILSLOT\\NAME [OPTIONS]\n",
    "Write one message to a remote mailslot (NetBIOS datagram, UDP 138).\n",
    send_opts,
    "Size limits (PROTOCOL.md 5.4): group and broadcast writes carry at most 424\n"
    "octets; a direct write at most 512 minus the SMB DataOffset (416-428).\n"
    "Datagrams over 576 octets draw a warning: Samba nmbd drops them. With\n"
    "--key-file the 52-octet trailer counts against these limits.\n"
    "\n"
    "Exit status: 0 sent, 1 refused (size) or name not resolved, 2 bad usage,\n"
    "4 system error; 128+N when signal N stopped a --repeat run (the count\n"
    "sent is printed; an unfinished -w file is removed).\n"
    "\n"
    "Local mailslots: --to '\\\\.' --slot '\\MAILSLOT\\NAME' writes to a mailslot a\n"
    "server on this host created (mailslot listen '\\\\.\\mailslot\\NAME'), through\n"
    "a Unix domain socket: up to 65536 octets here (the server's max size\n"
    "applies), nothing on the network; no -w, --wait or --key-file. Exit 1 when\n"
    "no server has the name or the message is over its max size.\n",
    NULL,
};

static int parse_hex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    return ms_hex_decode(s, strlen(s), " :\n", out, cap, len) == MS_OK ? 0 : -1;
}

static int read_all(FILE *f, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = fread(out, 1, cap, f);
    if (ferror(f))
        return -1;
    if (n == cap && fgetc(f) != EOF)
        return 1;
    *len = n;
    return 0;
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

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !cli_stop_signal)
        ;
}

/* Print every datagram arriving on our socket for `seconds`. */
static int wait_replies(int fd, double seconds, bool json, uint16_t our_port)
{
    static uint8_t bufs[8][65536];
    ms_udp_dgram d[8];
    for (int i = 0; i < 8; i++)
        d[i] = (ms_udp_dgram){ .buf = bufs[i], .cap = sizeof bufs[i] };
    static ms_message m;
    json_out j;
    jo_init(&j, stdout);
    uint64_t deadline = ms_monotonic_ns() + (uint64_t)(seconds * 1e9);
    uint64_t frame = 0;
    for (;;) {
        uint64_t now = ms_monotonic_ns();
        if (now >= deadline)
            break;
        struct pollfd pfd = { fd, POLLIN, 0 };
        int r = poll(&pfd, 1, (int)((deadline - now + 999999) / 1000000));
        if (r < 0 && errno != EINTR) {
            cli_error("send", "poll: %s", strerror(errno));
            return EXIT_SYSTEM;
        }
        int n = ms_udp_recv_batch(fd, d, 8);
        if (n < 0) {
            cli_error("send", "receive: %s", strerror(errno));
            return EXIT_SYSTEM;
        }
        for (int i = 0; i < n; i++) {
            ms_message_decode(d[i].buf, d[i].len, &m);
            live_dgram ld = { ++frame, ms_realtime_ns(), d[i].src_ip, d[i].dst_ip,
                              d[i].src_port, our_port, d[i].buf, d[i].len, false, false, 0, 0,
                              false };
            live_print(stdout, &j, json, &ld, &m);
        }
    }
    return EXIT_OK;
}

/* --repeat N --interval 0 over the network: the same datagrams and the
 * same lines on stderr as N ms_client_write calls, but sent BURST per
 * system call (ms_client_write_many) and their lines written together.
 * Returns an exit status. */
#define BURST 32
static int send_burst(ms_client *c, const uint8_t *data, size_t len, long repeat, bool quiet,
                      const char *sn, const char *dn, const char *dst, long *done)
{
    static char lines[BURST * 1200];
    const ms_client_info *in = ms_client_get_info(c);
    ms_write_result res[BURST];
    char err[512];
    *done = 0;
    for (long i = 0; i < repeat && !cli_stop_signal;) {
        size_t n = repeat - i < BURST ? (size_t)(repeat - i) : BURST, sent = 0;
        ms_status st = ms_client_write_many(c, data, len, n, res, &sent, err, sizeof err);
        size_t used = 0;
        for (size_t k = 0; k < sent && !quiet; k++) {
            bool warn = res[k].over_576 && i + (long)k == 0;
            if (warn || sizeof lines - used < 2048) {
                fwrite(lines, 1, used, stderr);
                used = 0;
            }
            if (warn)
                cli_error("send", "warning: the datagram is %zu octets of UDP payload, over "
                          "576: Samba nmbd drops datagrams longer than that",
                          res[k].payload_len);
            /* At most ~1100 octets: names of 300, a slot of 255. */
            int w = snprintf(lines + used, sizeof lines - used,
                             "mailslot send: %s %s -> %s %s, %zu data octets%s, DGM_ID 0x%04x, "
                             "%zu octets sent to %s:%u from port %u\n",
                             ms_dgram_type_name(in->type), sn, dn, in->slot, len,
                             in->auth_overhead ? " + 52-octet authentication trailer" : "",
                             res[k].dgm_id, res[k].payload_len, dst, in->dport, in->sport);
            if (w > 0)
                used += (size_t)w < sizeof lines - used ? (size_t)w : sizeof lines - used - 1;
        }
        fwrite(lines, 1, used, stderr);
        *done += (long)sent;
        if (st != MS_OK) {
            cli_error("send", "%s", err);
            return exit_for(st);
        }
        i += (long)n;
    }
    return EXIT_OK;
}

int cmd_send(int argc, char **argv)
{
    ms_client_opts o;
    ms_client_opts_init(&o);
    const char *to = NULL, *slot = NULL, *text = NULL, *hex = NULL, *file = NULL, *out = NULL;
    const char *key_file = NULL;
    double wait_s = 0;
    long repeat = 1, interval = 1000;
    bool json = false, quiet = false;
    int ch;
    while ((ch = cli_next(&cli_cmd_send, argc, argv)) > 0) {
        char *end;
        switch (ch) {
        case 't': to = optarg; break;
        case 's': slot = optarg; break;
        case 'f': o.from = optarg; break;
        case 'n': o.dest_name = optarg; break;
        case 'd': text = optarg; break;
        case 'x': hex = optarg; break;
        case 'F': file = optarg; break;
        case 'W': o.workgroup = optarg; break;
        case 'i': o.iface = optarg; break;
        case 'w': out = optarg; break;
        case 'j': json = true; break;
        case 'z': o.force_size = true; break;
        case 'H': o.hosts_file = optarg; break;
        case 'K':
            if (!ms_auth_available()) {
                cli_error("send", "--key-file: this build has no authentication support "
                                  "(built with MAILSLOT_AUTH=OFF; it needs OpenSSL libcrypto)");
                return EXIT_USAGE;
            }
            if (!*optarg) {
                cli_error("send", "--key-file: empty file name");
                return EXIT_USAGE;
            }
            key_file = optarg;
            break;
        case 'q': quiet = true; break;
        case 'T':
            if (!strcasecmp(optarg, "unique"))
                o.type = MS_NBDS_DIRECT_UNIQUE;
            else if (!strcasecmp(optarg, "group"))
                o.type = MS_NBDS_DIRECT_GROUP;
            else if (!strcasecmp(optarg, "broadcast"))
                o.type = MS_NBDS_BROADCAST;
            else {
                cli_error("send", "--type must be unique, group or broadcast, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'S':
            if ((o.sport = cli_parse_port(optarg)) < 0) {
                cli_error("send", "--sport: '%s' is not a port", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'P': {
            int p = cli_parse_port(optarg);
            if (p < 0) {
                cli_error("send", "--port: '%s' is not a port", optarg);
                return EXIT_USAGE;
            }
            o.dport = (uint16_t)p;
            break;
        }
        case 'a':
            wait_s = strtod(optarg, &end);
            if (!*optarg || *end || !(wait_s >= 0 && wait_s <= 86400)) {
                cli_error("send", "--wait: '%s' is not a number of seconds", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'r':
            repeat = strtol(optarg, &end, 10);
            if (!*optarg || *end || repeat < 1 || repeat > 1000000) {
                cli_error("send", "--repeat: '%s' is not a count (1..1000000)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'I':
            interval = strtol(optarg, &end, 10);
            if (!*optarg || *end || interval < 0 || interval > 3600000) {
                cli_error("send", "--interval: '%s' is not milliseconds", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'N':
            if (!ms_ip_parse(optarg, &o.wins_ip)) {
                cli_error("send", "--wins: '%s' is not an IPv4 address", optarg);
                return EXIT_USAGE;
            }
            break;
        }
    }
    if (ch != CLI_END)
        return ch == CLI_EXIT_OK ? EXIT_OK : EXIT_USAGE;
    if (optind < argc) {
        cli_error("send", "unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (!to || !slot) {
        cli_error("send", "--to and --slot are required; try 'mailslot send --help'");
        return EXIT_USAGE;
    }
    if ((text != NULL) + (hex != NULL) + (file != NULL) > 1) {
        cli_error("send", "give at most one of --data, --hex, --file");
        return EXIT_USAGE;
    }
    if (out && wait_s > 0) {
        cli_error("send", "--wait needs the network; it does not go with -w");
        return EXIT_USAGE;
    }
    int arg_status = send_check_args(to, o.hosts_file);
    if (arg_status != EXIT_OK)
        return arg_status;
    if (out && needs_resolution(to, &o) && !o.hosts_file && !o.wins_ip) {
        /* -w promises nothing goes on the network: no name query either. */
        cli_error("send", "-w with --to '%s' would resolve the name on the network; "
                          "give --hosts FILE or --wins IP, or --to an address with --name", to);
        return EXIT_USAGE;
    }

    static uint8_t data[DATA_MAX];
    size_t len = 0;
    if (text) {
        len = strlen(text);
        if (len > DATA_MAX) {
            cli_error("send", "--data is longer than %d octets", DATA_MAX);
            return EXIT_USAGE;
        }
        memcpy(data, text, len);
    } else if (hex) {
        if (parse_hex(hex, data, sizeof data, &len) != 0) {
            cli_error("send", "--hex: not an even number of hex digits (or over %d octets)",
                      DATA_MAX);
            return EXIT_USAGE;
        }
    } else {
        FILE *f = file ? fopen(file, "rb") : stdin;
        if (!f) {
            cli_error("send", "%s: %s", file, strerror(errno));
            return EXIT_SYSTEM;
        }
        int r = read_all(f, data, sizeof data, &len);
        if (file)
            fclose(f);
        if (r != 0) {
            cli_error("send", "%s: %s", file ? file : "standard input",
                      r > 0 ? "longer than 65536 octets" : "read error");
            return r > 0 ? EXIT_USAGE : EXIT_SYSTEM;
        }
    }

    if (local_target(to) && (out || wait_s > 0 || key_file)) {
        cli_error("send", "a local mailslot (\\\\.) takes no %s",
                  out ? "-w" : wait_s > 0 ? "--wait" : "--key-file (file permissions guard it)");
        return EXIT_USAGE;
    }
    o.no_socket = out != NULL;
    char err[512] = "";
    ms_status st;
    static ms_auth_keyring keys;
    if (key_file) {
        st = ms_auth_keys_load(key_file, &keys, err, sizeof err);
        if (st != MS_OK) {
            cli_error("send", "--key-file: %s", err);
            return st == MS_ERR_INVALID_ARG ? EXIT_USAGE : EXIT_SYSTEM;
        }
        o.auth_key = &keys.keys[0];
    }
    /* Without --wait nothing reads replies: a connected socket spares the
     * kernel a route lookup per datagram. */
    o.send_only = wait_s <= 0;
    ms_client *c = ms_client_open(to, slot, &o, &st, err, sizeof err);
    ms_auth_keys_wipe(&keys);
    if (!c) {
        cli_error("send", "%s", err);
        return exit_for(st);
    }
    if (ms_client_is_local(c))
        return send_local(c, data, len, repeat, interval, quiet);
    const ms_client_info *in = ms_client_get_info(c);
    if (in->note[0] && !quiet)
        cli_error("send", "%s (port %u)", in->note, in->sport);

    pcap_out *po = NULL;
    if (out && !(po = pcap_out_open(out, err, sizeof err))) {
        cli_error("send", "%s", err);
        ms_client_close(c);
        return EXIT_SYSTEM;
    }
    static uint8_t frame[65536];
    int status = EXIT_OK;
    char dst[16], sn[300], dn[300];
    ms_ip_format(in->dst_ip, dst, sizeof dst);
    ms_nb_name_format(&in->src, sn, sizeof sn);
    ms_nb_name_format(&in->dst, dn, sizeof dn);
    long done = 0, want = repeat;
    if (repeat > 1) /* a run that takes time: stop it cleanly */
        cli_signals_install(NULL);
    if (!po && interval == 0 && repeat > 1) {
        status = send_burst(c, data, len, repeat, quiet, sn, dn, dst, &done);
        repeat = 0;
    }
    for (long i = 0; i < repeat && status == EXIT_OK && !cli_stop_signal; i++) {
        if (i > 0 && interval > 0)
            sleep_ms(interval);
        if (cli_stop_signal)
            break;
        ms_write_result res;
        if (po) {
            st = ms_client_build(c, data, len, frame, sizeof frame, &res, err, sizeof err);
            if (st == MS_OK) {
                uint64_t now = ms_realtime_ns();
                if (pcap_out_write(po, (int64_t)(now / 1000000000ull),
                                   (uint32_t)(now % 1000000000ull), in->src_ip, in->dst_ip,
                                   in->sport, in->dport, frame, res.payload_len) != 0) {
                    snprintf(err, sizeof err, "writing %s failed", out);
                    st = MS_ERR_SYSTEM;
                }
            }
        } else {
            st = ms_client_write(c, data, len, &res, err, sizeof err);
        }
        if (st != MS_OK) {
            cli_error("send", "%s", err);
            status = exit_for(st);
            break;
        }
        if (res.over_576 && !quiet && i == 0)
            cli_error("send", "warning: the datagram is %zu octets of UDP payload, over 576: "
                      "Samba nmbd drops datagrams longer than that",
                      res.payload_len);
        if (!quiet)
            fprintf(stderr, "mailslot send: %s %s -> %s %s, %zu data octets%s, DGM_ID 0x%04x, "
                    "%zu octets %s %s:%u from port %u\n",
                    ms_dgram_type_name(in->type), sn, dn, in->slot, len,
                    in->auth_overhead ? " + 52-octet authentication trailer" : "", res.dgm_id,
                    res.payload_len, po ? "written for" : "sent to", dst, in->dport, in->sport);
        done++;
    }
    if (status == EXIT_OK)
        status = stopped_status(done, want);
    if (want > 1) { /* --wait ends at a signal as before */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
    }
    if (po) {
        if (status == EXIT_OK) {
            if (pcap_out_commit(po, err, sizeof err) != 0) {
                cli_error("send", "%s", err);
                status = EXIT_SYSTEM;
            }
        } else {
            pcap_out_abort(po);
        }
    }
    if (status == EXIT_OK && wait_s > 0)
        status = wait_replies(ms_client_fd(c), wait_s, json, in->sport);
    ms_client_close(c);
    return status;
}
