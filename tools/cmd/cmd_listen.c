/* SPDX-License-Identifier: MIT */
/* `mailslot listen`: receive mailslot messages on UDP 138 (or through
 * libpcap beside nmbd) and print each as decode does, one line at once. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opts.h"
#include "dgram_print.h"
#include "live_print.h"
#include "mailslot/auth.h"
#include "mailslot/local.h"
#include "mailslot/nbns.h"
#include "mailslot/nbns_responder.h"
#include "mailslot/net.h"
#include "mailslot/server.h"

#define MAX_SLOTS 64
#define MAX_NAMES 16

/* ---- local mailslots (\\.\mailslot\NAME arguments) ---- */

/* Create the local mailslots; 0 or an exit status. */
static int open_local_slots(ms_server *srv, char **names, size_t n, ms_local_access acc)
{
    ms_server_set_local(srv, MS_LOCAL_NAMED, acc);
    for (size_t i = 0; i < n; i++) {
        char norm[MS_MAILSLOT_NAME_MAX + 1], local[MS_MAILSLOT_NAME_MAX + 8];
        if (ms_mailslot_name_normalize(names[i], norm, sizeof norm) != MS_OK) {
            cli_error("listen", "'%s' is not a mailslot name (\\\\.\\mailslot\\NAME)",
                      names[i]);
            return EXIT_USAGE;
        }
        snprintf(local, sizeof local, "\\\\.%s", norm);
        ms_status st;
        if (!ms_mailslot_create(srv, local, 0, 0, &st)) {
            cli_error("listen", "cannot create local mailslot %s: %s", norm,
                      st == MS_ERR_EXISTS ? "another server holds it" : ms_strerror(st));
            return st == MS_ERR_INVALID_ARG ? EXIT_USAGE : EXIT_SYSTEM;
        }
    }
    return 0;
}

static void put_escaped(FILE *f, const uint8_t *p, size_t n, bool json)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, f);
        else
            fprintf(f, json ? "\\u%04x" : "\\x%02x", c);
    }
}

/* One local message: no NBDS/SMB to decode, just the data. */
static void print_local(FILE *f, bool json, uint64_t frame, const ms_mailslot_msg *msg)
{
    if (json) {
        fprintf(f, "{\"frame\":%llu,\"time_ns\":%llu,\"local\":true,\"slot\":\"",
                (unsigned long long)frame, (unsigned long long)msg->time_ns);
        put_escaped(f, (const uint8_t *)msg->slot, strlen(msg->slot), true);
        fprintf(f, "\",\"len\":%zu,\"data\":\"", msg->len);
        put_escaped(f, msg->data, msg->len, true);
        fputs("\"}\n", f);
    } else {
        fprintf(f, "%llu local %s %zu octets: \"", (unsigned long long)frame, msg->slot,
                msg->len);
        put_escaped(f, msg->data, msg->len, false);
        fputs("\"\n", f);
    }
    fflush(f);
}

