/* SPDX-License-Identifier: MIT */
/* mailslotd's options: one table for getopt_long and --help. */
#include "opts.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mailslot/net.h"
#include "mailslot/nmbd_unexpected.h"
#include "values.h"

#ifndef MAILSLOT_VERSION
#define MAILSLOT_VERSION "0"
#endif

enum { K_WINS = 300, K_PORT, K_NAME_PORT, K_NMBD_DIR, K_RCVBUF };

typedef struct opt {
    const char *name;
    int key;
    const char *arg;
    const char *help;
} opt;

static const opt OPTS[] = {
    { "foreground", 'F', NULL, "stay in the foreground, log to standard error" },
    { "config", 'c', "FILE", "read FILE instead of " MD_DEFAULT_CONF " (it must exist)" },
    { "name", 'n', "NAME", "also hold NAME (NAME<xx>; default suffix <00>); repeatable" },
    { "workgroup", 'w', "NAME", "join the workgroup NAME (default WORKGROUP)" },
    { "interface", 'i', "IFACE", "serve IFACE (default: the first interface up); repeatable" },
    { "wins", K_WINS, "IP", "register the names with the WINS server IP" },
    { "user", 'u', "USER", "when started as root, run as USER once the ports are bound" },
    { "queue", 'q', "N", "messages each mailslot's queue holds (default 64, at most 4096)" },
    { "nmbd-socket-dir", K_NMBD_DIR, "DIR",
      "beside Samba: nmbd's socket directory (default " MS_NMBD_DEFAULT_SOCKET_DIR ")" },
    { "rcvbuf", K_RCVBUF, "BYTES", "UDP receive buffer to ask for (default 33554432: 32 MiB)" },
    { "port", K_PORT, "N", "the datagram port (default 138; for tests)" },
    { "name-port", K_NAME_PORT, "N", "the name service port (default 137; for tests)" },
    { "help", 'h', NULL, "print this help and exit" },
    { "version", 'V', NULL, "print the version and exit" },
    { NULL, 0, NULL, NULL },
};

static void help(FILE *f)
{
    fputs("usage: mailslotd [OPTIONS]\n"
          "\n"
          "The host's mailslot service: owns UDP 138 (NetBIOS datagrams) and the\n"
          "host's NetBIOS names on UDP 137, and hands each network mailslot write\n"
          "to the local program that created that mailslot (over the control\n"
          "socket in $MAILSLOTD_DIR, default /run/mailslotd). Options override\n"
          "the configuration file. When Samba's nmbd holds UDP 137 and 138, it runs\n"
          "beside it: it receives through nmbd's unexpected-packet socket and\n"
          "leaves the names to nmbd.\n"
          "\n"
          "options:\n",
          f);
    for (const opt *o = OPTS; o->name; o++) {
        char left[48];
        if (o->key < 256)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->key, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s %s", o->name, o->arg);
        fprintf(f, "  %-24s %s\n", left, o->help);
    }
    fputs("\n"
          "Signals: SIGHUP reads the configuration again (names added and removed),\n"
          "SIGTERM or SIGINT releases the names and stops.\n"
          "Exit status: 0 stopped by a signal, 1 could not start (a port held,\n"
          "no interface, ...), 2 bad usage or configuration.\n",
          f);
}

static int bad(const char *opt_name, const char *arg, const char *why)
{
    fprintf(stderr, "mailslotd: --%s: '%s': %s\n", opt_name, arg, why);
    return 2;
}

static int take(md_cli *c, int key, const char *name, const char *arg)
{
    char why[120];
    uint32_t v;
    md_settings *s = &c->set;
    switch (key) {
    case 'F': c->foreground = true; return -1;
    case 'c': c->conf_path = arg; c->conf_given = true; return -1;
    case 'n':
        if (s->nnames == MD_MAX_NAMES)
            return bad(name, arg, "too many names (at most 8)");
        if (md_parse_nbname(arg, s->names[s->nnames], why, sizeof why) != MS_OK)
            return bad(name, arg, why);
        s->nnames++;
        c->have_names = true;
        return -1;
    case 'w':
        c->have_workgroup = true;
        return md_parse_workgroup(arg, s->workgroup, why, sizeof why) == MS_OK ? -1
                                                                              : bad(name, arg, why);
    case 'i':
        if (s->nifaces == MD_MAX_IFACES)
            return bad(name, arg, "too many interfaces (at most 8)");
        if (md_parse_iface(arg, s->ifaces[s->nifaces], why, sizeof why) != MS_OK)
            return bad(name, arg, why);
        s->nifaces++;
        c->have_ifaces = true;
        return -1;
    case K_WINS:
        c->have_wins = true;
        return ms_ip_parse(arg, &s->wins) == MS_OK && s->wins && s->wins != 0xFFFFFFFFu
                   ? -1 : bad(name, arg, "not a unicast IPv4 address");
    case 'u':
        c->have_user = true;
        return md_parse_user(arg, s->user, why, sizeof why) == MS_OK ? -1 : bad(name, arg, why);
    case 'q':
        c->have_queue = true;
        return md_parse_uint(arg, 1, MD_QUEUE_MAX, &s->queue, why, sizeof why) == MS_OK
                   ? -1 : bad(name, arg, why);
    case K_NMBD_DIR:
        c->have_nmbd_dir = true;
        return md_parse_dir(arg, s->nmbd_dir, why, sizeof why) == MS_OK ? -1
                                                                       : bad(name, arg, why);
    case K_RCVBUF:
        c->have_rcvbuf = true;
        return md_parse_uint(arg, MD_RCVBUF_MIN, MD_RCVBUF_MAX, &s->rcvbuf, why, sizeof why) ==
                       MS_OK
                   ? -1 : bad(name, arg, why);
    default: /* the two ports */
        if (md_parse_uint(arg, 1, 65535, &v, why, sizeof why) != MS_OK)
            return bad(name, arg, why);
        *(key == K_PORT ? &c->port : &c->name_port) = (uint16_t)v;
        return -1;
    }
}

