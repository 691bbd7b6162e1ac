/* SPDX-License-Identifier: MIT */
/* `mailslot browse [WORKGROUP]`: ask the workgroup's master browser for its
 * backup browsers (GetBackupListRequest to WORKGROUP<1d>, MS-BRWS 2.2.4) and
 * print the master that answered and each backup with its address, by a
 * name query; or with --announce-request make every host announce itself
 * (AnnouncementRequest to WORKGROUP<00>, MS-BRWS 2.2.2) and list them as
 * `hosts` does, from the HostAnnouncements heard on the subnet broadcast
 * address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "browse_print.h"
#include "cli.h"
#include "cli_opts.h"
#include "cli_signal.h"
#include "host_table.h"
#include "mailslot/client.h"
#include "mailslot/nbns_resolve.h"
#include "mailslot/net.h"
#include "reply_path.h"
#include "reply_wait.h"

#define MAX_MASTERS 16

enum { K_TO = 400, K_ANN, K_WAIT, K_JSON, K_FROM, K_WINS, K_SPORT, K_PORT, K_NBNS_PORT,
       K_NMBD_DIR };

static const cli_opt browse_opts[] = {
    { "to", K_TO, 0, "TARGET", "ask the master browser at this address (or \\\\HOST)\ninstead of by broadcast", NULL },
    { "announce-request", K_ANN, 0, NULL, "send AnnouncementRequest instead and list the hosts\nwhose HostAnnouncements arrive (default wait 35 s)", NULL },
    { "wait", K_WAIT, 0, "S", "how long to gather answers (default 3; 35 with\n--announce-request: Windows waits up to 30 s)", NULL },
    { "json", K_JSON, 0, NULL, "one JSON object per master (per host with\n--announce-request, as hosts --json)", NULL },
    { "interface", 'i', 'i', "IFACE", "the network to use (address, broadcast)", "iface" },
    { "from", K_FROM, 0, "NAME", "our computer name (default: the host name)", NULL },
    { "wins", K_WINS, 0, "IP", "resolve names by asking this WINS server", NULL },
    { "sport", K_SPORT, 0, "N|raw|ephemeral", "UDP source port, as for send (default: the way\nreplies sent to 138 reach us, as for dcping)", "raw ephemeral" },
    { "port", K_PORT, 0, "N", "UDP datagram port (default 138; for tests)", NULL },
    { "nbns-port", K_NBNS_PORT, 0, "N", "UDP port of name queries (default 137; for tests)", NULL },
    { "nmbd-socket-dir", K_NMBD_DIR, 0, "DIR", "nmbd's socket directory, for replies beside nmbd\n(default /run/samba/nmbd)", "dir" },
    { "quiet", 'q', 'q', NULL, "nothing on stderr but errors", NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const cli_cmd cli_cmd_browse = {
    "browse",
    "ask a workgroup's master browser for its backups, or its hosts",
    "mailslot browse [OPTIONS] [WORKGROUP]\n"
    "mailslot browse --announce-request [OPTIONS] [WORKGROUP]\n",
    "Send a GetBackupListRequest to WORKGROUP<1d> (default WORKGROUP), the\n"
    "local master browser, and print within --wait the master that answered\n"
    "(name, address) and the backup browsers its GetBackupListResponse lists,\n"
    "each with its address from a name query (NAME<00>), or unresolved.\n"
    "With --announce-request, send an AnnouncementRequest to WORKGROUP<00>\n"
    "(every host of the workgroup announces itself within 30 s) and list the\n"
    "hosts whose HostAnnouncements arrive, as 'mailslot hosts' lists them,\n"
    "heard on a socket bound to the subnet broadcast address (which takes no\n"
    "unicast datagram from any program).\n",
    browse_opts,
    "Replies to port 138 reach browse as they reach dcping (see its --help):\n"
    "through mailslotd (which routes the GetBackupListResponse back by its\n"
    "Token), nmbd's socket, a raw socket or port 138. Beside nmbd, browse\n"
    "asks from NAME-B<00> (the host name cut to 13 octets), unless --from:\n"
    "nmbd keeps the browser datagrams addressed to its own names.\n"
    "\n"
    "Exit status: 0 a master answered (a host announced itself), 1 none within\n"
    "--wait, 2 bad usage, 4 system error (also: the broadcast address's port\n"
    "cannot be bound).\n",
    NULL,
};

typedef struct browse_args {
    ms_client_opts o;
    const char *to, *nmbd_dir;
    char workgroup[16], from[16];
    bool announce, json, quiet, user_sport, user_from;
    double wait_s;
    uint16_t port, nbns_port;
} browse_args;

static int bad_value(const char *opt, const char *arg, const char *what)
{
    cli_error("browse", "%s: '%s' is not %s", opt, arg, what);
    return EXIT_USAGE;
}

static int take_port(const char *opt, const char *arg, uint16_t *out)
{
    int p = cli_parse_port(arg);
    if (p < 0)
        return bad_value(opt, arg, "a port");
    *out = (uint16_t)p;
    return EXIT_OK;
}

static int take_option(browse_args *a, int key, const char *arg)
{
    char *end;
    switch (key) {
    case K_TO: a->to = arg; return EXIT_OK;
    case K_ANN: a->announce = true; return EXIT_OK;
    case K_WAIT:
        a->wait_s = strtod(arg, &end);
        if (!*arg || *end || !(a->wait_s >= 0 && a->wait_s <= 3600))
            return bad_value("--wait", arg, "a number of seconds (0 to 3600)");
        return EXIT_OK;
    case K_JSON: a->json = true; return EXIT_OK;
    case 'i': a->o.iface = arg; return EXIT_OK;
    case K_FROM:
        if (!*arg || strlen(arg) > 15)
            return bad_value("--from", arg, "a NetBIOS name of 1 to 15 octets");
        snprintf(a->from, sizeof a->from, "%s", arg);
        a->user_from = true;
        return EXIT_OK;
    case K_WINS:
        return ms_ip_parse(arg, &a->o.wins_ip) == MS_OK ? EXIT_OK
                                                         : bad_value("--wins", arg, "an IPv4 address");
    case K_SPORT:
        a->user_sport = true;
        if (cli_parse_sport(arg, &a->o.sport) < 0)
            return bad_value("--sport", arg, "a port, raw or ephemeral");
        return EXIT_OK;
    case K_PORT: return take_port("--port", arg, &a->port);
    case K_NBNS_PORT: return take_port("--nbns-port", arg, &a->nbns_port);
    case K_NMBD_DIR: a->nmbd_dir = arg; return EXIT_OK;
    case 'q': a->quiet = true; return EXIT_OK;
    }
    return EXIT_OK;
}

static int parse_args(browse_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    ms_client_opts_init(&a->o);
    a->wait_s = -1;
    a->port = MS_NBDS_PORT;
    int key;
    while ((key = cli_next(&cli_cmd_browse, argc, argv)) > 0) {
        int st = take_option(a, key, optarg);
        if (st != EXIT_OK)
            return st;
    }
    if (key != CLI_END)
        return key == CLI_EXIT_OK ? -1 : EXIT_USAGE;
    if (optind < argc - 1) {
        cli_error("browse", "give at most one WORKGROUP; try 'mailslot browse --help'");
        return EXIT_USAGE;
    }
    const char *wg = optind < argc ? argv[optind] : "WORKGROUP";
    if (!*wg || strlen(wg) > 15 || strchr(wg, '<'))
        return bad_value("WORKGROUP", wg, "a NetBIOS name of 1 to 15 octets");
    for (size_t i = 0; wg[i]; i++)
        a->workgroup[i] = (char)(wg[i] >= 'a' && wg[i] <= 'z' ? wg[i] - 32 : wg[i]);
    if (a->wait_s < 0)
        a->wait_s = a->announce ? 35 : 3;
    if (!a->from[0])
        ms_default_netbios_name(a->from);
    a->o.from = a->from;
    a->o.workgroup = a->workgroup;
    a->o.dport = a->port;
    return EXIT_OK;
}

/* ---- GetBackupListRequest and the masters' answers ---- */