static const cli_opt listen_opts[] = {
    { "port", 'p', 0, "N", "UDP port (default 138)", NULL },
    { "interface", 'i', 'i', "IFACE", "the network to listen on (broadcasts and unicast)", "iface" },
    { "bind", 'b', 0, "ADDR", "bind this address (a unicast address hears no\nbroadcasts)", NULL },
    { "slot", 's', 0, "NAME", "only this mailslot (repeatable; default: every one)", NULL },
    { "json", 'j', 0, NULL, "NDJSON like decode --json", NULL },
    { "data", 'X', 0, NULL, "end each line with the message's data, quoted (as\ndecode --data; browser and NETLOGON lines keep\ntheir summary)", NULL },
    { "count", 'c', 'c', "N", "stop after N messages", NULL },
    { "timeout", 't', 0, "S", "stop after S seconds", NULL },
    { "pcap", 'P', 0, "IFACE", "receive passively through libpcap (beside nmbd)", "iface" },
    { "register", 'R', 0, "NAME", "answer NBNS name queries for NAME on UDP 137\n(repeatable; NAME or NAME<xx>, default suffix <00>)", NULL },
    { "user", 'u', 0, "USER", "user to drop to when started as root (default\nnobody)", NULL },
    { "dedup-window", 'D', 0, "MS", "drop repeats within MS milliseconds (default 2000,\n0 = off)", NULL },
    { "queue", 'Q', 0, "N", "messages held per mailslot (default 256; when full\nthe newest is dropped and counted)", NULL },
    { "key-file", 'K', 0, "K", "accept only messages whose authentication trailer\nverifies with a key in K (docs/AUTH.md); the\ntrailer is stripped before printing", "file" },
    { "auth-window", 'A', 0, "S", "accepted clock difference, seconds (default 30)", NULL },
    { "replay-cache", 'C', 0, "N", "remembered nonces (default 4096; when all are live,\nnew messages are refused and counted)", NULL },
    { "stats", 'S', 0, NULL, "counters on stderr at the end", NULL },
    { "net", 'n', 0, NULL, "with local mailslots: also receive them from the\nnetwork (UDP 138)", NULL },
    { "local-access", 'l', 0, "A", "who may write to local mailslots: user (default,\n0600), group (0660), world (0666; directory 0711)", "user group world" },
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
    "received), 2 bad usage, 4 system error (e.g. port taken). A reader\n"
    "that goes away (a closed pipe) ends it quietly, as --count does.\n"
    "\n"
    "Local mailslots: each '\\\\.\\mailslot\\NAME' argument is created as a local\n"
    "mailslot (Unix domain socket in $XDG_RUNTIME_DIR/mailslot, README \"Local\n"
    "mailslots\"); nothing is bound on the network unless --net (or --port,\n"
    "-i, --bind, --slot, --register, --pcap) asks for it, and then the same\n"
    "mailslot also takes network writes. A name that another server holds\n"
    "is refused (exit 4).\n",
    NULL,
};

