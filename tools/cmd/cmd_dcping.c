/* SPDX-License-Identifier: MIT */
/* `mailslot dcping DOMAIN`: find the domain's controllers as Windows does
 * (PROTOCOL.md §7): a LOGON_SAM_LOGON_REQUEST to DOMAIN<1c>, or with
 * --primary a LOGON_PRIMARY_QUERY to DOMAIN<1b>, on \MAILSLOT\NET\NETLOGON,
 * naming a reply mailslot; every DC that answers within --wait is printed
 * with what its reply says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "cli.h"
#include "cli_opts.h"
#include "cli_signal.h"
#include "dc_print.h"
#include "live_print.h"
#include "mailslot/client.h"
#include "mailslot/net.h"
#include "reply_path.h"
#include "reply_wait.h"

enum { K_TO = 400, K_PRIMARY, K_NTV, K_USER, K_FROM, K_WAIT, K_JSON, K_SPORT, K_PORT, K_WINS,
       K_HOSTS, K_NMBD_DIR };

static const cli_opt dcping_opts[] = {
    { "to", K_TO, 0, "TARGET", "an address: ask the DC there (DIRECT_GROUP to\nDOMAIN<1c>, as Windows 7); \\\\DC: its <00> name\n(DIRECT_UNIQUE, resolved); default: the subnet\nbroadcast (as Windows XP)", NULL },
    { "primary", K_PRIMARY, 0, NULL, "ask for the PDC: LOGON_PRIMARY_QUERY to DOMAIN<1b>", NULL },
    { "nt-version", K_NTV, 0, "LIST", "NtVersion: v1 v5 v5ex v5ep vcs vnt4 vpdc vip vl vgc,\ncomma-separated, or a number (default v1,v5,v5ep:\n0x0000000b, as Windows 7)", "v1 v5 v5ex v5ep vcs vnt4 vpdc vip vl vgc" },
    { "user", K_USER, 0, "NAME", "the account to ask about (default: none)", NULL },
    { "from", K_FROM, 0, "NAME", "our computer name (default: the host name)", NULL },
    { "wait", K_WAIT, 0, "S", "print the replies arriving within S seconds\n(default 3)", NULL },
    { "json", K_JSON, 0, NULL, "each reply as decode --json prints it (NDJSON)", NULL },
    { "interface", 'i', 'i', "IFACE", "the network to use (address, broadcast)", "iface" },
    { "wins", K_WINS, 0, "IP", "resolve \\\\DC by asking this WINS server", NULL },
    { "hosts", K_HOSTS, 0, "FILE", "LMHOSTS-style map (IP NAME[#xx]) tried first", "file" },
    { "sport", K_SPORT, 0, "N|raw|ephemeral", "UDP source port, as for send (default: the way\nreplies sent to 138 reach us, see below)", "raw ephemeral" },
    { "port", K_PORT, 0, "N", "UDP destination port (default 138; for tests)", NULL },
    { "nmbd-socket-dir", K_NMBD_DIR, 0, "DIR", "nmbd's socket directory, for replies beside nmbd\n(default /run/samba/nmbd)", "dir" },
    { "quiet", 'q', 'q', NULL, "nothing on stderr but errors", NULL },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const cli_cmd cli_cmd_dcping = {
    "dcping",
    "find a domain's controllers (NETLOGON ping), print their replies",
    "mailslot dcping [OPTIONS] DOMAIN\n",
    "Ask for the domain controllers of DOMAIN as a Windows client does: a\n"
    "LOGON_SAM_LOGON_REQUEST to DOMAIN<1c> (with --primary a\n"
    "LOGON_PRIMARY_QUERY to DOMAIN<1b>) on \\MAILSLOT\\NET\\NETLOGON, naming a\n"
    "reply mailslot \\MAILSLOT\\NET\\GETDCnnn; then print every reply to it\n"
    "within --wait: the DC's name and address, domain, DNS names, GUID, sites\n"
    "and flags, as the reply carries them.\n",
    dcping_opts,
    "Replies: Windows DCs answer to UDP port 138 whatever port asked, nmbd to\n"
    "the port that asked. dcping takes the first way that gets replies sent to\n"
    "138: through mailslotd when it answers (it sends from its port 138 as the\n"
    "host, and hands back the replies to our reply mailslot; no privilege);\n"
    "beside nmbd holding 138, from an ephemeral port, reading what nmbd passes\n"
    "on from its unexpected-packet socket (no privilege); copies from a raw\n"
    "socket (root or CAP_NET_RAW, nothing taken from the program holding 138);\n"
    "port 138 itself when nobody holds it; else an ephemeral port, and it says\n"
    "that replies to 138 will be missed. One line on stderr names the way.\n"
    "\n"
    "Exit status: 0 a DC answered, 1 none within --wait (or \\\\DC not\n"
    "resolved), 2 bad usage, 4 system error.\n",
    NULL,
};

typedef struct dcping_args {
    ms_client_opts o;
    const char *domain, *to, *user;
    char from[16];
    const char *nmbd_dir;
    bool primary, json, quiet, user_sport, user_from;
    uint32_t nt_version;
    double wait_s;
} dcping_args;

static int bad_value(const char *opt, const char *arg, const char *what)
{
    cli_error("dcping", "%s: '%s' is not %s", opt, arg, what);
    return EXIT_USAGE;
}

/* "v1,v5,v5ep" or a number. */
static int take_nt_version(dcping_args *a, const char *arg)
{
    static const struct { const char *w; uint32_t bit; } bits[] = {
        { "v1", MS_NL_NT_VERSION_1 }, { "v5", MS_NL_NT_VERSION_5 },
        { "v5ex", MS_NL_NT_VERSION_5EX }, { "v5ep", MS_NL_NT_VERSION_5EX_WITH_IP },
        { "vcs", MS_NL_NT_VERSION_WITH_CLOSEST_SITE }, { "vnt4", MS_NL_NT_VERSION_AVOID_NT4EMUL },
        { "vpdc", MS_NL_NT_VERSION_PDC }, { "vip", MS_NL_NT_VERSION_IP },
        { "vl", MS_NL_NT_VERSION_LOCAL }, { "vgc", MS_NL_NT_VERSION_GC },
    };
    char *end;
    unsigned long v = strtoul(arg, &end, 0);
    if (*arg >= '0' && *arg <= '9' && !*end && v <= 0xFFFFFFFFul) {
        a->nt_version = (uint32_t)v;
        return EXIT_OK;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    a->nt_version = 0;
    for (char *save = NULL, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < sizeof bits / sizeof bits[0] && strcasecmp(w, bits[i].w))
            i++;
        if (i == sizeof bits / sizeof bits[0])
            return bad_value("--nt-version", w, "one of v1 v5 v5ex v5ep vcs vnt4 vpdc vip vl vgc");
        a->nt_version |= bits[i].bit;
    }
    return EXIT_OK;
}

