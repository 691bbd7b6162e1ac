/* SPDX-License-Identifier: MIT */
/* `mailslot`: one command, several subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The build passes project(VERSION) from CMakeLists.txt; this fallback is
 * for a compile outside CMake only. */
#ifndef MAILSLOT_VERSION
#define MAILSLOT_VERSION "unknown"
#endif

static void usage(FILE *f)
{
    fputs("usage: mailslot COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "Windows remote mailslots (NetBIOS datagrams on UDP 138) from Linux.\n"
          "\n"
          "commands:\n"
          "  decode   decode mailslot datagrams in a pcap/pcapng capture\n"
          "  encode   rebuild frames from decode's NDJSON (pcap or hex)\n"
          "  check    check every datagram against the protocol's rules\n"
          "  send     write a message to a remote mailslot\n"
          "  listen   receive mailslot messages (UDP 138, or libpcap)\n"
          "  hosts    list the LAN's hosts from their browser announcements\n"
          "\n"
          "Run 'mailslot COMMAND --help' for a command's options.\n"
          "Exit status: 0 ok, 1 negative result, 2 bad usage, 3 unreadable input,\n"
          "4 system error.\n",
          f);
}

void cli_error(const char *sub, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mailslot %s: ", sub);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_parse_port(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > 65535)
        return -1;
    return (int)v;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(sub, "--version")) {
        printf("mailslot %s\n", MAILSLOT_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(sub, "decode"))
        return cmd_decode(argc - 1, argv + 1);
    if (!strcmp(sub, "encode"))
        return cmd_encode(argc - 1, argv + 1);
    if (!strcmp(sub, "check"))
        return cmd_check(argc - 1, argv + 1);
    if (!strcmp(sub, "send"))
        return cmd_send(argc - 1, argv + 1);
    if (!strcmp(sub, "listen"))
        return cmd_listen(argc - 1, argv + 1);
    if (!strcmp(sub, "hosts"))
        return cmd_hosts(argc - 1, argv + 1);
    fprintf(stderr, "mailslot: unknown command '%s'\n", sub);
    usage(stderr);
    return EXIT_USAGE;
}