int md_cli_parse(int argc, char **argv, md_cli *out)
{
    memset(out, 0, sizeof *out);
    out->conf_path = MD_DEFAULT_CONF;
    out->port = MS_NBDS_PORT;
    out->name_port = MS_NBNS_PORT;
    struct option lo[sizeof OPTS / sizeof OPTS[0]];
    char shorts[64], *sp = shorts;
    size_t n = 0;
    for (const opt *o = OPTS; o->name; o++, n++) {
        lo[n] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, o->key };
        if (o->key < 256) {
            *sp++ = (char)o->key;
            if (o->arg)
                *sp++ = ':';
        }
    }
    lo[n] = (struct option){ NULL, 0, NULL, 0 };
    *sp = '\0';
    optind = 1;
    opterr = 0;
    int k, idx;
    while ((k = getopt_long(argc, argv, shorts, lo, &idx)) != -1) {
        if (k == 'h' || k == 'V') {
            if (k == 'h')
                help(stdout);
            else
                printf("mailslotd %s\n", MAILSLOT_VERSION);
            return 0;
        }
        if (k == '?' || k == ':') {
            fprintf(stderr, "mailslotd: bad option '%s'; try 'mailslotd --help'\n",
                    argv[optind - 1]);
            return 2;
        }
        const opt *o = OPTS;
        while (o->key != k)
            o++;
        int rc = take(out, k, o->name, optarg);
        if (rc >= 0)
            return rc;
    }
    if (optind < argc) {
        fprintf(stderr, "mailslotd: unexpected argument '%s'; try 'mailslotd --help'\n",
                argv[optind]);
        return 2;
    }
    return -1;
}

void md_settings_make(const md_conf *c, const md_cli *o, md_settings *out)
{
    memset(out, 0, sizeof *out);
    strcpy(out->workgroup, "WORKGROUP");
    out->queue = MD_QUEUE_DEFAULT;
    strcpy(out->nmbd_dir, MS_NMBD_DEFAULT_SOCKET_DIR);
    out->rcvbuf = MD_RCVBUF;
    if (c) {
        memcpy(out->names, c->names, sizeof out->names);
        out->nnames = c->nnames;
        memcpy(out->ifaces, c->ifaces, sizeof out->ifaces);
        out->nifaces = c->nifaces;
        if (c->line_workgroup)
            memcpy(out->workgroup, c->workgroup, sizeof out->workgroup);
        out->wins = c->wins;
        if (c->line_queue)
            out->queue = c->queue;
        if (c->line_rcvbuf)
            out->rcvbuf = c->rcvbuf;
        memcpy(out->user, c->user, sizeof out->user);
        if (c->line_nmbd_dir)
            memcpy(out->nmbd_dir, c->nmbd_dir, sizeof out->nmbd_dir);
    }
    const md_settings *s = &o->set;
    if (o->have_names) {
        memcpy(out->names, s->names, sizeof out->names);
        out->nnames = s->nnames;
    }
    if (o->have_ifaces) {
        memcpy(out->ifaces, s->ifaces, sizeof out->ifaces);
        out->nifaces = s->nifaces;
    }
    if (o->have_workgroup)
        memcpy(out->workgroup, s->workgroup, sizeof out->workgroup);
    if (o->have_wins)
        out->wins = s->wins;
    if (o->have_queue)
        out->queue = s->queue;
    if (o->have_rcvbuf)
        out->rcvbuf = s->rcvbuf;
    if (o->have_user)
        memcpy(out->user, s->user, sizeof out->user);
    if (o->have_nmbd_dir)
        memcpy(out->nmbd_dir, s->nmbd_dir, sizeof out->nmbd_dir);
}