static int take_option(dcping_args *a, int key, const char *arg)
{
    char *end;
    int p;
    switch (key) {
    case K_TO: a->to = arg; return EXIT_OK;
    case K_PRIMARY: a->primary = true; return EXIT_OK;
    case K_NTV: return take_nt_version(a, arg);
    case K_USER: a->user = arg; return EXIT_OK;
    case K_FROM:
        if (!*arg || strlen(arg) > 15)
            return bad_value("--from", arg, "a NetBIOS name of 1 to 15 octets");
        snprintf(a->from, sizeof a->from, "%s", arg);
        a->user_from = true;
        return EXIT_OK;
    case K_WAIT:
        a->wait_s = strtod(arg, &end);
        if (!*arg || *end || !(a->wait_s >= 0 && a->wait_s <= 3600))
            return bad_value("--wait", arg, "a number of seconds (0 to 3600)");
        return EXIT_OK;
    case K_JSON: a->json = true; return EXIT_OK;
    case 'i': a->o.iface = arg; return EXIT_OK;
    case K_WINS:
        return ms_ip_parse(arg, &a->o.wins_ip) == MS_OK ? EXIT_OK
                                                         : bad_value("--wins", arg, "an IPv4 address");
    case K_HOSTS: a->o.hosts_file = arg; return EXIT_OK;
    case K_SPORT:
        a->user_sport = true;
        if (cli_parse_sport(arg, &a->o.sport) < 0)
            return bad_value("--sport", arg, "a port, raw or ephemeral");
        return EXIT_OK;
    case K_PORT:
        if ((p = cli_parse_port(arg)) < 0)
            return bad_value("--port", arg, "a port");
        a->o.dport = (uint16_t)p;
        return EXIT_OK;
    case K_NMBD_DIR: a->nmbd_dir = arg; return EXIT_OK;
    case 'q': a->quiet = true; return EXIT_OK;
    }
    return EXIT_OK;
}