typedef struct backup_ctx {
    uint32_t token;
    browse_master m[MAX_MASTERS];
    size_t n;
} backup_ctx;

/* A GetBackupListResponse with our token: one master (each once; nmbd may
 * answer a broadcast request twice). */
static void on_backup_list(void *vctx, const ms_rx_item *it)
{
    backup_ctx *x = vctx;
    const ms_message *m = it->m;
    if (it->kind == MS_RX_INCOMPLETE || !m->has_smb || m->kind != MS_PAYLOAD_BROWSER ||
        !m->payload_ok || m->browser.opcode != MS_BRWS_GET_BACKUP_LIST_RESPONSE ||
        m->browser.token != x->token || x->n == MAX_MASTERS)
        return;
    char name[300];
    ms_nb_name_format(&m->dgram.src, name, sizeof name);
    for (size_t i = 0; i < x->n; i++)
        if (x->m[i].ip == it->d->ip_src && !strcmp(x->m[i].name, name))
            return;
    browse_master *bm = &x->m[x->n++];
    memset(bm, 0, sizeof *bm);
    snprintf(bm->name, sizeof bm->name, "%s", name);
    bm->ip = it->d->ip_src;
    bm->token = m->browser.token;
    bm->count = m->browser.count;
    for (size_t i = 0; i < m->browser.name_count && bm->n < MS_BRWS_MAX_BACKUP_NAMES; i++) {
        browse_backup *b = &bm->b[bm->n++];
        b->raw_len = m->browser.names[i].len < 16 ? m->browser.names[i].len : 15;
        memcpy(b->raw, m->browser.names[i].p, b->raw_len);
    }
}

