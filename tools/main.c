/* SPDX-License-Identifier: MIT */
/* `mailslot`: one command, several subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_opts.h"
#include <signal.h>

extern const cli_cmd cli_cmd_decode, cli_cmd_encode, cli_cmd_check, cli_cmd_send,
    cli_cmd_listen, cli_cmd_hosts, cli_cmd_lookup, cli_cmd_dcping, cli_cmd_browse,
    cli_cmd_status;

static const cli_cmd *const cli_commands[] = {
    &cli_cmd_decode, &cli_cmd_encode, &cli_cmd_check,  &cli_cmd_send,   &cli_cmd_listen,
    &cli_cmd_hosts,  &cli_cmd_lookup, &cli_cmd_dcping, &cli_cmd_browse, &cli_cmd_status,
    NULL,
};

static int (*const runners[])(int, char **) = {
    cmd_decode, cmd_encode, cmd_check, cmd_send, cmd_listen, cmd_hosts, cmd_lookup, cmd_dcping,
    cmd_browse, cmd_status,
};

static void usage(FILE *f)
{
    fputs("usage: mailslot COMMAND [OPTIONS] [ARGS]\n"
          "       mailslot --help | --version\n"
          "\n"
          "Windows remote mailslots (NetBIOS datagrams on UDP 138) from Linux.\n"
          "\n"
          "commands:\n",
          f);
    for (size_t i = 0; cli_commands[i]; i++)
        fprintf(f, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
    fprintf(f, "  %-10s %s\n", "completion", "print the bash completion script");
    fputs("\n"
          "Run 'mailslot COMMAND --help' for a command's options; man mailslot.\n"
          "Exit status: 0 ok, 1 negative result, 2 bad usage, 3 unreadable input,\n"
          "4 system error, 128+N stopped by signal N (see each command).\n",
          f);
}

int main(int argc, char **argv)
{
    /* A reader that goes away (decode | head) ends us quietly, whatever
     * the parent left SIGPIPE at; listen handles EPIPE itself. */
    signal(SIGPIPE, SIG_DFL);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(sub, "--version") || !strcmp(sub, "-V")) {
        cli_version(stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; cli_commands[i]; i++)
        if (!strcmp(sub, cli_commands[i]->name))
            return runners[i](argc - 1, argv + 1);
    if (!strcmp(sub, "completion"))
        return cmd_completion(cli_commands, argc - 1, argv + 1);
    fprintf(stderr, "mailslot: unknown command '%s'\n", sub);
    usage(stderr);
    return EXIT_USAGE;
}