static int parse_args(dcping_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    ms_client_opts_init(&a->o);
    a->nt_version = MS_NL_NT_VERSION_1 | MS_NL_NT_VERSION_5 | MS_NL_NT_VERSION_5EX_WITH_IP;
    a->wait_s = 3;
    int key;
    while ((key = cli_next(&cli_cmd_dcping, argc, argv)) > 0) {
        int st = take_option(a, key, optarg);
        if (st != EXIT_OK)
            return st;
    }
    if (key != CLI_END)
        return key == CLI_EXIT_OK ? -1 : EXIT_USAGE;
    if (optind != argc - 1) {
        cli_error("dcping", "give one DOMAIN; try 'mailslot dcping --help'");
        return EXIT_USAGE;
    }
    a->domain = argv[optind];
    if (!*a->domain || strlen(a->domain) > 15 || strchr(a->domain, '<'))
        return bad_value("DOMAIN", a->domain, "a NetBIOS domain name of 1 to 15 octets");
    if (!a->from[0])
        ms_default_netbios_name(a->from);
    return EXIT_OK;
}

/* ASCII text as UTF-16LE octets (no terminator) into out. */
static size_t utf16(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 2 <= cap; s++) {
        out[n++] = (uint8_t)*s;
        out[n++] = 0;
    }
    return n;
}

/* The request: LOGON_SAM_LOGON_REQUEST (§7.4.3) or LOGON_PRIMARY_QUERY
 * (§7.4.1), naming reply mailslot `reply`. */
static ms_status build_request(const dcping_args *a, const char *reply, uint8_t *out, size_t cap,
                               size_t *len)
{
    static uint8_t ucomp[64], uuser[64];
    static ms_netlogon n;
    memset(&n, 0, sizeof n);
    n.unicode_computer_name = (ms_str){ ucomp, utf16(a->from, ucomp, sizeof ucomp), true };
    n.mailslot_name = (ms_str){ (const uint8_t *)reply, strlen(reply), true };
    n.nt_version = a->nt_version;
    n.lmnt_token = n.lm20_token = 0xFFFF;
    if (a->primary) {
        n.opcode = MS_NL_LOGON_PRIMARY_QUERY;
        n.layout = MS_NL_LAYOUT_PRIMARY_QUERY;
        n.computer_name = (ms_str){ (const uint8_t *)a->from, strlen(a->from), true };
    } else {
        n.opcode = MS_NL_SAM_LOGON_REQUEST;
        n.layout = MS_NL_LAYOUT_SAM_REQUEST;
        n.unicode_user_name = (ms_str){ uuser, a->user ? utf16(a->user, uuser, sizeof uuser) : 0,
                                        true };
    }
    return ms_netlogon_encode(&n, out, cap, len);
}

#define MAX_SEEN 64

typedef struct dc_ctx {
    const char *reply;     /* our reply mailslot */
    bool json;
    json_out j;
    unsigned replies;
    /* Replies printed (address and message): a DC that answers a
     * broadcast request twice (nmbd reads it on two sockets) is one DC. */
    struct { uint32_t ip; size_t len; uint8_t data[512]; } seen[MAX_SEEN];
    size_t nseen;
} dc_ctx;

/* Whether this reply was printed already; remembered when it was not. */
static bool seen_before(dc_ctx *x, uint32_t ip, const ms_bytes *d)
{
    for (size_t i = 0; i < x->nseen; i++)
        if (x->seen[i].ip == ip && x->seen[i].len == d->len && !memcmp(x->seen[i].data, d->p, d->len))
            return true;
    if (x->nseen < MAX_SEEN && d->len <= sizeof x->seen[0].data) {
        x->seen[x->nseen].ip = ip;
        x->seen[x->nseen].len = d->len;
        memcpy(x->seen[x->nseen++].data, d->p, d->len);
    }
    return false;
}

static bool is_response(uint16_t op)
{
    return op == MS_NL_LOGON_RESPONSE2 || op == MS_NL_LOGON_PRIMARY_RESPONSE ||
           (op >= MS_NL_SAM_LOGON_RESPONSE && op <= MS_NL_SAM_LOGON_RESPONSE_EX + 2);
}