/* Each backup's address by a name query for NAME<00>. */
static void resolve_backups(const browse_args *a, browse_master *bm, uint32_t bcast)
{
    ms_resolve_opts ro;
    ms_resolve_opts_init(&ro);
    ro.bcast_ip = bcast;
    ro.wins_ip = a->o.wins_ip;
    ro.port = a->nbns_port;
    for (size_t i = 0; i < bm->n; i++) {
        uint8_t raw[16];
        ms_nb_name nb;
        char why[256];
        uint32_t ips[4];
        size_t n = 4;
        if (ms_nb_name_pad(raw, (const char *)bm->b[i].raw, bm->b[i].raw_len, 0x00) != MS_OK ||
            ms_nb_name_make(&nb, raw, NULL) != MS_OK)
            continue;
        if (ms_nbns_resolve(&nb, &ro, ips, &n, why, sizeof why) == MS_OK && n > 0)
            bm->b[i].ip = ips[0];
    }
}

static int backup_list(browse_args *a, ms_client *c, reply_path *rp, uint32_t bcast)
{
    static backup_ctx x;
    memset(&x, 0, sizeof x);
    if (getrandom(&x.token, sizeof x.token, GRND_NONBLOCK) != sizeof x.token)
        x.token = (uint32_t)ms_realtime_ns();
    uint8_t req[6] = { MS_BRWS_GET_BACKUP_LIST_REQUEST, 4, (uint8_t)x.token,
                       (uint8_t)(x.token >> 8), (uint8_t)(x.token >> 16), (uint8_t)(x.token >> 24) };
    char err[512];
    if (ms_client_write(c, req, sizeof req, NULL, err, sizeof err) != MS_OK) {
        cli_error("browse", "%s", err);
        return EXIT_SYSTEM;
    }
    reply_wait_opts wo = { .c = c, .extra_fd = -1, .nmbd = rp->nmbd, .seconds = a->wait_s,
                           .fn = on_backup_list, .ctx = &x };
    int status = reply_wait("browse", &wo);
    rp_close(rp); /* nothing more to read there while names resolve */
    for (size_t i = 0; status == EXIT_OK && i < x.n; i++) {
        snprintf(x.m[i].workgroup, sizeof x.m[i].workgroup, "%s", a->workgroup);
        resolve_backups(a, &x.m[i], bcast);
        browse_print(stdout, &x.m[i], a->json);
    }
    if (status == EXIT_OK && x.n == 0) {
        cli_error("browse", "no master browser of %s answered within %g s", a->workgroup,
                  a->wait_s);
        status = EXIT_NEGATIVE;
    }
    return status;
}

/* ---- AnnouncementRequest and the hosts that announce ---- */

static void on_announcement(void *vctx, const ms_rx_item *it)
{
    if (it->kind == MS_RX_INCOMPLETE || !it->m || ms_dgram_is_partial(&it->m->dgram))
        return;
    uint64_t t = (uint64_t)it->d->ts_sec * 1000000000u + it->d->ts_nsec;
    host_table_take(vctx, it->m, t, it->d->frame);
}

/* A socket on the subnet broadcast address and the datagram port, shared
 * (SO_REUSEADDR) with whoever else listens there: it hears broadcasts
 * only, so it takes no unicast datagram from anyone. */
