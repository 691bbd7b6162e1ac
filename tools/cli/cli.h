/* SPDX-License-Identifier: MIT */
/* Shared pieces of the `mailslot` command: exit codes and subcommands. */
#ifndef MS_TOOLS_CLI_H
#define MS_TOOLS_CLI_H

/* Exit status, the same for every subcommand. */
enum {
    EXIT_OK = 0,
    EXIT_NEGATIVE = 1,   /* check found problems, send refused, timeout */
    EXIT_USAGE = 2,
    EXIT_INPUT = 3,      /* unreadable input (after printing what was readable) */
    EXIT_SYSTEM = 4
};

int cmd_decode(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_listen(int argc, char **argv);
int cmd_hosts(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_dcping(int argc, char **argv);
int cmd_browse(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* "mailslot SUB: " prefixed message on stderr. */
void cli_error(const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse a port number 1..65535; returns -1 when it is not one. */
int cli_parse_port(const char *s);
/* Parse --sport: a port, "raw" or "ephemeral" (MS_CLIENT_SPORT_*) into
 * *out; -1 when it is none of these. */
int cli_parse_sport(const char *s, int *out);

#endif