/* A NETLOGON response to our reply mailslot: one DC's answer. */
static void on_reply(void *vctx, const ms_rx_item *it)
{
    dc_ctx *x = vctx;
    const ms_message *m = it->m;
    if (it->kind == MS_RX_INCOMPLETE || it->verdict == MS_RX_FRAGMENT || !m->has_smb ||
        m->kind != MS_PAYLOAD_NETLOGON || !m->payload_ok || !is_response(m->netlogon.opcode) ||
        m->trans.name.len != strlen(x->reply) ||
        strncasecmp((const char *)m->trans.name.p, x->reply, m->trans.name.len) ||
        seen_before(x, it->d->ip_src, &m->trans.data))
        return;
    x->replies++;
    if (x->json)
        live_print(stdout, &x->j, true, it, true, NULL, false);
    else {
        dc_reply_line(stdout, it->d, m);
        fflush(stdout);
    }
}

/* Where the request goes: the broadcast, an address, or \\DC's name. */
static void target_of(dcping_args *a, char *name, size_t cap, const char **target)
{
    snprintf(name, cap, "%s<%s>", a->domain, a->primary ? "1b" : "1c");
    for (char *p = name; *p && *p != '<'; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    *target = a->to ? a->to : "\\\\*";
    uint32_t ip;
    const char *t = *target + (((*target)[0] == '\\' || (*target)[0] == '/') ? 2 : 0);
    bool named_dc = a->to && strcmp(t, "*") && ms_ip_parse(t, &ip) != MS_OK;
    a->o.dest_name = named_dc ? NULL : name;
    a->o.type = named_dc ? MS_NBDS_DIRECT_UNIQUE : MS_NBDS_DIRECT_GROUP;
    a->o.from = a->from;
}

int cmd_dcping(int argc, char **argv)
{
    static dcping_args a;
    int status = parse_args(&a, argc, argv);
    if (status)
        return status < 0 ? EXIT_OK : status;
    char reply[256], dst[40], err[512];
    uint16_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
        r = (uint16_t)ms_realtime_ns();
    snprintf(reply, sizeof reply, "\\MAILSLOT\\NET\\GETDC%03u", r % 1000u);
    const char *target;
    target_of(&a, dst, sizeof dst, &target);
    ms_client *c;
    static reply_path rp;
    rp_opts ro = { "dcping", a.user_sport, a.user_from, a.nmbd_dir, false };
    if ((status = rp_open(&ro, target, "\\MAILSLOT\\NET\\NETLOGON", &a.o, &c, &rp)) != EXIT_OK)
        return status;
    if (rp.host_name[0]) /* through mailslotd: the host's name */
        snprintf(a.from, sizeof a.from, "%s", rp.host_name);
    if (!a.quiet && rp.line[0])
        cli_error("dcping", "%s", rp.line);
    static uint8_t req[512];
    size_t len = 0;
    if (build_request(&a, reply, req, sizeof req, &len) != MS_OK) {
        cli_error("dcping", "cannot build the request (names too long?)");
        rp_close(&rp);
        ms_client_close(c);
        return EXIT_USAGE;
    }
    ms_write_result res;
    if (ms_client_write(c, req, len, &res, err, sizeof err) != MS_OK) {
        cli_error("dcping", "%s", err);
        rp_close(&rp);
        ms_client_close(c);
        return EXIT_SYSTEM;
    }
    const ms_client_info *in = ms_client_get_info(c);
    /* mailslotd names a fresh reply mailslot when ours is taken. */
    if (in->reply_slot[0])
        snprintf(reply, sizeof reply, "%s", in->reply_slot);
    char nm[300], ip[16];
    ms_nb_name_format(&in->dst, nm, sizeof nm);
    ms_ip_format(in->dst_ip, ip, sizeof ip);
    if (!a.quiet)
        cli_error("dcping", "%s to %s at %s:%u, replies to %s, waiting %g s",
                  a.primary ? "LOGON_PRIMARY_QUERY" : "LOGON_SAM_LOGON_REQUEST", nm, ip,
                  in->dport, reply, a.wait_s);
    static dc_ctx x;
    memset(&x, 0, sizeof x);
    x.reply = reply;
    x.json = a.json;
    jo_init(&x.j, stdout);
    cli_signals_install(NULL);
    reply_wait_opts wo = { .c = c, .extra_fd = -1, .nmbd = rp.nmbd, .seconds = a.wait_s,
                           .validate = a.json, .fn = on_reply, .ctx = &x };
    status = reply_wait("dcping", &wo);
    rp_close(&rp);
    ms_client_close(c);
    if (status == EXIT_OK && !x.replies) {
        cli_error("dcping", "no domain controller of %s answered within %g s", a.domain, a.wait_s);
        status = EXIT_NEGATIVE;
    }
    return status;
}