static volatile sig_atomic_t stop_flag;

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

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void print_auth_stats(const ms_auth_verifier *v)
{
    const uint64_t *c = ms_auth_verifier_counts(v);
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

static void print_stats(const ms_server_stats *s, uint64_t printed)
{
    fprintf(stderr,
            "mailslot listen: %llu datagrams, %llu messages printed; dropped: %llu duplicate, "
            "%llu queue full, %llu no such mailslot, %llu too big, %llu not a mailslot write, "
            "%llu malformed, %llu truncated, %llu other interface; NBDS fragments %llu "
            "(%llu reassembled, %llu dropped)\n",
            (unsigned long long)s->datagrams, (unsigned long long)printed,
            (unsigned long long)s->duplicates, (unsigned long long)s->queue_full,
            (unsigned long long)s->no_mailslot, (unsigned long long)s->too_big,
            (unsigned long long)s->not_mailslot, (unsigned long long)s->malformed,
            (unsigned long long)s->truncated, (unsigned long long)s->other_iface,
            (unsigned long long)s->fragments, (unsigned long long)s->reassembled,
            (unsigned long long)s->frag_dropped);
}

static int parse_count(const char *opt, const char *arg, long max, long *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < 0 || v > max) {
        cli_error("listen", "%s: '%s' is not a number (0..%ld)", opt, arg, max);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_listen(int argc, char **argv)
{
    ms_server_opts so;
    ms_server_opts_init(&so);
    const char *iface = NULL, *pcap_if = NULL, *user = NULL;
    const char *slots[MAX_SLOTS];
    size_t nslots = 0;
    const char *names[MAX_NAMES];
    size_t nnames = 0;
    long count = 0, dedup = 2000, queue = 0, auth_window = 0, replay_cache = 0;
    const char *key_file = NULL;
    double timeout_s = -1;
    bool json = false, stats = false, have_bind = false;
    bool local_net = false;
    ms_local_access local_acc = MS_LOCAL_USER;
    int ch;
    while ((ch = cli_next(&cli_cmd_listen, argc, argv)) > 0) {
        char *end;
        switch (ch) {
        case 'p': {
            int p = cli_parse_port(optarg);
            if (p < 0) {
                cli_error("listen", "--port: '%s' is not a port", optarg);
                return EXIT_USAGE;
            }
            so.port = (uint16_t)p;
            break;
        }
        case 'b':
            if (!ms_ip_parse(optarg, &so.bind_ip)) {
                cli_error("listen", "--bind: '%s' is not an IPv4 address", optarg);
                return EXIT_USAGE;
            }
            have_bind = true;
            break;
        case 'i': iface = optarg; break;
        case 's':
            if (nslots == MAX_SLOTS) {
                cli_error("listen", "at most %d --slot options", MAX_SLOTS);
                return EXIT_USAGE;
            }
            slots[nslots++] = optarg;
            break;
        case 'j': json = true; break;
        case 'S': stats = true; break;
        case 'X': dp_set_show_data(true); break;
        case 'P': pcap_if = optarg; break;
        case 'u': user = optarg; break;
        case 'R':
            if (nnames == MAX_NAMES) {
                cli_error("listen", "at most %d --register options", MAX_NAMES);
                return EXIT_USAGE;
            }
            names[nnames++] = optarg;
            break;
        case 'c':
            if (parse_count("--count", optarg, 100000000L, &count) != 0)
                return EXIT_USAGE;
            break;
        case 'D':
            if (parse_count("--dedup-window", optarg, 3600000L, &dedup) != 0)
                return EXIT_USAGE;
            break;
        case 'Q':
            if (parse_count("--queue", optarg, 1000000L, &queue) != 0)
                return EXIT_USAGE;
            if (queue == 0) {
                cli_error("listen", "--queue must be at least 1");
                return EXIT_USAGE;
            }
            break;
        case 't':
            timeout_s = strtod(optarg, &end);
            if (!*optarg || *end || !(timeout_s >= 0 && timeout_s <= 31536000)) {
                cli_error("listen", "--timeout: '%s' is not a number of seconds", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'K':
            if (!ms_auth_available()) {
                cli_error("listen", "--key-file: this build has no authentication support "
                                    "(built with MAILSLOT_AUTH=OFF; it needs OpenSSL libcrypto)");
                return EXIT_USAGE;
            }
            if (!*optarg) {
                cli_error("listen", "--key-file: empty file name");
                return EXIT_USAGE;
            }
            key_file = optarg;
            break;
        case 'A':
            if (parse_count("--auth-window", optarg, 86400L, &auth_window) != 0)
                return EXIT_USAGE;
            if (auth_window == 0) {
                cli_error("listen", "--auth-window must be at least 1 second");
                return EXIT_USAGE;
            }
            break;
        case 'C':
            if (parse_count("--replay-cache", optarg, 1000000L, &replay_cache) != 0)
                return EXIT_USAGE;
            if (replay_cache == 0) {
                cli_error("listen", "--replay-cache must be at least 1");
                return EXIT_USAGE;
            }
            break;
        case 'n': local_net = true; break;
        case 'l':
            if (!strcmp(optarg, "user"))
                local_acc = MS_LOCAL_USER;
            else if (!strcmp(optarg, "group"))
                local_acc = MS_LOCAL_GROUP;
            else if (!strcmp(optarg, "world"))
                local_acc = MS_LOCAL_WORLD;
            else {
                cli_error("listen", "--local-access must be user, group or world, not '%s'",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        }
    }
    if (ch != CLI_END)
        return ch == CLI_EXIT_OK ? EXIT_OK : EXIT_USAGE;
    /* Arguments: local mailslots; without a network option, only those. */
    char **local_names = argv + optind;
    size_t nlocal = (size_t)(argc - optind);
    if (nlocal && !local_net && !iface && !have_bind && !pcap_if && !nnames && !nslots &&
        !so.port)
        so.no_socket = true;
    if (!nlocal && local_net) {
        cli_error("listen", "--net goes with local mailslot arguments ('\\\\.\\mailslot\\NAME')");
        return EXIT_USAGE;
    }
    if (pcap_if && (iface || have_bind)) {
        cli_error("listen", "--pcap IFACE names the interface itself; no -i or --bind with it");
        return EXIT_USAGE;
    }
    if ((auth_window || replay_cache) && !key_file) {
        cli_error("listen", "--auth-window and --replay-cache need --key-file");
        return EXIT_USAGE;
    }
    so.dedup_window_ms = dedup ? (int)dedup : -1;
    so.queue_max = (size_t)queue;
    /* A burst waits in the kernel while we print: 32 MiB, not the library's
     * 1 MiB (root passes rmem_max; kernel memory is taken only by what
     * actually waits). */
    so.rcvbuf = 32 << 20;

    char err[512] = "";
    /* The key file before anything else (and before the privilege drop:
     * it is readable by its owner only). */
    ms_auth_verifier *ver = NULL;
    if (key_file) {
        static ms_auth_keyring keys;
        ms_status kst = ms_auth_keys_load(key_file, &keys, err, sizeof err);
        if (kst != MS_OK) {
            cli_error("listen", "--key-file: %s", err);
            return kst == MS_ERR_INVALID_ARG ? EXIT_USAGE : EXIT_SYSTEM;
        }
        ver = ms_auth_verifier_new(&keys, (uint32_t)auth_window * 1000u, (size_t)replay_cache);
        ms_auth_keys_wipe(&keys);
        if (!ver) {
            cli_error("listen", "--key-file: out of memory");
            return EXIT_SYSTEM;
        }
    }
    ms_iface ifc;
    bool have_if = false;
    if (iface || pcap_if) {
        if (ms_net_iface(iface ? iface : pcap_if, &ifc, err, sizeof err) != MS_OK) {
            cli_error("listen", "%s", err);
            ms_auth_verifier_free(ver);
            return EXIT_USAGE;
        }
        have_if = true;
        so.ifindex = iface ? ifc.index : 0;
    } else if (have_bind && so.bind_ip) {
        have_if = ms_net_iface_by_addr(so.bind_ip, &ifc, err, sizeof err) == MS_OK;
    }
    uint16_t port = so.port ? so.port : MS_NBDS_PORT;

    /* Everything that needs privilege first: the port, the pcap handle,
     * the NBNS responder; then drop, before reading a single datagram. */
    ms_capture *pl = NULL;
    if (pcap_if) {
        so.no_socket = true;
        ms_capture_live_opts po;
        ms_capture_live_opts_init(&po);
        po.promisc = false;
        po.nonblock = true;
        po.dport = port;
        if (ms_capture_open_live(pcap_if, &po, &pl, err, sizeof err) != MS_OK) {
            cli_error("listen", "%s", err);
            ms_auth_verifier_free(ver);
            return EXIT_SYSTEM;
        }
    }
    ms_server *srv = ms_server_open(&so, err, sizeof err);
    if (!srv) {
        int e = errno;
        cli_error("listen", "%s", err);
        if (e == EADDRINUSE)
            cli_error("listen", "UDP port %u is taken (nmbd runs?) by a socket that does not "
                      "share it; use --pcap IFACE to receive passively beside it",
                      port);
        ms_capture_close(pl);
        ms_auth_verifier_free(ver);
        return EXIT_SYSTEM;
    }
    ms_nbns_responder *resp = NULL;
    if (nnames) {
        ms_nb_name nb[MAX_NAMES];
        for (size_t i = 0; i < nnames; i++) {
            ms_status st;
            if (strchr(names[i], '<')) {
                st = ms_nb_name_parse(&nb[i], names[i], strlen(names[i]));
            } else {
                uint8_t raw[16];
                char up[16];
                size_t n = strlen(names[i]);
                for (size_t k = 0; k < n && k < 15; k++)
                    up[k] = (names[i][k] >= 'a' && names[i][k] <= 'z') ? (char)(names[i][k] - 32)
                                                                       : names[i][k];
                st = n == 0 || n > 15 ? MS_ERR_INVALID_ARG : ms_nb_name_pad(raw, up, n, 0x00);
                if (st == MS_OK)
                    st = ms_nb_name_make(&nb[i], raw, NULL);
            }
            if (st != MS_OK) {
                cli_error("listen", "--register: '%s' is not a NetBIOS name", names[i]);
                ms_server_close(srv);
                ms_capture_close(pl);
                ms_auth_verifier_free(ver);
                return EXIT_USAGE;
            }
        }
        if (!have_if && ms_net_iface(NULL, &ifc, err, sizeof err) != MS_OK) {
            cli_error("listen", "--register: %s", err);
            ms_server_close(srv);
            ms_capture_close(pl);
            ms_auth_verifier_free(ver);
            return EXIT_SYSTEM;
        }
        uint32_t our_ip = (have_bind && so.bind_ip) ? so.bind_ip : ifc.addr;
        resp = ms_nbns_responder_open(have_bind ? so.bind_ip : 0, 0, our_ip, nb, nnames, err,
                                      sizeof err);
        if (!resp) {
            cli_error("listen", "--register: %s", err);
            ms_server_close(srv);
            ms_capture_close(pl);
            ms_auth_verifier_free(ver);
            return EXIT_SYSTEM;
        }
    }
    if (nlocal) {
        int lst = open_local_slots(srv, local_names, nlocal, local_acc);
        if (lst) {
            ms_nbns_responder_close(resp);
            ms_server_close(srv);
            ms_capture_close(pl);
            ms_auth_verifier_free(ver);
            return lst;
        }
    }
    bool dropped = false;
    /* Local mailslots alone took no privilege (and must unlink their files
     * at exit): no drop unless --user asks for one. */
    bool local_only = so.no_socket && !pcap_if && nlocal;
    if ((!local_only || user) && ms_net_drop_privileges(user, &dropped, err, sizeof err) != MS_OK) {
        cli_error("listen", "%s", err);
        ms_nbns_responder_close(resp);
        ms_server_close(srv);
        ms_capture_close(pl);
        ms_auth_verifier_free(ver);
        return EXIT_SYSTEM;
    }

    int status = EXIT_OK;
    if (nslots == 0 && nlocal == 0) {
        if (!ms_mailslot_create(srv, "*", 0, 0, NULL))
            status = EXIT_SYSTEM;
    }
    for (size_t i = 0; i < nslots && status == EXIT_OK; i++) {
        ms_status st;
        if (!ms_mailslot_create(srv, slots[i], 0, 0, &st)) {
            if (st == MS_ERR_EXISTS)
                continue;
            cli_error("listen", "--slot: '%s' is not a mailslot name (\\MAILSLOT\\NAME)",
                      slots[i]);
            status = EXIT_USAGE;
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    json_out j;
    jo_init(&j, stdout);
    uint64_t printed = 0;
    uint64_t deadline = timeout_s >= 0 ? ms_monotonic_ns() + (uint64_t)(timeout_s * 1e9)
                                       : UINT64_MAX;
    bool timed_out = false, reader_gone = false;
    while (status == EXIT_OK && !stop_flag && (count == 0 || printed < (uint64_t)count)) {
        ms_mailslot_msg msg;
        ms_status st = ms_server_read_any(srv, 0, NULL, &msg);
        if (st == MS_OK && !msg.m) {
            print_local(stdout, json, ++printed, &msg);
            if (ferror(stdout)) {
                status = output_failed(&reader_gone);
                break;
            }
            continue;
        }
        if (st == MS_OK) {
            live_dgram d = { printed + 1, msg.time_ns, msg.src_ip, msg.dst_ip, msg.src_port,
                             port, msg.payload, msg.payload_len, msg.reassembled, false, 0, 0,
                             true };
            const ms_message *pm = msg.m;
            if (ver) {
                ms_auth_msg am;
                ms_auth_trailer tr;
                if (msg.m) {
                    ms_auth_msg_from_message(&am, msg.m);
                } else { /* not from the network: no NBDS names to bind */
                    memset(&am, 0, sizeof am);
                    am.slot = (const uint8_t *)msg.slot;
                    am.slot_len = msg.slot ? strlen(msg.slot) : 0;
                    am.data = msg.data;
                    am.len = msg.len;
                }
                if (ms_auth_verify(ver, &am, msg.time_ns / 1000000u, &tr, NULL) != MS_AUTH_OK)
                    continue;
                /* Print what the sender meant: the data without the trailer. */
                static uint8_t stripped[65536];
                static ms_message sm;
                size_t sl = 0;
                if (msg.m && ms_auth_strip_payload(msg.m, msg.payload, msg.payload_len, stripped,
                                          sizeof stripped, &sl) == MS_OK) {
                    ms_message_decode(stripped, sl, &sm);
                    d.payload = stripped;
                    d.len = sl;
                    pm = &sm;
                }
                d.auth = true;
                d.auth_key_id = tr.key_id;
                d.auth_time_ms = tr.time_ms;
            }
            live_print(stdout, &j, json, &d, pm);
            if (ferror(stdout)) {
                status = output_failed(&reader_gone);
                break;
            }
            printed++;
            continue;
        }
        if (st != MS_ERR_TIMEOUT) {
            int e = errno;
            fflush(stdout);
            cli_error("listen", "receive: %s", strerror(e));
            status = EXIT_SYSTEM;
            break;
        }
        /* Nothing waits: what was printed goes out before we wait (lines
         * are held while messages keep coming, not longer). */
        if (fflush(stdout) != 0) {
            status = output_failed(&reader_gone);
            break;
        }
        uint64_t now = ms_monotonic_ns();
        if (now >= deadline) {
            timed_out = true;
            break;
        }
        struct pollfd pfd[2 + 16];
        nfds_t n = 0;
        pfd[n++] = (struct pollfd){ pl ? ms_capture_fd(pl) : ms_server_fd(srv), POLLIN, 0 };
        int lfds[16];
        size_t nl = ms_server_local_fds(srv, lfds, 16);
        for (size_t k = 0; k < nl && k < 16; k++)
            pfd[n++] = (struct pollfd){ lfds[k], POLLIN, 0 };
        if (resp)
            pfd[n++] = (struct pollfd){ ms_nbns_responder_fd(resp), POLLIN, 0 };
        uint64_t left = deadline == UINT64_MAX ? 1000 : (deadline - now + 999999) / 1000000;
        /* pcap's descriptor can stay quiet while frames sit in its buffer:
         * wake up now and then. */
        int ms = left > 1000 ? 1000 : (int)left;
        if (pl && ms > 100)
            ms = 100;
        if (poll(pfd, n, ms) < 0 && errno != EINTR) {
            cli_error("listen", "poll: %s", strerror(errno));
            status = EXIT_SYSTEM;
            break;
        }
        if (resp && ms_nbns_responder_handle(resp) < 0)
            cli_error("listen", "NBNS responder: %s", strerror(errno));
        if (pl) {
            ms_udp_datagram g;
            ms_status r;
            while ((r = ms_capture_next(pl, &g)) == MS_OK) {
                if (!g.truncated && g.len >= g.orig_len)
                    ms_server_inject_at(srv, g.payload, g.len, g.ip_src, g.sport, g.ip_dst,
                                        (uint64_t)g.ts_sec * 1000000000u + g.ts_nsec);
            }
            if (r != MS_ERR_AGAIN) {
                cli_error("listen", "%s: %s", pcap_if, ms_capture_error(pl));
                status = EXIT_SYSTEM;
            }
        }
    }
    /* Every message before the counters and messages on stderr. */
    if (!reader_gone && fflush(stdout) != 0)
        status = output_failed(&reader_gone);
    if (stats) {
        print_stats(ms_server_get_stats(srv), printed);
        if (ver)
            print_auth_stats(ver);
    }
    if (status == EXIT_OK && !reader_gone && (timed_out || stop_flag)) {
        if ((count && printed < (uint64_t)count) || printed == 0) {
            if (timed_out)
                cli_error("listen", "listen timed out (%llu message%s)",
                          (unsigned long long)printed, printed == 1 ? "" : "s");
            status = EXIT_NEGATIVE;
        }
    }
    if (!reader_gone && fflush(stdout) != 0)
        status = output_failed(&reader_gone);
    ms_nbns_responder_close(resp);
    ms_server_close(srv);
    ms_capture_close(pl);
    ms_auth_verifier_free(ver);
    return status;
}