static int open_bcast(const browse_args *a, uint32_t bcast, int *fd)
{
    ms_udp_opts uo;
    ms_udp_opts_init(&uo);
    uo.addr = bcast;
    uo.port = a->port;
    uo.reuse = true;
    uo.nonblock = true;
    char err[256], ip[16];
    if (ms_udp_open(&uo, fd, err, sizeof err) == MS_OK)
        return EXIT_OK;
    ms_ip_format(bcast, ip, sizeof ip);
    cli_error("browse", "cannot listen on %s:%u for the announcements: %s", ip, a->port, err);
    return EXIT_SYSTEM;
}

static int announce_request(browse_args *a, ms_client *c, uint32_t bcast)
{
    int fd;
    int status = open_bcast(a, bcast, &fd);
    if (status != EXIT_OK)
        return status;
    uint8_t req[2 + 16] = { MS_BRWS_ANNOUNCEMENT_REQUEST, 0 };
    size_t n = strlen(a->from);
    memcpy(req + 2, a->from, n + 1); /* ResponseName, NUL-terminated */
    char err[512];
    static host_table t;
    memset(&t, 0, sizeof t);
    if (ms_client_write(c, req, 2 + n + 1, NULL, err, sizeof err) != MS_OK) {
        cli_error("browse", "%s", err);
        close(fd);
        return EXIT_SYSTEM;
    }
    reply_wait_opts wo = { .extra_fd = fd, .extra_port = a->port, .seconds = a->wait_s,
                           .fn = on_announcement, .ctx = &t };
    status = reply_wait("browse", &wo);
    close(fd);
    host_table_sort(&t);
    if (!a->json && t.n)
        host_table_heading(stdout);
    for (size_t i = 0; i < t.n; i++)
        host_table_print(stdout, &t.h[i], a->json);
    if (status == EXIT_OK && t.n == 0) {
        cli_error("browse", "no host of %s announced itself within %g s", a->workgroup, a->wait_s);
        status = EXIT_NEGATIVE;
    }
    free(t.h);
    return status;
}

int cmd_browse(int argc, char **argv)
{
    static browse_args a;
    int status = parse_args(&a, argc, argv);
    if (status)
        return status < 0 ? EXIT_OK : status;
    ms_iface ifc;
    char err[256], name[24];
    if (ms_net_iface(a.o.iface, &ifc, err, sizeof err) != MS_OK) {
        /* Asking one address needs no interface but for name queries by
         * broadcast, which then go to 255.255.255.255. */
        if (a.announce || !a.to || a.o.iface) {
            cli_error("browse", "%s", err);
            return EXIT_SYSTEM;
        }
        ifc.bcast = 0xFFFFFFFFu;
    }
    snprintf(name, sizeof name, "%s<%s>", a.workgroup, a.announce ? "00" : "1d");
    const char *target = a.to ? a.to : "\\\\*";
    uint32_t ip;
    const char *t = target + ((target[0] == '\\' || target[0] == '/') ? 2 : 0);
    bool named = a.to && strcmp(t, "*") && ms_ip_parse(t, &ip) != MS_OK;
    a.o.dest_name = named ? NULL : name;
    a.o.type = a.announce || !a.to ? MS_NBDS_DIRECT_GROUP : MS_NBDS_DIRECT_UNIQUE;
    ms_client *c;
    static reply_path rp;
    rp_opts ro = { "browse", a.user_sport, a.user_from, a.nmbd_dir, true };
    if (a.announce) {
        /* The answers are broadcasts, heard on our own socket: the
         * request goes from a socket of ours (the port does not matter). */
        a.o.send_only = true;
        a.o.daemon = MS_DAEMON_NEVER;
        char e2[512];
        if (ms_client_open(target, "\\MAILSLOT\\BROWSE", &a.o, &c, e2, sizeof e2) != MS_OK) {
            cli_error("browse", "%s", e2);
            return EXIT_SYSTEM;
        }
    } else if ((status = rp_open(&ro, target, "\\MAILSLOT\\BROWSE", &a.o, &c, &rp)) != EXIT_OK) {
        return status;
    } else if (!a.quiet && rp.line[0]) {
        cli_error("browse", "%s", rp.line);
    }
    cli_signals_install(NULL);
    status = a.announce ? announce_request(&a, c, ifc.bcast) : backup_list(&a, c, &rp, ifc.bcast);
    rp_close(&rp);
    ms_client_close(c);
    return status;
}
